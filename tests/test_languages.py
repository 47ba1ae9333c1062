"""Languages beside English: phone sets, espeak-ng's spelling rules read into them, typed phones, and the
training speech made for them (MBROLA voices saying their own language, held-out English voices reading it)."""

import numpy as np
import pytest

from saywell.engine import french, german, italian, spanish
from saywell.engine.language import FRENCH, GERMAN, ITALIAN, LANGUAGES, SPANISH, language
from saywell.engine.lexicon_rules import RulesLexicon, lexicon_for
from saywell.errors import SaywellError


def test_every_phone_has_a_label_and_a_tip_in_every_language():
    for lang in LANGUAGES.values():
        assert set(lang.phones) == set(lang.sounds), lang.code
        if lang.code != "en":
            assert set(lang.phones) == set(lang.tips), lang.code
            assert lang.vowels < set(lang.phones)
            assert all(e in lang.phones and s in lang.phones for e, s in lang.learner_substitutions)
    assert SPANISH.sound_label("ɾ") == "/ɾ/ as in pero" and FRENCH.sound_label("y") == "/y/ as in rue"


def test_an_unknown_language_names_the_known_ones():
    with pytest.raises(SaywellError, match="unknown language 'xx'.*de, en, es, fr, it"):
        language("xx")


@pytest.mark.parametrize("ipa,phones", [
    ("pˈero", ("p", "e", "r", "o")), ("pˈeɾo", ("p", "e", "ɾ", "o")), ("kˈajje", ("k", "a", "j", "e")),
    ("ˈaɣwa", ("a", "ɡ", "w", "a")), ("θapˈato", ("θ", "a", "p", "a", "t", "o")), ("mˈizmo", ("m", "i", "s", "m", "o")),
])
def test_spanish_ipa_merges_allophones_and_doubled_palatals(ipa, phones):
    assert spanish.ipa_to_phones(ipa) == phones


@pytest.mark.parametrize("ipa,phones", [
    ("bɔ̃ʒˈuʁ", ("b", "ɔ̃", "ʒ", "u", "ʁ")), ("bʁˈœ̃", ("b", "ʁ", "ɛ̃")), ("ʁˈy", ("ʁ", "y")),
    ("le-z ɑ̃fˈɑ̃", ("l", "e", "z", "ɑ̃", "f", "ɑ̃")), ("(en)pˈɑːkɪŋ(fr)", ("p", "a", "k", "i", "n")),
])
def test_french_ipa_keeps_nasal_vowels_and_drops_language_switches(ipa, phones):
    assert french.ipa_to_phones(ipa) == phones


@pytest.mark.parametrize("ipa,phones", [
    ("fˈatːo", ("f", "a", "t", "o")), ("mˈamma", ("m", "a", "m", "a")), ("pˈɛrɾo", ("p", "ɛ", "r", "o")),
    ("ɲˈokːɪ", ("ɲ", "o", "k", "i")), ("lˈiŋɡwa", ("l", "i", "n", "ɡ", "w", "a")), ("pˈitsːa", ("p", "i", "ts", "a")),
    ("dʒelˈato", ("dʒ", "e", "l", "a", "t", "o")), ("fˈiʎo", ("f", "i", "ʎ", "o")),
])
def test_italian_ipa_keeps_seven_vowels_and_reads_a_double_consonant_once(ipa, phones):
    assert italian.ipa_to_phones(ipa) == phones


@pytest.mark.parametrize("ipa,phones", [
    ("ʃtˈɑːt", ("ʃ", "t", "aː", "t")), ("ʃtˈat", ("ʃ", "t", "a", "t")), ("ɡlˈyk", ("ɡ", "l", "ʏ", "k")),
    ("ˈyːbɜ", ("yː", "b", "ɐ")), ("hˈɔøtə", ("h", "ɔʏ", "t", "ə")), ("pfˈeːɾt", ("pf", "eː", "ɐ", "t")),
    ("bɾˈykə", ("b", "ʁ", "ʏ", "k", "ə")), ("ˈuːɾ", ("uː", "ɐ")), ("mˈɛːdçən", ("m", "eː", "d", "ç", "ə", "n")),
    ("dʒˈʊŋəl", ("tʃ", "ʊ", "ŋ", "ə", "l")),
])
def test_german_ipa_keeps_vowel_length_and_vocalizes_r_after_a_vowel(ipa, phones):
    """espeak-ng writes long a as ɑː, short ü as y and the -er vowel as ɜ; an r after a vowel and before none is ɐ."""
    assert german.ipa_to_phones(ipa) == phones


