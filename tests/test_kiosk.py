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

from device.audio import Audio, write_wav
from device.errors import SaywellError
from device.kiosk import EventLog, Kiosk, KioskProgress, Notifier, Speaker
from device.progress import ProgressStore
from device.sources import AudioSource, WavSource


def events(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.split(" ")[1:2] == [name]]


def kiosk(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "device", "kiosk", *args, "--model", str(MODEL)], cwd=ROOT,
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
    assert rows == [(None, 1, 2), (None, 1, 1)]


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
    from device.wordlists import resolve

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
