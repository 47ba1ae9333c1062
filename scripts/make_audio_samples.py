"""Regenerates audio_samples/: a few real recordings (Asterisk prompts, CC-BY-SA-3.0) and piper joe
takes with deliberate learner errors; for Spanish, French and Italian (manifest_LANG.tsv), the language's Asterisk
speaker and MBROLA takes with learner errors; for German, the held-out MBROLA voice de5 only. Run from the repo root with the train extra installed:

    python scripts/make_audio_samples.py [LANG ...]      # every language, or only those named (en es fr it de)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import load_wav, write_wav  # noqa: E402
from saywell_train.realspeech import _find_sources  # noqa: E402

OUT = ROOT / "audio_samples"

# (file, asterisk prompt, expected text, note)
REAL = [
    ("real_hello.wav", "hello", "hello", "real speaker, correct"),
    ("real_goodbye.wav", "goodbye", "goodbye", "real speaker, correct"),
    ("real_three.wav", "digits/3", "three", "real speaker, correct"),
    ("real_seven.wav", "digits/7", "seven", "real speaker, correct"),
    # Correct, but not CMUdict's first pronunciation (L AY M AH, R AH S IY V D, W IH DH): accepted through
    # the dictionary's variants
    ("real_lima.wav", "phonetic/l_p", "lima", "real speaker, correct (L IY M AH: a dictionary variant)"),
    ("real_received.wav", "vm-received", "received", "real speaker, correct (R IY S IY V D: a dictionary variant)"),
    ("real_with.wav", "with", "with", "real speaker, correct (W IH TH: a dictionary variant)"),
    # A phrase, read as in running speech: the DH of "the" is a short stop
    ("real_to_exit_the_menu.wav", "confbridge-menu-exit-out", "to exit the menu",
     "real speaker, correct (a phrase; its 'the' said with a stopped DH, as in running speech)"),
]
# (file, words, spoken phones or None, expected text, note)
PIPER = [
    ("joe_think.wav", ["think"], None, "think", "synthetic (piper joe), correct"),
    ("joe_think_as_sink.wav", ["think"], [("S", "IH", "NG", "K")], "think", "TH said as S"),
    ("joe_very_as_berry.wav", ["very"], [("B", "EH", "R", "IY")], "very", "V said as B"),
    ("joe_ship_as_sheep.wav", ["ship"], [("SH", "IY", "P")], "ship", "IH said as IY"),
]


def asterisk_clip(src: Path, dst: Path) -> None:
    """A G.722 prompt as the 16 kHz mono PCM WAV saywell writes."""
    with tempfile.TemporaryDirectory() as td:
        wav = Path(td) / "x.wav"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "g722", "-i", str(src), "-ar", "16000", "-ac", "1",
                        str(wav)], check=True)
        write_wav(dst, load_wav(wav).samples)


def main(codes: list[str]) -> None:
    """Every language's clips, or only those of the languages named (`python scripts/make_audio_samples.py it`)."""
    if unknown := set(codes) - set(LANGUAGES):
        raise SystemExit(f"no samples for {', '.join(sorted(unknown))}; languages: {', '.join(LANGUAGES)}")
    for code in codes or LANGUAGES:
        LANGUAGES[code]()


def english() -> None:
    OUT.mkdir(exist_ok=True)
    rows = []
    _, root = _find_sources()
    for name, prompt, text, note in REAL:
        asterisk_clip(root / f"{prompt}.g722", OUT / name)
        rows.append(f"{name}\t{text}\t\t{note}")
    rows.append("real_three.wav\ttree\t\treal 'three' checked against 'tree': the TH/T sound should be flagged")
    from saywell_train.voices.piper_voice import PiperVoice

    voice = PiperVoice(length_scale=1.1, noise_scale=0.5)
    for name, words, phones, text, note in PIPER:
        u = voice.synthesize(words, phones)
        write_wav(OUT / name, u.audio)
        rows.append(f"{name}\t{text}\t\t{note}")
    (OUT / "manifest.tsv").write_text(
        "# audio<TAB>expected text<TAB>expected phones (optional)<TAB>note; read by `saywell demo` and the tests\n"
        + "\n".join(rows) + "\n")


