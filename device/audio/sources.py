"""Where practice audio comes from: a microphone, a WAV replayed as if it were one, or raw PCM on stdin.

Every source yields the same thing (float32 mono blocks at 16 kHz, block_ms long; only the last block of a
finite input may be shorter, and a microphone waiting for a lost device yields empty blocks so its caller
can show the warnings and read keys meanwhile), so everything downstream is tested on files without hardware.
"""

from __future__ import annotations

import contextlib
import os
import queue
import struct
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from .wav import Audio, load_wav
from ..errors import SaywellError

RATE_HZ = 16000
BLOCK_MS = 30.0


class AudioSource:
    """Base: iterate for blocks; warnings (overflows, a lost device) are collected for the caller to show."""

    live = False  # audio arrives in real time and keeps coming while the learner reads the result
    name = "audio"

    def __init__(self, block_ms: float = BLOCK_MS, sample_rate_hz: int = RATE_HZ):
        self.sample_rate_hz = sample_rate_hz
        self.block_samples = max(1, int(round(sample_rate_hz * block_ms / 1000)))
        self.overflows = 0  # blocks of input lost because nobody read them in time
        self.gaps = 0  # times the audio was interrupted (device lost and reopened): an utterance across one is void
        self._warnings: list[str] = []

    def blocks(self) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[np.ndarray]:
        return self.blocks()

    def start(self) -> None:
        """Open the device now (errors surface before the learner is told to speak)."""

    def take_warnings(self) -> list[str]:
        out, self._warnings = self._warnings, []
        return out

    def discard_pending(self) -> None:
        """Drop audio that queued up while nobody listened (a live source only)."""

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Blocker:
    """Cuts a stream of arrays of any length into blocks of exactly n samples."""

    def __init__(self, n: int):
        self.n = n
        self._parts: list[np.ndarray] = []
        self._have = 0

    def push(self, x: np.ndarray) -> list[np.ndarray]:
        if len(x):
            self._parts.append(np.asarray(x, np.float32))
            self._have += len(x)
        if self._have < self.n:
            return []
        buf = np.concatenate(self._parts)
        k = len(buf) // self.n
        out = [buf[i * self.n:(i + 1) * self.n] for i in range(k)]
        rest = buf[k * self.n:]
        self._parts, self._have = ([rest] if len(rest) else []), len(rest)
        return out

    def clear(self) -> None:
        self._parts, self._have = [], 0

    def rest(self) -> np.ndarray:
        """What is left short of a block (at the end of a finite stream)."""
        out = np.concatenate(self._parts) if self._parts else np.zeros(0, np.float32)
        self.clear()
        return out


class WavSource(AudioSource):
    """A recording replayed as a microphone: in real time (default) or as fast as possible."""

    def __init__(self, audio: str | Path | Audio, realtime: bool = True, block_ms: float = BLOCK_MS):
        super().__init__(block_ms)
        if isinstance(audio, Audio):
            self.audio, self.name = audio, "audio"
        else:
            self.audio, self.name = load_wav(audio, self.sample_rate_hz), str(audio)
        self.realtime = realtime
        self.live = realtime

    def blocks(self) -> Iterator[np.ndarray]:
        x, n, rate = self.audio.samples, self.block_samples, self.sample_rate_hz
        t0 = time.monotonic()
        for i in range(0, len(x), n):
            block = x[i:i + n]
            if self.realtime:  # a block is ready once the last of its samples has been 'recorded'
                delay = t0 + (i + len(block)) / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            yield block


