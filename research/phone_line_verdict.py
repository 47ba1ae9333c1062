"""Should a word be judged wrong when one of its sounds is scored under a line, whatever the word's score?

The verdict is the word's soft-minimum of its phones against the word line, so one phone may score under the
phone line (and be named as "the sound to work on") while the word still counts as correct: the Italian demo's
English-r "rosso" (r 32, word 58). The compound rule judges a word wrong when its score is under the word line OR
any phone's score is under L. Measured per source at the shipped lines (false rejection and acceptance), and
against the soft minimum alone at the same false rejection (the word line moved until it rejects as many correct
items): the compound rule is only worth it where it then accepts fewer mistakes.

    .venv/bin/python research/phone_line_verdict.py models/saywell-it.tflite work_it/run [--anglo work_it/anglo] [--out research/results_phone_line_verdict.jsonl]

WORK is the training run's --work folder (its synth/ held-out shards and real/ dev set); --anglo adds held-out
us3 and en1 reading the language the English way (train/anglo_reader.py): mistakes only, so only how many are
rejected.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "research"))

from results import save, show  # noqa: E402

LINES = (None, 10.0, 20.0, 30.0, 40.0, 50.0)


def main() -> int:
    from saywell.engine.model import AcousticModel
    from saywell_train.evaluate import (accent_items, gather, heldout_items, phone_scores, posteriors, real_items,
                                        utterance_score)

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path)
    ap.add_argument("work", type=Path)
    ap.add_argument("--anglo", type=Path, help="folder of mbrola_*_reads_LANG.npz shards")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    model = AcousticModel(args.model)
    meta = json.loads(args.model.with_suffix(".json").read_text())
    cal = model.meta.calibration
    sources: dict[str, list] = {}
    for voice in meta["training"]["heldout_voices"]:
        sources[f"held-out {voice}"] = heldout_items(args.work / "synth" / f"{voice}.npz")
    if (args.work / "real" / "dev.jsonl").exists():
        real = real_items(args.work / "real")
        sources["real, calibration half"] = [it for it in real if it.group == "real_calib"]
        sources["real, evaluation half"] = [it for it in real if it.group == "real_eval"]
    for shard in sorted(args.anglo.glob("mbrola_*_reads_*.npz")) if args.anglo else ():
        sources[shard.stem] = accent_items(shard)
    rows: list[dict] = []
    for source, items in sources.items():
        evs = gather(posteriors(model, items), items, model.meta.log_priors, classes=model.meta.phones)
        word = np.array([utterance_score(e, cal) for e in evs])
        worst = np.array([min((x for w in phone_scores(e, cal) for x in w), default=0.0) for e in evs])
        ok = np.array([e.item.correct for e in evs])
        for line in LINES:
            rejected = (word < cal.word_threshold) | ((worst < line) if line is not None else False)
            if not ok.any():  # an English speaker's takes: every one has a mistaken sound
                show({"model": args.model.name, "source": source, "phone_line": line, "n_mispronounced": int(len(ok)),
                      "rejected": round(float(np.mean(rejected)), 4)}, rows)
                continue
            frr, far = float(np.mean(rejected[ok])), float(np.mean(~rejected[~ok]))
            # the soft minimum alone at the same false rejection: its line at that quantile of the correct items
            same = np.quantile(word[ok], frr) if frr > 0 else -np.inf
            far_same = float(np.mean(word[~ok] >= same)) if frr > 0 else float(np.mean(word[~ok] >= 0))
            show({"model": args.model.name, "source": source, "phone_line": line, "n_correct": int(ok.sum()),
                  "n_mispronounced": int((~ok).sum()), "false_rejection": round(frr, 4), "false_acceptance": round(far, 4),
                  "soft_min_alone_false_acceptance_at_that_rejection": round(far_same, 4)}, rows)
    save(rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
