"""WAV input: reads PCM/float WAV files, mixes to mono, resamples to the model's rate.

A RIFF reader of our own (not the stdlib `wave`) so float WAVs and WAVE_FORMAT_EXTENSIBLE
files from phones and laptops load too; every failure is a SaywellError naming the fix.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SaywellError

_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate_hz: int
    notes: tuple[str, ...] = ()  # conversions applied (downmix, resample), for the user

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate_hz


def _parse_wav(data: bytes, name: str) -> tuple[np.ndarray, int]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SaywellError(f"{name}: not a WAV file (no RIFF/WAVE header); convert it with e.g. `ffmpeg -i IN -ar 16000 -ac 1 OUT.wav`")
    pos, fmt, payload = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            if len(body) < 16:
                raise SaywellError(f"{name}: corrupt WAV (fmt chunk too short); re-record or re-export the file")
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == _EXTENSIBLE and len(body) >= 26:
                fmt = (struct.unpack("<H", body[24:26])[0],) + fmt[1:]
        elif cid == b"data":
            payload = body
            break
        pos += 8 + size + (size & 1)
    if fmt is None or payload is None:
        raise SaywellError(f"{name}: corrupt WAV (missing fmt or data chunk); re-record or re-export the file")
    tag, channels, rate, _, block_align, bits = fmt
    if channels < 1 or rate < 1000 or block_align < 1:
        raise SaywellError(f"{name}: corrupt WAV header ({channels} channels, {rate} Hz); re-record or re-export the file")
    usable = len(payload) - len(payload) % block_align
    raw = payload[:usable]
    if tag == _PCM and bits == 16:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif tag == _PCM and bits == 8:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif tag == _PCM and bits == 24:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v)).astype(np.float32) / float(1 << 23)
    elif tag == _PCM and bits == 32:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648.0
    elif tag == _FLOAT and bits in (32, 64):
        x = np.frombuffer(raw, "<f4" if bits == 32 else "<f8").astype(np.float32)
        x = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)
    else:
        raise SaywellError(f"{name}: unsupported WAV encoding (format {tag}, {bits} bit); convert it with `ffmpeg -i IN -ar 16000 -ac 1 -c:a pcm_s16le OUT.wav`")
    return x.reshape(-1, channels), rate


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling (Kaiser-windowed sinc), numpy only."""
    if rate_in == rate_out or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    ratio = rate_out / rate_in
    cutoff = min(1.0, ratio) * 0.95  # fraction of the input Nyquist kept
    half = 24 if ratio >= 1 else int(np.ceil(24 / ratio))  # taps per side, in input samples
    n_out = int(np.floor(len(x) * ratio))
    t = np.arange(n_out) / ratio  # output times in input samples
    out = np.empty(n_out, dtype=np.float32)
    beta = 8.0
    xp = np.concatenate([np.zeros(half, np.float32), np.asarray(x, np.float32), np.zeros(half + 1, np.float32)])
    offsets = np.arange(-half + 1, half + 1)
    for start in range(0, n_out, 4096):
        tt = t[start:start + 4096]
        base = np.floor(tt).astype(np.int64)
        taps = base[:, None] + offsets[None, :]
        d = tt[:, None] - taps
        w = np.kaiser(2 * half + 1, beta)  # symmetric window sampled by distance
        win = np.interp(d, np.linspace(-half, half, 2 * half + 1), w, left=0.0, right=0.0)
        h = cutoff * np.sinc(cutoff * d) * win
        out[start:start + 4096] = np.sum(xp[taps + half] * h, axis=1)
    return out


def load_wav(path: str | Path, target_rate_hz: int = 16000) -> Audio:
    """Load a WAV as float32 mono at the target rate; stereo is mixed down, other rates resampled."""
    p = Path(path)
    if not p.exists():
        raise SaywellError(f"{p}: audio file not found; check the path")
    if p.is_dir():
        raise SaywellError(f"{p}: is a folder, not a WAV file")
    data = p.read_bytes()
    if len(data) == 0:
        raise SaywellError(f"{p}: empty file (0 bytes); record the audio again")
    x, rate = _parse_wav(data, str(p))
    notes = []
    if x.shape[1] > 1:
        notes.append(f"mixed {x.shape[1]} channels to mono")
    x = x.mean(axis=1).astype(np.float32)
    if len(x) == 0:
        raise SaywellError(f"{p}: WAV has no audio samples; record the audio again")
    if rate != target_rate_hz:
        notes.append(f"resampled {rate} Hz to {target_rate_hz} Hz")
        x = resample(x, rate, target_rate_hz)
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
