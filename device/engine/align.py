"""Viterbi forced alignment of expected phones (optional silence between words) over frame log posteriors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SaywellError


@dataclass(frozen=True)
class AlignedToken:
    label: int  # class index
    start: int  # first frame
    end: int  # one past the last frame
    is_silence: bool
    word: int  # word index, -1 for silence
    position: int  # phone position within its word, -1 for silence


def force_align(logpost: np.ndarray, words: list[list[int]], silence: int, min_frames: int = 2) -> list[AlignedToken]:
    """Best segmentation of frames into [sil] w1 [sil] w2 ... [sil], each phone at least min_frames long.

    Silences are optional (zero frames allowed). Returns the phone and silence tokens actually used.

    A left-to-right path with self-loops is a segmentation, so the Viterbi recursion runs token by token,
    vectorised over time: the best score of token j ending at frame t is its cumulative log posterior up
    to t plus a running maximum over where it may have started. Python loops over the tokens (tens), not
    the frames (hundreds): the same best path as a frame-synchronous Viterbi at a fraction of the cost.
    """
    T = len(logpost)
    tokens: list[tuple[int, bool, int, int]] = [(silence, True, -1, -1)]
    for wi, w in enumerate(words):
        for pi, c in enumerate(w):
            tokens.append((c, False, wi, pi))
        tokens.append((silence, True, -1, -1))
    mandatory = sum(0 if t[1] else min_frames for t in tokens)
    if T < mandatory:
        raise SaywellError(f"audio too short to hold the expected {mandatory // min_frames} sounds; say the whole word")
    NEG = -1e30
    # prefix[u]: best score of frames 0..u-1 with every mandatory token so far placed (prefix[0]: nothing yet)
    prefix = np.full(T + 1, NEG)
    prefix[0] = 0.0
    used = sorted({t[0] for t in tokens})
    sums = np.zeros((T + 1, len(used)))
    np.cumsum(logpost[:, used], axis=0, dtype=np.float64, out=sums[1:])
    column = {c: k for k, c in enumerate(used)}
    entries, skipped = [], []
    for c, optional, _, _ in tokens:
        cum = sums[:, column[c]]
        m = 1 if optional else min_frames
        entry = prefix - cum  # starting at frame u: the score so far, less what this token's frames before u add
        ends = np.full(T + 1, NEG)  # ends[t]: this token's last frame is t - 1
        ends[m:] = cum[m:] + np.maximum.accumulate(entry)[: T + 1 - m]
        skip = prefix >= ends if optional else None  # skipping a silence wins ties, as the frame Viterbi preferred
        prefix = np.where(skip, prefix, ends) if optional else ends
        entries.append(entry)
        skipped.append(skip)
    if prefix[T] < NEG / 2:
        raise SaywellError(f"audio too short to hold the expected {mandatory // min_frames} sounds; say the whole word")
    out: list[AlignedToken] = []
    t = T
    for j in range(len(tokens) - 1, -1, -1):
        c, opt, wi, pi = tokens[j]
        if opt and skipped[j][t]:
            continue
        # the earliest best start: two alike phones in a row split as the frame Viterbi split them
        s = int(np.argmax(entries[j][: t - (1 if opt else min_frames) + 1]))
        out.append(AlignedToken(c, s, t, opt, wi, pi))
        t = s
    return out[::-1]
