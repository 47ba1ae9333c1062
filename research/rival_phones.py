"""A phone heard as a learner's classic substitute: the rule train/substitute_rule.py chooses, measured.

    .venv/bin/python research/rival_phones.py [--model models/saywell-en.tflite] [--work work] [--out F.jsonl]
    .venv/bin/python research/rival_phones.py --model models/saywell-es.tflite --work work_es/run --anglo work_es/anglo

train/substitute_rule.py chooses the phones and the margin on its tuning sets (four training voices saying
common words right and with each classic substitute; the Asterisk calibration half). This script runs that
choice and scores every set three ways: without the rule, with the chosen phones, and with every phone at the
chosen margin. The reported sets (Asterisk evaluation half, the Hedgewars packs when work/hedgewars holds
them, the held-out voices) choose nothing. Then the demo's clips, as `saywell demo` judges them.

(Earlier forms of this rule, measured and dropped: lowering the GOP by the gap's excess over M, session 12,
results_learner_rivals.jsonl; rejecting outright at one tau for every phone, session 16,
results_substitute_gap.jsonl. Their scripts are in git history before session 17.)
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def report_sets(work: Path, code: str = "en") -> dict[str, list]:
    """Name -> items of the validation sets that exist under `work` (never used to choose)."""
    from saywell_train import synthesize as syn
    from saywell_train.evaluate import is_calibration_clip, real_items, shard_items

    sets = {"Asterisk evaluation half": [i for i in real_items(work / "real") if not is_calibration_clip(i.key)]}
    if code != "en":
        from saywell_train.synthesize_lang import HELDOUT
        for v in HELDOUT[code]:
            if (path := work / "synth" / f"{v.name}.npz").exists():
                sets[v.name] = shard_items(path)[0]
        return sets
    if (work / "hedgewars" / "dev.jsonl").exists():  # benchmarks/accuracy.py builds it (hedgewars-data)
        sets["Hedgewars all packs"] = real_items(work / "hedgewars")
    for v in syn.HELDOUT_VOICES:
        path = work / "synth" / f"{v.name}.npz"
        if path.exists():
            sets[v.name] = shard_items(path)[0]
    return sets


def demo_rows(model, cal, manifest: str = "manifest.tsv") -> dict:
    """The demo's clips, judged as `saywell demo` does, with this calibration."""
    from saywell.apps.cli import read_manifest
    from saywell.audio.wav import load_wav
    from saywell.engine.scoring import Scorer

    shipped = model.meta
    model.meta = replace(shipped, calibration=cal)
    scorer = Scorer(model)
    out = {}
    for row in read_manifest(ROOT / "audio_samples" / manifest):
        r = scorer.score(load_wav(row.audio), row.text, row.phones)
        w, p = r.weakest() or (None, None)
        flag = f" {p.phone}->{p.heard}" if r.verdict != "correct" and p else ""
        out[f"{Path(row.audio).stem}:{row.text}"] = f"{r.verdict[:4]} {r.score:.0f}{flag}"
    model.meta = shipped
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--anglo", type=Path, help="folder of mbrola_*_reads_LANG.npz (train/anglo_reader.py): reported")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from saywell.engine.language import language
    from saywell.engine.model import AcousticModel
    from saywell_train import substitute_rule as rule_
    from saywell_train.evaluate import (accent_items, accent_metrics, gather, is_calibration_clip, posteriors, real_items,
                                        scoring_metrics, utterance_score)

    model = AcousticModel(args.model)
    lang = language(model.meta.language)
    off = replace(model.meta.calibration, rival_margin=None, rival_phones=())
    subs = rule_.substitutes(lang.code)
    tuning = {f"tune: {k}": v for k, v in rule_.substitution_sets(args.work, lang.code).items()}
    tuning[f"tune: {rule_.REAL_CALIBRATION}"] = [i for i in real_items(args.work / "real") if is_calibration_clip(i.key)]
    sets = {**tuning, **{f"report: {k}": v for k, v in report_sets(args.work, lang.code).items()}}
    anglo = {f"report: {p.stem}": accent_items(p) for p in sorted(args.anglo.glob("mbrola_*_reads_*.npz"))} if args.anglo else {}
    post = posteriors(model, [i for items in list(sets.values()) + list(anglo.values()) for i in items])
    ev_of = lambda items: gather(post, items, model.meta.log_priors, classes=model.meta.phones)  # noqa: E731
    evs = {name: ev_of(items) for name, items in sets.items()}
    choice = rule_.choose({k[len("tune: "):]: evs[k] for k in tuning}, off, lang.code)
    rows = [{"step": "choose", "margin": choice.margin, "phones": list(choice.phones), "per_margin": choice.per_margin}]
    for r in choice.per_margin:
        print(json.dumps({k: v for k, v in r.items() if k != "per_phone"}), flush=True)
    print(f"chosen: margin {choice.margin}, phones {' '.join(choice.phones)}", flush=True)
    rule = replace(off, rival_margin=choice.margin, rival_phones=choice.phones)
    every = replace(off, rival_margin=choice.margin)
    for name, ev in evs.items():
        row = {"source": name, "margin": choice.margin, "phones": list(choice.phones)}
        for label, c in (("without", off), ("chosen phones", rule), ("every phone", every)):
            met = scoring_metrics(ev, c)
            accepted = [utterance_score(e, c) >= c.word_threshold for e in ev if rule_.substituted_phone(e, subs)]
            met["substitutions_accepted"] = round(float(np.mean(accepted)), 4) if accepted else None
            row[label] = met
        print(json.dumps(row), flush=True)
        rows.append(row)
    for name, items in anglo.items():
        aev = ev_of(items)
        row = {"source": name, **{label: accent_metrics(aev, c) for label, c in
                                  (("without", off), ("chosen phones", rule), ("every phone", every))}}
        print(json.dumps(row), flush=True)
        rows.append(row)
    manifest = "manifest.tsv" if lang.code == "en" else f"manifest_{lang.code}.tsv"
    for label, c in (("without", off), ("chosen phones", rule)):
        rows.append({"source": f"demo ({label})", **demo_rows(model, c, manifest)})
        print(json.dumps(rows[-1]), flush=True)
    if args.out:
        with open(args.out, "a") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