def test_german_words_come_from_the_german_rules():
    prons = lexicon_for("de").phrase("ich Buch Zeit schön")
    assert [p.phones for p in prons] == [("ɪ", "ç"), ("b", "uː", "x"), ("ts", "aɪ", "t"), ("ʃ", "øː", "n")]
    assert german.parse_phones("I C") == ("ɪ", "ç") and german.parse_phones("S 2: n") == ("ʃ", "øː", "n")
    assert german.parse_phones("ts aI t") == german.parse_phones("tsˈaɪt") == ("ts", "aɪ", "t")
    with pytest.raises(ValueError, match="unknown German phone symbol.*TH"):
        german.parse_phones("TH")
    assert GERMAN.sound_label("ç") == "/ç/ as in ich"


def test_italian_words_come_from_the_italian_rules():
    prons = lexicon_for("it").phrase("ciao chiesa gnocchi figlio")
    assert [p.phones for p in prons] == [("tʃ", "a", "o"), ("k", "j", "ɛ", "z", "a"), ("ɲ", "o", "k", "i"),
                                         ("f", "i", "ʎ", "o")]
    assert italian.parse_phones("tS a o") == ("tʃ", "a", "o") and italian.parse_phones("f i L o") == ("f", "i", "ʎ", "o")
    assert ITALIAN.sound_label("ʎ") == "/ʎ/ as in figlio"


def test_typed_phones_take_ipa_or_x_sampa_and_name_what_is_wrong():
    assert spanish.parse_phones("p e 4 o") == spanish.parse_phones("p,e,ɾ,o") == spanish.parse_phones("pˈeɾo")
    assert spanish.parse_phones("tS i k o") == ("tʃ", "i", "k", "o")
    assert french.parse_phones("b o~ Z u R") == french.parse_phones("bɔ̃ʒuʁ") == ("b", "ɔ̃", "ʒ", "u", "ʁ")
    with pytest.raises(ValueError, match="unknown Spanish phone symbol.*q.*X-SAMPA"):
        spanish.parse_phones("p q")
    with pytest.raises(ValueError, match="unknown French phone symbol.*TH"):
        french.parse_phones("TH")


def test_spanish_words_accept_spains_and_latin_americas_form():
    lex = lexicon_for("es")
    assert isinstance(lex, RulesLexicon)
    prons = lex.phrase("Zapato perro pero niño calle")
    assert [p.phones for p in prons] == [("θ", "a", "p", "a", "t", "o"), ("p", "e", "r", "o"), ("p", "e", "ɾ", "o"),
                                         ("n", "i", "ɲ", "o"), ("k", "a", "j", "e")]
    forms = [[v.phones for v in vs] for vs in lex.variants_many(prons)]
    assert forms[0] == [("θ", "a", "p", "a", "t", "o"), ("s", "a", "p", "a", "t", "o")]
    assert forms[1] == [("p", "e", "r", "o")]  # one form: the trill is right everywhere


def test_french_words_come_from_the_french_rules():
    prons = lexicon_for("fr").phrase("bonjour la rue")
    assert [p.phones for p in prons] == [("b", "ɔ̃", "ʒ", "u", "ʁ"), ("l", "a"), ("ʁ", "y")]


def test_a_language_rules_lexicon_refuses_empty_text():
    with pytest.raises(SaywellError, match="no words"):
        RulesLexicon(SPANISH).phrase(" ¿? ")


# ---- training speech -------------------------------------------------------------------------------------------

mbrola = pytest.importorskip("saywell_train.voices.mbrola_native")


def _voices_here(*names: str) -> bool:
    from saywell_train.voices.fetched import voices_root

    return all((voices_root() / "mbrola" / n / n).exists() for n in names)


