"""WAV input: reads PCM/float WAV files, mixes to mono, resamples to the model's rate.

A RIFF reader of our own (not the stdlib `wave`) so float WAVs and WAVE_FORMAT_EXTENSIBLE
files from phones and laptops load too; every failure is a SaywellError naming the fix.

Memory and time are bounded before anything is allocated (docs/contract.md, Limits): only a regular
file is opened, the header is read on its own and checked (rate, channels, block align, the data
chunk's size against the file's), audio longer than MAX_AUDIO_S is refused from the header alone,
and the samples are read, converted and mixed down a slice at a time.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import SaywellError

_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_ENCODINGS = {(_PCM, 8), (_PCM, 16), (_PCM, 24), (_PCM, 32), (_FLOAT, 32), (_FLOAT, 64)}

# A word or a sentence of a word list takes 1-5 s. Scoring 30 s peaks at ~110 MB RSS with the shipped
# model (60 s: ~165 MB, over the 150 MB a Pi's kiosk and teacher page can spare together).
MAX_AUDIO_S = 30.0
MIN_RATE_HZ, MAX_RATE_HZ = 8000, 192000  # telephone to studio rates
MAX_CHANNELS = 32
_MAX_CHUNKS = 1000  # chunks walked before the audio; a real file has a handful
_SLICE_BYTES = 1 << 20  # samples are read and converted this much at a time
_FLOAT_CEILING = 1e30  # float samples beyond this are clipped on reading so sums stay finite; load_wav rescales
_RESAMPLE_ELEMENTS = 1 << 18  # a resampling block's (outputs x taps) arrays, ~2 MB each in float64
_CONVERT = "convert it with `ffmpeg -i IN -ar 16000 -ac 1 -c:a pcm_s16le OUT.wav`"


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate_hz: int
    notes: tuple[str, ...] = ()  # conversions applied (downmix, resample), for the user

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz


@dataclass(frozen=True)
class WavInfo:
    """A checked header: everything needed to read the samples without trusting the file any further."""

    encoding: int  # _PCM or _FLOAT (an EXTENSIBLE file's sub-format)
    channels: int
    rate_hz: int
    bits: int
    block_align: int
    data_offset: int
    data_bytes: int  # the data chunk's bytes that are in the file: its declared size, cut at the end of the file
    declared_bytes: int

    @property
    def frames(self) -> int:
        return self.data_bytes // self.block_align

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate_hz


def short_name(name: str, keep: int = 120) -> str:
    """A path as an error message shows it: a 100,000-character path must not make a 100,000-character line."""
    return name if len(name) <= keep else f"{name[:keep // 2]}...{name[-keep // 2:]}"


def _os_problem(name: str, e: OSError) -> SaywellError:
    if e.errno in (errno.EACCES, errno.EPERM):
        return SaywellError(f"{name}: permission denied; make the file readable (chmod a+r) or copy it where you can read it")
    if e.errno == errno.ENAMETOOLONG:
        return SaywellError(f"{name}: path too long for the file system; shorten it")
    return SaywellError(f"{name}: cannot read it ({e.strerror or e}); check the path, the file and the disk")


def _refuse_special(mode: int, name: str, noun: str) -> None:
    """Only a regular file has an end: a FIFO blocks forever, /dev/zero never ends, opening some devices acts."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise SaywellError(f"{name}: is a folder; give the path of the {noun} file inside it")
    kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
        else "a socket" if stat.S_ISSOCK(mode) else "not a file"
    raise SaywellError(f"{name}: is {kind}, not a regular file; save the {noun} to a file and give its path")


def open_regular(path: Path, noun: str = "audio") -> tuple[BinaryIO, int]:
    """The file opened for reading and its size; anything but a regular file is refused before it is opened."""
    name = short_name(str(path))
    try:
        _refuse_special(os.stat(path).st_mode, name, noun)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SaywellError(f"{name}: {noun} file not found; check the path") from None
    except ValueError:  # os.stat: "embedded null byte"
        raise SaywellError(f"{name!r}: the path contains a NUL character; check the path") from None
    except OSError as e:
        raise _os_problem(name, e) from None
    f = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):  # replaced between the check and the open
        f.close()
        _refuse_special(st.st_mode, name, noun)
    return f, st.st_size


def _read(f: BinaryIO, n: int, name: str) -> bytes:
    try:
        return f.read(n)
    except OSError as e:
        raise _os_problem(name, e) from None


