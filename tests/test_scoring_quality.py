"""The shipped model on the bundled clips: deliberate learner errors are caught and named, clean takes pass.

These pin the behaviour a learner sees; a model or scorer change that breaks them must be a conscious one.
"""

import pytest
from conftest import SAMPLES

from saywell.audio.wav import load_wav


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


def test_the_substituted_vowel_is_flagged_with_what_was_heard(scorer):
    r = _score(scorer, "joe_ship_as_sheep.wav", "ship")
    ih = next(p for p in r.words[0].phones if p.phone == "IH")
    assert r.verdict == "mispronounced" and not ih.ok and ih.heard == "IY"


# real_goodbye.wav was a false rejection of the first three models (AY scored low; heard L), accepted at 55 by the
# fourth and rejected again by the fifth (37: UH and AY low), as is real_lima.wav (its last vowel judged omitted):
# known false rejections, in the demo only (models/README.md, Known limits).
@pytest.mark.parametrize("clip,text", [("real_three.wav", "three"), ("joe_think.wav", "think"), ("real_hello.wav", "hello"),
                                       ("real_seven.wav", "seven")])
def test_clean_takes_are_accepted(scorer, clip, text):
    assert _score(scorer, clip, text).verdict == "correct"


def test_same_audio_scores_lower_against_a_word_one_sound_away(scorer):
    # A false acceptance of the first four models ('tree' accepted; margins of 16-26 points); the fifth, trained
    # with the MBROLA voices, rejects it (9 against 86) and points at the sound that differs.
    tree = _score(scorer, "real_three.wav", "tree")
    assert tree.score < _score(scorer, "real_three.wav", "three").score - 10
    assert tree.verdict == "mispronounced"
    assert tree.weakest()[1].phone == "T" and not tree.weakest()[1].ok
    assert _score(scorer, "joe_think_as_sink.wav", "think").score < _score(scorer, "joe_think_as_sink.wav", "sink").score
