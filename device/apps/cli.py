"""The `saywell` command: score recordings, practise, manage word lists, report progress.

Every user-fixable problem ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import PROJECT_ROOT
from ..errors import SaywellError

SAMPLES_DIR = PROJECT_ROOT / "audio_samples"


def _model_args(p: argparse.ArgumentParser) -> None:
    from ..engine.model import model_path_from_env

    p.add_argument("--model", type=Path, default=model_path_from_env(), help="int8 .tflite with its .json beside it (default: the shipped model)")
    p.add_argument("--delegate", help="TFLite delegate library, e.g. libedgetpu.so.1 for a Coral Edge TPU")
    p.add_argument("--threads", type=int, default=1, help="interpreter threads (default 1: a Pi's other cores stay free for audio)")


def _scorer(args):
    from ..engine.model import AcousticModel
    from ..engine.scoring import Scorer

    return Scorer(AcousticModel(args.model, delegate=args.delegate, num_threads=args.threads))


def _load(path, scorer, quiet: bool = False):
    from ..audio.wav import load_wav

    audio = load_wav(path, scorer.meta.frontend.sample_rate_hz)
    if not quiet:
        for n in audio.notes:
            print(f"note: {path}: {n}", file=sys.stderr)
    return audio


def cmd_score(args) -> int:
    from ..engine.feedback import describe

    scorer = _scorer(args)
    result = scorer.score(_load(args.audio, scorer, args.json), args.text, args.phones)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(describe(result, color=sys.stdout.isatty()))
    return 0


def read_manifest(path: Path) -> list[tuple[int, str, str, str | None] | tuple[int, SaywellError]]:
    """Lines `audio<TAB>text[<TAB>phones]`; blank lines and '#' comments are skipped, bad lines kept as errors."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SaywellError(f"manifest {path} not found; check the path") from None
    except (UnicodeDecodeError, IsADirectoryError) as e:
        raise SaywellError(f"manifest {path} is not a UTF-8 text file ({e}); save it as UTF-8 TSV") from None
    rows: list = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.rstrip("\r").split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            rows.append((n, SaywellError(f"manifest line {n}: expected audio_path<TAB>text[<TAB>phones]")))
            continue
        audio = Path(cols[0].strip())
        if not audio.is_absolute():
            audio = path.parent / audio
        phones = cols[2].strip() if len(cols) > 2 and cols[2].strip() else None
        rows.append((n, str(audio), cols[1].strip(), phones))
    return rows


def cmd_score_batch(args) -> int:
    rows = read_manifest(args.manifest)
    scorer = _scorer(args)
    for row in rows:
        if isinstance(row[1], SaywellError):
            out = {"error": str(row[1])}
        else:
            _, audio, text, phones = row
            try:
                out = scorer.score(_load(audio, scorer, quiet=True), text, phones).to_dict()
            except SaywellError as e:
                out = {"error": str(e)}
        print(json.dumps(out), flush=True)
    return 0


def cmd_demo(args) -> int:
    """Scores every clip in audio_samples/ against its expected text (the README's first command)."""
    from ..engine.feedback import describe

    manifest = args.samples / "manifest.tsv"
    rows = read_manifest(manifest)
    scorer = _scorer(args)
    print(f"saywell demo: model {scorer.model.path.name}, {len(rows)} clips from {args.samples}\n")
    for row in rows:
        if isinstance(row[1], SaywellError):
            print(f"skipped: {row[1]}")
            continue
        _, audio, text, phones = row
        try:
            result = scorer.score(_load(audio, scorer, quiet=True), text, phones)
        except SaywellError as e:
            print(f"{Path(audio).name}: error: {e}")
            continue
        print(f"[{Path(audio).name}]")
        print(describe(result, color=sys.stdout.isatty()))
        print()
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="saywell", description="Offline pronunciation trainer.")
    ap.add_argument("--version", action=_VersionAction)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("score", help="score one recording against the expected word or phrase")
    p.add_argument("audio", type=Path, help="a WAV file (any rate, bit depth or channel count: converted to 16 kHz mono)")
    p.add_argument("--text", required=True, help="the word or phrase the learner read")
    p.add_argument("--phones", help="expected ARPAbet phones, e.g. 'TH IH NG K' (words separated by '|')")
    p.add_argument("--json", action="store_true", help="print the scoring JSON contract")
    _model_args(p)
    p.set_defaults(func=cmd_score)
    p = sub.add_parser("score-batch", help="score a manifest of audio_path<TAB>text[<TAB>phones] lines, one JSON per line")
    p.add_argument("manifest", type=Path, help="TSV lines audio_path<TAB>text[<TAB>phones]; paths relative to the manifest's folder")
    _model_args(p)
    p.set_defaults(func=cmd_score_batch)
    p = sub.add_parser("demo", help="score the bundled audio samples and print feedback")
    p.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="a folder with manifest.tsv (default: the bundled audio_samples/)")
    _model_args(p)
    p.set_defaults(func=cmd_demo)
    from .kiosk import register as register_kiosk
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
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
