"""Log-mel frontend in plain numpy, shared by training and the device.

Frames are not centred (frame i covers samples [i*hop, i*hop + window)), so
features can be computed incrementally as audio arrives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


@dataclass(frozen=True)
class FrontendConfig:
    """Feature parameters; the model's metadata carries them and the runtime reads them from there."""

    sample_rate_hz: int = 16000
    window_ms: float = 25.0
    hop_ms: float = 10.0
    fft_size: int = 512
    n_mels: int = 40
    fmin_hz: float = 60.0
    fmax_hz: float = 7600.0
    log_floor: float = 1e-6  # power floor before the log; digital silence maps to log(log_floor)

    @property
    def window_samples(self) -> int:
        return int(round(self.sample_rate_hz * self.window_ms / 1000))

    @property
    def hop_samples(self) -> int:
        return int(round(self.sample_rate_hz * self.hop_ms / 1000))

    @property
    def pad_value(self) -> float:
        """Feature value of digital silence; used to pad before the first and after the last frame."""
        return float(np.log(self.log_floor))

    def num_frames(self, num_samples: int) -> int:
        if num_samples < self.window_samples:
            return 0
        return 1 + (num_samples - self.window_samples) // self.hop_samples

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FrontendConfig":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


def _hz_to_mel(f):
    """Slaney mel scale (linear below 1 kHz, log above), as librosa's default."""
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


@lru_cache(maxsize=8)
def mel_filterbank(cfg: FrontendConfig) -> np.ndarray:
    """(n_mels, fft_size//2+1) Slaney-normalised triangular filters."""
    n_bins = cfg.fft_size // 2 + 1
    fft_freqs = np.linspace(0, cfg.sample_rate_hz / 2, n_bins)
    mel_pts = np.linspace(_hz_to_mel(cfg.fmin_hz), _hz_to_mel(cfg.fmax_hz), cfg.n_mels + 2)
    hz_pts = _mel_to_hz(mel_pts)
    fdiff = np.diff(hz_pts)
    ramps = hz_pts[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (hz_pts[2:] - hz_pts[:-2]))[:, None]
    return weights.astype(np.float32)


@lru_cache(maxsize=8)
def analysis_window(cfg: FrontendConfig) -> np.ndarray:
    """Periodic Hann of window length, zero-padded and centred in the FFT size (as librosa does)."""
    n = cfg.window_samples
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
    left = (cfg.fft_size - n) // 2
    out = np.zeros(cfg.fft_size, dtype=np.float64)
    out[left:left + n] = win
    return out


@lru_cache(maxsize=8)
def _window_f32(cfg: FrontendConfig) -> np.ndarray:
    """The analysis window's window-length part (the FFT zero-pads the rest), in float32."""
    left = (cfg.fft_size - cfg.window_samples) // 2
    return analysis_window(cfg)[left:left + cfg.window_samples].astype(np.float32)


def log_mel(audio: np.ndarray, cfg: FrontendConfig, filterbank: np.ndarray | None = None) -> np.ndarray:
    """Log-mel features (frames, n_mels), float32, for 16 kHz mono float audio in [-1, 1].

    filterbank replaces the mel filters (training warps them to make pseudo-speakers); the device never passes it.
    """
    audio = np.asarray(audio, dtype=np.float32)
    n = cfg.num_frames(len(audio))
    if n == 0:
        return np.zeros((0, cfg.n_mels), dtype=np.float32)
    # Window-sized views of the audio (no copy), zero-padded at the end to fft_size by the FFT: the power
    # spectrum is that of librosa's centred (center=False) framing, because a circular shift changes only phase.
    frames = sliding_window_view(audio, cfg.window_samples)[::cfg.hop_samples][:n]
    # In float32 throughout where numpy allows (2.x transforms float32 as complex64): a quarter less time than
    # float64, and the features differ by rounding only (< 1e-6 in log-mel).
    spec = np.fft.rfft(frames * _window_f32(cfg), n=cfg.fft_size, axis=1)
    spec = spec.real ** 2 + spec.imag ** 2
    mel = spec.astype(np.float32, copy=False) @ (mel_filterbank(cfg) if filterbank is None else filterbank).T
    return np.log(np.maximum(mel, cfg.log_floor)).astype(np.float32)


class StreamingFrontend:
    """Computes the same frames as log_mel() from audio arriving in blocks of any size."""

    def __init__(self, cfg: FrontendConfig):
        self.cfg = cfg
        self._buf = np.zeros(0, dtype=np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        self._buf = np.concatenate([self._buf, np.asarray(block, dtype=np.float32)])
        n = self.cfg.num_frames(len(self._buf))
        if n == 0:
            return np.zeros((0, self.cfg.n_mels), dtype=np.float32)
        feats = log_mel(self._buf[: (n - 1) * self.cfg.hop_samples + self.cfg.window_samples], self.cfg)
        self._buf = self._buf[n * self.cfg.hop_samples:]
        return feats
