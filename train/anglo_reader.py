"""Held-out English voices reading Spanish the way an English speaker does: the learner a Spanish class has.

MBROLA us3 (US) and en1 (British) are held out in every language (DATA.md), so they may stand for learners
here. Each Spanish word is said with English phones, as an English speaker reads it: the tap and the trill as
the English R, j as H, ñ as N Y, stressed e and o as the diphthongs EY and OW, unstressed vowels reduced (AH,
IH, UH), an intervocalic d flapped when the voice flaps it, and p, t, k before a stressed vowel taken from
English diphones (aspirated in the recordings they were cut from). Those phones are genuine learner errors
whose place is known: the shard keeps them as `unfaithful` (masked in the labels), so evaluate.accent_metrics
reports how often each is flagged and how often a faithfully said phone is flagged instead. The other phones
(m, n, l, s, f, the stops b d ɡ, stressed a i u ...) are the Spanish sound said as an English speaker says it.

    python -m saywell_train.anglo_reader es OUT_DIR [N_WORDS]
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from saywell.engine.language import language

from .synthesize import Job, save_shard
from .synthesize_lang import Word, words_for
from .voices.foreign_voice import MASKED
from .voices.mbrola_voice import _LEAD_MS, _PAUSE, PhoPhone, _env, _segments, _speak, align, parse_pho
from .voices.espeak_voice import to_mnemonics

VOICES = ("us3", "en1")
_STRESSED = {"a": ("AA", None), "e": ("EY", "diphthong"), "i": ("IY", None), "o": ("OW", "diphthong"), "u": ("UW", None)}
_UNSTRESSED = {"a": ("AH", "reduced vowel"), "e": ("IH", "reduced vowel"), "i": ("IH", "reduced vowel"),
               "o": ("AH", "reduced vowel"), "u": ("UH", "reduced vowel")}
_FINAL = {"a": ("AH", "reduced vowel"), "e": ("EY", "diphthong"), "i": ("IY", None), "o": ("OW", "diphthong"),
          "u": ("UW", None)}
_CONSONANT = {"p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "f": "F", "θ": "TH", "s": "S", "x": "HH",
              "tʃ": "CH", "j": "Y", "ɲ": "N Y", "l": "L", "ɾ": "R", "r": "R", "m": "M", "n": "N", "w": "W"}
_CATEGORY = {"x": "jota as h", "ɲ": "ñ as n-y", "ɾ": "R as English r", "r": "R as English r"}


def rendering(word: Word, vowels: frozenset[str]) -> list[tuple[tuple[str, ...], str | None]]:
    """Each Spanish phone -> (the English phones an English speaker says, the error category or None)."""
    out = []
    last_vowel = max((i for i, p in enumerate(word.phones) if p in vowels), default=-1)
    for i, p in enumerate(word.phones):
        if p in vowels:
            table = _STRESSED if i == word.stress else _FINAL if i == last_vowel else _UNSTRESSED
            eng, cat = table[p]
            out.append(((eng,), cat))
        else:
            nxt = word.phones[i + 1] if i + 1 < len(word.phones) else None
            cat = _CATEGORY.get(p)
            if p in ("p", "t", "k") and nxt is not None and word.stress == i + 1:
                cat = "aspirated stop"
            out.append((tuple(_CONSONANT[p].split()), cat))
    return out


def say(voice: str, word: Word, vowels: frozenset[str], rate_wpm: int, pitch: int):
    """(audio, segments, unfaithful) of one word, or None when the voice cannot say it."""
    parts = rendering(word, vowels)
    eng = tuple(e for ph, _ in parts for e in ph)
    owner = [n for n, (ph, _) in enumerate(parts) for _ in ph]
    n_vowels = sum(1 for e in eng if e in ("AA", "AE", "AH", "AO", "EH", "ER", "EY", "IH", "IY", "OW", "UH", "UW"))
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
    vocab = words_for(lang, 5000, "es-419")
    for k, voice in enumerate(VOICES):
        path = out_dir / f"mbrola_{voice}_reads_{code}.npz"
        if path.exists():
            continue
        rng = random.Random(seed + k)
        results = []
        for w in rng.sample(vocab, min(n_words, len(vocab))):
            rate, pitch = round(165 / rng.uniform(0.85, 1.3)), rng.randint(35, 65)
            got = say(voice, w, lang.vowels, rate, pitch)
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