@pytest.mark.skipif(not _voices_here("es1", "fr2"), reason="MBROLA voices not fetched (scripts/fetch-mbrola es1 fr2)")
def test_a_native_mbrola_voice_says_exactly_the_phones_asked():
    from saywell_train.voices.mbrola_native import NativeMbrolaVoice

    u = NativeMbrolaVoice("es1", SPANISH, seed=1).synthesize(["perro"], [("p", "e", "r", "o")], [1])
    assert [s.phone for s in u.segments] == ["SIL", "p", "e", "r", "o", "SIL"]
    assert u.segments[-1].end_s == pytest.approx(len(u.audio) / 16000)
    loud = [float(np.sqrt(np.mean(u.audio[int(s.start_s * 16000):int(s.end_s * 16000)] ** 2))) for s in u.segments]
    vowels = [x for x, s in zip(loud, u.segments) if s.phone in SPANISH.vowels]
    assert loud[0] < 1e-3 and min(vowels) > 30 * loud[0]  # silence where it says so, the vowels where they are
    # a phone the voice lacks (fr2 has no ɲ of its own) is said as two of its phones, one label
    u = NativeMbrolaVoice("fr2", FRENCH, seed=1).synthesize(["agneau"], [("a", "ɲ", "o")], [2])
    assert [s.phone for s in u.segments] == ["SIL", "a", "ɲ", "o", "SIL"]


@pytest.mark.skipif(not _voices_here("it1", "it3"), reason="MBROLA voices not fetched (scripts/fetch-mbrola it1 it3)")
def test_both_italian_naming_schemes_give_each_sound_its_own_name():
    """it1 and it2 name sounds in their own letters (E closed, E1 open, S is s, sh is ʃ, J is the glide j), it3 and
    it4 in SAMPA (E open, S is ʃ, J is ɲ): each phone must reach the voice's name for that sound."""
    from saywell_train.voices.mbrola_native import names_of

    own = names_of("it1", "it")
    assert (own["e"], own["ɛ"], own["o"], own["ɔ"], own["s"], own["ʃ"], own["ɲ"], own["ʎ"], own["j"]) == \
        ("E", "E1", "O", "O1", "S", "sh", "gn", "gl", "J")
    sampa = names_of("it3", "it")
    assert (sampa["e"], sampa["ɛ"], sampa["s"], sampa["ʃ"], sampa["ɲ"], sampa["ʎ"], sampa["j"]) == \
        ("e", "E1", "s", "S", "J", "L", "j")


@pytest.mark.skipif(not _voices_here("de1", "de5"), reason="MBROLA voices not fetched (scripts/fetch-mbrola de1 de5)")
def test_german_voices_have_every_german_sound_even_those_that_never_follow_a_pause():
    """de1 has 9, O and 6 but no diphone from a pause into them: probed between t's, each phone gets its own name."""
    from saywell_train.voices.mbrola_native import NativeMbrolaVoice, names_of

    for voice in ("de1", "de5"):
        have = names_of(voice, "de")
        assert set(have) == set(GERMAN.phones), voice
        assert (have["œ"], have["ɔ"], have["ɐ"], have["øː"], have["ç"], have["ʁ"]) == ("9", "O", "6", "2:", "C", "R")
    u = NativeMbrolaVoice("de1", GERMAN, seed=1).synthesize(["Hölle"], [("h", "œ", "l", "ə")], [1])
    assert [s.phone for s in u.segments] == ["SIL", "h", "œ", "l", "ə", "SIL"]


def test_german_keeps_a_voice_out_of_training_to_set_its_line():
    """No real German speaker is in the registries' list: de7 sets the verdict line, de5 stays held out, de8 (a
    Bavarian inventory) is not used."""
    from saywell_train.synthesize_lang import CALIBRATION, HELDOUT, VOICES

    train = {v.voice for v in VOICES["de"]}
    assert {v.voice for v in CALIBRATION["de"]} == {"de7"} and {v.voice for v in HELDOUT["de"]} == {"de5"}
    assert not train & {"de5", "de7", "de8"} and train == {"de1", "de2", "de3", "de4", "de6"}


