"""How far apart are a phone and its classic substitute in correct speech and in the substitution itself?

    .venv/bin/python research/substitute_gap.py [--model models/saywell-en.tflite] [--work work] [--out F.jsonl]

For every phone of a language's learner_substitutions (English: V said as B, TH as S ...), the gap is the
substitute's mean log posterior over the phone's aligned segment minus the phone's own (the segment the device
aligns, with its dictionary variants). A gap above tau means the model hears the substitute at least e^tau
times as clearly as the phone asked for. Counted per source:

- correct items: how many would be rejected by "a classic substitute heard more clearly than the phone by tau"
  that the word line does not already reject (the false rejection this rule would add);
- items with the substitution itself (real mismatch items and synthetic twins whose changed phone is a classic
  substitute): how many the word line accepts and this rule would catch.

Sources: the Asterisk halves (real speaker; calibration half for choosing tau, evaluation half reported), the
held-out voices (reported), and four training voices (tuning). Shards and the real set come from a training
run's --work directory, as benchmarks/accuracy.py builds them; the tuning voices' small word shards may be in
--work/tune_synth instead (synthesize.run with share 0.1, mis_rate 0.5, no phrases).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

from learner_rivals import TUNING_VOICES  # the same four training voices tune both rules

ROOT = Path(__file__).resolve().parent.parent
TAUS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)


def gaps(evs_plain, evs_rival) -> list[list[tuple[str, float]]]:
    """Per item, (phone, gap) for each phone that has a classic substitute; gap 0 when the substitute is not ahead."""
    out = []
    for a, b in zip(evs_plain, evs_rival):
        row = []
        if a.phones != b.phones:  # the penalty chose another dictionary variant: compare nothing
            out.append(row)
            continue
        for wp, wa, wb in zip(a.phones, a.gops, b.gops):
            for p, ga, gb in zip(wp, wa, wb):
                if np.isfinite(ga):
                    row.append((p, float(ga - gb)))
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--per-voice", type=int, default=400)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from saywell.engine.model import AcousticModel
    from saywell.engine.phones import LEARNER_SUBSTITUTIONS
    from saywell_train import synthesize as syn
    from saywell_train.evaluate import gather, is_calibration_clip, posteriors, real_items, shard_items, utterance_score

    model = AcousticModel(args.model)
    cal, lpri = model.meta.calibration, model.meta.log_priors
    subs = defaultdict(set)
    for p, s in LEARNER_SUBSTITUTIONS:
        subs[p].add(s)
    rng = random.Random(0)
    sets = {}
    for v in TUNING_VOICES:
        path = next((d / f"{v}.npz" for d in (args.work / "tune_synth", args.work / "synth") if (d / f"{v}.npz").exists()), None)
        if path:
            pairs, _ = shard_items(path)
            sets[f"tune: {v}"] = rng.sample(pairs, min(args.per_voice, len(pairs)))
    real = real_items(args.work / "real")
    sets["tune: Asterisk calibration half"] = [i for i in real if is_calibration_clip(i.key)]
    sets["report: Asterisk evaluation half"] = [i for i in real if not is_calibration_clip(i.key)]
    for v in syn.HELDOUT_VOICES:
        path = args.work / "synth" / f"{v.name}.npz"
        if path.exists():
            sets[f"report: {v.name}"] = shard_items(path)[0]
    rows = []
    for name, items in sets.items():
        post = posteriors(model, items)
        plain = gather(post, items, lpri, classes=model.meta.phones)
        rival = gather(post, items, lpri, rival_margin=0.0, classes=model.meta.phones)
        g = gaps(plain, rival)
        line = np.array([utterance_score(e, cal) for e in plain]) >= cal.word_threshold
        correct = np.array([e.item.correct for e in plain])
        # substitution items: the changed phone's said form is a classic substitute of the phone asked for
        is_sub = np.array([(not e.item.correct) and e.item.changed is not None and e.at(e.item.changed) is not None
                           and e.item.said in subs.get(e.phones[e.item.changed[0]][e.item.changed[1]], ())
                           for e in plain])
        row = {"source": name, "n_correct": int(correct.sum()), "n_substituted": int(is_sub.sum()),
               "false_rejection": round(float(np.mean(~line[correct])), 4) if correct.any() else None,
               "substitutions_accepted": round(float(np.mean(line[is_sub])), 4) if is_sub.any() else None}
        max_gap = np.array([max((x for _, x in r), default=0.0) for r in g])
        for tau in TAUS:
            hit = max_gap > tau
            row[f"tau {tau}"] = {
                "added_false_rejection": round(float(np.mean(line[correct] & hit[correct])), 4) if correct.any() else None,
                "substitutions_caught_of_accepted": (round(float(np.mean(hit[is_sub & line])), 4)
                                                     if (is_sub & line).any() else None),
                "all_mispronounced_caught_of_accepted": (round(float(np.mean(hit[~correct & line])), 4)
                                                         if (~correct & line).any() else None),
            }
        # which phones fire on correct speech at tau 2
        fires = defaultdict(int)
        for r, c in zip(g, correct):
            if c:
                for p, x in r:
                    if x > 2.0:
                        fires[p] += 1
        row["correct_phones_over_2"] = dict(sorted(fires.items(), key=lambda kv: -kv[1]))
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.out:
        with open(args.out, "a") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
