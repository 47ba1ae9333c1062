"""Italian phones: the 30 sounds a learner's Italian is judged on, written in IPA.

Standard Italian's seven vowels are kept: closed e and o ("pesce", "sole") and open ɛ and ɔ ("bene", "rosa")
tell words apart (pesca, the fish hunt, and pèsca, the peach) and are what espeak-ng's rules give. The
consonants add the palatal ʎ ("figlio") and ɲ ("gnocchi"), the affricates ts dz tʃ dʒ ("pizza", "zero",
"ciao", "gelato") and one r, trilled or tapped. Allophones are one phone (ŋ of "lingua" is `n`, ɱ is `m`).
Double consonants ("fatto", "mamma") are one phone each: their length is not judged yet.

Teachers may type phones in IPA or in X-SAMPA (`E` is ɛ, `O` is ɔ, `J` is ɲ, `L` is ʎ, `tS` is tʃ, `dZ` is dʒ,
`S` is ʃ); `parse_phones` takes either.
"""

from __future__ import annotations

from .ipa import phone_parser, rules_reader

PHONES: tuple[str, ...] = ("a", "e", "ɛ", "i", "o", "ɔ", "u", "p", "b", "t", "d", "k", "ɡ", "f", "v", "s", "z", "ts",
                           "dz", "tʃ", "dʒ", "ʃ", "m", "n", "ɲ", "l", "ʎ", "r", "j", "w")
VOWELS = frozenset({"a", "e", "ɛ", "i", "o", "ɔ", "u"})
_CONSONANTS = frozenset(PHONES) - VOWELS - {"j", "w"}

# espeak-ng's Italian IPA (voice it) -> the phones above; longest match first.
IPA_TO_PHONES: dict[str, tuple[str, ...]] = {
    "ts": ("ts",), "dz": ("dz",), "tʃ": ("tʃ",), "dʒ": ("dʒ",), "rɾ": ("r",),
    "a": ("a",), "e": ("e",), "ɛ": ("ɛ",), "i": ("i",), "ɪ": ("i",), "o": ("o",), "ɔ": ("ɔ",), "u": ("u",),
    "ʊ": ("u",), "ə": ("e",),
    "p": ("p",), "b": ("b",), "t": ("t",), "d": ("d",), "k": ("k",), "ɡ": ("ɡ",), "g": ("ɡ",), "f": ("f",),
    "v": ("v",), "s": ("s",), "z": ("z",), "ʃ": ("ʃ",), "m": ("m",), "ɱ": ("m",), "n": ("n",), "ŋ": ("n",),
    "ɲ": ("ɲ",), "l": ("l",), "ʎ": ("ʎ",), "r": ("r",), "ɾ": ("r",), "j": ("j",), "w": ("w",),
}

XSAMPA: dict[str, str] = {
    "a": "a", "e": "e", "E": "ɛ", "i": "i", "o": "o", "O": "ɔ", "u": "u", "p": "p", "b": "b", "t": "t", "d": "d",
    "k": "k", "g": "ɡ", "f": "f", "v": "v", "s": "s", "z": "z", "ts": "ts", "dz": "dz", "tS": "tʃ", "dZ": "dʒ",
    "S": "ʃ", "m": "m", "n": "n", "N": "n", "J": "ɲ", "l": "l", "L": "ʎ", "r": "r", "4": "r", "j": "j", "w": "w",
}

SOUNDS: dict[str, tuple[str, str]] = {
    "a": ("a", "casa"), "e": ("e", "pesce"), "ɛ": ("ɛ", "bene"), "i": ("i", "vino"), "o": ("o", "sole"),
    "ɔ": ("ɔ", "rosa"), "u": ("u", "luna"), "p": ("p", "pane"), "b": ("b", "bene"), "t": ("t", "tutto"),
    "d": ("d", "dove"), "k": ("k", "casa"), "ɡ": ("ɡ", "gatto"), "f": ("f", "fare"), "v": ("v", "vino"),
    "s": ("s", "sole"), "z": ("z", "sbaglio"), "ts": ("ts", "pizza"), "dz": ("dz", "zero"), "tʃ": ("tʃ", "ciao"),
    "dʒ": ("dʒ", "gelato"), "ʃ": ("ʃ", "pesce"), "m": ("m", "mamma"), "n": ("n", "nonno"), "ɲ": ("ɲ", "gnocchi"),
    "l": ("l", "luna"), "ʎ": ("ʎ", "figlio"), "r": ("r", "rosso"), "j": ("j", "ieri"), "w": ("w", "uomo"),
}

