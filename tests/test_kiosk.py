"""`saywell kiosk`: unattended sessions from recordings (prompts, results in the store, idle timeout), a
damaged or failing store, a lost microphone, sd_notify, and the systemd unit."""

import io
import os
import socket
import sqlite3
import subprocess
import sys
import threading

from conftest import MODEL, ROOT, run_cli
from test_practice import take

from saywell.audio.wav import Audio, write_wav
from saywell.errors import SaywellError
from saywell.apps.kiosk import EventLog, Kiosk, KioskProgress, Notifier, Speaker
from saywell.classroom.progress import ProgressStore
from saywell.audio.sources import AudioSource, WavSource


def events(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.split(" ")[1:2] == [name]]


def kiosk(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "saywell", "kiosk", *args, "--model", str(MODEL)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
                          stdin=subprocess.DEVNULL)


def test_a_session_from_a_recording_with_the_idle_timeout(tmp_path, saywell_home):
    words = tmp_path / "words.txt"
    words.write_text("hello\nseven\nthree\n")
    wav = tmp_path / "day.wav"
    write_wav(wav, take(0.5, "real_hello.wav", 0.8, "real_seven.wav", 0.8, 2.5, "real_three.wav", 0.8))
    log = tmp_path / "kiosk.log"
    r = kiosk("--list", str(words), "--input", str(wav), "--fast", "--idle-timeout", "1.5", "--log", str(log))
    assert r.returncode == 0, r.stderr
    text = log.read_text()
    assert all(line[:4].isdigit() and line[10] == "T" for line in text.splitlines())  # timestamped lines
    prompts = [line.split("text=")[1].split(" played")[0] for line in events(text, "prompt")]
    assert prompts[:2] == ['"Say: hello"', '"Say: seven"'] and prompts[3] == '"Say: hello"', prompts
    assert all("played=False" in line for line in events(text, "prompt"))
    results = events(text, "result")
    assert len(results) == 3 and 'text="seven"' in results[1]
    assert len(events(text, "idle")) == 1 and len(events(text, "session_start")) == 2
    assert text.index(" idle ") < text.index(prompts[3].join(["text=", ""]), text.index(" idle "))
    assert len(events(text, "feedback")) == 3 and len(events(text, "tone")) == 3
    with ProgressStore.default(create=False) as store:
        rows = store.con.execute("SELECT s.learner_id, s.ended IS NOT NULL, count(a.id) FROM sessions s "
                                 "JOIN attempts a ON a.session_id = s.id GROUP BY s.id ORDER BY s.id").fetchall()
        listed, total = store.anonymous_sessions(20)  # what the teacher page lists, newest first
        first = [a.word_text for a in store.attempts(session_id=listed[-1].id)]
    assert rows == [(None, 1, 2), (None, 1, 1)]
    assert total == 2 and [(s.learner, s.list_name, s.attempts) for s in listed] == [(None, "words", 1), (None, "words", 2)]
    assert all(s.ended is not None for s in listed) and first == ["hello", "seven"]


def test_a_sentence_gets_feedback_about_its_word_and_the_log_names_the_missed_words(tmp_path, saywell_home):
    words = tmp_path / "phrases.txt"
    words.write_text("tree seven\nhello seven\n")
    wav = tmp_path / "day.wav"
    write_wav(wav, take(0.5, "real_three.wav", 0.1, "real_seven.wav", 1.0, "real_hello.wav", 1.0))
    log = tmp_path / "kiosk.log"
    r = kiosk("--list", str(words), "--input", str(wav), "--fast", "--log", str(log))
    assert r.returncode == 0, r.stderr
    text = log.read_text()
    results, said = events(text, "result"), events(text, "feedback")
    assert len(results) == 2 and results[0].endswith('missed="tree"') and results[1].endswith('missed="seven"'), results
    assert "Try again in 'tree':" in said[0] and "you left out 'seven'" in said[1], said


