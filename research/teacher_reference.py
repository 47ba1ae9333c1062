"""The teacher's own recording as the reference for a word the dictionary does not know.

    .venv/bin/python research/teacher_reference.py [--words 300] [--out research/results_teacher_reference.jsonl]

Words are treated as unknown to the dictionary: their phones are espeak-ng's guess, as the device's lexicon
would give them. The "teacher" is the held-out MBROLA voice us3 saying each word once; the "learners" are the
held-out voices flite rms and festival ked saying it right (their canonical takes) or with one phone changed
(their twins). Each learner take is scored:

- guessed: GOP against espeak-ng's guess (what the device does today for an unknown word);
- teacher-chosen: GOP against the pronunciation the teacher's recording fits best among the guess and the guess
  with one vowel swapped for a near one (a guess is most often wrong in a vowel), when it beats the guess by
  MARGIN points on the teacher's take;
- posteriorgram: minus the mean distance between the learner's and the teacher's phone posteriors along the best
  time alignment (DTW), without any phones at all;
- dictionary: GOP against CMUdict's phones, the upper bound.

Reported: AUC (correct vs one phone changed) per learner voice and method.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.engine import g2p  # noqa: E402
from saywell.engine.features import log_mel  # noqa: E402
from saywell.engine.lexicon import Pronunciation  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402
from results import save, show  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402
from saywell_train.evaluate import auc  # noqa: E402
from saywell_train.synthesize import load_shard  # noqa: E402

NEAR_VOWELS = {"AH": ("IH", "AA", "EH", "UH"), "IH": ("AH", "IY", "EH"), "AA": ("AO", "AH", "AE"), "AO": ("AA", "OW"),
               "EH": ("AE", "IH", "EY"), "AE": ("EH", "AA"), "IY": ("IH",), "UW": ("UH",), "UH": ("UW", "AH"),
               "EY": ("EH",), "OW": ("AO", "AH"), "ER": ("AH",)}


MARGIN = 15.0  # points on the teacher's take a swapped vowel must win by


def gop_score(scorer: Scorer, logpost: np.ndarray, word: str, phones: tuple[str, ...]) -> float:
    prons = [Pronunciation(word, tuple(phones), "given")]
    return scorer.score_posteriors(logpost, word, prons).score


def candidates(phones: tuple[str, ...]) -> list[tuple[str, ...]]:
    out = [phones]
    for i, p in enumerate(phones):
        for q in NEAR_VOWELS.get(p, ()):
            out.append(phones[:i] + (q,) + phones[i + 1:])
    return out


def speech(logpost: np.ndarray, silence: int) -> np.ndarray:
    idx = np.flatnonzero(np.argmax(logpost, axis=1) != silence)
    return logpost[idx[0]:idx[-1] + 1] if len(idx) else logpost


def dtw_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Minus the mean frame distance (-log of the posteriors' inner product) along the best path."""
    d = -np.log(np.maximum(np.exp(a) @ np.exp(b).T, 1e-6))
    n, m = d.shape
    acc = np.full((n + 1, m + 1), np.inf)
    steps = np.zeros((n + 1, m + 1))
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            k = np.argmin((acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]))
            prev = ((i - 1, j - 1), (i - 1, j), (i, j - 1))[k]
            acc[i, j] = acc[prev] + d[i - 1, j - 1]
            steps[i, j] = steps[prev] + 1
    return -float(acc[n, m] / steps[n, m])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--words", type=int, default=300, help="words per learner voice")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    from saywell_train.voices.mbrola_voice import MbrolaVoice

    model = AcousticModel(args.model)
    scorer = Scorer(model)
    sil = model.meta.phones.index(model.meta.silence)
    teacher = MbrolaVoice("us3")

    def post(audio: np.ndarray) -> np.ndarray:
        return model.log_posteriors(log_mel(audio, model.frontend))

    rows = []
    for learner in ("flite_rms", "festival_ked"):
        _, utts, jobs = load_shard(args.work / "synth" / f"{learner}.npz")
        takes: dict[str, dict] = {}
        for u, j in zip(utts, jobs):
            if len(j["words"]) == 1:
                takes.setdefault(j["words"][0], {})["twin" if j["mis_word"] is not None else "canonical"] = (u, j)
        words = [w for w, t in takes.items() if len(t) == 2][:args.words]
        guesses = g2p.guess_many(words)
        scores: dict[str, list[tuple[float, bool]]] = {m: [] for m in ("guessed", "teacher-chosen", "posteriorgram", "dictionary")}
        changed_guess = 0
        for w in words:
            guess = guesses[w].phones
            if not guess:
                continue
            canonical = tuple(takes[w]["canonical"][1]["canonical"][0])
            ref_post = post(teacher.synthesize([w], [canonical]).audio)
            fit = {c: gop_score(scorer, ref_post, w, c) for c in candidates(guess)}
            best = max(fit, key=fit.get)
            chosen = best if fit[best] >= fit[guess] + MARGIN else guess  # the guess unless clearly worse
            changed_guess += chosen != guess
            for kind in ("canonical", "twin"):
                u, _ = takes[w][kind]
                lp = post(u.audio)
                correct = kind == "canonical"
                scores["guessed"].append((gop_score(scorer, lp, w, guess), correct))
                scores["teacher-chosen"].append((gop_score(scorer, lp, w, chosen), correct))
                scores["dictionary"].append((gop_score(scorer, lp, w, canonical), correct))
                scores["posteriorgram"].append((dtw_similarity(speech(lp, sil), speech(ref_post, sil)), correct))
        for method, pairs in scores.items():
            pos = [s for s, c in pairs if c]
            neg = [s for s, c in pairs if not c]
            row = {"learner": learner, "teacher": "mbrola_us3", "method": method, "words": len(pos),
                   "auc": round(auc(pos, neg), 4), "model": args.model.name}
            if method == "teacher-chosen":
                row["guess_changed_by_teacher"] = changed_guess
            show(row, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
