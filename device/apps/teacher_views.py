"""The teacher page's HTML: plain server-rendered pages, no script, every value through html.escape.

Charts are device/classroom/report.py's SVG, inlined. The style sheet is embedded here and served from one fixed
route: the server never reads a file named by a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import quote, urlencode

from ..classroom.progress import Attempt, SentenceTally, SessionInfo, Summary, sounds_to_practise
from ..classroom.report import Report, readable_time, to_svg
from ..classroom.wordlists import Checked, WordEntry, alternates_of, source_label
from ..engine.language import DEFAULT_LANGUAGE, LANGUAGES

CHECK_ENTRIES_SHOWN = 500  # the check page shows every problem, and the entries up to this

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#2c3e50;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center;flex-wrap:wrap}
header a,header button{color:#fff;background:none;border:0;font:inherit;cursor:pointer;text-decoration:underline}
header form{margin:0 0 0 auto}
main{padding:1em 1.2em;max-width:1100px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0;background:#fff}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right}
.error{color:#a00}.warning{color:#a60}.ok{color:#070}
.notice{padding:.6em 1em;border-left:4px solid #2c3e50;background:#fff;margin:1em 0}
.notice.bad{border-color:#a00}.notice.good{border-color:#070}
form.box{background:#fff;border:1px solid #ddd;padding:1em;display:inline-block}
label{display:block;margin:.4em 0}
svg{max-width:100%;height:auto;background:#fff;border:1px solid #ddd}
"""


ACCENT_NAMES = {"us": "American (us)", "gb": "British (gb)", "any": "either (any)"}
LANG_CHOICES = (("", "the list's lang column, else English"),
                *((code, f"{lang.name} ({code})") for code, lang in LANGUAGES.items()))


def installed_codes() -> set[str]:
    """The languages this device judges now (a list in another cannot be practised until it is installed)."""
    from ..classroom.language_packs import installed_dir
    from ..engine.language import installed

    return {lang.code for lang in installed(installed_dir())}


def lang_name(code: str | None) -> str:
    lang = LANGUAGES.get(code or DEFAULT_LANGUAGE)
    return f"{lang.name} ({lang.code})" if lang else str(code)
ACCENT_CHOICES = (("", "the list's or the device setting"), ("any", "either American or British"), ("us", "American English"),
                  ("gb", "British English"))


@dataclass(frozen=True)
class ListRow:
    name: str
    words: object
    guessed: object
    imported_at: str
    origin: str
    accent: str | None = None  # None: the device's setting
    lang: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Recordings:
    """The keep-audio setting and what is kept now."""

    keep_audio: bool
    limit_mb: int
    count: int
    size_bytes: int
    problem: str = ""  # the settings file is damaged


@dataclass(frozen=True)
class Page:
    """Where a page is shown: the CSRF token of its session (None: no session yet) and whether to offer log out."""

    csrf: str | None
    can_log_out: bool


@dataclass(frozen=True)
class Paging:
    """One page of a long table (`number` from 0) and links to its neighbours, other query values kept."""

    number: int
    size: int
    total: int
    path: str
    query: dict = field(default_factory=dict)
    param: str = "page"

    @property
    def start(self) -> int:
        return self.number * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def href(self, number: int) -> str:
        return self.path + "?" + urlencode({**self.query, self.param: number + 1})

    def nav(self) -> str:
        if self.pages == 1:
            return ""
        shown = f"{self.start + 1}-{min(self.start + self.size, self.total)} of {self.total}"
        prev = f'<a href="{e(self.href(self.number - 1))}" rel="prev">previous</a>' if self.number else "previous"
        nxt = (f'<a href="{e(self.href(self.number + 1))}" rel="next">next</a>' if self.number + 1 < self.pages
               else "next")
        return f'<p class="paging">{shown} (page {self.number + 1} of {self.pages}): {prev} | {nxt}</p>'


@dataclass(frozen=True)
class ClassView:
    """The overview's progress: the class's summary, a page of learners and a page of anonymous sessions."""

    overall: Summary
    learners: list  # (name, Summary)
    learner_paging: Paging
    sessions: list  # (SessionInfo, Summary)
    session_paging: Paging


