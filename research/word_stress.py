"""Word stress: can the aligned vowels tell which syllable carried the stress?

    .venv/bin/python research/word_stress.py [--words 150] [--voices us3,en1] [--out research/results_word_stress.jsonl]

For common CMUdict words of two or three syllables, a held-out MBROLA voice (never trained on) says each word
twice through espeak-ng: with CMUdict's primary stress, and with the primary stress moved to another vowel
(espeak-ng takes stress marks with phones, and its prosody lengthens, raises and strengthens the stressed
syllable). The shipped model aligns the word's phones; each vowel gets a duration, a loudness (RMS dB) and a
pitch (median F0 of its voiced frames, by autocorrelation). The predicted stressed vowel is the one with the
highest sum of those three, each z-scored within the word.

Reported per voice: how often the predicted vowel is the one said stressed (canonical and moved takes apart),
and how often "stress right / wrong" is judged correctly (the criterion for showing it to learners: >= 85 %).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.engine.model import AcousticModel  # noqa: E402
from results import save, show  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402
from saywell.audio.wav import Audio  # noqa: E402
from saywell_train.voices.foreign_voice import _DURATION as TYPICAL_S  # noqa: E402  typical phone lengths, s

VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
FEATURES = ("duration", "loudness", "pitch", "movement")
RATE = 16000


def f0_track(x: np.ndarray, hop: int = 160, win: int = 640, fmin: float = 60.0, fmax: float = 400.0) -> np.ndarray:
    """F0 per 10 ms frame (0 where unvoiced): the normalised autocorrelation's highest peak in 60-400 Hz."""
    n = 1 + max(0, (len(x) - win) // hop)
    if len(x) < win:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), win)[::hop][:n]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(frames, n=2 * win, axis=1)
    ac = np.fft.irfft(spec.real ** 2 + spec.imag ** 2, axis=1)[:, :win]
    ac = ac / np.maximum(ac[:, :1], 1e-12)
    lo, hi = int(RATE / fmax), int(RATE / fmin)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(n), lag]
    return np.where(peak > 0.5, RATE / lag, 0.0)


@dataclass
class Syllable:
    duration: float  # relative to the vowel's typical length (a schwa is short even when stressed)
    loudness: float
    pitch: float  # highest voiced F0
    movement: float  # F0 range within the vowel: the pitch accent of a stressed syllable moves


def syllables(samples: np.ndarray, phones) -> list[Syllable]:
    """Per aligned vowel of one word: duration (s), RMS dB, median voiced F0 (Hz; 0 when none is voiced)."""
    f0 = f0_track(samples)
    out = []
    for p in phones:
        if p.phone not in VOWELS:
            continue
        a, b = int(p.start * RATE), int(p.end * RATE)
        seg = samples[a:b].astype(np.float64)
        loud = 10 * np.log10(np.mean(seg ** 2) + 1e-10) if len(seg) else -100.0
        # F0 frames are centred 20 ms into their window: frame k covers the vowel when k*10 ms + 20 ms is inside
        ks = [k for k in range(len(f0)) if p.start <= k * 0.01 + 0.02 < p.end and f0[k] > 0]
        voiced = f0[ks]
        out.append(Syllable((p.end - p.start) / TYPICAL_S[p.phone], float(loud),
                            float(voiced.max()) if ks else 0.0, float(voiced.max() - voiced.min()) if ks else 0.0))
    return out


def stressed(sylls: list[Syllable], use: tuple[str, ...] = FEATURES) -> int:
    def z(v):
        v = np.asarray(v, float)
        return (v - v.mean()) / (v.std() + 1e-9)
    total = np.zeros(len(sylls))
    for name in use:
        values = [getattr(s, name) for s in sylls]
        if name in ("pitch", "movement") and min(s.pitch for s in sylls) == 0:
            continue  # an unvoiced vowel: pitch says nothing here
        total += z(values)
    return int(np.argmax(total))


def words_with_stress(n: int) -> list[tuple[str, tuple[str, ...], tuple[int, ...]]]:
    from saywell.engine import dictindex
    from saywell_train.vocab import common_words

    out = []
    candidates = common_words(3000)
    raw = dictindex.pronunciations(candidates)
    for w in candidates:
        if w not in raw:
            continue
        arpa = raw[w][0].split()
        stress = tuple(int(p[-1]) for p in arpa if p[-1].isdigit())
        if len(stress) in (2, 3) and stress.count(1) == 1:
            out.append((w, tuple(p.rstrip("012") for p in arpa), stress))
        if len(out) == n:
            break
    return out


def moved(stress: tuple[int, ...]) -> tuple[int, ...]:
    k = stress.index(1)
    target = (k + 1) % len(stress)
    return tuple(1 if i == target else 0 for i in range(len(stress)))


def measure(scorer: Scorer, voice: str, words) -> list[tuple[tuple[int, ...], dict[str, list[Syllable]]]]:
    """Per word: CMUdict's stress and the syllables of the canonical and the moved take."""
    from saywell_train.voices import mbrola_voice

    mv = mbrola_voice.MbrolaVoice(voice)
    out = []
    for w, phones, stress in words:
        takes = {}
        for take, st in (("canonical", stress), ("moved", moved(stress))):
            mbrola_voice._cmudict_stress = lambda st=st, w=w: {w: st}  # the stress espeak-ng is asked for
            utt = mv.synthesize([w], [phones])
            r = scorer.score(Audio(utt.audio, RATE), w, " ".join(phones))
            takes[take] = syllables(utt.audio, r.words[0].phones)
        if all(len(t) == len(stress) for t in takes.values()):
            out.append((stress, takes))
    return out


def judged(data, predict) -> dict:
    """How often `predict` (a word's syllables -> the index of the stressed one) finds the stressed vowel of the
    canonical and the moved takes, and how often it judges "stress right / wrong" right."""
    found = {"canonical": 0, "moved": 0}
    right = 0
    for stress, takes in data:
        canon = stress.index(1)
        pred = {take: predict(sylls) for take, sylls in takes.items()}
        found["canonical"] += pred["canonical"] == canon
        found["moved"] += pred["moved"] == moved(stress).index(1)
        right += (pred["canonical"] == canon) + (pred["moved"] != canon)
    n = max(len(data), 1)
    return {"words": len(data), "stressed_vowel_found_canonical": round(found["canonical"] / n, 3),
            "stressed_vowel_found_moved": round(found["moved"] / n, 3), "right_or_wrong_judged": round(right / (2 * n), 3)}


def rates(data, use: tuple[str, ...]) -> dict:
    r = judged(data, lambda sylls: stressed(sylls, use))
    return {"words": r.pop("words"), "features": list(use), **r}


def main() -> None:
    from itertools import combinations

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=150)
    ap.add_argument("--tune", default="us2", help="training voice the feature set is chosen on")
    ap.add_argument("--voices", default="us3,en1", help="held-out voices reported")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    scorer = Scorer(AcousticModel(args.model))
    words = words_with_stress(args.words)
    tune = measure(scorer, args.tune, words)
    subsets = [c for k in range(1, len(FEATURES) + 1) for c in combinations(FEATURES, k)]
    best = max(subsets, key=lambda use: rates(tune, use)["right_or_wrong_judged"])
    rows = [{"voice": f"mbrola_{args.tune} (training voice: features chosen here)", **rates(tune, best)}]
    for voice in args.voices.split(","):
        rows.append({"voice": f"mbrola_{voice} (held out)", **rates(measure(scorer, voice, words), best)})
    for row in rows:
        row["model"] = args.model.name
        print(json.dumps(row), flush=True)
    save(rows, args.out)


if __name__ == "__main__":
    main()
