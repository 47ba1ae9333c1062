"""Do eight more speakers (Debian's Czech, Italian and Finnish diphone voices saying English phones, only their
English-sounding consonants labelled) make the network judge unseen voices better? Short float fits.

    .venv/bin/python research/foreign_voices.py --work work8 --with work12/features/train.npz [--steps 3000] [--out F.jsonl]

`--work` gives the cached training features without the foreign voices (and the held-out and real sets);
`--with` the same stream with the foreign voices' features appended (train/voices/foreign_voice.py). Both get the
shipped recipe's float fit, seed and window augmentation, and are measured as the evaluate stage measures a model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--with", dest="with_foreign", type=Path, required=True)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-reference", action="store_true", help="only the fit with the foreign voices")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from short_fit import Measures, emit, short_float_fit, shipped_windows
    from saywell_train.features import CLASSES, load
    from saywell_train.model import ModelConfig

    mcfg = ModelConfig(n_classes=len(CLASSES))  # the shipped configuration
    measures = Measures(args.work)
    runs = [("with foreign voices", args.with_foreign)]
    if not args.skip_reference:
        runs.insert(0, ("reference (shipped data)", args.work / "features" / "train.npz"))
    for name, path in runs:
        train_fs = load(path)
        model, seconds = short_float_fit(train_fs, mcfg, args.steps, args.seed, **shipped_windows())
        emit({"variant": name, "features": str(path), "frames": int(len(train_fs.labels)), "ignored_frames": int((train_fs.labels < 0).sum()),
              "steps": args.steps, "seed": args.seed, "fit_seconds": round(seconds), **measures.of(model, mcfg)}, args.out)
        del train_fs
    return 0


if __name__ == "__main__":
    sys.exit(main())
