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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def emit(row: dict, out: Path | None) -> None:
    """One JSON line per condition: printed, and appended to --out."""
    print(json.dumps(row), flush=True)
    if out:
        with out.open("a") as f:
            f.write(json.dumps(row) + "\n")


def main() -> None:
    from saywell.engine.model import AcousticModel
    from saywell_train.evaluate import auc, gather, heldout_items, posteriors, real_items, scoring_metrics
    from saywell_train.rooms import CONDITIONS, babble_sources, degraded_items

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="append one JSON line per condition here")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--peer", action="store_true", help="also score every condition with the pocketsphinx peer (AUC)")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    args = ap.parse_args()
    model, work = AcousticModel(args.model), args.work
    real = real_items(work / "real")
    babble_src = babble_sources([heldout_items(work / "synth" / f"{v}.npz") for v in model.meta.raw["training"]["heldout_voices"]])
    cal = model.meta.calibration
    for name in CONDITIONS:
        if args.only and not any(o in name for o in args.only):
            continue
        items = degraded_items(real, name, babble_src)
        evs = gather(posteriors(model, items), items, model.meta.log_priors)
        row = {"condition": name, "model": str(args.model.name), "clips": len({it.key for it in items}),
               "real_all": scoring_metrics(evs, cal), "real_eval": scoring_metrics([e for e in evs if e.item.group == "real_eval"], cal)}
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
