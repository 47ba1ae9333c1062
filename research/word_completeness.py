"""Omitted, inserted and repeated words: are they found, and are correct readings left alone?

    .venv/bin/python research/word_completeness.py [--work work] [--n 150] [--out research/results_word_completeness.jsonl]

Three-word clips are spliced from single correct words with pauses of 0.05-0.3 s between them, then changed:
one word cut out (omitted), another word of the same speaker put between two (extra), or a word said twice
(repeat). Each is scored against the three-word text with the shipped model. The thresholds in
device/engine/scoring.py (OMITTED_SQUEEZED, MIN_INSERTION_S) were chosen on training voices' words (never the
real set); the real speaker (the Asterisk prompts, validation only) is reported with them as they are.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import Audio, load_wav  # noqa: E402
from saywell.engine import scoring  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402
from results import save, show  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402

TRAINING_VOICES = ("flite_awb", "festival_kal", "mbrola_us1", "piper_joe_varied")


@dataclass
class Tally:
    omitted_found: int = 0  # the cut word judged omitted
    omitted_elsewhere: int = 0  # another word judged omitted in an omission clip
    said_right: int = 0  # in omission clips, the words that were said and judged correct (of 2 per clip)
    correct_incomplete: int = 0  # a clean three-word clip with a word judged omitted
    correct_inserted: int = 0  # a clean clip with an insertion found
    correct_rejected: int = 0
    extra_found: int = 0  # an insertion found after the right word
    extra_rejected: int = 0
    repeat_found: int = 0  # an insertion found beside the repeated word and called a repeat
    n: int = 0

    def rates(self) -> dict:
        n = max(self.n, 1)
        return {"clips": self.n, "omitted_word_found": round(self.omitted_found / n, 3),
                "another_word_judged_omitted": round(self.omitted_elsewhere / n, 3),
                "said_words_judged_right_beside_an_omission": round(self.said_right / (2 * n), 3),
                "correct_flagged_incomplete": round(self.correct_incomplete / n, 3),
                "correct_with_insertion": round(self.correct_inserted / n, 3),
                "correct_rejected": round(self.correct_rejected / n, 3),
                "extra_word_found": round(self.extra_found / n, 3),
                "extra_word_rejected": round(self.extra_rejected / n, 3),
                "repeat_found_as_repeat": round(self.repeat_found / n, 3)}


def trim(x: np.ndarray, keep: int = 800) -> np.ndarray:
    """The word with 50 ms of its own lead-in and tail: splices must not carry long silences of the source."""
    energy = np.convolve(x.astype(np.float64) ** 2, np.ones(160) / 160, "same")
    loud = np.flatnonzero(energy > energy.max() * 1e-3)
    return x[max(0, loud[0] - keep):loud[-1] + keep] if len(loud) else x


def training_words(work: Path) -> list[dict[str, np.ndarray]]:
    from saywell_train.synthesize import load_shard

    out = []
    for voice in TRAINING_VOICES:
        path = work / "synth" / f"{voice}.npz"
        if not path.exists():
            continue
        _, utts, jobs = load_shard(path)
        words = {}
        for u, job in zip(utts, jobs):
            if job["mis_word"] is None and len(job["words"]) == 1 and job["words"][0] not in words:
                words[job["words"][0]] = trim(u.audio)
        out.append(words)
    return out


def real_words(work: Path) -> list[dict[str, np.ndarray]]:
    words = {}
    for line in (work / "real" / "dev.jsonl").read_text().splitlines():
        item = json.loads(line)
        if item["correct"] and len(item["text"].split()) == 1 and item["text"] not in words:
            words[item["text"]] = trim(load_wav(work / "real" / item["audio"]).samples)
    return [words]


def measure(scorer: Scorer, speakers: list[dict[str, np.ndarray]], n: int, seed: int = 0) -> Tally:
    rng = random.Random(seed)
    tally = Tally()

    def gap() -> np.ndarray:
        return np.zeros(int(16000 * rng.uniform(0.05, 0.3)), np.float32)

    def joined(parts: list[np.ndarray]) -> Audio:
        out = [gap()]
        for p in parts:
            out += [p, gap()]
        return Audio(np.concatenate(out), 16000)

    for k in range(n):
        words = speakers[k % len(speakers)]
        chosen = rng.sample(sorted(words), 4)
        text, extra = " ".join(chosen[:3]), chosen[3]
        clips = [words[w] for w in chosen[:3]]
        tally.n += 1
        clean = scorer.score(joined(clips), text)
        tally.correct_incomplete += clean.completeness < 1
        tally.correct_inserted += bool(clean.insertions)
        tally.correct_rejected += clean.verdict != "correct"
        cut = rng.randrange(3)
        short = scorer.score(joined([c for i, c in enumerate(clips) if i != cut]), text)
        tally.omitted_found += short.words[cut].error == "omitted"
        tally.omitted_elsewhere += any(w.error == "omitted" for i, w in enumerate(short.words) if i != cut)
        tally.said_right += sum(w.verdict == "correct" for i, w in enumerate(short.words) if i != cut)
        at = rng.randrange(2)  # the extra word goes after word `at`
        more = scorer.score(joined(clips[:at + 1] + [words[extra]] + clips[at + 1:]), text)
        tally.extra_found += any(i.after == at for i in more.insertions)
        tally.extra_rejected += more.verdict != "correct"
        twice = scorer.score(joined(clips[:at + 1] + [clips[at]] + clips[at + 1:]), text)
        # either copy may be the one aligned to the text: the other lies just before or just after it
        tally.repeat_found += any(i.after in (at - 1, at) and i.kind == "repeat" for i in twice.insertions)
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--n", type=int, default=150, help="clips per source")
    ap.add_argument("--sweep", action="store_true", help="also try other thresholds on the training voices")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    scorer = Scorer(AcousticModel(args.model))
    rows = []
    if args.sweep:
        for squeezed in (0.5, 0.6, 0.75):
            for min_s in (0.15, 0.2, 0.3):
                scoring.OMITTED_SQUEEZED, scoring.MIN_INSERTION_S = squeezed, min_s
                row = {"source": "training voices (sweep)", "omitted_squeezed": squeezed, "min_insertion_s": min_s,
                       **measure(scorer, training_words(args.work), args.n).rates()}
                print(json.dumps(row), flush=True)
        scoring.OMITTED_SQUEEZED, scoring.MIN_INSERTION_S = 0.6, 0.2
    for source, speakers in (("training voices: " + ", ".join(TRAINING_VOICES), training_words(args.work)),
                             ("Asterisk prompts (real, validation only)", real_words(args.work))):
        row = {"source": source, "model": args.model.name, "omitted_squeezed": scoring.OMITTED_SQUEEZED,
               "min_insertion_s": scoring.MIN_INSERTION_S, **measure(scorer, speakers, args.n).rates()}
        show(row, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
