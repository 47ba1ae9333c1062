"""What the short-fit experiments share: a short float fit on the cached training features, the evaluate stage's
measures of float Keras weights (no pruning, QAT or export), and one JSON row per result (printed, and appended
to --out). A short fit ranks candidates; it does not give final figures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_VOICES = ("flite_rms", "festival_ked")


def shipped_windows() -> dict:
    """The shipped recipe's window augmentation, as WindowSampler options."""
    from saywell_train.pipeline import Recipe

    return {k: getattr(Recipe(), k) for k in ("eq_prob", "eq_depth", "freq_masks")}


def short_float_fit(train_fs, mcfg, steps: int, seed: int = 0, lr: float = 2e-3, dropout: float = 0.0, init: Path | None = None,
                    distill: float = 0.0, temperature: float = 2.0, distill_frames: str = "all", **sampler_options):
    """(model, fit seconds): `steps` float steps from `seed` (initialisation and window sampling), batches of 32
    windows of 200 frames, as train/fit.py's float phase samples them; sampler_options go to WindowSampler.
    With `init`, the steps fine-tune those float weights instead of starting at random. With `distill`, that share
    of the loss is the features' own soft targets (train/whisper_teacher.py), softened by `temperature`, on
    `distill_frames` (fit.distiller)."""
    import tf_keras as keras

    from saywell.engine.features import FrontendConfig
    from saywell_train.fit import WindowSampler, _compile, _optimizer, _steps_dataset, distiller
    from saywell_train.model import build

    keras.utils.set_random_seed(seed)
    sampler = WindowSampler(train_fs, mcfg, 200, FrontendConfig().pad_value, seed, **sampler_options)
    model = build(mcfg, sampler.in_frames, dropout=dropout)
    if init is not None:
        model.load_weights(str(init))
    trainer = model
    if distill > 0:
        trainer = distiller(model, None, distill, temperature, distill_frames)
        trainer.compile(optimizer=_optimizer(lr, steps))
    else:
        _compile(model, lr, steps)
    t0 = time.time()
    trainer.fit(_steps_dataset(sampler, 32, with_targets=distill > 0), steps_per_epoch=100, epochs=max(1, steps // 100), verbose=0)
    return model, time.time() - t0


class Measures:
    """The held-out voices' twins and the real dev set, loaded once, scored as the evaluate stage scores them;
    with `rooms`, also the real dev set in those train/rooms.py conditions (AUC over all its items)."""

    def __init__(self, work: Path, rooms: tuple[str, ...] = (), voices: tuple[str, ...] = HELDOUT_VOICES):
        from saywell.engine.model import AcousticModel
        from saywell_train.evaluate import heldout_items, real_items
        from saywell_train.rooms import babble_sources, degraded_items

        self.voices = voices
        per_voice = [heldout_items(work / "synth" / f"{v}.npz") for v in voices]
        self.heldout = [it for items in per_voice for it in items]
        self.real = real_items(work / "real")
        babble = babble_sources(per_voice[:2]) if rooms else []  # flite rms and festival ked, as the evaluate stage
        self.rooms = {name: degraded_items(self.real, name, babble) for name in rooms}
        self.log_priors = AcousticModel(ROOT / "models" / "saywell-en.tflite").meta.log_priors  # same training labels

    def of(self, model, mcfg) -> dict:
        """AUCs and phone error rates of a float Keras model (any frame count; its weights are copied)."""
        from saywell.engine.features import FrontendConfig
        from saywell.engine.metadata import Calibration
        from saywell_train.evaluate import auc, gather, phone_error_rate, utterance_gop
        from saywell_train.model import build

        full = build(mcfg, None, batch_size=1)
        full.set_weights(model.get_weights())
        noisy = [it for items in self.rooms.values() for it in items]
        post = keras_posteriors(full, mcfg, self.heldout + self.real + noisy, FrontendConfig().pad_value)
        hevs, revs = gather(post, self.heldout, self.log_priors), gather(post, self.real, self.log_priors)
        unit = Calibration(slope=1.0, offset=0.0)

        def scored(evs, group=None):
            pos = [utterance_gop(e, unit) for e in evs if e.item.correct and group in (None, e.item.group)]
            neg = [utterance_gop(e, unit) for e in evs if not e.item.correct and group in (None, e.item.group)]
            return round(auc(pos, neg), 4)

        return {"heldout_auc": scored(hevs), **{f"heldout_auc_{v}": scored(hevs, v) for v in self.voices},
                "real_all_auc": scored(revs), "real_eval_auc": scored(revs, "real_eval"),
                "heldout_per": round(phone_error_rate(post, self.heldout), 4), "real_per": round(phone_error_rate(post, self.real), 4),
                **{f"real_all_auc {name}": scored(gather(post, items, self.log_priors)) for name, items in self.rooms.items()}}


def keras_posteriors(model, mcfg, items, pad: float) -> dict[str, np.ndarray]:
    """Log posteriors of whole clips, padded as the runtime pads them (left context and look-ahead)."""
    import tensorflow as tf

    from saywell.engine.features import FrontendConfig, log_mel

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


def variant_args(doc: str | None):
    """The argument parser every short-fit comparison shares (more options may be added to it)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work", help="cached training features, held-out shards, real dev set")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0, help="initialisation and window sampling (a second seed shows the noise)")
    ap.add_argument("--only", nargs="*", help="only the variants whose names contain one of these")
    ap.add_argument("--out", type=Path, help="append one JSON line per variant here")
    return ap


def model_and_work(ap) -> tuple:
    """(AcousticModel, work dir, args) from --model (default: the shipped model) and --work, added to parser ap."""
    from saywell.engine.model import AcousticModel

    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    args = ap.parse_args()
    return AcousticModel(args.model), args.work, args


def emit(row: dict, out: Path | None) -> None:
    print(json.dumps(row), flush=True)
    if out:
        with out.open("a") as f:
            f.write(json.dumps(row) + "\n")