TIPS: dict[str, str] = {
    "a": "open the mouth wide, short and pure, like the 'a' of 'father' but shorter",
    "e": "a closed, pure 'e', lips spread a little: don't glide into 'ey'",
    "ɛ": "an open 'e', like 'e' in 'bed', held pure",
    "i": "a pure 'ee', lips spread: never the short 'i' of 'ship'",
    "o": "a closed, pure 'o' with rounded lips: don't glide into 'ow'",
    "ɔ": "an open 'o', like 'o' in British 'hot' but longer, lips rounded",
    "u": "a pure 'oo' with rounded lips, as in 'food': don't glide",
    "p": "no puff of air after it: hold a hand before your mouth, it should not feel the air",
    "t": "tongue tip on the back of the top teeth, and no puff of air after it",
    "k": "no puff of air after it, softer than English 'k'",
    "b": "voiced from the start, lips closed firmly", "d": "tongue tip on the back of the top teeth, voiced from the start",
    "ɡ": "a hard 'g' as in 'go' (before e and i Italian writes it 'gh')",
    "f": "top teeth on the bottom lip", "v": "top teeth on the bottom lip, with your voice on: never a 'b'",
    "s": "a clear 's'", "z": "a buzzing 'z', as in 'zoo' (an 's' before b, d, g, l, m, n, r, v sounds like this)",
    "ts": "'ts' as in 'cats', in one go (the 'z' of 'pizza')",
    "dz": "'dz' as in 'adze', in one go, voiced (the 'z' of 'zero')",
    "tʃ": "like 'ch' in 'church' (Italian writes it 'c' before e and i)",
    "dʒ": "like 'j' in 'jam' (Italian writes it 'g' before e and i)",
    "ʃ": "like 'sh' in 'shop' (Italian writes it 'sc' before e and i)",
    "m": "lips together, like 'm'", "n": "tongue tip behind the top teeth, like 'n'",
    "ɲ": "the middle of the tongue presses the roof of the mouth: 'ny' as in 'canyon' (Italian 'gn')",
    "l": "a clear 'l', tongue tip behind the top teeth: not the dark 'l' of 'ball'",
    "ʎ": "the middle of the tongue flat on the roof of the mouth, like 'lli' in 'million' said as one sound (Italian 'gli')",
    "r": "a rolled 'r': the tongue tip taps behind the top teeth (several times for 'rr'); never the English 'r'",
    "j": "like the 'y' in 'yes'", "w": "rounded lips, like 'w' in 'water'",
}

# What English speakers say instead (expected, said): spelling read the English way and English sound habits.
LEARNER_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("k", "tʃ"), ("tʃ", "k"), ("ɡ", "dʒ"), ("dʒ", "ɡ"), ("ʃ", "s"), ("ʎ", "l"), ("ɲ", "n"), ("ts", "z"), ("dz", "z"),
    ("r", "l"), ("e", "i"), ("o", "u"), ("ɛ", "e"), ("ɔ", "o"), ("z", "s"),
)

PAIR_TIPS: dict[tuple[str, str], str] = {
    ("k", "tʃ"): "'ch' in Italian is a hard 'k': 'chiesa' is 'kiesa'",
    ("tʃ", "k"): "'c' before e or i is 'ch' as in 'church': 'ciao', 'cena'",
    ("ɡ", "dʒ"): "'gh' in Italian is a hard 'g': 'spaghetti' has the 'g' of 'go'",
    ("dʒ", "ɡ"): "'g' before e or i is 'j' as in 'jam': 'gelato', 'giro'",
    ("ʃ", "s"): "'sc' before e or i is 'sh': 'pesce' is 'pe-sheh'",
    ("ʎ", "l"): "'gli' is one sound: press the middle of the tongue flat on the roof of the mouth, not a plain 'l'",
    ("ɲ", "n"): "'gn' is one sound: 'ny' as in 'canyon', not a plain 'n'",
    ("ts", "z"): "the 'z' of 'pizza' is 'ts', as in 'cats', not a buzzing 'z'",
    ("dz", "z"): "the 'z' of 'zero' starts with a 'd': 'dz', in one go",
    ("r", "l"): "roll the tongue tip: a tap behind the top teeth, not an 'l'",
    ("e", "i"): "open the mouth a little more: 'e', not 'i'", ("o", "u"): "open the mouth a little more: 'o', not 'u'",
    ("ɛ", "e"): "open the mouth more: the open 'è' of 'bene'", ("ɔ", "o"): "open the mouth more: the open 'ò' of 'rosa'",
    ("z", "s"): "let your voice buzz: 'z' as in 'zoo'",
}


ipa_to_phones = rules_reader(IPA_TO_PHONES, doubled=_CONSONANTS)
ipa_to_phones.__doc__ = "espeak-ng's Italian IPA -> phones (a double consonant once); unknown symbols are skipped."
parse_phones = phone_parser("Italian", PHONES, XSAMPA, ipa_to_phones, set("".join(IPA_TO_PHONES)),
                            "E for ɛ, O for ɔ, J for ɲ, L for ʎ, tS for tʃ, dZ for dʒ, S for ʃ")
