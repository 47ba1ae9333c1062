"""Reproduces the shipped model's accuracy figures from a clean checkout (train extra installed).

    .venv/bin/python benchmarks/accuracy.py [--model models/saywell-en.tflite] [--work work]

Regenerates the held-out synthetic voices and the real-speech dev set if missing (same recipe and
seeds as training), then scores them with the int8 and float32 models using the calibration stored
in the model's metadata, and prints the figures beside those recorded in the metadata.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from saywell.engine.metadata import ModelMetadata
    from saywell_train import synthesize as syn
    from saywell_train.evaluate import evaluate_models
    from saywell_train.realspeech import build_dev_set, write_manifests

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    args = ap.parse_args()
    meta = ModelMetadata.load(args.model.with_suffix(".json"))
    recipe = meta.raw["training"]["recipe"]
    heldout = [v for v in syn.HELDOUT_VOICES if v.name in meta.raw["training"]["heldout_voices"]]
    syn.run(args.work / "synth", recipe["train_words"], recipe["train_phrases"], recipe["heldout_words"], recipe["vocab"], tuple(heldout))
    real_dir = args.work / "real"
    if recipe["real_speech"] and not (real_dir / "dev.jsonl").exists():
        write_manifests(build_dev_set(real_dir), real_dir)
    _, results = evaluate_models(args.model, args.model.with_name(args.model.stem + ".float.tflite"),
                                 [args.work / "synth" / f"{v.name}.npz" for v in heldout],
                                 real_dir if recipe["real_speech"] else None, calibration=meta.calibration, log=lambda m: None)
    recorded = meta.raw.get("evaluation", {})
    for kind in ("int8", "float32"):
        print(f"== {kind}")
        for key, value in results[kind].items():
            print(f"  {key}: {json.dumps(value)}")
            if recorded.get(kind, {}).get(key) not in (None, value):
                print(f"    (metadata says {json.dumps(recorded[kind][key])})")


if __name__ == "__main__":
    main()
