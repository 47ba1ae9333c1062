"""`saywell serve`, the teacher page, against a live server on an ephemeral port (a fresh SAYWELL_HOME per
test): the upload-check-import flow, CSRF, the upload limit, malformed uploads, traversal, the Host check,
the PIN (stored hashed, 0600, login throttled), formula-safe CSV, escaping, and a kiosk recording attempts
while lists are uploaded."""

import csv
import http.client
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import numpy as np
import pytest
from conftest import MODEL, ROOT, SAMPLES, run_cli

from saywell.audio.wav import load_wav
from saywell.errors import SaywellError
from saywell.classroom.progress import Attempt, PhoneMark, ProgressStore
from saywell.apps.teacher_auth import MAX_SESSIONS, PIN_CHECK_BURST, PinBrake, PinHash, Sessions, Throttle, load_pin, store_pin
from saywell.apps import teacher_page
from saywell.apps.teacher_page import PageState, TeacherServer, open_server
from saywell.apps.teacher_auth import Auth
from saywell.classroom.wordlists import load_stored, stored_names

GOOD = b"text,phones,hint\nthink,,tongue between the teeth\nship,SH IH P,\nsheep,,\n"
BAD = b"text,phones\nthink,\nship,SH IH P\nship,\nblorptastic,\nzz,QQ X\n"  # line 4 repeats 3; line 6: bad phones


@pytest.fixture
def server(saywell_home):
    srv = open_server("127.0.0.1", 0, quiet=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


class Browser:
    """urllib with cookies; every response comes back as (status, headers, body), errors included."""

    def __init__(self, srv):
        self.base = f"http://127.0.0.1:{srv.state.port}"
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None, headers=None, method=None):
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(req, timeout=20) as r:
                return r.status, r.headers, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode("utf-8")

    def get(self, path, **kw):
        return self.request(path, **kw)

    def csrf(self, path="/"):
        _, _, body = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', body).group(1)

    def post(self, path, fields, headers=None):
        return self.request(path, urllib.parse.urlencode(fields).encode(), headers, "POST")

    def upload(self, data: bytes, filename="words.csv", name=None, csrf=None, headers=None):
        fields = {"csrf": self.csrf() if csrf is None else csrf}
        if name is not None:
            fields["name"] = name
        body, ctype = multipart(fields, {"file": (filename, data)})
        return self.request("/lists/check", body, {"Content-Type": ctype, **(headers or {})}, "POST")

    def check_and_import(self, data: bytes, name: str):
        status, _, page = self.upload(data, name=name)
        assert status == 200, page
        token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
        return self.post("/lists/import", {"csrf": self.csrf(), "upload": token})


def multipart(fields: dict, files: dict, boundary="----saywelltest1234") -> tuple[bytes, str]:
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (fname, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{fname}"\r\n'
                  "Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def raw_request(port: int, head: str, body: bytes = b"", shut: bool = False, timeout=10) -> tuple[int, str, float]:
    """Bytes on a socket, for what urllib will not send: (status, response, seconds to the answer)."""
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode("latin-1") + body)
        if shut:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    text = data.decode("utf-8", "replace")
    return int(text.split(" ", 2)[1]), text, time.monotonic() - t0


