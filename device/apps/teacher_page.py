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
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from email.message import Message
from email.utils import collapse_rfc2231_value
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

from . import teacher_views as views
from ..errors import SaywellError
from .teacher_auth import DEFAULT_HOST, DEFAULT_PORT
from .teacher_auth import SESSION_MAX_S, Auth, Session, csrf_ok, load_pin

MAX_UPLOAD_BYTES = 256 * 1024
MAX_FORM_BYTES = 8 * 1024  # login, logout, import: a few short fields
DRAIN_BYTES = 1024 * 1024  # an oversized body up to this is read and dropped, so the browser shows the 413 page
LIST_SUFFIXES = (".txt", ".csv", ".tsv", ".tab")
PENDING_MAX, PENDING_TTL_S = 50, 30 * 60
CHECK_WAIT_S = 60.0
ATTEMPT_ID_RE = re.compile(r"[1-9][0-9]{0,17}")  # an attempt id as the player asks for it: an integer, nothing else
SOCKET_TIMEOUT_S = 30.0  # a client that stops sending mid-request is dropped


class HttpError(Exception):
    """A request we refuse: the status and one line for the teacher."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass(frozen=True)
class FormPart:
    name: str
    data: bytes
    filename: str | None = None


@dataclass(frozen=True)
class Pending:
    """An upload that was checked and may be imported by the same session."""

    session_id: str
    name: str
    filename: str
    raw: bytes
    created: float


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
    check_lock: threading.Lock = field(default_factory=threading.Lock)  # one list check at a time: espeak-ng is slow

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


# ---- forms ------------------------------------------------------------------------------------------------

def _header_params(value: str) -> Message:
    m = Message()
    m["content-type"] = value
    return m


def parse_urlencoded(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as e:
        raise HttpError(400, f"the form could not be read ({e}); reload the page and try again") from None
    return {k: v[0] for k, v in fields.items()}


def parse_multipart(body: bytes, content_type: str) -> dict[str, FormPart]:
    """multipart/form-data as browsers send it; anything else is a 400 saying what was wrong."""
    boundary = _header_params(content_type).get_param("boundary")
    if not isinstance(boundary, str) or not 1 <= len(boundary) <= 70:
        raise HttpError(400, "the upload has no valid multipart boundary; upload the file with the form on the page")
    delim = b"--" + boundary.encode("latin-1")
    if not body.startswith(delim):
        at = body.find(b"\r\n" + delim)
        if at < 0:
            raise HttpError(400, "the upload is not multipart/form-data as declared; upload the file with the form on the page")
        body = body[at + 2:]
    chunks = body.split(b"\r\n" + delim)
    if not chunks[-1].startswith(b"--"):
        raise HttpError(400, "the upload was cut off (no closing boundary); upload the file again")
    parts: dict[str, FormPart] = {}
    for chunk in chunks[:-1]:
        chunk = chunk.removeprefix(delim)
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise HttpError(400, "a part of the upload has no headers; upload the file with the form on the page")
        headers = _header_params("x/x")
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon and key.strip().lower() == "content-disposition":
                headers = _header_params("form-data; " + value.strip().partition(";")[2])
        name = headers.get_param("name")
        if not isinstance(name, str) or not name:
            raise HttpError(400, "a part of the upload has no field name; upload the file with the form on the page")
        filename = headers.get_param("filename")
        if isinstance(filename, tuple):  # RFC 2231 filename*=UTF-8''...
            filename = collapse_rfc2231_value(filename)
        parts.setdefault(name, FormPart(name, data, filename))
    return parts


def upload_name(filename: str) -> str:
    """The last component of a browser-given file name (some send a whole Windows path), printable only."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[:120] or "upload"


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


def _learner_attempts(store, name: str):
    """(learner, their attempts), or None when nobody has that name."""
    lr = store.find_learner(name)
    return (lr, store.attempts(lr)) if lr else None


