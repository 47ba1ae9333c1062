"""Which per-phone measure and which word aggregation separate right from wrong best (ROC AUC).

    .venv/bin/python research/scoring_variants.py [--model models/saywell-en.tflite] [--work work]

Needs the held-out synthetic shards and the real dev set in --work (run benchmarks/accuracy.py once).
Posteriors are computed once; every variant is scored on the same alignments (the first table: on the
item's listed phones). The shipped scorer is the row marked '*' (mean log posterior, soft-min, weak vowels
and dictionary alternates accepted, no per-phone offsets).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from saywell.engine.align import force_align
    from saywell.errors import SaywellError
    from short_fit import model_and_work
    from saywell_train.evaluate import auc, heldout_items, posteriors, real_items
    from saywell_train.features import CLASS_INDEX

    model, work, _ = model_and_work(argparse.ArgumentParser(description=__doc__))
    held = [v for v in model.meta.raw["training"]["heldout_voices"]]
    items = [it for v in held for it in heldout_items(work / "synth" / f"{v}.npz")]
    real = real_items(work / "real")
    post = posteriors(model, items + real)
    sil, lpri = CLASS_INDEX["SIL"], model.meta.log_priors

    def measures(it) -> dict[str, np.ndarray] | None:
        lp = post[it.key]
        try:
            toks = force_align(lp - lpri, [[CLASS_INDEX[p] for p in w] for w in it.words], sil)
        except SaywellError:
            return None
        rows = []
        for t in toks:
            if t.is_silence:
                continue
            seg = lp[t.start:t.end]
            mean = seg.mean(0)
            others = mean.copy()
            others[[t.label, sil]] = -np.inf
            frame_others = seg.copy()
            frame_others[:, [t.label, sil]] = -np.inf
            rows.append((mean[t.label], mean[t.label] - others.max(), np.mean(seg[:, t.label] - frame_others.max(1))))
        a = np.array(rows)
        return {"log posterior": a[:, 0], "margin (segment)": a[:, 1], "margin (frames)": a[:, 2]}

    aggregations = {
        "min": np.min, "mean": np.mean,
        "soft-min": lambda v: -np.log(np.mean(np.exp(-v))),
        "0.5 mean + 0.5 min": lambda v: 0.5 * np.mean(v) + 0.5 * np.min(v),
    }
    sets = {"held-out synthetic": items, "real (all)": real, "real (eval half)": [r for r in real if r.group == "real_eval"]}
    cache = {name: [(it, measures(it)) for it in lst] for name, lst in sets.items()}
    print(f"{'measure':18s} {'aggregation':20s} " + " ".join(f"{n:>19s}" for n in sets))
    for measure in ("log posterior", "margin (segment)", "margin (frames)"):
        for agg_name, agg in aggregations.items():
            aucs = []
            for name, rows in cache.items():
                score = [(it.correct, -1e9 if m is None else float(agg(m[measure]))) for it, m in rows]
                aucs.append(auc([s for c, s in score if c], [s for c, s in score if not c]))
            print(f" {measure:17s} {agg_name:20s} " + " ".join(f"{a:19.4f}" for a in aucs))

    # Which pronunciations count as right (log posterior, soft-min): the listed phones only, or also weak
    # (unstressed) IH/AH as either vowel, or also the dictionary's alternates, as the device's scorer does.
    from dataclasses import replace

    from saywell.engine.metadata import Calibration
    from saywell.engine.scoring import best_variants, soft_min
    from saywell_train.evaluate import item_variants
    index = {p: i for i, p in enumerate(model.meta.phones)}
    unit = Calibration(slope=1.0, offset=0.0)
    modes = {"listed phones only": (False, False), "+ weak IH/AH": (True, False), "+ dictionary alternates": (False, True),
             "+ both (shipped)": (True, True)}
    print(f"\n{'accepted':39s} " + " ".join(f"{n:>19s}" for n in sets))
    for mode, (weak, alternates) in modes.items():
        aucs = []
        for name, lst in sets.items():
            score = []
            for it in lst:
                opts = item_variants(it)
                opts = [(o if alternates else o[:1]) for o in opts]
                opts = [tuple(v if weak else replace(v, weak=(False,) * len(v.phones)) for v in o) for o in opts]
                try:
                    _, ev = best_variants(post[it.key], opts, index, sil, unit, lpri)
                    score.append((it.correct, soft_min([e.gop for w in ev for e in w])))
                except SaywellError:
                    score.append((it.correct, -1e9))
            aucs.append(auc([s for c, s in score if c], [s for c, s in score if not c]))
        mark = "*" if weak and alternates else " "
        print(f"{mark}{mode:38s} " + " ".join(f"{a:19.4f}" for a in aucs))

    # Per-phone offsets (Calibration.per_phone_offset): each phone's mean GOP on correct clips of the real
    # calibration half, shrunk toward the global mean by k pseudo-counts, subtracted before the soft-min.
    # "real (all)" then includes the clips the offsets were fitted on: read the evaluation half.
    from saywell_train.evaluate import gather, utterance_gop
    evidence = {name: gather(post, lst, lpri) for name, lst in sets.items()}
    calib = [e for e in gather(post, [r for r in real if r.group == "real_calib"], lpri) if e.item.correct]
    pooled: dict[str, list[float]] = {}
    for e in calib:
        for w, phones in zip(e.gops, e.phones):
            for g, p in zip(w, phones):
                if np.isfinite(g):
                    pooled.setdefault(p, []).append(g)
    mean = float(np.mean([g for v in pooled.values() for g in v]))
    print(f"\n{'per-phone offsets (real calibration half)':39s} " + " ".join(f"{n:>19s}" for n in sets))
    for k in (None, 5, 20, 50):
        offsets = {} if k is None else {p: (len(v) * np.mean(v) + k * mean) / (len(v) + k) for p, v in pooled.items()}
        cal = Calibration(slope=1.0, offset=mean, per_phone_offset=offsets)
        aucs = [auc([utterance_gop(e, cal) for e in evs if e.item.correct], [utterance_gop(e, cal) for e in evs if not e.item.correct])
                for evs in evidence.values()]
        label = "none (shipped)" if k is None else f"shrunk by {k} pseudo-counts"
        print(f"{'*' if k is None else ' '}{label:38s} " + " ".join(f"{a:19.4f}" for a in aucs))


if __name__ == "__main__":
    main()
