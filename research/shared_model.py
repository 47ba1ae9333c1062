"""One network for Spanish and French, or one per language? Each language's figures side by side, from the
evaluation the trainer wrote into each model's metadata (the same held-out voices, the same Asterisk halves, the
same calibration procedure), and what each deployment weighs.

    saywell-train --set lang=es+fr --set float_steps=16000 --set prune_steps=2000 --set qat_steps=2000 --work W --out M
    .venv/bin/python research/shared_model.py M/saywell-es+fr [--out research/results_shared_model.jsonl]

The per-language models compared are the shipped ones (models/saywell-LANG.json) unless --single DIR names others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "research"))

from results import save, show  # noqa: E402

MEASURES = ("auc", "false_rejection", "false_acceptance", "changed_phone_flagged")


def figures(meta: dict) -> dict[str, dict]:
    """Source -> the int8 model's scoring figures (held-out voices one by one, the real speaker's halves, noise)."""
    ev = meta["evaluation"]["int8"]
    per_voice = ev.get("heldout_scoring_per_voice") or {", ".join(meta["training"]["heldout_voices"]): ev["heldout_scoring"]}
    out = {f"held-out {v}": s for v, s in per_voice.items()}
    for key, label in (("real_eval_scoring", "Asterisk evaluation half"), ("real_all_scoring", "Asterisk all")):
        if key in ev:
            out[label] = ev[key]
    for room, s in ev.get("real_all_scoring_in_noise", {}).items():
        out[f"Asterisk all, {room}"] = s
    out["phone error rate, held-out"] = {"per": ev["heldout_phone_error_rate"]}
    if "real_phone_error_rate" in ev:
        out["phone error rate, Asterisk"] = {"per": ev["real_phone_error_rate"]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shared", type=Path, help="the shared model's path without suffix (its views are SHARED.LANG.json)")
    ap.add_argument("--single", type=Path, default=ROOT / "models", help="folder of the per-language models")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    whole = json.loads(args.shared.with_suffix(".json").read_text())
    codes = whole["training"]["recipe"]["lang"].split("+")
    rows: list[dict] = []
    single_bytes = 0
    for code in codes:
        single = json.loads((args.single / f"saywell-{code}.json").read_text())
        view = json.loads(args.shared.with_name(f"{args.shared.name}.{code}.json").read_text())
        single_bytes += single["files"]["int8_bytes"]
        a, b = figures(single), figures(view)
        for source in a:
            if source in b:
                show({"lang": code, "source": source,
                      "per_language": {k: a[source][k] for k in (*MEASURES, "per") if k in a[source]},
                      "shared": {k: b[source][k] for k in (*MEASURES, "per") if k in b[source]}}, rows)
    show({"deployment": "int8 bytes", "per_language_models": single_bytes, "shared_model": whole["files"]["int8_bytes"],
          "languages": codes, "shared_classes": len(whole["phones"]),
          "shared_fit": whole["training"]["fit_summary"], "shared_command": whole["training"]["command"]}, rows)
    save(rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
