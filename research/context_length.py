"""Does a longer receptive field judge unseen voices and real speech better? The shipped network sees 41 frames
(0.41 s, centred); spacing the taps of its depthwise blocks (dilation) widens that at the same weights, operations
and int8 size. Short float fits on the same features, seed and steps; measured as research/whisper_distill.py
measures (every held-out voice, the real dev set, two noisy rooms; AUC only: a short fit has no calibration).

    .venv/bin/python research/context_length.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]

Asked because Whisper's states, which see 30 s in both directions, judge real speech far better through a linear
probe (research/whisper_probe.py) than the network, and its targets taught the network little
(research/whisper_distill.py): if the network lacks context, no target can give it that.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {  # name -> each block's dilation (model.ModelConfig.block_dilation)
    "shipped, 41 frames (reference)": (1, 1, 1, 1, 1, 1),
    "dilated 1,2,2,1,2,2: 65 frames": (1, 2, 2, 1, 2, 2),
    "dilated 1,2,4,1,2,4: 89 frames": (1, 2, 4, 1, 2, 4),
}


def main() -> int:
    from short_fit import Measures, emit, shipped_windows, short_float_fit, variant_args
    from whisper_distill import ROOMS, VOICES
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    ap = variant_args(__doc__)
    args = ap.parse_args()
    train_fs = load(args.work / "features" / "train.npz")
    measures = Measures(args.work, rooms=ROOMS, voices=VOICES)
    for name, dilation in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        mcfg = ModelConfig(n_classes=len(CLASSES), block_dilation=dilation)
        model, seconds = short_float_fit(train_fs, mcfg, args.steps, args.seed, **shipped_windows())
        emit({"variant": name, "block_dilation": list(dilation), "receptive_field": mcfg.receptive_field,
              "steps": args.steps, "seed": args.seed, "fit_seconds": round(seconds), **measures.of(model, mcfg)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
