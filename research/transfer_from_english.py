"""Does a language's network judge better when it starts from the English network than from random weights?

    saywell-train --set lang=es --set float_steps=12000 --set prune_steps=2000 --set qat_steps=2000 \\
        --set init_from=models/saywell-en.float.tflite --set lr=0.001 --work work_es/run --out work_es/models_tr
    .venv/bin/python research/transfer_from_english.py models/saywell-es.json work_es/models_tr/saywell-es.json \\
        [--out research/results_transfer_from_english.jsonl]

English was trained on 55 voices, each other language on about ten (train/transfer.py says how the body is
carried over). Both models come from the same synthesized shards and features (the recipe's seeds) and the same
number of steps; this reads what each one's evaluate stage measured (int8, the shipped calibration fitted on
the real calibration half) and prints them per validation source, never pooled: the held-out MBROLA voices one
by one, the real speaker's evaluation half and both halves, the real set in noise, phone error rates. With --real DIR (the language's real dev set, e.g. work_es/run/real),
it also compares the models at equal false rejection on the real speaker, per half: each model's line moved to
reject the same share of correct items, the share of one-phone-away items it then accepts (the .tflite beside
each JSON is scored).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

METRICS = ("auc", "false_rejection", "false_acceptance", "changed_phone_flagged")


def rows(meta_path: Path) -> dict:
    meta = json.loads(meta_path.read_text())
    ev = meta["evaluation"]["int8"]
    per_voice = ev.get("heldout_scoring_per_voice") or {meta["training"]["heldout_voices"][0]: ev["heldout_scoring"]}
    out = {f"held-out {v}": {k: m[k] for k in METRICS} for v, m in per_voice.items()}
    out["real, evaluation half"] = {k: ev["real_eval_scoring"][k] for k in METRICS}
    out["real, both halves"] = {k: ev["real_all_scoring"][k] for k in METRICS}
    for room, m in ev.get("real_all_scoring_in_noise", {}).items():
        out[f"real, {room}"] = {k: m[k] for k in METRICS}
    out["phone error rate"] = {"held out": ev["heldout_phone_error_rate"], "real": ev.get("real_phone_error_rate")}
    recipe = meta["training"]["recipe"]
    return {"model": str(meta_path), "language": meta.get("language", "en"), "init_from": recipe.get("init_from", ""),
            "lr": recipe.get("lr"), "float_steps": recipe["float_steps"], "sources": out}


def equal_false_rejection(meta_path: Path, real_dir: Path, shares=(0.05, 0.10, 0.15)) -> dict:
    """Per half of the real set: at each share of correct items rejected, the share of mismatches accepted."""
    import numpy as np

    from saywell.engine.model import AcousticModel
    from saywell_train.evaluate import gather, is_calibration_clip, posteriors, real_items, utterance_score

    model = AcousticModel(meta_path.with_suffix(".tflite"))
    cal, items = model.meta.calibration, real_items(real_dir)
    scores = {e.item.key + "|" + " ".join(e.item.text): (e.item, utterance_score(e, cal))
              for e in gather(posteriors(model, items), items, model.meta.log_priors, classes=model.meta.phones)}
    out = {}
    for half, keep in (("calibration half", True), ("evaluation half", False), ("both halves", None)):
        chosen = [(it, s) for it, s in scores.values() if keep is None or is_calibration_clip(it.key) == keep]
        pos = np.sort([s for it, s in chosen if it.correct])
        neg = np.array([s for it, s in chosen if not it.correct])
        out[half] = {f"{share:.2f}": round(float(np.mean(neg >= pos[int(share * len(pos))])), 3) for share in shares}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("metadata", type=Path, nargs="+", help="model JSONs to compare (the first is the reference)")
    ap.add_argument("--out", type=Path, help="append one JSON row per model")
    ap.add_argument("--real", type=Path, help="the language's real dev set: compare at equal false rejection too")
    args = ap.parse_args()
    runs = [rows(p) for p in args.metadata]
    if args.real:
        for r, p in zip(runs, args.metadata):
            r["mismatches_accepted_at_false_rejection"] = equal_false_rejection(p, args.real)
            print(f"{p}: one-phone-away items accepted at 5 / 10 / 15 % false rejection: "
                  + "; ".join(f"{h} {' / '.join(str(v) for v in m.values())}" for h, m in r["mismatches_accepted_at_false_rejection"].items()))
    names = list(runs[0]["sources"])
    print(f"{'source':42s}" + "".join(f"{Path(r['model']).parent.name + ' ' + (r['init_from'] and 'from en' or 'random'):>30s}" for r in runs))
    for n in names:
        cells = []
        for r in runs:
            m = r["sources"].get(n, {})
            if "auc" in m:
                cells.append(f"AUC {m['auc']:.3f} FR {100 * m['false_rejection']:4.1f} % fl {100 * (m['changed_phone_flagged'] or 0):3.0f} %")
            else:
                cells.append(" / ".join(f"{v}" for v in m.values()))
        print(f"{n:42s}" + "".join(f"{c:>30s}" for c in cells))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            for r in runs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