def test_a_damaged_store_does_not_stop_practice_and_systemd_hears_from_it(tmp_path, saywell_home):
    saywell_home.mkdir(parents=True)
    (saywell_home / "progress.sqlite3").write_bytes(b"this is not a database" * 100)
    wav = tmp_path / "hello.wav"
    write_wav(wav, take(0.5, "real_hello.wav", 0.8, "real_seven.wav", 0.8))
    addr = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(addr)
    sock.settimeout(0.5)
    got = []

    def receive():  # as systemd does: read while the kiosk runs
        while True:
            try:
                got.append(sock.recv(256).decode())
            except (TimeoutError, OSError):
                if done.is_set():
                    return

    done = threading.Event()
    reader = threading.Thread(target=receive)
    reader.start()
    try:  # in real time (no --fast), so the watchdog (every 50 ms here) is pinged while listening
        r = kiosk("--input", str(wav), "--idle-timeout", "30", env={"NOTIFY_SOCKET": addr, "WATCHDOG_USEC": "100000"})
    finally:
        done.set()
        reader.join()
        sock.close()
    assert r.returncode == 0, r.stderr
    assert got[0] == "READY=1" and got.count("WATCHDOG=1") >= 5 and got[-1] == "STOPPING=1", got
    assert len(events(r.stderr, "progress_off")) == 1 and "damaged" in r.stderr
    assert len(events(r.stderr, "result")) == 2
    assert (saywell_home / "progress.sqlite3").read_bytes().startswith(b"this is not")  # left untouched


class LostMic(AudioSource):
    """A microphone that delivers some audio, then is gone for good (sources.py gave up retrying)."""

    live = False

    def __init__(self, x):
        super().__init__()
        self.x = x

    def blocks(self):
        for i in range(0, len(self.x), self.block_samples):
            yield self.x[i:i + self.block_samples]
        raise SaywellError("microphone 'USB' lost and not back after 5 attempts")


def test_a_lost_microphone_is_waited_for_and_a_failing_store_is_dropped(tmp_path, scorer):
    from saywell.classroom.wordlists import resolve

    words = tmp_path / "words.txt"
    words.write_text("hello\nseven\n")
    entries = list(resolve(str(words)).entries)
    x = take(0.5, "real_hello.wav", 0.8)
    opened = []

    def open_source():  # unplugged at start, then lost mid-session, then back
        opened.append(len(opened))
        if len(opened) == 1:
            raise SaywellError("no audio input device found")
        if len(opened) == 2:
            return LostMic(x)
        return WavSource(Audio(take(0.5, "real_seven.wav", 0.8, "real_hello.wav", 0.8), 16000), realtime=False)

    store = ProgressStore(tmp_path / "p.sqlite3")
    real_record, calls = store.record, []

    def record(*a):
        calls.append(1)
        if len(calls) > 1:
            raise SaywellError("no space left to save progress")
        return real_record(*a)

    store.record = record
    buf = io.StringIO()
    log = EventLog(buf)
    k = Kiosk(scorer, entries, open_source, KioskProgress(store, log, "words"), log, Speaker(log, silent=True),
              reconnect_s=0.01, idle_timeout_s=30, live=True)
    assert k.run() == 0
    text = buf.getvalue()
    assert len(events(text, "microphone_waiting")) == 1 and len(events(text, "microphone_back")) == 2
    assert len(events(text, "microphone_lost")) == 1
    assert len(events(text, "result")) == 3  # practice went on after the store failed
    assert len(events(text, "progress_off")) == 1 and "no space left" in text
    con = sqlite3.connect(tmp_path / "p.sqlite3")
    assert con.execute("SELECT count(*) FROM attempts").fetchone() == (1,)


def test_notifier_abstract_and_missing_socket():
    assert Notifier({"NOTIFY_SOCKET": "@saywell-test"}).addr == "\0saywell-test"
    n = Notifier({})
    n.ready(), n.ping(), n.stopping()  # no socket: nothing happens, nothing raises


