"""The phone set: 39 ARPAbet phones of CMUdict without stress, plus silence.

Also the IPA <-> ARPAbet tables used for espeak-ng grapheme-to-phoneme and for
voices that take IPA input (piper), and the example word of each phone: people see a sound as
language.sound_label writes it ("/æ/ as in cat"), never as an ARPAbet code alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .ipa import rules_reader

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
# for learners' tips (engine/feedback.py), teachers' reports (language.sound_label) and piper's IPA input.
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


ipa_to_arpabet = rules_reader(IPA_TO_ARPABET)
ipa_to_arpabet.__doc__ = "Greedy longest-match conversion of an espeak-ng IPA string; unknown symbols are skipped."


# (expected, heard) -> articulation tip; most specific first, then a tip for the expected sound alone.
PAIR_TIPS: dict[tuple[str, str], str] = {
    ("TH", "S"): "put the tip of your tongue between your teeth and blow gently: 'th', not 's'",
    ("TH", "T"): "don't stop the air: tongue tip lightly between the teeth and let the air flow, 'th' not 't'",
    ("TH", "F"): "use your tongue, not your lip: tongue tip between the teeth, top teeth off the lip",
    ("DH", "D"): "tongue tip between the teeth and keep your voice buzzing: 'th' as in 'this', not 'd'",
    ("DH", "Z"): "move the tongue forward between the teeth: 'th' as in 'this', not 'z'",
    ("V", "W"): "touch your top teeth to your bottom lip and buzz: 'v', don't round the lips",
    ("V", "B"): "don't close the lips: top teeth on the bottom lip, and let the air buzz through",
    ("W", "V"): "round your lips like a kiss and don't touch the teeth: 'w'",
    ("R", "L"): "curl the tongue back and don't let it touch the roof of the mouth: 'r'",
    ("L", "R"): "touch the tongue tip to the ridge behind your top teeth: 'l'",
    ("IH", "IY"): "short and relaxed: 'i' as in 'ship', not the long 'ee' of 'sheep'",
    ("IY", "IH"): "long and tense, smile a little: 'ee' as in 'sheep'",
    ("AE", "EH"): "open your mouth wider and drop the jaw: 'a' as in 'cat'",
    ("Z", "S"): "add your voice: 'z' buzzes (touch your throat to feel it), 's' only hisses",
    ("SH", "S"): "round the lips and pull the tongue back a little: 'sh', not 's'",
    ("S", "SH"): "spread the lips and keep the tongue forward: 's', not 'sh'",
    ("CH", "SH"): "start with a stop: the tongue touches the roof first, then releases: 't-sh'",
    ("NG", "N"): "the back of the tongue goes up to the soft palate, don't use the tip: 'ng'",
    ("UH", "UW"): "short and relaxed: 'oo' as in 'book', not 'food'",
    ("UW", "UH"): "long, with rounded lips: 'oo' as in 'food'",
    ("P", "B"): "no voice and a small puff of air: 'p'",
    ("B", "P"): "use your voice from the start: 'b'",
}

PHONE_TIPS: dict[str, str] = {
    "TH": "tongue tip between the teeth, blow gently", "DH": "tongue tip between the teeth, with voice",
    "R": "curl the tongue back, no touching", "L": "tongue tip on the ridge behind the top teeth",
    "V": "top teeth on the bottom lip, with voice", "W": "rounded lips, no teeth",
    "NG": "back of the tongue up, air through the nose", "ZH": "like 'sh' with voice, as in 'measure'",
    "HH": "just a breath of air before the vowel",
}

# The substitutions learners of English make most (and PAIR_TIPS has a tip for): (expected, said instead).
LEARNER_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("TH", "S"), ("TH", "T"), ("TH", "F"), ("DH", "D"), ("DH", "Z"), ("V", "W"), ("V", "B"), ("W", "V"),
    ("R", "L"), ("L", "R"), ("IH", "IY"), ("IY", "IH"), ("AE", "EH"), ("Z", "S"), ("SH", "S"), ("S", "SH"),
    ("CH", "SH"), ("NG", "N"), ("UH", "UW"), ("UW", "UH"), ("P", "B"), ("B", "P"),
)
