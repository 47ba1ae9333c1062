"""Real time through a real audio path: a private PulseAudio server with a null sink; paplay plays a real
recording into it while `saywell practice` records the sink's monitor through PortAudio -> ALSA -> pulse,
at the device's native rate (44.1 kHz), resampled to 16 kHz. Also: the device list in errors, and a sound
server that dies mid-session and comes back."""

import glob
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import HELLO, MODEL, ROOT, SAMPLES, ctrl_c_as_in_a_terminal
from test_cli_contract import check_contract

from saywell.audio.wav import Audio, load_wav, write_wav
from saywell.engine.listener import Listener
from saywell.audio.sources import WavSource

APT = "apt-get install --no-install-recommends pulseaudio pulseaudio-utils libasound2-plugins"


def _unavailable() -> str | None:
    for exe in ("pulseaudio", "paplay", "pactl"):
        if shutil.which(exe) is None:
            return f"{exe} is not installed ({APT})"
    if not glob.glob("/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so") + glob.glob("/usr/lib/alsa-lib/libasound_module_pcm_pulse.so"):
        return f"the ALSA pulse plugin is not installed ({APT})"
    try:
        import sounddevice  # noqa: F401
    except OSError as e:
        return f"PortAudio is missing ({e}; apt-get install libportaudio2)"
    return None


class PulseServer:
    """A throwaway PulseAudio server in a temp dir: its own socket, config and runtime dir."""

    def __init__(self, d: Path):
        self.d, self.sock, self.proc, self.players = d, d / "sock", None, []
        (d / ".asoundrc").write_text("pcm.!default { type pulse }\nctl.!default { type pulse }\n")
        self.env = {**os.environ, "HOME": str(d), "XDG_RUNTIME_DIR": str(d), "XDG_CONFIG_HOME": str(d / "config"),
                    "PULSE_SERVER": f"unix:{self.sock}"}
        self.env.pop("DISPLAY", None)

    def start(self) -> None:
        self.log = open(self.d / "pulse.log", "ab")
        self.proc = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes",
             "-L", f"module-native-protocol-unix socket={self.sock} auth-anonymous=1",
             "-L", "module-null-sink sink_name=vsink rate=16000 channels=1"],
            env=self.env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        tail = (self.d / "pulse.log").read_text(errors="replace").strip().splitlines()[-3:]
        self.stop()
        pytest.skip(f"pulseaudio could not start here: {' | '.join(tail)}")

    def stop(self) -> None:
        for p in self.players:
            if p.poll() is None:
                p.kill()
            p.wait()
        self.players = []
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
        self.sock.unlink(missing_ok=True)

    def play(self, wav: Path) -> subprocess.Popen:
        """Starts playing (paplay itself lingers for seconds after the sound, draining the null sink)."""
        p = subprocess.Popen(["paplay", "--device=vsink", str(wav)], env=self.env, stdin=subprocess.DEVNULL)
        self.players.append(p)
        return p


@pytest.fixture
def pulse(tmp_path):
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    server = PulseServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Practice:
    """`saywell practice` on the microphone, its JSON events read as they come."""

    def __init__(self, env: dict, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "saywell", "practice", "--json", "--model", str(MODEL), *args],
                                     cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_as_in_a_terminal)
        self.events: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.events.put(json.loads(line))
        self.events.put(None)

    def until(self, kind: str, timeout: float = 20.0, match: str = "") -> list[dict]:
        """Events up to and including the first of this kind (and message containing match)."""
        seen, deadline = [], time.monotonic() + timeout
        while True:
            try:
                ev = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {kind!r} event within {timeout} s; got {seen}; stderr: {self.stop()}") from None
            if ev is None:
                raise AssertionError(f"practice ended before {kind!r}; got {seen}; stderr: {self.stop()}")
            seen.append(ev)
            if ev["event"] == kind and match in ev.get("message", ""):
                return seen

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        return self.proc.stderr.read()


@pytest.fixture
def hello(tmp_path):
    """real_hello.wav with a little room tone before and after, as a learner would say it."""
    x = load_wav(SAMPLES / "real_hello.wav").samples
    tone = lambda n, s: (np.random.default_rng(s).standard_normal(n) * 10 ** (-65 / 20)).astype(np.float32)  # noqa: E731
    y = np.concatenate([tone(4800, 1), x + tone(len(x), 2), tone(8000, 3)])
    p = tmp_path / "hello.wav"
    write_wav(p, y)
    return p


def _aligned_correlation(kept: np.ndarray, source: np.ndarray) -> tuple[float, float]:
    """Normalized correlation of the kept recording with the played clip at their best lag, and the level
    ratio (dB) over the overlap: how faithfully the live audio path delivered the samples."""
    n = 1 << int(np.ceil(np.log2(len(kept) + len(source))))
    xc = np.fft.irfft(np.fft.rfft(kept, n) * np.conj(np.fft.rfft(source, n)), n)
    lag = int(np.argmax(np.abs(xc)))
    lag = lag - n if lag > n // 2 else lag  # kept[i + lag] ~ source[i]
    a = kept[max(lag, 0):]
    b = source[max(-lag, 0):]
    m = min(len(a), len(b))
    a, b = a[:m].astype(np.float64), b[:m].astype(np.float64)
    corr = float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))
    level_db = float(10 * np.log10(np.dot(a, a) / np.dot(b, b)))
    return corr, level_db