@dataclass(frozen=True)
class PersonView:
    """A learner's or a session's page: its summary and a page of its attempts, newest first."""

    title: str
    summary: Summary
    attempts: list[Attempt]
    paging: Paging
    session: SessionInfo | None = None
    sentences: list[SentenceTally] = field(default_factory=list)  # phrases, word by word: which words are missed
    learner: str | None = None  # a learner's page (None: a session's): it offers the learner's accent setting
    accent: str | None = None  # the learner's own accent setting


def e(value) -> str:
    return escape(str(value), quote=True)


def _imported(stamp) -> str:
    """A stored list's import time (ISO 8601 with its UTC offset), shown local and readable."""
    try:
        return readable_time(datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%S%z").timestamp())
    except (OverflowError, ValueError):
        return str(stamp)


def layout(title: str, body: str, page: Page) -> str:
    out = ""
    if page.can_log_out and page.csrf:
        out = (f'<form method="post" action="/logout"><input type="hidden" name="csrf" value="{e(page.csrf)}">'
               '<button type="submit">Log out</button></form>')
    nav = ('<strong>saywell</strong><a href="/">Overview</a><a href="/#upload">Upload a word list</a>'
           f'<a href="/report.csv">Download the CSV report</a>{out}') if page.csrf else "<strong>saywell</strong>"
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{e(title)} - saywell</title><link rel="stylesheet" href="/style.css"></head>'
            f'<body><header>{nav}</header><main><h1>{e(title)}</h1>{body}</main></body></html>')


def message_page(title: str, message: str, page: Page, bad: bool = True) -> str:
    link = '<p><a href="/">Back to the overview</a></p>' if page.csrf else ""
    return layout(title, f'<p class="notice {"bad" if bad else "good"}">{e(message)}</p>{link}', page)


def login_page(csrf: str, message: str = "") -> str:
    """Its CSRF token belongs to a session that is not logged in yet: no links to the pages behind the login."""
    note = f'<p class="notice bad">{e(message)}</p>' if message else ""
    return layout("Teacher login", note +
                  '<form class="box" method="post" action="/login">'
                  f'<input type="hidden" name="csrf" value="{e(csrf)}">'
                  '<label>Teacher PIN <input type="password" name="pin" autocomplete="current-password" '
                  'autofocus required></label><button type="submit">Log in</button></form>', Page(None, False))


def _codes() -> str:
    """'<code>en</code>, <code>es</code> or <code>fr</code>': every language a list may be in."""
    codes = [f"<code>{code}</code>" for code in LANGUAGES]
    return " or ".join([", ".join(codes[:-1]), codes[-1]]) if len(codes) > 1 else codes[0]


def _upload_form(page: Page) -> str:
    return ('<h2 id="upload">Upload a word list</h2>'
            '<p>Plain text (one word or phrase per line) or CSV/TSV with a header row: <code>text</code>, optional '
            '<code>phones</code>, <code>hint</code>, <code>level</code>, <code>tags</code>, <code>lang</code> '
            f'({_codes()}). UTF-8. Phones are ARPAbet for English, '
            'IPA or X-SAMPA for another language. The list is '
            'checked first; nothing is imported until you confirm.</p>'
            '<form class="box" method="post" action="/lists/check" enctype="multipart/form-data">'
            f'<input type="hidden" name="csrf" value="{e(page.csrf)}">'
            '<label>File <input type="file" name="file" accept=".txt,.csv,.tsv,.tab,text/plain,text/csv" required></label>'
            '<label>Language <select name="lang">'
            + "".join(f'<option value="{v}">{e(label)}</option>' for v, label in LANG_CHOICES) + '</select></label>'
            '<label>Store as (optional name) <input type="text" name="name" maxlength="64" '
            'pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}" placeholder="from the file name"></label>'
            '<button type="submit">Check the list</button></form>')


