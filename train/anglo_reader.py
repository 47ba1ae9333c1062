"""Held-out English voices reading Spanish, French, Italian or German the way an English speaker does: the learner a class has.

MBROLA us3 (US) and en1 (British) are held out in every language (DATA.md), so they may stand for learners
here. Each word is said with English phones, as an English speaker reads it (HABITS): in Spanish the tap and
the trill as the English R, j as H, ñ as N Y, stressed e and o as the diphthongs EY and OW, unstressed vowels
reduced (AH, IH, UH); in French ʁ as the English R, y as UW, ø and œ as English vowels, a nasal vowel as a
vowel and an N; in Italian r as the English R, gli and gn as L Y and N Y, e and o glided; in German ʁ and the
-er vowel with the English R, ü as UW, ö as ER, the ich- and ach-sounds as SH and K, pf as F, long e and o glided; an intervocalic d flapped when the voice flaps it, and p, t, k before a stressed vowel taken
from English diphones (aspirated in the recordings they were cut from). Those phones are genuine learner errors
whose place is known: the shard keeps them as `unfaithful` (masked in the labels), so evaluate.accent_metrics
reports how often each is flagged and how often a faithfully said phone is flagged instead. The other phones
(m, n, l, s, f, the stops b d ɡ, stressed a i u ...) are the Spanish sound said as an English speaker says it.

    python -m saywell_train.anglo_reader es OUT_DIR [N_WORDS]
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from saywell.engine.language import language
from saywell.engine.phones import VOWELS as ENGLISH_VOWELS

from .synthesize import Job, save_shard
from .synthesize_lang import Word, words_for
from .voices.foreign_voice import MASKED
from .voices.mbrola_voice import _LEAD_MS, _PAUSE, PhoPhone, _env, _segments, _speak, align, parse_pho
from .voices.espeak_voice import to_mnemonics

VOICES = ("us3", "en1")


@dataclass(frozen=True)
class Habits:
    """How an English speaker says one language's phones: English phones, and the error's category (None: the
    sound said as near as English has it)."""

    stressed: dict[str, tuple[str, str | None]]
    unstressed: dict[str, tuple[str, str | None]]
    final: dict[str, tuple[str, str | None]]  # the word's last vowel when unstressed
    consonants: dict[str, tuple[str, str | None]]


_D, _R, _A = "diphthong", "reduced vowel", "aspirated stop"
HABITS: dict[str, Habits] = {
    "es": Habits(
        stressed={"a": ("AA", None), "e": ("EY", _D), "i": ("IY", None), "o": ("OW", _D), "u": ("UW", None)},
        unstressed={"a": ("AH", _R), "e": ("IH", _R), "i": ("IH", _R), "o": ("AH", _R), "u": ("UH", _R)},
        final={"a": ("AH", _R), "e": ("EY", _D), "i": ("IY", None), "o": ("OW", _D), "u": ("UW", None)},
        consonants={"p": ("P", None), "b": ("B", None), "t": ("T", None), "d": ("D", None), "k": ("K", None),
                    "ɡ": ("G", None), "f": ("F", None), "θ": ("TH", None), "s": ("S", None), "x": ("HH", "jota as h"),
                    "tʃ": ("CH", None), "j": ("Y", None), "ɲ": ("N Y", "ñ as n-y"), "l": ("L", None),
                    "ɾ": ("R", "R as English r"), "r": ("R", "R as English r"), "m": ("M", None), "n": ("N", None),
                    "w": ("W", None)}),
    "fr": Habits(
        stressed=(_fr := {"i": ("IY", None), "e": ("EY", _D), "ɛ": ("EH", None), "a": ("AA", None), "o": ("OW", _D),
                          "ɔ": ("AO", None), "u": ("UW", None), "y": ("UW", "y as u"), "ø": ("UH", "ø œ as English"),
                          "œ": ("ER", "ø œ as English"), "ə": ("AH", None), "ɛ̃": ("EH N", "nasal vowel + n"),
                          "ɑ̃": ("AA N", "nasal vowel + n"), "ɔ̃": ("OW N", "nasal vowel + n")}),
        unstressed=_fr | {"a": ("AH", _R), "ɔ": ("AH", _R)}, final=_fr,
        consonants={"p": ("P", None), "b": ("B", None), "t": ("T", None), "d": ("D", None), "k": ("K", None),
                    "ɡ": ("G", None), "f": ("F", None), "v": ("V", None), "s": ("S", None), "z": ("Z", None),
                    "ʃ": ("SH", None), "ʒ": ("ZH", None), "m": ("M", None), "n": ("N", None), "ɲ": ("N Y", "ɲ as n-y"),
                    "l": ("L", None), "ʁ": ("R", "R as English r"), "j": ("Y", None), "w": ("W", None),
                    "ɥ": ("W", "ɥ as w")}),
    "it": Habits(
        stressed=(_it := {"a": ("AA", None), "e": ("EY", _D), "ɛ": ("EH", None), "i": ("IY", None), "o": ("OW", _D),
                          "ɔ": ("AO", None), "u": ("UW", None)}),
        unstressed={"a": ("AH", _R), "e": ("IH", _R), "ɛ": ("IH", _R), "i": ("IH", _R), "o": ("AH", _R),
                    "ɔ": ("AH", _R), "u": ("UH", _R)},
        final=_it | {"a": ("AH", _R)},
        consonants={"p": ("P", None), "b": ("B", None), "t": ("T", None), "d": ("D", None), "k": ("K", None),
                    "ɡ": ("G", None), "f": ("F", None), "v": ("V", None), "s": ("S", None), "z": ("Z", None),
                    "ts": ("T S", None), "dz": ("D Z", None), "tʃ": ("CH", None), "dʒ": ("JH", None), "ʃ": ("SH", None),
                    "m": ("M", None), "n": ("N", None), "ɲ": ("N Y", "gn as n-y"), "l": ("L", None),
                    "ʎ": ("L Y", "gli as l-y"), "r": ("R", "R as English r"), "j": ("Y", None), "w": ("W", None)}),
    "de": Habits(
        stressed=(_de := {"a": ("AA", None), "aː": ("AA", None), "ɛ": ("EH", None), "eː": ("EY", _D), "ɪ": ("IH", None),
                          "iː": ("IY", None), "ɔ": ("AO", None), "oː": ("OW", _D), "ʊ": ("UH", None), "uː": ("UW", None),
                          "ʏ": ("UH", "ü as u"), "yː": ("UW", "ü as u"), "œ": ("ER", "ö as English"),
                          "øː": ("ER", "ö as English"), "ə": ("AH", None), "ɐ": ("ER", "-er with English r"),
                          "aɪ": ("AY", None), "aʊ": ("AW", None), "ɔʏ": ("OY", None)}),
        unstressed=_de | {"a": ("AH", _R), "ɔ": ("AH", _R), "ɛ": ("IH", _R)}, final=_de,
        consonants={"p": ("P", None), "b": ("B", None), "t": ("T", None), "d": ("D", None), "k": ("K", None),
                    "ɡ": ("G", None), "f": ("F", None), "v": ("V", None), "s": ("S", None), "z": ("Z", None),
                    "ʃ": ("SH", None), "ʒ": ("ZH", None), "ç": ("SH", "ich-sound as sh"), "x": ("K", "ach-sound as k"),
                    "h": ("HH", None), "j": ("Y", None), "m": ("M", None), "n": ("N", None), "ŋ": ("NG", None),
                    "l": ("L", None), "ʁ": ("R", "R as English r"), "pf": ("F", "pf as f"), "ts": ("T S", None),
                    "tʃ": ("CH", None)}),
}


def rendering(word: Word, vowels: frozenset[str], code: str = "es") -> list[tuple[tuple[str, ...], str | None]]:
    """Each phone -> (the English phones an English speaker says, the error category or None)."""
    habits = HABITS[code]
    out = []
    last_vowel = max((i for i, p in enumerate(word.phones) if p in vowels), default=-1)
    for i, p in enumerate(word.phones):
        if p in vowels:
            table = habits.stressed if i == word.stress else habits.final if i == last_vowel else habits.unstressed
            eng, cat = table[p]
        else:
            nxt = word.phones[i + 1] if i + 1 < len(word.phones) else None
            eng, cat = habits.consonants[p]
            if p in ("p", "t", "k") and nxt is not None and word.stress == i + 1:
                cat = _A
        out.append((tuple(eng.split()), cat))
    return out


def say(voice: str, word: Word, vowels: frozenset[str], rate_wpm: int, pitch: int, code: str = "es"):
    """(audio, segments, unfaithful) of one word, or None when the voice cannot say it."""
    parts = rendering(word, vowels, code)
    eng = tuple(e for ph, _ in parts for e in ph)
    owner = [n for n, (ph, _) in enumerate(parts) for _ in ph]
    n_vowels = sum(1 for e in eng if e in ENGLISH_VOWELS)
    v_index = [k for k, p in enumerate(word.phones) if p in vowels]
    stress = tuple(1 if v_index[k] == word.stress else 0 for k in range(n_vowels)) if len(v_index) == n_vowels else None
    text = "[[" + to_mnemonics(eng, stress) + "]]"
    r = subprocess.run(["espeak-ng", "-v", f"mb-{voice}", "-s", str(rate_wpm), "-p", str(pitch), "-q", "--pho", text],
                       capture_output=True, text=True, env=_env(), timeout=60)
    if r.returncode != 0 or not r.stdout.strip():
        return None
    seq = [PhoPhone(_PAUSE, _LEAD_MS, ())] + parse_pho(r.stdout)
    spoken = [k for k, p in enumerate(seq) if p.name != _PAUSE]
    try:
        groups = align(list(eng), [seq[k].name for k in spoken])
    except ValueError:
        return None
    audio = _speak(voice, seq, strict=True)
    if audio is None:
        return None
    label, owners = ["SIL"] * len(seq), [-1] * len(seq)
    rendered: list[list[str]] = [[] for _ in parts]
    for e, g in enumerate(groups):
        for k in g:
            owners[spoken[k]] = owner[e]
            rendered[owner[e]].append(seq[spoken[k]].name)
    unfaithful = []
    for n, (ph, cat) in enumerate(parts):
        if "4" in rendered[n]:
            cat = "flapped d/t"
        if cat is not None or not rendered[n]:
            unfaithful.append((0, n, f"{cat or 'dropped'}: {' '.join(rendered[n]) or '-'}"))
    bad = {n for _, n, _ in unfaithful}
    for k, n in enumerate(owners):
        if n >= 0:
            label[k] = MASKED if n in bad else word.phones[n]
    segs = _segments(seq, label, owners, len(audio) / 16000)
    return audio, segs, unfaithful


def run(code: str, out_dir: Path, n_words: int = 600, seed: int = 1300) -> None:
    lang = language(code)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = words_for(lang, 5000, "es-419" if code == "es" else lang.espeak_voice)
    for k, voice in enumerate(VOICES):
        path = out_dir / f"mbrola_{voice}_reads_{code}.npz"
        if path.exists():
            continue
        rng = random.Random(seed + k)
        results = []
        for w in rng.sample(vocab, min(n_words, len(vocab))):
            rate, pitch = round(165 / rng.uniform(0.85, 1.3)), rng.randint(35, 65)
            got = say(voice, w, lang.vowels, rate, pitch, code)
            if got is None:
                continue
            audio, segs, unfaithful = got
            job = asdict(Job([w.text], None, [w.phones], prosody=165 / rate, pitch=float(pitch))) | {"unfaithful": unfaithful}
            results.append({"job": job, "audio": (np.clip(audio, -1, 1) * 32767).astype(np.int16),
                            "segments": [(s.phone, s.start_s, s.end_s) for s in segs]})
        save_shard(path, f"mbrola_{voice}_reads_{code}", results)
        print(f"{path.name}: {len(results)} words, {sum(bool(r['job']['unfaithful']) for r in results)} with accent errors")


if __name__ == "__main__":
    run(sys.argv[1], Path(sys.argv[2]), *(int(x) for x in sys.argv[3:4]))
