"""What every synthesis engine returns: 16 kHz audio with the phones it actually spoke and their times."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Segment:
    phone: str  # ARPAbet without stress, or "SIL"
    start_s: float
    end_s: float


@dataclass
class Utterance:
    audio: np.ndarray  # float32 mono, 16 kHz
    segments: list[Segment]  # contiguous, covering the audio
    text: str
    voice: str
    meta: dict = field(default_factory=dict)
