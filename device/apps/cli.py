"""The `saywell` command: score recordings, practise, manage word lists, report progress.

Every user-fixable problem ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .. import PROJECT_ROOT
from ..errors import SaywellError

SAMPLES_DIR = PROJECT_ROOT / "audio_samples"


def _threads(text: str) -> int:
    """Interpreter threads: a whole number from 1 up (the runtime's own message for 0 blames the model)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of threads from 1 up (1 suits a Pi)")
    return n


def _model_args(p: argparse.ArgumentParser, lang: bool = True) -> None:
    from ..engine.accent import ACCENTS, DEFAULT_ACCENT

    p.add_argument("--model", type=Path, default=None,
                   help="int8 .tflite with its .json beside it; its metadata says which language it judges (default: "
                        "the shipped model of --lang, models/saywell-LANG.tflite; for English also $SAYWELL_MODEL)")
    from .choose import lang_arg, lang_choices, lang_metavar, other_languages

    if lang:
        p.add_argument("--lang", type=lang_arg, default=None, metavar=lang_metavar(),
                       help=f"the language spoken: {lang_choices()}; each needs its model, models/saywell-LANG.tflite; "
                            "default: the word list's, else the model's, else en")
    p.add_argument("--delegate", help="TFLite delegate library, e.g. libedgetpu.so.1 for a Coral Edge TPU")
    p.add_argument("--threads", type=_threads, default=1, help="interpreter threads (default 1: a Pi's other cores stay free for audio)")
    p.add_argument("--accent", choices=ACCENTS, default=None,
                   help=f"English only (refused with {other_languages()}, judged alike whatever the region): "
                        f"what counts as right: us (American forms only), gb (British: no R after a vowel, "
                        f"'bath' with AA, 'hot' with AO), any (either); default: the learner's accent, else the "
                        f"word list's, else the device's (saywell settings accent), else {DEFAULT_ACCENT}")


def _scorer(args):
    from ..engine.scoring import Scorer
    from .choose import load_model, scoring_accent

    from ..classroom.settings import device_accent

    model = load_model(args)
    return Scorer(model, accent=scoring_accent(model, args.accent, None, None, device_accent()))


def _load(path, scorer, quiet: bool = False):
    from ..audio.wav import load_wav

    audio = load_wav(path, scorer.meta.frontend.sample_rate_hz)
    if not quiet:
        for n in audio.notes:
            print(f"note: {path}: {n}", file=sys.stderr)
    return audio


def cmd_score(args) -> int:
    from ..engine.feedback import describe
    from ..engine.limits import check_request

    check_request(args.text, args.phones)
    scorer = _scorer(args)
    audio = _load(args.audio, scorer, args.json)
    prons = scorer.pronunciations(args.text, args.phones)
    result = scorer.score(audio, args.text, args.phones, prons)
    if args.json:
        print(json.dumps(result.to_dict()))  # no_speech included: the contract's verdict, and the exit code says it
    if result.verdict == "no_speech":
        from ..audio.wav import short_name

        raise SaywellError(f"{short_name(str(args.audio))}: no speech heard (silent, too quiet, or too short for "
                           f"{args.text!r}); record it again, closer to the microphone")
    if not args.json:
        for p in prons:
            if p.source == "espeak-ng":  # a wrong guess makes every verdict on the word wrong: say it was one
                print(f"note: {p.word!r} is not in the dictionary; its sounds are espeak-ng's guess "
                      f"/{' '.join(p.phones)}/: check them, or give --phones", file=sys.stderr)
        print(describe(result, color=sys.stdout.isatty()))
    return 0


MAX_MANIFEST_LINE_BYTES = 1 << 16  # a path (4 KiB at most), a text, its phones and a note fit many times over


@dataclass(frozen=True)
class ManifestRow:
    line: int
    audio: str = ""
    text: str = ""
    phones: str | None = None
    error: str | None = None  # why the line cannot be scored: its output line says so
    note: str = ""  # a fourth column, for people (the demo reads whether the clip is a deliberate mistake)

    @property
    def deliberate_mistake(self) -> bool:
        """The demo's manifest notes a correct clip as '..., correct' and a mistake by what was said instead."""
        return not re.search(r"\bcorrect\b", self.note)


def check_manifest(path: Path) -> None:
    """A manifest that cannot be read at all is refused before any line is scored: a regular UTF-8 file.

    Read through once a slice at a time, so neither checking nor scoring ever holds the whole file.
    """
    from ..audio.wav import open_regular, short_name

    name = short_name(str(path))
    f, _ = open_regular(path, "manifest")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise SaywellError(f"manifest {name} is not a UTF-8 text file; save it as UTF-8 TSV") from None
    except OSError as e:
        raise SaywellError(f"manifest {name}: cannot read it ({e.strerror or e}); check the file and the disk") from None


def _lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per line of the file; None as text for a line too long to be a manifest line."""
    from ..audio.wav import open_regular, short_name

    f, _ = open_regular(path, "manifest")
    n = 0
    try:
        with f:
            while raw := f.readline(MAX_MANIFEST_LINE_BYTES + 1):
                n += 1
                if len(raw) > MAX_MANIFEST_LINE_BYTES and not raw.endswith(b"\n"):
                    blank, comment = not raw.strip(), raw.lstrip().startswith(b"#")
                    while (more := f.readline(MAX_MANIFEST_LINE_BYTES)) and not more.endswith(b"\n"):
                        blank = blank and not more.strip()
                    if not (blank and not more.strip() or comment):
                        yield n, None
                    continue
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                yield n, line.removeprefix("\ufeff") if n == 1 else line
    except OSError as e:
        raise SaywellError(f"manifest {short_name(str(path))}: cannot read it after line {n} ({e.strerror or e}); "
                           "check the file and the disk") from None


def manifest_rows(path: Path) -> Iterator[ManifestRow]:
    """Lines `audio<TAB>text[<TAB>phones]`, one at a time; blank lines and '#' comments are skipped, bad lines
    kept as errors."""
    from ..engine.limits import check_request

    for n, line in _lines(path):
        if line is None:
            yield ManifestRow(n, error=f"manifest line {n}: longer than {MAX_MANIFEST_LINE_BYTES} bytes; "
                                       "expected audio_path<TAB>text[<TAB>phones]")
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            yield ManifestRow(n, error=f"manifest line {n}: expected audio_path<TAB>text[<TAB>phones]; "
                                       "separate the columns with tabs")
            continue
        audio = Path(cols[0].strip())
        if not audio.is_absolute():
            audio = path.parent / audio
        text = cols[1].strip()
        phones = cols[2].strip() if len(cols) > 2 and cols[2].strip() else None
        try:
            check_request(text, phones)
        except SaywellError as e:
            yield ManifestRow(n, error=f"manifest line {n}: {e}")
            continue
        yield ManifestRow(n, str(audio), text, phones, note=cols[3].strip() if len(cols) > 3 else "")


def read_manifest(path: Path) -> list[ManifestRow]:
    check_manifest(path)
    return list(manifest_rows(path))


def batch_line(scorer, row: ManifestRow) -> str:
    """One manifest line's output line, whatever goes wrong with it: the batch goes on to the next line."""
    from ..audio.wav import short_name

    if row.error:
        return json.dumps({"error": row.error})
    name = short_name(row.audio)
    try:
        result = scorer.score(_load(row.audio, scorer, quiet=True), row.text, row.phones)
        return json.dumps(result.to_dict(), allow_nan=False)
    except SaywellError as e:
        error = str(e)
    except MemoryError:
        error = f"{name}: out of memory while scoring it; free some memory, or shorten the audio or the text"
    except OSError as e:
        error = f"{name}: {e.strerror or e} while scoring it; check the file and the disk"
    except Exception as e:  # a bug, not the user's: still one line, and the rest of the batch is scored
        error = (f"{name}: could not be scored ({type(e).__name__}: {short_name(str(e), 200)}); "
                 "this is a bug in saywell: please report it with the file")
    return json.dumps({"error": error})


def cmd_score_batch(args) -> int:
    check_manifest(args.manifest)
    scorer = _scorer(args)
    for row in manifest_rows(args.manifest):
        print(batch_line(scorer, row), flush=True)
    return 0


def cmd_demo(args) -> int:
    """Scores every clip in audio_samples/ against its expected text (the README's first command)."""
    from ..engine.feedback import describe

    scorer = _scorer(args)
    lang = scorer.lang.code  # the English clips, or another language's: manifest_LANG.tsv beside them
    manifest = args.samples / ("manifest.tsv" if lang == "en" else f"manifest_{lang}.tsv")
    if not manifest.exists():
        raise SaywellError(f"no {scorer.lang.name} demo clips: {manifest} is missing; pass --samples with a folder "
                           f"that has {manifest.name}")
    rows = read_manifest(manifest)
    print(f"saywell demo: model {scorer.model.path.name}, {len(rows)} clips from {args.samples}\n")
    outcomes = []
    for row in rows:
        if row.error:
            print(f"skipped: {row.error}")
            continue
        try:
            result = scorer.score(_load(row.audio, scorer, quiet=True), row.text, row.phones)
        except SaywellError as e:
            print(f"{Path(row.audio).name}: error: {e}")
            continue
        print(f"[{Path(row.audio).name}]")
        print(describe(result, color=sys.stdout.isatty()))
        print()
        outcomes.append((row, result))
    print(demo_summary(outcomes, "models/README.md" if lang == "en" else f"models/saywell-{lang}.md"))
    return 0


def demo_summary(outcomes, card: str = "models/README.md") -> str:
    """What the demo shows, said plainly: which deliberate mistakes were caught and which correct clips passed,
    naming the misses (a first-time user should not have to work it out, or be told a miss is a catch)."""
    def name(row, result) -> str:
        return f"{Path(row.audio).name} ('{row.text}'{', ' + row.note if row.deliberate_mistake else ''}: {result.score:.0f})"

    mistakes = [(r, res) for r, res in outcomes if r.deliberate_mistake]
    correct = [(r, res) for r, res in outcomes if not r.deliberate_mistake]
    missed = [name(r, res) for r, res in mistakes if res.verdict == "correct"]
    rejected = [name(r, res) for r, res in correct if res.verdict != "correct"]
    lines = [f"deliberate mistakes caught: {len(mistakes) - len(missed)} of {len(mistakes)}"
             + (f"; missed: {'; '.join(missed)}" if missed else ""),
             f"correct clips judged correct: {len(correct) - len(rejected)} of {len(correct)}"
             + (f"; rejected: {'; '.join(rejected)}" if rejected else "")]
    if missed or rejected:
        lines.append(f"these are known limits of the shipped model: {card}")
    return "\n".join(lines)


def version_text() -> str:
    """The package and the model a bare `saywell score` would use: a bug report needs both."""
    import hashlib

    from .. import __version__
    from ..engine.model import model_path_from_env

    path = model_path_from_env()
    meta = path.with_suffix(".json")
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        info = json.loads(meta.read_text())
        model = f"model {info.get('name', path.stem)} ({path}, sha256 {digest}, trained by `{info['training']['command']}`)"
    except (OSError, ValueError, KeyError, TypeError) as e:
        model = f"model {path}: not readable ({e.__class__.__name__})"
    return f"saywell {__version__}, {model}"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="print the package and model versions and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


SCORE_CONTRACT = """\
the --json object (the scoring contract; every field in docs/contract.md):
  text, score (0-100), verdict     correct | mispronounced | no_speech; the line is 50
  completeness (0-1)               share of the words said; fluency {speech_rate, pauses, longest_pause}
  insertions [{after, start, end, kind}]   speech where no word was expected: repeat | extra
  accent, lang                     what counted as right: any | us | gb; en | es | fr | it | de
  words [{word, score, verdict, error, phones}]   error: none | mispronounced | omitted
    phones [{phone, score, ok, heard, start, end}]   heard: what was heard instead ("-": left out)

exit codes: 0 scored; 2 a problem you can fix (an unreadable file, a recording with no speech, unknown
phones), with one 'saywell: error: ...' line on stderr; 130 interrupted.
"""


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line naming it and where help is, like every other error (subcommands inherit this)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="saywell", description="Offline pronunciation trainer.")
    ap.add_argument("--version", action=_VersionAction)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("score", help="score one recording against the expected word or phrase",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=SCORE_CONTRACT)
    p.add_argument("audio", type=Path, help="a WAV file (any rate, bit depth or channel count: converted to 16 kHz mono)")
    p.add_argument("--text", required=True, help="the word or phrase the learner read")
    p.add_argument("--phones", help="expected phones, words separated by '|': ARPAbet for English ('TH IH NG K'), "
                                    "IPA or X-SAMPA for Spanish and French ('p e ɾ o' or 'p e 4 o')")
    p.add_argument("--json", action="store_true", help="print the scoring JSON contract")
    _model_args(p)
    p.set_defaults(func=cmd_score)
    p = sub.add_parser("score-batch", help="score a manifest of audio_path<TAB>text[<TAB>phones] lines, one JSON per line")
    p.add_argument("manifest", type=Path, help="TSV lines audio_path<TAB>text[<TAB>phones]; paths relative to the manifest's folder")
    _model_args(p)
    p.set_defaults(func=cmd_score_batch)
    p = sub.add_parser("demo", help="score the bundled audio samples and print feedback")
    p.add_argument("--samples", type=Path, default=SAMPLES_DIR,
                   help="a folder with manifest.tsv, and manifest_LANG.tsv for another language (default: the bundled "
                        "audio_samples/, which has English and Spanish clips)")
    _model_args(p)
    p.set_defaults(func=cmd_demo)
    from .kiosk import register as register_kiosk
    from .languages_cmd import register as register_languages
    from .practice import register as register_practice
    from .report_cmd import register as register_report
    from .serve import register as register_serve
    from .settings_cmd import register as register_settings
    from .lists_cmd import register as register_lists

    register_practice(sub, _model_args)
    register_kiosk(sub, _model_args)
    register_lists(sub)
    register_report(sub)
    register_serve(sub)
    register_settings(sub)
    register_languages(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # bare `saywell`: what it can do, not an error
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SaywellError as e:
        print(f"saywell: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("saywell: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
