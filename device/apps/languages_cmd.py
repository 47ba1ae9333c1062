"""`saywell languages`: which languages this device judges, and installing or removing one
(classroom/language_packs.py)."""

from __future__ import annotations

from pathlib import Path

from ..classroom import language_packs as packs


def register(sub) -> None:
    p = sub.add_parser("languages", help="the languages this device judges; add or remove one (English always)",
                       description="Without arguments: every language saywell knows, whether it is installed here, and "
                                   "whether models/ has it. add CODE...: install languages (their model, about 0.25 MB "
                                   "each) from models/ of this checkout, or from --from DIR (a USB stick, another "
                                   "checkout). remove CODE...: uninstall; word lists and progress are kept.")
    p.add_argument("action", nargs="?", choices=("add", "remove"), help="add or remove")
    p.add_argument("codes", nargs="*", metavar="CODE", help="language codes, e.g. es fr")
    p.add_argument("--from", dest="source", type=Path, metavar="DIR",
                   help="with add: the folder holding saywell-CODE.tflite and its .json (default: models/)")
    p.set_defaults(func=cmd_languages)


def cmd_languages(args) -> int:
    from ..engine.language import language
    from ..errors import SaywellError

    if args.action is None:
        if args.codes or args.source:
            raise SaywellError("say what to do first: saywell languages add es (or remove es)")
        for row in packs.states(args.source):
            where = (f"installed ({row.installed})" if row.installed else
                     "not installed" + (f"; saywell languages add {row.language.code}" if row.available else
                                        "; no model in models/"))
            print(f"{row.language.code}  {row.language.name:<8} {row.size_bytes / 1e6:4.2f} MB  {where}")
        return 0
    if not args.codes:
        raise SaywellError(f"name the language(s) to {args.action}, e.g. saywell languages {args.action} es")
    if args.action == "remove" and args.source:
        raise SaywellError("--from goes with add only")
    codes = [language(c).code for c in args.codes]  # every code checked before any is changed
    if args.action == "add":
        for code in codes:  # each checked, then copied: one bad model stops before its own files
            path, copied = packs.add(code, args.source)
            print(f"{language(code).name} installed: {path}" if copied else f"{language(code).name} is installed ({path})")
    else:
        for code in codes:
            packs.remove(code)
            print(f"{language(code).name} removed; its word lists and progress are kept")
    return 0
