"""Ablation of the training-window augmentations (train/fit.py) in short float fits on the cached features.

    .venv/bin/python benchmarks/window_augmentation.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]

Each variant gets the same float fit (steps, seed, data) and is then measured the way the evaluate stage
measures a model, from the Keras weights (no pruning, QAT or export): mispronunciation AUC on the held-out
voices (canonical vs one-phone-changed twins), AUC on the real Asterisk prompts (correct vs one phone away;
all 540 and the evaluation half), and phone error rates. A short fit ranks variants; it does not give final
figures (the shipped model's are in models/saywell-en.json).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from train.fit import FitConfig  # noqa: E402

BASE = FitConfig(lr=2e-3)
VARIANTS: dict[str, FitConfig] = {
    "no colour, 1 frequency mask (before)": BASE,
    "colour 0.6 x 1.0, 2 frequency masks (shipped)": replace(BASE, eq_prob=0.6, eq_depth=1.0, freq_masks=2),
    "colour 0.8 x 1.5, 2 frequency masks": replace(BASE, eq_prob=0.8, eq_depth=1.5, freq_masks=2),
}


def keras_posteriors(model, mcfg, items, pad: float) -> dict[str, np.ndarray]:
    """Log posteriors of whole clips, padded as the runtime pads them (left context and look-ahead)."""
    import tensorflow as tf

    from device.features import FrontendConfig, log_mel

    fe = FrontendConfig()
    f = tf.function(lambda x: tf.nn.log_softmax(model(x, training=False), axis=-1), reduce_retracing=True)
    out = {}
    for it in items:
        if it.key in out:
            continue
        x = log_mel(it.audio, fe)
        x = np.concatenate([np.full((mcfg.left_context, fe.n_mels), pad, np.float32), x,
                            np.full((mcfg.lookahead, fe.n_mels), pad, np.float32)])
        out[it.key] = f(x[None, :, :, None]).numpy()[0]
    return out


def main() -> None:
    from device.features import FrontendConfig
    from device.metadata import Calibration
    from device.model import AcousticModel
    from short_fit import emit, short_float_fit
    from train.evaluate import auc, gather, heldout_items, phone_error_rate, real_items, utterance_gop
    from train.features import CLASSES, load
    from train.model import ModelConfig, build

    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0, help="initialisation and window sampling (a second seed shows the noise)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--out", type=Path, help="append one JSON line per variant here")
    args = ap.parse_args()
    train_fs = load(args.work / "features" / "train.npz")
    heldout = [it for v in ("flite_rms", "festival_ked") for it in heldout_items(args.work / "synth" / f"{v}.npz")]
    real = real_items(args.work / "real")
    log_priors = AcousticModel(ROOT / "models" / "saywell-en.tflite").meta.log_priors  # same training labels
    mcfg = ModelConfig(n_classes=len(CLASSES))
    pad, unit = FrontendConfig().pad_value, Calibration(slope=1.0, offset=0.0)

    def scored(evs, group=None):
        pos = [utterance_gop(e, unit) for e in evs if e.item.correct and group in (None, e.item.group)]
        neg = [utterance_gop(e, unit) for e in evs if not e.item.correct and group in (None, e.item.group)]
        return round(auc(pos, neg), 4)

    for name, fcfg in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model, fit_s = short_float_fit(train_fs, mcfg, args.steps, args.seed, fcfg.lr, eq_prob=fcfg.eq_prob,
                                       eq_depth=fcfg.eq_depth, freq_masks=fcfg.freq_masks)
        full = build(mcfg, None, batch_size=1)
        full.set_weights(model.get_weights())
        post = keras_posteriors(full, mcfg, heldout + real, pad)
        hevs, revs = gather(post, heldout, log_priors), gather(post, real, log_priors)
        emit({"variant": name, "steps": args.steps, "seed": args.seed, "fit_seconds": round(fit_s),
              "eq_prob": fcfg.eq_prob, "eq_depth": fcfg.eq_depth, "freq_masks": fcfg.freq_masks,
              "heldout_auc": scored(hevs), "heldout_auc_flite_rms": scored(hevs, "flite_rms"),
              "heldout_auc_festival_ked": scored(hevs, "festival_ked"),
              "real_all_auc": scored(revs), "real_eval_auc": scored(revs, "real_eval"),
              "heldout_per": round(phone_error_rate(post, heldout), 4), "real_per": round(phone_error_rate(post, real), 4)}, args.out)

if __name__ == "__main__":
    main()
