"""Learner adaptation: after a learner's first attempts, can their voice stop counting against them while
their consistent mistakes are still told?

    .venv/bin/python research/learner_adaptation.py [--work work] [--first 50] [--replaced M ...] [--out research/results_learner_adaptation.jsonl]

Each held-out voice (never trained on) plays one learner. Its attempts are its takes in a random order: correct
words, words with one phone changed, and, for the accented voices, words with their accent's substitutions
(TH said as S or Z, the R of their language): the mistakes a learner makes every time. From the first `--first`
attempts, whatever they were, the learner's shift is estimated: the median of every phone's normalized GOP in
them, less the same median over training voices' correct words. The median is robust to a substitution, since
it touches one or two phones of a word. A learner who scores lower than the training voices gets the verdict
line moved down by that much (never up). The rest of the attempts are judged with and without it.

Reported per voice: false rejection of correct words, rejection of words with a phone changed, and how often
an accent substitution is still flagged (its phone below the line), before and after.

With --replaced M (session 21), also: the same shift lifts only the phones that no competitor out-scores by more
than M nats over their segment (a blurred phone, the voice), and leaves the phones heard as another (a habit).
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


def margins(model, items, evs) -> list[list[list[float]]]:
    """Per item, per word, per phone: the phone's segment mean log posterior less its best competitor's (what the
    evidence scored, re-aligned the same way): below -M the phone was heard as something else, not just unclearly."""
    from saywell.errors import SaywellError
    from saywell.engine.metadata import Calibration
    from saywell.engine.scoring import best_variants, rival_classes
    from saywell_train.evaluate import _shaped, item_variants

    classes = model.meta.phones
    index = {p: i for i, p in enumerate(classes)}
    sil = index["SIL"]
    post = posteriors(model, items)
    out = []
    for it, e in zip(items, evs):
        try:
            _, ev = best_variants(post[it.key], item_variants(it), index, sil, Calibration(slope=1.0, offset=0.0),
                                  model.meta.log_priors, rival_classes(index))
        except SaywellError:  # too short to align: gather scored it as a total failure
            out.append([[0.0] * len(w) for w in e.gops])
            continue
        lp = post[it.key]
        rows = []
        for w in ev:
            r = []
            for x in w:
                seg = lp[x.start:x.end].mean(axis=0).copy()
                seg[x.phone] = -np.inf
                seg[sil] = -np.inf
                r.append(float(x.gop - seg.max()))
            rows.append(r)
        out.append(_shaped(rows, it))
    return out


def adapted_evidence(evs, mg, shift: float, replaced: float):
    """The evidence with every phone not heard as something else (margin >= -replaced) raised by -shift: the
    learner's voice no longer counts against that phone; a phone heard as another keeps its GOP."""
    out = []
    for e, m in zip(evs, mg):
        gops = [[g - shift if (mm >= -replaced or not np.isfinite(g)) else g for g, mm in zip(w, mw)] for w, mw in zip(e.gops, m)]
        out.append(replace(e, gops=gops))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--first", type=int, default=50, help="attempts the shift is estimated from")
    ap.add_argument("--replaced", type=float, nargs="*", default=[],
                    help="also: shift only the phones not heard as another (margin over the best competitor above -M)")
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
        if args.replaced:
            rest_items = [e.item for e in rest]
            mg = margins(model, rest_items, rest)
            for m_ in args.replaced:
                ad = adapted_evidence(rest, mg, shift, m_)
                r2 = {"voice": spec.name, "model": args.model.name, "first_attempts": args.first, "shift_gop": round(shift, 3),
                      "rule": f"shift phones not heard as another (margin > -{m_})",
                      "false_rejection_before": row["false_rejection_before"],
                      "phone_changed_rejected_before": row["phone_changed_rejected_before"]}
                judged = [e for e in ad if not e.item.substituted]
                mm = scoring_metrics(judged, cal)
                r2["false_rejection_after"] = mm["false_rejection"]
                r2["phone_changed_rejected_after"] = round(1 - mm["false_acceptance"], 4)
                sub = [e for e in ad if e.item.substituted]
                if sub and row.get("substitution_flagged_before"):
                    r2["substitution_flagged_before"] = row["substitution_flagged_before"]
                    r2["substitution_flagged_after"] = accent_metrics(sub, cal)["substituted_phone_flagged"]
                    r2["substitution_still_flagged"] = round(r2["substitution_flagged_after"] / row["substitution_flagged_before"], 3)
                show(r2, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
