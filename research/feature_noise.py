"""Does fresh noise mixed into training windows (train/fit.py's WindowSampler noise_prob: babble or coloured noise
added in the power domain at a random SNR) make the scorer hold up in a noisy room? Short float fits.

    .venv/bin/python research/feature_noise.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]
        [--init FLOAT_WEIGHTS --lr 5e-4]   # fine-tune a trained float model instead of fitting from scratch

Each variant gets the shipped recipe's float fit (steps, seed, data, window augmentation) plus the noise; measured
as the evaluate stage measures a model (clean held-out voices and real speech), and on the real dev set degraded as
benchmarks/noise_robustness.py degrades it (AUC only: a short fit has no calibration).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {  # name -> (share of windows given noise, SNR range dB)
    "shipped recipe (reference)": (0.0, (0.0, 20.0)),
    "noise in half the windows, 0-20 dB": (0.5, (0.0, 20.0)),
}
NOISY = ("pink 10 dB", "babble 10 dB", "room 0.3 s", "classroom: room 0.4 s + babble 10 dB")


def main() -> int:
    from short_fit import Measures, emit, shipped_windows, short_float_fit, variant_args
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    ap = variant_args(__doc__)
    ap.add_argument("--init", type=Path, help="start from these float weights (the shipped configuration)")
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()
    mcfg = ModelConfig(n_classes=len(CLASSES))  # the shipped configuration
    train_fs = load(args.work / "features" / "train.npz")
    measures = Measures(args.work, rooms=NOISY)
    for name, (prob, snr) in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model, seconds = short_float_fit(train_fs, mcfg, args.steps, args.seed, lr=args.lr, init=args.init, noise_prob=prob, noise_snr=snr,
                                         **shipped_windows())
        emit({"variant": name, "noise_prob": prob, "noise_snr": list(snr), "steps": args.steps, "seed": args.seed,
              "init": str(args.init or ""), "lr": args.lr, "fit_seconds": round(seconds), **measures.of(model, mcfg)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
