"""Room calibration: what should 20 words read in a noisy room change, so the rest are judged fairly there?

    .venv/bin/python research/room_calibration.py [--work work] [--rooms "babble 10 dB,classroom: room 0.4 s + babble 10 dB"]

The real dev set (Asterisk prompts: validation, and calibration as said here) is put in a fixed room of
train/rooms.py. Twenty correct clips of that room, drawn at random (five draws), are the "calibration reading";
the other clips of the room (correct ones and ones scored against a word one phone away) are judged with:

- shipped: the model's calibration as it is;
- shift: the verdict line moved by how far the room's 20 correct readings fall below what the same calibration
  gives correct clean speech (the median utterance GOP of the clean calibration half, a constant of the model);
- denoise: the room's noise spectrum (mel power of the quietest 20 % of frames in the 20 readings) subtracted
  from every frame's mel power before the model (floored at 5 % of the frame's power);
- denoise + shift;
- normalise: each mel band moved by the difference between the room readings' mean log-mel and clean
  speech's (the clean calibration half's), as cepstral mean normalisation does for a microphone.

Reported per room: AUC, false rejection and false acceptance for each, mean over the draws.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.engine.features import log_mel  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402
from results import save, show  # noqa: E402
from saywell_train.evaluate import (BABBLE_VOICES, gather, real_items, scoring_metrics, shard_items,  # noqa: E402
                                    utterance_gop)
from saywell_train.rooms import babble_sources, degraded_items  # noqa: E402


def noise_floor(feats: list[np.ndarray], share: float = 0.2) -> np.ndarray:
    """Mean mel power of the quietest frames (the room between words)."""
    frames = np.concatenate(feats)
    energy = frames.sum(axis=1)
    quiet = frames[energy <= np.quantile(energy, share)]
    return np.exp(quiet).mean(axis=0)


def denoised(feat: np.ndarray, floor: np.ndarray, keep: float = 0.05) -> np.ndarray:
    power = np.exp(feat.astype(np.float64))
    return np.log(np.maximum(power - floor, keep * power)).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--rooms", default="babble 10 dB,classroom: room 0.4 s + babble 10 dB,pink 10 dB")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = AcousticModel(args.model)
    cal = model.meta.calibration
    priors = model.meta.log_priors
    real = real_items(args.work / "real")
    clean_post = {it.key: model.log_posteriors(log_mel(it.audio, model.frontend)) for it in real}
    clean = gather(clean_post, [it for it in real if it.correct and it.group == "real_calib"], priors)
    reference = float(np.median([utterance_gop(e, cal) for e in clean]))
    clean_mean = np.concatenate([log_mel(it.audio, model.frontend) for it in real
                                 if it.correct and it.group == "real_calib"]).mean(axis=0)
    babble = babble_sources([shard_items(args.work / "synth" / f"{v}.npz")[0] for v in BABBLE_VOICES])
    rows = []
    for room in args.rooms.split(","):
        noisy = degraded_items(real, room, babble)
        feats = {it.key: log_mel(it.audio, model.frontend) for it in noisy}
        post = {k: model.log_posteriors(f) for k, f in feats.items()}
        results: dict[str, list[dict]] = {m: [] for m in ("shipped", "shift", "denoise", "denoise + shift", "normalise")}
        for draw in range(args.draws):
            rng = np.random.default_rng(draw)
            correct_clips = sorted({it.key for it in noisy if it.correct})
            chosen = set(rng.choice(correct_clips, 20, replace=False))
            judged = [it for it in noisy if it.key not in chosen]
            reading = [it for it in noisy if it.key in chosen and it.correct]
            floor = noise_floor([feats[k] for k in chosen])
            den_post = {k: model.log_posteriors(denoised(feats[k], floor)) for k in feats}
            delta = np.concatenate([feats[k] for k in chosen]).mean(axis=0) - clean_mean
            norm_post = {k: model.log_posteriors(feats[k] - delta) for k in feats}
            for method in results:
                p = den_post if "denoise" in method else (norm_post if method == "normalise" else post)
                c = cal
                if "shift" in method:
                    room_median = float(np.median([utterance_gop(e, cal) for e in gather(p, reading, priors)]))
                    c = replace(cal, offset=cal.offset + min(0.0, room_median - reference))
                results[method].append(scoring_metrics(gather(p, judged, priors), c))
        for method, runs in results.items():
            row = {"room": room, "method": method, "draws": args.draws, "model": args.model.name,
                   **{k: round(float(np.mean([r[k] for r in runs])), 4)
                      for k in ("auc", "false_rejection", "false_acceptance")}}
            show(row, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
