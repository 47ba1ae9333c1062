"""Forced alignment on hand-made posteriors, where the right answer is known."""

import numpy as np
import pytest

from saywell.engine.align import force_align
from saywell.errors import SaywellError
from saywell.engine.scoring import phone_evidence

SIL, A, B, C = 0, 1, 2, 3


def posteriors(frames: list[int], n=4, p=0.9):
    lp = np.full((len(frames), n), np.log((1 - p) / (n - 1)))
    lp[np.arange(len(frames)), frames] = np.log(p)
    return lp


def test_segments_follow_the_evidence():
    lp = posteriors([SIL] * 5 + [A] * 4 + [B] * 6 + [SIL] * 3 + [C] * 5 + [SIL] * 2)
    toks = force_align(lp, [[A, B], [C]], SIL)
    phones = [(t.label, t.start, t.end) for t in toks if not t.is_silence]
    assert phones == [(A, 5, 9), (B, 9, 15), (C, 18, 23)]


def test_silence_is_optional():
    lp = posteriors([A] * 4 + [B] * 4)
    toks = force_align(lp, [[A, B]], SIL)
    assert [t.label for t in toks] == [A, B]


def test_substitution_gives_low_gop_and_names_competitor():
    lp = posteriors([SIL] * 3 + [A] * 5 + [C] * 5 + [SIL] * 3)  # expected A B, said A C
    ev = phone_evidence(lp, [[A, B]], SIL)[0]
    assert ev[0].gop > np.log(0.5) > np.log(0.1) > ev[1].gop
    assert ev[1].competitor == C


def test_too_short_is_a_clear_error():
    with pytest.raises(SaywellError, match="too short"):
        force_align(posteriors([A, B]), [[A, B, C]], SIL)


def test_a_set_of_alike_phones_is_measured_as_one():
    # expected A (weak: A or B is right), then C; the speaker said B there
    lp = posteriors([SIL] * 3 + [B] * 5 + [C] * 5 + [SIL] * 3, p=0.7)
    lp[3:8, A] = np.log(0.2)  # A is a little likely where B was said (as schwa-like IH is for AH), C is not
    strict = phone_evidence(lp, [[A, C]], SIL)[0]
    weak = phone_evidence(lp, [[(A, B), C]], SIL)[0]
    assert strict[0].gop == pytest.approx(np.log(0.2)) and strict[0].competitor == B
    assert weak[0].gop == pytest.approx(np.log(0.9))  # the summed posterior of A and B: B was said, which is right here
    assert weak[0].phone == A and weak[0].competitor not in (A, B)  # reported as the expected phone; the competitor is another
    assert (weak[0].start, weak[0].end) == (strict[0].start, strict[0].end) == (3, 8)


def test_best_variants_finds_each_words_alternate_also_past_the_combination_limit():
    from saywell.engine.lexicon import Variant
    from saywell.engine.metadata import Calibration
    from saywell.engine.scoring import MAX_COMBINATIONS, best_variants

    D = 4
    index = {"SIL": SIL, "A": A, "B": B, "C": C, "D": D}
    said = [[A], [C], [A], [C], [D]]  # words 1 and 3 said as their alternates
    frames = [SIL] * 3
    for w in said:
        frames += w * 5 + [SIL] * 2
    lp = posteriors(frames, n=5)
    listed = [("A",), ("B",), ("A",), ("B",), ("D",)]
    alternates = [("D",), ("C",), ("D",), ("C",), ("A",)]
    variants = [(Variant.plain(f), Variant.plain(a)) for f, a in zip(listed, alternates)]
    assert 2 ** len(variants) > MAX_COMBINATIONS  # one word at a time
    for vs in (variants, variants[:3]):  # ... and every combination
        chosen, ev = best_variants(lp, vs, index, SIL, Calibration(slope=1.0, offset=0.0))
        assert [v.phones[0] for v in chosen] == ["A", "C", "A", "C", "D"][:len(vs)]
        assert min(e.gop for w in ev for e in w) > np.log(0.5)


def test_an_alternate_too_long_for_the_audio_is_skipped_but_the_listed_phones_must_fit():
    from saywell.engine.lexicon import Variant
    from saywell.engine.metadata import Calibration
    from saywell.engine.scoring import best_variants

    index = {"SIL": SIL, "A": A, "B": B, "C": C}
    lp = posteriors([A] * 5)
    unit = Calibration(slope=1.0, offset=0.0)
    chosen, _ = best_variants(lp, [(Variant.plain(("A",)), Variant.plain(("B", "C", "B", "C")))], index, SIL, unit)
    assert chosen[0].phones == ("A",)
    with pytest.raises(SaywellError, match="too short"):
        best_variants(lp, [(Variant.plain(("B", "C", "B", "C")), Variant.plain(("A",)))], index, SIL, unit)
