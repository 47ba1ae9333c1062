"""The shipped model on the bundled clips: deliberate learner errors are caught and named, clean takes pass.

These pin the behaviour a learner sees; a model or scorer change that breaks them must be a conscious one.
"""

import pytest
from conftest import SAMPLES

from device.audio import load_wav


def _score(scorer, clip, text):
    return scorer.score(load_wav(SAMPLES / clip), text)


@pytest.mark.parametrize("clip,text,phone,heard", [
    ("joe_think_as_sink.wav", "think", "TH", "S"),
    ("joe_ship_as_sheep.wav", "ship", "IH", "IY"),
])
def test_substitution_is_rejected_and_named(scorer, clip, text, phone, heard):
    r = _score(scorer, clip, text)
    assert r.verdict == "mispronounced"
    word, weakest = r.weakest()
    assert (weakest.phone, weakest.heard, weakest.ok) == (phone, heard, False)


@pytest.mark.parametrize("clip,text", [("real_three.wav", "three"), ("joe_think.wav", "think"), ("real_hello.wav", "hello")])
def test_clean_takes_are_accepted(scorer, clip, text):
    assert _score(scorer, clip, text).verdict == "correct"


def test_same_audio_scores_lower_against_a_word_one_sound_away(scorer):
    assert _score(scorer, "real_three.wav", "tree").score < _score(scorer, "real_three.wav", "three").score - 15
    assert _score(scorer, "joe_think_as_sink.wav", "think").score < _score(scorer, "joe_think_as_sink.wav", "sink").score
