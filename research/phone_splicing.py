"""Does swapping phone segments for learners' substitutes (train/splice.py) make the network hear changed phones
in unseen voices? Short float fits.

    .venv/bin/python research/phone_splicing.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]

Each variant gets the shipped recipe's float fit (steps, seed, data, window augmentation) with a share of its
random windows re-assembled from phone segments, a share of those segments swapped; measured as the evaluate
stage measures a model, from the Keras weights.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {  # name -> (share of random windows spliced, share of eligible segments swapped)
    "shipped recipe (reference)": (0.0, 0.0),
    "splice half the windows, 15 % of segments": (0.5, 0.15),
    "splice every window, 30 % of segments": (1.0, 0.3),
}


def main() -> int:
    from short_fit import Measures, emit, shipped_windows, short_float_fit, variant_args
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    args = variant_args(__doc__).parse_args()
    mcfg = ModelConfig(n_classes=len(CLASSES))  # the shipped configuration
    train_fs = load(args.work / "features" / "train.npz")
    measures = Measures(args.work)
    for name, (prob, rate) in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model, seconds = short_float_fit(train_fs, mcfg, args.steps, args.seed, splice_prob=prob, splice_rate=rate, **shipped_windows())
        emit({"variant": name, "splice_prob": prob, "splice_rate": rate, "steps": args.steps, "seed": args.seed,
              "fit_seconds": round(seconds), **measures.of(model, mcfg)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
