"""An MBROLA voice speaking its own language (Spanish es1, Mexican mx1 ...): labels exact by construction.

espeak-ng's own MBROLA phone maps for the Spanish voices lose phones ("perro" comes out of mb-es1 without its
trill, mb-es3 says "pero" with an h), so the phone list is built here: the language's phones (from espeak-ng's
letter-to-sound rules, stress kept) are each given the voice's own name for that sound (probed once per voice:
a vowel between pauses, a consonant between two a's), a duration from a small rule table scaled by the take's
tempo, and a pitch contour (declination, a rise on the stressed vowel, a fall at the end). Every label is the
phone the voice was asked to say, with the time it was given; a take whose diphone is missing (mbrola would
put silence there) is dropped.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from saywell.engine.language import Language

from ..utterance import Segment, Utterance
from .mbrola_voice import _PAUSE, PhoPhone, _env, _segments, _speak, voice_file, voices_dir

SIL = "SIL"
_LEAD_MS = 150
_TAIL_MS = 200

# The language's phone -> the names MBROLA voices of that language use for it, best first.
NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {"a": ("a",), "e": ("e",), "i": ("i",), "o": ("o",), "u": ("u",), "p": ("p",), "b": ("b", "B"),
           "t": ("t",), "d": ("d", "D"), "k": ("k",), "ɡ": ("g", "G"), "f": ("f",), "θ": ("T",), "s": ("s",),
           "x": ("x", "h", "H"), "tʃ": ("tS",), "j": ("jj", "j", "L", "l^"), "ɲ": ("J", "ny"), "l": ("l",),
           "ɾ": ("r",), "r": ("rr", "R"), "m": ("m",), "n": ("n",), "w": ("w", "u")},
    "fr": {"i": ("i",), "e": ("e",), "ɛ": ("E",), "a": ("a",), "o": ("o",), "ɔ": ("O",), "u": ("u",), "y": ("y",),
           "ø": ("2",), "œ": ("9",), "ə": ("@",), "ɛ̃": ("e~",), "ɑ̃": ("a~",), "ɔ̃": ("o~",), "j": ("j",), "w": ("w",),
           "ɥ": ("H",), "p": ("p",), "b": ("b",), "t": ("t",), "d": ("d",), "k": ("k",), "ɡ": ("g",), "f": ("f",),
           "v": ("v",), "s": ("s",), "z": ("z",), "ʃ": ("S",), "ʒ": ("Z",), "m": ("m",), "n": ("n",),
           "ɲ": ("J", "n j"), "l": ("l",), "ʁ": ("R",)},
    # Italian voices name sounds two ways: it3 and it4 in SAMPA (E open e, S sh, J gn, L gli), it1 and it2 in
    # their own letters (E closed e, E1 open e, S s, sh, ch, gh, gl, gn; J is the glide j there: VOICE_NAMES).
    # Which is which was checked by ear through the Spanish and French models (sh heard as ʃ 0.85-0.95, J as
    # j 0.83-0.89) and by the first formant (it1 E1 and O1 about 150 Hz above E and O: open vowels).
    "it": {"a": ("a", "A"), "e": ("e", "E"), "ɛ": ("E1", "E"), "i": ("i", "I"), "o": ("o", "O"), "ɔ": ("O1", "O"),
           "u": ("u", "U"), "p": ("p", "P"), "b": ("b", "B"), "t": ("t", "T"), "d": ("d", "D"), "k": ("k", "K"),
           "ɡ": ("g", "G"), "f": ("f", "F"), "v": ("v", "V"), "s": ("s", "S"), "z": ("z", "Z"), "ts": ("ts", "t s"),
           "dz": ("dz", "d z"), "tʃ": ("tS", "ch", "t S"), "dʒ": ("dZ", "gh", "d Z"), "ʃ": ("sh", "S"),
           "m": ("m", "M"), "n": ("n", "N"), "ɲ": ("gn", "J", "n j"), "l": ("l", "L"), "ʎ": ("gl", "L", "l j"),
           "r": ("r", "R"), "j": ("j",), "w": ("w", "W")},
    # German voices (de1-de8) name sounds in SAMPA: a: long a, E open e, 9 and 2: the ö's, 6 the -er vowel, C the
    # ich-sound, R the r.
    "de": {"a": ("a",), "aː": ("a:",), "ɛ": ("E",), "eː": ("e:", "E:"), "ɪ": ("I",), "iː": ("i:",), "ɔ": ("O",),
           "oː": ("o:",), "ʊ": ("U",), "uː": ("u:",), "ʏ": ("Y",), "yː": ("y:",), "œ": ("9",), "øː": ("2:",),
           "ə": ("@",), "ɐ": ("6", "@"), "aɪ": ("aI", "a I"), "aʊ": ("aU", "a U"), "ɔʏ": ("OY", "O Y"),
           "p": ("p",), "b": ("b",), "t": ("t",), "d": ("d",), "k": ("k",), "ɡ": ("g",), "f": ("f",), "v": ("v",),
           "s": ("s",), "z": ("z",), "ʃ": ("S",), "ʒ": ("Z",), "ç": ("C",), "x": ("x",), "h": ("h",), "j": ("j",),
           "m": ("m",), "n": ("n",), "ŋ": ("N",), "l": ("l",), "ʁ": ("R", "r"), "pf": ("pf", "p f"),
           "ts": ("ts", "t s"), "tʃ": ("tS", "t S")},
}
# One voice's own names where the language's list would pick the wrong sound (an empty tuple: it has none).
VOICE_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "it1": {"j": ("J",), "l": ("L",)},
    "it2": {"j": ("J",), "ɲ": (), "l": ("L",)},  # no gn, and its J is j
}

_VOWEL_CONTEXT = {"de": "t"}

# Rule durations in ms at tempo 1 (vowels: unstressed; stressed ones x1.45, the last one x1.3 more).
_MS: dict[str, float] = {"a": 75, "e": 70, "i": 65, "o": 72, "u": 65, "p": 85, "t": 80, "k": 85, "b": 60, "d": 55,
                         "ɡ": 60, "f": 90, "θ": 95, "s": 90, "x": 90, "tʃ": 110, "j": 65, "ɲ": 85, "l": 62,
                         "ɾ": 28, "r": 95, "m": 70, "n": 62, "w": 50,
                         "ɛ": 75, "ɔ": 75, "y": 65, "ø": 75, "œ": 75, "ə": 45, "ɛ̃": 95, "ɑ̃": 95, "ɔ̃": 95,
                         "ɥ": 45, "v": 65, "z": 80, "ʃ": 95, "ʒ": 80, "ʁ": 60,
                         "ts": 110, "dz": 100, "dʒ": 100, "ʎ": 85,
                         "aː": 120, "eː": 115, "iː": 110, "oː": 115, "uː": 110, "yː": 110, "øː": 115, "ɪ": 58,
                         "ʊ": 58, "ʏ": 60, "ɐ": 70, "aɪ": 135, "aʊ": 135, "ɔʏ": 135, "ç": 95, "h": 60, "ŋ": 75,
                         "pf": 120}


@lru_cache(maxsize=None)
def names_of(voice: str, lang: str) -> dict[str, str]:
    """The voice's name for each phone of the language it can say (probed once, cached); a name may be two
    voice phones ("n j")."""
    from saywell.engine.language import language

    vowels = language(lang).vowels
    cache = voices_dir() / ".cache" / f"native-{lang}-{voice}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as td:
        for phone, names in NAMES[lang].items():
            names = VOICE_NAMES.get(voice, {}).get(phone, names)
            for name in names:
                pho = Path(td) / "p.pho"
                # a vowel alone (German: between t's, as some of its vowels never follow a pause: 6, 9, O in
                # de1), a consonant between a's
                ctx = (_VOWEL_CONTEXT.get(lang, "_") if phone in vowels else out.get("a", "a"))
                inner = "".join(f"{n} 100\n" for n in name.split())
                pho.write_text(f"_ 50\n{ctx} 100\n{inner}{ctx} 100\n_ 50\n")
                r = subprocess.run(["mbrola", str(voice_file(voice)), str(pho), str(Path(td) / "o.wav")],
                                   capture_output=True, text=True, env=_env(), timeout=60)
                said = (r.stderr + r.stdout).lower()
                if r.returncode == 0 and not any(w in said for w in ("unknown", "unkown", "warning")):
                    out[phone] = name
                    break
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out, ensure_ascii=False))
    return out


def can_say(voice: str, lang: str, phones: list[tuple[str, ...]]) -> bool:
    have = names_of(voice, lang)
    return all(p in have for w in phones for p in w)


class NativeMbrolaVoice:
    """One MBROLA voice of `lang` saying that language's phones, with rule prosody."""

    def __init__(self, voice: str, lang: Language, tempo: float = 1.0, f0: float = 120.0, seed: int = 0,
                 name: str | None = None):
        self.voice, self.lang = voice, lang
        self.tempo, self.f0 = tempo, f0
        self.rng = random.Random(seed)
        self.name = name or f"mbrola_{voice}"

    def pho(self, phones: list[tuple[str, ...]], stress: list[int | None]) -> tuple[list[PhoPhone], list[str], list[int]]:
        """The phone list (with pauses at both ends), each entry's label, and which asked phone (or pause) it says."""
        have = names_of(self.voice, self.lang.code)
        rng = self.rng
        seq, labels, owners = [PhoPhone(_PAUSE, _LEAD_MS, ())], [SIL], [0]
        n_vowels = sum(p in self.lang.vowels for w in phones for p in w)
        v = 0
        for wi, word in enumerate(phones):
            if wi and rng.random() < 0.15:  # a short pause between words now and then
                seq.append(PhoPhone(_PAUSE, rng.uniform(60, 200), ()))
                labels.append(SIL)
                owners.append(max(owners) + 1)
            for pi, p in enumerate(word):
                ms = _MS[p] * self.tempo * rng.uniform(0.85, 1.15)
                pitch: tuple[tuple[float, float], ...] = ()
                if p in self.lang.vowels:
                    stressed = stress[wi] == pi
                    ms *= 1.45 if stressed else 1.0
                    last = v == n_vowels - 1
                    ms *= 1.3 if last else 1.0
                    level = self.f0 * (1.12 - 0.22 * v / max(1, n_vowels - 1)) * (1.15 if stressed else 1.0)
                    end = level * (0.82 if last else 1.0)
                    pitch = ((10.0, round(level, 1)), (90.0, round(end, 1)))
                    v += 1
                parts = have[p].split()
                n = max(owners) + 1
                for k, part in enumerate(parts):
                    seq.append(PhoPhone(part, round(ms / len(parts), 1), pitch if k == 0 else ()))
                    labels.append(p)
                    owners.append(n)
        seq.append(PhoPhone(_PAUSE, _TAIL_MS, ()))
        labels.append(SIL)
        owners.append(max(owners) + 1)
        return seq, labels, owners

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]], stress: list[int | None]) -> Utterance | None:
        if not can_say(self.voice, self.lang.code, phones):
            return None
        seq, labels, owners = self.pho(phones, stress)
        audio = _speak(self.voice, seq, strict=True)
        if audio is None:
            return None
        segs: list[Segment] = _segments(seq, labels, owners, len(audio) / 16000)
        return Utterance(audio, segs, " ".join(words), self.name, {})