def read_header(f: BinaryIO, size: int, name: str, max_seconds: float = MAX_AUDIO_S) -> WavInfo:
    """Walks the chunks up to the data chunk reading only their headers (and fmt), then checks what they say."""
    head = _read(f, 12, name)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise SaywellError(f"{name}: not a WAV file (no RIFF/WAVE header); convert it with e.g. `ffmpeg -i IN -ar 16000 -ac 1 OUT.wav`")
    pos, fmt = 12, None
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > size:
            break
        f.seek(pos)
        hdr = _read(f, 8, name)
        if len(hdr) < 8:
            break
        cid, csize = hdr[:4], struct.unpack("<I", hdr[4:])[0]
        if cid == b"fmt ":
            body = _read(f, min(csize, 40), name)
            if len(body) < 16:
                raise SaywellError(f"{name}: corrupt WAV (fmt chunk too short); re-record or re-export the file")
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == _EXTENSIBLE and len(body) >= 26:
                fmt = (struct.unpack("<H", body[24:26])[0],) + fmt[1:]
        elif cid == b"data":
            if fmt is None:
                break
            return _checked(fmt, pos + 8, csize, size, name, max_seconds)
        pos += 8 + csize + (csize & 1)
    else:
        raise SaywellError(f"{name}: corrupt WAV (over {_MAX_CHUNKS} chunks before the audio); re-record or re-export the file")
    raise SaywellError(f"{name}: corrupt WAV (missing fmt or data chunk); re-record or re-export the file")


def _checked(fmt: tuple, offset: int, declared: int, size: int, name: str, max_seconds: float) -> WavInfo:
    tag, channels, rate, _, block_align, bits = fmt
    if (tag, bits) not in _ENCODINGS:
        raise SaywellError(f"{name}: unsupported WAV encoding (format {tag}, {bits} bit); {_CONVERT}")
    if channels < 1:
        raise SaywellError(f"{name}: corrupt WAV header (0 channels); re-record or re-export the file")
    if channels > MAX_CHANNELS:
        raise SaywellError(f"{name}: {channels} channels, more than the {MAX_CHANNELS} saywell mixes down; {_CONVERT}")
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise SaywellError(f"{name}: sample rate {rate} Hz is outside the {MIN_RATE_HZ}-{MAX_RATE_HZ} Hz saywell reads; {_CONVERT}")
    if block_align != channels * bits // 8:
        raise SaywellError(f"{name}: corrupt WAV header (block align {block_align} bytes, but {channels} channel(s) of "
                           f"{bits} bit take {channels * bits // 8}); re-export the file, or {_CONVERT}")
    info = WavInfo(tag, channels, rate, bits, block_align, offset, min(declared, max(0, size - offset)), declared)
    if info.duration_s > max_seconds:
        raise SaywellError(f"{name}: {info.duration_s:.1f} s of audio, longer than the {max_seconds:g} s saywell scores; "
                           f"cut it to the word or sentence, e.g. `ffmpeg -i IN -t {max_seconds:g} OUT.wav`")
    return info


def _decode(raw: bytes, info: WavInfo) -> np.ndarray:
    """Whole frames of raw bytes -> float32 (frames, channels) in [-1, 1]."""
    enc, bits = info.encoding, info.bits
    if enc == _PCM and bits == 16:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif enc == _PCM and bits == 8:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif enc == _PCM and bits == 24:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v)).astype(np.float32) / float(1 << 23)
    elif enc == _PCM and bits == 32:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648.0
    else:
        x = np.frombuffer(raw, "<f4" if bits == 32 else "<f8").astype(np.float64)
        x = np.clip(np.where(np.isfinite(x), x, np.nan), -_FLOAT_CEILING, _FLOAT_CEILING)  # NaN: refused in load_wav
    return x.reshape(-1, info.channels)


