"""Debian's non-English festival diphone voices speaking English phones: new vocal tracts for training.

Every English voice in Debian main is one of about six speakers, and the held-out voices show the
network does not generalize past them. The Czech (one a child), Italian and Finnish diphone voices
are recordings of eight more people. They are driven at the phone level (festival's `Segments`
utterance: our durations and F0), each English phone mapped to the nearest phone of the voice.

Only sounds that a native English listener would accept keep their label. Vowels, R, stops (their
voice onset times differ from English: an unaspirated Italian p sounds like an English b) and
phones with no counterpart are labelled MASKED: the network hears them as context but is not
taught that they are English phones. Utterances where a missing diphone left a silent gap are dropped.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from saywell.audio.wav import load_wav
from saywell.engine.phones import SIL, VOWELS

from ..utterance import Segment, Utterance

MASKED = "*"  # a frame the loss ignores (train/features.py)

# Median phone durations (s) of festival kal's canonical words in the training shards, at prosody 1.
_DURATION = {"AA": 0.108, "AE": 0.135, "AH": 0.06, "AO": 0.156, "AW": 0.182, "AY": 0.157, "B": 0.08, "CH": 0.113, "D": 0.056,
             "DH": 0.045, "EH": 0.097, "ER": 0.086, "EY": 0.141, "F": 0.099, "G": 0.071, "HH": 0.067, "IH": 0.06, "IY": 0.124,
             "JH": 0.095, "K": 0.094, "L": 0.068, "M": 0.07, "N": 0.062, "NG": 0.07, "OW": 0.151, "OY": 0.218, "P": 0.094,
             "R": 0.055, "S": 0.102, "SH": 0.112, "T": 0.074, "TH": 0.097, "UH": 0.076, "UW": 0.115, "V": 0.055, "W": 0.054,
             "Y": 0.045, "Z": 0.081, "ZH": 0.075}

# Labels kept: consonants whose foreign realisation an English listener hears as that phone.
KEPT = frozenset({"F", "V", "S", "Z", "SH", "ZH", "HH", "M", "N", "NG", "L", "W", "Y", "CH", "JH", "TH", "DH"})

# ARPAbet -> the voice's phones (a phone may become two; none = dropped).
_CZECH = {"P": "p", "B": "b", "T": "t", "D": "d", "K": "k", "G": "g", "F": "f", "V": "v", "TH": "t", "DH": "d", "S": "s",
          "Z": "z", "SH": "s~", "ZH": "z~", "HH": "h", "M": "m", "N": "n", "NG": "n*", "L": "l", "R": "r", "W": "u", "Y": "j",
          "CH": "c~", "JH": "dz~", "AA": "a:", "AE": "e", "AH": "a", "AO": "o:", "AW": "a u", "AY": "a j", "EH": "e", "ER": "e r",
          "EY": "e j", "IH": "i", "IY": "i:", "OW": "o u", "OY": "o j", "UH": "u", "UW": "u:"}
_ITALIAN = {"P": "p", "B": "b", "T": "t", "D": "d", "K": "k", "G": "g", "F": "f", "V": "v", "TH": "t", "DH": "d", "S": "s",
            "Z": "z", "SH": "S", "ZH": "Z", "HH": "", "M": "m", "N": "n", "NG": "ng", "L": "l", "R": "r", "W": "w", "Y": "j",
            "CH": "tS", "JH": "dZ", "AA": "a1", "AE": "E1", "AH": "a", "AO": "O1", "AW": "a1 w", "AY": "a1 j", "EH": "E1",
            "ER": "e r", "EY": "e1 j", "IH": "i", "IY": "i1", "OW": "o1 w", "OY": "O1 j", "UH": "u", "UW": "u1"}
_FINNISH = {"P": "p", "B": "b", "T": "t", "D": "d", "K": "k", "G": "g", "F": "f", "V": "v", "TH": "T", "DH": "D:", "S": "s",
            "Z": "z:", "SH": "S", "ZH": "Z:", "HH": "h", "M": "m", "N": "n", "NG": "N", "L": "l", "R": "r", "W": "w", "Y": "j",
            "CH": "t S", "JH": "d Z:", "AA": "a:", "AE": "&", "AH": "a", "AO": "o:", "AW": "a u", "AY": "a i", "EH": "e",
            "ER": "e r", "EY": "e i", "IH": "i", "IY": "i:", "OW": "o u", "OY": "o i", "UH": "u", "UW": "u:"}
# Phones the voices lack (Czech h is voiced, [ɦ]), so their labels are masked even where KEPT holds them.
_UNFAITHFUL = {"czech": {"TH", "DH", "W", "HH"}, "italian": {"TH", "DH"}, "finnish": set()}


# festival voice (without 'voice_') -> its language's phone map
FAMILY = {"czech_krb": "czech", "czech_dita": "czech", "czech_machac": "czech", "czech_ph": "czech",  # krb is a boy
          "pc_diphone": "italian", "lp_diphone": "italian", "suo_fi_lj_diphone": "finnish", "hy_fi_mv_diphone": "finnish"}
_MAPS = {"czech": _CZECH, "italian": _ITALIAN, "finnish": _FINNISH}
_PAUSE = "#"  # every one of these voices names silence so


@dataclass
class _Plan:
    """One utterance: festival's input segments and, for each, the label it carries."""

    segments: list[tuple[str, float, list[tuple[float, float]]]]  # (voice phone, duration, F0 targets (offset, Hz))
    labels: list[str]


