"""German phones: the 43 sounds a learner's German is judged on, written in IPA.

Vowel length is kept where it tells words apart and changes the sound ("Staat" aː and "Stadt" a, "Höhle" øː and
"Hölle" œ, "Miete" iː and "Mitte" ɪ); ɛː ("Bär") is judged as eː, as most speakers say it. ɐ is the vowel that
stands for a final -er or an r after a vowel ("Vater", "Uhr"); ʁ is the consonant r ("rot"), said at the back of
the throat or trilled: both are right. The diphthongs aɪ aʊ ɔʏ ("Eis", "Haus", "heute") and the affricates pf ts tʃ
("Apfel", "Zeit", "Deutsch") are one phone each; dʒ ("Dschungel") is judged as tʃ. The glottal stop before a
vowel is not judged.

Teachers may type phones in IPA or in X-SAMPA (`a:` is aː, `E` is ɛ, `I` is ɪ, `Y` is ʏ, `9` is œ, `2:` is øː,
`6` is ɐ, `C` is ç, `N` is ŋ, `R` is ʁ, `aI` `aU` `OY` the diphthongs); `parse_phones` takes either.
"""

from __future__ import annotations

from .ipa import phone_parser, rules_reader

PHONES: tuple[str, ...] = ("a", "aː", "ɛ", "eː", "ɪ", "iː", "ɔ", "oː", "ʊ", "uː", "ʏ", "yː", "œ", "øː", "ə", "ɐ",
                           "aɪ", "aʊ", "ɔʏ", "p", "b", "t", "d", "k", "ɡ", "f", "v", "s", "z", "ʃ", "ʒ", "ç", "x",
                           "h", "j", "m", "n", "ŋ", "l", "ʁ", "pf", "ts", "tʃ")
VOWELS = frozenset({"a", "aː", "ɛ", "eː", "ɪ", "iː", "ɔ", "oː", "ʊ", "uː", "ʏ", "yː", "œ", "øː", "ə", "ɐ", "aɪ",
                    "aʊ", "ɔʏ"})

# espeak-ng's German IPA (voice de) -> the phones above; longest match first. espeak-ng writes long a as ɑː,
# short ü as y, the -er vowel as ɜ and the eu diphthong as ɔø.
IPA_TO_PHONES: dict[str, tuple[str, ...]] = {
    "aɪ": ("aɪ",), "aʊ": ("aʊ",), "ɔø": ("ɔʏ",), "ɔʏ": ("ɔʏ",), "ɑː": ("aː",), "aː": ("aː",), "eː": ("eː",),
    "ɛː": ("eː",), "iː": ("iː",), "oː": ("oː",), "uː": ("uː",), "yː": ("yː",), "øː": ("øː",),
    "pf": ("pf",), "ts": ("ts",), "tʃ": ("tʃ",), "dʒ": ("tʃ",),
    "a": ("a",), "ɑ": ("a",), "ɛ": ("ɛ",), "e": ("eː",), "ɪ": ("ɪ",), "i": ("iː",), "ɔ": ("ɔ",), "o": ("oː",),
    "ʊ": ("ʊ",), "u": ("uː",), "y": ("ʏ",), "ʏ": ("ʏ",), "œ": ("œ",), "ø": ("øː",), "ə": ("ə",), "ɜ": ("ɐ",),
    "ɐ": ("ɐ",),
    "p": ("p",), "b": ("b",), "t": ("t",), "d": ("d",), "k": ("k",), "ɡ": ("ɡ",), "g": ("ɡ",), "f": ("f",),
    "v": ("v",), "s": ("s",), "z": ("z",), "ʃ": ("ʃ",), "ʒ": ("ʒ",), "ç": ("ç",), "x": ("x",), "h": ("h",),
    "j": ("j",), "m": ("m",), "n": ("n",), "ŋ": ("ŋ",), "l": ("l",), "ɾ": ("ʁ",), "r": ("ʁ",), "ʁ": ("ʁ",),
}

XSAMPA: dict[str, str] = {
    "a": "a", "a:": "aː", "E": "ɛ", "e:": "eː", "E:": "eː", "I": "ɪ", "i:": "iː", "O": "ɔ", "o:": "oː", "U": "ʊ",
    "u:": "uː", "Y": "ʏ", "y:": "yː", "9": "œ", "2:": "øː", "@": "ə", "6": "ɐ", "aI": "aɪ", "aU": "aʊ", "OY": "ɔʏ",
    "p": "p", "b": "b", "t": "t", "d": "d", "k": "k", "g": "ɡ", "f": "f", "v": "v", "s": "s", "z": "z", "S": "ʃ",
    "Z": "ʒ", "C": "ç", "x": "x", "h": "h", "j": "j", "m": "m", "n": "n", "N": "ŋ", "l": "l", "R": "ʁ", "r": "ʁ",
    "pf": "pf", "ts": "ts", "tS": "tʃ",
}

