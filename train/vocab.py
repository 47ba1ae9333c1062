"""Training text: common English words in CMUdict, and short phrases built from them."""

from __future__ import annotations

import random
from collections import Counter

from saywell.engine.lexicon import _cmudict


def common_words(n: int, min_len: int = 2) -> list[str]:
    """The n most frequent English words (wordfreq) that CMUdict knows, plain letters only."""
    from wordfreq import top_n_list

    lex = _cmudict()
    out = []
    for w in top_n_list("en", n * 3):
        if w.isalpha() and w.isascii() and (len(w) >= min_len or w in ("a", "i")) and w in lex:
            out.append(w)
            if len(out) == n:
                break
    return out


def phone_balanced_words(words: list[str], n: int, seed: int = 0) -> list[str]:
    """Greedy pick that favours words containing phones seen least so far, so rare phones (ZH, OY) get contexts."""
    lex = _cmudict()
    rng = random.Random(seed)
    pool = list(words)
    rng.shuffle(pool)
    counts: Counter = Counter()
    chosen = []
    for _ in range(min(n, len(pool))):
        sample = pool[:200]
        best = max(sample, key=lambda w: sum(1.0 / (1 + counts[p]) for p in lex[w]) / len(lex[w]) ** 0.5)
        pool.remove(best)
        chosen.append(best)
        counts.update(lex[best])
    return chosen


def phrases(words: list[str], n: int, max_words: int = 4, seed: int = 0) -> list[list[str]]:
    rng = random.Random(seed)
    return [rng.sample(words, rng.randint(2, max_words)) for _ in range(n)]