def read_mono(f: BinaryIO, info: WavInfo, name: str) -> np.ndarray:
    """float32 mono at the file's rate, read and mixed down a slice at a time (a file that shrank: what is left)."""
    out = np.empty(info.frames, np.float32)
    per = max(1, _SLICE_BYTES // info.block_align)
    f.seek(info.data_offset)
    done = 0
    while done < info.frames:
        want = min(per, info.frames - done)
        raw = _read(f, want * info.block_align, name)
        k = len(raw) // info.block_align
        out[done:done + k] = _decode(raw[:k * info.block_align], info).mean(axis=1)
        done += k
        if k < want:
            break
    return out[:done]


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling (Kaiser-windowed sinc), numpy only.

    Output blocks are sized so each (outputs x taps) array stays near 2 MB whatever the ratio: 10 MHz in
    would otherwise need gigabytes per block.
    """
    if rate_in == rate_out or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    x = np.asarray(x, np.float32)
    ratio = rate_out / rate_in
    cutoff = min(1.0, ratio) * 0.95  # fraction of the input Nyquist kept
    half = 24 if ratio >= 1 else int(np.ceil(24 / ratio))  # taps per side, in input samples
    n_out = int(np.floor(len(x) * ratio))
    out = np.empty(n_out, dtype=np.float32)
    beta = 8.0
    w = np.kaiser(2 * half + 1, beta)  # symmetric window sampled by distance
    grid = np.linspace(-half, half, 2 * half + 1)
    offsets = np.arange(-half + 1, half + 1)
    rows = max(1, min(4096, _RESAMPLE_ELEMENTS // (2 * half)))
    for start in range(0, n_out, rows):
        tt = np.arange(start, min(start + rows, n_out)) / ratio  # output times in input samples
        base = np.floor(tt).astype(np.int64)
        taps = base[:, None] + offsets[None, :]
        d = tt[:, None] - taps
        win = np.interp(d, grid, w, left=0.0, right=0.0)
        h = cutoff * np.sinc(cutoff * d) * win
        lo, hi = int(taps[0, 0]), int(taps[-1, -1]) + 1  # inputs this block needs; zeros outside the signal
        seg = np.zeros(hi - lo, np.float32)
        seg[max(lo, 0) - lo:min(hi, len(x)) - lo] = x[max(lo, 0):min(hi, len(x))]
        out[start:start + len(tt)] = np.sum(seg[taps - lo] * h, axis=1)
    return out


def load_wav(path: str | Path, target_rate_hz: int = 16000, max_seconds: float = MAX_AUDIO_S) -> Audio:
    """Load a WAV as float32 mono at the target rate; stereo is mixed down, other rates resampled.

    Refused before reading the samples: anything but a regular file, a header that does not add up, and
    audio longer than max_seconds (memory and time grow with it).
    """
    p = Path(path)
    name = short_name(str(p))
    f, size = open_regular(p)
    with f:
        if size == 0:
            raise SaywellError(f"{name}: empty file (0 bytes); record the audio again")
        info = read_header(f, size, name, max_seconds)
        x = read_mono(f, info, name)
    notes = []
    if info.data_bytes < info.declared_bytes:
        notes.append(f"the data chunk declares {info.declared_bytes} bytes but the file holds {info.data_bytes}: read those")
    if info.channels > 1:
        notes.append(f"mixed {info.channels} channels to mono")
    if len(x) == 0:
        raise SaywellError(f"{name}: WAV has no audio samples; record the audio again")
    if info.encoding != _PCM:
        if np.isnan(x).any():
            raise SaywellError(f"{name}: float WAV holds NaN or infinite samples, so the file is damaged; "
                               "export or record it again")
        if (peak := float(np.abs(x).max())) > 1.0:  # float files may exceed full scale; the model expects [-1, 1]
            x = (x / peak).astype(np.float32)
            notes.append(f"float samples reach {peak:.3g} times full scale: scaled down to fit")
    if info.rate_hz != target_rate_hz:
        notes.append(f"resampled {info.rate_hz} Hz to {target_rate_hz} Hz")
        x = resample(x, info.rate_hz, target_rate_hz)
    return Audio(samples=x, sample_rate_hz=target_rate_hz, notes=tuple(notes))


def wav_bytes(samples: np.ndarray, rate_hz: int = 16000) -> bytes:
    """A whole 16-bit PCM mono WAV file in memory (for writing it atomically, or serving it).

    Scaled and rounded as load_wav reads it (x / 32768), so a kept recording scores as it did when heard."""
    pcm = np.clip(np.round(np.asarray(samples, np.float64) * 32768.0), -32768, 32767).astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, _PCM, 1, rate_hz, rate_hz * 2, 2, 16)
    header += b"data" + struct.pack("<I", len(pcm))
    return header + pcm


def write_wav(path: str | Path, samples: np.ndarray, rate_hz: int = 16000) -> None:
    """16-bit PCM mono WAV, written to a temporary name then renamed so no half file is left."""
    p = Path(path)
    tmp = p.with_name(p.name + ".part")
    tmp.write_bytes(wav_bytes(samples, rate_hz))
    tmp.replace(p)
