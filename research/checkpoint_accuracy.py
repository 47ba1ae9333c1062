"""Held-out and real-speech AUCs and phone error rates of float training checkpoints (Keras weights), before
pruning, QAT and export: a teacher, or a float phase to compare with another.

    .venv/bin/python research/checkpoint_accuracy.py --work work FIT_DIR/float.weights.h5 [...] [--out F.jsonl]

Each weights file is read with the model_config.json beside it (train/fit.py writes both) and measured as
the evaluate stage measures a model (research/short_fit.py Measures).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from short_fit import Measures, emit
    from saywell_train.model import ModelConfig, build

    ap = argparse.ArgumentParser()
    ap.add_argument("weights", type=Path, nargs="+")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--out", type=Path, help="append one JSON line per checkpoint here")
    args = ap.parse_args()
    measures = Measures(args.work)
    for w in args.weights:
        mcfg = ModelConfig.from_dict(json.loads((w.parent / "model_config.json").read_text()))
        model = build(mcfg, None, batch_size=1)
        model.load_weights(str(w))
        emit({"weights": str(w), "channels": mcfg.channels, "parameters": int(model.count_params()), **measures.of(model, mcfg)}, args.out)


if __name__ == "__main__":
    main()
