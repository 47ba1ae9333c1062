"""Vocal tract length perturbation: warp the mel filters' frequency axis to make new speakers.

A speaker whose vocal tract is shorter (a child) has formants higher by a factor alpha. Reading the
spectrum through filters placed at f * alpha approximates hearing that speaker (Jaitly & Hinton 2013).
The warp is piecewise linear so the top of the band still maps onto itself.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from saywell.engine.features import FrontendConfig, mel_filterbank


def warp_frequencies(f: np.ndarray, alpha: float, nyquist: float, f_hi: float = 4800.0) -> np.ndarray:
    """Spectrum at frequency f is heard as if at warp(f): alpha * f up to a knee, then linear to nyquist."""
    knee = f_hi * min(alpha, 1.0) / alpha
    top = nyquist - (nyquist - f_hi * min(alpha, 1.0)) / (nyquist - knee) * (nyquist - f)
    return np.where(f <= knee, f * alpha, top)


@lru_cache(maxsize=64)
def _warped(cfg: FrontendConfig, alpha_milli: int) -> np.ndarray:
    alpha = alpha_milli / 1000.0
    fb = mel_filterbank(cfg).astype(np.float64)
    freqs = np.linspace(0, cfg.sample_rate_hz / 2, fb.shape[1])
    # Filter m now collects the energy at f where warp(f) falls in its original band.
    src = warp_frequencies(freqs, alpha, cfg.sample_rate_hz / 2)
    out = np.stack([np.interp(src, freqs, row) for row in fb])
    return out.astype(np.float32)


def warped_filterbank(cfg: FrontendConfig, alpha: float) -> np.ndarray:
    """Mel filters for a pseudo-speaker with formants scaled by alpha (rounded to 0.01 so filters are reused)."""
    return _warped(cfg, int(round(alpha * 100)) * 10)
