"""Does learning Whisper's soft phone targets beside the labels (train/whisper_teacher.py) make the network judge
unseen voices and real speech better? Short float fits on the same features, seed and steps.

    saywell-train --work work --set whisper_teacher=true --stop-after features    # the teacher and features
    .venv/bin/python research/whisper_distill.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]

Each variant gets the shipped recipe's float fit (window augmentation, learning rate); measured as the evaluate
stage measures a model, on every held-out voice, the real dev set, and the real dev set in two noisy rooms (AUC
only: a short fit has no calibration). research/whisper_probe.py measured the teacher itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {  # name -> (share of the loss from Whisper's targets, temperature, frames: fit.distiller)
    "labels only (reference)": (0.0, 2.0, "all"),
    "Whisper targets, half the loss, T 2": (0.5, 2.0, "all"),  # the full fit of session 19: the demo lost two catches
    "Whisper targets, half the loss, T 1": (0.5, 1.0, "all"),
    "Whisper targets where they agree with the label, half the loss, T 1": (0.5, 1.0, "agree"),
}
VOICES = ("flite_rms", "festival_ked", "mbrola_us3", "mbrola_en1", "mbrola_de5_en", "mbrola_fr4_en", "mbrola_sw2_en",
          "mbrola_pl1_en")
ROOMS = ("babble 10 dB", "classroom: room 0.4 s + babble 10 dB")


def main() -> int:
    from short_fit import Measures, emit, shipped_windows, short_float_fit, variant_args
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    ap = variant_args(__doc__)
    args = ap.parse_args()
    mcfg = ModelConfig(n_classes=len(CLASSES))  # the shipped configuration
    train_fs = load(args.work / "features" / "train.npz")
    if train_fs.teacher is None:
        raise SystemExit(f"{args.work}/features/train.npz has no teacher targets: build it with --set whisper_teacher=true")
    measures = Measures(args.work, rooms=ROOMS, voices=VOICES)
    for name, (share, temperature, frames) in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model, seconds = short_float_fit(train_fs, mcfg, args.steps, args.seed, distill=share, temperature=temperature,
                                         distill_frames=frames, **shipped_windows())
        emit({"variant": name, "distill": share, "temperature": temperature, "frames": frames, "steps": args.steps, "seed": args.seed,
              "fit_seconds": round(seconds), **measures.of(model, mcfg)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
