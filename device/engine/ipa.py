"""Reading IPA into a language's phone set: espeak-ng's letter-to-sound output, and the phones a teacher types.

One reader for every language (English's ARPAbet in phones.py, Spanish's and French's IPA sets): the longest
symbol of the language's table first, stress and length marks skipped, espeak-ng's language-switch marks
("(en)...(fr)" around a borrowed word) dropped.
"""

from __future__ import annotations

import re
from typing import Callable

IGNORED = set("ˈˌ.-‿ ͡ːˑ̃") | {"\u0329", "\u032f"}  # stress, length, syllable and tie marks: not phones
_SPLIT = re.compile(r"[\s,]+")
_SWITCH = re.compile(r"\([a-z-]+\)")

Reader = Callable[[str], tuple[str, ...]]


def rules_reader(table: dict[str, tuple[str, ...]], doubled: frozenset[str] = frozenset()) -> Reader:
    """A reader of espeak-ng's IPA for one language: unknown symbols are skipped, and a doubled phone of `doubled`
    is read once (es-419 "kˈajje")."""
    keys = sorted(table, key=len, reverse=True)

    def read(ipa: str) -> tuple[str, ...]:
        ipa = _SWITCH.sub("", ipa)
        out: list[str] = []
        i = 0
        while i < len(ipa):
            if ipa[i] in IGNORED:
                i += 1
                continue
            for k in keys:
                if ipa.startswith(k, i):
                    got = table[k]
                    if not (len(got) == 1 and got[0] in doubled and out and out[-1] == got[0] and ipa[i - 1] == k[-1]):
                        out.extend(got)
                    i += len(k)
                    break
            else:
                i += 1
        return tuple(out)

    return read


def phone_parser(name: str, phones: tuple[str, ...], xsampa: dict[str, str], read: Reader, ipa_chars: set[str],
                 hint: str) -> Reader:
    """A parser of a teacher's typed phones in one language: its phones, X-SAMPA spellings, or IPA written out;
    ValueError names what is not one of them."""
    def parse(text: str) -> tuple[str, ...]:
        out: list[str] = []
        bad: list[str] = []
        for tok in (t for t in _SPLIT.split(text.strip()) if t):
            if tok in phones:
                out.append(tok)
            elif tok in xsampa:
                out.append(xsampa[tok])
            elif all(c in ipa_chars or c in IGNORED for c in tok) and (got := read(tok)):
                out.extend(got)
            else:
                bad.append(tok)
        if bad:
            raise ValueError(f"unknown {name} phone symbol(s) {' '.join(bad)}; use IPA ({' '.join(phones)}) or X-SAMPA "
                             f"({hint})")
        if not out:
            raise ValueError("no phones given")
        return tuple(out)

    return parse
