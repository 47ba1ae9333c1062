"""The teacher page (`saywell serve`, device/apps/serve.py): a small web server in the standard library (http.server).

It lets a teacher upload a word list and see its check (every problem by line, guessed pronunciations) before
importing it (all or nothing, through device/classroom/wordlists.py), see each learner's and each sound's progress
with device/classroom/report.py's charts, a learner's recent attempts, and download report.py's formula-safe CSV.

Security, because a classroom LAN is not a trusted network:
- Binds 127.0.0.1 by default, and then answers only to Host: 127.0.0.1/localhost:PORT, so a web page that
  rebinds its own DNS name to 127.0.0.1 cannot read or drive it. Any other address needs a teacher PIN
  (device/apps/teacher_auth.py) and every page then needs a login.
- Every POST needs the session's CSRF token, a same-origin Origin (when sent) and a session cookie that is
  HttpOnly and SameSite=Strict; otherwise 403 before anything changes.
- Request bodies: Content-Length required and checked before reading (413 beyond the limit), then exactly
  that many bytes are read. Malformed forms and encodings are a 400 with one line saying what is wrong.
- Routes are a fixed table; no file is ever served from a path taken from a request (the style sheet is
  embedded), list names are checked by wordlists.check_name before they touch the file system, and every
  value in a page goes through html.escape. A kept recording is served only for an attempt id (digits, an
  integer) that the progress store links to one; its file name is made from that integer.
- Cross-origin: every response says Cross-Origin-Resource-Policy: same-origin, and a GET of anything but the
  style sheet and the login form is refused (403, before the store is read) unless Sec-Fetch-Site is
  same-origin or none (or absent: older browsers): a page from another origin (another port of 127.0.0.1
  included) can neither play a recording nor tell a missing id from a kept one.

Bounded work, so a Pi running the kiosk beside the page stays up under load: WORKERS threads answer requests,
at most QUEUE_MAX connections wait for one (beyond that a quick 503), the listen backlog is LISTEN_BACKLOG.
Pages read only what they show: summaries are counted by SQLite (classroom/progress.py), long tables come a
page at a time. List checks (espeak-ng) of big uploads run at most CHECKS_AT_ONCE at a time; a small list never
waits for a big one.
"""

from __future__ import annotations

import ipaddress
import math
import queue
import re
import secrets
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import TCPServer
from pathlib import PurePosixPath
from urllib.parse import parse_qs, quote, urlsplit

from . import teacher_views as views
from .http_forms import FormPart, HttpError, parse_multipart, parse_urlencoded, upload_name
from ..errors import SaywellError
from .teacher_auth import DEFAULT_HOST, DEFAULT_PORT
from .teacher_auth import SESSION_MAX_S, Auth, Session, csrf_ok, load_pin

MAX_UPLOAD_BYTES = 256 * 1024
MAX_FORM_BYTES = 8 * 1024  # login, logout, import: a few short fields
MAX_VOICE_BYTES = 8 * 1024 * 1024  # a teacher's recording of one word: 30 s of 48 kHz stereo is under 6 MB
DRAIN_BYTES = 1024 * 1024  # an oversized body up to this is read and dropped, so the browser shows the 413 page
LIST_SUFFIXES = (".txt", ".csv", ".tsv", ".tab")
PENDING_MAX, PENDING_TTL_S = 50, 30 * 60
CHECK_WAIT_S = 60.0
CHECKS_AT_ONCE, SMALL_LIST_BYTES = 2, 16 * 1024  # big list checks at once; smaller uploads never wait
ID_RE = re.compile(r"[1-9][0-9]{0,17}")  # an attempt or session id as a link gives it: an integer, nothing else
LENGTH_RE = re.compile(r"[0-9]{1,12}")  # Content-Length: ASCII digits only ('²'.isdigit() is True)
SOCKET_TIMEOUT_S = 10.0  # a client that stops sending mid-request is dropped
KEEPALIVE_S = 2.0  # an idle kept-alive connection holds a worker this long at most
WORKERS, QUEUE_MAX, LISTEN_BACKLOG = 8, 256, 128
VIEWS_KEPT = 16  # overview pages kept until the next attempt
LEARNERS_PER_PAGE, SESSIONS_PER_PAGE, ATTEMPTS_PER_PAGE, ENTRIES_PER_PAGE = 50, 20, 30, 500
SENTENCES_SHOWN = 30  # phrases on a learner's page, most recently practised first
SAFE_FETCH_SITES = ("same-origin", "none")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send Origin: null
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


@dataclass(frozen=True)
class Pending:
    """An upload that was checked and may be imported by the same session."""

    session_id: str
    name: str
    filename: str
    raw: bytes
    created: float
    lang: str | None = None  # the language chosen in the upload form (None: the list's lang column, else English)