def test_install_service_writes_the_unit_and_does_not_start_it(tmp_path):
    unit = tmp_path / "units" / "saywell-kiosk.service"
    r = run_cli("kiosk", "--install-service", "--unit-path", str(unit), "--list", "week3", "--idle-timeout", "45",
                "--device", "USB mic")
    assert r.returncode == 0, r.stderr
    text = unit.read_text()
    for line in ("Type=notify", "Restart=always", "RestartSec=2", "WatchdogSec=30", "WantedBy=multi-user.target"):
        assert line + "\n" in text
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert " kiosk --list week3 --device 'USB mic' --idle-timeout 45 --model " in exec_start
    assert "SAYWELL_HOME=" in text
    assert "systemctl enable --now saywell-kiosk" in r.stdout
    assert not list(unit.parent.glob(".*tmp*"))  # written atomically, nothing left behind
    r = run_cli("kiosk", "--install-service", "--user", "--unit-path", str(unit))
    assert r.returncode == 0 and "WantedBy=default.target" in unit.read_text() and "User=" not in unit.read_text()
    assert "systemctl --user enable --now saywell-kiosk" in r.stdout


# ---- restarts ---------------------------------------------------------------------------------------------

def _restartable(tmp_path, scorer, clips, clock, idle_timeout_s=30.0):
    """A kiosk as `saywell kiosk` builds it (state file, store in the home), on the clips, with a given clock."""
    from saywell.classroom.wordlists import resolve

    words = tmp_path / "words.txt"
    if not words.exists():
        words.write_text("hello\nseven\nthree\n")
    buf = io.StringIO()
    log = EventLog(buf)
    k = Kiosk(scorer, list(resolve(str(words)).entries),
              lambda: WavSource(Audio(take(0.5, *clips), 16000), realtime=False),
              KioskProgress(ProgressStore.default(), log, "words"), log, Speaker(log, silent=True),
              idle_timeout_s=idle_timeout_s, live=False, state_path=tmp_path / "kiosk-state.json", clock=lambda: clock)
    assert k.run() == 0
    return k, buf.getvalue()


def _sessions():
    with ProgressStore.default(create=False) as store:
        return store.con.execute("SELECT s.id, s.ended, count(a.id) FROM sessions s LEFT JOIN attempts a "
                                 "ON a.session_id = s.id GROUP BY s.id ORDER BY s.id").fetchall()


def test_a_restart_within_the_idle_timeout_resumes_the_session(tmp_path, scorer):
    from saywell.apps.kiosk_state import Stamp, load_state

    t0 = Stamp(1_800_000_000.0, 500.0, "boot-a")
    k1, _ = _restartable(tmp_path, scorer, ["real_hello.wav", 0.8, "real_seven.wav", 0.8], t0)
    state, problem = load_state(tmp_path / "kiosk-state.json")
    assert problem is None and [t.key.split()[0] for t in state.turns] == ["hello", "seven"]
    assert state.session == 1 and state.session_id == 1 and k1.scheduler.turn == 2
    # restarted 20 s later on the boot clock (the wall clock jumped back an hour meanwhile: NTP)
    later = Stamp(t0.wall - 3600, t0.boot + 20, "boot-a")
    k2, log2 = _restartable(tmp_path, scorer, ["real_three.wav", 0.8], later)
    assert len(events(log2, "resume_decision")) == 1 and "resume=True" in log2 and "idle_s=20.0" in log2
    assert events(log2, "session_resume") and not events(log2, "session_start")
    assert k2.scheduler.turn == 3 and len(k2.progress.turns) == 3  # the schedule went on from where it was
    assert "attempts=3" in events(log2, "session_end")[0]
    assert [(sid, n) for sid, _, n in _sessions()] == [(1, 3)]  # the same anonymous session in the store