SOUNDS: dict[str, tuple[str, str]] = {
    "a": ("a", "Mann"), "aː": ("aː", "Vater"), "ɛ": ("ɛ", "Bett"), "eː": ("eː", "See"), "ɪ": ("ɪ", "bitte"),
    "iː": ("iː", "Liebe"), "ɔ": ("ɔ", "Sonne"), "oː": ("oː", "Sohn"), "ʊ": ("ʊ", "Mutter"), "uː": ("uː", "Buch"),
    "ʏ": ("ʏ", "Glück"), "yː": ("yː", "über"), "œ": ("œ", "Hölle"), "øː": ("øː", "schön"), "ə": ("ə", "bitte"),
    "ɐ": ("ɐ", "Vater"), "aɪ": ("aɪ", "Eis"), "aʊ": ("aʊ", "Haus"), "ɔʏ": ("ɔʏ", "heute"), "p": ("p", "Post"),
    "b": ("b", "Ball"), "t": ("t", "Tag"), "d": ("d", "du"), "k": ("k", "Kind"), "ɡ": ("ɡ", "gut"),
    "f": ("f", "Vogel"), "v": ("v", "Wasser"), "s": ("s", "Haus"), "z": ("z", "Sonne"), "ʃ": ("ʃ", "Schule"),
    "ʒ": ("ʒ", "Garage"), "ç": ("ç", "ich"), "x": ("x", "Buch"), "h": ("h", "Haus"), "j": ("j", "ja"),
    "m": ("m", "Mann"), "n": ("n", "nein"), "ŋ": ("ŋ", "singen"), "l": ("l", "Licht"), "ʁ": ("ʁ", "rot"),
    "pf": ("pf", "Apfel"), "ts": ("ts", "Zeit"), "tʃ": ("tʃ", "Deutsch"),
}

TIPS: dict[str, str] = {
    "a": "a short, open 'a', like 'u' in 'cut' but with the mouth wider",
    "aː": "a long, open 'a', as in 'father': hold it",
    "ɛ": "short, like 'e' in 'bed'",
    "eː": "a long, pure 'e' with the lips spread: don't glide into 'ey' (German writes it e, ee, eh or ä)",
    "ɪ": "short, like 'i' in 'sit'",
    "iː": "a long 'ee' as in 'see', lips spread (German writes it ie, ih or i)",
    "ɔ": "short and open, like 'o' in British 'hot'",
    "oː": "a long, pure 'o' with rounded lips: don't glide into 'ow'",
    "ʊ": "short, like 'u' in 'put'",
    "uː": "a long 'oo' as in 'food', lips rounded and pushed forward",
    "ʏ": "say 'i' as in 'sit' and round your lips at the same time (short ü)",
    "yː": "say 'ee' and round your lips tightly at the same time, as for 'oo' (long ü): not 'oo'",
    "œ": "say 'e' as in 'bed' and round your lips at the same time (short ö)",
    "øː": "say a long 'e' (as in German 'See') and round your lips at the same time (long ö): not 'o'",
    "ə": "a short, weak 'uh', as at the end of 'sofa'",
    "ɐ": "a short, open 'uh' with no r in it: 'Vater' ends like 'fah-tuh', 'Uhr' sounds 'oo-uh'",
    "aɪ": "like 'i' in 'ride' (German writes it ei or ai)",
    "aʊ": "like 'ow' in 'how'",
    "ɔʏ": "like 'oy' in 'boy' (German writes it eu or äu)",
    "p": "lips together, a clear puff of air", "b": "lips together, voiced (at the end of a word it is said 'p')",
    "t": "tongue tip behind the top teeth, a clear puff of air",
    "d": "tongue tip behind the top teeth, voiced (at the end of a word it is said 't')",
    "k": "like 'k', a clear puff of air", "ɡ": "a hard 'g' as in 'go' (at the end of a word it is said 'k')",
    "f": "top teeth on the bottom lip (German writes it f, v or ph)",
    "v": "top teeth on the bottom lip, voiced: German 'w' is English 'v', never the 'w' of 'water'",
    "s": "a sharp 's' (German writes it ss, ß, or s at the end of a word)",
    "z": "a buzzing 'z' as in 'zoo': German 's' before a vowel sounds like this",
    "ʃ": "like 'sh' in 'shop' (German writes it sch, and s before p or t at the start of a word)",
    "ʒ": "like 's' in 'measure'",
    "ç": "the 'ich' sound: say 'h' as in 'huge', with the middle of the tongue raised to the roof of the mouth; not 'sh', not 'k'",
    "x": "the 'ach' sound: a rasping breath at the back of the mouth, as in Scottish 'loch'; not 'k'",
    "h": "a breath, as in 'hat'", "j": "like 'y' in 'yes' (German writes it j)",
    "m": "lips together, like 'm'", "n": "tongue tip behind the top teeth, like 'n'",
    "ŋ": "like 'ng' in 'sing', with no 'g' after it",
    "l": "a clear 'l', tongue tip behind the top teeth: not the dark 'l' of 'ball'",
    "ʁ": "the r at the back of the throat, almost a soft gargle (or a rolled r): never the English 'r'",
    "pf": "'p' and 'f' in one go: lips closed, then release them onto the top teeth",
    "ts": "'ts' as in 'cats', in one go: German 'z' is always this",
    "tʃ": "like 'ch' in 'church' (German writes it tsch)",
}

