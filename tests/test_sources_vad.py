"""Audio sources and utterance detection on real recordings: same blocks from every source, the
microphone path through a fake PortAudio (native rate, overflows, a device lost and back), and the VAD's
boundaries, noise-floor adaptation and learner warnings."""

import io
import threading
import time

import numpy as np
import pytest
from conftest import SAMPLES

from saywell.audio.wav import load_wav, resample
from saywell.errors import SaywellError
from saywell.audio.sources import MicSource, StdinSource, StreamingResampler, WavSource, resolve_input_device
from saywell.audio.vad import CLIPPED, TOO_LONG, TOO_QUIET, TOO_SHORT, Vad, VadConfig, frame_levels

RATE = 16000
HOP = 160


def clip(name: str) -> np.ndarray:
    return load_wav(SAMPLES / name).samples


def speech_span(x: np.ndarray) -> tuple[int, int]:
    """First and last 10 ms frame within 40 dB of the clip's loudest (the clips are clean)."""
    n = len(x) // HOP
    e = 10 * np.log10(np.mean(x[: n * HOP].reshape(n, HOP).astype(np.float64) ** 2, axis=1) + 1e-12)
    act = np.flatnonzero(e > e.max() - 40)
    return int(act[0]), int(act[-1]) + 1


def in_noise(x: np.ndarray, noise_dbfs: float, lead_s: float = 0.8, tail_s: float = 0.8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lead, tail = int(lead_s * RATE) // HOP * HOP, int(tail_s * RATE)
    y = np.concatenate([np.zeros(lead, np.float32), x, np.zeros(tail, np.float32)])
    y += rng.standard_normal(len(y)).astype(np.float32) * np.float32(10 ** (noise_dbfs / 20))
    return np.clip(y, -1, 1)


def run_vad(x: np.ndarray, vad: Vad | None = None, batch: int = 3):
    vad = vad or Vad()
    frames = x[: len(x) // HOP * HOP].reshape(-1, HOP)
    events = []
    for i in range(0, len(frames), batch):
        events += vad.process(frames[i:i + batch])
    return events + vad.flush(), vad


# ---- sources -------------------------------------------------------------------------------------------

def test_wav_and_stdin_sources_yield_the_same_blocks():
    x = clip("real_seven.wav")
    wav = list(WavSource(SAMPLES / "real_seven.wav", realtime=False))
    pcm = (np.round(x * 32768).clip(-32768, 32767)).astype("<i2").tobytes()
    std = list(StdinSource(io.BytesIO(pcm + b"\x01")))  # a stray odd byte at the end is ignored
    assert [len(b) for b in wav] == [len(b) for b in std]
    assert all(len(b) == 480 for b in wav[:-1]) and 0 < len(wav[-1]) <= 480
    np.testing.assert_array_equal(np.concatenate(wav), x)
    np.testing.assert_array_equal(np.concatenate(std), x)


class _TrickleReader(io.RawIOBase):
    """A pipe that hands out a few bytes per read, as arecord's pipe may."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n=-1):
        k = min(n, 37, len(self.data) - self.pos)
        out = self.data[self.pos:self.pos + k]
        self.pos += k
        return out


def test_stdin_source_reassembles_short_reads():
    x = clip("real_hello.wav")
    pcm = (x * 32768).clip(-32768, 32767).astype("<i2").tobytes()
    blocks = list(StdinSource(_TrickleReader(pcm)))
    assert all(len(b) == 480 for b in blocks[:-1])
    np.testing.assert_array_equal(np.concatenate(blocks), x)


def test_wav_replay_is_paced_in_real_time():
    x = clip("real_hello.wav")
    t0 = time.monotonic()
    n = sum(len(b) for b in WavSource(SAMPLES / "real_hello.wav", realtime=True))
    took = time.monotonic() - t0
    assert n == len(x)
    assert len(x) / RATE - 0.02 <= took <= len(x) / RATE + 0.3
    t0 = time.monotonic()
    list(WavSource(SAMPLES / "real_hello.wav", realtime=False))
    assert time.monotonic() - t0 < 0.2


@pytest.mark.parametrize("rate", [44100, 48000, 22050, 8000])
def test_streaming_resampler_equals_the_whole_file_resampler(rate):
    x = resample(clip("real_goodbye.wav"), RATE, rate)
    whole = resample(x, rate, RATE)
    r, rng, parts, i = StreamingResampler(rate, RATE), np.random.default_rng(rate), [], 0
    while i < len(x):
        n = int(rng.integers(1, 2500))
        parts.append(r.push(x[i:i + n]))
        i += n
    streamed = np.concatenate(parts)
    assert len(whole) - 80 <= len(streamed) <= len(whole)  # only the filter's look-ahead is still pending
    np.testing.assert_allclose(streamed, whole[: len(streamed)], atol=1e-5)


# ---- the microphone, through a fake PortAudio -----------------------------------------------------------

class _Flags:
    def __init__(self, overflow=False):
        self.input_overflow = overflow


class FakeSoundDevice:
    """Stands in for the sounddevice module: a device list, and streams fed from a recording by a thread
    (at the device's native rate, in real time), which can drop out and come back."""

    def __init__(self, audio: np.ndarray, rate: int = 44100, devices=None, overflow_every: int = 0):
        self.audio = resample(audio, RATE, rate)
        self.rate = rate
        self.devices = devices if devices is not None else [
            {"name": "HDMI 0 (hw:0,3)", "max_input_channels": 0, "default_samplerate": 48000.0},
            {"name": "USB PnP Sound Device: Audio (hw:1,0)", "max_input_channels": 1, "default_samplerate": float(rate)},
            {"name": "pulse", "max_input_channels": 32, "default_samplerate": 44100.0},
        ]
        self.default = type("D", (), {"device": [1, 0]})()
        self.overflow_every = overflow_every
        self.opens = 0
        self.fail_opens = 0  # the next n opens raise, as for a device that is unplugged
        self.lose_after_s = None  # streams opened now go silent after this long (cable pulled)
        self.pos = 0
        self.streams = []

    def query_devices(self):
        return list(self.devices)

    def InputStream(self, device, channels, samplerate, blocksize, dtype, callback):
        if self.fail_opens:
            self.fail_opens -= 1
            raise RuntimeError("Error opening InputStream: Device unavailable [PaErrorCode -9985]")
        assert samplerate == self.rate and dtype == "float32"
        self.opens += 1
        s = _FakeStream(self, channels, blocksize, callback)
        self.streams.append(s)
        return s


class _FakeStream:
    def __init__(self, sd, channels, blocksize, callback):
        self.sd, self.channels, self.blocksize, self.callback = sd, channels, blocksize, callback
        self.active, self._stop = False, threading.Event()
        self.lose_after_s = sd.lose_after_s  # fixed when opened: a reopened stream may be fine

    def start(self):
        self.active = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        sd, t0, k, done = self.sd, time.monotonic(), 0, 0
        rng = np.random.default_rng(len(sd.streams))
        while not self._stop.is_set():
            if self.lose_after_s is not None and time.monotonic() - t0 > self.lose_after_s:
                return  # no more callbacks: the device is gone
            n = self.blocksize or int(rng.integers(200, 900))  # blocksize 0: the host's choice, varying
            block = sd.audio[sd.pos:sd.pos + n]
            if len(block) < n:
                block = np.concatenate([block, np.zeros(n - len(block), np.float32)])
            sd.pos += n
            k, done = k + 1, done + n
            flags = _Flags(overflow=bool(sd.overflow_every and k % sd.overflow_every == 0))
            self.callback(np.repeat(block[:, None], self.channels, axis=1), n, None, flags)
            time.sleep(max(0.0, t0 + done / sd.rate - time.monotonic()))

    def abort(self):
        self._stop.set()
        self.active = False

    def close(self):
        self._stop.set()


def test_device_chosen_by_name_index_or_default():
    sd = FakeSoundDevice(np.zeros(100, np.float32))
    assert resolve_input_device(sd, None) == (1, "USB PnP Sound Device: Audio (hw:1,0)", 44100)
    assert resolve_input_device(sd, "usb")[0] == 1
    assert resolve_input_device(sd, "PULSE")[0] == 2
    assert resolve_input_device(sd, 2)[0] == 2 and resolve_input_device(sd, "2")[0] == 2


@pytest.mark.parametrize("spec,needle", [
    ("nosuch", "no input device named 'nosuch'; input devices found: 1: 'USB PnP Sound Device: Audio (hw:1,0)', 2: 'pulse'"),
    (0, "no input device with index 0; input devices found: 1: "),  # HDMI is output only
    ("u", "matches several input devices"),
])
def test_bad_device_choice_names_the_devices_found(spec, needle):
    with pytest.raises(SaywellError) as e:
        resolve_input_device(FakeSoundDevice(np.zeros(10, np.float32)), spec)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_no_input_device_at_all_lists_what_was_seen():
    sd = FakeSoundDevice(np.zeros(10, np.float32), devices=[{"name": "HDMI 0", "max_input_channels": 0, "default_samplerate": 48000.0}])
    with pytest.raises(SaywellError, match=r"no audio input device found \(devices seen: 0: 'HDMI 0'\).*--input"):
        MicSource(backend=sd)


def _collect(src: MicSource, seconds: float) -> np.ndarray:
    out, need = [], int(seconds * RATE)
    for b in src.blocks():
        out.append(b)
        if sum(map(len, out)) >= need:
            break
    assert all(len(b) == 480 for b in out)  # 30 ms blocks, whatever size the device delivered
    return np.concatenate(out)


def test_microphone_native_rate_is_resampled_to_16k():
    x = clip("real_three.wav")
    sd = FakeSoundDevice(x, rate=44100)
    with MicSource("usb", backend=sd) as mic:
        got = _collect(mic, len(x) / RATE - 0.05)
    assert mic.native_rate_hz == 44100
    ref = resample(sd.audio, 44100, RATE)[: len(got)]
    np.testing.assert_allclose(got, ref, atol=1e-4)  # the same samples the whole-file path gives
    assert mic.overflows == 0 and mic.take_warnings() == []


def test_overflows_are_counted_and_reported():
    sd = FakeSoundDevice(np.tile(clip("real_hello.wav"), 2), overflow_every=5)
    with MicSource(None, backend=sd) as mic:
        _collect(mic, 0.8)
    warnings = mic.take_warnings()
    assert mic.overflows >= 3
    assert len(warnings) == 1 and "audio input overflow" in warnings[0] and "lost" in warnings[0]


def test_lost_device_is_retried_with_backoff_and_reported():
    x = np.tile(clip("real_seven.wav"), 3)
    sd = FakeSoundDevice(x)
    sd.lose_after_s = 0.3
    mic = MicSource("usb", backend=sd, retry_delays_s=(0.05, 0.1, 0.2), stall_s=0.3, start_timeout_s=0.3)
    blocks = mic.blocks()
    got = [next(blocks) for _ in range(5)]
    assert sd.streams[0].blocksize == 0  # the host picks the callback size
    sd.lose_after_s, sd.fail_opens = None, 1  # unplugged: the first reopen fails, the second works
    t0 = time.monotonic()
    while sum(len(b) for b in got) < 45 * 480:  # would hang without recovery
        got.append(next(blocks))
    mic.close()
    warnings = mic.take_warnings()
    assert mic.gaps == 1 and sd.opens == 2
    assert "stopped sending audio; retrying in 0.05 s (attempt 1 of 3)" in warnings[0]
    assert "is not back" in warnings[1] and "retrying in 0.1 s (attempt 2 of 3)" in warnings[1]
    assert warnings[-1].endswith("is back; say the word again")
    assert time.monotonic() - t0 >= 0.3 + 0.05 + 0.1  # stall detection plus the back-off waits
    # While it waits, the source hands back empty blocks so the caller can show the warnings and read keys.
    assert {len(b) for b in got} == {0, 480}


def test_device_that_never_comes_back_ends_with_one_clear_error():
    sd = FakeSoundDevice(clip("real_seven.wav"))
    sd.lose_after_s = 0.1
    mic = MicSource("usb", backend=sd, retry_delays_s=(0.01, 0.02), stall_s=0.2, start_timeout_s=0.2)
    mic.start()
    sd.fail_opens = 99
    with pytest.raises(SaywellError, match=r"lost and not back after 2 attempts over 0.03 s; check its cable"):
        for _ in mic.blocks():
            pass


# ---- voice activity detection ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["real_hello.wav", "real_goodbye.wav", "real_three.wav", "joe_think_as_sink.wav"])
@pytest.mark.parametrize("noise_dbfs", [-70.0, -45.0])
def test_utterance_boundaries_cover_the_speech(name, noise_dbfs):
    x = clip(name)
    y = in_noise(x, noise_dbfs)
    events, vad = run_vad(y)
    kinds = [e.kind for e in events]
    assert kinds == ["start", "end"], kinds
    start, end = events
    s, e = speech_span(x)
    lead = 80
    assert start.audio_frame <= lead + s  # pre-roll reaches back over the weak first sound
    assert lead + s - 5 <= start.speech_frame <= lead + s + 15  # onset found within 150 ms of the speech
    assert end.audio_frame >= lead + e  # nothing cut at the end
    assert end.audio_frame - end.speech_frame == vad._hangover - 1 + 1  # decided after the hangover
    assert lead + e - 25 <= end.speech_frame <= lead + e + 8
    assert end.warnings == ()


def test_noise_floor_adapts_to_the_room():
    x = clip("real_seven.wav")
    quiet_room, _ = run_vad(in_noise(x, -70.0))
    events, vad = run_vad(in_noise(x * 0.5, -38.0, lead_s=2.0))  # a loud fan, the learner a bit quieter
    assert [e.kind for e in events] == ["start", "end"]
    band_noise = float(np.median(frame_levels(in_noise(np.zeros(0, np.float32), -38.0)[:16000].reshape(-1, HOP), vad.cfg)))
    assert abs(vad.floor_dbfs - band_noise) < 3.0
    # The same fan with nobody speaking starts nothing: the threshold moved up with the floor.
    events, _ = run_vad(in_noise(np.zeros(5 * RATE, np.float32), -38.0, seed=3))
    assert events == []
    # A floor fixed for a quiet room would have fired on the fan all the time.
    fixed = Vad(VadConfig(floor_max_dbfs=-80.0))
    events, _ = run_vad(in_noise(np.zeros(2 * RATE, np.float32), -38.0, seed=3), fixed)
    assert events and events[0].kind == "start"


def test_events_do_not_depend_on_how_frames_are_batched():
    y = in_noise(np.concatenate([clip("real_hello.wav"), np.zeros(8000, np.float32), clip("real_three.wav")]), -50.0)
    runs = [run_vad(y, batch=b)[0] for b in (1, 7, 1000)]
    assert runs[0] == runs[1] == runs[2]
    assert [e.kind for e in runs[0]] == ["start", "end", "start", "end"]


def test_too_quiet_is_reported():
    events, _ = run_vad(in_noise(clip("real_hello.wav") * 0.01, -75.0))  # peaks near -50 dBFS
    assert [e.kind for e in events] == ["start", "end"] and TOO_QUIET in events[1].warnings


def test_clipping_is_reported():
    events, _ = run_vad(in_noise(np.clip(clip("real_hello.wav") * 6, -1, 1), -60.0))
    assert [e.kind for e in events] == ["start", "end"] and events[1].warnings == (CLIPPED,)


def test_a_click_is_too_short_and_not_scored():
    x = clip("real_goodbye.wav")
    s, _ = speech_span(x)
    burst = x[(s + 10) * HOP:(s + 19) * HOP]  # 90 ms of the vowel: a cough, not a word
    events, _ = run_vad(in_noise(burst, -65.0))
    assert [e.kind for e in events] == ["start", "discard"] and TOO_SHORT in events[1].warnings


def test_talking_on_is_too_long_and_not_scored():
    talk = np.concatenate([clip(n) for n in ("real_hello.wav", "real_seven.wav", "real_three.wav", "real_goodbye.wav")] * 2)
    events, vad = run_vad(in_noise(talk, -60.0), Vad(VadConfig(max_speech_s=4.0)))
    assert events[0].kind == "start" and events[1].kind == "discard" and TOO_LONG in events[1].warnings
    assert events[1].audio_frame - events[0].speech_frame == 400


def test_sound_too_quiet_to_start_speech_is_reported():
    x = clip("real_goodbye.wav") * 10 ** (-52 / 20) / 0.7  # audible, below min_speech_dbfs at its peak
    events, _ = run_vad(in_noise(np.tile(x, 2), -85.0, lead_s=0.5))
    assert [e.kind for e in events] == ["quiet"] and events[0].warnings == (TOO_QUIET,)


def test_speech_from_the_first_frame_is_decided_again_once_the_room_is_heard():
    """The first 100 ms measure the room; when they were speech, the floor is redone once the level falls far below."""
    x = clip("real_three.wav")
    s, e = speech_span(x)
    y = in_noise(x[s * HOP:], -65.0, lead_s=0.0)  # the stream starts with the word
    events, vad = run_vad(y)
    kinds = [ev.kind for ev in events]  # a start mid-word may come first: the later start replaces it
    assert kinds in (["start", "end"], ["start", "start", "end"]) and events[-1].warnings == ()
    assert events[-2].audio_frame == 0 and events[-2].speech_frame <= 2  # the whole word, from its first frame
    assert events[-1].audio_frame >= e - s and vad.floor_dbfs < -60  # the floor is the room's, not the word's


def test_a_knock_at_the_start_is_too_short_and_the_word_after_it_is_heard():
    x = clip("real_goodbye.wav")
    s, _ = speech_span(x)
    knock = x[(s + 10) * HOP:(s + 17) * HOP]  # 70 ms, loud: the first frames the VAD measures
    events, _ = run_vad(np.concatenate([in_noise(knock, -65.0, lead_s=0.0, tail_s=0.6), in_noise(x, -65.0, seed=1)]))
    assert [ev.kind for ev in events] == ["start", "discard", "start", "end"]
    assert events[1].warnings == (TOO_SHORT,)  # one reason, not 'too quiet' and 'too short' at once
    assert events[3].warnings == ()


def test_steady_noise_from_the_first_frame_stays_the_room_to_the_end():
    for dbfs in (-45.0, -30.0):  # loud enough that the first floor is provisional
        events, vad = run_vad(in_noise(np.zeros(3 * RATE, np.float32), dbfs, lead_s=0.0, seed=4))
        assert events == [] and not vad.in_speech
