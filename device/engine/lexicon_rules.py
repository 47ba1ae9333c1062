"""Word -> phones in a language whose spelling says how a word sounds (Spanish, French): espeak-ng's
letter-to-sound rules are the dictionary.

A language may accept more than one form: for Spanish, Spain's (`es`: "zapato" with θ) and Latin America's
(`es-419`: with s), the first the one shown. Teachers who want one form only give the phones (`--phones`, the
list's phones column), which are then meant literally, as in English.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import SaywellError
from . import g2p
from .language import SPANISH, Language, language
from .lexicon import Lexicon, Pronunciation, Unknown, Variant, split_words

SOURCE = "spelling"  # a Pronunciation's source: espeak-ng's letter-to-sound rules of the language


def lexicon_for(code: str | None):
    """The lexicon of a language: CMUdict and espeak-ng for English, espeak-ng's spelling rules for the others."""
    lang = language(code)
    return Lexicon() if lang.code == "en" else RulesLexicon(lang)


class RulesLexicon:
    """The Lexicon of a language whose spelling espeak-ng reads by rule (the interface of lexicon.Lexicon)."""

    RECENT = 1024
    use_g2p = True

    def __init__(self, lang: Language = SPANISH):
        self.lang = lang
        self._alternates: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._recent: dict[tuple[str, ...], list[Pronunciation]] = {}

    def _guess(self, words: list[str], voice: str) -> dict[str, g2p.Guess]:
        return g2p.guess_many(words, voice=voice, to_phones=self.lang.ipa_to_phones)

    def lookup(self, word: str) -> Pronunciation:
        found = self.lookup_many([word])[word]
        if isinstance(found, Unknown):
            raise SaywellError(found.message())
        return found

    def lookup_many(self, words: Iterable[str]) -> dict[str, Pronunciation | Unknown]:
        lower = {w: w.lower() for w in words}
        todo = sorted(set(lower.values()))
        main = self._guess(todo, self.lang.espeak_voice)
        out: dict[str, Pronunciation | Unknown] = {}
        for word, w in lower.items():
            got = main.get(w)
            if got is None:
                out[word] = Unknown(w)
            elif got.phones:
                out[word] = Pronunciation(w, got.phones, SOURCE)
            else:
                out[word] = Unknown(w, got.why_none)
        return out

    def _forms(self, prons: list[Pronunciation]) -> None:
        """Each spelled word's other accepted forms (the variant voices'), guessed once per word."""
        todo = sorted({p.word for p in prons if p.source == SOURCE and p.word not in self._alternates})
        if not todo:
            return
        found: dict[str, list[tuple[str, ...]]] = {w: [] for w in todo}
        for voice in self.lang.variant_voices:
            for w, g in self._guess(todo, voice).items():
                if g.phones:
                    found[w].append(g.phones)
        if len(self._alternates) > 50000:
            self._alternates.clear()
        self._alternates.update({w: tuple(dict.fromkeys(forms)) for w, forms in found.items()})

    def variants(self, pron: Pronunciation, accent: str = "us") -> tuple[Variant, ...]:
        return self.variants_many([pron], accent)[0]

    def variants_many(self, prons: Iterable[Pronunciation], accent: str = "us") -> list[tuple[Variant, ...]]:
        """A spelled word's forms (Spain's first); a teacher's phones exactly. `accent` is English's setting."""
        prons = list(prons)
        self._forms(prons)
        out = []
        for p in prons:
            forms = [tuple(p.phones)]
            if p.source == SOURCE:
                forms += [f for f in self._alternates.get(p.word, ()) if f != tuple(p.phones)]
            out.append(tuple(Variant.plain(f) for f in forms))
        return out

    def phrase(self, text: str) -> list[Pronunciation]:
        words = split_words(text)
        if not words:
            raise SaywellError(f"no words in text {text!r}; give the word or phrase the learner reads")
        key = tuple(words)
        if key in self._recent:
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
        return bool(split_words(word))
