"""Does a judge learned from voices the network never heard separate right from changed phones better than the
mean log posterior alone?

    .venv/bin/python research/learned_judge.py [--model models/saywell-en.tflite] [--work work] [--out F.jsonl]

Each aligned phone gets a handful of measures from the same posteriors the device already has (its GOP, its
margin over the best competitor, its classic substitute's lead, its length, how often it wins a frame, its worst
frames, the utterance's other phones). A logistic judge over them is fitted on the twins of flite rms and festival
ked: voices DATA.md allows for training that the shipped network never heard, so their posteriors look like an
unseen speaker's. The judge's phone log-odds replace the GOP inside the same soft minimum; the verdict line is set
on the Asterisk calibration half as the evaluate stage sets it. Reported on the six held-out MBROLA voices, the
Asterisk evaluation half and all clips, and the noisy rooms, against the shipped scorer on the same items.
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

TUNING = ("flite_rms", "festival_ked")
HELDOUT = ("mbrola_us3", "mbrola_en1", "mbrola_de5_en", "mbrola_fr4_en", "mbrola_sw2_en", "mbrola_pl1_en")
ROOMS = ("babble 10 dB", "pink 10 dB", "room 0.3 s", "classroom: room 0.4 s + babble 10 dB")


@dataclass
class Take:
    group: str
    correct: bool
    target: int  # flat index of the changed phone in a twin, -1 otherwise (or unknown)
    phones: list[str]
    x: np.ndarray  # (phones, measures)
    shipped: float  # the shipped scorer's utterance score (0-100)


MEASURES = ("gop", "margin", "rival_gap", "has_rival", "log_frames", "win_share", "p10_frame", "others_median_gop",
            "gop_minus_others", "mean_entropy", "tolerant_gop")
SHORT, SHIFT = 3, 1  # tolerant_gop: a phone of at most SHORT frames measured at its best placement within +-SHIFT


def measures(logpost: np.ndarray, ev, silence: int) -> np.ndarray:
    """One row per aligned phone (the word structure flattened)."""
    flat = [e for w in ev for e in w]
    gops = np.array([e.gop for e in flat])
    rows = []
    for k, e in enumerate(flat):
        seg = logpost[e.start:e.end]
        own = seg[:, e.phone]
        comp = seg.mean(axis=0).copy()
        comp[e.phone] = -np.inf
        comp[silence] = -np.inf
        others = np.delete(gops, k)
        med = float(np.median(others)) if len(others) else e.gop
        p = np.exp(seg)
        tolerant = e.gop
        if e.end - e.start <= SHORT:
            for s in range(-SHIFT, SHIFT + 1):
                if e.start + s >= 0 and e.end + s <= len(logpost):
                    tolerant = max(tolerant, float(logpost[e.start + s:e.end + s, e.phone].mean()))
        rows.append([e.gop, e.gop - float(comp.max()), max(e.rival_gap, -10.0), float(np.isfinite(e.rival_gap)),
                     np.log(max(e.end - e.start, 1)), float(np.mean(seg.argmax(axis=1) == e.phone)),
                     float(np.percentile(own, 10)), med, e.gop - med, float(-(p * seg).sum(axis=1).mean()), tolerant])
    return np.array(rows, dtype=np.float64)


def takes(model, items, cal) -> list[Take]:
    from saywell.errors import SaywellError
    from saywell.engine.metadata import Calibration
    from saywell.engine.scoring import best_variants, rival_classes
    from saywell_train.evaluate import ItemEvidence, _shaped, item_variants, posteriors, utterance_score

    classes = model.meta.phones
    index = {p: i for i, p in enumerate(classes)}
    sil = index["SIL"]
    rivals = rival_classes(index)
    unit = Calibration(slope=1.0, offset=0.0)
    post = posteriors(model, items)
    out = []
    for it in items:
        try:
            chosen, ev = best_variants(post[it.key], item_variants(it), index, sil, unit, model.meta.log_priors, rivals)
        except SaywellError:
            continue
        phones = [p for v in chosen for p in v.phones]
        e = ItemEvidence(it, _shaped([[x.gop for x in w] for w in ev], it), [], _shaped([list(v.phones) for v in chosen], it),
                         _shaped([[x.rival_gap for x in w] for w in ev], it))
        target = -1
        at = e.at(it.changed)
        if at is not None:
            target = sum(len(w) for w in e.phones[:at[0]]) + at[1]
        out.append(Take(it.group, it.correct, target, phones, measures(post[it.key], ev, sil), utterance_score(e, cal)))
    return out


def collect(model, work: Path, cache: Path) -> dict[str, list[Take]]:
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from saywell_train.evaluate import heldout_items, real_items
    from saywell_train.rooms import babble_sources, degraded_items

    cal = model.meta.calibration
    sets: dict[str, list[Take]] = {}
    per_voice = {v: heldout_items(work / "synth" / f"{v}.npz") for v in TUNING + HELDOUT}
    for v, items in per_voice.items():
        sets[v] = takes(model, items, cal)
        print(v, len(sets[v]), flush=True)
    real = real_items(work / "real")
    rt = takes(model, real, cal)
    sets["real_calib"] = [t for t in rt if t.group == "real_calib"]
    sets["real_eval"] = [t for t in rt if t.group == "real_eval"]
    babble = babble_sources([per_voice[v] for v in TUNING])
    for name in ROOMS:
        sets[name] = takes(model, degraded_items(real, name, babble), cal)
        print(name, len(sets[name]), flush=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(sets))
    return sets


class Ensemble:
    """Several models' posteriors averaged frame by frame (probabilities, renormalised): the first one's metadata."""

    def __init__(self, models):
        self.models, self.meta, self.frontend = models, models[0].meta, models[0].frontend

    def log_posteriors(self, features: np.ndarray) -> np.ndarray:
        ps = [np.exp(m.log_posteriors(features).astype(np.float64)) for m in self.models]
        n = min(len(p) for p in ps)
        p = sum(q[:n] for q in ps) / len(ps)
        return np.log(np.maximum(p / p.sum(axis=1, keepdims=True), 1e-12)).astype(np.float32)


def phone_rows(ts: list, features) -> tuple[np.ndarray, np.ndarray]:
    """Correct takes' phones (1) and twins' changed phones (0): `features(take)` gives one row per phone."""
    xs, ys = [], []
    for t in ts:
        x = features(t)
        if t.correct:
            xs.append(x)
            ys += [1] * len(x)
        elif t.target >= 0:
            xs.append(x[t.target:t.target + 1])
            ys.append(0)
    return np.concatenate(xs), np.array(ys)


def soft_min(v: np.ndarray, temperature: float) -> float:
    g = v / temperature
    m = g.min()
    return float(temperature * (m - np.log(np.mean(np.exp(m - g)))))


def auc(pos, neg) -> float:
    from saywell_train.evaluate import auc as a

    return round(a(np.array(pos), np.array(neg)), 4)


class Judge:
    """Logistic phone log-odds over `features(take)` (standardised), inside the soft minimum at `temperature`."""

    def __init__(self, features, temperature: float, c: float = 1.0, max_iter: int = 2000):
        self.features, self.temperature, self.c, self.max_iter = features, temperature, c, max_iter

    def fit(self, ts: list) -> "Judge":
        from sklearn.linear_model import LogisticRegression

        x, y = phone_rows(ts, self.features)
        self.mu, self.sd = x.mean(axis=0), x.std(axis=0) + 1e-9
        self.lr = LogisticRegression(C=self.c, class_weight="balanced", max_iter=self.max_iter).fit((x - self.mu) / self.sd, y)
        return self

    def logits(self, t) -> np.ndarray:
        return self.lr.decision_function((self.features(t) - self.mu) / self.sd)

    def utterance(self, t) -> float:
        return soft_min(self.logits(t), self.temperature)


def best_judge(features, tuning: list, temperatures, c: float = 1.0, max_iter: int = 2000) -> tuple[float, Judge]:
    """(tuning AUC, judge): the weights are the same at every temperature, which is chosen on the tuning takes."""
    base = Judge(features, temperatures[0], c, max_iter).fit(tuning)
    best = None
    for temp in temperatures:
        j = Judge(features, temp, c, max_iter)
        j.mu, j.sd, j.lr = base.mu, base.sd, base.lr
        a = auc([j.utterance(t) for t in tuning if t.correct], [j.utterance(t) for t in tuning if not t.correct])
        if best is None or a > best[0]:
            best = (a, j)
    return best


def line_from(scores_pos, scores_neg, max_frr: float = 0.10) -> float:
    """The evaluate stage's rule: the line with the best Youden index among those rejecting <= max_frr."""
    pos, neg = np.array(scores_pos), np.array(scores_neg)
    best_t, best_j = float(np.quantile(pos, max_frr)), -1.0
    for t in np.unique(np.concatenate([pos, neg])):
        frr, far = np.mean(pos < t), np.mean(neg >= t)
        if frr <= max_frr and 1 - frr - far > best_j:
            best_t, best_j = float(t), 1 - frr - far
    return best_t


