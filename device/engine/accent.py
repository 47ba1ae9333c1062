"""The accent a class is taught: what counts as right follows it.

CMUdict is American. British forms come from rules over its entries (stress kept), because they are few and
systematic and a rule can be read and tested, where espeak-ng's `en-gb` output would need a second phone map:

- Non-rhotic R: an R not followed by a vowel is not said ("car" K AA, "water" W AO T AH); a vowel before it
  becomes its centring diphthong ("here" HH IH AH, "there" DH EH AH or DH EH, "poor" P UH AH or P AO);
  unstressed ER is a schwa (AH), stressed ER (NURSE) stays ER (the phone set has no plain long schwa).
- TRAP-BATH: a stressed AE spelled `a` before F, TH, S or N plus a consonant may be AA ("bath", "dance",
  "after"); AE stays accepted too (northern British English keeps it).
- LOT: AA spelled `o` (or `a` after w/qu) may be AO ("hot", "what"): British /ɒ/ lies between the two.

American speech also drops the T of NT between a vowel and an unstressed one ("enter" as "ener", "twenty" as
"twenny", "wanted" as "wanned"): `us` and `any` accept that form beside CMUdict's (NT_REDUCTION).

`us` accepts CMUdict's forms (and their NT reduction) only (British forms are flagged), `gb` the British forms
only, `any` both.
"""

from __future__ import annotations

import re

ACCENTS = ("any", "us", "gb")
DEFAULT_ACCENT = "any"

_VOWEL = re.compile(r"^(AA|AE|AH|AO|AW|AY|EH|ER|EY|IH|IY|OW|OY|UH|UW)[012]?$")
# the vowel before a dropped R -> what it becomes (alternatives, first first)
_CENTRING = {"IY": (("IH", "AH0"),), "IH": (("IH", "AH0"),), "EH": (("EH", "AH0"), ("EH",)),
             "UH": (("UH", "AH0"), ("AO",)), "UW": (("UH", "AH0"), ("AO",)), "AY": (("AY", "AH0"),),
             "AW": (("AW", "AH0"),), "EY": (("EH", "AH0"),)}
_BATH_NEXT = re.compile(r"^(F|TH|S)$")
_BATH_NASAL_NEXT = ("T", "S", "CH")  # plant, dance, branch; not D: hand, land stay TRAP


def chosen_accent(*levels: str | None) -> str:
    """The accent that applies: the first one set of, most specific first, the command's --accent, the learner's,
    the word list's and the device's setting; else the default. One learner can differ from their class's list,
    and one class's list from the school's device."""
    for a in levels:
        if a:
            return a
    return DEFAULT_ACCENT


def accepted(raw: str, word: str, accent: str) -> list[str]:
    """CMUdict-style pronunciations ("W AO1 T ER0") of `word` that `accent` accepts, from one CMUdict entry."""
    if accent not in ACCENTS:
        raise ValueError(f"accent {accent!r}: use one of {', '.join(ACCENTS)}")
    american = [raw] + ([r] if NT_REDUCTION and (r := nt_reduced(raw)) != raw else [])
    if accent == "us":
        return american
    british = british_forms(raw, word)
    return british if accent == "gb" else american + [b for b in british if b not in american]


NT_REDUCTION = True  # research/phrase_length.py --assimilation measures the scorer with and without it


def nt_reduced(raw: str) -> str:
    """The form with the T of every vowel-N-T-unstressed-vowel dropped ("EH1 N T ER0" -> "EH1 N ER0"); raw when
    there is none."""
    toks = raw.split("#")[0].split()
    out = []
    for i, t in enumerate(toks):
        if (t == "T" and 2 <= i < len(toks) - 1 and toks[i - 1] == "N" and _is_vowel(toks[i - 2])
                and _is_vowel(toks[i + 1]) and toks[i + 1].endswith("0")):
            continue
        out.append(t)
    return " ".join(out) if len(out) < len(toks) else raw


def _is_vowel(tok: str) -> bool:
    return bool(_VOWEL.match(tok))


def _base(tok: str) -> str:
    return tok.rstrip("012")


def british_forms(raw: str, word: str) -> list[str]:
    """Every British form the rules give for one CMUdict entry, the most typical first."""
    toks = raw.split("#")[0].split()
    forms = _non_rhotic(toks)
    forms = [f2 for f in forms for f2 in _bath(f, word)]
    forms = [f2 for f in forms for f2 in _lot(f, word)]
    return list(dict.fromkeys(" ".join(f) for f in forms))


def _non_rhotic(toks: list[str]) -> list[list[str]]:
    """All forms with every R that is not before a vowel dropped (one list per way of saying the vowels)."""
    forms: list[list[str]] = [[]]
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        before_vowel = nxt is not None and _is_vowel(nxt)
        if t == "R" and not before_vowel:
            prev = _base(toks[i - 1]) if i else None
            if prev in _CENTRING:
                stress = toks[i - 1][-1] if toks[i - 1][-1] in "012" else ""
                options = [[p + stress if p in ("IH", "EH", "UH", "AO", "AY", "AW") and k == 0 else p for k, p in enumerate(alt)]
                           for alt in _CENTRING[prev]]
                forms = [f[:-1] + opt for f in forms for opt in options]
            continue  # after AA, AO, AH, ER the R is simply not said
        if _base(t) == "ER":
            if t.endswith("0") or t == "ER":
                forms = [f + (["AH0", "R"] if before_vowel else ["AH0"]) for f in forms]
            else:
                forms = [f + ([t, "R"] if before_vowel else [t]) for f in forms]
            continue
        forms = [f + [t] for f in forms]
    return forms


def _bath(toks: list[str], word: str) -> list[list[str]]:
    """TRAP-BATH: the AA form first, the AE form kept."""
    if "a" not in word:
        return [toks]
    for i, t in enumerate(toks[:-1]):
        if t in ("AE1", "AE2"):
            nxt = toks[i + 1]
            after = toks[i + 2] if i + 2 < len(toks) else None
            if _BATH_NEXT.match(nxt) or (nxt == "N" and after in _BATH_NASAL_NEXT):
                return [toks[:i] + ["AA" + t[-1]] + toks[i + 1:], toks]
    return [toks]


_LOT_SPELLING = re.compile(r"o|(?<=w)a|(?<=qu)a")


def _lot(toks: list[str], word: str) -> list[list[str]]:
    """LOT: AA spelled o (wa, qua) may be AO; both kept, AA first as the model hears British /ɒ/ as either."""
    if not _LOT_SPELLING.search(word):
        return [toks]
    for i, t in enumerate(toks):
        if t in ("AA1", "AA2") and (i + 1 == len(toks) or toks[i + 1] != "R"):
            return [toks, toks[:i] + ["AO" + t[-1]] + toks[i + 1:]]
    return [toks]