@dataclass
class PageState:
    """Server-wide state shared by the handler threads."""

    auth: Auth
    host: str
    port: int = 0
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    quiet: bool = False
    pending: dict[str, Pending] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    check_slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(CHECKS_AT_ONCE))
    list_info: dict = field(default_factory=dict)  # name -> ((mtime_ns, size), stored_info): read once per version
    last_list: tuple | None = None  # ((name, mtime_ns, size), WordList): the last list viewed
    tallies: tuple | None = None  # the overview's counts: (store file, last attempt id, attempts, tallies, summaries)
    views: dict = field(default_factory=dict)  # (learners page, sessions page) -> (store version, ClassView)

    @property
    def local_only(self) -> bool:
        return is_loopback(self.host)

    @property
    def cookie_name(self) -> str:
        return f"saywell_{self.port}"  # cookies ignore ports: two servers on one device must not clash

    def allowed_hosts(self) -> set[str]:
        names = {"127.0.0.1", "localhost", "[::1]", self.host.lower() if ":" not in self.host else f"[{self.host.lower()}]"}
        return {f"{n}:{self.port}" for n in names} | (names if self.port == 80 else set())


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def _recordings() -> views.Recordings:
    from ..classroom.audio_keep import usage
    from ..classroom.settings import Settings, load_settings

    problem = ""
    try:
        s = load_settings()
    except SaywellError as err:
        s, problem = Settings(), f"{err} Until then no recordings are kept."
    count, size = usage()
    return views.Recordings(s.keep_audio, s.audio_limit_mb, count, size, problem)


def _page_arg(query: dict, key: str) -> int:
    """A 1-based page number from the address, as a 0-based index; anything else is the first page."""
    raw = query.get(key, "1")
    return int(raw) - 1 if ID_RE.fullmatch(raw) and len(raw) < 7 else 0


def _paging(number: int, size: int, total: int, path: str, query: dict, param: str) -> views.Paging:
    pages = max(1, math.ceil(total / size))
    return views.Paging(min(number, pages - 1), size, total, path, query, param)


def _fetch_page(fetch, number: int, size: int):
    """fetch(limit, offset) -> (rows, total) for page `number`, or for the last page when there are fewer."""
    rows, total = fetch(size, number * size)
    last = max(0, math.ceil(total / size) - 1)
    if number > last:
        number = last
        rows, total = fetch(size, number * size)
    return rows, total, number


def _class_view(store, overall, by_learner: dict, learners_page: int, sessions_page: int,
                query: dict) -> views.ClassView | str:
    """The overview's progress: the class's summary, one page of learners and one of anonymous sessions.
    `overall`, `by_learner`: Summaries the handler keeps up to date."""
    from ..classroom.progress import Summary, Tally

    if not overall.attempts and not overall.silent:
        return "No practice recorded yet."
    learners, n_learners, lp = _fetch_page(store.learner_page, learners_page, LEARNERS_PER_PAGE)
    sessions, n_sessions, sp = _fetch_page(store.anonymous_sessions, sessions_page, SESSIONS_PER_PAGE)
    by_session = store.tallies("session", keys=[x.id for x in sessions], days=False)
    return views.ClassView(
        overall,
        [(lr.name, by_learner.get(lr.id) or Summary(0, 0, 0.0)) for lr in learners],
        _paging(lp, LEARNERS_PER_PAGE, n_learners, "/", query, "learners"),
        [(x, by_session.get(x.id, Tally()).summary()) for x in sessions],
        _paging(sp, SESSIONS_PER_PAGE, n_sessions, "/", query, "sessions"))


def _person_view(store, title: str, query: dict, path: str, keep: dict, learner=None, session_id=None,
                 info=None) -> views.PersonView:
    """A learner's or a session's summary and one page of its attempts, newest first (`keep`: the address's
    values its paging links keep)."""
    total = store.count_attempts(learner, session_id)
    paging = _paging(_page_arg(query, "page"), ATTEMPTS_PER_PAGE, total, path, keep, "page")
    attempts = store.attempts(learner, session_id, newest_first=True, limit=paging.size, offset=paging.start)
    return views.PersonView(title, store.summary(learner, session_id), attempts, paging, info,
                            store.missed_words(learner, session_id, limit=SENTENCES_SHOWN))


def _accent_field(fields: dict, unset: str) -> str | None:
    """A form's accent choice: us, gb or any, or None (empty: the next level's setting applies)."""
    from ..engine.accent import ACCENTS

    accent = fields.get("accent") or None
    if accent not in (None, *ACCENTS):
        raise HttpError(400, f"accent {accent!r}: choose us, gb or any (or {unset})")
    return accent


def _lang_field(fields: dict) -> str | None:
    """The upload form's language: a code of LANGUAGES (en, es, fr, it, de), or None (empty: the list's lang column, else English)."""
    from ..engine.language import LANGUAGES

    value = fields.get("lang")
    value = (value.data.decode("utf-8", "replace") if isinstance(value, FormPart) else value or "").strip().lower()
    if value and value not in LANGUAGES:
        raise HttpError(400, f"language {value[:20]!r}: choose {' or '.join(sorted(LANGUAGES))} (or leave it to the list)")
    return value or None