def plan(words_phones: list[tuple[str, ...]], family: str, f0: float, tempo: float, rng: np.random.Generator) -> _Plan:
    """Durations: kal's medians x tempo x jitter, the last syllable lengthened; F0: an accent on each word's
    first vowel over a declining line."""
    table, unfaithful = _MAPS[family], _UNFAITHFUL[family]
    segs: list[tuple[str, float, list[tuple[float, float]]]] = []
    labels: list[str] = []
    pause = float(rng.uniform(0.12, 0.3))
    segs.append((_PAUSE, pause, [(0.0, f0)]))
    labels.append(SIL)
    n_words = len(words_phones)
    for wi, phones in enumerate(words_phones):
        accent_done = False
        level = f0 * (1.0 - 0.15 * wi / max(n_words, 1))
        for pi, p in enumerate(phones):
            mapped = table[p].split()
            if not mapped:
                continue
            dur = _DURATION[p] * tempo * float(rng.uniform(0.8, 1.25))
            final = wi == n_words - 1 and pi >= len(phones) - 2  # the utterance's last syllable, roughly
            if final:
                dur *= 1.3
            label = p if p in KEPT and p not in unfaithful else MASKED
            for k, q in enumerate(mapped):
                targets: list[tuple[float, float]] = []
                d = dur / len(mapped)
                if p in VOWELS and k == 0:
                    targets = [(d * 0.5, level * (0.85 if final else 1.0 if accent_done else float(rng.uniform(1.15, 1.4))))]
                    accent_done = True
                segs.append((q, d, targets))
                labels.append(label)
    segs.append((_PAUSE, float(rng.uniform(0.12, 0.3)), [(0.0, f0 * 0.8)]))
    labels.append(SIL)
    return _Plan(segs, labels)


def _scheme_segment(name: str, dur: float, targets: list[tuple[float, float]]) -> str:
    tail = "".join(f" ({t:.3f} {hz:.1f})" for t, hz in targets)
    return f"({name} {dur:.3f}{tail})"


def _gapped(audio: np.ndarray, segs: list[Segment]) -> bool:
    """A speech segment of near silence: festival put its default (silent) diphone where one was missing."""
    rms = np.sqrt(np.mean(audio ** 2)) + 1e-9
    for s in segs:
        if s.phone == SIL:
            continue
        part = audio[int(s.start_s * 16000):int(s.end_s * 16000)]
        if len(part) and np.sqrt(np.mean(part ** 2)) < 0.02 * rms:
            return True
    return False


class ForeignVoice:
    """One festival process per batch; returns None for an utterance with a silent gap."""

    def __init__(self, voice: str, name: str):
        self.voice, self.family, self.name = voice, FAMILY[voice], name

    def synthesize_many(self, items: list[tuple[list[tuple[str, ...]], float, float, int]]) -> list[Utterance | None]:
        """items: (phones of each word, mean F0 in Hz, tempo, seed)."""
        plans = [plan(phones, self.family, f0, tempo, np.random.default_rng(seed)) for phones, f0, tempo, seed in items]
        with tempfile.TemporaryDirectory() as td:
            lines = [f"(voice_{self.voice})"]
            for i, pl in enumerate(plans):
                body = " ".join(_scheme_segment(*s) for s in pl.segments)
                lines.append(f"(set! utt (Utterance Segments ({body})))")
                lines.append("(utt.synth utt)")
                lines.append(f'(utt.save.wave utt "{os.path.join(td, f"{i}.wav")}" \'riff)')
            script = os.path.join(td, "run.scm")
            Path(script).write_text("\n".join(lines) + "\n")
            subprocess.run(["festival", "-b", script], capture_output=True, text=True, check=True, timeout=60 + 10 * len(items))
            out: list[Utterance | None] = []
            for i, pl in enumerate(plans):
                audio = load_wav(os.path.join(td, f"{i}.wav")).samples
                segs = _labelled(pl, len(audio) / 16000)
                out.append(None if _gapped(audio, segs) else Utterance(audio, segs, "", self.name, {}))
        return out


def _labelled(pl: _Plan, duration_s: float) -> list[Segment]:
    """Input durations -> label segments; neighbours with one label merge (a mapped diphthong is one vowel)."""
    segs: list[Segment] = []
    t = 0.0
    for (_, d, _), label in zip(pl.segments, pl.labels):
        end = min(t + d, duration_s)
        if segs and segs[-1].phone == label:
            segs[-1] = Segment(label, segs[-1].start_s, end)
        elif end > t:
            segs.append(Segment(label, t, end))
        t = end
    if segs:
        segs[-1] = Segment(segs[-1].phone, segs[-1].start_s, duration_s)
    return segs