def test_a_restart_after_the_idle_timeout_starts_a_new_session(tmp_path, scorer):
    from saywell.apps.kiosk_state import Stamp

    t0 = Stamp(1_800_000_000.0, 500.0, "boot-a")
    _restartable(tmp_path, scorer, ["real_hello.wav", 0.8], t0)
    k2, log2 = _restartable(tmp_path, scorer, ["real_seven.wav", 0.8], Stamp(t0.wall + 31, t0.boot + 31, "boot-a"))
    assert "resume=False" in log2 and "idle for longer than the idle timeout (30 s)" in log2 and "idle_s=31.0" in log2
    assert events(log2, "session_start")[0].endswith("session=2") and k2.scheduler.turn == 1
    rows = _sessions()
    assert [(sid, n) for sid, _, n in rows] == [(1, 1), (2, 1)]
    assert rows[0][1] == t0.wall  # the session not resumed ended at its last word, not at the restart
    # after a reboot (another boot id) the wall clock decides
    k3, log3 = _restartable(tmp_path, scorer, ["real_three.wav", 0.8], Stamp(t0.wall + 40, 3.0, "boot-b"))
    assert "resume=True" in log3 and "idle_s=9.0" in log3 and k3.scheduler.turn == 2


def test_a_damaged_state_file_is_logged_and_ignored(tmp_path, scorer):
    from saywell.apps.kiosk_state import Stamp, load_state

    t0 = Stamp(1_800_000_000.0, 500.0, "boot-a")
    for junk in (b"{not json", b'{"format": 1, "session": "x"}', b"\xff\xfe\x00", b"[]",
                 b'{"format":1,"list_name":"words","session":1,"session_id":1,"last_key":null,'
                 b'"last":{"wall":1,"boot":1,"boot_id":"boot-a"},"turns":[["k","great",[]]]}'):
        (tmp_path / "kiosk-state.json").write_bytes(junk)
        _, log = _restartable(tmp_path, scorer, ["real_hello.wav", 0.8], t0)
        assert len(events(log, "kiosk_state_ignored")) == 1 and "resume=False" in log, (junk, log)
        assert len(events(log, "result")) == 1 and events(log, "session_start")
        state, problem = load_state(tmp_path / "kiosk-state.json")
        assert problem is None and len(state.turns) == 1  # rewritten whole after the first word


def test_the_resume_decision():
    from saywell.apps.kiosk_state import KioskState, Stamp, Turn, decide

    t = Stamp(1000.0, 50.0, "b")
    s = KioskState("words", 3, 7, "k", t, (Turn("k", "correct", (("K", True),)),))
    assert decide(s, Stamp(1010.0, 60.0, "b"), 60, "words").resume
    assert not decide(s, Stamp(1010.0, 60.0, "b"), 60, "week3").resume  # another list
    assert not decide(s, Stamp(1010.0, 111.0, "b"), 60, "words").resume  # boot clock: 61 s
    assert not decide(s, Stamp(990.0, 10.0, "c"), 60, "words").resume  # rebooted, the clock went back
    assert not decide(None, t, 60, "words").resume
    assert not decide(KioskState("words", 1, 0, None, t, ()), t, 60, "words").resume  # nothing said yet
    assert KioskState.from_json(s.to_json()) == s


# ---- a list re-imported while the kiosk runs ----------------------------------------------------------

class TeacherAt(WavSource):
    """A recording replayed to the kiosk; at the given seconds of it, the teacher does something (re-imports)."""

    def __init__(self, x, actions):
        super().__init__(Audio(x, 16000), realtime=False)
        self.actions = sorted(actions)

    def blocks(self):
        done = 0
        for block in super().blocks():
            done += len(block)
            while self.actions and self.actions[0][0] * 16000 <= done:
                self.actions.pop(0)[1]()
            yield block


