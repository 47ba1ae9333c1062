"""The held-out test's ceiling: the same canonical/twin AUC protocol on the TRAINING voices, saying words they
never said in training.

    .venv/bin/python research/seen_voice_ceiling.py [--model models/saywell-en.tflite] [--work work]
        [--voices NAME ...] [--words 400] [--out F.jsonl]

Needs the training shards in --work/synth (to know which words each voice said). For each voice, --words fresh
words (common CMUdict words that voice never said in training; a fixed seed per voice) are synthesized once into
--work/seen/<voice>.npz, each with a one-phone-changed twin, exactly as the held-out voices' sets are made. Then
both sets are scored as the evaluate stage scores the held-out voices: AUC, phone error rate, and the pair
analysis of research/heldout_pairs.py. If a training voice on new words scores about what is asked of unseen
voices, the held-out gap is the speaker, not the words, the twins or the scorer.

piper's canonical takes are said from the dictionary's phones (its own espeak phonemization differs from
CMUdict in many words, which would count as mispronounced); the other engines read the words themselves, as
for the held-out voices.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "research"))

DEFAULT_VOICES = ("flite_awb", "flite_slt", "flite_kal16", "festival_kal", "festival_slt_hts", "piper_joe")


def fresh_shard(work: Path, name: str, n_words: int) -> Path:
    from saywell_train import synthesize as syn
    from saywell_train.vocab import common_words

    path = work / "seen" / f"{name}.npz"
    if path.exists():
        return path
    spec = {s.name: s for s in syn.TRAIN_VOICES}[name]
    z = np.load(work / "synth" / f"{name}.npz")
    said = {w for it in json.loads(str(z["meta"]))["items"] for w in it["job"]["words"]}
    fresh = [w for w in common_words(12000) if w not in said]
    jobs = syn.make_jobs(fresh, n_words, 0, 1.0, seed=7000 + spec.seed, pitch_hz=spec.pitch_hz)
    if spec.engine == "piper":
        for j in jobs:
            j.phones = j.phones or list(j.canonical)
    path.parent.mkdir(parents=True, exist_ok=True)
    syn.synthesize_voice(spec, jobs, path)
    return path


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> None:
    from heldout_pairs import shard_pairs, summary
    from short_fit import emit, model_and_work

    from saywell_train.evaluate import (
        gather,
        heldout_items,
        phone_error_rate,
        posteriors,
        scoring_metrics,
    )

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--voices", nargs="*", default=list(DEFAULT_VOICES))
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--out", type=Path, help="append one JSON line per voice here")
    model, work, args = model_and_work(ap)
    heldout = [(v, work / "synth" / f"{v}.npz", "held-out") for v in model.meta.raw["training"]["heldout_voices"]]
    seen = [(v, fresh_shard(work, v, args.words), "training voice, new words") for v in args.voices]
    for voice, shard, split in heldout + seen:
        items = heldout_items(shard)
        post = posteriors(model, items)
        evs = gather(post, items, model.meta.log_priors)
        m = scoring_metrics(evs, model.meta.calibration)
        emit({"voice": voice, "split": split, "model": _shown(args.model), "auc": m["auc"],
              "changed_phone_flagged": m["changed_phone_flagged"], "heard_right": m["heard_right"],
              "phone_error_rate": round(phone_error_rate(post, items), 4), **summary(shard_pairs(shard, evs))}, args.out)


if __name__ == "__main__":
    main()
