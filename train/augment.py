"""Waveform augmentation aimed at the measured synthetic-to-real gaps: digital silence, clean channel,
no room, fixed speaking rate and level."""

from __future__ import annotations

import numpy as np
from scipy import signal

SR = 16000


def colored_noise(n: int, rng: np.random.Generator, exponent: float) -> np.ndarray:
    """1/f^exponent noise: 0 white, 1 pink, 2 brown."""
    spec = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.maximum(np.arange(n // 2 + 1), 1.0)
    x = np.fft.irfft(spec / f ** (exponent / 2), n)
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)


def room_impulse(rng: np.random.Generator, rt60: float | None = None, delay_s: float | None = None,
                 direct: float | None = None) -> np.ndarray:
    """Exponentially decaying noise tail after a direct path: a cheap simulated room. Unless given, the
    reverberation time (0.1-0.7 s), the tail's delay (2-10 ms) and the direct path's weight are drawn."""
    rt60 = rng.uniform(0.1, 0.7) if rt60 is None else rt60
    n = int(SR * rt60)
    t = np.arange(n) / SR
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    ir[: int(SR * (rng.uniform(0.002, 0.01) if delay_s is None else delay_s))] = 0
    ir[0] = 1.0 / rng.uniform(0.2, 0.8) if direct is None else direct  # direct-to-reverberant ratio
    return (ir / np.sqrt(np.sum(ir ** 2))).astype(np.float32)


def speed(audio: np.ndarray, factor: float) -> np.ndarray:
    """Faster (factor > 1) or slower speech by resampling; pitch moves with it, like a different speaker."""
    n_out = int(round(len(audio) / factor))
    return signal.resample_poly(audio, n_out, len(audio)).astype(np.float32) if n_out != len(audio) else audio


def augment(audio: np.ndarray, rng: np.random.Generator, babble_pool: list[np.ndarray] | None = None) -> np.ndarray:
    """One random degradation chain; segment times are unchanged (speed perturbation is applied by the caller)."""
    x = audio.astype(np.float32)
    level = _rms(x)
    if rng.random() < 0.4:
        x = signal.fftconvolve(x, room_impulse(rng))[: len(x)].astype(np.float32)
    if rng.random() < 0.5:  # microphone / channel colouring
        lo = rng.uniform(60, 350)
        hi = rng.uniform(3400, 7800)
        sos = signal.butter(2, [lo, hi], btype="band", fs=SR, output="sos")
        x = signal.sosfilt(sos, x).astype(np.float32)
    if rng.random() < 0.08:  # telephone: 8 kHz round trip
        x = signal.resample_poly(signal.resample_poly(x, 1, 2), 2, 1)[: len(x)].astype(np.float32)
    x *= level / _rms(x)
    if rng.random() < 0.7:
        snr_db = rng.uniform(0, 30) if rng.random() < 0.85 else rng.uniform(30, 45)
        if babble_pool and rng.random() < 0.3:
            picks = [babble_pool[i] for i in rng.integers(0, len(babble_pool), 3)]
            noise = np.zeros(len(x), np.float32)
            for p in picks:
                reps = np.resize(p, len(x))
                noise += reps / _rms(reps)
        else:
            noise = colored_noise(len(x), rng, rng.choice([0.0, 1.0, 1.5, 2.0]))
        x = x + noise * (_rms(x) / _rms(noise)) * 10 ** (-snr_db / 20)
    gain_db = rng.uniform(-30, 6) - 20 * np.log10(max(np.abs(x).max(), 1e-6))  # peak from -30 to +6 dBFS
    x = x * 10 ** (gain_db / 20)
    x = np.clip(x, -1, 1)  # gains above 0 dBFS clip, as a cheap microphone does
    floor = 10 ** (rng.uniform(-80, -50) / 20)
    x = x + rng.standard_normal(len(x)).astype(np.float32) * floor  # no digital silence
    return np.clip(x, -1, 1).astype(np.float32)
