"""Learner adaptation: after a learner's first attempts, can their voice stop counting against them while
their consistent mistakes are still told?

    .venv/bin/python research/learner_adaptation.py [--work work] [--first 50] [--out research/results_learner_adaptation.jsonl]

Each held-out voice (never trained on) plays one learner. Its attempts are its takes in a random order: correct
words, words with one phone changed, and, for the accented voices, words with their accent's substitutions
(TH said as S or Z, the R of their language): the mistakes a learner makes every time. From the first `--first`
attempts, whatever they were, the learner's shift is estimated: the median of every phone's normalized GOP in
them, less the same median over training voices' correct words. The median is robust to a substitution, since
it touches one or two phones of a word. A learner who scores lower than the training voices gets the verdict
line moved down by that much (never up). The rest of the attempts are judged with and without it.

Reported per voice: false rejection of correct words, rejection of words with a phone changed, and how often
an accent substitution is still flagged (its phone below the line), before and after.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.engine.model import AcousticModel  # noqa: E402
from results import save, show  # noqa: E402
from saywell.engine.scoring import normalized  # noqa: E402
from saywell_train.evaluate import accent_metrics, gather, posteriors, scoring_metrics, shard_items  # noqa: E402
from saywell_train.synthesize import HELDOUT_VOICES  # noqa: E402

REFERENCE_VOICES = ("flite_awb", "mbrola_us1", "festival_kal", "piper_joe")


def phone_median(evs, cal) -> float:
    values = [normalized(g, p, cal) for e in evs for w, ph in zip(e.gops, e.phones) for g, p in zip(w, ph)
              if np.isfinite(g)]
    return float(np.median(values))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--first", type=int, default=50, help="attempts the shift is estimated from")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = AcousticModel(args.model)
    cal, priors = model.meta.calibration, model.meta.log_priors
    reference = []
    for v in REFERENCE_VOICES:
        path = args.work / "synth" / f"{v}.npz"
        if path.exists():
            items = [it for it in shard_items(path)[0] if it.correct][:150]
            reference += gather(posteriors(model, items), items, priors)
    ref = phone_median(reference, cal)
    rows = []
    for spec in HELDOUT_VOICES:
        path = args.work / "synth" / f"{spec.name}.npz"
        if not path.exists():
            continue
        pairs, accents = shard_items(path)
        items = pairs + accents
        evs = gather(posteriors(model, items), items, priors)
        order = np.random.default_rng(0).permutation(len(evs))
        first, rest = [evs[k] for k in order[:args.first]], [evs[k] for k in order[args.first:]]
        shift = min(0.0, phone_median(first, cal) - ref)
        adapted = replace(cal, offset=cal.offset + shift)
        row = {"voice": spec.name, "model": args.model.name, "first_attempts": args.first, "shift_gop": round(shift, 3)}
        for name, c in (("before", cal), ("after", adapted)):
            judged = [e for e in rest if not e.item.substituted]
            m = scoring_metrics(judged, c)
            row[f"false_rejection_{name}"] = m["false_rejection"]
            row[f"phone_changed_rejected_{name}"] = round(1 - m["false_acceptance"], 4)
            sub = [e for e in rest if e.item.substituted]
            if sub:
                row[f"substitution_flagged_{name}"] = accent_metrics(sub, c)["substituted_phone_flagged"]
        if "substitution_flagged_before" in row and row["substitution_flagged_before"]:
            row["substitution_still_flagged"] = round(row["substitution_flagged_after"] / row["substitution_flagged_before"], 3)
        show(row, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