def test_twins_change_one_phone_to_what_english_speakers_say():
    from saywell_train.synthesize_lang import Word, make_jobs

    vocab = [Word("perro", ("p", "e", "r", "o"), 1), Word("jota", ("x", "o", "t", "a"), 1)]
    jobs = make_jobs(vocab, 2, 0, 1.0, 0, (90.0, 150.0), "es")
    twins = [j for j, _ in jobs if j.mis_word is not None]
    assert twins and all(sum(a != b for a, b in zip(j.phones[0], j.canonical[0])) == 1 for j in twins)
    fr = make_jobs([Word("on", ("ɔ̃",), 0)], 1, 0, 1.0, 3, (90.0, 150.0), "fr")
    said = [j for j, _ in fr if j.mis_word is not None]
    assert said and said[0].mis_said in ("ɔ n", "ɔ") and said[0].phones[0] == tuple(said[0].mis_said.split())


def test_english_speakers_habits_mark_the_sounds_they_get_wrong():
    from saywell_train.anglo_reader import rendering
    from saywell_train.synthesize_lang import Word

    parts = rendering(Word("perro", ("p", "e", "r", "o"), 1), SPANISH.vowels, "es")
    assert [c for _, c in parts] == ["aspirated stop", "diphthong", "R as English r", "diphthong"]
    parts = rendering(Word("mil", ("m", "i", "l"), 1), SPANISH.vowels, "es")
    assert [c for _, c in parts] == [None, None, None]
    parts = rendering(Word("bonjour", ("b", "ɔ̃", "ʒ", "u", "ʁ"), 3), FRENCH.vowels, "fr")
    assert parts[1] == (("OW", "N"), "nasal vowel + n") and parts[4][1] == "R as English r"
    parts = rendering(Word("Bücher", ("b", "yː", "ç", "ɐ"), 1), GERMAN.vowels, "de")
    assert [c for _, c in parts] == [None, "ü as u", "ich-sound as sh", "-er with English r"]


def test_the_dev_set_restores_accents_the_transcripts_leave_out():
    from saywell_train.realspeech_lang import _plain, accented_spellings

    assert _plain("contraseña") == "contrasena" and _plain("número") == "numero"
    spelled = accented_spellings(["número", "numero", "contraseña", "año", "ano"])  # most frequent first
    assert spelled["numero"] == "número" and spelled["contrasena"] == "contraseña" and spelled["ano"] == "año"


# ---- the shipped Spanish model on real and deliberate audio -------------------------------------------------------

ES_MODEL = pytest.importorskip("conftest").ROOT / "models" / "saywell-es.tflite"
needs_es_model = pytest.mark.skipif(not ES_MODEL.exists(), reason="no Spanish model in models/")


@pytest.fixture(scope="module")
def es_scorer():
    from saywell.engine.model import AcousticModel
    from saywell.engine.scoring import Scorer

    return Scorer(AcousticModel(ES_MODEL))


def _score(es_scorer, clip: str, text: str):
    from conftest import SAMPLES

    from saywell.audio.wav import load_wav

    return es_scorer.score(load_wav(SAMPLES / clip), text)


@needs_es_model
@pytest.mark.parametrize("clip,text", [("real_es_gracias.wav", "gracias"), ("real_es_arroba.wav", "arroba"),
                                       ("mx1_perro.wav", "perro")])
def test_the_real_speaker_and_a_correct_take_are_judged_correct(es_scorer, clip, text):
    r = _score(es_scorer, clip, text)
    assert r.lang == "es" and r.verdict == "correct" and r.score >= 70, r.to_dict()


@needs_es_model
@pytest.mark.parametrize("clip,text,phone,heard", [("mx1_perro_as_pero.wav", "perro", "r", "ɾ"),
                                                   ("mx1_japon_as_kapon.wav", "japón", "x", "k")])
def test_a_learner_error_is_flagged_on_its_sound_and_named(es_scorer, clip, text, phone, heard):
    r = _score(es_scorer, clip, text)
    flagged = [p for p in r.words[0].phones if not p.ok]
    assert r.verdict == "mispronounced" and [(p.phone, p.heard) for p in flagged] == [(phone, heard)], r.to_dict()


