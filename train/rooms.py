"""Fixed listening conditions for evaluation: noise at a set SNR, babble of other speakers, rooms with a set
reverberation time. Training draws its degradations at random (train/augment.py); a model's figures in noise
need the same conditions every time, so every model is judged in the same rooms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from .augment import colored_noise, room_impulse

@dataclass(frozen=True)
class Condition:
    noise: str | None = None  # "pink" or "babble"
    snr_db: float | None = None  # against the clip's active speech level
    rt60_s: float | None = None  # a simulated room


CONDITIONS = {
    "clean": Condition(),
    "pink 20 dB": Condition("pink", 20), "pink 10 dB": Condition("pink", 10), "pink 5 dB": Condition("pink", 5),
    "babble 20 dB": Condition("babble", 20), "babble 10 dB": Condition("babble", 10), "babble 5 dB": Condition("babble", 5),
    "room 0.3 s": Condition(rt60_s=0.3), "room 0.6 s": Condition(rt60_s=0.6),
    "classroom: room 0.4 s + babble 10 dB": Condition("babble", 10, 0.4),
}
EVALUATED = ("babble 20 dB", "babble 10 dB", "pink 10 dB", "room 0.3 s", "classroom: room 0.4 s + babble 10 dB")  # the evaluate stage's


def active_rms(x: np.ndarray, frame: int = 400) -> float:
    """RMS over the frames within 30 dB of the loudest (the speech, not the pauses)."""
    n = len(x) // frame
    e = np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1) + 1e-12
    return float(np.sqrt(np.mean(e[e > e.max() * 1e-3])))


def room(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """The training's simulated room (train/augment.py) with a set reverberation time, a 5 ms delay and a fixed
    direct path."""
    return room_impulse(rng, rt60=rt60, delay_s=0.005, direct=2.0)


def degrade(x: np.ndarray, c: Condition, rng: np.random.Generator, babble_src: list[np.ndarray]) -> np.ndarray:
    """x in condition c; babble is four of babble_src's recordings at once (other speakers than x's)."""
    y = x.astype(np.float32)
    level = active_rms(y)
    if c.rt60_s:
        y = signal.fftconvolve(y, room(c.rt60_s, rng))[: len(y)].astype(np.float32)
        y *= level / active_rms(y)
    if c.noise:
        if c.noise == "pink":
            noise = colored_noise(len(y), rng, 1.0)
        else:
            noise = np.zeros(len(y), np.float32)
            for k in rng.integers(0, len(babble_src), 4):
                s = babble_src[k]
                start = rng.integers(0, max(1, len(s) - len(y)))
                piece = np.resize(s[start:], len(y))
                noise += piece / (np.sqrt(np.mean(piece ** 2)) + 1e-9)
        y = y + noise / np.sqrt(np.mean(noise ** 2)) * level * 10 ** (-c.snr_db / 20)
    return np.clip(y, -1, 1).astype(np.float32)


def babble_sources(per_voice: list[list]) -> list[np.ndarray]:
    """Recordings to draw babble from: each voice's first 400 takes, twenty at a time."""
    return [np.concatenate([it.audio for it in items[k:k + 20]]) for items in per_voice for k in range(0, 400, 20)]


def degraded_items(items: list, name: str, babble_src: list[np.ndarray]) -> list:
    """The items with their audio in condition `name`: one degradation per clip, seeded by the clip's order."""
    from dataclasses import replace

    clips, out = {}, []
    for it in items:
        if it.key not in clips:
            clips[it.key] = degrade(it.audio, CONDITIONS[name], np.random.default_rng(len(clips)), babble_src)
        out.append(replace(it, key=f"{it.key} in {name}", audio=clips[it.key]))
    return out
