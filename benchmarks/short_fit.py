"""What the ranking benchmarks share: a short float fit on the cached training features, and one JSON row per
result (printed, and appended to --out). A short fit ranks candidates; it does not give final figures."""

from __future__ import annotations

import json
import time
from pathlib import Path


def short_float_fit(train_fs, mcfg, steps: int, seed: int = 0, lr: float = 2e-3, **sampler_options):
    """(model, fit seconds): `steps` float steps from `seed` (initialisation and window sampling), batches of 32
    windows of 200 frames, as train/fit.py's float phase samples them; sampler_options go to WindowSampler."""
    import tf_keras as keras

    from device.features import FrontendConfig
    from train.fit import WindowSampler, _compile, _steps_dataset
    from train.model import build

    keras.utils.set_random_seed(seed)
    sampler = WindowSampler(train_fs, mcfg, 200, FrontendConfig().pad_value, seed, **sampler_options)
    model = build(mcfg, sampler.in_frames)
    _compile(model, lr, steps)
    t0 = time.time()
    model.fit(_steps_dataset(sampler, 32), steps_per_epoch=100, epochs=max(1, steps // 100), verbose=0)
    return model, time.time() - t0


def emit(row: dict, out: Path | None) -> None:
    print(json.dumps(row), flush=True)
    if out:
        with out.open("a") as f:
            f.write(json.dumps(row) + "\n")
