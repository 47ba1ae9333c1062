"""The phone set: 39 ARPAbet phones of CMUdict without stress, plus silence.

Also the IPA <-> ARPAbet tables used for espeak-ng grapheme-to-phoneme and for
voices that take IPA input (piper), and the example word of each phone: people see a sound as
`sound_label` writes it ("/æ/ as in cat"), never as an ARPAbet code alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

SIL = "SIL"

PHONES: tuple[str, ...] = (
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
    "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH",
    "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
)

VOWELS = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"})

# Espeak-ng / piper IPA (en-us) to ARPAbet. Longest match first when parsing.
IPA_TO_ARPABET: dict[str, tuple[str, ...]] = {
    "tʃ": ("CH",), "dʒ": ("JH",), "aɪ": ("AY",), "aʊ": ("AW",), "eɪ": ("EY",), "oʊ": ("OW",),
    "ɔɪ": ("OY",), "ɑː": ("AA",), "ɔː": ("AO",), "iː": ("IY",), "uː": ("UW",), "ɜː": ("ER",),
    "ɝ": ("ER",), "ɚ": ("ER",), "ɜ": ("ER",), "ɑ": ("AA",), "ɒ": ("AA",), "æ": ("AE",), "ʌ": ("AH",),
    "ə": ("AH",), "ɐ": ("AH",), "ɔ": ("AO",), "ɛ": ("EH",), "e": ("EH",), "ɪ": ("IH",), "ᵻ": ("IH",),
    "i": ("IY",), "ʊ": ("UH",), "u": ("UW",), "o": ("OW",), "a": ("AE",),
    "b": ("B",), "d": ("D",), "ð": ("DH",), "f": ("F",), "ɡ": ("G",), "g": ("G",), "h": ("HH",),
    "k": ("K",), "l": ("L",), "ɫ": ("L",), "m": ("M",), "n": ("N",), "ŋ": ("NG",), "p": ("P",),
    "ɹ": ("R",), "r": ("R",), "ɾ": ("T",), "s": ("S",), "ʃ": ("SH",), "t": ("T",), "θ": ("TH",),
    "v": ("V",), "w": ("W",), "j": ("Y",), "z": ("Z",), "ʒ": ("ZH",), "ʔ": ("T",), "x": ("K",),
    "n̩": ("AH", "N"), "l̩": ("AH", "L"), "m̩": ("AH", "M"),
}

# Each phone as people read it: its IPA symbol (en-us, as espeak-ng and piper write it) and a common word with it,
# for learners' tips (engine/feedback.py), teachers' reports (sound_label) and piper's IPA input.
SOUNDS: dict[str, tuple[str, str]] = {
    "AA": ("ɑː", "father"), "AE": ("æ", "cat"), "AH": ("ʌ", "cup"), "AO": ("ɔː", "law"), "AW": ("aʊ", "cow"),
    "AY": ("aɪ", "my"), "B": ("b", "bat"), "CH": ("tʃ", "chair"), "D": ("d", "dog"), "DH": ("ð", "this"),
    "EH": ("ɛ", "bed"), "ER": ("ɚ", "bird"), "EY": ("eɪ", "day"), "F": ("f", "fish"), "G": ("ɡ", "go"),
    "HH": ("h", "hat"), "IH": ("ɪ", "ship"), "IY": ("iː", "sheep"), "JH": ("dʒ", "jam"), "K": ("k", "cat"),
    "L": ("l", "leg"), "M": ("m", "man"), "N": ("n", "no"), "NG": ("ŋ", "sing"), "OW": ("oʊ", "go"),
    "OY": ("ɔɪ", "boy"), "P": ("p", "pen"), "R": ("ɹ", "red"), "S": ("s", "sun"), "SH": ("ʃ", "she"),
    "T": ("t", "top"), "TH": ("θ", "think"), "UH": ("ʊ", "book"), "UW": ("uː", "food"), "V": ("v", "van"),
    "W": ("w", "wet"), "Y": ("j", "yes"), "Z": ("z", "zoo"), "ZH": ("ʒ", "measure"),
}
ARPABET_TO_IPA: dict[str, str] = {p: ipa for p, (ipa, _) in SOUNDS.items()}
EXAMPLE_WORDS: dict[str, str] = {p: word for p, (_, word) in SOUNDS.items()}


def sound_label(phone: str) -> str:
    """'AE' -> '/æ/ as in cat': how a sound is shown to people; anything else (e.g. from an old database) as it is."""
    if phone not in SOUNDS:
        return phone
    ipa, word = SOUNDS[phone]
    return f"/{ipa}/ as in {word}"


_IGNORED_IPA = set("ˈˌ.-‿ ͡ːˑ̃") | {"\u0329", "\u032f"}


_DIGITS = re.compile(r"\d")


@lru_cache(maxsize=1024)  # a few dozen symbols, looked up millions of times in a big list
def strip_stress(phone: str) -> str:
    return _DIGITS.sub("", phone).upper()


def parse_phones(text: str) -> tuple[str, ...]:
    """'th ih1 ng k' or 'TH,IH,NG,K' -> ('TH','IH','NG','K'); ValueError names unknown symbols."""
    out = tuple(strip_stress(p) for p in re.split(r"[\s,]+", text.strip()) if p)
    bad = [p for p in out if p not in PHONES]
    if bad:
        raise ValueError(f"unknown phone symbol(s) {' '.join(bad)}; use ARPAbet: {' '.join(PHONES)}")
    if not out:
        raise ValueError("no phones given")
    return out


def ipa_to_arpabet(ipa: str) -> tuple[str, ...]:
    """Greedy longest-match conversion of an espeak-ng IPA string; unknown symbols are skipped."""
    out: list[str] = []
    i = 0
    keys = sorted(IPA_TO_ARPABET, key=len, reverse=True)
    while i < len(ipa):
        if ipa[i] in _IGNORED_IPA:
            i += 1
            continue
        for k in keys:
            if ipa.startswith(k, i):
                out.extend(IPA_TO_ARPABET[k])
                i += len(k)
                break
        else:
            i += 1
    return tuple(out)


# The substitutions learners of English make most (and feedback.py has a tip for): (expected, said instead).
LEARNER_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("TH", "S"), ("TH", "T"), ("TH", "F"), ("DH", "D"), ("DH", "Z"), ("V", "W"), ("V", "B"), ("W", "V"),
    ("R", "L"), ("L", "R"), ("IH", "IY"), ("IY", "IH"), ("AE", "EH"), ("Z", "S"), ("SH", "S"), ("S", "SH"),
    ("CH", "SH"), ("NG", "N"), ("UH", "UW"), ("UW", "UH"), ("P", "B"), ("B", "P"),
)
