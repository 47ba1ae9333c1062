"""`saywell report`: what learners got right and wrong, for the teacher.

Text on the terminal; `--csv` one tidy table a spreadsheet can filter (kind = summary | sound | day), with
every text cell that a spreadsheet would run as a formula quoted; `--svg` a picture of every sound with a mistake
and of progress over time, written by hand: no plotting library on the device. Counted by SQLite
(ProgressStore.summaries), so a year of attempts is never in memory at once. Sounds are shown as people read them
in the language they were practised in ("/æ/ as in cat", "/ɾ/ as in pero": engine/language.sound_label), always in
one order: % right, lowest first.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from html import escape

from .progress import ProgressStore, Summary, sounds_to_practise
from .wordlists import spreadsheet_safe

ANONYMOUS = "(anonymous)"
CLASS = "(class)"
CSV_COLUMNS = ("kind", "learner", "item", "attempts", "right", "accuracy_pct", "mean_score", "phone")


@dataclass(frozen=True)
class Section:
    who: str
    summary: Summary


@dataclass(frozen=True)
class Report:
    title: str
    sections: tuple[Section, ...]  # one per learner
    overall: Summary  # the class as a whole, or the one learner


def class_report(store: ProgressStore) -> Report:
    """Per learner (anonymous sessions together), plus the whole class: counted by SQLite, not in memory."""
    names = {lr.id: lr.name for lr in store.learners()}
    by = {names.get(k, ANONYMOUS) if k is not None else ANONYMOUS: v for k, v in store.summaries("learner").items()}
    sections = tuple(Section(w, by[w]) for w in sorted(by, key=lambda w: (w == ANONYMOUS, w.lower())))
    return Report("class", sections, store.summary())


def learner_report(store: ProgressStore, learner) -> Report:
    return Report(learner.name, (), store.summary(learner))


def readable_day(day: str) -> str:
    """'2025-03-05' -> '5 Mar 2025'."""
    return time.strftime("%-d %b %Y", time.strptime(day, "%Y-%m-%d"))


def readable_time(t: float, now: float | None = None) -> str:
    """Local time as a teacher reads it: 'today 14:05', 'yesterday 09:12', 'Mon 3 Mar 14:05', '3 Mar 2024 14:05'."""
    lt, today = time.localtime(t), time.localtime(time.time() if now is None else now)
    days_ago = (time.mktime((*today[:3], 0, 0, 0, 0, 0, -1)) - time.mktime((*lt[:3], 0, 0, 0, 0, 0, -1))) / 86400
    if 0 <= days_ago < 0.5:
        return time.strftime("today %H:%M", lt)
    if 0.5 <= days_ago < 1.5:
        return time.strftime("yesterday %H:%M", lt)
    return time.strftime("%a %-d %b %H:%M" if lt.tm_year == today.tm_year else "%-d %b %Y %H:%M", lt)


def day_range(s: Summary, fmt: str = "%-d %b %Y", sep: str = " to ") -> str:
    """The days practised, readable: '3 Mar 2025' or '3 Mar 2025 to 5 Mar 2025' (the CSV: ISO dates, '..')."""
    if s.first_t is None:
        return ""
    a, b = (time.strftime(fmt, time.localtime(t)) for t in (s.first_t, s.last_t))
    return a if a == b else f"{a}{sep}{b}"


def _rows(who: str, s: Summary) -> list[list]:
    """The CSV keeps ISO dates (a spreadsheet sorts them) and names each sound both ways."""
    rows = [["summary", who, day_range(s, "%Y-%m-%d", ".."), s.attempts, s.correct, round(100 * s.accuracy, 1), round(s.mean_score, 1), ""]]
    rows += [["sound", who, x.label, x.attempts, x.ok, round(100 * x.rate, 1), round(x.mean_score, 1), x.phone]
             for x in s.sounds]
    rows += [["day", who, d.day, d.attempts, d.correct, round(100 * d.accuracy, 1), round(d.mean_score, 1), ""] for d in s.days]
    return rows


def to_csv(report: Report, whole_class: bool) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    rows = [r for sec in report.sections for r in _rows(sec.who, sec.summary)]
    if whole_class or not report.sections:
        rows += _rows(CLASS if whole_class else report.title, report.overall)
    for r in rows:
        w.writerow([spreadsheet_safe(c) if isinstance(c, str) else c for c in r])
    return buf.getvalue()


def chart_sounds(s: Summary, fill_to: int = 10) -> list:
    """What the chart shows: every sound with a mistake, by % right, then sounds always right up to `fill_to`."""
    missed = [x for x in s.sounds if x.ok < x.attempts]
    return missed + [x for x in s.sounds if x.ok == x.attempts][:max(0, fill_to - len(missed))]


def _colour(rate: float) -> str:
    return "#c0392b" if rate < 0.5 else "#e67e22" if rate < 0.8 else "#27ae60"


def to_svg(report: Report, max_sounds: int = 10) -> str:
    """Left: every sound with a mistake and its % right, weakest first; right: % of words right per day."""
    s = report.overall
    sounds = chart_sounds(s, max_sounds)
    bar_h, top, bar_x = 22, 80, 150
    height = max(top + bar_h * max(len(sounds), 1) + 40, 320)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="{height}" viewBox="0 0 800 {height}" '
           'font-family="sans-serif" font-size="13">',
           f'<title>saywell progress: {escape(report.title)}</title>',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="20" y="28" font-size="18" font-weight="bold">saywell progress: {escape(report.title)}</text>',
           f'<text x="20" y="50" fill="#555">{s.attempts} attempts, {s.accuracy:.0%} right, mean score '
           f'{s.mean_score:.0f}/100{escape(", " + day_range(s)) if s.first_t else ""}</text>',
           f'<text x="20" y="{top - 10}" font-weight="bold">Sounds by % right, weakest first</text>']
    for i, x in enumerate(sounds):
        y = top + i * bar_h
        w = max(1.0, 150 * x.rate)
        out.append(f'<g class="sound" data-phone="{escape(x.phone)}" data-lang="{escape(x.lang)}"><text x="20" y="{y + 15}">{escape(x.label)}</text>'
                   f'<rect x="{bar_x}" y="{y + 3}" width="150" height="{bar_h - 6}" fill="#eee"/>'
                   f'<rect x="{bar_x}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" fill="{_colour(x.rate)}"/>'
                   f'<text x="{bar_x + 158}" y="{y + 15}">{x.rate:.0%} of {x.attempts}</text></g>')
    if not sounds:
        out.append(f'<text x="20" y="{top + 15}" fill="#555">no sounds scored yet</text>')
    # progress over time: one point per day practised, evenly spaced
    x0, x1, y0, y1 = 460, 780, top, top + 200
    out.append(f'<text x="{x0}" y="{top - 10}" font-weight="bold">Words right per day (%)</text>')
    for pct in (0, 50, 100):
        y = y1 - (y1 - y0) * pct / 100
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{pct}</text>')
    days = s.days
    if days:
        step = (x1 - x0) / max(len(days) - 1, 1)
        pts = [(x0 + i * step if len(days) > 1 else (x0 + x1) / 2, y1 - (y1 - y0) * d.accuracy) for i, d in enumerate(days)]
        if len(pts) > 1:
            out.append('<polyline fill="none" stroke="#2c3e50" stroke-width="2" points="'
                       + " ".join(f"{px:.1f},{py:.1f}" for px, py in pts) + '"/>')
        for (px, py), d in zip(pts, days):
            out.append(f'<circle class="day" data-day="{d.day}" cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#2c3e50">'
                       f'<title>{readable_day(d.day)}: {d.correct}/{d.attempts} right</title></circle>')
        out.append(f'<text x="{x0}" y="{y1 + 20}" fill="#555">{readable_day(days[0].day)}</text>')
        if len(days) > 1:
            out.append(f'<text x="{x1}" y="{y1 + 20}" text-anchor="end" fill="#555">{readable_day(days[-1].day)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_text(report: Report, whole_class: bool) -> str:
    lines = []
    if whole_class:
        lines.append(f"saywell report: {len(report.sections)} learner(s), {report.overall.attempts} spoken attempts")
        lines.append(f"  {'learner':<20} {'attempts':>8} {'right':>6} {'score':>6}  sounds to practise")
        for sec in list(report.sections) + [Section(CLASS, report.overall)]:
            s = sec.summary
            lines.append(f"  {sec.who:<20} {s.attempts:>8} {s.accuracy:>6.0%} {s.mean_score:>6.0f}  {sounds_to_practise(s)}")
    else:
        s = report.overall
        lines.append(f"saywell report: {report.title}: {s.attempts} spoken attempts, {s.accuracy:.0%} right, "
                     f"mean score {s.mean_score:.0f}/100 ({day_range(s)})")
        lines.append(f"  sounds to practise: {sounds_to_practise(s) or 'none yet'}")
        for d in s.days:
            lines.append(f"  {readable_day(d.day)}: {d.attempts:>4} attempts, {d.accuracy:>4.0%} right, mean score {d.mean_score:.0f}")
    return "\n".join(lines) + "\n"
