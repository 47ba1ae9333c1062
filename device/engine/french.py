"""French phones: the 34 sounds a learner's French is judged on, written in IPA.

One set for France, Belgium and Canada: œ̃ ("brun") is `ɛ̃`, as most speakers say it now, and ɑ ("pâte") is `a`;
ŋ (English loans: "parking") is `n`. The sounds English speakers find hardest stay apart: y ("rue") from u
("roue"), ø and œ ("feu", "peur") from ə, the nasal vowels ɛ̃ ɑ̃ ɔ̃ from a vowel and an n, and the uvular ʁ.

Teachers may type phones in IPA or X-SAMPA (`y`, `2` for ø, `9` for œ, `@` for ə, `E` for ɛ, `O` for ɔ, `e~`
`a~` `o~` for the nasal vowels, `H` for ɥ, `S` `Z` for ʃ ʒ, `J` for ɲ, `R` for ʁ); `parse_phones` takes either.
"""

from __future__ import annotations

from .ipa import phone_parser, rules_reader

PHONES: tuple[str, ...] = ("i", "e", "ɛ", "a", "o", "ɔ", "u", "y", "ø", "œ", "ə", "ɛ̃", "ɑ̃", "ɔ̃", "j", "w", "ɥ",
                           "p", "b", "t", "d", "k", "ɡ", "f", "v", "s", "z", "ʃ", "ʒ", "m", "n", "ɲ", "l", "ʁ")
VOWELS = frozenset({"i", "e", "ɛ", "a", "o", "ɔ", "u", "y", "ø", "œ", "ə", "ɛ̃", "ɑ̃", "ɔ̃"})

# espeak-ng's French IPA -> the phones above; longest match first.
IPA_TO_PHONES: dict[str, tuple[str, ...]] = {
    "ɛ̃": ("ɛ̃",), "œ̃": ("ɛ̃",), "ɑ̃": ("ɑ̃",), "ɔ̃": ("ɔ̃",), "ɐ̃": ("ɑ̃",), "i": ("i",), "ɪ": ("i",), "e": ("e",),
    "ɛ": ("ɛ",), "a": ("a",), "ɑ": ("a",), "æ": ("a",), "o": ("o",), "ɔ": ("ɔ",), "u": ("u",), "ʊ": ("u",), "y": ("y",),
    "ø": ("ø",), "œ": ("œ",), "ə": ("ə",), "ɜ": ("œ",), "ʌ": ("œ",), "j": ("j",), "w": ("w",), "ɥ": ("ɥ",),
    "p": ("p",), "b": ("b",), "t": ("t",), "d": ("d",), "k": ("k",), "ɡ": ("ɡ",), "g": ("ɡ",), "f": ("f",),
    "v": ("v",), "s": ("s",), "z": ("z",), "ʃ": ("ʃ",), "ʒ": ("ʒ",), "m": ("m",), "n": ("n",), "ŋ": ("n",),
    "ɲ": ("ɲ",), "l": ("l",), "ʁ": ("ʁ",), "r": ("ʁ",), "ɹ": ("ʁ",), "h": (), "x": ("ʁ",), "tʃ": ("t", "ʃ"),
    "dʒ": ("d", "ʒ"),
}

XSAMPA: dict[str, str] = {
    "i": "i", "e": "e", "E": "ɛ", "a": "a", "A": "a", "o": "o", "O": "ɔ", "u": "u", "y": "y", "2": "ø", "9": "œ",
    "@": "ə", "e~": "ɛ̃", "E~": "ɛ̃", "9~": "ɛ̃", "a~": "ɑ̃", "A~": "ɑ̃", "o~": "ɔ̃", "O~": "ɔ̃", "j": "j", "w": "w",
    "H": "ɥ", "p": "p", "b": "b", "t": "t", "d": "d", "k": "k", "g": "ɡ", "f": "f", "v": "v", "s": "s", "z": "z",
    "S": "ʃ", "Z": "ʒ", "m": "m", "n": "n", "J": "ɲ", "l": "l", "R": "ʁ", "r": "ʁ",
}

