"""Spanish phones: the 24 sounds a learner's Spanish is judged on, written in IPA.

One set serves Spain and Latin America: the allophones a listener does not hear as another word are one phone
(b and β are `b`, d and ð `d`, ɡ and ɣ `ɡ`; ŋ is `n`; the z of "mismo" is `s`), and the palatal sounds of
"yo", "bien" and "calle" are one `j`, because most speakers merge ʎ into ʝ (yeísmo) and either is right. θ
("zapato" in Spain) is its own phone; a Latin American `s` there is an accepted variant (lexicon_rules.py).
The tap ɾ ("pero") and the trill r ("perro") stay apart: they tell words apart and are what English speakers
find hardest.

Teachers may type phones in IPA or in X-SAMPA, the documented ASCII spelling of IPA (`4` is ɾ, `T` is θ, `J` is
ɲ, `tS` is tʃ, `jj` or `j\\` is ʝ); `parse_phones` takes either.
"""

from __future__ import annotations

from .ipa import phone_parser, rules_reader

PHONES: tuple[str, ...] = ("a", "e", "i", "o", "u", "p", "b", "t", "d", "k", "ɡ", "f", "θ", "s", "x", "tʃ", "j", "ɲ",
                           "l", "ɾ", "r", "m", "n", "w")
VOWELS = frozenset({"a", "e", "i", "o", "u"})

# espeak-ng's Spanish IPA (voices es and es-419) -> the phones above; longest match first.
IPA_TO_PHONES: dict[str, tuple[str, ...]] = {
    "tʃ": ("tʃ",), "dʒ": ("j",), "ʝ": ("j",), "ʎ": ("j",), "j": ("j",), "ɟ": ("j",), "y": ("j",),
    "a": ("a",), "e": ("e",), "ɛ": ("e",), "i": ("i",), "o": ("o",), "ɔ": ("o",), "u": ("u",), "ə": ("e",),
    "p": ("p",), "b": ("b",), "β": ("b",), "v": ("b",), "t": ("t",), "d": ("d",), "ð": ("d",), "k": ("k",),
    "ɡ": ("ɡ",), "g": ("ɡ",), "ɣ": ("ɡ",), "f": ("f",), "θ": ("θ",), "s": ("s",), "z": ("s",), "x": ("x",),
    "χ": ("x",), "h": ("x",), "ʃ": ("tʃ",), "ɲ": ("ɲ",), "l": ("l",), "ɾ": ("ɾ",), "r": ("r",), "m": ("m",),
    "ɱ": ("m",), "n": ("n",), "ŋ": ("n",), "w": ("w",),
}

# X-SAMPA (ASCII) spellings a teacher may type -> IPA phones.
XSAMPA: dict[str, str] = {
    "a": "a", "e": "e", "i": "i", "o": "o", "u": "u", "p": "p", "b": "b", "B": "b", "t": "t", "d": "d", "D": "d",
    "k": "k", "g": "ɡ", "G": "ɡ", "f": "f", "T": "θ", "s": "s", "z": "s", "x": "x", "h": "x", "tS": "tʃ", "j": "j",
    "jj": "j", "j\\": "j", "L": "j", "J": "ɲ", "l": "l", "4": "ɾ", "r": "r", "rr": "r", "m": "m", "n": "n",
    "N": "n", "w": "w",
}

# Each phone as people see it: its IPA, a Spanish word with it, and how an English speaker gets it right
# (feedback is in English, the learner's likely first language).
SOUNDS: dict[str, tuple[str, str]] = {
    "a": ("a", "casa"), "e": ("e", "mesa"), "i": ("i", "sí"), "o": ("o", "todo"), "u": ("u", "luna"),
    "p": ("p", "papá"), "b": ("b", "bebé"), "t": ("t", "tú"), "d": ("d", "dedo"), "k": ("k", "casa"),
    "ɡ": ("ɡ", "gato"), "f": ("f", "foto"), "θ": ("θ", "zapato"), "s": ("s", "sol"), "x": ("x", "jota"),
    "tʃ": ("tʃ", "chico"), "j": ("ʝ", "yo"), "ɲ": ("ɲ", "niño"), "l": ("l", "lago"), "ɾ": ("ɾ", "pero"),
    "r": ("r", "perro"), "m": ("m", "mamá"), "n": ("n", "no"), "w": ("w", "agua"),
}

