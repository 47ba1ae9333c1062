"""Does the network's last hidden layer hold what its 40 posteriors lose about a changed phone in an unseen voice?

    .venv/bin/python research/twin_head.py [--model models/saywell-en.float.tflite] [--work work] [--out F.jsonl]

The float network is run with its intermediate tensors kept. Each aligned phone gets its segment's mean hidden
vector (the 144 channels the output layer reads) beside its GOP. Judges, each fitted on the twins of flite rms
and festival ked (training-allowed voices the network never heard; tuning voices here, as in learned_judge.py),
then applied inside the same soft minimum, with the line set on the Asterisk calibration half:
- GOP alone (the float network's, for a like-for-like baseline);
- GOP + the hidden vector's distance to the expected phone's centroid and to the nearest other phone's centroid
  (centroids of the tuning voices' correct phones, in channels scaled to unit variance);
- GOP + the hidden vector less the expected phone's centroid (144 weights shared by every phone, L2-regularised):
  a direction that says "changed" rather than "another voice".
Reported on the six held-out MBROLA voices and the Asterisk evaluation half.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "research"))

from learned_judge import HELDOUT, TUNING, best_judge, line_from, report  # noqa: E402


@dataclass
class Take:
    group: str
    correct: bool
    target: int
    phones: list[str]
    gop: np.ndarray  # per phone
    hidden: np.ndarray  # (phones, channels): segment mean of the last hidden layer


class HiddenModel:
    """The float model, its last hidden layer kept for every frame it scores."""

    def __init__(self, path: Path):
        from ai_edge_litert.interpreter import Interpreter

        from saywell.engine.model import AcousticModel

        self.model = AcousticModel(path)
        self.meta, self.frontend = self.model.meta, self.model.frontend
        interp = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True)
        interp.allocate_tensors()
        self.model._interp = interp
        relus = [d for d in interp.get_tensor_details() if "relu/Relu" in d["name"] and "_dw_" not in d["name"]]
        self.hidden_index = relus[-1]["index"]  # the last block's output: what the head reads
        self._chunks: list[np.ndarray] = []
        run = self.model._run_chunk

        def run_and_keep(frames):
            y = run(frames)
            self._chunks.append(interp.get_tensor(self.hidden_index).reshape(len(y), -1).copy())
            return y

        self.model._run_chunk = run_and_keep

    def log_posteriors(self, features: np.ndarray) -> np.ndarray:
        self._chunks = []
        lp = self.model.log_posteriors(features)
        self.hidden = np.concatenate(self._chunks)[:len(lp)]
        return lp


def takes(hm: HiddenModel, items) -> list[Take]:
    from saywell.errors import SaywellError
    from saywell.engine.features import log_mel
    from saywell.engine.metadata import Calibration
    from saywell.engine.scoring import best_variants
    from saywell_train.evaluate import item_variants

    index = {p: i for i, p in enumerate(hm.meta.phones)}
    unit = Calibration(slope=1.0, offset=0.0)
    out = []
    for it in items:
        lp = hm.log_posteriors(log_mel(it.audio, hm.frontend))
        hidden = hm.hidden
        try:
            chosen, ev = best_variants(lp, item_variants(it), index, index["SIL"], unit, hm.meta.log_priors)
        except SaywellError:
            continue
        flat = [e for w in ev for e in w]
        lengths = [len(v.phones) for v in chosen]
        expected = [len(w) for w in it.words]  # a real clip's phrase is one list
        same = sum(lengths) == expected[0] if len(expected) == 1 else lengths == expected
        target = sum(expected[:it.changed[0]]) + it.changed[1] if it.changed is not None and same else -1
        out.append(Take(it.group, it.correct, target, [hm.meta.phones[e.phone] for e in flat],
                        np.array([e.gop for e in flat]),
                        np.stack([hidden[e.start:e.end].mean(axis=0) for e in flat])))
    return out


def collect(hm: HiddenModel, work: Path, cache: Path) -> dict[str, list[Take]]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from saywell_train.evaluate import heldout_items, real_items

    sets = {v: takes(hm, heldout_items(work / "synth" / f"{v}.npz")) for v in TUNING + HELDOUT}
    real = takes(hm, real_items(work / "real"))
    sets["real_calib"] = [t for t in real if t.group == "real_calib"]
    sets["real_eval"] = [t for t in real if t.group == "real_eval"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(sets))
    return sets


class Centroids:
    def __init__(self, ts: list[Take]):
        h = np.concatenate([t.hidden for t in ts if t.correct])
        ph = [p for t in ts if t.correct for p in t.phones]
        self.mu, self.sd = h.mean(axis=0), h.std(axis=0) + 1e-6
        z = (h - self.mu) / self.sd
        self.names = sorted(set(ph))
        self.c = np.stack([z[[k for k, p in enumerate(ph) if p == n]].mean(axis=0) for n in self.names])
        self.row = {n: i for i, n in enumerate(self.names)}

    def features(self, t: Take, kind: str) -> np.ndarray:
        z = (t.hidden - self.mu) / self.sd
        rows = [self.row.get(p, -1) for p in t.phones]
        own = np.stack([self.c[r] if r >= 0 else np.zeros(z.shape[1]) for r in rows])
        if kind == "offset":
            return np.column_stack([t.gop, z - own])
        d = np.sqrt(((z[:, None, :] - self.c[None]) ** 2).mean(axis=2))  # (phones, centroids)
        d_own = np.array([d[k, r] if r >= 0 else np.nan for k, r in enumerate(rows)])
        d_other = np.array([np.min(np.delete(d[k], r)) if r >= 0 else np.nan for k, r in enumerate(rows)])
        d_own = np.where(np.isnan(d_own), np.nanmean(d_own), d_own)
        d_other = np.where(np.isnan(d_other), np.nanmean(d_other), d_other)
        return np.column_stack([t.gop, d_own, d_other, d_own - d_other])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.float.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--cache", type=Path, default=ROOT / "work" / "judge" / "hidden.pkl")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    sets = collect(HiddenModel(args.model), args.work, args.cache)
    tuning = [t for v in TUNING for t in sets[v]]
    cents = Centroids(tuning)
    shown = [v for v in TUNING + HELDOUT] + ["real_eval"]

    def feats(t, kind):
        return t.gop[:, None] if kind == "gop" else cents.features(t, kind)

    rows = []
    calib = sets["real_calib"]
    for kind, c in (("gop", 1.0), ("distances", 1.0), ("offset", 0.01), ("offset", 0.1)):
        _, j = best_judge(lambda t, kind=kind: feats(t, kind), tuning, (0.5, 1.0, 2.0), c, max_iter=3000)
        line = line_from([j.utterance(t) for t in calib if t.correct], [j.utterance(t) for t in calib if not t.correct])
        row = {"judge": kind, "C": c, "temperature": j.temperature, "model": args.model.name,
               **report({v: sets[v] for v in shown}, j.utterance, line)}
        row["mean_heldout_auc"] = round(float(np.mean([row[v]["auc"] for v in HELDOUT])), 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
        if args.out:
            with args.out.open("a") as f:
                f.write(json.dumps(row) + "\n")
    print("\n" + "judge".ljust(16) + "".join(v[:10].rjust(11) for v in shown) + "  mean of six")
    for r in rows:
        print(f"{r['judge']} C={r['C']}".ljust(16) + "".join(f"{r[v]['auc']:.3f}".rjust(11) for v in shown)
              + f"  {r['mean_heldout_auc']:.3f}")


if __name__ == "__main__":
    main()