# Spanish (`saywell demo --lang es`): the Mexican Asterisk speaker, correct; MBROLA mx1 (a training voice, as joe
# is for English) with one deliberate learner error each; held-out us3 reading 'perro' as English speakers do.
REAL_ES = [
    ("real_es_gracias.wav", "auth-thankyou", "gracias", "real speaker (Mexican Spanish), correct"),
    ("real_es_arroba.wav", "letters/at", "arroba", "real speaker, correct (the trill of 'rr')"),
    ("real_es_manana.wav", "digits/tomorrow", "mañana", "real speaker, correct (ñ)"),
    ("real_es_japon.wav", "phonetic/j_p", "japón", "real speaker, correct (the jota)"),
]
# (file, voice, spoken phones, stressed vowel index, expected text, note)
MBROLA_ES = [
    ("mx1_perro.wav", "mx1", ("p", "e", "r", "o"), 1, "perro", "synthetic (MBROLA mx1), correct"),
    ("mx1_perro_as_pero.wav", "mx1", ("p", "e", "ɾ", "o"), 1, "perro", "trill r said as the tap ɾ ('pero')"),
    ("mx1_manana_as_manana.wav", "mx1", ("m", "a", "n", "a", "n", "a"), 3, "mañana", "ñ said as n"),
    ("mx1_japon_as_kapon.wav", "mx1", ("k", "a", "p", "o", "n"), 3, "japón", "jota x said as k"),
]


def language_samples(code: str, real: list, takes: list, english_way: tuple[str, str, tuple[str, ...], int, str]) -> None:
    """A language's demo clips and manifest_CODE.tsv: its Asterisk speaker (correct), MBROLA takes with and
    without a learner error, and held-out us3 reading one word as English speakers do."""
    from saywell.engine.language import language
    from saywell_train.anglo_reader import say
    from saywell_train.realspeech_lang import _sources
    from saywell_train.synthesize_lang import Word
    from saywell_train.voices.mbrola_native import NativeMbrolaVoice

    lang = language(code)
    rows = []
    root = _sources(code)[1] if real else None  # German has no real speaker
    for name, prompt, text, note in real:
        asterisk_clip(root / f"{prompt}.g722", OUT / name)
        rows.append(f"{name}\t{text}\t\t{note}")
    for name, voice, phones, stress, text, note in takes:
        u = NativeMbrolaVoice(voice, lang, tempo=1.1, f0=115, seed=7).synthesize([text], [phones], [stress])
        write_wav(OUT / name, u.audio)
        rows.append(f"{name}\t{text}\t\t{note}")
    name, word, phones, stress, note = english_way
    audio, _, _ = say("us3", Word(word, phones, stress), lang.vowels, 150, 50, code)
    write_wav(OUT / name, audio)
    rows.append(f"{name}\t{word}\t\t{note}")
    (OUT / f"manifest_{code}.tsv").write_text(
        f"# {lang.name} clips for `saywell demo --lang {code}` and the tests: audio<TAB>expected text<TAB>phones<TAB>note\n"
        + "\n".join(rows) + "\n")


def spanish() -> None:
    language_samples("es", REAL_ES, MBROLA_ES, ("us3_perro_english_way.wav", "perro", ("p", "e", "r", "o"), 1,
                     "read as an English speaker would (MBROLA us3): R as English r, e and o glided"))


# French (`saywell demo --lang fr`): the Canadian Asterisk speaker, correct; MBROLA fr1 (a training voice) with a
# learner error each; held-out us3 reading 'rue' as English speakers do.
REAL_FR = [
    ("real_fr_merci.wav", "auth-thankyou", "merci", "real speaker (Canadian French), correct"),
    ("real_fr_deux.wav", "digits/2", "deux", "real speaker, correct (ø)"),
    ("real_fr_quinze.wav", "digits/15", "quinze", "real speaker, correct (a nasal vowel)"),
    ("real_fr_suspendu.wav", "dictate/paused", "suspendu", "real speaker, correct (y)"),
]
MBROLA_FR = [
    ("fr1_rue.wav", "fr1", ("ʁ", "y"), 1, "rue", "synthetic (MBROLA fr1), correct"),
    ("fr1_rue_as_roue.wav", "fr1", ("ʁ", "u"), 1, "rue", "y said as u ('roue')"),
    ("fr1_bon_as_bonne.wav", "fr1", ("b", "ɔ", "n"), 1, "bon", "the nasal vowel ɔ̃ said as ɔ and an n"),
]


