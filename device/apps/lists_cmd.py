"""`saywell lists`: validate, import, show and export the teacher's word lists (classroom/wordlists.py)."""

from __future__ import annotations

from dataclasses import replace

import sys
from pathlib import Path

from ..classroom.home import write_atomically
from ..classroom.references import check_files, store_recordings
from ..classroom.wordlists import (Checked, alternates_of, check_name, default_name, lists_dir, load_stored,
                                   read_list, source_label, store_list, stored_info, stored_names, stored_path,
                                   to_csv, to_text)
from ..engine.accent import ACCENTS
from ..errors import SaywellError
from .choose import language_name

def _lang_help() -> str:
    from .choose import lang_choices

    return (f"the list's language: {lang_choices()}; phones in ARPAbet for English, else IPA or X-SAMPA; "
            "a lang column in the file says it too, and must agree")


def _lang(text: str) -> str:
    from .choose import lang_arg

    return lang_arg(text)

SHOW_CHUNK = 1000  # entries whose alternates are looked up together: few queries, bounded memory


def register(sub) -> None:
    from .choose import lang_metavar

    p = sub.add_parser("lists", help="check, import, show and export teacher word lists")
    lsub = p.add_subparsers(dest="lists_command", required=True, metavar="validate|import|show|export|record")
    q = lsub.add_parser("validate", help="check a list file and report every problem with its line")
    q.add_argument("file", type=Path, help="a plain-text, CSV or TSV word list (UTF-8)")
    q.add_argument("--lang", type=_lang, metavar=lang_metavar(), help=_lang_help())
    q.set_defaults(func=cmd_validate)
    q = lsub.add_parser("import", help="check a list file and store it for practice (refused if it has errors)")
    q.add_argument("file", type=Path, help="a plain-text, CSV or TSV word list (UTF-8)")
    q.add_argument("--name", help="name to store it under (default: from the file name); the same name replaces the list")
    q.add_argument("--accent", choices=ACCENTS, help="English lists only: the accent this list teaches: us, gb or any "
                                                     "(default: the device's, saywell settings accent); practice and the "
                                                     "kiosk follow it")
    q.add_argument("--lang", type=_lang, metavar=lang_metavar(), help=_lang_help() + "; stored with the list")
    q.set_defaults(func=cmd_import)
    q = lsub.add_parser("show", help="the stored lists, or one list's words with their phones")
    q.add_argument("name", nargs="?", help="a stored list (default: list them all)")
    q.set_defaults(func=cmd_show)
    q = lsub.add_parser("export", help="write a stored list as CSV (importable again) or plain text")
    q.add_argument("name", help="a stored list's name (saywell lists show)")
    q.add_argument("--format", choices=("csv", "txt"), help="default: from the -o extension, else csv")
    q.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    q.set_defaults(func=cmd_export)
    q = lsub.add_parser("record", help="record how a stored list's word sounds, in the teacher's own voice: practice "
                                       "and the kiosk play it instead of espeak-ng's")
    q.add_argument("name", help="a stored list's name (saywell lists show)")
    q.add_argument("text", help="the word or phrase, as the list has it")
    q.add_argument("--wav", type=Path, help="take the recording from this WAV file instead of the microphone")
    q.add_argument("--remove", action="store_true", help="delete the word's recording (espeak-ng speaks it again)")
    q.add_argument("--device", help="microphone by index or (part of its) name; default: the system's default input")
    q.add_argument("--model", type=Path, help="the model that checks the recording against the list's phones "
                                              "(default: the shipped model of the list's language)")
    q.set_defaults(func=cmd_record, delegate=None, threads=1, accent=None, lang=None)


def _print_report(checked: Checked, file: Path) -> None:
    ne, nw = len(checked.errors), len(checked.warnings)
    print(f"{file}: {checked.fmt}, {language_name(checked.wordlist.lang)}, {len(checked.wordlist.entries)} usable entries, "
          f"{ne} error{'s' * (ne != 1)}, {nw} warning{'s' * (nw != 1)}")
    for p in checked.problems:
        print(f"  {p}")


