"""Typical learner errors, applied to canonical phones to make labelled mispronounced variants."""

from __future__ import annotations

import random
from dataclasses import dataclass

from saywell.engine.phones import VOWELS

# expected phone -> what learners commonly say instead
SUBSTITUTIONS: dict[str, tuple[str, ...]] = {
    "TH": ("S", "T", "F"), "DH": ("D", "Z", "V"), "V": ("W", "B", "F"), "W": ("V",),
    "R": ("L", "W"), "L": ("R", "N"), "IH": ("IY", "EH"), "IY": ("IH",), "AE": ("EH", "AA", "AH"),
    "EH": ("AE", "IH"), "Z": ("S",), "SH": ("S", "CH"), "CH": ("SH", "T"), "JH": ("Y", "CH", "ZH"),
    "ZH": ("SH", "JH"), "UH": ("UW",), "UW": ("UH",), "AH": ("AA", "AE"), "AA": ("AH", "AO"),
    "AO": ("AA", "OW"), "NG": ("N", "NG"), "P": ("B", "F"), "B": ("P", "V"), "F": ("P",),
    "HH": ("K",), "Y": ("JH",), "S": ("SH", "Z", "TH"), "N": ("NG", "L"), "T": ("D",), "D": ("T",),
    "K": ("G",), "G": ("K",), "ER": ("AH", "EH"), "EY": ("EH",), "OW": ("AO", "AH"), "AY": ("AA",),
    "AW": ("AA",), "OY": ("OW",), "M": ("N",),
}


@dataclass(frozen=True)
class Mispronunciation:
    phones: tuple[str, ...]  # what is spoken
    index: int  # position in the canonical phones that was changed
    expected: str
    said: str  # substituted phone, or "-" when it was dropped


def mispronounce(phones: tuple[str, ...], rng: random.Random, drop_prob: float = 0.15) -> Mispronunciation | None:
    """One substitution (or a dropped final consonant) at a random position; None if nothing applies."""
    last = len(phones) - 1
    if len(phones) >= 3 and phones[last] not in VOWELS and rng.random() < drop_prob:
        return Mispronunciation(phones[:last], last, phones[last], "-")
    positions = [i for i, p in enumerate(phones) if any(s != p for s in SUBSTITUTIONS.get(p, ()))]
    if not positions:
        return None
    i = rng.choice(positions)
    said = rng.choice([s for s in SUBSTITUTIONS[phones[i]] if s != phones[i]])
    return Mispronunciation(phones[:i] + (said,) + phones[i + 1:], i, phones[i], said)