# ---- the handler ------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = "saywell"
    sys_version = ""
    timeout = SOCKET_TIMEOUT_S
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: Nagle would hold the body for the ACK (40 ms)

    def version_string(self) -> str:
        return "saywell"  # no Python version for a scanner to match

    @property
    def state(self) -> PageState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, fmt, *args):
        if not self.state.quiet:
            sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} teacher_page {self.client_address[0]} {fmt % args}\n")

    def log_error(self, fmt, *args) -> None:
        if not fmt.startswith("Request timed out"):  # an idle kept-alive connection closing is no error
            self.log_message(fmt, *args)

    def handle(self) -> None:
        """Requests on one connection; an idle kept-alive one holds its worker KEEPALIVE_S at most."""
        self.handle_one_request()
        while not self.close_connection:
            self.connection.settimeout(KEEPALIVE_S)
            self.handle_one_request()

    def parse_request(self) -> bool:
        self.connection.settimeout(self.timeout)  # the request line is in: the rest gets the full timeout
        return super().parse_request()

    # ---- responses ----

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
        if self.server.busy():  # type: ignore[attr-defined]
            self.close_connection = True  # others wait for a worker: no keep-alive now
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in SECURITY_HEADERS.items():
            self.send_header(k, v)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, headers too long, an unknown method): one line, with
        the headers of every other response, and a status line even to what did not look like HTTP/1.x."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self._html(code, views.message_page(phrase, f"{message or phrase}; this page speaks HTTP/1.1 to browsers",
                                            views.Page(None, False)))

    def _html(self, status: int, html: str, headers: dict | None = None) -> None:
        self._send(status, html.encode("utf-8"), headers=headers)

    def _redirect(self, where: str, headers: dict | None = None) -> None:
        self._send(303, b"", "text/plain; charset=utf-8", {"Location": where, **(headers or {})})

    def _cookie(self, s: Session) -> dict[str, str]:
        return {"Set-Cookie": f"{self.state.cookie_name}={s.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={int(SESSION_MAX_S)}"}

    def _page(self, session: Session | None) -> views.Page:
        ok = session is not None and session.authenticated
        return views.Page(session.csrf if ok else None, ok and self.state.auth.login_required)

    # ---- request plumbing ----

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self._new_cookie: dict[str, str] = {}
        session = None
        try:
            self._check_host()
            url = urlsplit(self.path)
            try:
                query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True, max_num_fields=10).items()}
            except ValueError:
                raise HttpError(400, "too many parameters in the address; start from the overview") from None
            route = ROUTES.get((("GET" if method == "HEAD" else method), url.path))
            if route is None:
                if any(url.path == path for _, path in ROUTES):
                    raise HttpError(405, f"{method} is not allowed here", {"Allow": "GET, POST"})
                raise HttpError(404, f"no page at {url.path[:200]}; start from the overview")
            fn, public = route
            if method == "POST":
                self._check_same_origin()
            elif not public:
                self._check_fetch_site()
            session = self._session()
            if not public and not (session and session.authenticated):
                if method == "POST":
                    self.close_connection = True  # its body is not read
                    raise HttpError(403, "not logged in (or the session expired); log in and try again")
                self._redirect("/login", self._new_cookie)
                return
            fn(self, session, query)
        except HttpError as err:
            if method == "POST":
                self.close_connection = True  # the body may be unread: never parse it as the next request
            self._html(err.status, views.message_page(HTTPStatus(err.status).phrase, err.message, self._page(session)),
                       {**err.headers, **self._new_cookie})
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except SaywellError as err:  # store or list problems the teacher can act on
            self._html(500, views.message_page("Problem", str(err), self._page(session)), self._new_cookie)
        except Exception:  # noqa: BLE001  (a bug must cost one request, not the server)
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            self._html(500, views.message_page("Internal error", "something went wrong on the device; the details are "
                                               "in the saywell serve log", self._page(session)))

    def _check_host(self) -> None:
        """DNS-rebinding defence: on localhost, answer only to the names of localhost."""
        if self.state.local_only:
            host = (self.headers.get("Host") or "").strip().lower()
            if host not in self.state.allowed_hosts():
                raise HttpError(403, f"this page answers only at http://127.0.0.1:{self.state.port}/ "
                                     f"(Host {host[:80]!r} refused)")

    def _check_fetch_site(self) -> None:
        """A GET of learner data from another origin (a page's <audio>, <img>, fetch) is refused before anything is
        read, so kept and missing recordings look alike to it. Browsers too old to send Sec-Fetch-Site pass."""
        site = (self.headers.get("Sec-Fetch-Site") or "none").strip().lower()
        if site not in SAFE_FETCH_SITES:
            raise HttpError(403, f"this page opens only from itself: type http://127.0.0.1:{self.state.port}/ (or this "
                                 "device's address) in the address bar")

    def _check_same_origin(self) -> None:
        origin = self.headers.get("Origin")
        host = (self.headers.get("Host") or "").strip().lower()
        if origin is not None and origin.strip().lower() != f"http://{host}":
            raise HttpError(403, "the form was sent from another site; use the teacher page itself")
        if (self.headers.get("Sec-Fetch-Site") or "same-origin").strip().lower() not in SAFE_FETCH_SITES:
            raise HttpError(403, "the form was sent from another site; use the teacher page itself")

    def _session(self) -> Session | None:
        """The logged-in session of the cookie, else a visitor's made from it (stored nowhere); a GET without a
        usable cookie gets a new visitor id."""
        auth = self.state.auth
        sid = None
        raw = self.headers.get("Cookie")
        if raw:
            try:
                morsel = SimpleCookie(raw).get(self.state.cookie_name)
                sid = morsel.value if morsel else None
            except CookieError:
                sid = None
        s = auth.sessions.get(sid) or auth.sessions.visitor(sid, authenticated=not auth.login_required)
        if s is None and self.command in ("GET", "HEAD"):
            s = auth.sessions.new_visitor(authenticated=not auth.login_required)  # login form's CSRF, or the localhost page
            self._new_cookie = self._cookie(s)
        return s

    def _body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise HttpError(411, "send the form with a Content-Length (chunked uploads are not accepted)")
        length = self.headers.get("Content-Length")
        if length is None or not LENGTH_RE.fullmatch(length.strip()):
            self.close_connection = True
            raise HttpError(411 if length is None else 400, "the request has no valid Content-Length; use the form on the page")
        n = int(length)
        if n > limit:
            self.close_connection = True
            if n <= DRAIN_BYTES:
                self._drain(n)
            raise HttpError(413, f"the upload is too large ({n / 1024:.0f} KiB); the limit is {limit // 1024} KiB: "
                                 "split the list into smaller files")
        data = bytearray()
        while len(data) < n:  # never more than Content-Length
            chunk = self.rfile.read(min(65536, n - len(data)))
            if not chunk:
                self.close_connection = True
                raise HttpError(400, "the upload was cut off before its end; upload it again")
            data += chunk
        return bytes(data)

    def _drain(self, n: int) -> None:
        try:
            while n > 0:
                chunk = self.rfile.read(min(65536, n))
                if not chunk:
                    break
                n -= len(chunk)
        except OSError:
            pass

    def _form(self, session: Session | None, limit: int = MAX_FORM_BYTES) -> dict:
        """The POSTed fields (multipart parts for uploads), after the CSRF check."""
        if session is None:
            self.close_connection = True
            raise HttpError(403, "no session (cookies off, or the page is old); reload the page and try again")
        ctype = self.headers.get("Content-Type") or ""
        body = self._body(limit)
        kind = ctype.split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            parts = parse_multipart(body, ctype)
            token = parts.get("csrf")
            fields: dict = dict(parts)
            token_text = token.data.decode("utf-8", "replace") if token else None
        elif kind == "application/x-www-form-urlencoded":
            fields = parse_urlencoded(body)
            token_text = fields.get("csrf")
        else:
            raise HttpError(400, f"unexpected form encoding {kind or '(none)'!r}; use the form on the page")
        if not csrf_ok(session, token_text):
            raise HttpError(403, "the form's security token is missing or out of date; reload the page and try again")
        return fields

    # ---- pages ----

    def style(self, session, query) -> None:
        self._send(200, views.STYLE.encode(), "text/css; charset=utf-8", self._new_cookie)

    def overview(self, session, query) -> None:
        lp, sp = _page_arg(query, "learners"), _page_arg(query, "sessions")
        pages = {"learners": lp + 1, "sessions": sp + 1}  # what the paging links keep

        def read(store):
            version, overall, by_learner = self._class_summaries(store)
            hit = self.state.views.get((lp, sp))
            if hit is not None and hit[0] == version:  # nothing recorded since this page was last shown
                return hit[1]
            view = _class_view(store, overall, by_learner, lp, sp, pages)
            kept = self.state.views if len(self.state.views) < VIEWS_KEPT else {}
            self.state.views = {**kept, (lp, sp): (version, view)}
            return view

        cls = self._progress(read)
        note = cls if isinstance(cls, str) else ""
        self._html(200, views.overview(self._list_rows(), None if note else cls, note, self._page(session), _recordings()),
                   self._new_cookie)

    def _list_rows(self) -> list[views.ListRow]:
        """The stored lists' details, each read once per version of its file (a big list takes a while to read)."""
        from ..classroom.wordlists import stored_info, stored_names, stored_path

        rows, known = [], {}
        for name in stored_names():
            try:
                st = stored_path(name).stat()
                version = (st.st_mtime_ns, st.st_size)
            except OSError:
                version = None
            hit = self.state.list_info.get(name)
            info = hit[1] if hit and version and hit[0] == version else stored_info(name)
            known[name] = (version, info)
            rows.append(views.ListRow(name, **info))
        self.state.list_info = known  # one whole dict swapped in: readers in other threads see old or new
        return rows

    def _progress(self, read):
        """What `read(store)` returns, or one line saying why progress cannot be shown."""
        try:
            store = self.server.reader()  # type: ignore[attr-defined]
            if store is None:
                return "No practice recorded yet."
            return read(store)
        except SaywellError as err:
            self.server.drop_reader()  # type: ignore[attr-defined]
            return str(err)

    def _class_summaries(self, store) -> tuple:
        """(the store's version, everyone's Summary, {learner id: Summary}, None for anonymous sessions), kept with the
        counts behind them; after new attempts only those are counted and added: after a kiosk's next word the
        overview counts one attempt, not a year of them."""
        from ..classroom.progress import Tally

        with store.snapshot():  # the version and the counts of one and the same state
            key, (last, n) = self.server.reader_key(), store.version()  # type: ignore[attr-defined]
            kept = self.state.tallies
            if kept is not None and kept[0] == key and kept[1] == last and kept[2] == n:
                return kept[:3], kept[4], kept[5]
            tallies = None
            if kept is not None and kept[0] == key and kept[1] <= last:
                new = store.tallies("learner", after_id=kept[1])
                if kept[2] + sum(t.attempts for t in new.values()) == n:  # nothing went missing in between
                    tallies = dict(kept[3])
                    for k, t in new.items():
                        tallies[k] = tallies[k] + t if k in tallies else t
            if tallies is None:
                tallies = store.tallies("learner")
        overall = sum(tallies.values(), Tally()).summary()
        summaries = {k: t.summary() for k, t in tallies.items()}
        self.state.tallies = (key, last, n, tallies, overall, summaries)  # swapped whole: threads see old or new
        return (key, last, n), overall, summaries

    def _progress_or_error(self, read):
        got = self._progress(read)
        if isinstance(got, str):
            raise HttpError(404 if got.startswith("No practice") else 503, got)
        return got

    def learner(self, session, query) -> None:
        name = query.get("name", "")

        def read(store):
            lr = store.find_learner(name)
            return lr and replace(_person_view(store, f"Learner {lr.name}", query, "/learner", {"name": name}, learner=lr),
                                  learner=lr.name, accent=store.learner_accent(lr))

        view = self._progress_or_error(read)
        if view is None:
            raise HttpError(404, f"no learner named {name[:60]!r}; learners are recorded by saywell practice --learner NAME")
        csv_link = f"/report.csv?learner={quote(name, safe='')}"
        self._html(200, views.person_page(view, self._page(session), csv_link), self._new_cookie)

    def session_view(self, session, query) -> None:
        raw = query.get("id", "")

        def read(store):
            info = store.session_info(int(raw)) if ID_RE.fullmatch(raw) else None
            if info is None:
                return None
            who = f"learner {info.learner}" if info.learner else "anonymous"
            return _person_view(store, f"Session {info.id} ({who})", query, "/session", {"id": raw}, session_id=info.id,
                                info=info)

        view = self._progress_or_error(read)
        if view is None:
            raise HttpError(404, f"no practice session {raw[:20]!r}; sessions are listed on the overview")
        self._html(200, views.person_page(view, self._page(session)), self._new_cookie)

    def report_csv(self, session, query) -> None:
        from ..classroom.report import class_report, learner_report, to_csv

        name = query.get("learner")

        def read(store):
            if name is None:
                return "class", class_report(store)
            lr = store.find_learner(name)
            return lr and (f"learner-{lr.id}", learner_report(store, lr))

        got = self._progress_or_error(read)
        if got is None:
            raise HttpError(404, f"no learner named {name[:60]!r}")
        who, report = got
        data = to_csv(report, whole_class=name is None).encode("utf-8")
        self._send(200, data, "text/csv; charset=utf-8",
                   {"Content-Disposition": f'attachment; filename="saywell-{who}-{time.strftime("%Y%m%d")}.csv"',
                    **self._new_cookie})

    def list_view(self, session, query) -> None:
        from ..classroom.wordlists import NAME_RE, alternates_of, stored_path

        name = query.get("name", "")
        if not NAME_RE.match(name) or not stored_path(name).exists():
            raise HttpError(404, f"no stored list named {name[:60]!r}")
        wl = self._stored_list(name)
        paging = _paging(_page_arg(query, "page"), ENTRIES_PER_PAGE, len(wl.entries), "/list", {"name": name}, "page")
        shown = wl.entries[paging.start:paging.start + paging.size]
        info = dict(self.state.list_info.get(name, (None, {}))[1]) or {"origin": wl.origin}
        info["lang"] = wl.lang
        from ..classroom.references import recorded

        self._html(200, views.list_page(wl.name, shown, alternates_of(shown, wl.lang), info, paging, self._page(session),
                                        recorded(wl, shown)), self._new_cookie)

    def _stored_list(self, name: str):
        """The stored list, parsed once per version of its file: the last one viewed is kept (a 256 KiB list
        takes a fraction of a second of CPU to read, its pages then cost nothing)."""
        from ..classroom.wordlists import load_stored, stored_path

        st = stored_path(name).stat()
        key = (name, st.st_mtime_ns, st.st_size)
        cached = self.state.last_list
        if cached is not None and cached[0] == key:
            return cached[1]
        wl = load_stored(name)
        self.state.last_list = (key, wl)
        return wl

    def check_list(self, session, query) -> None:
        from ..classroom.wordlists import check_name, default_name, stored_path

        fields = self._form(session, self.state.max_upload_bytes)
        part = fields.get("file")
        if not isinstance(part, FormPart) or part.filename is None:
            raise HttpError(400, "no file in the upload; choose a list file and press 'Check the list'")
        filename = upload_name(part.filename)
        if not part.data:
            raise HttpError(400, f"the file {filename!r} is empty; choose the list file again")
        wanted = fields.get("name")
        wanted = wanted.data.decode("utf-8", "replace").strip() if isinstance(wanted, FormPart) else ""
        try:
            name = check_name(wanted or default_name(PurePosixPath(filename)) or "")
        except SaywellError as err:
            raise HttpError(400, str(err)) from None
        lang = _lang_field(fields)
        checked = self._check(filename, name, part.data, lang)
        token = None
        if not checked.errors:
            token = secrets.token_urlsafe(24)
            with self.state.lock:
                now = time.monotonic()
                pend = {k: v for k, v in self.state.pending.items() if now - v.created < PENDING_TTL_S}
                while len(pend) >= PENDING_MAX:
                    pend.pop(min(pend, key=lambda k: pend[k].created))
                pend[token] = Pending(session.id, name, filename, part.data, now, lang)
                self.state.pending = pend
        self._html(200, views.check_page(filename, name, checked, stored_path(name).exists(), token, self._page(session)))

    def _check(self, filename: str, name: str, raw: bytes, lang: str | None = None):
        """wordlists' own checks, on the bytes in memory, the format hinted by the file's extension only."""
        from ..classroom.wordlists import Problem, check_bytes

        suffix = PurePosixPath(filename).suffix.lower()
        hint = PurePosixPath("upload" + (suffix if suffix in LIST_SUFFIXES else ""))
        slots = self.state.check_slots if len(raw) > SMALL_LIST_BYTES else None  # a small list never waits
        if slots is not None and not slots.acquire(timeout=CHECK_WAIT_S):
            raise HttpError(503, "the device is busy checking other big lists; try again in a minute")
        try:
            checked = check_bytes(raw, hint, name, lang=lang)
        finally:
            if slots is not None:
                slots.release()
        unread = tuple(Problem(line, f"audio {cell!r} is not read from an upload (it names a file on your computer); "
                                     "after importing, keep the word's recording with the list page's form, or import "
                                     "the list with saywell lists import on the device", error=False)
                       for line, _, cell in checked.recordings)
        return replace(checked, wordlist=replace(checked.wordlist, origin=f"{filename} (uploaded)"), recordings=(),
                       problems=tuple(sorted(checked.problems + unread, key=lambda p: p.line)))

    def import_list(self, session, query) -> None:
        from ..classroom.wordlists import store_list, stored_path

        fields = self._form(session)
        token = fields.get("upload", "")
        with self.state.lock:
            p = self.state.pending.get(token)
            if p is None or p.session_id != session.id or time.monotonic() - p.created > PENDING_TTL_S:
                raise HttpError(400, "that upload is no longer waiting to be imported (already imported, or too old); "
                                     "upload the file again")
            del self.state.pending[token]  # one import per check
        checked = self._check(p.filename, p.name, p.raw, p.lang)  # again: all or nothing with what is imported now
        if checked.errors:
            raise HttpError(400, f"{p.filename} has errors; nothing was imported: upload it again to see them")
        accent = _accent_field(fields, "the device setting") if checked.wordlist.lang == "en" else None
        existed = stored_path(p.name).exists()
        store_list(replace(checked.wordlist, accent=accent))
        n = len(checked.wordlist.entries)
        self._html(200, views.message_page(
            "Imported", f"{'Replaced' if existed else 'Imported'} the list '{p.name}': {n} entries. Practise it with: "
                        f"saywell practice --list {p.name} (or saywell kiosk --list {p.name})", self._page(session), bad=False))

    def _voice_entry(self, name: str, text: str):
        """(stored list, the entry's own text) for a teacher's-recording request, or a 404 / 400."""
        from ..classroom.references import find_entry
        from ..classroom.wordlists import NAME_RE, stored_path

        if not NAME_RE.match(name) or not stored_path(name).exists():
            raise HttpError(404, f"no stored list named {name[:60]!r}")
        wl = self._stored_list(name)
        try:
            return wl, find_entry(wl, text).text
        except SaywellError as err:
            raise HttpError(400, str(err)) from None

    def list_voice(self, session, query) -> None:
        """The teacher's recording of one entry (classroom/references.py), to listen to on the list's page."""
        from ..classroom.references import reference

        wl, text = self._voice_entry(query.get("name", ""), query.get("text", ""))
        path = reference(wl.name, text)
        try:
            data = path.read_bytes() if path else None
        except OSError:
            data = None
        if data is None:
            raise HttpError(404, f"{text!r} has no recording in the list {wl.name!r}")
        self._send(200, data, "audio/wav", {"Content-Disposition": 'inline; filename="teacher-recording.wav"',
                                            **self._new_cookie})

    def record_voice(self, session, query) -> None:
        """A WAV the teacher uploads for one entry: checked and trimmed as `saywell lists record --wav` does."""
        import tempfile

        from ..audio.wav import load_wav
        from ..classroom import references
        from ..classroom.home import ensure_dir
        from ..classroom.wordlists import lists_dir

        fields = self._form(session, MAX_VOICE_BYTES)
        name, text = (f.data.decode("utf-8", "replace").strip() if isinstance(f, FormPart) else ""
                      for f in (fields.get("name"), fields.get("text")))
        wl, text = self._voice_entry(name, text)
        part = fields.get("file")
        if not isinstance(part, FormPart) or not part.data:
            raise HttpError(400, "no recording in the upload; choose a WAV file of the word and press 'Keep the recording'")
        tmp_name = "\0"  # no file yet: nothing to replace in a message
        try:
            with tempfile.NamedTemporaryFile(suffix=".wav", dir=ensure_dir(lists_dir())) as tmp:
                tmp_name = tmp.name
                tmp.write(part.data)
                tmp.flush()
                samples = load_wav(tmp_name).samples
            _, seconds = references.save(wl, text, samples)
        except SaywellError as err:  # the message names the teacher's file, not the temporary copy
            raise HttpError(400, str(err).replace(tmp_name, upload_name(part.filename or "the upload"))) from None
        self._html(200, views.message_page(
            "Recording kept", f"Kept your recording of '{text}' ({seconds:.1f} s) for the list '{wl.name}': practice and "
                              "the kiosk play it instead of espeak-ng. Learners are still judged by the word's phones.",
            self._page(session), bad=False))

    def delete_voice(self, session, query) -> None:
        from ..classroom import references

        fields = self._form(session)
        wl, text = self._voice_entry(fields.get("name", ""), fields.get("text", ""))
        gone = references.remove(wl, text)
        self._html(200, views.message_page(
            "Recording removed" if gone else "No recording",
            f"Removed your recording of '{text}': espeak-ng says it again." if gone else
            f"'{text}' had no recording; nothing changed.", self._page(session), bad=not gone))

    def attempt_audio(self, session, query) -> None:
        """A kept recording, by attempt id only: the id must be an integer the store links to its file."""
        from ..classroom.audio_keep import audio_dir, file_name

        raw = query.get("id", "")
        if not ID_RE.fullmatch(raw):
            raise HttpError(404, "no such recording; recordings are reached from a learner's page")
        name = file_name(int(raw))
        linked = self._progress(lambda store: store.audio_file(int(raw)))
        if linked != name:
            raise HttpError(404, f"no recording is kept for attempt {raw}")
        try:
            data = (audio_dir() / name).read_bytes()
        except OSError:
            raise HttpError(404, f"the recording of attempt {raw} is no longer kept") from None
        self._send(200, data, "audio/wav", {"Content-Disposition": f'inline; filename="attempt-{raw}.wav"',
                                            **self._new_cookie})

    def set_learner_accent(self, session, query) -> None:
        from ..classroom.progress import ProgressStore

        fields = self._form(session)
        name, accent = fields.get("name", ""), _accent_field(fields, "the list's")
        with ProgressStore.default(create=False) as store:
            learner = store.find_learner(name)
            if learner is None:
                raise HttpError(404, f"no learner named {name[:60]!r}")
            store.set_learner_accent(learner, accent)
        self._redirect(f"/learner?name={quote(learner.name, safe='')}")

    def set_keep_audio(self, session, query) -> None:
        from ..classroom.settings import update_settings

        value = self._form(session).get("keep_audio")
        if value not in ("on", "off"):
            raise HttpError(400, "keep_audio must be on or off; use the form on the page")
        update_settings(keep_audio=value == "on")
        self._redirect("/#recordings")

    def delete_audio(self, session, query) -> None:
        from ..classroom.audio_keep import delete_all

        if self._form(session).get("confirm") != "yes":
            raise HttpError(400, "tick 'yes, delete them' to delete the kept recordings; nothing was deleted")
        n = delete_all()
        self._html(200, views.message_page("Recordings deleted", f"Deleted {n} kept recording{'s' * (n != 1)}.",
                                           self._page(session), bad=False))

    def login_form(self, session, query) -> None:
        if not self.state.auth.login_required:
            self._redirect("/", self._new_cookie)
            return
        if session and session.authenticated:
            self._redirect("/")
            return
        self._html(200, views.login_page(session.csrf), self._new_cookie)

    def login(self, session, query) -> None:
        auth = self.state.auth
        if not auth.login_required:
            raise HttpError(404, "no login here: this page runs on localhost without a PIN")
        fields = self._form(session)
        client = self.client_address[0]
        wait, why = auth.pin_wait_s(client, is_loopback(client))
        if wait > 0:  # the PIN is not even checked
            raise HttpError(429, f"{why}: wait {math.ceil(wait)} s and try again", {"Retry-After": str(math.ceil(wait))})
        if not auth.pin_matches(fields.get("pin", "")):
            lock = auth.throttle.failed(client)
            more = f"; wait {lock:.0f} s before the next try" if lock else ""
            self._html(403, views.login_page(session.csrf, f"wrong PIN{more}"))
            return
        auth.throttle.succeeded(client)
        auth.sessions.drop(session.id)  # a fresh id at login: an id planted earlier is worth nothing
        fresh = auth.sessions.create(authenticated=True)
        self._redirect("/", self._cookie(fresh))

    def logout(self, session, query) -> None:
        self._form(session)
        self.state.auth.sessions.drop(session.id)
        self._redirect("/login" if self.state.auth.login_required else "/",
                       {"Set-Cookie": f"{self.state.cookie_name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"})