def _sound_table(s: Summary) -> str:
    if not s.sounds:
        return "<p>No sounds scored yet.</p>"
    rows = "".join(f'<tr data-phone="{e(x.phone)}" data-lang="{e(x.lang)}"><td>{e(x.label)}</td><td class="num">{x.attempts}</td>'
                   f'<td class="num">{x.ok}</td><td class="num">{x.rate:.0%}</td><td class="num">{x.mean_score:.0f}</td></tr>'
                   for x in s.sounds)
    return ('<table class="sounds"><tr><th>sound</th><th>tries</th><th>right</th><th>% right</th>'
            f'<th>mean score</th></tr>{rows}</table>')


def _summary_line(s: Summary) -> str:
    if not s.attempts:
        return "No spoken attempts yet." + (f" {s.silent} without speech." if s.silent else "")
    return (f"{s.attempts} spoken attempts, {s.accuracy:.0%} right, mean score {s.mean_score:.0f}/100"
            + (f", {s.silent} without speech" if s.silent else "") + f"; last practice {readable_time(s.last_t)}.")


def _progress_row(first_cell: str, s: Summary, extra: str = "") -> str:
    return (f'<tr>{first_cell}{extra}<td class="num">{s.attempts}</td><td class="num">{s.accuracy:.0%}</td>'
            f'<td class="num">{s.mean_score:.0f}</td><td>{e(sounds_to_practise(s) or "-")}</td></tr>')


def _recordings_section(r: Recordings, page: Page) -> str:
    state = "on" if r.keep_audio else "off"
    body = ('<h2 id="recordings">Recordings</h2>'
            f'<p id="keep-audio-state">Keeping recordings is <strong>{state}</strong>.</p>'
            '<p>When it is on, practice and the kiosk keep the recording of each scored word on this device (at most '
            f'{r.limit_mb} MB; beyond that the oldest are deleted), and a learner\'s page plays them. Turning it off '
            'stops keeping new recordings; the recordings already kept stay until you delete them here.</p>')
    if r.problem:
        body += f'<p class="notice bad">{e(r.problem)}</p>'
    turn = "off" if r.keep_audio else "on"
    body += ('<form class="box" method="post" action="/settings/keep-audio">'
             f'<input type="hidden" name="csrf" value="{e(page.csrf)}">'
             f'<input type="hidden" name="keep_audio" value="{turn}">'
             f'<button type="submit" id="keep-audio">Turn keeping recordings {turn}</button></form>')
    body += f'<p>Kept now: {r.count} recording{"s" * (r.count != 1)}, {r.size_bytes / 1e6:.1f} MB.</p>'
    if r.count:
        body += ('<form class="box" method="post" action="/audio/delete">'
                 f'<input type="hidden" name="csrf" value="{e(page.csrf)}">'
                 '<label><input type="checkbox" name="confirm" value="yes" required> yes, delete them</label>'
                 '<button type="submit" id="delete-audio">Delete all kept recordings</button></form>')
    return body


