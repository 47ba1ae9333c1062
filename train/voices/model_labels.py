"""Phone timings for voices that do not report them (RHVoice, SVOX Pico): forced alignment of the phones the voice
was asked to say, with a saywell acoustic model (the shipped one by default).

The phone sequence is known (the voice was given it), only the boundaries are estimated: the device's own Viterbi
aligner over the model's log posteriors divided by its class priors, as the scorer aligns. How close that comes to
an engine's own timings is measured in research/aligned_labels.py (flite's -psdur, MBROLA's .pho).
A model is loaded once per process: synthesis runs one process per core.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
import numpy as np

from saywell.audio.wav import resample
from saywell.engine.phones import SIL

from ..utterance import Segment, Utterance
from .foreign_voice import MASKED

_RATE = 16000
EDGE_SIL_S = 0.15  # silence padded before and after, as the other engines leave


@lru_cache(maxsize=None)
def _model(path: str):
    from saywell.engine.model import AcousticModel

    return AcousticModel(path) if path else AcousticModel()


@dataclass(frozen=True)
class ModelAligner:
    """Aligns known phones to 16 kHz audio; model="" is the shipped model (models/saywell-en.tflite)."""

    model: str = ""
    min_frames: int = 2  # as the scorer: no phone shorter than 20 ms

    def segments(self, audio: np.ndarray, phones: list[tuple[str, ...]]) -> list[Segment]:
        """Contiguous segments covering the audio: SIL where the aligner put silence, each asked phone in order."""
        from saywell.engine.align import force_align
        from saywell.engine.features import log_mel

        m = _model(self.model)
        index = {p: i for i, p in enumerate(m.meta.phones)}
        lp = m.log_posteriors(log_mel(audio.astype(np.float32), m.meta.frontend))
        if m.meta.log_priors is not None:
            lp = lp - m.meta.log_priors
        tokens = force_align(lp, [[index[p] for p in w] for w in phones], index[m.meta.silence], self.min_frames)
        hop = m.meta.frontend.hop_ms / 1000
        duration = len(audio) / _RATE
        segs: list[Segment] = []
        for k, tok in enumerate(tokens):
            phone = SIL if tok.is_silence else phones[tok.word][tok.position]
            start = tok.start * hop
            end = duration if k == len(tokens) - 1 else tok.end * hop
            if segs and phone == SIL and segs[-1].phone == SIL:
                segs[-1] = Segment(SIL, segs[-1].start_s, end)
            else:
                segs.append(Segment(phone, start, end))
        return segs


def aligned_utterance(audio: np.ndarray, rate: int, words: list[str], phones: list[tuple[str, ...]],
                      masked: set[tuple[int, int]], voice: str, meta: dict, aligner: ModelAligner = ModelAligner()) -> Utterance:
    """The engine's samples at 16 kHz, with EDGE_SIL_S of silence each side and peak 0.9, labelled by alignment;
    phones at (word, position) in `masked` keep their time but are labelled MASKED (heard, not taught)."""
    x = resample(np.asarray(audio, np.float32), rate, _RATE) if rate != _RATE else np.asarray(audio, np.float32)
    x = x * (0.9 / max(float(np.max(np.abs(x))), 1e-6))
    pad = np.zeros(int(EDGE_SIL_S * _RATE), np.float32)
    x = np.concatenate([pad, x, pad])
    segs = aligner.segments(x, phones)
    if masked:
        k, out = 0, []
        where = [(wi, pi) for wi, w in enumerate(phones) for pi in range(len(w))]
        for s in segs:
            if s.phone == SIL:
                out.append(s)
                continue
            out.append(Segment(MASKED, s.start_s, s.end_s) if where[k] in masked else s)
            k += 1
        segs = out
    return Utterance(x, segs, " ".join(words), voice, meta)