# What English speakers say instead (expected, said).
LEARNER_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("ç", "ʃ"), ("ç", "k"), ("x", "k"), ("ʏ", "ʊ"), ("ʏ", "ɪ"), ("yː", "uː"), ("yː", "iː"), ("œ", "ɔ"), ("œ", "ɛ"),
    ("øː", "oː"), ("øː", "eː"), ("ts", "z"), ("ts", "s"), ("z", "s"), ("pf", "f"), ("eː", "ɛ"), ("oː", "ɔ"),
    ("iː", "ɪ"), ("uː", "ʊ"), ("aː", "a"), ("ɐ", "ə"),
)

PAIR_TIPS: dict[tuple[str, str], str] = {
    ("ç", "ʃ"): "'ich' is not 'ish': keep the lips flat and raise the middle of the tongue, as for 'h' in 'huge'",
    ("ç", "k"): "'ch' after e or i is soft: a breath with the tongue raised, as in 'huge', not a 'k'",
    ("x", "k"): "'ch' after a, o or u is a rasping breath, as in 'loch': don't close the throat to a 'k'",
    ("ʏ", "ʊ"): "'ü' is not 'u': say 'i' and round your lips", ("ʏ", "ɪ"): "round your lips for 'ü': 'i' with rounded lips",
    ("yː", "uː"): "'ü' is not 'oo': say 'ee' and round your lips tightly",
    ("yː", "iː"): "round your lips for 'ü': 'ee' with the lips of 'oo'",
    ("œ", "ɔ"): "'ö' is not 'o': say 'e' as in 'bed' and round your lips",
    ("œ", "ɛ"): "round your lips for 'ö': 'e' with rounded lips",
    ("øː", "oː"): "'ö' is not 'o': say a long 'e' and round your lips",
    ("øː", "eː"): "round your lips for 'ö': a long 'e' with rounded lips",
    ("ts", "z"): "German 'z' is 'ts', as in 'cats': 'Zeit' is 'tsait'", ("ts", "s"): "start the 'z' with a 't': 'ts'",
    ("z", "s"): "'s' before a vowel buzzes: 'Sonne' starts like 'zoo'",
    ("pf", "f"): "say the 'p' of 'pf': close the lips first, then 'f'",
    ("eː", "ɛ"): "hold the vowel longer and spread the lips: a long, closed 'e'",
    ("oː", "ɔ"): "hold the vowel longer, lips rounded: a long, closed 'o'",
    ("iː", "ɪ"): "hold the vowel longer: a long 'ee'", ("uː", "ʊ"): "hold the vowel longer: a long 'oo'",
    ("aː", "a"): "hold the 'a' longer: 'Staat' is longer than 'Stadt'",
    ("ɐ", "ə"): "open the mouth more at the end: '-er' is a short open 'uh', with no r",
}


_reader = rules_reader(IPA_TO_PHONES)


def ipa_to_phones(ipa: str) -> tuple[str, ...]:
    """espeak-ng's German IPA -> phones; an r after a vowel and before no vowel is the vowel ɐ ("Uhr", "warten"),
    unknown symbols are skipped."""
    phones = list(_reader(ipa))
    for i, p in enumerate(phones):
        if p == "ʁ" and i and phones[i - 1] in VOWELS and phones[i - 1] != "ɐ" and (
                i + 1 == len(phones) or phones[i + 1] not in VOWELS):
            phones[i] = "ɐ"
    return tuple(phones)


parse_phones = phone_parser("German", PHONES, XSAMPA, ipa_to_phones, set("".join(IPA_TO_PHONES)),
                            "a: for aː, E for ɛ, I for ɪ, Y for ʏ, 9 for œ, 2: for øː, 6 for ɐ, C for ç, N for ŋ, R for ʁ")
