"""Word -> phones in a language whose spelling says how a word sounds (Spanish, French): espeak-ng's
letter-to-sound rules are the dictionary.

A language may accept more than one form: for Spanish, Spain's (`es`: "zapato" with θ) and Latin America's
(`es-419`: with s), the first the one shown. Teachers who want one form only give the phones (`--phones`, the
list's phones column), which are then meant literally, as in English.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import g2p
from .language import SPANISH, Language, language
from .lexicon import Lexicon, Pronunciation, Unknown, Variant, split_words

SOURCE = "spelling"  # a Pronunciation's source: espeak-ng's letter-to-sound rules of the language


def lexicon_for(code: str | None):
    """The lexicon of a language: CMUdict and espeak-ng for English, espeak-ng's spelling rules for the others."""
    lang = language(code)
    return Lexicon() if lang.code == "en" else RulesLexicon(lang)


class RulesLexicon(Lexicon):
    """The lexicon of a language whose spelling espeak-ng reads by rule: English's Lexicon with the rules for its
    dictionary (phrases, their cache and errors are Lexicon's)."""

    def __init__(self, lang: Language = SPANISH):
        super().__init__(use_g2p=True)
        self.lang = lang
        self._alternates: dict[str, tuple[tuple[str, ...], ...]] = {}

    def _guess(self, words: list[str], voice: str) -> dict[str, g2p.Guess]:
        return g2p.guess_many(words, voice=voice, to_phones=self.lang.ipa_to_phones)

    def lookup_many(self, words: Iterable[str]) -> dict[str, Pronunciation | Unknown]:
        lower = {w: w.lower() for w in words}
        main = self._guess(sorted(set(lower.values())), self.lang.espeak_voice)
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

    def contains(self, word: str) -> bool:
        return bool(split_words(word))
