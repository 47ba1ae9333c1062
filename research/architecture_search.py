"""Architecture and size search under the device budget, on the training features already built.

    .venv/bin/python research/architecture_search.py --work work [--steps 2500] [--only NAME ...]

Every candidate gets the same float fit (same steps, data, seed) and is then post-training quantized to
int8, which is what decides its size and speed (QAT does not change either). Printed per candidate:
parameters, receptive field and look-ahead, int8 bytes (budget 250 KB), model ms per second of audio on
one thread with ai-edge-litert (budget 1 ms), and frame accuracy on the held-out voices. A short fit
ranks candidates; it does not give their final accuracy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell_train.model import ModelConfig  # noqa: E402

BASE = ModelConfig(channels=128, blocks=8, block_kernel=5, block_lookahead=(2, 2, 2, 2, 1, 1, 1, 1))  # the first shipped model
CANDIDATES: dict[str, ModelConfig] = {
    "base 128ch x 8 blocks, k5": BASE,
    "deeper 112ch x 10 blocks, k5": replace(BASE, channels=112, blocks=10, block_lookahead=(2, 2, 2, 1, 1, 1, 1, 1, 1, 0)),
    "wider 144ch x 6 blocks, k7": replace(BASE, channels=144, blocks=6, block_kernel=7, block_lookahead=(2, 2, 2, 2, 2, 2)),
    "thin 96ch x 12 blocks, k5": replace(BASE, channels=96, blocks=12, block_lookahead=(2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
    "base, long context k9": replace(BASE, block_kernel=9, block_lookahead=(3, 3, 2, 2, 1, 1, 0, 0)),
}


def model_ms_per_second(path: Path, out_frames: int) -> float:
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(str(path), num_threads=1)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    x = np.zeros(inp["shape"], inp["dtype"])
    for _ in range(5):
        it.set_tensor(inp["index"], x)
        it.invoke()
    n, t0 = 200, time.perf_counter()
    for _ in range(n):
        it.set_tensor(inp["index"], x)
        it.invoke()
    per_chunk = (time.perf_counter() - t0) / n
    return per_chunk * 1000 / (out_frames / 100.0)  # ms per second of audio (100 frames/s)


def main() -> None:
    from saywell.engine.features import FrontendConfig
    from short_fit import emit, short_float_fit
    from saywell_train.export import _convert
    from saywell_train.features import load
    from saywell_train.fit import WindowSampler
    from saywell_train.model import build

    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--out", type=Path, help="append one JSON line per candidate here")
    args = ap.parse_args()
    train_fs, val_fs = load(args.work / "features" / "train.npz"), load(args.work / "features" / "heldout.npz")
    chunk = 50
    for name, cfg in CANDIDATES.items():
        if args.only and not any(o in name for o in args.only):
            continue
        model, fit_s = short_float_fit(train_fs, cfg, args.steps)
        vx, vy = WindowSampler(val_fs, cfg, 200, FrontendConfig().pad_value, 1, augment=False).sample(256)
        acc = float(model.evaluate(vx, vy, verbose=0)[1])
        in_frames = chunk + cfg.receptive_field - 1
        fm = build(cfg, in_frames, batch_size=1)
        fm.set_weights(model.get_weights())
        rng = np.random.default_rng(0)
        starts = rng.integers(0, len(train_fs.labels) - in_frames, 200)
        rep = np.stack([train_fs.features[s:s + in_frames].astype(np.float32) for s in starts])
        with tempfile.TemporaryDirectory() as td:
            path = Path(td) / "m.tflite"
            path.write_bytes(_convert(fm, rep))
            size = path.stat().st_size
            ms = model_ms_per_second(path, chunk)
        emit({"candidate": name, "config": cfg.to_dict(), "params": int(model.count_params()),
              "receptive_field": cfg.receptive_field, "lookahead_frames": cfg.lookahead, "int8_bytes": size,
              "model_ms_per_audio_s": round(ms, 3), "steps": args.steps, "fit_seconds": round(fit_s),
              "heldout_frame_accuracy": round(acc, 4), "within_budget": size <= 250 * 1024 and ms <= 1.0}, args.out)


if __name__ == "__main__":
    main()