SOUNDS: dict[str, tuple[str, str]] = {
    "i": ("i", "lit"), "e": ("e", "été"), "ɛ": ("ɛ", "mère"), "a": ("a", "chat"), "o": ("o", "beau"),
    "ɔ": ("ɔ", "porte"), "u": ("u", "roue"), "y": ("y", "rue"), "ø": ("ø", "feu"), "œ": ("œ", "peur"),
    "ə": ("ə", "le"), "ɛ̃": ("ɛ̃", "vin"), "ɑ̃": ("ɑ̃", "blanc"), "ɔ̃": ("ɔ̃", "bon"), "j": ("j", "fille"),
    "w": ("w", "oui"), "ɥ": ("ɥ", "huit"), "p": ("p", "papa"), "b": ("b", "bon"), "t": ("t", "tu"),
    "d": ("d", "dos"), "k": ("k", "car"), "ɡ": ("ɡ", "gare"), "f": ("f", "fou"), "v": ("v", "vous"),
    "s": ("s", "sol"), "z": ("z", "zéro"), "ʃ": ("ʃ", "chat"), "ʒ": ("ʒ", "jour"), "m": ("m", "mer"),
    "n": ("n", "nez"), "ɲ": ("ɲ", "agneau"), "l": ("l", "lait"), "ʁ": ("ʁ", "rue"),
}

TIPS: dict[str, str] = {
    "y": "say 'ee' and round your lips tightly as for 'oo', keeping the tongue forward",
    "u": "lips rounded and pushed forward, tongue back: 'oo' as in 'food', short and pure",
    "ø": "say 'e' (as in 'été') with rounded lips", "œ": "say 'e' of 'bed' with rounded lips",
    "ə": "a short relaxed rounded vowel; often dropped in fast speech",
    "ɛ̃": "a nasal vowel: air through the nose, and never close it with an 'n'",
    "ɑ̃": "a nasal 'ah' with the back of the mouth open: no 'n' at the end",
    "ɔ̃": "a nasal 'oh' with rounded lips: no 'n' at the end",
    "ʁ": "the back of the tongue near the uvula, a light gargle: never the English 'r'",
    "e": "a pure 'ay' without the glide: 'été'", "o": "a pure 'oh' with rounded lips, without the 'w' glide",
    "ɥ": "say 'y' of 'rue' quickly before the next vowel", "ɲ": "'ny' as in 'canyon'",
    "p": "no puff of air after it", "t": "tongue tip on the top teeth, no puff of air",
    "k": "no puff of air after it", "l": "a clear 'l' even at the end of a word",
    "i": "a short pure 'ee' with spread lips", "ɛ": "like 'e' in 'bed', mouth a little open",
    "a": "an open 'a', between 'cat' and 'father'", "ɔ": "like 'o' in British 'lot', lips rounded",
    "j": "like 'y' in 'yes'", "w": "like 'w' in 'we'", "b": "voiced from the start: 'b'",
    "d": "tongue tip on the top teeth, voiced", "ɡ": "a hard 'g' as in 'go', voiced from the start",
    "f": "top teeth on the bottom lip", "v": "top teeth on the bottom lip, with voice",
    "s": "a clear 's', never 'z'", "z": "a buzzing 'z'", "ʃ": "like 'sh' in 'shoe', lips rounded",
    "ʒ": "like the 's' in 'measure'", "m": "lips together, like 'm'", "n": "tongue tip on the top teeth, like 'n'",
}

LEARNER_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("y", "u"), ("u", "y"), ("ø", "u"), ("œ", "ɛ"), ("ə", "œ"), ("ɛ̃", "ɛ"), ("ɑ̃", "a"), ("ɔ̃", "ɔ"), ("e", "ɛ"),
    ("ɥ", "w"), ("ʁ", "w"), ("ʁ", "l"), ("ʒ", "ʃ"), ("z", "s"),
)

PAIR_TIPS: dict[tuple[str, str], str] = {
    ("y", "u"): "keep the tongue forward as for 'ee' and round the lips: 'rue' (street), not 'roue' (wheel)",
    ("u", "y"): "pull the tongue back: 'roue' (wheel), not 'rue' (street)",
    ("ø", "u"): "tongue forward, lips rounded but less closed: 'feu'",
    ("ɛ̃", "ɛ"): "let the air through the nose: 'vin' is nasal", ("ɑ̃", "a"): "let the air through the nose: 'blanc' is nasal",
    ("ɔ̃", "ɔ"): "let the air through the nose: 'bon' is nasal",
    ("ʁ", "w"): "don't round the lips: the R is made at the back of the throat",
    ("ʁ", "l"): "the tongue tip stays down: the R is made at the back of the throat",
    ("ɥ", "w"): "spread the 'y' of 'rue' quickly into the vowel: 'huit', not 'oui'",
}

ipa_to_phones = rules_reader(IPA_TO_PHONES)
parse_phones = phone_parser("French", PHONES, XSAMPA, ipa_to_phones, set("".join(IPA_TO_PHONES)),
                            "e~ a~ o~ for the nasal vowels, y, 2 for ø, 9 for œ, @ for ə, R for ʁ")
