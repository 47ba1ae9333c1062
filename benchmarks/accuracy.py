"""Accuracy per validation source, for a model and (with --peer) the pocketsphinx GOP peer side by side.

    .venv/bin/python benchmarks/accuracy.py [--model models/saywell-en.tflite] [--work work] [--peer] [--out F.jsonl]
                                            [--only hedgewars] [--only asterisk] [--only held-out] ...

Every source is reported on its own, never pooled alone:
- held-out synthetic voices (flite rms, festival ked) and held-out MBROLA voices (us3, en1, and the accented
  de5, fr4, sw2, pl1 reading English): canonical takes vs one-phone-changed twins; for the accented voices only
  takes said faithfully throughout count as correct, and their takes with accent substitutions are scored as
  the learner errors they are (substituted phone flagged, a faithful phone flagged instead);
- Hedgewars voice packs (real actors, several accents; work/hedgewars, `python -m saywell_train.hedgewars`): what
  the actor says as Whisper tiny.en hears it (2 of 3 readings agree, confidently; not the file name, which is the
  game event), vs the same clips scored against a text one phone away, all packs and per pack. Transcripts are
  cached in work/hedgewars/whisper.tsv; the first build needs `pip install '.[check]'`;
- the Asterisk prompts (one real speaker): all clips, the evaluation half, and in the fixed noisy rooms.
Metrics: AUC, false rejection and acceptance at the shipped threshold (the peer: its own threshold, the
Youden point on the two classic held-out synthetic voices, as benchmarks/peer_pocketsphinx.py fits it),
changed phone flagged (of rejected twins, the weakest phone is the changed one) and heard right.
Missing sets are made with the training recipe's seeds (synthesis, Asterisk); validation only, never trained on.
--only NAME keeps the sources whose name starts with NAME (repeatable); the peer still scores the two classic
held-out voices, which fit its threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

CLASSIC = ("flite_rms", "festival_ked")
MBROLA = ("mbrola_us3", "mbrola_en1", "mbrola_de5_en", "mbrola_fr4_en", "mbrola_sw2_en", "mbrola_pl1_en")
ROOMS = ("babble 10 dB", "classroom: room 0.4 s + babble 10 dB", "pink 10 dB", "room 0.3 s")


def sources(work: Path, recipe: dict, only: tuple[str, ...] = (), peer: bool = False) -> tuple[dict[str, list], dict[str, list]]:
    """name -> evaluation items; and name -> accent-error items (accented MBROLA voices). With `only`, the sources
    whose name starts with one of its prefixes (and the classic held-out voices when the peer needs them)."""
    from saywell_train import synthesize as syn
    from saywell_train.evaluate import real_items, shard_items
    from saywell_train.realspeech import build_dev_set, write_manifests
    from saywell_train.rooms import babble_sources, degraded_items

    def wanted(*names: str) -> bool:
        return not only or any(n.startswith(o) for n in names for o in only)

    out: dict[str, list] = {}
    accents: dict[str, list] = {}
    if wanted("held-out", "accent errors", "asterisk all, ") or peer:
        # The peer's threshold and the rooms' babble need only the classic voices.
        names = CLASSIC + MBROLA if wanted("held-out", "accent errors") else CLASSIC
        specs = [v for v in syn.HELDOUT_VOICES if v.name in names]
        syn.run(work / "synth", recipe["train_words"], recipe["train_phrases"], recipe["heldout_words"],
                recipe["vocab"], tuple(specs))
        for v in specs:
            out[f"held-out {v.name}"], acc = shard_items(work / "synth" / f"{v.name}.npz")
            if acc:
                accents[f"accent errors {v.name}"] = acc
    if wanted("hedgewars"):
        hw = work / "hedgewars"
        try:  # rebuilt every run: cheap once whisper.tsv is cached, and a file-name era dev.jsonl is never read
            from saywell_train.hedgewars import build_dev_set as build_hw
            write_manifests(build_hw(hw), hw)
        except Exception as e:  # noqa: BLE001 - a missing package is reported, the other sources still run
            print(f"hedgewars: not scored ({e}); it needs hedgewars-data and, for the first build, "
                  "pip install '.[check]'", file=sys.stderr)
        else:
            items = real_items(hw)
            out["hedgewars all packs"] = items
            for pack in sorted({Path(it.key).parent.name for it in items}):
                out[f"hedgewars {pack}"] = [it for it in items if Path(it.key).parent.name == pack]
    if wanted("asterisk"):
        real_dir = work / "real"
        if not (real_dir / "dev.jsonl").exists():
            write_manifests(build_dev_set(real_dir), real_dir)
        real = real_items(real_dir)
        out["asterisk all"] = real
        out["asterisk eval half"] = [it for it in real if it.group == "real_eval"]
        if wanted("asterisk all, "):
            babble = babble_sources([out[f"held-out {v}"] for v in CLASSIC])
            for room in ROOMS:
                out[f"asterisk all, {room}"] = degraded_items(real, room, babble)
    return out, accents


def saywell_rows(model_path: Path, srcs: dict, accents: dict) -> dict[str, dict]:
    from saywell.engine.model import AcousticModel
    from saywell_train.evaluate import accent_metrics, gather, phone_error_rate, posteriors, scoring_metrics

    model = AcousticModel(model_path)
    cal = model.meta.calibration
    rows = {}
    for name, items in {**srcs, **accents}.items():
        post = posteriors(model, items)
        evs = gather(post, items, model.meta.log_priors)
        if name in accents:
            rows[name] = accent_metrics(evs, cal)
        else:
            rows[name] = scoring_metrics(evs, cal)
            if name.startswith("held-out"):
                rows[name]["phone_error_rate"] = round(phone_error_rate(post, items), 4)
    return rows


def peer_rows(srcs: dict, workers: int) -> dict[str, dict]:
    from multiprocessing import Pool

    from peer_pocketsphinx import metrics, score_item, utterance, youden_threshold

    # A clip scored against one text is scored once, even when it is in several sources. The key is the clip and
    # the expected phones: a real clip's correct and mismatch items share their audio (keyed by the clip alone, the
    # mismatch item got the correct item's scores, and every real set came out at AUC 0.5 exactly).
    def key(it) -> tuple:
        return it.key, tuple(map(tuple, it.words))

    uniq = {key(it): it for items in srcs.values() for it in items}
    with Pool(workers) as pool:
        res = dict(zip(uniq, pool.map(score_item, [(it.audio, it.words) for it in uniq.values()], chunksize=8)))
    fit = [it for v in CLASSIC for it in srcs[f"held-out {v}"]]
    pos = np.array([utterance(res[key(it)][0]) for it in fit if it.correct])
    neg = np.array([utterance(res[key(it)][0]) for it in fit if not it.correct])
    thr = youden_threshold(pos, neg)
    return {name: metrics(items, [res[key(it)] for it in items], thr) for name, items in srcs.items()}


def main() -> None:
    from saywell.engine.metadata import ModelMetadata

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite", help="int8 model with its .json")
    ap.add_argument("--work", type=Path, default=ROOT / "work", help="where the validation sets are made (gitignored)")
    ap.add_argument("--peer", action="store_true", help="also score every source with the pocketsphinx GOP peer (slow)")
    ap.add_argument("--workers", type=int, default=2, help="processes for the peer")
    ap.add_argument("--out", type=Path, help="append one JSON line per source here")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="only the sources whose name starts with NAME (hedgewars, asterisk, held-out ...); repeatable")
    args = ap.parse_args()
    recipe = ModelMetadata.load(args.model.with_suffix(".json")).raw["training"]["recipe"]
    srcs, accents = sources(args.work, recipe, tuple(args.only), args.peer)
    peer = peer_rows(srcs, args.workers) if args.peer else {}

    def shown(name: str) -> bool:
        return not args.only or any(name.startswith(o) for o in args.only)

    srcs = {k: v for k, v in srcs.items() if shown(k)}
    accents = {k: v for k, v in accents.items() if shown(k)}
    ours = saywell_rows(args.model, srcs, accents)
    cols = ("auc", "false_rejection", "false_acceptance", "changed_phone_flagged", "heard_right")
    print(f"{'source':48s} {'n ok/bad':>10s}  " + "  ".join(f"{c[:13]:>13s}" for c in cols) + ("   peer AUC / FRR / flagged" if peer else ""))
    for name, r in ours.items():
        if name in accents:
            print(f"{name:48s} {r['n_takes']:>10d}  rejected {r['rejected']}, substituted phone flagged "
                  f"{r['substituted_phone_flagged']}, faithful phone flagged instead {r['faithful_phone_flagged_instead']}")
        else:
            p = peer.get(name)
            extra = f"   {p['auc']} / {p['false_rejection']} / {p['changed_phone_flagged']}" if p else ""
            print(f"{name:48s} {r['n_correct']:>4d}/{r['n_mispronounced']:<5d}  " +
                  "  ".join(f"{str(r.get(c)):>13s}" for c in cols) + extra)
        if args.out:
            with args.out.open("a") as f:
                f.write(json.dumps({"model": str(args.model), "source": name, "saywell": r, "peer": peer.get(name)}) + "\n")


if __name__ == "__main__":
    main()
