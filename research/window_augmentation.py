"""Ablation of the training-window augmentations (train/fit.py) in short float fits on the cached features.

    .venv/bin/python research/window_augmentation.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]

Each variant gets the same float fit (steps, seed, data) and is then measured the way the evaluate stage
measures a model, from the Keras weights (no pruning, QAT or export): mispronunciation AUC on the held-out
voices (canonical vs one-phone-changed twins), AUC on the real Asterisk prompts (correct vs one phone away;
all 540 and the evaluation half), and phone error rates. A short fit ranks variants; it does not give final
figures (the shipped model's are in models/saywell-en.json).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell_train.fit import FitConfig  # noqa: E402

BASE = FitConfig(lr=2e-3)
VARIANTS: dict[str, FitConfig] = {
    "no colour, 1 frequency mask (before)": BASE,
    "colour 0.6 x 1.0, 2 frequency masks (shipped)": replace(BASE, eq_prob=0.6, eq_depth=1.0, freq_masks=2),
    "colour 0.8 x 1.5, 2 frequency masks": replace(BASE, eq_prob=0.8, eq_depth=1.5, freq_masks=2),
}


def main() -> None:
    from short_fit import Measures, emit, short_float_fit, variant_args
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    args = variant_args(__doc__).parse_args()
    train_fs = load(args.work / "features" / "train.npz")
    measures = Measures(args.work)
    mcfg = ModelConfig(n_classes=len(CLASSES))

    for name, fcfg in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model, fit_s = short_float_fit(train_fs, mcfg, args.steps, args.seed, fcfg.lr, eq_prob=fcfg.eq_prob,
                                       eq_depth=fcfg.eq_depth, freq_masks=fcfg.freq_masks)
        emit({"variant": name, "steps": args.steps, "seed": args.seed, "fit_seconds": round(fit_s),
              "eq_prob": fcfg.eq_prob, "eq_depth": fcfg.eq_depth, "freq_masks": fcfg.freq_masks, **measures.of(model, mcfg)}, args.out)


if __name__ == "__main__":
    main()
