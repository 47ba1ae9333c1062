"""Accent target: British voices judged with `us`, `gb` and `any`; American voices beside them.

    .venv/bin/python research/accent_target.py [--words 200] [--out research/results_accent_target.jsonl]

Each voice reads common words from their spelling, so it says them in its own accent: MBROLA en1 (a British
man, held out from training) and espeak-ng's `en-gb` through its formant synthesizer and through Pico en-GB;
MBROLA us3 (held out) and espeak-ng `en-us` as the American controls. Half the words are ones whose British
form differs (R not before a vowel, TRAP-BATH, LOT: device/engine/accent.py), half are ones where it does
not. Each take is scored against its own text (false rejection) and against a common word one phone away
(detection), with each accent target.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import Audio, load_wav  # noqa: E402
from saywell.engine import accent, dictindex  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402
from results import save, show  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402


def espeak_text(voice: str, word: str, env: dict | None = None) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "w.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), word], check=True, env=env, capture_output=True)
        x = load_wav(wav).samples
    pad = np.zeros(2400, np.float32)
    return np.concatenate([pad, x, pad])


def speakers() -> dict[str, callable]:
    from saywell_train.voices import mbrola_voice, pico_voice

    out = {}
    try:
        env = mbrola_voice._env()
        mbrola_voice.ensure_voices(["en1", "us3"])
        out["mbrola_en1 (British, held out)"] = lambda w: espeak_text("mb-en1", w, env)
        out["mbrola_us3 (American, held out)"] = lambda w: espeak_text("mb-us3", w, env)
    except (FileNotFoundError, RuntimeError, subprocess.CalledProcessError) as e:
        print(f"MBROLA voices skipped: {e}", file=sys.stderr)
    out["espeak-ng en-gb (British; the formant family trains in en-us)"] = lambda w: espeak_text("en-gb", w)
    out["espeak-ng en-us (American, trained family)"] = lambda w: espeak_text("en-us", w)
    if pico_voice.installed():
        pad = np.zeros(2400, np.float32)
        out["Pico en-GB (British; trains with American phones)"] = lambda w: np.concatenate(
            [pad, pico_voice._pico().speak("en-GB", w), pad])
    return out


def word_sets(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    from saywell_train.vocab import common_words

    words = common_words(4000)
    raw = dictindex.pronunciations(words)
    differ, same = [], []
    for w in words:
        if w in raw and len(w) > 2:
            (differ if accent.british_forms(raw[w][0], w) != [raw[w][0]] else same).append(w)
    rng = random.Random(seed)
    return rng.sample(differ, min(n // 2, len(differ))), rng.sample(same, min(n // 2, len(same)))


def neighbour_texts(words: list[str]) -> dict[str, str]:
    from saywell_train.realspeech import COMMON_ZIPF, NeighbourIndex, _cmu

    cmu = _cmu()
    index = NeighbourIndex(cmu)
    out = {}
    for w in words:
        options = [c for _, c in index.neighbours(w, cmu[w][0]) if index.zipf.get(c, 0) > COMMON_ZIPF]
        if options:
            out[w] = max(options, key=lambda c: index.zipf[c])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=200)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = AcousticModel(args.model)
    scorers = {a: Scorer(model, accent=a) for a in accent.ACCENTS}
    differ, same = word_sets(args.words)
    other = neighbour_texts(differ + same)
    rows = []
    for voice, say in speakers().items():
        counts = {(a, kind): [0, 0, 0, 0] for a in accent.ACCENTS for kind in ("differ", "same")}
        for kind, words in (("differ", differ), ("same", same)):
            for w in words:
                audio = Audio(say(w), 16000)
                for a, sc in scorers.items():
                    c = counts[(a, kind)]
                    c[0] += 1
                    c[1] += sc.score(audio, w).verdict != "correct"
                    if w in other:
                        c[2] += 1
                        c[3] += sc.score(audio, other[w]).verdict != "correct"
        for (a, kind), (n, rejected, n_other, caught) in counts.items():
            row = {"voice": voice, "accent": a, "words": f"British form {'differs' if kind == 'differ' else 'agrees'}",
                   "n": n, "false_rejection": round(rejected / max(n, 1), 3),
                   "word_one_phone_away_rejected": round(caught / max(n_other, 1), 3), "n_one_phone_away": n_other,
                   "model": args.model.name}
            show(row, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