def _problem_rows(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr class="problem (\w+)"><td class="num">(\w+)</td>', page)


# ---- the flow ---------------------------------------------------------------------------------------------

def test_localhost_page_sets_a_strict_cookie_and_security_headers(server):
    b = Browser(server)
    status, headers, body = b.get("/")
    assert status == 200 and "Upload a word list" in body and "No practice recorded yet" in body
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"saywell_{server.state.port}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert headers["Server"] == "saywell"  # no Python version
    status, headers, css = b.get("/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and "font-family" in css


def test_check_shows_every_problem_by_line_and_import_is_all_or_nothing(server):
    b = Browser(server)
    status, _, page = b.upload(BAD, filename="week3.csv")
    assert status == 200
    assert _problem_rows(page) == [("error", "4"), ("warning", "5"), ("error", "6")]
    assert "repeats line 3" in page and "unknown phone symbol" in page
    assert "guessed /B L OW R P T EY S T IH K/" in page or "guessed by espeak-ng: blorptastic" in page
    assert 'name="upload"' not in page and "Not importable" in page  # nothing to import
    assert stored_names() == []
    status, _, page = b.check_and_import(GOOD, "week3")
    assert status == 200 and "Imported the list &#x27;week3&#x27;: 3 entries" in page
    wl = load_stored("week3")
    assert [e.text for e in wl.entries] == ["think", "ship", "sheep"] and wl.origin == "words.csv (uploaded)"
    assert wl.entries[0].hint == "tongue between the teeth" and wl.entries[1].sources == ("given",)
    # a bad list under the same name leaves the stored one as it was
    before = (server_home() / "lists" / "week3.json").read_bytes()
    status, _, page = b.upload(BAD, name="week3")
    assert status == 200 and "the list &#x27;week3&#x27; is unchanged" in page
    assert (server_home() / "lists" / "week3.json").read_bytes() == before
    status, _, page = b.get("/")
    assert '<a href="/list?name=week3">week3</a>' in page
    assert re.search(r"<td>today \d\d:\d\d</td>", page)  # imported: local and readable, not an ISO stamp
    status, _, page = b.get("/list?name=week3")
    assert status == 200 and "/SH IH P/" in page and "tongue between the teeth" in page


def server_home():
    from saywell.classroom.home import data_home

    return data_home()


def test_an_upload_is_imported_once_and_only_by_its_session(server):
    a, other = Browser(server), Browser(server)
    status, _, page = a.upload(GOOD, name="w1")
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    status, _, page = other.post("/lists/import", {"csrf": other.csrf(), "upload": token})
    assert status == 400 and "no longer waiting" in page and stored_names() == []
    assert a.post("/lists/import", {"csrf": a.csrf(), "upload": token})[0] == 200
    status, _, page = a.post("/lists/import", {"csrf": a.csrf(), "upload": token})
    assert status == 400 and "no longer waiting" in page


def test_the_teacher_chooses_the_accent_a_list_teaches_when_importing_it(server):
    b = Browser(server)
    _, _, page = b.upload(GOOD, name="uk")
    assert '<select name="accent">' in page and '<option value="gb">British English</option>' in page
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    assert b.post("/lists/import", {"csrf": b.csrf(), "upload": token, "accent": "fr"})[0] == 400
    assert stored_names() == []
    _, _, page = b.upload(GOOD, name="uk")
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    assert b.post("/lists/import", {"csrf": b.csrf(), "upload": token, "accent": "gb"})[0] == 200
    assert load_stored("uk").accent == "gb"
    assert "<td>British (gb)</td>" in b.get("/")[2] and "accent: British (gb)" in b.get("/list?name=uk")[2]
    _, _, page = b.upload(GOOD, name="uk")  # replaced without choosing: the device's setting again
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    assert b.post("/lists/import", {"csrf": b.csrf(), "upload": token, "accent": ""})[0] == 200
    assert load_stored("uk").accent is None and "<td>device setting</td>" in b.get("/")[2]


# ---- CSRF -------------------------------------------------------------------------------------------------

def test_posts_without_the_sessions_csrf_token_are_403_and_change_nothing(server):
    b = Browser(server)
    good_token = b.csrf()
    assert b.upload(GOOD, name="x", csrf="forged")[0] == 403
    assert b.upload(GOOD, name="x", csrf="")[0] == 403
    other = Browser(server)
    assert b.upload(GOOD, name="x", csrf=other.csrf())[0] == 403  # another session's token
    status, _, page = b.upload(GOOD, name="x", headers={"Origin": "http://evil.example"})
    assert status == 403 and "another site" in page
    assert b.upload(GOOD, name="x", headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    status, _, page = b.upload(GOOD, name="ok")  # the same request with the token goes through
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    assert b.post("/lists/import", {"upload": token})[0] == 403
    assert b.post("/lists/import", {"upload": token, "csrf": "nope"})[0] == 403
    assert stored_names() == []
    # no session cookie at all: a cross-site form post carries none (SameSite=Strict)
    body, ctype = multipart({"csrf": good_token}, {"file": ("w.txt", GOOD)})
    req = urllib.request.Request(b.base + "/lists/check", body, {"Content-Type": ctype}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 403
    assert b.post("/lists/import", {"upload": token, "csrf": good_token})[0] == 200  # the real one still works
    assert stored_names() == ["ok"]


# ---- request limits and malformed input -------------------------------------------------------------------

def test_oversize_upload_is_413_from_content_length_before_reading(server):
    b = Browser(server)
    big = b"word\n" * (60 * 1024)  # 300 KiB: read and dropped, so a browser shows the message
    status, _, page = b.upload(big)
    assert status == 413 and "the limit is 256 KiB" in page
    port = server.state.port
    cookie = "; ".join(f"{c.name}={c.value}" for c in b.jar)
    head = (f"POST /lists/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n")
    status, text, took = raw_request(port, head, b"x" * 1000)  # 50 MiB announced, 1 kB sent: answered at once
    assert status == 413 and took < 5 and "Connection: close" in text
    status, text, took = raw_request(port, head.replace(f"Cookie: {cookie}\r\n", ""), b"x" * 1000)
    assert status == 403 and took < 5  # without a session nothing is read at all
    head = (f"POST /lists/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert raw_request(port, head, b"5\r\nhello\r\n0\r\n\r\n")[0] == 411
    assert stored_names() == []


def test_malformed_uploads_get_one_clear_line_not_a_500(server):
    b = Browser(server)
    csrf = b.csrf()
    cookie = "; ".join(f"{c.name}={c.value}" for c in b.jar)
    port = server.state.port

    def post(body: bytes, ctype: str):
        return b.request("/lists/check", body, {"Content-Type": ctype}, "POST")

    body, ctype = multipart({"csrf": csrf}, {"file": ("w.txt", GOOD)})
    status, _, page = post(body, "multipart/form-data")  # no boundary
    assert status == 400 and "no valid multipart boundary" in page
    status, _, page = post(body[:-30], ctype)  # cut off before the closing boundary
    assert status == 400 and "cut off" in page
    status, _, page = post(b"just some text", ctype)
    assert status == 400 and "not multipart/form-data" in page
    status, _, page = post(body, "text/plain")
    assert status == 400 and "unexpected form encoding" in page
    status, _, page = post(*multipart({"csrf": csrf}, {}))
    assert status == 400 and "no file in the upload" in page
    status, _, page = post(*multipart({"csrf": csrf}, {"file": ("empty.csv", b"")}))
    assert status == 400 and "is empty" in page
    status, _, page = post(*multipart({"csrf": csrf, "name": "../../etc/x"}, {"file": ("w.txt", GOOD)}))
    assert status == 400 and "list name" in page and "is not usable" in page
    status, _, page = post(*multipart({"csrf": csrf}, {"file": ("w.txt", "thé\nship\n".encode("latin-1"))}))
    assert status == 200 and "not UTF-8 text (byte 0xe9)" in page and _problem_rows(page) == [("error", "1")]
    status, _, page = post(*multipart({"csrf": csrf}, {"file": ("x.csv", b"text,phones\n\"unclosed,\nship,\n")}))
    assert status == 200 and "a closing double quote" in page
    # a file name with a path: only its last part names the list; nothing is written anywhere else
    status, _, page = post(*multipart({"csrf": csrf}, {"file": ("..\\..\\evil/../../passwd.csv", GOOD)}))
    assert status == 200 and "store it as &#x27;passwd&#x27;" in page
    # a file name in RFC 2231 form, and a cookie header that is not a cookie
    body, ctype = multipart({"csrf": csrf}, {"file": ("x", GOOD)})
    body = body.replace(b'filename="x"', b"filename*=UTF-8''caf%C3%A9.csv")
    status, _, page = post(body, ctype)
    assert status == 200 and "store it as &#x27;caf&#x27;" in page and "café.csv" in page
    status, _, page = b.get("/", headers={"Cookie": 'a="\\x; ;;=\x00'})
    assert status == 200
    # a body shorter than its Content-Length
    body, ctype = multipart({"csrf": csrf}, {"file": ("w.txt", GOOD)})
    head = (f"POST /lists/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body) + 100}\r\n\r\n")
    status, text, _ = raw_request(port, head, body, shut=True)
    assert status == 400 and "cut off before its end" in text
    # a broken login form and an import form that is not UTF-8
    assert b.request("/lists/import", b"csrf=%ff%fe&&&=", {"Content-Type": "application/x-www-form-urlencoded"},
                     "POST")[0] == 400
    assert stored_names() == []
    assert b.get("/")[0] == 200  # the server is still fine


def test_no_path_traversal_only_the_fixed_routes_answer(server, saywell_home):
    Browser(server).check_and_import(GOOD, "week3")
    secret = saywell_home / "teacher-secret.txt"
    secret.write_text("TOP-SECRET")
    port = server.state.port
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/style.css/../teacher-secret.txt",
                 "/teacher-secret.txt", "/lists/week3.json", "/progress.sqlite3", "//etc/passwd",
                 "/static/..%2f..%2fetc%2fpasswd", "/device/teacher_page.py", "/README.md"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        conn.endheaders()
        r = conn.getresponse()
        body = r.read().decode()
        conn.close()
        assert r.status == 404, path
        assert "TOP-SECRET" not in body and "root:" not in body and '"entries"' not in body
    b = Browser(server)
    for name in ("../teacher-secret", "..%2Fteacher-secret", "week3/../../teacher-secret", "/etc/passwd", ""):
        status, _, body = b.get("/list?name=" + name)
        assert status == 404 and "TOP-SECRET" not in body, name
    assert b.get("/list?name=week3")[0] == 200
    status, _, body = b.get("/learner?" + "&".join(f"a{i}=1" for i in range(50)))
    assert status == 400 and "too many parameters" in body


def test_the_host_header_must_name_localhost(server):
    b, port = Browser(server), server.state.port
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}", f"192.168.1.5:{port}", ""):
        status, _, page = b.get("/", headers={"Host": host})
        assert status == 403 and "answers only at" in page, host
    status, _, page = b.request("/lists/check", b"x", {"Host": f"attacker.example:{port}",
                                                       "Content-Type": "text/plain"}, "POST")
    assert status == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert b.get("/", headers={"Host": host})[0] == 200, host


def _kept_recording(saywell_home) -> int:
    """An attempt with a kept recording (a stand-in file), its id."""
    with ProgressStore.default() as store:
        _record(store, "Ada")
        aid = store.attempts(everyone=True)[-1].id
        store.link_audio(aid, f"{aid}.wav")
    (saywell_home / "audio").mkdir(parents=True, exist_ok=True)
    (saywell_home / "audio" / f"{aid}.wav").write_bytes(b"RIFF-kept")
    return aid


def test_learner_data_is_refused_to_other_origins_and_every_response_is_same_origin(server, saywell_home):
    aid = _kept_recording(saywell_home)
    b = Browser(server)
    learner_data = [f"/attempt-audio?id={aid}", "/", "/learner?name=Ada", "/report.csv", "/list?name=x",
                    f"/attempt-audio?id={aid + 1}", "/session?id=1"]
    refused = set()
    for path in learner_data:
        for site in ("cross-site", "same-site", "CROSS-SITE", "garbage"):  # same-site: another port is another origin
            status, headers, body = b.get(path, headers={"Sec-Fetch-Site": site})
            assert status == 403 and headers["Cross-Origin-Resource-Policy"] == "same-origin", (path, site)
            assert "RIFF" not in body and "Ada" not in body
            refused.add(body)
    assert len(refused) == 1  # a kept recording, a missing one and every page look alike from another origin
    for site in ("same-origin", "none", None):  # the page itself, the address bar, a browser without the header
        status, headers, body = b.get(f"/attempt-audio?id={aid}", headers={"Sec-Fetch-Site": site} if site else {})
        assert status == 200 and body == "RIFF-kept" and headers["Cross-Origin-Resource-Policy"] == "same-origin"
    port = server.state.port
    for path, expected in (("/style.css", 200), ("/login", 303), ("/nothing-here", 404)):  # any origin may ask
        status, text, _ = raw_request(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nSec-Fetch-Site: cross-site"
                                            "\r\nConnection: close\r\n\r\n")
        assert status == expected and "\r\nCross-Origin-Resource-Policy: same-origin\r\n" in text, path


def test_malformed_headers_are_a_400_never_a_500(server, capfd):
    b = Browser(server)
    csrf = b.csrf()
    cookie = "; ".join(f"{c.name}={c.value}" for c in b.jar)
    port = server.state.port
    body = f"csrf={csrf}&keep_audio=on".encode()
    for length in ("²", "١٢", "٣٤", "-1", "1e3", "0x10", "12 12", "+5", "9" * 13, "", "\u00a0"):
        head = (f"POST /settings/keep-audio HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n")
        status, text, _ = raw_request(port, head.encode("utf-8").decode("latin-1"), body)
        assert status == 400 and "no valid Content-Length" in text, (length, text[:300])
    close = "Connection: close\r\n\r\n"
    for head in (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: \xff\xfe=\x00\r\n{close}",
                 f"GET /learner?name=%ff%fe HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{close}",
                 f"GET /session?id=%C2%B2 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{close}",
                 f"GET /learner?name=x&page=%C2%B2 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{close}",
                 f"GET /?learners=99999999999999999999&sessions=-3 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{close}",
                 f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nSec-Fetch-Site: \xe9\r\n{close}",
                 f"GET / HTTP/1.1\r\nHost: \xe9\r\n{close}",
                 "GET / HTTP/1.1\r\n" + "X-A: b\r\n" * 200 + close,
                 "BREW / HTTP/1.1\r\n" + close, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"):
        status, text, _ = raw_request(port, head)
        assert status in (200, 400, 403, 404, 431, 501), (head[:60], text[:300])
        assert "\r\nCross-Origin-Resource-Policy: same-origin\r\n" in text, head[:60]  # http.server's own refusals too
    assert "Traceback" not in capfd.readouterr().err
    assert b.get("/")[0] == 200


def test_bounded_workers_a_full_queue_gets_a_quick_503(saywell_home):
    state = PageState(Auth(None), "127.0.0.1", 0, quiet=True)
    srv = TeacherServer(state, workers=1, queue_max=1)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = state.port
    try:
        assert TeacherServer.request_queue_size >= 64  # the listen backlog
        hold = socket.create_connection(("127.0.0.1", port))
        hold.sendall(b"GET / HTTP/1.1\r\n")  # the one worker waits for the rest of this request
        time.sleep(0.3)
        waiting = socket.create_connection(("127.0.0.1", port))
        waiting.sendall(f"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        time.sleep(0.3)
        status, text, took = raw_request(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
        assert status == 503 and "busy" in text and "Retry-After" in text and took < 2  # the queue is full
        hold.sendall(f"Host: 127.0.0.1:{port}\r\n\r\n".encode())  # the held request completes ...
        assert b"200 OK" in hold.recv(65536)
        waiting.settimeout(10)
        assert b"200 OK" in waiting.recv(65536)  # ... and the queued one is answered
        # a kept-alive connection left idle frees its worker after KEEPALIVE_S
        status, _, took = raw_request(port, f"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n", shut=False,
                                      timeout=teacher_page.KEEPALIVE_S + 5)
        assert status == 200 and took < teacher_page.KEEPALIVE_S + 2
        hold.close()
        waiting.close()
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_big_list_check_does_not_hold_up_another_teachers_small_one(server, monkeypatch):
    from saywell.classroom import wordlists

    release, started = threading.Event(), threading.Event()
    real = wordlists.check_bytes

    def slow_for_big_lists(raw, *args, **kw):
        if len(raw) > teacher_page.SMALL_LIST_BYTES:
            started.set()
            release.wait(30)  # as espeak-ng guessing a long list of names
        return real(raw, *args, **kw)

    monkeypatch.setattr(wordlists, "check_bytes", slow_for_big_lists)
    big = b"text\n" + b"think\n" * 4000
    slow, other = Browser(server), Browser(server)
    results = []
    t = threading.Thread(target=lambda: results.append(slow.upload(big, filename="big.csv")))
    t.start()
    assert started.wait(10)
    t0 = time.monotonic()
    status, _, page = other.upload(GOOD, filename="small.csv")
    assert status == 200 and "No errors" in page and time.monotonic() - t0 < 5
    assert other.get("/")[0] == 200
    release.set()
    t.join(30)
    assert results[0][0] == 200


# ---- the PIN ----------------------------------------------------------------------------------------------

def test_lan_without_a_pin_is_refused_in_one_line(saywell_home):
    for host in ("0.0.0.0", "::", "192.168.1.20", "raspberrypi.local"):
        with pytest.raises(SaywellError, match="needs a teacher PIN"):
            open_server(host, 0)
    r = run_cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "needs a teacher PIN" in r.stderr and "saywell serve --set-pin" in r.stderr


def test_set_pin_stores_only_a_salted_hash_with_0600(saywell_home):
    r = run_cli("serve", "--set-pin", stdin="Tulip-2024\nTulip-2024\n")
    assert r.returncode == 0, r.stderr
    path = saywell_home / "teacher-pin.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "Tulip" not in text
    doc = json.loads(text)
    assert doc["kdf"] == "scrypt" and len(bytes.fromhex(doc["salt"])) == 16 and doc["n"] >= 2 ** 14
    pin = load_pin()
    assert pin.matches("Tulip-2024") and not pin.matches("tulip-2024") and not pin.matches("")
    assert PinHash.make("Tulip-2024").salt != pin.salt  # a random salt each time
    r = run_cli("serve", "--set-pin", stdin="Tulip-2025\nTulip-2026\n")
    assert r.returncode == 2 and "differ" in r.stderr and path.read_text() == text  # unchanged
    r = run_cli("serve", "--set-pin", stdin="123\n123\n")
    assert r.returncode == 2 and "6 to 64" in r.stderr and path.read_text() == text
    assert not [p for p in saywell_home.iterdir() if p.name.startswith(".")]  # no temp file left behind
    path.write_text("{broken")
    with pytest.raises(SaywellError, match="damaged|unreadable"):
        open_server("0.0.0.0", 0)  # a damaged PIN file is never taken for 'no PIN'
    r = run_cli("serve", "--clear-pin")
    assert r.returncode == 0 and not path.exists()


@pytest.fixture
def pin_server(saywell_home):
    store_pin("Tulip-2024")
    srv = open_server("127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_with_a_pin_every_page_needs_a_login_and_wrong_pins_are_throttled(pin_server):
    b = Browser(pin_server)
    status, _, page = b.get("/")
    assert status == 200 and "Teacher PIN" in page and "Upload a word list" not in page  # redirected to /login
    for path in ("/learner?name=x", "/report.csv", "/list?name=x"):
        assert "Teacher PIN" in b.get(path)[2]
    status, _, page = b.upload(GOOD, name="x", csrf="whatever")
    assert status == 403 and "not logged in" in page
    pre_login = {c.name: c.value for c in b.jar}
    for i in range(3):
        status, _, page = b.post("/login", {"csrf": b.csrf("/login"), "pin": f"wrong-{i}"})
        assert status == 403 and "wrong PIN" in page
    assert "wait 1 s" in page
    status, headers, page = b.post("/login", {"csrf": b.csrf("/login"), "pin": "Tulip-2024"})
    assert status == 429 and "too many wrong PINs" in page and int(headers["Retry-After"]) >= 1  # not even checked
    time.sleep(1.1)
    status, _, page = b.post("/login", {"csrf": b.csrf("/login"), "pin": "Tulip-2024"})
    assert status == 200 and "Upload a word list" in page
    assert {c.name: c.value for c in b.jar} != pre_login  # a new session id at login
    assert b.check_and_import(GOOD, "week3")[0] == 200
    status, _, page = b.post("/logout", {"csrf": b.csrf()})
    assert status == 200 and "Teacher PIN" in page
    assert "Teacher PIN" in b.get("/")[2]
    assert b.post("/login", {"pin": "Tulip-2024"})[0] == 403  # the login form needs its CSRF token too


def test_sessions_expire_and_the_throttle_doubles():
    now = [0.0]
    s = Sessions(idle_s=60, max_s=300, clock=lambda: now[0])
    a = s.create(authenticated=True)
    now[0] = 59
    assert s.get(a.id) is a
    now[0] = 118
    assert s.get(a.id) is a  # each use extends the idle time
    now[0] = 179
    assert s.get(a.id) is None  # idle too long
    b = s.create(authenticated=True)
    for t in range(200, 500, 50):
        now[0] = t
        assert s.get(b.id) is (b if t - 179 <= 300 else None)  # never past the absolute limit
    assert s.get("not-a-session") is None and s.get(None) is None
    th = Throttle(free=3, max_lock_s=10, clock=lambda: now[0])
    assert [th.failed("a") for _ in range(6)] == [0, 0, 1, 2, 4, 8]
    assert th.failed("a") == 10 and th.wait_s("a") == 10 and th.wait_s("b") == 0
    th.succeeded("a")
    assert th.wait_s("a") == 0
    brake = PinBrake(per_minute=3, burst=5, clock=lambda: now[0])
    assert [brake.take() for _ in range(6)] == [0, 0, 0, 0, 0, 20]  # five at once, then one every 20 s
    now[0] += 10
    assert brake.take() == 10
    now[0] += 10
    assert brake.take() == 0 and brake.take() == 20
    now[0] += 3600
    assert [brake.take() for _ in range(6)][-1] == 20  # never more than the burst saved up


class CountingPin:
    """The stored PIN, counting its checks and how many ran at once."""

    def __init__(self, pin):
        self.pin, self.checks, self.running, self.most = pin, 0, 0, 0
        self.lock = threading.Lock()

    def matches(self, guess):
        with self.lock:
            self.checks += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return self.pin.matches(guess)
        finally:
            with self.lock:
                self.running -= 1


def test_a_burst_of_guesses_gets_a_few_checks_and_a_flood_evicts_no_pending_login(pin_server):
    auth, port = pin_server.state.auth, pin_server.state.port
    now = [time.monotonic()]
    auth.throttle.clock = auth.local_brake.clock = lambda: now[0]
    auth.pin = counting = CountingPin(auth.pin)
    teacher = Browser(pin_server)
    teacher_csrf = teacher.csrf("/login")  # the teacher opens the login page, then is slow to type
    guessers = [Browser(pin_server) for _ in range(150)]
    tokens = [g.csrf("/login") for g in guessers]
    gate = threading.Barrier(len(guessers))
    results = [None] * len(guessers)

    def guess(i):
        gate.wait()
        results[i] = guessers[i].post("/login", {"csrf": tokens[i], "pin": f"guess-{i:04d}"})

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(guessers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert counting.checks <= PIN_CHECK_BURST and counting.most == 1  # a few scrypts, one at a time
    wrong = [r for r in results if r[0] == 403]
    waits = [r for r in results if r[0] == 429]
    assert len(wrong) == counting.checks and len(wrong) + len(waits) == 150 and all("wrong PIN" in r[2] for r in wrong)
    # all guesses come from 127.0.0.1: once three were checked and wrong, the per-address lock-out may answer first
    assert all(re.search(r"too many (PIN attempts on this device|wrong PINs from this address): wait \d+ s", r[2])
               and int(r[1]["Retry-After"]) >= 1 for r in waits)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(MAX_SESSIONS + 10):  # a flood of cookie-less visits to the login form
        conn.request("GET", "/login")
        r = conn.getresponse()
        assert r.status == 200 and "Teacher PIN" in r.read().decode()
    conn.close()
    assert teacher.post("/login", {"csrf": teacher_csrf, "pin": "Tulip-2024"})[0] == 429  # the brake holds ...
    assert counting.checks <= PIN_CHECK_BURST
    now[0] += 600  # ... for a while; the teacher's login form still works afterwards
    status, _, page = teacher.post("/login", {"csrf": teacher_csrf, "pin": "Tulip-2024"})
    assert status == 200 and "Upload a word list" in page


# ---- progress, CSV and escaping ---------------------------------------------------------------------------

def _record(store, name, word="think", bad=("TH",), t=None):
    learner = store.learner(name) if name else None
    sid = store.start_session(learner, "week3")
    marks = tuple(PhoneMark(p, 20.0 if p in bad else 90.0, p not in bad, "S" if p in bad else None, 0)
                  for p in ("TH", "IH", "NG", "K"))
    store.record(sid, learner, Attempt(t or time.time(), "think /TH IH NG K/", word, "TH IH NG K",
                                       40.0 if bad else 90.0, "mispronounced" if bad else "correct", marks))


def test_progress_pages_and_a_formula_safe_csv(server):
    hostile = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "<script>alert(1)</script>"]
    with ProgressStore.default() as store:
        for name in hostile:
            _record(store, name)
            _record(store, name, bad=())
        _record(store, None)
    b = Browser(server)
    status, _, page = b.get("/")
    assert status == 200 and "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('class="sound"') >= 4 and "<svg" in page  # report.py's chart, inline
    assert "11 spoken attempts" in page
    sessions = re.findall(r'<a href="/session\?id=(\d+)">', page)  # the anonymous session, with its attempt
    assert len(sessions) == 1
    status, _, text = b.get(f"/session?id={sessions[0]}")
    assert status == 200 and text.count('<tr class="attempt">') == 1 and "(anonymous)" in text
    status, headers, text = b.get("/report.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["kind", "learner", "item", "attempts", "right", "accuracy_pct", "mean_score", "phone"]
    learners = {r[1] for r in rows[1:]}
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r if not re.fullmatch(r"-?[0-9.]+", c))
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in learners and "'@SUM(A1)" in learners
    status, _, page = b.get("/learner?name=" + urllib.parse.quote(hostile[0]))
    assert status == 200 and page.count('<tr class="attempt">') == 2 and "/θ/ as in think (heard /s/ as in sun)" in page
    assert "=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)" in page
    status, _, text = b.get("/report.csv?learner=" + urllib.parse.quote(hostile[1]))
    rows = list(csv.reader(io.StringIO(text)))
    assert status == 200 and {r[1] for r in rows[1:]} == {"'+cmd|' /C calc'!A0"}
    assert b.get("/learner?name=nobody")[0] == 404
    assert b.get("/report.csv?learner=nobody")[0] == 404


def test_long_tables_come_a_page_at_a_time_and_kiosk_sessions_are_listed(server, saywell_home):
    from saywell.classroom.wordlists import WordEntry, WordList, store_list

    t0 = time.time() - 100_000
    with ProgressStore.default() as store:
        for i in range(70):
            _record(store, "Ada", word=f"think{i}", t=t0 + i)
        for i in range(55):
            _record(store, f"kid{i:02d}", t=t0 + 100 + i)
        for k in range(25):  # the kiosk: one anonymous session per learner who walked up to it
            sid = store.start_session(None, "week3")
            for j in range(2):
                store.record(sid, None, Attempt(t0 + 1000 + 10 * k + j, "think /TH IH NG K/", f"kiosk{k}", "TH IH NG K",
                                                 40.0, "mispronounced", (PhoneMark("TH", 20.0, False, "F", 0),)))
    b = Browser(server)
    status, _, page = b.get("/")
    assert status == 200 and page.count('<a href="/learner?name=') == 50 and "1-50 of 56" in page
    assert page.count('<a href="/session?id=') == 20 and "1-20 of 25" in page  # newest first
    second = re.search(r'<a href="(/\?learners=2&amp;sessions=1)" rel="next">', page).group(1).replace("&amp;", "&")
    status, _, page = b.get(second)
    assert status == 200 and page.count('<a href="/learner?name=') == 6 and "51-56 of 56" in page
    status, _, page = b.get("/?sessions=2")
    sessions = re.findall(r'<a href="/session\?id=(\d+)">', page)
    assert len(sessions) == 5
    status, _, page = b.get(f"/session?id={sessions[-1]}")  # the oldest: its attempts, its sound, its list
    assert status == 200 and page.count('<tr class="attempt">') == 2 and "kiosk0" in page and "week3" in page
    assert "/θ/ as in think (heard /f/ as in fish)" in page and "anonymous" in page
    assert b.get("/session?id=999999")[0] == 404 and b.get("/session?id=abc")[0] == 404
    status, _, page = b.get("/learner?name=Ada")
    words = re.findall(r'<tr class="attempt"><td>[^<]*</td><td>think(\d+)</td>', page)
    assert words == [str(i) for i in range(69, 39, -1)] and "1-30 of 70" in page  # the newest 30
    status, _, page = b.get("/learner?name=Ada&page=3")
    assert re.findall(r'<td>think(\d+)</td>', page) == [str(i) for i in range(9, -1, -1)]
    assert b.get("/learner?name=Ada&page=99")[2] == page  # past the end: the last page
    letters = "abcdefghijklmnopqrstuvwxyz"
    entries = tuple(WordEntry("".join(letters[(i // 26 ** k) % 26] for k in range(3)), (("K", "AE", "T"),), line=i + 2,
                              sources=("given",)) for i in range(1200))
    store_list(WordList("long", entries, "long.csv"))
    status, _, page = b.get("/list?name=long")
    assert status == 200 and page.count("<tr><td class=\"num\">") == 500 and "1200 entries" in page
    status, _, page = b.get("/list?name=long&page=3")
    lines = [int(x) for x in re.findall(r'<tr><td class="num">(\d+)</td>', page)]
    assert lines == list(range(1002, 1202)) and "1001-1200 of 1200" in page


def test_the_overview_adds_up_only_what_was_recorded_since_and_agrees_with_a_full_count(server):
    with ProgressStore.default() as store:
        _record(store, "Ada")
        _record(store, None)
    b = Browser(server)
    assert "2 spoken attempts" in b.get("/")[2]
    with ProgressStore.default() as store:  # meanwhile: the kiosk and a learner go on
        _record(store, "Ada", bad=())
        _record(store, "Bo", bad=("IH", "K"))
        _record(store, None, bad=())
        store.record(store.start_session(None, None), None, Attempt(time.time(), "k", "think", "TH IH NG K", 0.0,
                                                                  "no_speech", ()))
    kept = b.get("/")[2]
    assert "5 spoken attempts" in kept and ", 1 without speech" in kept and server.state.tallies[2] == 6
    server.state.tallies, server.state.views = None, {}  # forget what was kept: everything counted afresh
    assert b.get("/")[2] == kept


def test_a_damaged_progress_database_is_reported_not_a_crash(server, saywell_home):
    saywell_home.mkdir(parents=True, exist_ok=True)
    (saywell_home / "progress.sqlite3").write_bytes(b"not a database" * 100)
    status, _, page = Browser(server).get("/")
    assert status == 200 and "is damaged" in page and "Upload a word list" in page
    assert (saywell_home / "progress.sqlite3").read_bytes() == b"not a database" * 100  # left as it was


# ---- concurrency: lists uploaded while a kiosk records attempts -------------------------------------------

def test_lists_uploaded_while_a_kiosk_records_attempts(server, tmp_path, saywell_home):
    b = Browser(server)
    assert b.check_and_import(b"text\nthink\n", "week3")[0] == 200
    clip = (load_wav(SAMPLES / "joe_think.wav").samples * 32767).astype("<i2").tobytes()
    pause = np.zeros(16000, "<i2").tobytes()
    log = tmp_path / "kiosk.log"
    kiosk = subprocess.Popen([sys.executable, "-m", "saywell", "kiosk", "--list", "week3", "--input", "-", "--log",
                              str(log), "--model", str(MODEL)], cwd=ROOT, stdin=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=os.environ.copy())
    n_words = 12
    pages: list[int] = []

    def feed():
        kiosk.stdin.write(pause)
        for _ in range(n_words):
            kiosk.stdin.write(clip + pause)
            kiosk.stdin.flush()
            time.sleep(0.15)
        kiosk.stdin.close()

    feeder = threading.Thread(target=feed)
    feeder.start()
    imported = []
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and " result " in log.read_text()):  # the kiosk is recording
            assert kiosk.poll() is None and time.monotonic() < deadline, kiosk.stderr.read()
            time.sleep(0.02)
        i = 0
        while feeder.is_alive() or i < 3:  # uploads for as long as the kiosk is being fed
            data = ("text\n" + "".join(f"{w}\n" for w in ("think", "ship", "sheep", "red", "seven")[: 1 + i % 5])).encode()
            status, _, page = b.check_and_import(data, f"list{i % 3}")
            assert status == 200, page
            imported.append((f"list{i % 3}", 1 + i % 5))
            pages += [b.get("/")[0], b.get("/report.csv")[0]]
            i += 1
        feeder.join(timeout=60)
        kiosk.wait(timeout=60)
        err = kiosk.stderr.read().decode()
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
    assert kiosk.returncode == 0, err
    results = [line for line in log.read_text().splitlines() if " result " in line]
    assert len(results) == n_words
    with ProgressStore.default(create=False) as store:
        assert len(store.attempts(everyone=True)) == n_words  # every attempt the kiosk scored is in the store
    assert set(pages) == {200}
    last = {name: n for name, n in imported}
    for name, n in last.items():
        assert len(load_stored(name).entries) == n  # each list is its last whole version
    status, _, page = b.get("/")
    assert f"{n_words} spoken attempts" in page


def test_kiosk_serve_runs_the_page_beside_practice(tmp_path, saywell_home):
    log = tmp_path / "kiosk.log"
    kiosk = subprocess.Popen([sys.executable, "-m", "saywell", "kiosk", "--input", "-", "--serve", "--serve-port", "0",
                              "--log", str(log), "--model", str(MODEL)], cwd=ROOT, stdin=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and "teacher_page" in log.read_text()):
            assert kiosk.poll() is None and time.monotonic() < deadline, kiosk.stderr.read()
            time.sleep(0.05)
        url = re.search(r'teacher_page url="(http://127\.0\.0\.1:\d+/)"', log.read_text()).group(1)
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200 and "Upload a word list" in r.read().decode()
    finally:
        kiosk.stdin.close()
        kiosk.wait(timeout=60)
    assert kiosk.returncode == 0
    r = run_cli("kiosk", "--serve", "--serve-host", "0.0.0.0", "--input", str(SAMPLES / "joe_think.wav"),
                "--model", str(MODEL))
    assert r.returncode == 2 and "needs a teacher PIN" in r.stderr


def test_a_lists_table_shows_the_dictionary_alternates_accepted():
    from saywell.apps.teacher_views import entries_table
    from saywell.classroom.wordlists import WordEntry

    html = entries_table([WordEntry("either", (("IY", "DH", "ER"),), line=2, sources=("cmudict",)),
                          WordEntry("neither", (("N", "IY", "DH", "ER"),), line=3, sources=("given",))])
    assert "/IY DH ER/<br><small>also accepted: either /AY DH ER/</small>" in html
    assert html.count("also accepted") == 1  # a teacher's own phones are taken literally


def test_a_learners_page_shows_which_words_of_a_phrase_they_miss(server, scorer):
    from test_word_completeness import said

    with ProgressStore.default() as store:
        ada = store.learner("Ada")
        sid = store.start_session(ada, "phrases")
        for audio, text in ((said("hello", "seven"), "hello seven"), (said("hello"), "hello seven"),
                            (said("hello"), "hello seven"), (said("three", "seven"), "tree seven")):
            r = scorer.score(audio, text)
            store.record(sid, ada, Attempt.from_result(r, text, "", learner="Ada", list_name="phrases", session_id=sid))
    status, _, page = Browser(server).get("/learner?name=Ada")
    assert status == 200 and "Phrases: the words missed" in page
    assert ('<span class="ok">hello</span> <small>(missed 0 of 3)</small> '
            '<span class="error">seven</span> <small>(missed 2 of 3, left out 2)</small>') in page
    assert '<span class="error">tree</span> <small>(missed 1 of 1)</small>' in page
    rows = re.findall(r'<tr class="attempt"><td>[^<]*</td><td>(.*?)</td>', page)  # newest first
    assert rows == ['<span class="error" title="to work on">tree</span> seven',
                    'hello <del class="error" title="left out">seven</del>',
                    'hello <del class="error" title="left out">seven</del>', "hello seven"]


def test_a_learner_can_be_given_an_accent_of_their_own(server):
    with ProgressStore.default() as store:
        store.learner("Ada")
    b = Browser(server)
    _, _, page = b.get("/learner?name=Ada")
    assert 'id="learner-accent">their list&#x27;s, else the device setting<' in page and 'action="/learner/accent"' in page
    assert b.post("/learner/accent", {"csrf": b.csrf("/learner?name=Ada"), "name": "Ada", "accent": "fr"})[0] == 400
    status, _, page = b.post("/learner/accent", {"csrf": b.csrf("/learner?name=Ada"), "name": "Ada", "accent": "gb"})
    assert status == 200 and '<strong id="learner-accent">British (gb)</strong>' in page  # redirected to the page
    with ProgressStore.default() as store:
        assert store.learner_accent(store.find_learner("Ada")) == "gb"
    assert b.post("/learner/accent", {"csrf": b.csrf("/"), "name": "Bob", "accent": "gb"})[0] == 404
    assert b.post("/learner/accent", {"name": "Ada", "accent": "us"})[0] == 403  # no CSRF token: nothing changes
    with ProgressStore.default() as store:
        assert store.learner_accent(store.find_learner("Ada")) == "gb"
