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