# ---- the handler ------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    server_version = "saywell"
    sys_version = ""
    timeout = SOCKET_TIMEOUT_S
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "saywell"  # no Python version for a scanner to match

    @property
    def state(self) -> PageState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, fmt, *args):
        if not self.state.quiet:
            sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} teacher_page {self.client_address[0]} {fmt % args}\n")

    # ---- responses ----

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "same-origin")  # no-referrer would make browsers send Origin: null
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
                                                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

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
            session = self._session()
            route = ROUTES.get((("GET" if method == "HEAD" else method), url.path))
            if route is None:
                if any(url.path == path for _, path in ROUTES):
                    raise HttpError(405, f"{method} is not allowed here", {"Allow": "GET, POST"})
                raise HttpError(404, f"no page at {url.path[:200]}; start from the overview")
            fn, public = route
            if not public and not (session and session.authenticated):
                if method == "POST":
                    self.close_connection = True  # its body is not read
                    raise HttpError(403, "not logged in (or the session expired); log in and try again")
                self._redirect("/login", self._new_cookie)
                return
            if method == "POST":
                self._check_same_origin()
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

    def _check_same_origin(self) -> None:
        origin = self.headers.get("Origin")
        host = (self.headers.get("Host") or "").strip().lower()
        if origin is not None and origin.strip().lower() != f"http://{host}":
            raise HttpError(403, "the form was sent from another site; use the teacher page itself")
        if (self.headers.get("Sec-Fetch-Site") or "same-origin") not in ("same-origin", "none"):
            raise HttpError(403, "the form was sent from another site; use the teacher page itself")

    def _session(self) -> Session | None:
        auth = self.state.auth
        sid = None
        raw = self.headers.get("Cookie")
        if raw:
            try:
                morsel = SimpleCookie(raw).get(self.state.cookie_name)
                sid = morsel.value if morsel else None
            except CookieError:
                sid = None
        s = auth.sessions.get(sid)
        if s is None and self.command in ("GET", "HEAD"):
            s = auth.sessions.create(authenticated=not auth.login_required)  # login form's CSRF, or the localhost page
            self._new_cookie = self._cookie(s)
        return s

    def _body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise HttpError(411, "send the form with a Content-Length (chunked uploads are not accepted)")
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
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
        from ..classroom.report import build
        from ..classroom.wordlists import stored_info, stored_names

        rows = [views.ListRow(n, **stored_info(n)) for n in stored_names()]
        report, note = None, ""
        attempts = self._progress(lambda store: store.attempts(everyone=True))
        if isinstance(attempts, str):
            note = attempts
        elif not attempts:
            note = "No practice recorded yet."
        else:
            report = build(attempts)
        self._html(200, views.overview(rows, report, note, self._page(session), _recordings()), self._new_cookie)

    def _progress(self, read):
        """What `read(store)` returns, or one line saying why progress cannot be shown."""
        from ..classroom.home import data_home
        from ..classroom.progress import DB_NAME, ProgressStore

        if not (data_home() / DB_NAME).exists():
            return "No practice recorded yet."
        try:
            with ProgressStore.default(create=False) as store:
                return read(store)
        except SaywellError as err:
            return str(err)

    def learner(self, session, query) -> None:
        from ..classroom.report import build

        name = query.get("name", "")
        found = self._progress(lambda store: _learner_attempts(store, name))
        if isinstance(found, str):
            raise HttpError(503, found)
        if found is None:
            raise HttpError(404, f"no learner named {name[:60]!r}; learners are recorded by saywell practice --learner NAME")
        lr, attempts = found
        self._html(200, views.learner_page(lr.name, build(attempts, lr.name), attempts, self._page(session)), self._new_cookie)

    def report_csv(self, session, query) -> None:
        from ..classroom.report import build, to_csv

        name = query.get("learner")
        if name is None:
            got = self._progress(lambda store: (None, store.attempts(everyone=True)))
        else:
            got = self._progress(lambda store: _learner_attempts(store, name))
        if isinstance(got, str):
            raise HttpError(404 if got.startswith("No practice") else 503, got)
        if got is None:
            raise HttpError(404, f"no learner named {name[:60]!r}")
        lr, attempts = got
        data = to_csv(build(attempts, lr.name if lr else None), whole_class=lr is None).encode("utf-8")
        fname = f"saywell-{'learner-' + str(lr.id) if lr else 'class'}-{time.strftime('%Y%m%d')}.csv"
        self._send(200, data, "text/csv; charset=utf-8",
                   {"Content-Disposition": f'attachment; filename="{fname}"', **self._new_cookie})

    def list_view(self, session, query) -> None:
        from ..classroom.wordlists import NAME_RE, load_stored, stored_info, stored_path

        name = query.get("name", "")
        if not NAME_RE.match(name) or not stored_path(name).exists():
            raise HttpError(404, f"no stored list named {name[:60]!r}")
        wl = load_stored(name)
        self._html(200, views.list_page(wl.name, wl.entries, stored_info(name), self._page(session)), self._new_cookie)

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
        checked = self._check(filename, name, part.data)
        token = None
        if not checked.errors:
            token = secrets.token_urlsafe(24)
            with self.state.lock:
                now = time.monotonic()
                pend = {k: v for k, v in self.state.pending.items() if now - v.created < PENDING_TTL_S}
                while len(pend) >= PENDING_MAX:
                    pend.pop(min(pend, key=lambda k: pend[k].created))
                pend[token] = Pending(session.id, name, filename, part.data, now)
                self.state.pending = pend
        self._html(200, views.check_page(filename, name, checked, stored_path(name).exists(), token, self._page(session)))

    def _check(self, filename: str, name: str, raw: bytes):
        """wordlists' own checks, on the bytes in memory, the format hinted by the file's extension only."""
        from ..classroom.wordlists import check_bytes

        suffix = PurePosixPath(filename).suffix.lower()
        hint = PurePosixPath("upload" + (suffix if suffix in LIST_SUFFIXES else ""))
        if not self.state.check_lock.acquire(timeout=CHECK_WAIT_S):
            raise HttpError(503, "the device is busy checking another list; try again in a minute")
        try:
            checked = check_bytes(raw, hint, name)
        finally:
            self.state.check_lock.release()
        return replace(checked, wordlist=replace(checked.wordlist, origin=f"{filename} (uploaded)"))

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
        checked = self._check(p.filename, p.name, p.raw)  # again: all or nothing with what is imported now
        if checked.errors:
            raise HttpError(400, f"{p.filename} has errors; nothing was imported: upload it again to see them")
        existed = stored_path(p.name).exists()
        store_list(checked.wordlist)
        n = len(checked.wordlist.entries)
        self._html(200, views.message_page(
            "Imported", f"{'Replaced' if existed else 'Imported'} the list '{p.name}': {n} entries. Practise it with: "
                        f"saywell practice --list {p.name} (or saywell kiosk --list {p.name})", self._page(session), bad=False))

    def attempt_audio(self, session, query) -> None:
        """A kept recording, by attempt id only: the id must be an integer the store links to its file."""
        from ..classroom.audio_keep import audio_dir, file_name
        from ..classroom.progress import ProgressStore

        raw = query.get("id", "")
        if not ATTEMPT_ID_RE.fullmatch(raw):
            raise HttpError(404, "no such recording; recordings are reached from a learner's page")
        name = file_name(int(raw))
        try:
            with ProgressStore.default(create=False) as store:
                linked = store.audio_file(int(raw))
        except SaywellError:
            linked = None
        if linked != name:
            raise HttpError(404, f"no recording is kept for attempt {raw}")
        try:
            data = (audio_dir() / name).read_bytes()
        except OSError:
            raise HttpError(404, f"the recording of attempt {raw} is no longer kept") from None
        self._send(200, data, "audio/wav", {"Content-Disposition": f'inline; filename="attempt-{raw}.wav"',
                                            **self._new_cookie})

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
        wait = auth.throttle.wait_s(client)
        if wait > 0:
            raise HttpError(429, f"too many wrong PINs: try again in {wait:.0f} s", {"Retry-After": str(int(wait) + 1)})
        if not auth.pin.matches(fields.get("pin", "")):
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
    ("GET", "/list"): (Handler.list_view, False),
    ("GET", "/report.csv"): (Handler.report_csv, False),
    ("GET", "/attempt-audio"): (Handler.attempt_audio, False),
    ("POST", "/settings/keep-audio"): (Handler.set_keep_audio, False),
    ("POST", "/audio/delete"): (Handler.delete_audio, False),
    ("POST", "/lists/check"): (Handler.check_list, False),
    ("POST", "/lists/import"): (Handler.import_list, False),
    ("GET", "/login"): (Handler.login_form, True),
    ("POST", "/login"): (Handler.login, True),
    ("POST", "/logout"): (Handler.logout, False),
}


class TeacherServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: PageState):
        self.state = state
        if ":" in state.host:
            self.address_family = socket.AF_INET6
        super().__init__((state.host, state.port), Handler)
        state.port = self.server_address[1]

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