TIPS: dict[str, str] = {
    "a": "open the mouth wide, short and pure, like the 'a' of 'father' but shorter",
    "e": "short and pure, like 'e' in 'bed': don't glide into 'ey'",
    "i": "short and pure 'ee', lips spread: don't shorten it to the 'i' of 'ship'",
    "o": "short and pure, lips rounded: don't glide into 'ow'",
    "u": "short 'oo' with rounded lips, as in 'food' but shorter: don't glide",
    "p": "no puff of air after it: hold a hand before your mouth, it should not feel the air",
    "t": "tongue tip on the back of the top teeth, and no puff of air after it",
    "k": "no puff of air after it, softer than English 'k'",
    "b": "between vowels, let the lips almost touch so it stays soft", "d": "tongue tip on the top teeth; between vowels soft, like 'th' in 'this'",
    "ɡ": "between vowels keep it soft: the back of the tongue almost touches, no full stop",
    "θ": "tongue tip between the teeth, like 'th' in 'think' (in Latin America an 's' is right too)",
    "x": "a rough 'h' from the back of the throat, like 'ch' in Scottish 'loch'",
    "ɲ": "the middle of the tongue presses the roof of the mouth: 'ny' as in 'canyon'",
    "ɾ": "one quick tap of the tongue tip behind the top teeth, like the 'tt' of American 'butter': never the English 'r'",
    "r": "trill: several quick taps of the tongue tip behind the top teeth, with the air pushing it",
    "l": "a clear 'l', tongue tip behind the top teeth: not the dark 'l' of 'ball'",
    "j": "like the 'y' in 'yes', a little stronger", "w": "rounded lips, like 'w' in 'water'",
    "tʃ": "like 'ch' in 'church'", "s": "a clear 's', never 'z'", "f": "top teeth on the bottom lip",
    "m": "lips together, like 'm'", "n": "tongue tip behind the top teeth, like 'n'",
}

# What English speakers say instead (expected, said), as LEARNER_SUBSTITUTIONS is for English learners.
LEARNER_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("r", "ɾ"), ("ɾ", "r"), ("ɾ", "d"), ("ɾ", "l"), ("x", "k"), ("θ", "s"), ("ɲ", "n"), ("b", "p"), ("d", "t"),
    ("e", "i"), ("o", "u"), ("i", "e"), ("u", "o"),
)

PAIR_TIPS: dict[tuple[str, str], str] = {
    ("r", "ɾ"): "trill it: 'rr' is several quick taps, not one; push more air past the tongue tip",
    ("ɾ", "r"): "only one quick tap for a single 'r' between vowels: 'pero' (but), not 'perro' (dog)",
    ("ɾ", "d"): "lighter and faster: just flick the tongue tip once, don't press it",
    ("ɾ", "l"): "flick the tongue tip once behind the top teeth; don't let air flow around its sides",
    ("x", "k"): "don't close the throat: let the air rub through at the back, like 'loch'",
    ("θ", "s"): "in Spain, 'z' and 'ce/ci' put the tongue between the teeth: 'th' as in 'think'",
    ("ɲ", "n"): "press the middle of the tongue on the roof: 'ny' as in 'canyon', not a plain 'n'",
    ("e", "i"): "open the mouth a little more: 'e' as in 'mesa', not 'i'",
    ("o", "u"): "open the mouth a little more: 'o' as in 'todo', not 'u'",
    ("i", "e"): "close and spread the lips more: 'i' as in 'sí'",
    ("u", "o"): "round and close the lips more: 'u' as in 'luna'",
    ("b", "p"): "use your voice from the start: 'b'", ("d", "t"): "use your voice from the start: 'd'",
}


ipa_to_phones = rules_reader(IPA_TO_PHONES, doubled=frozenset({"j"}))
ipa_to_phones.__doc__ = "espeak-ng's Spanish IPA -> phones; unknown symbols are skipped."
parse_phones = phone_parser("Spanish", PHONES, XSAMPA, ipa_to_phones, set("".join(IPA_TO_PHONES)),
                            "4 for ɾ, rr for r, T for θ, J for ɲ, tS for tʃ")