def test_practice_hears_a_real_microphone_in_real_time(pulse, hello, scorer):
    home = pulse.d / "home"
    env = {**pulse.env, "SAYWELL_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "saywell", "settings", "keep-audio", "on"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    practice = Practice(env, "--device", "pulse", "--word", "hello", "--learner", "mic-test")
    try:
        events = practice.until("listening", timeout=30)
        assert events[-1] == {"event": "listening", "text": "hello"}, events
        time.sleep(0.4)  # the room's level is measured from the first frames
        t0 = time.monotonic()
        pulse.play(hello)
        events = practice.until("result")
        assert time.monotonic() - t0 < 5
        assert practice.proc.wait(10) == 0  # one word, no keyboard: done
    finally:
        stderr = practice.stop()
    kinds = [e["event"] for e in events]
    assert kinds == ["speech_start", "speech_end", "result"], (kinds, stderr)
    result = events[-1]
    check_contract(result["result"], "hello")
    assert [p["phone"] for p in result["result"]["words"][0]["phones"]] in HELLO
    assert 0 < result["latency_ms"] < 250
    assert stderr == ""  # no ALSA/PortAudio chatter reaches the learner
    # The audio path (16 kHz -> pulse at 44.1 kHz -> saywell's resampler -> 16 kHz) delivers the clip: the
    # recording practice kept lines up with the played clip, at about its level, and lasts as long as the
    # same clip's utterance read from the file.
    kept = sorted((home / "audio").glob("*.wav"))
    assert len(kept) == 1, kept
    live = load_wav(kept[0]).samples
    speech = load_wav(SAMPLES / "real_hello.wav").samples
    corr, level_db = _aligned_correlation(live, speech)
    print(f"live audio path: correlation {corr:.3f}, level {level_db:+.1f} dB")
    assert corr > 0.9 and abs(level_db) < 3, (corr, level_db)
    offline = list(Listener(WavSource(Audio(load_wav(hello).samples, 16000), realtime=False), scorer)
                   .listen("hello", scorer.pronunciations("hello")))
    heard = events[1]["t"] - events[0]["t"]
    assert abs(heard - (offline[1].t - offline[0].t)) <= 0.05
    # What the learner was told is what the scorer makes of those samples: the live path scores what it heard.
    # (Within 10 points, same verdict: the live score saw the float samples, the kept recording is 16-bit. That
    # rounding alone moves real "hello" through a 44.1 kHz device by 1.6 points, and scores through this virtual
    # microphone differed by 0.1-8.2 points over ten runs; the same float samples score identically either way.)
    again = scorer.score(Audio(live, 16000), "hello")
    assert abs(result["result"]["score"] - again.score) <= 10.0, (result["result"]["score"], again.score)
    assert result["result"]["verdict"] == again.verdict


def test_ctrl_c_on_the_microphone_closes_cleanly(pulse):
    practice = Practice(pulse.env, "--device", "pulse")
    try:
        practice.until("listening", timeout=30)
        time.sleep(0.3)
        t0 = time.monotonic()
        practice.proc.send_signal(signal.SIGINT)
        assert practice.proc.wait(10) == 130
        assert time.monotonic() - t0 < 2.0
    finally:
        stderr = practice.stop()
    assert stderr == "saywell: interrupted\n"  # one line: no traceback, no ALSA noise, stderr restored


def test_unknown_device_error_lists_the_devices_found(pulse):
    r = subprocess.run([sys.executable, "-m", "saywell", "practice", "--device", "no-such-mic", "--model", str(MODEL)],
                       cwd=ROOT, env=pulse.env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no input device named 'no-such-mic'; input devices found:" in lines[0]
    assert "'pulse'" in lines[0] and "'default'" in lines[0]


def test_sound_server_lost_mid_session_is_retried_and_reported(pulse, hello):
    practice = Practice(pulse.env, "--device", "pulse", "--word", "hello")
    try:
        practice.until("listening", timeout=30)
        time.sleep(0.3)
        pulse.stop()  # the microphone goes away mid-session
        lost = practice.until("warning", timeout=10)
        assert "retrying in 0.5 s (attempt 1 of 5)" in lost[-1]["message"]
        time.sleep(0.5)
        pulse.start()
        back = practice.until("warning", timeout=20, match="is back")
        time.sleep(0.4)
        pulse.play(hello)
        events = practice.until("result")
        assert practice.proc.wait(10) == 0
    finally:
        stderr = practice.stop()
    assert all("retrying" in e["message"] for e in back[:-1] if e["event"] == "warning")
    assert [e["event"] for e in events] == ["speech_start", "speech_end", "result"], stderr
    assert events[-1]["result"]["verdict"] != "no_speech"
