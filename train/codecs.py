"""Lossy codec round trips through ffmpeg: the channels classroom audio and the real dev set pass through.

Each codec is an (encode args, decode args, rate) recipe; the decoded audio is re-aligned to the input
by cross-correlation, because every codec adds its own delay and the frame labels must not move.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import numpy as np

SR = 16000


@dataclass(frozen=True)
class Codec:
    name: str
    rate: int  # sample rate the codec runs at
    encode: tuple[str, ...]  # ffmpeg output options (codec, bit rate, container)
    container: tuple[str, ...]  # ffmpeg input options to read that container back


CODECS = (
    Codec("g722", 16000, ("-c:a", "g722", "-f", "g722"), ("-f", "g722")),
    Codec("gsm", 8000, ("-c:a", "libgsm", "-f", "gsm"), ("-f", "gsm")),
    Codec("opus12k", 16000, ("-c:a", "libopus", "-b:a", "12k", "-f", "ogg"), ("-f", "ogg")),
    Codec("mp3_32k", 16000, ("-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3"), ("-f", "mp3")),
    Codec("speex", 16000, ("-c:a", "libspeex", "-f", "ogg"), ("-f", "ogg")),
)


def _ffmpeg(args: list[str], data: bytes) -> bytes:
    r = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", *args], input=data, capture_output=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {r.stderr.decode(errors='replace').strip()[:200]}")
    return r.stdout


def round_trip(audio: np.ndarray, codec: Codec) -> np.ndarray:
    """16 kHz float audio -> codec -> 16 kHz float audio of the same length and timing."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    coded = _ffmpeg(["-f", "s16le", "-ar", str(SR), "-ac", "1", "-i", "pipe:0", "-ar", str(codec.rate), *codec.encode, "pipe:1"], pcm)
    back = _ffmpeg([*codec.container, "-i", "pipe:0", "-f", "s16le", "-ar", str(SR), "-ac", "1", "pipe:1"], coded)
    y = np.frombuffer(back, "<i2").astype(np.float32) / 32767
    return align_to(y, audio)


def align_to(y: np.ndarray, x: np.ndarray, max_lag: int = 4000) -> np.ndarray:
    """Shift y by the lag that best matches x (codec delay), then cut or pad to len(x)."""
    n = min(len(x), len(y), 3 * SR)
    if n < 64:
        return np.resize(y, len(x)).astype(np.float32)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    corr = np.fft.irfft(np.fft.rfft(y[:n], size) * np.conj(np.fft.rfft(x[:n], size)), size)
    lags = np.concatenate([corr[:max_lag], corr[-max_lag:]])
    k = int(np.argmax(lags))
    lag = k if k < max_lag else k - 2 * max_lag  # y is x delayed by lag samples
    y = y[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag, np.float32), y])
    out = np.zeros(len(x), np.float32)
    out[: min(len(x), len(y))] = y[: len(x)]
    return out


def round_trip_many(audios: list[np.ndarray], codec: Codec, gap_s: float = 0.2) -> list[np.ndarray]:
    """One ffmpeg round trip for many clips (spawning ffmpeg costs ~70 ms, more than coding a clip)."""
    gap = np.zeros(int(gap_s * SR), np.float32)
    bounds, parts, pos = [], [], 0
    for a in audios:
        parts += [a.astype(np.float32), gap]
        bounds.append((pos, pos + len(a)))
        pos += len(a) + len(gap)
    joined = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    coded = round_trip(joined, codec)
    return [coded[s:e] for s, e in bounds]