def cmd_validate(args) -> int:
    checked, _ = check_files(read_list(args.file, lang=args.lang), args.file.parent)  # and the audio column's files
    _print_report(checked, args.file)
    if checked.errors:
        n = len(checked.errors)
        raise SaywellError(f"{args.file} has {n} error{'s' * (n > 1)}; fix the lines above and validate again")
    also = f" --lang {args.lang}" if args.lang else ""
    print(f"ok: import it with: saywell lists import {args.file}{also}")
    return 0


def cmd_import(args) -> int:
    name = check_name(args.name or default_name(args.file) or "")
    checked, recordings = check_files(read_list(args.file, name, lang=args.lang), args.file.parent)
    if args.accent and checked.wordlist.lang != "en":
        raise SaywellError(f"--accent applies to English lists only, but {args.file} is "
                           f"{language_name(checked.wordlist.lang)}; drop --accent")
    existed = stored_path(name).exists()
    if checked.problems:
        _print_report(checked, args.file)
    if checked.errors:
        n = len(checked.errors)
        kept = f"the stored list '{name}' is unchanged" if existed else "nothing was stored"
        raise SaywellError(f"{args.file} has {n} error{'s' * (n > 1)}: not imported, {kept}; fix the lines above and import again")
    wl = replace(checked.wordlist, accent=args.accent)
    store_list(wl)
    voiced = store_recordings(wl, recordings)  # the audio column's recordings, read by check_files
    guessed = sum(bool(e.guessed) for e in checked.wordlist.entries)
    note = f"; {guessed} with guessed phones: check them with saywell lists show {name}" if guessed else ""
    note += f"; {voiced} recorded in your voice" if voiced else ""
    accent = f" (accent: {args.accent})" if args.accent else ""
    if checked.wordlist.lang != "en":
        accent = f" ({language_name(checked.wordlist.lang)})"
    print(f"{'replaced' if existed else 'imported'} '{name}'{accent}: {len(checked.wordlist.entries)} entries{note}")
    return 0




def cmd_show(args) -> int:
    if not args.name:
        names = stored_names()
        if not names:
            print(f"no stored lists in {lists_dir()}; import one with: saywell lists import FILE")
            return 0
        print(f"{'name':<20} {'entries':>7} {'guessed':>7}  {'lang':<4} {'accent':<7} imported                  from")
        for n in names:
            i = stored_info(n)
            lang = i.get("lang", "en")
            accent = (i.get("accent") or "device") if lang == "en" else "-"
            print(f"{n:<20} {i['words']:>7} {i['guessed']:>7}  {lang:<4} {accent:<7} {i['imported_at']:<25} {i['origin']}")
        return 0
    from ..classroom.references import recorded

    wl = load_stored(args.name)
    said = f"accent: {wl.accent or 'the device setting'}" if wl.lang == "en" else f"language: {language_name(wl.lang)}"
    voiced = recorded(wl)
    also = f"; {len(voiced)} recorded in the teacher's voice" if voiced else ""
    print(f"{wl.name}: {len(wl.entries)} entries (imported from {wl.origin or '?'}; {said}{also})")
    width = max((len(e.text) for e in wl.entries), default=4)
    for i in range(0, len(wl.entries), SHOW_CHUNK):
        chunk = wl.entries[i:i + SHOW_CHUNK]
        for e, also in zip(chunk, alternates_of(chunk, wl.lang)):
            phones = " | ".join(" ".join(g) for g in e.phones or ())
            extra = "".join([f"  level {e.level}" if e.level else "", f"  hint: {e.hint}" if e.hint else "",
                             f"  tags: {';'.join(e.tags)}" if e.tags else "",
                             "  (teacher's recording)" if e.text in voiced else ""])
            print(f"  {e.text:<{width}}  /{phones}/  [{source_label(e)}]{extra}")
            if also:
                print(f"  {'':<{width}}  also accepted: {'; '.join(also)}  (give the phones in the list to accept only those)")
    return 0