@needs_es_model
def test_an_english_speakers_r_is_flagged_in_perro(es_scorer):
    r = _score(es_scorer, "us3_perro_english_way.wav", "perro")
    assert r.verdict == "mispronounced" and [p.phone for p in r.words[0].phones if not p.ok] == ["r"], r.to_dict()



FR_MODEL = ES_MODEL.with_name("saywell-fr.tflite")


@pytest.fixture(scope="module")
def fr_scorer():
    from saywell.engine.model import AcousticModel
    from saywell.engine.scoring import Scorer

    if not FR_MODEL.exists():
        pytest.skip("no French model in models/")
    return Scorer(AcousticModel(FR_MODEL))


@pytest.mark.parametrize("clip,text", [("real_fr_merci.wav", "merci"), ("real_fr_deux.wav", "deux"),
                                       ("real_fr_suspendu.wav", "suspendu"), ("fr1_rue.wav", "rue")])
def test_the_real_french_speaker_and_a_correct_take_are_judged_correct(fr_scorer, clip, text):
    r = _score(fr_scorer, clip, text)
    assert r.lang == "fr" and r.verdict == "correct" and r.score >= 70, r.to_dict()


@pytest.mark.parametrize("clip,text,phone,heard", [("fr1_rue_as_roue.wav", "rue", "y", "u"),
                                                   ("fr1_bon_as_bonne.wav", "bon", "ɔ̃", "ɔ"),
                                                   ("us3_rue_english_way.wav", "rue", "ʁ", "l")])
def test_a_french_learner_error_is_flagged_on_its_sound_and_named(fr_scorer, clip, text, phone, heard):
    r = _score(fr_scorer, clip, text)
    worst = min(r.words[0].phones, key=lambda p: p.score)
    assert r.verdict == "mispronounced" and (worst.phone, worst.heard) == (phone, heard) and not worst.ok, r.to_dict()


def run_demo(code: str) -> tuple[str, str]:
    """`saywell demo --lang CODE` once the language is installed: its whole output and its closing summary."""
    from conftest import ROOT, run_cli

    if not (ROOT / "models" / f"saywell-{code}.tflite").exists():
        pytest.skip(f"no saywell-{code} model in models/")
    assert run_cli("languages", "add", code).returncode == 0
    r = run_cli("demo", "--lang", code)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stdout[r.stdout.index("deliberate mistakes caught"):]


def test_the_french_demo_catches_its_mistakes_and_accepts_its_correct_clips():
    _, summary = run_demo("fr")
    assert summary.startswith("deliberate mistakes caught: 3 of 3\ncorrect clips judged correct: 5 of 5"), summary


def test_the_spanish_demo_catches_every_mistake_and_accepts_every_correct_clip():
    out, summary = run_demo("es")
    assert summary.startswith("deliberate mistakes caught: 4 of 4\ncorrect clips judged correct: 5 of 5"), summary
    assert "mañana: try again" in out and "sound to work on: ɲ in 'mañana' (heard n instead)" in out


def test_the_italian_demo_catches_the_spelling_and_sound_mistakes_and_accepts_the_real_speaker():
    out, summary = run_demo("it")
    for caught in ("it3_figlio_as_filio", "it3_chiesa_as_ciesa", "it3_pizza_as_piza"):
        assert caught not in summary, summary
    assert "correct clips judged correct: 5 of 5" in summary, summary
    assert "sound to work on: ʎ in 'figlio' (heard l instead)" in out
    assert "sound to work on: k in 'chiesa' (heard tʃ instead)" in out


def test_the_german_demo_catches_every_mistake_of_a_voice_it_never_heard():
    """Every German clip is the held-out de5 (or us3 reading German the English way): none was trained on."""
    out, summary = run_demo("de")
    assert summary.startswith("deliberate mistakes caught: 5 of 5\ncorrect clips judged correct: 4 of 4"), summary
    assert "sound to work on: ç in 'ich' (heard ʃ instead)" in out
    assert "sound to work on: yː in 'über' (heard uː instead)" in out
    assert "sound to work on: x in 'buch' (heard k instead)" in out
