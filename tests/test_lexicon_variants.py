"""Accepted pronunciations: CMUdict's alternates and weak (unstressed) IH/AH, and that teachers' phones stay literal."""

import pytest
from conftest import SAMPLES

from saywell.audio.wav import load_wav
from saywell.engine.lexicon import Lexicon, Pronunciation, Variant


def test_dictionary_words_have_their_alternates_listed_phones_first():
    lex = Lexicon(use_g2p=False)
    either = lex.variants(lex.lookup("either"))
    assert [v.phones for v in either] == [("IY", "DH", "ER"), ("AY", "DH", "ER")]
    wanted = lex.variants(lex.lookup("wanted"))[0]
    assert wanted.phones == ("W", "AO", "N", "T", "IH", "D") and wanted.weak == (False,) * 4 + (True, False)
    assert not any(lex.variants(lex.lookup("think"))[0].weak)  # stressed IH is not weak


def test_given_and_guessed_phones_are_taken_literally():
    lex = Lexicon(use_g2p=False)
    for source in ("given", "espeak-ng"):
        assert lex.variants(Pronunciation("either", ("IY", "DH", "ER"), source)) == (Variant.plain(("IY", "DH", "ER")),)


def test_a_stored_list_whose_phones_are_no_longer_first_keeps_them_first():
    lex = Lexicon(use_g2p=False)
    v = lex.variants(Pronunciation("either", ("AY", "DH", "ER"), "cmudict"))
    assert [x.phones for x in v] == [("AY", "DH", "ER"), ("IY", "DH", "ER")]


@pytest.mark.parametrize("clip,word,first", [
    ("real_lima.wav", "lima", "L AY M AH"),  # said L IY M AH
    ("real_received.wav", "received", "R AH S IY V D"),  # said R IY S IY V D
])
def test_a_real_speaker_using_a_dictionary_variant_is_accepted(scorer, clip, word, first):
    audio = load_wav(SAMPLES / clip)
    r = scorer.score(audio, word)
    assert r.verdict == "correct"
    # the same audio against exactly the first pronunciation (a teacher's phones are literal) is rejected
    literal = scorer.score(audio, word, phones=first)
    assert literal.verdict == "mispronounced" and literal.score < r.score - 30
    assert literal.weakest()[1].phone in ("AY", "AH")


def test_the_reported_phones_are_the_variant_that_was_said(scorer):
    r = scorer.score(load_wav(SAMPLES / "real_lima.wav"), "lima")
    assert [p.phone for p in r.words[0].phones] == ["L", "IY", "M", "AH"]


def test_inside_a_phrase_a_function_words_dh_may_be_a_stop():
    from saywell.engine.lexicon import Pronunciation, in_phrase
    lex = Lexicon()
    the = lex.lookup("the")
    marked = in_phrase(lex.variants(the), the)
    assert all(w for v in marked for p, w in zip(v.phones, v.weak) if p == "DH")
    think = lex.lookup("think")  # a content word's TH is asked for in a phrase too
    assert in_phrase(lex.variants(think), think) == lex.variants(think)
    given = Pronunciation("the", ("DH", "AH"), "given")  # a teacher's phones are meant literally
    assert in_phrase(lex.variants(given), given) == lex.variants(given)


def test_inside_a_phrase_your_and_you_have_their_weak_forms():
    from saywell.engine.lexicon import in_phrase
    lex = Lexicon()
    for word, weak in (("your", ("Y", "ER")), ("you", ("Y", "AH"))):
        pron = lex.lookup(word)
        alone = lex.variants(pron)
        assert weak not in [v.phones for v in alone]  # CMUdict does not list it: said alone, the full form is asked for
        inside = in_phrase(alone, pron)
        assert inside[:len(alone)] == alone and inside[-1].phones == weak  # the listed phones still come first
    your = lex.lookup("your")  # British English has no R in "yer"
    assert [v.phones for v in in_phrase(lex.variants(your, "gb"), your, "gb")][-1] == ("Y", "AH")
    assert ("Y", "ER") not in [v.phones for v in in_phrase(lex.variants(your, "gb"), your, "gb")]


def test_an_n_before_a_lip_or_back_consonant_may_take_its_place():
    from saywell.engine.scoring import _classes

    lex = Lexicon(use_g2p=False)
    conference = lex.variants(lex.lookup("conference"))[0]
    assert conference.phones == ("K", "AA", "N", "F", "ER", "AH", "N", "S")
    assert conference.weak[2] and not conference.weak[6]  # the N before F, not the N before S
    assert lex.variants(lex.lookup("include"))[0].weak[1]  # IH N K ...: before K
    index = {p: i for i, p in enumerate(("N", "M", "NG", "F", "S"))}
    assert _classes("N", True, index) == (0, 1, 2) and _classes("N", False, index) == 0


@pytest.mark.parametrize("word,reduced", [("enter", ("EH", "N", "ER")), ("center", ("S", "EH", "N", "ER")),
                                          ("until", None), ("tent", None)])
def test_american_speech_may_drop_the_t_between_n_and_an_unstressed_vowel(word, reduced):
    lex = Lexicon(use_g2p=False)
    forms = {accent: {v.phones for v in lex.variants(lex.lookup(word), accent)} for accent in ("us", "any", "gb")}
    if reduced is None:  # "until": the vowel after T is stressed; "tent": no vowel after it
        assert not any(len(p) < len(lex.lookup(word).phones) for f in forms.values() for p in f)
    else:
        assert reduced in forms["us"] and reduced in forms["any"] and reduced not in forms["gb"]
        assert lex.lookup(word).phones in forms["us"]  # the full form stays right


def test_a_conference_said_with_an_m_like_n_is_right_and_a_teachers_literal_n_is_not(scorer):
    """Posteriors of "conference" whose first N's frames are heard as M (an N taking the F's place)."""
    import numpy as np

    phones = scorer.meta.phones
    rows = []
    for p, n in (("SIL", 6), ("K", 6), ("AA", 9), ("M", 6), ("F", 8), ("ER", 6), ("AH", 5), ("N", 6), ("S", 9), ("SIL", 6)):
        row = np.full(len(phones), 1e-4)
        row[phones.index(p)] = 1.0
        rows += [row / row.sum()] * n
    logpost = np.log(np.array(rows))
    said = scorer.score_posteriors(logpost, "conference", scorer.pronunciations("conference"))
    assert said.verdict == "correct" and all(p.ok for p in said.words[0].phones)
    literal = scorer.score_posteriors(logpost, "conference", scorer.pronunciations("conference", "K AA N F ER AH N S"))
    n = literal.words[0].phones[2]
    assert literal.verdict == "mispronounced" and (n.phone, n.ok, n.heard) == ("N", False, "M")