# (method, path) -> (handler, public: reachable without login)
ROUTES = {
    ("GET", "/"): (Handler.overview, False),
    ("GET", "/style.css"): (Handler.style, True),
    ("GET", "/learner"): (Handler.learner, False),
    ("GET", "/session"): (Handler.session_view, False),
    ("GET", "/list"): (Handler.list_view, False),
    ("GET", "/report.csv"): (Handler.report_csv, False),
    ("GET", "/attempt-audio"): (Handler.attempt_audio, False),
    ("GET", "/list-voice"): (Handler.list_voice, False),
    ("POST", "/list-voice"): (Handler.record_voice, False),
    ("POST", "/list-voice/delete"): (Handler.delete_voice, False),
    ("POST", "/settings/keep-audio"): (Handler.set_keep_audio, False),
    ("POST", "/learner/accent"): (Handler.set_learner_accent, False),
    ("POST", "/audio/delete"): (Handler.delete_audio, False),
    ("POST", "/lists/check"): (Handler.check_list, False),
    ("POST", "/lists/import"): (Handler.import_list, False),
    ("GET", "/login"): (Handler.login_form, True),
    ("POST", "/login"): (Handler.login, True),
    ("POST", "/logout"): (Handler.logout, False),
}

_BUSY_TEXT = "the teacher page is busy: try again in a few seconds\n"
BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 2\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in SECURITY_HEADERS.items())
        + f"Connection: close\r\nContent-Length: {len(_BUSY_TEXT)}\r\n\r\n{_BUSY_TEXT}").encode()


