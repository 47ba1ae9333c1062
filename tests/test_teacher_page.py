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
from saywell.apps.teacher_auth import PinHash, Sessions, Throttle, load_pin, store_pin
from saywell.apps.teacher_page import open_server
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
    assert "(anonymous)" in page and "11 spoken attempts" in page
    status, headers, text = b.get("/report.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["kind", "learner", "item", "attempts", "right", "accuracy_pct", "mean_score"]
    learners = {r[1] for r in rows[1:]}
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r if not re.fullmatch(r"-?[0-9.]+", c))
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in learners and "'@SUM(A1)" in learners
    status, _, page = b.get("/learner?name=" + urllib.parse.quote(hostile[0]))
    assert status == 200 and page.count('<tr class="attempt">') == 2 and "TH (heard S)" in page
    assert "=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)" in page
    status, _, text = b.get("/report.csv?learner=" + urllib.parse.quote(hostile[1]))
    rows = list(csv.reader(io.StringIO(text)))
    assert status == 200 and {r[1] for r in rows[1:]} == {"'+cmd|' /C calc'!A0"}
    assert b.get("/learner?name=nobody")[0] == 404
    assert b.get("/report.csv?learner=nobody")[0] == 404


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
