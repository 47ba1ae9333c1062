"""How good are phone labels from forced alignment with the shipped model (train/voices/model_labels.py, the timing
source of the RHVoice and Pico voices, which report none)? Measured on voices that do report their own timings:
their shards' canonical takes are aligned to the same phones, and each phone's aligned start is compared with the
engine's (flite -psdur, festival's Segment relation, MBROLA's .pho durations).

    python research/aligned_labels.py [--work work] [--n 300] [--out research/results_aligned_labels.jsonl]

Per voice: boundary error (its mean sign: aligned later than the engine is positive; mean, median, 90th percentile, share within 20 and 50 ms) and frame agreement (share of
10 ms frames given the same label). flite awb was trained on; rms, ked and us3 were not (the shipped model holds
them out), so they stand for the RHVoice and Pico voices, which it has not heard either.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from saywell.engine.phones import SIL
from saywell_train.synthesize import load_shard
from saywell_train.voices.model_labels import ModelAligner

VOICES = ("flite_awb", "flite_rms", "festival_ked", "mbrola_us3")


def _frames(segs, n: int, hop: float = 0.01) -> list[str]:
    out, k = [], 0
    for i in range(n):
        t = (i + 0.5) * hop
        while k < len(segs) - 1 and segs[k].end_s <= t:
            k += 1
        out.append(segs[k].phone)
    return out


def measure(shard: Path, n: int, aligner: ModelAligner) -> dict:
    _, utts, jobs = load_shard(shard)
    errors, agree, total, used, skipped = [], 0, 0, 0, 0
    for u, job in zip(utts, jobs):
        if used >= n:
            break
        if job["phones"] is not None:  # canonical takes only: the twins of held-out voices are the same words
            continue
        truth = [s for s in u.segments if s.phone != SIL]
        words = [tuple(w) for w in job["canonical"]]
        if [s.phone for s in truth] != [p for w in words for p in w]:
            skipped += 1  # the engine said other phones than CMUdict's (its own lexicon): nothing to compare
            continue
        got = [s for s in aligner.segments(u.audio, words) if s.phone != SIL]
        errors += [(a.start_s - b.start_s) * 1000 for a, b in zip(got, truth)] + [(got[-1].end_s - truth[-1].end_s) * 1000]
        frames = int(len(u.audio) / 160)
        fa, fb = _frames(aligner.segments(u.audio, words), frames), _frames(u.segments, frames)
        agree += sum(a == b for a, b in zip(fa, fb))
        total += frames
        used += 1
    signed = np.array(errors)
    e = np.abs(signed)
    return {"voice": shard.stem, "takes": used, "skipped_other_phones": skipped, "boundaries": len(e),
            "bias_ms": round(float(signed.mean()), 1), "mean_ms": round(float(e.mean()), 1), "median_ms": round(float(np.median(e)), 1),
            "p90_ms": round(float(np.percentile(e, 90)), 1), "within_20ms": round(float((e <= 20).mean()), 3),
            "within_50ms": round(float((e <= 50).mean()), 3), "frame_agreement": round(agree / total, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("work"))
    ap.add_argument("--n", type=int, default=300, help="canonical takes per voice")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("results_aligned_labels.jsonl"))
    args = ap.parse_args()
    aligner = ModelAligner()
    rows = []
    for v in VOICES:
        shard = args.work / "synth" / f"{v}.npz"
        if shard.exists():
            rows.append(measure(shard, args.n, aligner))
            print(json.dumps(rows[-1]), flush=True)
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