def overview(lists: list[ListRow], progress: ClassView | None, progress_note: str, page: Page,
             recordings: Recordings | None = None) -> str:
    if lists:
        here = installed_codes()
        rows = "".join(f'<tr><td><a href="/list?name={quote(r.name, safe="")}">{e(r.name)}</a></td><td class="num">{e(r.words)}</td>'
                       f'<td class="num">{e(r.guessed)}</td><td class="lang">{e(lang_name(r.lang))}'
                       f'{"" if r.lang in here else f" <em>not installed: saywell languages add {e(r.lang)}</em>"}</td>'
                       f'<td>{e(ACCENT_NAMES.get(r.accent, "device setting") if r.lang == DEFAULT_LANGUAGE else "-")}</td>'
                       f'<td>{e(_imported(r.imported_at))}</td><td>{e(r.origin)}</td></tr>'
                       for r in lists)
        body = ('<h2>Word lists</h2><table class="lists"><tr><th>name</th><th>entries</th><th>guessed phones</th>'
                f'<th>language</th><th>accent</th><th>imported</th><th>from</th></tr>{rows}</table>')
    else:
        body = '<h2>Word lists</h2><p>No stored lists yet: upload one below (practice uses the built-in beginner list meanwhile).</p>'
    body += _upload_form(page)
    body += "<h2>Class progress</h2>"
    if progress is None:
        body += f'<p class="notice">{e(progress_note)}</p>'
    else:
        p = progress
        body += f"<p>{e(_summary_line(p.overall))}</p>" + to_svg(Report("class", (), p.overall))
        head = '<th>attempts</th><th>right</th><th>mean score</th><th>sounds to practise</th></tr>'
        if p.learners:
            rows = "".join(_progress_row(f'<td><a href="/learner?name={quote(n, safe="")}">{e(n)}</a></td>', s)
                           for n, s in p.learners)
            body += (f'<h2 id="learners">Learners</h2><table class="learners"><tr><th>learner</th>{head}{rows}</table>'
                     + p.learner_paging.nav())
        if p.sessions:
            rows = "".join(_progress_row(f'<td><a href="/session?id={x.id}">{e(readable_time(x.started))}</a></td>', s,
                                         f'<td>{e(x.list_name or "-")}</td>') for x, s in p.sessions)
            body += ('<h2 id="sessions">Anonymous sessions (the kiosk, or practice without a name), newest first</h2>'
                     f'<table class="sessions"><tr><th>started</th><th>list</th>{head}{rows}</table>'
                     + p.session_paging.nav())
        body += ('<h2>Sounds (whole class, by % right)</h2>' + _sound_table(p.overall)
                 + '<p><a href="/report.csv">Download the CSV report</a> (per learner, per sound, per day)</p>')
    if recordings is not None:
        body += _recordings_section(recordings, page)
    return layout("Teacher page", body, page)


def _marked_words(a: Attempt) -> str:
    """A phrase attempt's text with its missed words marked (red, struck through when left out)."""
    if not a.words:
        return e(a.word_text)
    return " ".join(f'<del class="error" title="left out">{e(w.word)}</del>' if w.error == "omitted"
                    else f'<span class="error" title="to work on">{e(w.word)}</span>' if w.missed else e(w.word)
                    for w in a.words)


def _sentence_section(sentences: list[SentenceTally]) -> str:
    """Which words of each phrase the learner misses: each word with 'missed k of n', red when mostly missed."""
    if not sentences:
        return ""
    rows = []
    for st in sentences:
        cells = []
        for w in st.words:
            cls = "error" if w.missed * 2 > w.attempts else "warning" if w.missed else "ok"
            left = f", left out {w.left_out}" if w.left_out else ""
            cells.append(f'<span class="{cls}">{e(w.word)}</span> <small>(missed {w.missed} of {w.attempts}{e(left)})</small>')
        rows.append(f'<tr><td>{" ".join(cells)}</td><td class="num">{st.attempts}</td></tr>')
    return ("<h2>Phrases: the words missed</h2>"
            '<table class="sentences"><tr><th>phrase, word by word</th><th>attempts</th></tr>' + "".join(rows) + "</table>")


def _attempt_row(a: Attempt) -> str:
    off = ", ".join(f"{a.sound(m.phone)} (heard {a.sound(m.heard)})" if m.heard and m.heard != "-"
                    else f"{a.sound(m.phone)} (left out)" if m.heard == "-" else a.sound(m.phone)
                    for m in a.phones if not m.ok)
    return (f'<tr class="attempt"><td>{e(readable_time(a.t))}</td><td>{_marked_words(a)}</td><td>/{e(a.expected_phones)}/</td>'
            f'<td class="num">{a.score:.0f}</td><td class="{"ok" if a.verdict == "correct" else "error"}">{e(a.verdict)}</td>'
            f'<td>{e(off or "-")}</td><td>{e(a.list_name or "-")}</td><td>{_player(a)}</td></tr>')


def _player(a: Attempt) -> str:
    if not a.audio_file or not a.id:
        return "-"
    return f'<audio controls preload="none" src="/attempt-audio?id={int(a.id)}"></audio>'


