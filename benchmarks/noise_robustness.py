"""How the shipped scorer holds up in a classroom: the real-speech dev set under noise and room echo.

    .venv/bin/python benchmarks/noise_robustness.py [--model models/saywell-en.tflite] [--work work] [--out F.jsonl]
        [--only NAME ...] [--peer]   # --peer: also the pocketsphinx GOP peer (benchmarks/peer_pocketsphinx.py), AUC only

Needs the real dev set and the held-out synthetic shards in --work (run benchmarks/accuracy.py once). Each real
clip is degraded once per condition (fixed seeds) and every item is scored with the int8 model and the calibration
in its metadata, exactly as the clean figures are: AUC (correct vs one-phone-away), false rejection and acceptance
at the shipped threshold, whether the changed phone is the one flagged. SNR is against the clip's active speech
level (frames within 30 dB of its loudest). Babble is four other speakers at once (the held-out synthetic voices,
not the real speaker); rooms are the training's simulated impulse responses with a fixed reverberation time.
The peer's threshold was fitted on synthetic speech in its own benchmark, so only its AUC is compared here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name -> (noise kind or None, SNR dB, reverberation time s or None)
CONDITIONS = {
    "clean": (None, None, None),
    "pink 20 dB": ("pink", 20, None), "pink 10 dB": ("pink", 10, None), "pink 5 dB": ("pink", 5, None),
    "babble 20 dB": ("babble", 20, None), "babble 10 dB": ("babble", 10, None), "babble 5 dB": ("babble", 5, None),
    "room 0.3 s": (None, None, 0.3), "room 0.6 s": (None, None, 0.6),
    "classroom: room 0.4 s + babble 10 dB": ("babble", 10, 0.4),
}


def active_rms(x: np.ndarray, frame: int = 400) -> float:
    n = len(x) // frame
    e = np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1) + 1e-12
    return float(np.sqrt(np.mean(e[e > e.max() * 1e-3])))


def room(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """train/augment.py's simulated room with a fixed reverberation time and direct-to-reverberant ratio."""
    n = int(16000 * rt60)
    t = np.arange(n) / 16000
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    ir[:80] = 0
    ir[0] = 2.0
    return (ir / np.sqrt(np.sum(ir ** 2))).astype(np.float32)


def degrade(x: np.ndarray, kind: str | None, snr: float | None, rt60: float | None, rng: np.random.Generator,
            babble_src: list[np.ndarray]) -> np.ndarray:
    from scipy import signal

    from train.augment import colored_noise

    y = x.astype(np.float32)
    level = active_rms(y)
    if rt60:
        y = signal.fftconvolve(y, room(rt60, rng))[: len(y)].astype(np.float32)
        y *= level / active_rms(y)
    if kind:
        if kind == "pink":
            noise = colored_noise(len(y), rng, 1.0)
        else:
            noise = np.zeros(len(y), np.float32)
            for k in rng.integers(0, len(babble_src), 4):
                s = babble_src[k]
                start = rng.integers(0, max(1, len(s) - len(y)))
                piece = np.resize(s[start:], len(y))
                noise += piece / (np.sqrt(np.mean(piece ** 2)) + 1e-9)
        y = y + noise / np.sqrt(np.mean(noise ** 2)) * level * 10 ** (-snr / 20)
    return np.clip(y, -1, 1).astype(np.float32)


def main() -> None:
    from dataclasses import replace

    from short_fit import emit, model_and_work
    from train.evaluate import auc, gather, heldout_items, posteriors, real_items, scoring_metrics

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="append one JSON line per condition here")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--peer", action="store_true", help="also score every condition with the pocketsphinx peer (AUC)")
    model, work, args = model_and_work(ap)
    real = real_items(work / "real")
    babble_src = []
    for v in model.meta.raw["training"]["heldout_voices"]:
        babble_src += [np.concatenate([it.audio for it in heldout_items(work / "synth" / f"{v}.npz")[k:k + 20]]) for k in range(0, 400, 20)]
    cal = model.meta.calibration
    for name, (kind, snr, rt60) in CONDITIONS.items():
        if args.only and not any(o in name for o in args.only):
            continue
        clips, items = {}, []
        for i, it in enumerate(real):
            if it.key not in clips:
                rng = np.random.default_rng(len(clips))  # one degradation per clip, the same for all its items
                clips[it.key] = degrade(it.audio, kind, snr, rt60, rng, babble_src)
            items.append(replace(it, audio=clips[it.key]))
        evs = gather(posteriors(model, items), items, model.meta.log_priors)
        row = {"condition": name, "model": str(args.model.name), "clips": len(clips), "real_all": scoring_metrics(evs, cal),
               "real_eval": scoring_metrics([e for e in evs if e.item.group == "real_eval"], cal)}
        if args.peer:
            from multiprocessing import Pool

            from peer_pocketsphinx import score_item, utterance
            with Pool(2) as pool:
                res = pool.map(score_item, [(it.audio, it.words) for it in items], chunksize=8)
            scored = [(it, utterance(r[0])) for it, r in zip(items, res)]
            row["peer_pocketsphinx_auc"] = {
                group: round(auc([s for it, s in scored if it.correct and group in ("real_all", it.group)],
                                 [s for it, s in scored if not it.correct and group in ("real_all", it.group)]), 4)
                for group in ("real_all", "real_eval")}
        emit(row, args.out)


if __name__ == "__main__":
    main()
