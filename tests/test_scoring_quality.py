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
    # V scores 70 on its own posterior (B holds 0.75 of it, V 0.13): the word's soft minimum passed it at 86
    # until the scorer judged V as heard as its classic substitute (calibration.rival_margin, rival_phones)
    ("joe_very_as_berry.wav", "very", "V", "B"),
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


def test_alignment_divides_by_the_priors_to_the_calibrated_power(tmp_path, scorer):
    # With full scaled likelihoods (prior_scale 1) the rare M outbid the frequent schwa and squeezed lima's last
    # vowel to two frames at the end (AH 6, "omitted": a correct real take rejected); at 0.5 it keeps its frames.
    import json
    import shutil

    import numpy as np
    from conftest import MODEL

    from saywell.engine.model import AcousticModel
    from saywell.engine.scoring import Scorer

    meta = json.loads(MODEL.with_suffix(".json").read_text())
    assert meta["calibration"]["prior_scale"] == 0.5
    priors = np.log(np.asarray(meta["class_priors"]))
    assert np.allclose(scorer.meta.log_priors, 0.5 * priors)
    meta["calibration"]["prior_scale"] = 1.0
    shutil.copy(MODEL, tmp_path / MODEL.name)
    (tmp_path / MODEL.name).with_suffix(".json").write_text(json.dumps(meta))
    full = Scorer(AcousticModel(tmp_path / MODEL.name))
    assert np.allclose(full.meta.log_priors, priors)
    squeezed = _score(full, "real_lima.wav", "lima").words[0].phones[-1]
    kept = _score(scorer, "real_lima.wav", "lima").words[0].phones[-1]
    assert squeezed.phone == kept.phone == "AH"
    assert squeezed.end - squeezed.start <= 0.03 and not squeezed.ok
    assert kept.end - kept.start >= 0.05 and kept.ok


def test_a_phrase_read_as_in_running_speech_is_accepted(scorer):
    # The real speaker's "the" has a DH of 20 ms, heard as T after "exit": inside a phrase a function word's DH
    # may be a stop (lexicon.STOPPED_DH_WORDS). Without that the phrase scored 6 and "the" was judged wrong.
    r = _score(scorer, "real_to_exit_the_menu.wav", "to exit the menu")
    assert r.verdict == "correct" and [w.verdict for w in r.words] == ["correct"] * 4
    the = r.words[2]
    assert [p.phone for p in the.phones] == ["DH", "AH"]  # still reported as the sound asked for


def test_a_teachers_phones_for_a_phrase_ask_for_the_dh_literally(scorer):
    # The rule is the dictionary's connected-speech form; phones a teacher typed are meant as written.
    r = scorer.score(load_wav(SAMPLES / "real_to_exit_the_menu.wav"), "to exit the menu", "T UW | EH K S AH T | DH AH | M EH N Y UW")
    dh = r.words[2].phones[0]
    assert r.verdict == "mispronounced" and r.words[2].verdict == "mispronounced" and (dh.phone, dh.ok) == ("DH", False)


def _very(scorer, v: float, b: float):
    """Log posteriors of "very" whose first phone's frames hold V and B at these shares."""
    import numpy as np

    phones = scorer.meta.phones
    rows = []
    for shares, n in (({"SIL": 1.0}, 6), ({"V": v, "B": b}, 5), ({"EH": 1.0}, 9), ({"R": 1.0}, 7), ({"IY": 1.0}, 10),
                      ({"SIL": 1.0}, 6)):
        row = np.full(len(phones), 1e-4)
        for p, x in shares.items():
            row[phones.index(p)] = x
        rows += [row / row.sum()] * n
    return scorer.score_posteriors(np.log(np.array(rows)), "very", scorer.pronunciations("very"))


def test_a_phone_heard_as_its_classic_substitute_fails_its_word(scorer):
    from dataclasses import replace

    cal = scorer.meta.calibration
    assert cal.rival_margin is not None and "V" in cal.rival_phones and "TH" not in cal.rival_phones
    berry = _very(scorer, v=0.08, b=0.85)  # B heard 10.6 times as clearly as V: more than e^2
    v = berry.words[0].phones[0]
    assert berry.verdict == "mispronounced" and berry.score < cal.word_threshold
    assert (v.phone, v.ok, v.heard) == ("V", False, "B") and v.score < 10  # its share: 100 / (1 + 0.85 / 0.08)
    assert berry.words[0].score <= v.score and berry.words[0].verdict == "mispronounced"
    assert _very(scorer, v=0.85, b=0.08).verdict == "correct"  # said right, B a little heard: no matter
    # the same posteriors pass when the rule is off, or when it does not judge V: the soft minimum carries V
    for off in (replace(cal, rival_margin=None), replace(cal, rival_phones=("TH",))):
        scorer.meta = replace(scorer.meta, calibration=off)
        try:
            passed = _very(scorer, v=0.08, b=0.85)
        finally:
            scorer.meta = replace(scorer.meta, calibration=cal)
        assert passed.verdict == "correct" and passed.words[0].phones[0].ok  # V's own 0.08 passes its line