def cmd_export(args) -> int:
    wl = load_stored(args.name)
    fmt = args.format or ("txt" if args.output and args.output.suffix.lower() == ".txt" else "csv")
    data = to_csv(wl) if fmt == "csv" else to_text(wl)
    if args.output is None:
        sys.stdout.write(data)
    else:
        write_atomically(args.output, data.encode("utf-8"))
        print(f"wrote {len(wl.entries)} entries of '{wl.name}' to {args.output} ({fmt})", file=sys.stderr)
    return 0


def cmd_record(args) -> int:
    """The teacher's recording of one entry; scored against the entry's phones, so a slip or a wrong phone in the
    list shows at once (the learner is judged by the phones, the recording is what they hear)."""
    from ..audio.wav import load_wav
    from ..classroom import references
    from ..classroom.settings import device_accent
    from ..engine.features import log_mel
    from ..engine.scoring import Scorer
    from .choose import load_model, scoring_accent

    wl = load_stored(args.name)
    if args.remove:
        if args.wav:
            raise SaywellError("--remove deletes a recording; drop --wav")
        text = references.find_entry(wl, args.text).text
        gone = references.remove(wl, text)
        print(f"removed the recording of {text!r} from '{wl.name}'" if gone else
              f"{text!r} in '{wl.name}' had no recording; nothing changed")
        return 0
    entry = references.find_entry(wl, args.text)
    text = entry.text
    if args.device is not None and args.wav:
        raise SaywellError("--device applies to the microphone; drop it with --wav")
    model = load_model(args, wl.lang, wl.name)
    scorer = Scorer(model, accent=scoring_accent(model, None, wl.accent, device_accent()))  # as practice judges the list
    prons = entry.pronunciations() or scorer.pronunciations(text)
    if args.wav:
        samples = references.trimmed(load_wav(args.wav).samples)  # silence refused before anything is scored
        result = scorer.score_posteriors(model.log_posteriors(log_mel(samples, model.frontend)), text, prons, samples)
    else:
        samples, result = _from_microphone(scorer, text, prons, args.device)
    path, seconds = references.save(wl, text, samples)
    print(f"recorded {text!r} for '{wl.name}' ({seconds:.1f} s): {path}")
    phones = " | ".join(" ".join(p.phones) for p in prons)
    if result.verdict == "correct":
        print(f"it scores {result.score:.0f} against the list's phones /{phones}/")
    else:
        wrong = [f"{ph.phone} (heard {ph.heard})" for w in result.words for ph in w.phones if not ph.ok]
        print(f"note: it scores {result.score:.0f} against the list's phones /{phones}/, below the line"
              + (f": {', '.join(wrong[:4])}" if wrong else "")
              + "; learners are judged by those phones: check them (saywell lists show), or record again")
    return 0


def _from_microphone(scorer, text, prons, device):
    from ..audio.sources import MicSource, native_messages_filtered
    from ..engine.listener import Listener

    try:
        mic = MicSource(device)
    except SaywellError as e:  # practice's advice (--input) is not this command's
        if not str(e).startswith("no audio input device found"):
            raise
        raise SaywellError(str(e).split("; ")[0] + "; plug in a microphone, or record from a file with --wav FILE.wav") from None
    with native_messages_filtered(), mic as source:
        source.start()
        print(f"say {text!r} now; recording stops when you stop speaking (Ctrl-C cancels: nothing is kept)")
        for ev in Listener(source, scorer).listen(text, prons):
            if ev.kind == "result":
                return ev.samples, ev.result
            if ev.kind == "warning":
                print(f"note: {ev.message}", file=sys.stderr)
    raise SaywellError("the microphone stopped before the word was heard; check it and record again")