def _learner_accent_form(v: PersonView, page: Page) -> str:
    current = ACCENT_NAMES.get(v.accent, "their list's, else the device setting")
    options = "".join(f'<option value="{val}"{" selected" if (val or None) == v.accent else ""}>{e(label)}</option>'
                      for val, label in ACCENT_CHOICES)
    return (f'<p>Accent judged: <strong id="learner-accent">{e(current)}</strong>.</p>'
            '<form class="box" method="post" action="/learner/accent">'
            f'<input type="hidden" name="csrf" value="{e(page.csrf)}"><input type="hidden" name="name" value="{e(v.learner)}">'
            f'<label>Accent for this learner <select name="accent">{options}</select></label> '
            '<button type="submit" id="set-learner-accent">Set</button></form>')


def person_page(v: PersonView, page: Page, csv_link: str | None = None) -> str:
    """A learner's page, or an anonymous session's."""
    body = ""
    if v.session is not None:
        ended = f", ended {readable_time(v.session.ended)}" if v.session.ended else ""
        body += f"<p>Started {e(readable_time(v.session.started))}{e(ended)}; list {e(v.session.list_name or '-')}.</p>"
    body += f"<p>{e(_summary_line(v.summary))}</p>"
    if csv_link:
        body += f'<p><a href="{e(csv_link)}">Download this learner\'s CSV</a></p>'
    if v.learner is not None:
        body += _learner_accent_form(v, page)
    body += (to_svg(Report(v.title, (), v.summary)) + "<h2>Sounds, by % right</h2>" + _sound_table(v.summary)
             + _sentence_section(v.sentences) + "<h2>Attempts, newest first</h2>")
    if v.attempts:
        body += ('<table class="attempts"><tr><th>when</th><th>word</th><th>expected</th><th>score</th><th>verdict</th>'
                 '<th>sounds off</th><th>list</th><th>recording</th></tr>' + "".join(_attempt_row(a) for a in v.attempts)
                 + "</table>" + v.paging.nav())
    else:
        body += "<p>No attempts yet.</p>"
    return layout(v.title, body, page)


def _phones(x: WordEntry) -> str:
    return " | ".join(" ".join(g) for g in x.phones or ())


def _also(alternates: list[str]) -> str:
    return f"<br><small>also accepted: {e('; '.join(alternates))}</small>" if alternates else ""


def entries_table(entries, alternates: list[list[str]] | None = None, lang: str = DEFAULT_LANGUAGE,
                  voice: tuple[str, set[str], str] | None = None) -> str:
    """`alternates`: wordlists.alternates_of(entries, lang), looked up together (one at a time is slow for a big list).
    `voice`: (stored list name, texts with a teacher's recording, the page's CSRF token): a column to hear and remove them."""
    alternates = alternates_of(entries, lang) if alternates is None else alternates

    def recording(x) -> str:
        if voice is None:
            return ""
        name, voiced, csrf = voice
        if x.text not in voiced:
            return "<td></td>"
        src = "/list-voice?" + urlencode({"name": name, "text": x.text})
        return (f'<td class="voice"><audio controls preload="none" src="{e(src)}"></audio>'
                '<form method="post" action="/list-voice/delete" class="inline">'
                f'<input type="hidden" name="csrf" value="{e(csrf)}"><input type="hidden" name="name" value="{e(name)}">'
                f'<input type="hidden" name="text" value="{e(x.text)}"><button>remove</button></form></td>')

    rows = "".join(f'<tr><td class="num">{x.line}</td><td>{e(x.text)}</td><td>/{e(_phones(x))}/{_also(alt)}</td>'
                   f'<td class="{"warning" if x.guessed else ""}">{e(source_label(x))}</td><td>{e(x.hint)}</td>'
                   f'<td>{e(x.level or "")}</td><td>{e(";".join(x.tags))}</td>{recording(x)}</tr>'
                   for x, alt in zip(entries, alternates))
    return ('<table class="entries"><tr><th>line</th><th>text</th><th>phones</th><th>from</th><th>hint</th>'
            f'<th>level</th><th>tags</th>{"<th>your voice</th>" if voice else ""}</tr>{rows}</table>')


