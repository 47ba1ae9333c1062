"""Phrases: each word judged in its utterance, left-out and extra words found, fluency reported (real speech,
shipped model). The clips are the bundled real words spliced with short pauses, as a learner reads a list."""

import numpy as np
import pytest
from conftest import MODEL, SAMPLES

from saywell.audio.wav import Audio, load_wav
from saywell.engine.model import AcousticModel
from saywell.engine.scoring import Scorer

GAP = np.zeros(3200, np.float32)  # 0.2 s


@pytest.fixture(scope="module")
def scorer():
    return Scorer(AcousticModel(MODEL))


def _trimmed(name: str) -> np.ndarray:
    x = load_wav(SAMPLES / f"real_{name}.wav").samples
    energy = np.convolve(x.astype(np.float64) ** 2, np.ones(160) / 160, "same")
    loud = np.flatnonzero(energy > energy.max() * 1e-3)
    return x[max(0, loud[0] - 800):loud[-1] + 800]


def said(*words: str) -> Audio:
    parts = [GAP]
    for w in words:
        parts += [_trimmed(w), GAP]
    return Audio(np.concatenate(parts), 16000)


def test_whole_phrase_is_complete_and_correct(scorer):
    r = scorer.score(said("hello", "three", "seven"), "hello three seven")
    assert r.verdict == "correct" and r.completeness == 1.0 and r.insertions == []
    assert [w.verdict for w in r.words] == ["correct"] * 3 and {w.error for w in r.words} == {"none"}
    assert 2.0 < r.fluency.speech_rate < 15.0 and r.fluency.pauses == 0


@pytest.mark.parametrize("text,kept,left_out", [("hello three seven", ("hello", "seven"), 1),
                                                 ("three seven with", ("three", "with"), 1),
                                                 ("hello three seven", ("three", "seven"), 0)])
def test_left_out_word_is_named(scorer, text, kept, left_out):
    r = scorer.score(said(*kept), text)
    assert r.verdict == "mispronounced"
    assert [w.error for w in r.words] == ["omitted" if k == left_out else "none" for k in range(3)]
    assert r.completeness == 0.67
    assert r.words[left_out].verdict == "mispronounced"


def test_extra_word_is_found_where_it_was_said(scorer):
    r = scorer.score(said("hello", "three", "seven"), "hello seven")
    assert r.verdict == "mispronounced" and r.completeness == 1.0
    assert [(i.after, i.kind) for i in r.insertions] == [(0, "extra")]
    hello_end, seven_start = r.words[0].phones[-1].end, r.words[1].phones[0].start
    assert hello_end <= r.insertions[0].start < r.insertions[0].end <= seven_start
    assert all(w.error == "none" for w in r.words)  # the words themselves were said right


def test_pause_between_words_is_measured(scorer):
    x = np.concatenate([_trimmed("hello"), np.zeros(16000, np.float32), _trimmed("seven")])
    r = scorer.score(Audio(np.concatenate([GAP, x, GAP]), 16000), "hello seven")
    assert r.fluency.pauses == 1 and 0.9 <= r.fluency.longest_pause <= 1.3


def test_feedback_names_the_left_out_and_extra_words(scorer):
    from saywell.engine.feedback import describe

    text = describe(scorer.score(said("hello", "seven"), "hello three seven"))
    assert "left out: 'three'" in text and "sound to work on" not in text.split("left out")[0]
    assert "something extra was said after 'hello'" in describe(scorer.score(said("hello", "three", "seven"), "hello seven"))


def test_the_learner_sees_the_sentence_word_by_word_and_hears_which_word(scorer):
    from saywell.engine.feedback import describe, spoken_feedback, word_marks

    r = scorer.score(said("three", "seven"), "tree seven")  # real 'three' read against 'tree'
    assert word_marks(r) == "tree ✗  seven ✓"
    assert "sound to work on: T in 'tree'" in describe(r)
    assert spoken_feedback(r).startswith("Try again in 'tree':")
    r = scorer.score(said("hello", "seven"), "hello three seven")
    assert word_marks(r) == "hello ✓  [three] left out  seven ✓"
    assert spoken_feedback(r) == "Try again: you left out 'three'"
    r = scorer.score(said("hello", "three", "seven"), "hello seven")
    assert word_marks(r) == "hello ✓  +  seven ✓" and spoken_feedback(r) == "Try again: read only the words shown"
    r = scorer.score(said("hello", "seven"), "hello seven")
    assert "words: hello ✓  seven ✓" in describe(r) and spoken_feedback(r) == "Well done"
    assert "words:" not in describe(scorer.score(said("seven"), "seven"))  # a single word needs no marks


def test_the_json_contract_holds_every_field_of_the_result(scorer):
    """to_dict is written by hand for speed: it must stay the whole dataclass, field for field."""
    from dataclasses import asdict

    for audio, text in ((said("hello", "three", "seven"), "hello seven"), (said("hello"), "hello three"),
                        (said("seven"), "seven"), (Audio(np.zeros(16000, np.float32), 16000), "seven")):
        r = scorer.score(audio, text)
        assert r.to_dict() == asdict(r)


def test_the_classic_substitutions_are_the_pairs_feedback_has_tips_for():
    """One list of learners' substitutions: the scorer's rivals (phones.LEARNER_SUBSTITUTIONS) and the
    articulation tips (phones.PAIR_TIPS) name the same pairs."""
    from saywell.engine.phones import PAIR_TIPS
    from saywell.engine.phones import LEARNER_SUBSTITUTIONS

    assert set(LEARNER_SUBSTITUTIONS) == set(PAIR_TIPS) and len(LEARNER_SUBSTITUTIONS) == len(PAIR_TIPS)