def _kiosk_on(tmp_path, scorer, spec, x, actions):
    from saywell.classroom.wordlists import WatchedList

    watch = WatchedList.open(spec)
    buf = io.StringIO()
    log = EventLog(buf)
    k = Kiosk(scorer, [e for e in watch.wordlist.entries if e.phones], lambda: TeacherAt(x, actions),
              KioskProgress(ProgressStore.default(), log, watch.wordlist.name), log, Speaker(log, silent=True),
              idle_timeout_s=30, live=False, watch=watch)
    assert k.run() == 0
    return buf.getvalue()


def _said(log):
    return [line.split('text="Say: ')[1].split('"')[0] for line in events(log, "prompt")]


def test_a_reimported_list_reaches_the_running_kiosk_at_its_next_word(tmp_path, scorer):
    from saywell.classroom.wordlists import load_file, store_list

    def import_list(words):  # as `saywell lists import FILE --name week3` and the teacher page do
        f = tmp_path / "upload.txt"
        f.write_text("\n".join(words) + "\n")
        store_list(load_file(f, "week3"))

    import_list(["hello", "seven", "three"])
    x = take(0.5, "real_hello.wav", 0.8, "real_seven.wav", 0.8, "real_with.wav", 0.8)
    hello_s = len(take("real_hello.wav")) / 16000
    mid_seven = 0.5 + hello_s + 0.8 + 0.3  # while the learner is saying 'seven': that attempt is not disturbed
    log = _kiosk_on(tmp_path, scorer, "week3", x, [(mid_seven, lambda: import_list(["with", "hello"]))])
    assert _said(log)[:3] == ["hello", "seven", "with"]
    assert log.index('text="Say: seven"') < log.index(" speech_start ", log.index('text="Say: seven"')) < log.index(
        " result ", log.index('text="Say: seven"'))  # the re-import came mid-attempt (checked below: it waited)
    assert [line.split('text="')[1].split('"')[0] for line in events(log, "result")] == ["hello", "seven", "with"]
    assert len(events(log, "list_reloaded")) == 1 and 'list="week3" words=2' in events(log, "list_reloaded")[0]
    assert log.index(" list_reloaded ") > log.index('text="seven" verdict')  # after the attempt, before the next word
    assert not events(log, "list_reload_failed")
    with ProgressStore.default(create=False) as store:  # one anonymous session across the reload
        rows = store.con.execute("SELECT session_id, word_text, list_name FROM attempts ORDER BY id").fetchall()
    assert [r[1] for r in rows] == ["hello", "seven", "with"] and {(r[0], r[2]) for r in rows} == {(1, "week3")}


def test_a_broken_new_version_keeps_the_old_list_and_is_logged_once(tmp_path, scorer):
    words = tmp_path / "words.csv"
    words.write_text("text\nhello\nseven\nthree\n")
    x = take(0.5, "real_hello.wav", 0.8, "real_seven.wav", 0.8, "real_three.wav", 0.8, "real_with.wav", 0.8)
    broken = lambda: words.write_text("text,phones\nhello,HH AH L OW\nwith,W IH XX\n")  # noqa: E731 (XX: no such phone)
    fixed = lambda: words.write_text("text\nwith\n")  # noqa: E731
    mid_three = 0.5 + sum(len(take(c)) / 16000 + 0.8 for c in ("real_hello.wav", "real_seven.wav")) + 0.3
    log = _kiosk_on(tmp_path, scorer, str(words), x, [(1.0, broken), (mid_three, fixed)])
    assert _said(log)[:4] == ["hello", "seven", "three", "with"]  # the old list until the file was fixed
    failed = events(log, "list_reload_failed")
    assert len(failed) == 1 and "XX" in failed[0] and "kept_words=3" in failed[0]  # one line, not one per word
    assert len(events(log, "list_reloaded")) == 1 and log.index(" list_reloaded ") > log.index('text="three" verdict')