def french() -> None:
    language_samples("fr", REAL_FR, MBROLA_FR, ("us3_rue_english_way.wav", "rue", ("ʁ", "y"), 1,
                     "read as an English speaker would (MBROLA us3): English r, y as 'oo'"))


# Italian (`saywell demo --lang it`): the Italian Asterisk speaker (a man), correct; MBROLA it3 (a training voice)
# with a learner error each; held-out us3 reading 'rosso' as English speakers do (the English r, as in Spanish's demo).
REAL_IT = [
    ("real_it_grazie.wav", "auth-thankyou", "grazie", "real speaker (Italian), correct"),
    ("real_it_dieci.wav", "digits/10", "dieci", "real speaker, correct (c as ch)"),
    ("real_it_zero.wav", "digits/0", "zero", "real speaker, correct (z as dz)"),
    ("real_it_quattro.wav", "digits/4", "quattro", "real speaker, correct (the r)"),
]
MBROLA_IT = [
    ("it3_figlio.wav", "it3", ("f", "i", "ʎ", "o"), 1, "figlio", "synthetic (MBROLA it3), correct"),
    ("it3_figlio_as_filio.wav", "it3", ("f", "i", "l", "o"), 1, "figlio", "gli ʎ said as l"),
    ("it3_chiesa_as_ciesa.wav", "it3", ("tʃ", "j", "ɛ", "z", "a"), 2, "chiesa", "ch read as English ch: tʃ for k"),
    ("it3_pizza_as_piza.wav", "it3", ("p", "i", "z", "a"), 1, "pizza", "z of pizza said as a buzzing z, not ts"),
]


def italian() -> None:
    language_samples("it", REAL_IT, MBROLA_IT, ("us3_rosso_english_way.wav", "rosso", ("r", "o", "s", "o"), 1,
                     "read as an English speaker would (MBROLA us3): R as English r, o glided"))


# German (`saywell demo --lang de`): no real German speaker is in the registries' list, so every clip is MBROLA
# de5, the voice held out of German training (never heard by the model), correct and with a learner error each;
# held-out us3 reading 'rot' as English speakers do.
MBROLA_DE = [
    ("de5_ich.wav", "de5", ("ɪ", "ç"), 0, "ich", "held-out voice (MBROLA de5), correct (the ich-sound)"),
    ("de5_buch.wav", "de5", ("b", "uː", "x"), 1, "Buch", "held-out voice, correct (the ach-sound)"),
    ("de5_zeit.wav", "de5", ("ts", "aɪ", "t"), 1, "Zeit", "held-out voice, correct (z as ts)"),
    ("de5_uber.wav", "de5", ("yː", "b", "ɐ"), 0, "über", "held-out voice, correct (ü)"),
    ("de5_ich_as_ish.wav", "de5", ("ɪ", "ʃ"), 0, "ich", "the ich-sound ç said as sh"),
    ("de5_uber_as_uber.wav", "de5", ("uː", "b", "ɐ"), 0, "über", "ü said as u ('uber')"),
    ("de5_schon_as_schon.wav", "de5", ("ʃ", "oː", "n"), 1, "schön", "ö said as o ('schon')"),
    ("de5_buch_as_buk.wav", "de5", ("b", "uː", "k"), 1, "Buch", "the ach-sound x said as k"),
]


def german() -> None:
    language_samples("de", [], MBROLA_DE, ("us3_rot_english_way.wav", "rot", ("ʁ", "oː", "t"), 1,
                     "read as an English speaker would (MBROLA us3): R as English r, o glided"))


LANGUAGES = {"en": english, "es": spanish, "fr": french, "it": italian, "de": german}


if __name__ == "__main__":
    main(sys.argv[1:])
