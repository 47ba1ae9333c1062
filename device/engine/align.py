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
    """
    T = len(logpost)
    tokens: list[tuple[int, bool, int, int]] = [(silence, True, -1, -1)]
    for wi, w in enumerate(words):
        for pi, c in enumerate(w):
            tokens.append((c, False, wi, pi))
        tokens.append((silence, True, -1, -1))
    # Expand phones into min_frames chained states; the last state of each token has the self-loop.
    st_label, st_token, st_loop = [], [], []
    for ti, (c, opt, _, _) in enumerate(tokens):
        n = 1 if opt else min_frames
        for k in range(n):
            st_label.append(c)
            st_token.append(ti)
            st_loop.append(k == n - 1)
    S = len(st_label)
    mandatory = sum(0 if t[1] else min_frames for t in tokens)
    if T < mandatory:
        raise SaywellError(f"audio too short to hold the expected {mandatory // min_frames} sounds; say the whole word")
    labels = np.array(st_label)
    token_of = np.array(st_token)
    loop = np.array(st_loop)
    opt_state = np.array([tokens[t][1] for t in st_token])
    # Skips: entering state s may come from s-2 when s-1 is an optional (silence) state.
    can_skip = np.zeros(S, bool)
    can_skip[2:] = opt_state[1:-1]
    NEG = -1e30
    delta = np.full(S, NEG)
    delta[0] = logpost[0, labels[0]]
    if S > 1 and opt_state[0]:
        delta[1] = logpost[0, labels[1]]
    back = np.zeros((T, S), np.int32)
    idx = np.arange(S)
    for t in range(1, T):
        stay = np.where(loop, delta, NEG)
        prev = np.concatenate([[NEG], delta[:-1]])
        skip = np.where(can_skip, np.concatenate([[NEG, NEG], delta[:-2]]), NEG)
        best = np.maximum(np.maximum(stay, prev), skip)
        back[t] = np.where(best == stay, idx, np.where(best == prev, idx - 1, idx - 2))
        delta = best + logpost[t, labels]
    end_states = [S - 1] + ([S - 2] if opt_state[S - 1] else [])
    s = max(end_states, key=lambda k: delta[k])
    path = np.empty(T, np.int32)
    for t in range(T - 1, -1, -1):
        path[t] = s
        s = back[t, s]
    out: list[AlignedToken] = []
    tok_path = token_of[path]
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], tok_path])))
    for k, st in enumerate(starts):
        en = starts[k + 1] if k + 1 < len(starts) else T
        c, opt, wi, pi = tokens[tok_path[st]]
        out.append(AlignedToken(c, int(st), int(en), opt, wi, pi))
    return out
