"""The languages saywell judges: each one's phones, how its text becomes phones, and its model.

English phones are ARPAbet (phones.py), other languages' phones are IPA symbols (spanish.py, french.py,
italian.py, german.py), so a phone name never means two sounds in two languages' reports, except where it is the same letter
for the same sound.
English is always installed (models/saywell-en.tflite); another language once `saywell languages add` has put its
model among the device's installed languages (classroom/language_packs.py), or in $SAYWELL_MODELS when that is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .. import PROJECT_ROOT
from ..errors import SaywellError
from . import french, german, italian, spanish
from . import phones as english

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1: what --lang and a word list's lang column take
    name: str
    phones: tuple[str, ...]
    vowels: frozenset[str]
    sounds: dict[str, tuple[str, str]]  # phone -> (IPA, a word with it), how people see a sound
    tips: dict[str, str]  # phone -> how to say it (in English: the learner's likely first language)
    pair_tips: dict[tuple[str, str], str]  # (expected, heard) -> tip
    learner_substitutions: tuple[tuple[str, str], ...]  # what learners classically say instead
    espeak_voice: str  # grapheme-to-phoneme and the reference voice a learner can listen to
    ipa_to_phones: Callable[[str], tuple[str, ...]]
    parse_phones: Callable[[str], tuple[str, ...]]  # a teacher's typed phones
    variant_voices: tuple[str, ...] = field(default=())  # more espeak-ng voices whose forms are also right

    @property
    def model_file(self) -> str:
        return f"saywell-{self.code}.tflite"

    def sound_label(self, phone: str) -> str:
        """'ɾ' -> '/ɾ/ as in pero'; anything else as it is."""
        if phone not in self.sounds:
            return phone
        ipa, word = self.sounds[phone]
        return f"/{ipa}/ as in {word}"


ENGLISH = Language(
    code="en", name="English", phones=english.PHONES, vowels=english.VOWELS, sounds=english.SOUNDS,
    tips=english.PHONE_TIPS, pair_tips=english.PAIR_TIPS, learner_substitutions=english.LEARNER_SUBSTITUTIONS, espeak_voice="en-us",
    ipa_to_phones=english.ipa_to_arpabet, parse_phones=english.parse_phones)

SPANISH = Language(
    code="es", name="Spanish", phones=spanish.PHONES, vowels=spanish.VOWELS, sounds=spanish.SOUNDS, tips=spanish.TIPS,
    pair_tips=spanish.PAIR_TIPS, learner_substitutions=spanish.LEARNER_SUBSTITUTIONS, espeak_voice="es",
    ipa_to_phones=spanish.ipa_to_phones, parse_phones=spanish.parse_phones,
    variant_voices=("es-419",))

FRENCH = Language(
    code="fr", name="French", phones=french.PHONES, vowels=french.VOWELS, sounds=french.SOUNDS, tips=french.TIPS,
    pair_tips=french.PAIR_TIPS, learner_substitutions=french.LEARNER_SUBSTITUTIONS, espeak_voice="fr",
    ipa_to_phones=french.ipa_to_phones, parse_phones=french.parse_phones)

ITALIAN = Language(
    code="it", name="Italian", phones=italian.PHONES, vowels=italian.VOWELS, sounds=italian.SOUNDS, tips=italian.TIPS,
    pair_tips=italian.PAIR_TIPS, learner_substitutions=italian.LEARNER_SUBSTITUTIONS, espeak_voice="it",
    ipa_to_phones=italian.ipa_to_phones, parse_phones=italian.parse_phones)

GERMAN = Language(
    code="de", name="German", phones=german.PHONES, vowels=german.VOWELS, sounds=german.SOUNDS, tips=german.TIPS,
    pair_tips=german.PAIR_TIPS, learner_substitutions=german.LEARNER_SUBSTITUTIONS, espeak_voice="de",
    ipa_to_phones=german.ipa_to_phones, parse_phones=german.parse_phones)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (ENGLISH, SPANISH, FRENCH, ITALIAN, GERMAN)}


def language(code: str | None) -> Language:
    """The language for a --lang value or a list's lang column; a clear error for one saywell does not know."""
    key = (code or DEFAULT_LANGUAGE).strip().lower()
    if key not in LANGUAGES:
        raise SaywellError(f"unknown language {code!r}; saywell knows {', '.join(sorted(LANGUAGES))} "
                           "(--lang, or a word list's lang column)")
    return LANGUAGES[key]


def models_dir() -> Path:
    """The checkout's models/ (or $SAYWELL_MODELS): every shipped model, what a language is installed from."""
    return Path(os.environ.get("SAYWELL_MODELS", PROJECT_ROOT / "models"))


def model_dir(code: str | None, installed_dir: Path) -> Path:
    """Where a device looks for the language's model: $SAYWELL_MODELS when set (every language); otherwise English
    in models/ and every other language in installed_dir, where `saywell languages add` puts it."""
    if "SAYWELL_MODELS" in os.environ or language(code).code == DEFAULT_LANGUAGE:
        return models_dir()
    return installed_dir


def model_path(code: str | None, installed_dir: Path) -> Path:
    """The language's model on this device; a clear error naming the fix when it is not installed."""
    lang = language(code)
    path = model_dir(code, installed_dir) / lang.model_file
    if not path.exists():
        have = ", ".join(x.code for x in installed(installed_dir))
        if "SAYWELL_MODELS" in os.environ:
            raise SaywellError(f"no {lang.name} model in $SAYWELL_MODELS ({path} is missing; there: {have or 'none'}); "
                               f"copy {lang.model_file} and saywell-{lang.code}.json there, or unset SAYWELL_MODELS")
        raise SaywellError(f"{lang.name} is not installed on this device (installed: {have}); install it with "
                           f"`saywell languages add {lang.code}`, or pass --model")
    return path


def installed(installed_dir: Path) -> list[Language]:
    return [lang for lang in LANGUAGES.values() if (model_dir(lang.code, installed_dir) / lang.model_file).exists()]


@lru_cache(maxsize=None)
def sound_label(phone: str, code: str = DEFAULT_LANGUAGE) -> str:
    return language(code).sound_label(phone)
