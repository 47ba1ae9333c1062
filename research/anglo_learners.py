"""How a Spanish or French model judges an English speaker's Spanish or French: held-out MBROLA us3 and en1
reading the language's words with English phones (train/anglo_reader.py). Per voice and per error category: how often the mistaken phone is
flagged (scored under the phone line), how often the word is rejected, and how often only faithfully said
phones are flagged (the learner would be told about the wrong sound).

    python -m saywell_train.anglo_reader es work_es/anglo      # the takes (a minute)
    .venv/bin/python research/anglo_learners.py models/saywell-es.tflite work_es/anglo [--out research/results_anglo_learners.jsonl]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from saywell.engine.model import AcousticModel
from saywell_train.evaluate import accent_items, gather, phone_scores, posteriors, utterance_score


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path)
    ap.add_argument("takes", type=Path, help="folder of mbrola_*_reads_LANG.npz shards")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = AcousticModel(args.model)
    cal = model.meta.calibration
    rows = []
    for shard in sorted(args.takes.glob("mbrola_*_reads_*.npz")):
        items = accent_items(shard)
        evs = gather(posteriors(model, items), items, model.meta.log_priors, classes=model.meta.phones)
        seen, flagged = Counter(), Counter()
        rejected = wrong_only = 0
        for e in evs:
            scores = phone_scores(e, cal)
            low = {(wi, pi) for wi, w in enumerate(scores) for pi, x in enumerate(w) if x < cal.phone_threshold}
            rejected += utterance_score(e, cal) < cal.word_threshold
            wrong_only += bool(low) and not (low & set(e.item.substituted))
            for pos, said in zip(e.item.substituted, e.item.substituted_as):
                cat = said.split(":")[0]
                seen[cat] += 1
                flagged[cat] += pos in low
        row = {"model": str(args.model), "voice": shard.stem, "takes": len(evs),
               "word_rejected": round(rejected / len(evs), 4),
               "only_faithful_phones_flagged": round(wrong_only / len(evs), 4),
               "mistaken_phone_flagged": round(sum(flagged.values()) / max(1, sum(seen.values())), 4),
               "per_category": {c: {"n": seen[c], "flagged": round(flagged[c] / seen[c], 4)} for c in sorted(seen)}}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
