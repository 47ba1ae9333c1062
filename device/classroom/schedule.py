"""Which word next: spaced repetition per word (Leitner boxes), steered by the learner's weak sounds.

- Each sound has an error rate over the learner's attempts, recent ones counting more (half-life
  HALF_LIFE_TURNS), pulled toward PRIOR_ERROR while there is little evidence, so one slip is not a verdict.
- Each word has a Leitner box: right moves it up a box, wrong sends it back to box 0; box b is due
  INTERVALS[b] turns after its last attempt. A word missed several times in a row backs off (up to
  MAX_MISS_BACKOFF times longer): drilling a word the learner cannot say yet helps no one.
- Priority = urgency (turns since last attempt / interval) x (WEIGHT_BASE + weakness), where a word's
  weakness is that of its weakest sound. So every word with a sound the learner keeps missing comes back
  sooner, not just the word they missed, while other words wait longer but are never starved.
- New words come from a small window at the front of the list (by level, then the teacher's order), so the
  list's progression is kept; within it a new word with a weak sound goes first, and after NEW_EVERY turns
  without a new word the next one is pushed in.

Simulated on the beginner list with a learner who always misses TH: TH words are 5 of the first 20 and
get about half of 80 turns, while 18-20 of the 20 words are met (device tests pin the behaviour).
Time is counted in the learner's own spoken attempts ("turns"), not days: a class practises irregularly,
and a learner back after the holidays resumes where they were rather than facing every word due at once.
Exact ties are broken by a small jitter from a seeded generator: the same seed and history give the same words.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

from .wordlists import WordEntry

INTERVALS = (2, 4, 8, 16, 32)  # turns until a word in box 0..4 is due again
MAX_MISS_BACKOFF = 4
HALF_LIFE_TURNS = 25.0
PRIOR_ERROR, PRIOR_WEIGHT = 0.3, 1.0
NEW_WINDOW = 3
NEW_URGENCY = 1.0  # a new word counts as just due
NEW_EVERY, NEW_PUSH = 4, 2.0  # no new word for NEW_EVERY turns: push the next one in
JITTER = 0.01
WEIGHT_BASE = 0.5


@dataclass(frozen=True)
class Outcome:
    """One spoken attempt as the scheduler sees it."""

    key: str
    correct: bool
    phones: tuple[tuple[str, bool], ...]  # (phone, ok)

    @classmethod
    def from_attempt(cls, a) -> "Outcome | None":
        """From a progress.Attempt; None for no-speech attempts, which say nothing about pronunciation."""
        if a.verdict == "no_speech":
            return None
        return cls(a.word_key, a.verdict == "correct", tuple((m.phone, m.ok) for m in a.phones))


@dataclass
class _Word:
    box: int
    last_turn: int
    misses: int = 0  # in a row

    def interval(self) -> float:
        """Turns until due; a word missed again and again backs off, so it does not crowd out the rest."""
        if self.box == 0:
            return INTERVALS[0] * min(max(self.misses, 1), MAX_MISS_BACKOFF)
        return INTERVALS[self.box]


@dataclass
class _Sound:
    errors: float  # decayed sums as of turn `at`
    weight: float
    at: int


class Scheduler:
    def __init__(self, entries: Sequence[WordEntry], history: Iterable[Outcome] = (), seed: int | None = None):
        missing = [e.text for e in entries if e.phones is None]
        if missing:
            raise ValueError(f"entries without phones: {missing[:3]}")
        self.entries = list(entries)
        self._order = sorted(range(len(self.entries)), key=lambda i: (self.entries[i].level or 0, i))
        self.rng = random.Random(seed)
        self.turn = 0
        self._last_new = 0
        self._words: dict[str, _Word] = {}
        self._sounds: dict[str, _Sound] = {}
        for o in history:
            self.observe(o)

    def observe(self, o: Outcome) -> None:
        self.turn += 1
        w = self._words.get(o.key)
        if w is None:
            self._last_new = self.turn
        if not o.correct:
            box, misses = 0, (w.misses if w else 0) + 1
        else:
            box, misses = (1 if w is None else min(w.box + 1, len(INTERVALS) - 1)), 0
        self._words[o.key] = _Word(box, self.turn, misses)
        for phone, ok in o.phones:
            s = self._sounds.get(phone) or _Sound(0.0, 0.0, self.turn)
            decay = 0.5 ** ((self.turn - s.at) / HALF_LIFE_TURNS)
            self._sounds[phone] = _Sound(s.errors * decay + (0.0 if ok else 1.0), s.weight * decay + 1.0, self.turn)

    def word_state(self, key: str) -> tuple[int, int] | None:
        """(Leitner box, misses in a row) of a word met before, else None."""
        w = self._words.get(key)
        return None if w is None else (w.box, w.misses)

    def phone_error(self, phone: str) -> float:
        s = self._sounds.get(phone)
        if s is None:
            return PRIOR_ERROR
        decay = 0.5 ** ((self.turn - s.at) / HALF_LIFE_TURNS)
        return (PRIOR_ERROR * PRIOR_WEIGHT + s.errors * decay) / (PRIOR_WEIGHT + s.weight * decay)

    def weakness(self, e: WordEntry) -> float:
        return max(self.phone_error(p) for g in e.phones for p in g)

    def weakest_sounds(self, n: int = 3) -> list[tuple[str, float]]:
        return sorted(((p, self.phone_error(p)) for p in self._sounds), key=lambda pe: (-pe[1], pe[0]))[:n]

    def priority(self, e: WordEntry, new_ok: bool = True) -> float | None:
        """Higher comes sooner; None: not a candidate now (a new word outside the window).

        Urgency (how overdue a word is; fixed for a new word, raised when no new word came for a while) times
        (0.5 + weakness): a weak-sound word comes back early, and a word without weak sounds waits longer but
        is never starved, because its urgency keeps growing.
        """
        weight = WEIGHT_BASE + self.weakness(e)
        w = self._words.get(e.key)
        if w is None:
            if not new_ok:
                return None
            return (NEW_URGENCY + (NEW_PUSH if self.turn - self._last_new >= NEW_EVERY else 0.0)) * weight
        return (self.turn - w.last_turn) / w.interval() * weight

    def next(self, last_key: str | None = None, exclude: Iterable[str] = ()) -> WordEntry | None:
        skip = set(exclude)
        pool = [i for i in self._order if self.entries[i].key not in skip]
        windowed = [i for i in pool if self.entries[i].key not in self._words][:NEW_WINDOW]  # pool: level, list order
        window = set(windowed)
        scored = []
        for i in pool:
            p = self.priority(self.entries[i], new_ok=i in window)
            if p is not None:
                rank = windowed.index(i) if i in window else 0  # new words: the list's order among equals
                scored.append((p - 0.02 * rank + self.rng.random() * JITTER, i))
        if not scored:
            return None
        fresh = [s for s in scored if self.entries[s[1]].key != last_key] or scored  # never the same word twice running
        return self.entries[max(fresh)[1]]
