"""Does a regularizer or more capacity make the network judge unseen voices better? Short float fits.

    .venv/bin/python research/speaker_generalization.py --work work [--steps 3000] [--seed 0] [--only NAME ...] [--out F.jsonl]

The held-out voices are lost to speaker mismatch (models/RESEARCH.md). Each variant gets the shipped recipe's float
fit (same steps, seed, data, window augmentation) plus one change, and is measured as the evaluate stage measures
a model, from the Keras weights: dropout after every block; a voice adversary (a small head that guesses which of
the training voices a window came from, through a gradient-reversal layer, so the network is pushed to features
that do not tell voices apart); and a network 4x wider, over the device's size budget, as a probe of whether
capacity (and so a wider teacher to distil from) helps.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {  # name -> (channels, dropout, adversary weight)
    "shipped recipe (reference)": (144, 0.0, 0.0),
    "dropout 0.1": (144, 0.1, 0.0),
    "voice adversary 0.1": (144, 0.0, 0.1),
    "4x wider, 288 channels (over budget: capacity probe)": (288, 0.0, 0.0),
}


def adversary_fit(train_fs, mcfg, steps: int, seed: int, weight: float):
    """The float fit with a voice classifier on the last block's output behind gradient reversal (Ganin & Lempitsky 2015)."""
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import layers

    from saywell.engine.features import FrontendConfig
    from short_fit import shipped_windows
    from saywell_train.fit import WindowSampler, _optimizer
    from saywell_train.model import build

    keras.utils.set_random_seed(seed)
    sampler = WindowSampler(train_fs, mcfg, 200, FrontendConfig().pad_value, seed, **shipped_windows())
    base = build(mcfg, sampler.in_frames)
    names = sorted(set(train_fs.voices))
    utterance_voice = np.array([names.index(v) for v in train_fs.voices], np.int32)

    @tf.custom_gradient
    def reverse(t):
        return tf.identity(t), lambda dy: -weight * dy

    class GradientReversal(layers.Layer):
        def call(self, t):
            return reverse(t)

    v = GradientReversal()(base.get_layer(f"b{mcfg.blocks - 1}_relu").output)
    v = layers.Conv2D(96, 1, activation="relu", name="adv1")(v)
    v = layers.GlobalAveragePooling2D()(v)
    v = layers.Dense(96, activation="relu", name="adv2")(v)
    model = keras.Model(base.input, [base.output, layers.Dense(len(names), name="voice")(v)])

    def batches():
        while True:
            x, y = sampler.sample(32)
            centre = sampler.window_starts + mcfg.left_context + 100
            yield x, (y, utterance_voice[np.searchsorted(train_fs.starts, centre, side="right") - 1])

    spec = (tf.TensorSpec((32, sampler.in_frames, mcfg.n_mels, 1), tf.float32),
            (tf.TensorSpec((32, 200), tf.int32), tf.TensorSpec((32,), tf.int32)))
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=_optimizer(2e-3, steps), loss=[ce, ce])
    t0 = time.time()
    model.fit(tf.data.Dataset.from_generator(batches, output_signature=spec).prefetch(4), steps_per_epoch=100,
              epochs=max(1, steps // 100), verbose=0)
    return base, time.time() - t0


def main() -> None:
    from short_fit import Measures, emit, shipped_windows, short_float_fit, variant_args
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    args = variant_args(__doc__).parse_args()
    train_fs = load(args.work / "features" / "train.npz")
    measures = Measures(args.work)
    for name, (channels, dropout, adversary) in VARIANTS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        mcfg = ModelConfig(n_classes=len(CLASSES), channels=channels)
        if adversary:
            model, fit_s = adversary_fit(train_fs, mcfg, args.steps, args.seed, adversary)
        else:
            model, fit_s = short_float_fit(train_fs, mcfg, args.steps, args.seed, dropout=dropout, **shipped_windows())
        emit({"variant": name, "steps": args.steps, "seed": args.seed, "fit_seconds": round(fit_s), "channels": channels,
              "parameters": int(model.count_params()), "dropout": dropout, "voice_adversary": adversary,
              **measures.of(model, mcfg)}, args.out)


if __name__ == "__main__":
    main()