class TeacherServer(HTTPServer):
    """Accepts in one thread; WORKERS threads answer; at most QUEUE_MAX connections wait, beyond that a 503."""

    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, state: PageState, workers: int = WORKERS, queue_max: int = QUEUE_MAX):
        self.state = state
        if ":" in state.host:
            self.address_family = socket.AF_INET6
        self._waiting: queue.Queue = queue.Queue(queue_max)
        self._readers = threading.local()
        super().__init__((state.host, state.port), Handler)
        state.port = self.server_address[1]
        self._workers = [threading.Thread(target=self._work, name=f"teacher-page-{i}", daemon=True) for i in range(workers)]
        for t in self._workers:
            t.start()

    def server_bind(self) -> None:
        if hasattr(socket, "TCP_DEFER_ACCEPT"):  # Linux: a connection that sends nothing never reaches a worker
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, int(SOCKET_TIMEOUT_S))
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.state.host, self.server_address[1]  # no reverse DNS look-up

    def busy(self) -> bool:
        return not self._waiting.empty()

    def reader(self):
        """This worker's own connection to the progress store (None: nothing recorded yet), opened and quick-checked
        once rather than per request; opened again when the file is replaced (a reset moves a damaged one aside)."""
        from ..classroom.home import data_home
        from ..classroom.progress import DB_NAME, ProgressStore

        path = data_home() / DB_NAME
        try:
            st = path.stat()
        except FileNotFoundError:
            self.drop_reader()
            return None
        except OSError as e:
            raise SaywellError(f"cannot read the progress database {path} ({e.strerror or e})") from None
        key = (str(path), st.st_dev, st.st_ino)
        if getattr(self._readers, "key", None) != key:
            self.drop_reader()
            self._readers.store = ProgressStore(path, create=False)
            self._readers.key = key
        return self._readers.store

    def reader_key(self):
        return getattr(self._readers, "key", None)

    def drop_reader(self) -> None:
        store = getattr(self._readers, "store", None)
        self._readers.store = self._readers.key = None
        if store is not None:
            store.close()

    def process_request(self, request, client_address) -> None:
        try:
            self._waiting.put_nowait((request, client_address))
        except queue.Full:
            try:
                request.settimeout(1.0)
                request.sendall(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)

    def _work(self) -> None:
        while True:
            item = self._waiting.get()
            if item is None:
                return
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001  (socketserver's own policy: log it, keep serving)
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that went away is no error of ours
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        for _ in self._workers:
            try:
                self._waiting.put(None, timeout=1.0)
            except queue.Full:
                break

    def url(self) -> str:
        h = self.state.host
        shown = f"[{h}]" if ":" in h else "<this device's address>" if h in ("0.0.0.0", "") else h
        return f"http://{shown}:{self.state.port}/"


def open_server(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, quiet: bool = False,
                max_upload_bytes: int = MAX_UPLOAD_BYTES) -> TeacherServer:
    """Binds the page; refuses an address beyond this device without a teacher PIN (one clear line)."""
    if not 0 <= port <= 65535:
        raise SaywellError(f"port {port} is not a port number; use 1024-65535 (e.g. {DEFAULT_PORT})")
    pin = load_pin()
    if not is_loopback(host) and pin is None:
        raise SaywellError(f"listening on {host} (beyond this device) needs a teacher PIN; set one first with: "
                           "saywell serve --set-pin")
    state = PageState(Auth(pin), host, port, max_upload_bytes, quiet)
    try:
        return TeacherServer(state)
    except OSError as e:
        raise SaywellError(f"cannot listen on {host}:{port} ({e.strerror or e}); choose another port with --port, "
                           "or stop what uses it") from None


def start_in_thread(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, quiet: bool = True) -> TeacherServer:
    """For the kiosk: the page served from a daemon thread, ending with the process."""
    server = open_server(host, port, quiet)
    threading.Thread(target=server.serve_forever, name="teacher-page", daemon=True).start()
    return server
