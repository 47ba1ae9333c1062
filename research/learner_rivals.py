"""A learner's classic substitute that out-scores the phone asked for: should it count against the phone?

    .venv/bin/python research/learner_rivals.py [--model models/saywell-en.tflite] [--work work] [--per-voice 400]

The shipped scorer judges a phone by its own posterior against a per-phone line. When the model hears a classic
learner substitute (phones.LEARNER_SUBSTITUTIONS: V said as B, TH as S ...) as clearly more probable than the
phone asked for, the phone may still pass that line: the demo's "very" said as "berry" passes at 86 (V's mean
log posterior -2.36, B's -0.28). Calibration.rival_margin M lowers the phone's GOP by the excess of that gap
over M. Each M is measured with the shipped calibration:

- tuning sets (M is chosen here): training voices' takes and twins; the Asterisk calibration half;
- reported only: the held-out voices (DATA.md), per voice, with their accent substitutions; the Asterisk
  evaluation half; the demo's clips.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import save, show  # noqa: E402

TUNING_VOICES = ("flite_awb", "mbrola_us1", "mbrola_de1_en", "espeak_m3")
MARGINS = (None, 3.0, 2.0, 1.5, 1.0, 0.5)


def demo_rows(scorer, margin) -> dict:
    """The demo's clips, judged as `saywell demo` does, with this margin."""
    from saywell.audio.wav import load_wav

    scorer.meta = replace(scorer.meta, calibration=replace(scorer.meta.calibration, rival_margin=margin))
    out = {}
    for line in (ROOT / "audio_samples" / "manifest.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        audio, text, phones, note = (line.split("\t") + ["", "", ""])[:4]
        r = scorer.score(load_wav(ROOT / "audio_samples" / audio), text, phones or None)
        w, p = r.weakest() or (None, None)
        flag = f" {p.phone}->{p.heard}" if r.verdict != "correct" and p else ""
        out[f"{audio[:-4]}:{text}"] = f"{r.verdict[:4]} {r.score:.0f}{flag}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--per-voice", type=int, default=400, help="items per tuning voice (takes and twins)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    from saywell.engine.model import AcousticModel
    from saywell.engine.scoring import Scorer
    from saywell_train import synthesize as syn
    from saywell_train.evaluate import (accent_metrics, gather, is_calibration_clip, posteriors, real_items,
                                        scoring_metrics, shard_items)

    model = AcousticModel(args.model)
    cal, lpri = model.meta.calibration, model.meta.log_priors
    rng = random.Random(0)
    sets: dict[str, tuple[list, list]] = {}  # name -> (pairs, accent-error takes)
    for v in TUNING_VOICES:
        pairs, _ = shard_items(args.work / "synth" / f"{v}.npz")
        sets[f"tune: {v}"] = (rng.sample(pairs, min(args.per_voice, len(pairs))), [])
    real = real_items(args.work / "real")
    sets["tune: Asterisk calibration half"] = ([i for i in real if is_calibration_clip(i.key)], [])
    sets["report: Asterisk evaluation half"] = ([i for i in real if not is_calibration_clip(i.key)], [])
    for v in syn.HELDOUT_VOICES:
        sets[f"report: {v.name}"] = shard_items(args.work / "synth" / f"{v.name}.npz")
    post = {}
    for pairs, accents in sets.values():
        post.update(posteriors(model, [i for i in pairs + accents if i.key not in post]))
    scorer = Scorer(model)
    rows = []
    for m in MARGINS:
        row = {"rival_margin": m, "model": args.model.name}
        for name, (pairs, accents) in sets.items():
            got = scoring_metrics(gather(post, pairs, lpri, rival_margin=m), cal)
            row[name] = {k: got[k] for k in ("auc", "false_rejection", "false_acceptance", "changed_phone_flagged")}
            if accents:
                row[name].update(accent_metrics(gather(post, accents, lpri, rival_margin=m), cal))
        row["demo"] = demo_rows(scorer, m)
        show(row, rows)
    save(rows, args.out)


if __name__ == "__main__":
    main()
