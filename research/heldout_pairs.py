"""Where the held-out synthetic AUC is lost: canonical takes paired with their one-phone-changed twins.

    .venv/bin/python research/heldout_pairs.py [--model models/saywell-en.tflite] [--work work] [--shards F.npz ...]

Per pair (same voice, same words): is the twin scored below its canonical take (the shipped scorer's utterance
GOP)? For the pairs ranked wrong: the changed phone's GOP in both takes, and whether the synthesizer changed the
sound at all (mean log-mel distance between the two takes over the changed phone's own segment, against the same
distance over its neighbour, which was not changed). Also the AUC an oracle would get from the changed phone's GOP
alone (knowing which phone changed): the network's own limit, before aggregation over the word.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def segment_mean(utt, position: int, fe) -> np.ndarray | None:
    """Mean log-mel frame over the synthesizer's own segment of the position-th phone (silence skipped)."""
    from saywell.engine.features import log_mel

    segs = [s for s in utt.segments if s.phone != "SIL"]
    if not 0 <= position < len(segs):
        return None
    f = log_mel(utt.audio, fe)
    a, b = int(segs[position].start_s * 100), int(segs[position].end_s * 100)
    return f[a:b].mean(axis=0) if 0 <= a < b <= len(f) else None


def pair_rows(model, shards: list[Path]) -> list[tuple]:
    """Per canonical/twin pair of every shard: see shard_pairs."""
    from saywell_train.evaluate import gather, heldout_items, posteriors

    rows = []
    for shard in shards:
        items = heldout_items(shard)
        rows += shard_pairs(shard, gather(posteriors(model, items), items, model.meta.log_priors))
    return rows


def shard_pairs(shard: Path, evs: list) -> list[tuple]:
    """Per canonical/twin pair of one shard, from its items' evidence (train/evaluate.gather, in item order):
    (ranked right, changed GOP twin, changed GOP canonical, expected, said, sound changed)."""
    from saywell.engine.features import FrontendConfig
    from saywell.engine.metadata import Calibration
    from saywell_train.evaluate import utterance_gop
    from saywell_train.synthesize import load_shard

    unit, fe = Calibration(slope=1.0, offset=0.0), FrontendConfig()
    rows = []
    _, utts, jobs = load_shard(shard)
    canonical = {tuple(j["words"]): k for k, j in enumerate(jobs) if j["mis_word"] is None}
    for k, j in enumerate(jobs):
        if j["mis_word"] is None or tuple(j["words"]) not in canonical:
            continue
        c = canonical[tuple(j["words"])]
        twin, canon = evs[k], evs[c]
        right = utterance_gop(twin, unit) < utterance_gop(canon, unit)
        at, at_c = twin.at(twin.item.changed), canon.at(twin.item.changed)
        if at is None or at_c is None:
            continue
        changed = None
        if j["mis_said"] != "-":
            pos = sum(len(p) for p in j["canonical"][:j["mis_word"]]) + j["mis_index"]
            nb = pos - 1 if pos > 0 else pos + 1
            x = [segment_mean(u, p, fe) for u in (utts[c], utts[k]) for p in (pos, nb)]
            if all(v is not None for v in x):
                changed = bool(np.sqrt(np.mean((x[0] - x[2]) ** 2)) > np.sqrt(np.mean((x[1] - x[3]) ** 2)))
        rows.append((right, twin.gops[at[0]][at[1]], canon.gops[at_c[0]][at_c[1]], j["canonical"][j["mis_word"]][j["mis_index"]],
                     j["mis_said"], changed))
    return rows


def summary(rows: list[tuple]) -> dict:
    from saywell_train.evaluate import auc

    right = np.array([r[0] for r in rows])
    return {"pairs": len(rows), "twin_below_canonical": round(float(right.mean()), 4),
            "oracle_changed_phone_auc": round(auc([r[2] for r in rows], [r[1] for r in rows]), 4)}


def main() -> None:
    from short_fit import model_and_work

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shards", nargs="*", type=Path,
                    help="other shards of canonical/twin pairs (research/seen_voice_ceiling.py's); default: the held-out voices")
    model, work, args = model_and_work(ap)
    shards = args.shards or [work / "synth" / f"{v}.npz" for v in model.meta.raw["training"]["heldout_voices"]]
    rows = pair_rows(model, shards)
    right = np.array([r[0] for r in rows])
    stats = summary(rows)
    print(f"pairs: {stats['pairs']}; twin scored below its canonical take: {right.mean():.1%}")
    print(f"oracle AUC from the changed phone's GOP alone: {stats['oracle_changed_phone_auc']:.4f}")
    for label, sel in (("ranked wrong", ~right), ("ranked right", right)):
        g = np.array([(r[1], r[2]) for r, s in zip(rows, sel) if s])
        print(f"{label}: {sel.sum()} pairs; changed phone's mean GOP twin {g[:, 0].mean():.2f} vs canonical {g[:, 1].mean():.2f}; "
              f"twin's GOP the higher in {np.mean(g[:, 0] >= g[:, 1]):.0%}")
    wrong_subs = [r for r in rows if not r[0] and r[5] is not None]
    print(f"ranked wrong, substitutions whose sound changed less than its unchanged neighbour: "
          f"{sum(not r[5] for r in wrong_subs)} of {len(wrong_subs)} (ranked right: "
          f"{sum(not r[5] for r in rows if r[0] and r[5] is not None)} of {sum(1 for r in rows if r[0] and r[5] is not None)})")
    lost, total = Counter(), Counter()
    for r in rows:
        total[(r[3], r[4])] += 1
        lost[(r[3], r[4])] += not r[0]
    print("most often ranked wrong (expected -> said: wrong / pairs): " +
          ", ".join(f"{a}->{b} {lost[(a, b)]}/{total[(a, b)]}" for (a, b), _ in lost.most_common(10)))


if __name__ == "__main__":
    main()