def report(sets: dict[str, list[Take]], score, line: float) -> dict:
    out = {}
    for name, ts in sets.items():
        pos = [score(t) for t in ts if t.correct]
        neg = [score(t) for t in ts if not t.correct]
        out[name] = {"auc": auc(pos, neg), "frr": round(float(np.mean(np.array(pos) < line)), 4),
                     "far": round(float(np.mean(np.array(neg) >= line)), 4)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--cache", type=Path, default=ROOT / "work" / "judge" / "takes_v2.pkl")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--ensemble", nargs="*", type=Path, default=[], help="more models whose posteriors are averaged in")
    ap.add_argument("--only", nargs="*", help="only these judges")
    args = ap.parse_args()
    from saywell.engine.model import AcousticModel

    model = AcousticModel(args.model)
    if args.ensemble:
        model = Ensemble([model] + [AcousticModel(p) for p in args.ensemble])
    sets = collect(model, args.work, args.cache)
    tuning = [t for v in TUNING for t in sets[v]]
    shown = {k: v for k, v in sets.items() if k not in ("real_calib",)}
    calib = sets["real_calib"]
    rows = []

    shipped_line = model.meta.calibration.word_threshold
    rows.append({"judge": "shipped scorer", "line": shipped_line,
                 **report(shown, lambda t: t.shipped, shipped_line)})
    variants = {
        "gop only": ["gop"],
        "tolerant gop only": ["tolerant_gop"],
        "gop + margin": ["gop", "margin"],
        "gop + substitute": ["gop", "rival_gap", "has_rival"],
        "gop + length + win share + p10": ["gop", "log_frames", "win_share", "p10_frame"],
        "gop + utterance context": ["gop", "others_median_gop", "gop_minus_others"],
        "all measures": list(MEASURES),
    }
    for name, cols in variants.items():
        if args.only and name not in args.only:
            continue
        idx = [MEASURES.index(c) for c in cols]
        tuning_auc, j = best_judge(lambda t, idx=idx: t.x[:, idx], tuning, (0.5, 1.0, 2.0, 4.0))
        line = line_from([j.utterance(t) for t in calib if t.correct], [j.utterance(t) for t in calib if not t.correct])
        rows.append({"judge": name, "measures": cols, "temperature": j.temperature, "tuning_auc": tuning_auc,
                     "weights": [round(float(w), 3) for w in j.lr.coef_[0]], "line": round(line, 3),
                     **report(shown, j.utterance, line)})
    source = {"model": str(args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model),
              "ensemble": [str(p) for p in args.ensemble]}
    rows = [source | r for r in rows]
    for r in rows:
        print(json.dumps(r), flush=True)
        if args.out:
            with args.out.open("a") as f:
                f.write(json.dumps(r) + "\n")
    keys = list(shown)
    print("\n" + "judge".ljust(34) + "".join(k[:10].rjust(11) for k in keys))
    for r in rows:
        print(r["judge"][:33].ljust(34) + "".join(f"{r[k]['auc']:.3f}/{r[k]['frr']:.2f}".rjust(11) for k in keys))


if __name__ == "__main__":
    main()
