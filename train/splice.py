"""Training windows re-assembled from phone segments, some swapped for a learner's substitute said by the same voice.

The hypothesis: a 41-frame view holds most of a short word, so a network trained mostly on words said right (70 % of
the jobs) may learn which phone the word around it predicts, and in a voice it does not know hear the expected phone
rather than what was said (in the held-out pairs the changed phone's GOP barely moves). Swapping segments for the
phones learners say instead (train/mispronounce.py's table), cut from the same voice's other takes, makes the context
an unreliable guide. Measured (research/phone_splicing.py, models/RESEARCH.md): +0.007 held-out AUC in short fits
with two seeds, inside seed noise; off by default."""

from __future__ import annotations

import numpy as np

from .features import CLASS_INDEX, FeatureSet
from .mispronounce import SUBSTITUTIONS


class PhoneSplicer:
    def __init__(self, fs: FeatureSet, rate: float):
        self.f, self.rate = fs.features, rate
        labels = fs.labels
        starts = np.union1d(np.flatnonzero(np.diff(labels) != 0) + 1, fs.starts)
        starts = np.union1d(starts, [0])
        self.seg_start = starts
        self.seg_end = np.append(starts[1:], len(labels))
        self.seg_class = labels[starts].astype(np.int64)
        names = sorted(set(fs.voices))
        utt_voice = np.array([names.index(v) for v in fs.voices], np.int64)
        self.seg_voice = utt_voice[np.searchsorted(fs.starts, starts, side="right") - 1]
        self.n_classes = len(CLASS_INDEX)
        # segments grouped by (voice, class): one sorted key array, sliced per group
        key = np.where(self.seg_class >= 0, self.seg_voice * self.n_classes + self.seg_class, -1)
        self.order = np.argsort(key, kind="stable")
        self.sorted_key = key[self.order]
        self.subs = {CLASS_INDEX[p]: [CLASS_INDEX[s] for s in said if s != p] for p, said in SUBSTITUTIONS.items()}

    def _pick(self, voice: int, cls: int, rng: np.random.Generator) -> int | None:
        k = voice * self.n_classes + cls
        lo, hi = np.searchsorted(self.sorted_key, [k, k + 1])
        return None if hi <= lo else int(self.order[rng.integers(lo, hi)])

    def window(self, s0: int, frames: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
        """(features, labels) of `frames` frames from stream position s0 on, a share `rate` of the phone segments
        that have substitutes swapped; None when the stream ends first."""
        i = int(np.searchsorted(self.seg_start, s0, side="right") - 1)
        xs, ys = [self.f[s0:self.seg_end[i]]], [np.full(self.seg_end[i] - s0, self.seg_class[i])]
        n = len(ys[0])
        while n < frames:
            i += 1
            if i >= len(self.seg_start):
                return None
            seg, cls = i, int(self.seg_class[i])
            options = self.subs.get(cls)
            if options and self.seg_end[i] - self.seg_start[i] >= 3 and rng.random() < self.rate:
                alt = options[rng.integers(len(options))]
                seg = self._pick(int(self.seg_voice[i]), alt, rng)
                if seg is None:
                    seg = i
            a, b = self.seg_start[seg], self.seg_end[seg]
            xs.append(self.f[a:b])
            ys.append(np.full(b - a, self.seg_class[seg]))
            n += b - a
        return np.concatenate(xs)[:frames], np.concatenate(ys)[:frames]