def check_page(filename: str, name: str, checked: Checked, replaces: bool, upload_token: str | None, page: Page) -> str:
    ne, nw, n = len(checked.errors), len(checked.warnings), len(checked.wordlist.entries)
    lang = checked.wordlist.lang
    body = (f"<p>{e(filename)}: {e(checked.fmt)}, {n} usable entr{'y' if n == 1 else 'ies'}, "
            f"{ne} error{'s' * (ne != 1)}, {nw} warning{'s' * (nw != 1)}; "
            f'language: <strong id="list-lang">{e(lang_name(lang))}</strong>.</p>')
    if checked.problems:
        rows = "".join(f'<tr class="problem {"error" if p.error else "warning"}"><td class="num">{p.line or "file"}</td>'
                       f'<td>{"error" if p.error else "warning"}</td><td>{e(p.message)}</td></tr>' for p in checked.problems)
        body += f'<h2>Problems</h2><table class="problems"><tr><th>line</th><th>kind</th><th>problem</th></tr>{rows}</table>'
    if ne:
        body += (f'<p class="notice bad" id="verdict">Not importable: fix the {ne} error{"s" * (ne != 1)} above in the file '
                 f'and upload it again. Nothing was stored{"; the list " + e(repr(name)) + " is unchanged" if replaces else ""}.</p>')
    else:
        what = f"replace the stored list {e(repr(name))}" if replaces else f"store it as {e(repr(name))}"
        body += (f'<p class="notice good" id="verdict">No errors. Importing will {what}.</p>'
                 '<form method="post" action="/lists/import">'
                 f'<input type="hidden" name="csrf" value="{e(page.csrf)}">'
                 f'<input type="hidden" name="upload" value="{e(upload_token)}">'
                 + ('<label>Accent this list teaches <select name="accent">'
                    + "".join(f'<option value="{v}">{e(label)}</option>' for v, label in ACCENT_CHOICES) + '</select></label> '
                    if lang == DEFAULT_LANGUAGE else "")  # other languages: judged alike for every region
                 + f'<button type="submit" id="import">Import {e(repr(name))}</button></form>')
    if checked.wordlist.entries:
        shown = checked.wordlist.entries[:CHECK_ENTRIES_SHOWN]
        more = (f"<p>The first {len(shown)} of {n} entries; the list's page shows them all once it is imported.</p>"
                if len(shown) < n else "")
        body += "<h2>Entries with their pronunciations</h2>" + more + entries_table(shown, lang=lang)
    return layout(f"Checking {filename}", body, page)


def list_page(name: str, entries, alternates: list[list[str]], info: dict, paging: Paging, page: Page,
              voiced: set[str] = frozenset()) -> str:
    """One page of a stored list's entries, with the teacher's recordings (`voiced`: the texts that have one)."""
    record = ('<form method="post" action="/list-voice" enctype="multipart/form-data" id="record-voice">'
              f'<input type="hidden" name="csrf" value="{e(page.csrf)}"><input type="hidden" name="name" value="{e(name)}">'
              '<label>Say a word in your own voice: word <input name="text" required></label> '
              '<label>recording (WAV) <input type="file" name="file" accept=".wav,audio/wav" required></label> '
              '<button>Keep the recording</button></form>'
              f"<p>{len(voiced)} of the {len(entries)} entries on this page have your recording: practice and the kiosk "
              "play it instead of espeak-ng; learners are still judged by the phones.</p>")
    body = (f"<p>{paging.total} entries, imported {e(_imported(info.get('imported_at', '?')))} from "
            f"{e(info.get('origin') or '?')}; "
            f'language: <strong id="list-lang">{e(lang_name(info.get("lang")))}</strong>'
            + (f"; accent: {e(ACCENT_NAMES.get(info.get('accent'), 'the device setting'))}" if info.get("lang", DEFAULT_LANGUAGE) == DEFAULT_LANGUAGE else "")
            + ".</p>" + record + paging.nav()
            + entries_table(entries, alternates, info.get("lang", DEFAULT_LANGUAGE), (name, voiced, page.csrf)) + paging.nav())
    return layout(f"Word list {name}", body, page)