class StdinSource(AudioSource):
    """Audio on stdin, as it comes: raw PCM, s16le mono 16 kHz (`arecord -q -t raw -f S16_LE -r 16000 -c 1 |
    saywell practice --input -`), or a WAV stream (arecord's default, `ffmpeg -i IN -f wav -`), recognised by its
    RIFF header, whose samples are mixed to mono and resampled to 16 kHz. A streamed WAV's sizes are placeholders
    (the writer does not know them yet), so only its format is read from the header."""

    name = "stdin"

    def __init__(self, stream: BinaryIO | None = None, block_ms: float = BLOCK_MS):
        super().__init__(block_ms)
        self.stream = stream

    def blocks(self) -> Iterator[np.ndarray]:
        f = self.stream if self.stream is not None else sys.stdin.buffer
        head = _read_full(f, 12)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            yield from self._wav_blocks(f, _stream_wav_header(f))
            return
        want = 2 * self.block_samples
        data = bytearray(head)
        while True:
            if len(data) < want:
                data += _read_full(f, want - len(data))
            usable = len(data) - len(data) % 2
            if usable:
                yield np.frombuffer(bytes(data[:usable]), "<i2").astype(np.float32) / 32768.0
            if len(data) < want:
                return
            data = bytearray()

    def _wav_blocks(self, f: BinaryIO, info) -> Iterator[np.ndarray]:
        from .wav import _decode

        resampler, blocker = StreamingResampler(info.rate_hz, self.sample_rate_hz), _Blocker(self.block_samples)
        want = max(1, self.block_samples * info.rate_hz // self.sample_rate_hz) * info.block_align
        while True:
            raw = _read_full(f, want)
            whole = len(raw) - len(raw) % info.block_align
            if whole:
                yield from blocker.push(resampler.push(_decode(raw[:whole], info).mean(axis=1)))
            if len(raw) < want:
                break
        rest = blocker.rest()
        if len(rest):
            yield rest


def _read_full(f: BinaryIO, n: int) -> bytes:
    """n bytes, fewer only at the end of the stream (a pipe hands them over in pieces)."""
    data = bytearray()
    while len(data) < n:
        chunk = f.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _stream_wav_header(f: BinaryIO, max_skip: int = 1 << 20):
    """The format of a WAV on a stream, read up to its data chunk (other chunks are read past, up to max_skip bytes)."""
    from .wav import _checked

    fmt, skipped = None, 0
    while True:
        hdr = _read_full(f, 8)
        if len(hdr) < 8:
            raise SaywellError("stdin: the WAV stream ended before its audio; send the whole file, or raw s16le mono 16 kHz PCM")
        cid, size = hdr[:4], int.from_bytes(hdr[4:], "little")
        if cid == b"data":
            if fmt is None:
                break
            return _checked(fmt, 0, 0, 0, "stdin", float("inf"))
        skipped += size + (size & 1)
        if skipped > max_skip:
            break
        body = _read_full(f, size + (size & 1))
        if cid == b"fmt ":
            if len(body) < 16:
                break
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the sub-format's tag
                fmt = (struct.unpack("<H", body[24:26])[0],) + fmt[1:]
    raise SaywellError("stdin: corrupt WAV stream (no fmt chunk before the audio); send raw s16le mono 16 kHz PCM instead, "
                       "e.g. `ffmpeg -i IN -f s16le -ar 16000 -ac 1 -`")


class StreamingResampler:
    """The Kaiser-windowed sinc of audio.resample, as a polyphase filter over a stream.

    Rates are rational, so output k sits at input position k*q/p: p phases, each with its own precomputed
    taps. Fed in pieces, it gives what audio.resample gives on the whole signal (up to round-off).
    """

    def __init__(self, rate_in: int, rate_out: int = RATE_HZ):
        r = Fraction(int(rate_out), int(rate_in))
        self.p, self.q = r.numerator, r.denominator  # ratio = p / q
        self.identity = rate_in == rate_out
        ratio = rate_out / rate_in
        cutoff = min(1.0, ratio) * 0.95
        self.half = half = 24 if ratio >= 1 else int(np.ceil(24 / ratio))
        self.offsets = np.arange(-half + 1, half + 1)
        w = np.kaiser(2 * half + 1, 8.0)
        d = (np.arange(self.p) / self.p)[:, None] - self.offsets[None, :]  # phase fraction minus tap offset
        win = np.interp(d, np.linspace(-half, half, 2 * half + 1), w, left=0.0, right=0.0)
        self.taps = cutoff * np.sinc(cutoff * d) * win  # (p, 2*half)
        self._buf = np.zeros(half, np.float64)  # zeros before the first sample, as audio.resample pads
        self._buf_start = -half  # input index of _buf[0]
        self._k = 0  # next output index

    def push(self, x: np.ndarray) -> np.ndarray:
        if self.identity:
            return np.asarray(x, np.float32)
        self._buf = np.concatenate([self._buf, np.asarray(x, np.float64)])
        n_in = self._buf_start + len(self._buf)  # input samples seen
        # Output k needs inputs up to floor(k*q/p) + half.
        k_end = max(self._k, ((n_in - self.half) * self.p + self.q - 1) // self.q)
        if k_end <= self._k:
            return np.zeros(0, np.float32)
        ks = np.arange(self._k, k_end)
        base = (ks * self.q) // self.p
        phase = (ks * self.q) % self.p
        idx = base[:, None] + self.offsets[None, :] - self._buf_start
        y = np.einsum("ij,ij->i", self._buf[idx], self.taps[phase])
        self._k = k_end
        keep_from = (k_end * self.q) // self.p - self.half + 1  # first input the next output needs
        drop = max(0, keep_from - self._buf_start)
        self._buf, self._buf_start = self._buf[drop:], self._buf_start + drop
        return y.astype(np.float32)


NATIVE_NOISE = (b"ALSA lib ", b"Expression '", b"Cannot connect to server", b"jack server", b"JackShm", b"Jack: ")


@contextlib.contextmanager
def native_messages_filtered(prefixes: tuple[bytes, ...] = NATIVE_NOISE):
    """Drops the diagnostics ALSA, PortAudio and JACK print straight to fd 2; everything else passes.

    On a Raspberry Pi, opening PortAudio alone prints a dozen 'ALSA lib' lines, and a lost device a few
    'Expression ... failed'; a learner should only see saywell's own messages (which say the same, usefully).
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2: nothing to filter
        yield
        return
    r, w = os.pipe()
    os.dup2(w, 2)
    os.close(w)

    def pump() -> None:
        with os.fdopen(r, "rb") as f:
            for line in f:
                if not line.startswith(prefixes):
                    os.write(saved, line)

    t = threading.Thread(target=pump, name="stderr-filter", daemon=True)
    t.start()
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last write end closes: the pump sees its end
        t.join(timeout=1.0)
        os.close(saved)


def import_sounddevice():
    try:
        import sounddevice
    except OSError as e:  # the module loads, PortAudio itself is missing
        raise SaywellError(f"the microphone needs the PortAudio library ({e}); install it: apt-get install libportaudio2") from e
    except ImportError as e:
        raise SaywellError("the microphone needs the `sounddevice` package; install the device extra: pip install '.[device]'") from e
    return sounddevice


def _listing(devices: list[tuple[int, dict]]) -> str:
    return ", ".join(f"{i}: {d['name']!r}" for i, d in devices) or "none"


def resolve_input_device(sd, spec: str | int | None) -> tuple[int, str, int]:
    """(index, name, native rate) of the input device given by index, by (part of its) name, or the default."""
    try:
        devices = list(enumerate(sd.query_devices()))
    except Exception as e:  # PortAudio errors are not SaywellErrors, and must not become tracebacks
        raise SaywellError(f"cannot list audio devices ({e}); check that the sound system is running") from e
    inputs = [(i, d) for i, d in devices if d["max_input_channels"] > 0]
    if not inputs:
        raise SaywellError(f"no audio input device found (devices seen: {_listing(devices)}); "
                           "plug in a microphone, or practise from a recording with --input FILE.wav")
    if spec is None or spec == "":
        try:
            default = sd.default.device[0]
        except (TypeError, IndexError, AttributeError):
            default = -1
        chosen = [(i, d) for i, d in inputs if i == default] or inputs[:1]
    elif isinstance(spec, int) or str(spec).strip().isdigit():
        chosen = [(i, d) for i, d in inputs if i == int(spec)]
        if not chosen:
            raise SaywellError(f"no input device with index {spec}; input devices found: {_listing(inputs)}")
    else:
        want = str(spec).strip().lower()
        chosen = [(i, d) for i, d in inputs if d["name"].lower() == want]
        if not chosen:
            chosen = [(i, d) for i, d in inputs if want in d["name"].lower()]
        if not chosen:
            raise SaywellError(f"no input device named {spec!r}; input devices found: {_listing(inputs)}")
        if len(chosen) > 1:
            raise SaywellError(f"{spec!r} matches several input devices ({_listing(chosen)}); give its index with --device")
    i, d = chosen[0]
    return i, d["name"], int(round(d["default_samplerate"]))


class MicSource(AudioSource):
    """A microphone through sounddevice at its native rate, resampled to 16 kHz.

    PortAudio's callback only queues audio; resampling and everything else happen on the reading side. A
    device that stops delivering (unplugged, driver reset) is reopened with back-off; the break is counted
    in `gaps` so an utterance spanning it is dropped rather than scored.
    """

    live = True

    def __init__(self, device: str | int | None = None, block_ms: float = BLOCK_MS, backend=None,
                 retry_delays_s: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0), stall_s: float = 1.5,
                 start_timeout_s: float = 5.0):
        super().__init__(block_ms)
        self.sd = backend if backend is not None else import_sounddevice()
        self.block_ms = block_ms
        self.retry_delays_s = retry_delays_s
        self.stall_s = stall_s  # no audio for this long: the device is lost
        self.start_timeout_s = start_timeout_s  # a device just opened may take longer to deliver
        self.index, self.name, self.native_rate_hz = resolve_input_device(self.sd, device)
        self._queue: queue.Queue = queue.Queue()
        self._queued = 0  # samples in the queue, kept under 2 s: beyond that the reader is not keeping up
        self._lock = threading.Lock()
        self._blocker = _Blocker(self.block_samples)
        self._stream = None
        self._prefetched: list[np.ndarray] = []
        self._channels = 1
        self._xruns = 0  # overflows PortAudio reported (written by the audio thread)
        self._dropped = 0  # blocks the reader was too slow for (written by the audio thread)
        self._reported = 0
        self._reported_at = 0.0

    def _callback(self, indata, frames, time_info, status) -> None:
        if getattr(status, "input_overflow", False):
            self._xruns += 1
        with self._lock:
            if self._queued + len(indata) > 2 * self.native_rate_hz:
                self._dropped += 1
                return
            self._queued += len(indata)
        self._queue.put_nowait(indata[:, 0].copy() if self._channels == 1 else indata.mean(axis=1))

    def _get(self, timeout: float) -> np.ndarray:
        x = self._queue.get(timeout=timeout)
        with self._lock:
            self._queued -= len(x)
        return x

    def _open(self) -> None:
        rate = self.native_rate_hz
        self._resampler = StreamingResampler(rate, self.sample_rate_hz)
        last = None
        for channels in (1, 2):  # a device that refuses mono is read in stereo and mixed down
            self._channels = channels
            try:
                # blocksize 0: whatever the host delivers best (measured on ALSA's pulse plugin, a fixed
                # size could hold the first callback back by ~2 s); the blocker makes 30 ms blocks of it.
                stream = self.sd.InputStream(device=self.index, channels=channels, samplerate=rate,
                                             blocksize=0, dtype="float32", callback=self._callback)
                stream.start()
                self._stream = stream
                return
            except Exception as e:  # sounddevice.PortAudioError, or a ValueError for an impossible setting
                last = e
                if "channel" not in str(e).lower():
                    break
        raise SaywellError(f"could not open microphone {self.name!r} at {rate} Hz ({last}); "
                           "is another program using it? Choose another with --device")

    def start(self) -> None:
        """Open the device and wait for its first audio: 'listening' must mean the learner is heard."""
        if self._stream is not None:
            return
        self._open()
        try:
            self._prefetched.append(self._get(self.start_timeout_s))
        except queue.Empty:
            self._close_stream()
            raise SaywellError(f"microphone {self.name!r} opened but sent no audio in {self.start_timeout_s:g} s; "
                               "check it is not muted or used by another program, or choose another with --device") from None

    def _close_stream(self) -> None:
        s, self._stream = self._stream, None
        if s is not None:
            try:
                s.abort()
                s.close()
            except Exception:  # a lost device can fail to close; nothing more to do with it
                pass

    def close(self) -> None:
        self._close_stream()

    def discard_pending(self) -> None:
        self._prefetched.clear()
        while True:
            try:
                self._get(0)
            except queue.Empty:
                break
        self._blocker.clear()

    def _note_overflows(self) -> None:
        self.overflows = self._xruns + self._dropped
        now = time.monotonic()
        if self.overflows > self._reported and now - self._reported_at >= 2.0:
            self._warnings.append(f"audio input overflow: {self.overflows} block(s) of audio lost so far "
                                  "(the computer is too busy; close other programs)")
            self._reported, self._reported_at = self.overflows, now

    def _recover(self, why: str) -> Iterator[np.ndarray]:
        """Reopen the device (by name: its index may change when it comes back), waiting longer each time.

        It counts as back only once audio flows again: a stream can open on a server that is still down.
        Empty blocks are yielded meanwhile, so the caller can show the warnings and read keys at once.
        """
        self.gaps += 1
        self._close_stream()
        self.discard_pending()
        waited = 0.0
        for attempt, delay in enumerate(self.retry_delays_s, 1):
            self._warnings.append(f"microphone {self.name!r} {why}; retrying in {delay:g} s "
                                  f"(attempt {attempt} of {len(self.retry_delays_s)})")
            until = time.monotonic() + delay
            while True:
                yield np.zeros(0, np.float32)
                left = until - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(0.1, left))
            waited += delay
            try:
                if hasattr(self.sd, "_terminate"):  # PortAudio lists devices once per initialisation
                    self.sd._terminate()
                    self.sd._initialize()
                self.index, self.name, self.native_rate_hz = resolve_input_device(self.sd, self.name)
                self._open()
                first = self._get(self.start_timeout_s)
            except SaywellError as e:
                why = f"is not back ({e})"
                continue
            except queue.Empty:
                self._close_stream()
                why = "opened again but sends no audio"
                continue
            self._prefetched.append(first)
            self._warnings.append(f"microphone {self.name!r} is back; say the word again")
            return
        raise SaywellError(f"microphone {self.name!r} lost and not back after {len(self.retry_delays_s)} attempts "
                           f"over {waited:g} s; check its cable, then start practice again")

    def blocks(self) -> Iterator[np.ndarray]:
        self.start()
        while True:
            try:
                x = self._prefetched.pop() if self._prefetched else self._get(self.stall_s)
            except queue.Empty:
                active = self._stream is not None and getattr(self._stream, "active", True)
                yield from self._recover("stopped sending audio" if active else "stopped (its audio stream ended)")
                continue
            self._note_overflows()
            yield from self._blocker.push(self._resampler.push(x))
