"""`saywell report`: a learner's or the class's progress as text, CSV and SVG (classroom/report.py)."""

from __future__ import annotations

from pathlib import Path

from ..classroom.home import write_atomically
from ..classroom.progress import ProgressStore
from ..classroom.report import class_report, learner_report, to_csv, to_svg, to_text
from ..errors import SaywellError


def register(sub) -> None:
    p = sub.add_parser("report", help="learners' progress: per learner or the class, as text, CSV and SVG")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--learner", metavar="NAME_OR_CODE", help="one learner")
    g.add_argument("--class", dest="whole_class", action="store_true", help="every learner and the class (the default)")
    p.add_argument("--csv", type=Path, metavar="FILE", help="write a table for a spreadsheet (kind: summary, sound, day)")
    p.add_argument("--svg", type=Path, metavar="FILE", help="write a picture: weakest sounds and progress over time")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    with ProgressStore.default(create=False) as store:
        if args.learner:
            learner = store.find_learner(args.learner)
            if learner is None:
                known = ", ".join(x.name for x in store.learners()) or "none yet"
                raise SaywellError(f"no learner named {args.learner!r} (learners: {known}); "
                                   "names are recorded by saywell practice --learner NAME")
            report = learner_report(store, learner)
        else:
            report = class_report(store)
    if not report.overall.attempts:
        who = f"learner {report.title!r}" if args.learner else "this device"
        raise SaywellError(f"no spoken attempts recorded for {who} yet; practise first with saywell practice")
    whole_class = not args.learner
    print(to_text(report, whole_class), end="")
    if args.csv:
        write_atomically(args.csv, to_csv(report, whole_class).encode("utf-8"))
        print(f"wrote {args.csv}")
    if args.svg:
        write_atomically(args.svg, to_svg(report).encode("utf-8"))
        print(f"wrote {args.svg}")
    return 0
