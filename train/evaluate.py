"""Stage 5: measure the exported models and fit the score calibration.

Sets: held-out synthetic voices (canonical vs mispronounced takes of the same words) and real
speech (Asterisk prompts scored against their own text vs a word one phone away). Real clips are
split by clip into a calibration half and an evaluation half, so reported real figures are honest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from saywell.errors import SaywellError
from saywell.engine.features import log_mel
from saywell.engine.lexicon import Variant, cmudict_variants, split_words
from saywell.engine.metadata import Calibration
from saywell.engine.model import AcousticModel
from saywell.engine.language import LANGUAGES
from saywell.engine.phones import LEARNER_SUBSTITUTIONS
from saywell.engine.scoring import best_variants, capped, normalized, phone_score, rival_classes, soft_min, to_score

from .features import CLASSES, CLASS_INDEX
from .synthesize import load_shard

SIL = CLASS_INDEX["SIL"]


@dataclass
class EvalItem:
    key: str  # identifies the audio, so posteriors are computed once per clip
    audio: np.ndarray
    words: list[tuple[str, ...]]  # expected phones per word
    correct: bool
    changed: tuple[int, int] | None = None  # (word, phone) that was actually said differently
    said: str | None = None  # what was said there ("-" = dropped)
    group: str = ""
    reference: tuple[str, ...] | None = None  # phones actually spoken, for phone error rate
    text: tuple[str, ...] = ()  # the expected words, so scoring accepts their dictionary variants as the device does
    substituted: tuple[tuple[int, int], ...] = ()  # accented voices: (word, phone) said with a sound of their own language
    substituted_as: tuple[str, ...] = ()  # what the voice said there (its own phone names)


BABBLE_VOICES = ("flite_rms", "festival_ked")  # the noisy rooms' babble: the same talkers for every model compared


def shard_items(shard: Path) -> tuple[list[EvalItem], list[EvalItem]]:
    """One read of a held-out shard: (pairs, accent errors).

    Pairs are canonical takes (correct) and their one-phone-changed twins. Takes in which an accented voice said
    some phone with a sound of its own language are neither; its canonical ones are accent errors: genuine
    learner errors whose phones are known."""
    voice, utts, jobs = load_shard(shard)
    pairs, accents = [], []
    for k, (u, j) in enumerate(zip(utts, jobs)):
        canon = [tuple(p) for p in j["canonical"]]
        if j.get("unfaithful"):
            if j["mis_word"] is None:
                accents.append(EvalItem(f"{voice}/{k}", u.audio, canon, False, group=voice, text=tuple(j["words"]),
                                        substituted=tuple((w, p) for w, p, _ in j["unfaithful"]),
                                        substituted_as=tuple(said for _, _, said in j["unfaithful"])))
            continue
        ref = tuple(s.phone for s in u.segments if s.phone != "SIL")
        if j["mis_word"] is None:  # canonical (its phones may be given too: the dictionary's, said as written)
            pairs.append(EvalItem(f"{voice}/{k}", u.audio, canon, True, group=voice, reference=ref, text=tuple(j["words"])))
        else:
            pairs.append(EvalItem(f"{voice}/{k}", u.audio, canon, False, (j["mis_word"], j["mis_index"]), j["mis_said"], voice, ref,
                                  tuple(j["words"])))
    return pairs, accents


def heldout_items(shard: Path) -> list[EvalItem]:
    """The shard's canonical takes and twins (shard_items)."""
    return shard_items(shard)[0]


def accent_items(shard: Path) -> list[EvalItem]:
    """The shard's takes with accent substitutions (shard_items)."""
    return shard_items(shard)[1]


def accent_metrics(evs: list["ItemEvidence"], cal: Calibration) -> dict:
    """On takes with accent substitutions: how often the word is rejected, how often each substituted phone is
    flagged (scored below the phone threshold), and in how many takes a faithfully said phone is flagged while
    no substituted one is (the learner would be told about the wrong sound)."""
    words = rejected = subs = subs_flagged = wrong_only = 0
    for e in evs:
        scores = phone_scores(e, cal)
        at = [e.at(s) for s in e.item.substituted]
        if any(a is None for a in at):  # a dictionary variant of another length fitted better: positions unknown
            continue
        words += 1
        rejected += utterance_score(e, cal) < cal.word_threshold
        flagged = {(wi, pi) for wi, w in enumerate(scores) for pi, x in enumerate(w) if x < cal.phone_threshold}
        subs += len(at)
        subs_flagged += sum(a in flagged for a in at)
        wrong_only += bool(flagged) and not (flagged & set(at))
    return {"n_takes": words, "rejected": round(rejected / words, 4) if words else None,
            "substituted_phone_flagged": round(subs_flagged / subs, 4) if subs else None,
            "faithful_phone_flagged_instead": round(wrong_only / words, 4) if words else None}


def is_calibration_clip(path: str) -> bool:
    return hashlib.md5(Path(path).name.encode()).digest()[0] % 2 == 0


def real_items(dev_dir: Path) -> list[EvalItem]:
    from saywell.audio.wav import load_wav

    from .realspeech import load_dev_set

    items = []
    cache: dict[str, np.ndarray] = {}
    for d in load_dev_set(dev_dir):
        if d.audio not in cache:
            cache[d.audio] = load_wav(d.audio).samples
        group = "real_calib" if is_calibration_clip(d.audio) else "real_eval"
        changed = None if d.correct else (0, d.changed_index)
        items.append(EvalItem(d.audio, cache[d.audio], [tuple(d.phones)], d.correct, changed, d.changed_phone, group,
                              tuple(d.said_phones) if d.correct else None, (d.text,)))
    return items


def posteriors(model: AcousticModel, items: list[EvalItem]) -> dict[str, np.ndarray]:
    out = {}
    for it in items:
        if it.key not in out:
            out[it.key] = model.log_posteriors(log_mel(it.audio, model.frontend))
    return out


def decode_phones(logpost: np.ndarray, min_frames: int = 3, switch_penalty: float = 4.0,
                  classes: tuple[str, ...] = CLASSES) -> tuple[str, ...]:
    """Free phone-loop Viterbi: each phone lasts at least min_frames, each change costs switch_penalty (log).

    A frame classifier flickers; reading phones off the raw argmax counts every flicker as an insertion.
    """
    T, C = logpost.shape
    if T == 0:
        return ()
    d = min_frames
    NEG = -1e30
    delta = np.full((C, d), NEG)
    delta[:, 0] = logpost[0]
    enter_from = np.zeros((T, C), np.int32)  # previous phone when entering phone c at frame t
    stayed = np.zeros((T, C), bool)  # last state reached by its self-loop (vs from the state before)
    for t in range(1, T):
        exit_scores = delta[:, -1]
        order = np.argsort(exit_scores)[::-1][:2]
        best, second = order[0], order[1]
        prev_best = np.where(np.arange(C) == best, second, best)  # best other phone to come from
        new = np.empty_like(delta)
        new[:, 0] = exit_scores[prev_best] - switch_penalty
        enter_from[t] = prev_best
        if d > 1:
            new[:, 1:] = delta[:, :-1]
            stay = delta[:, -1] > delta[:, -2]
            new[:, -1] = np.where(stay, delta[:, -1], delta[:, -2])
        else:
            stay = delta[:, 0] > new[:, 0]
            new[:, 0] = np.maximum(new[:, 0], delta[:, 0])
        stayed[t] = stay
        delta = new + logpost[t][:, None]
    c, k = int(np.argmax(delta[:, -1])), d - 1
    phones = [c]
    for t in range(T - 1, 0, -1):
        if k == d - 1 and stayed[t, c]:
            continue
        if k > 0:
            k -= 1
            continue
        c, k = int(enter_from[t, c]), d - 1
        phones.append(c)
    return tuple(classes[p] for p in reversed(phones) if classes[p] != "SIL")


def edit_distance(a, b) -> int:
    d = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        prev, d[0] = d.copy(), i
        for j in range(1, len(b) + 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
    return int(d[-1])


def phone_error_rate(post: dict[str, np.ndarray], items: list[EvalItem], classes: tuple[str, ...] = CLASSES) -> float:
    seen, errs, total = set(), 0, 0
    for it in items:
        if it.reference is None or it.key in seen:
            continue
        seen.add(it.key)
        errs += edit_distance(decode_phones(post[it.key], classes=classes), it.reference)
        total += len(it.reference)
    return errs / max(total, 1)


@dataclass
class ItemEvidence:
    item: EvalItem
    gops: list[list[float]]  # per word, per phone (-inf when the clip could not be aligned at all)
    competitors: list[list[str]]  # what was heard instead: best competitor, or "-" when judged omitted
    phones: list[list[str]]  # the expected phones scored: the item's, or the dictionary variant that fitted best
    rival_gaps: list[list[float]] | None = None  # per phone: its classic substitute's lead (scoring.PhoneEvidence)

    def at(self, changed: tuple[int, int] | None) -> tuple[int, int] | None:
        """Where the item's (word, phone) position is in `phones` (None when a variant of another length was chosen)."""
        if changed is None or [len(w) for w in self.phones] != [len(w) for w in self.item.words]:
            return None
        return changed


def item_variants(it: EvalItem, variants: bool = True) -> list[tuple[Variant, ...]]:
    """The accepted variants of each expected word, as the device's lexicon gives them for the item's text;
    the item's own phones (no variants) when its text does not split into dictionary words whose first
    pronunciations they are. A real clip's phrase is one phone list in the item; here it is split by word."""
    own = [(Variant.plain(tuple(w)),) for w in it.words]
    if not variants or not it.text:
        return own
    per_word = [cmudict_variants(w) for w in split_words(" ".join(it.text))]
    if not all(per_word) or [p for v in per_word for p in v[0].phones] != [p for w in it.words for p in w]:
        return own
    return per_word if len(per_word) == len(it.words) or len(it.words) == 1 else own


def _shaped(per_word: list[list], it: EvalItem) -> list[list]:
    """Per-word values laid out like the item's words (one flat list for a real clip's phrase)."""
    return [[x for w in per_word for x in w]] if len(it.words) == 1 else per_word


def gather(post: dict[str, np.ndarray], items: list[EvalItem], log_priors: np.ndarray | None = None,
           variants: bool = True, classes: tuple[str, ...] = CLASSES) -> list[ItemEvidence]:
    """Per-phone evidence as the device's scorer measures it (best dictionary variant, weak vowels), with
    variants=False: the item's own phones only (for ablations). Variant choice uses raw GOPs: the same as the
    device's while the calibration has no per-phone offsets."""
    unit = Calibration(slope=1.0, offset=0.0)
    index = {p: i for i, p in enumerate(classes)}
    # every classic substitute's lead is recorded (the language whose phones these classes are), so any
    # calibration's rule can be applied afterwards (utterance_score, phone_scores)
    rivals = rival_classes(index, next((lang.learner_substitutions for lang in LANGUAGES.values()
                                        if lang.phones == tuple(c for c in classes if c != "SIL")), LEARNER_SUBSTITUTIONS))
    out = []
    for it in items:
        try:
            chosen, ev = best_variants(post[it.key], item_variants(it, variants), index, index["SIL"], unit, log_priors,
                                       rivals)
        except SaywellError:  # too short to align: counts as a total failure
            out.append(ItemEvidence(it, [[-np.inf] * len(w) for w in it.words], [["-"] * len(w) for w in it.words],
                                    [list(w) for w in it.words]))
            continue
        out.append(ItemEvidence(it, _shaped([[e.gop for e in w] for w in ev], it),
                                _shaped([["-" if e.omitted else classes[e.competitor] for e in w] for w in ev], it),
                                _shaped([list(v.phones) for v in chosen], it), _shaped([[e.rival_gap for e in w] for w in ev], it)))
    return out


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv))
    sorted_v = allv[order]
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def fit_calibration(evs: list[ItemEvidence], real_calib: list[ItemEvidence], max_frr: float = 0.10) -> Calibration:
    """Slope from a logistic fit of GOP (canonical vs substituted phones); the centre from real speech.

    The centre (score 50) is the utterance GOP that best separates correct from one-phone-away real
    clips with at most max_frr of correct ones rejected, so "50" means the verdict line for words
    and for sounds alike: a rejected word always has a sound below 50 to point at.
    """
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for e in evs + real_calib:
        for wi, w in enumerate(e.gops):
            for pi, g in enumerate(w):
                if not np.isfinite(g):
                    continue
                if e.item.correct:
                    xs.append(g), ys.append(1)
                elif e.at(e.item.changed) == (wi, pi):
                    xs.append(g), ys.append(0)
    lr = LogisticRegression(class_weight="balanced").fit(np.array(xs)[:, None], np.array(ys))
    slope = float(lr.coef_[0][0])
    unit = Calibration(slope=1.0, offset=0.0)
    pos = np.array([utterance_gop(e, unit) for e in real_calib if e.item.correct])
    neg = np.array([utterance_gop(e, unit) for e in real_calib if not e.item.correct])
    best_t, best_j = float(-lr.intercept_[0] / slope), -1.0
    for t in np.unique(np.concatenate([pos, neg])):
        frr, far = np.mean(pos < t), np.mean(neg >= t)
        if frr <= max_frr and (1 - frr - far) > best_j:
            best_t, best_j = float(t), 1 - frr - far
    return Calibration(slope=round(slope, 4), offset=round(best_t, 4), phone_threshold=50.0, word_threshold=50.0)


def phone_scores(e: ItemEvidence, cal: Calibration) -> list[list[float]]:
    gaps = e.rival_gaps or [[float("-inf")] * len(w) for w in e.gops]
    return [[0.0 if not np.isfinite(g) else phone_score(g, x, p, cal) for g, p, x in zip(w, phones, xs)]
            for w, phones, xs in zip(e.gops, e.phones, gaps)]


def utterance_gop(e: ItemEvidence, cal: Calibration) -> float:
    """Soft minimum of the normalized phone GOPs; -1e9 when the clip could not be aligned at all."""
    gops = [g for w in e.gops for g in w]
    if not all(np.isfinite(gops)):
        return -1e9
    return soft_min([normalized(g, p, cal) for g, p in zip(gops, [p for w in e.phones for p in w])])


def utterance_score(e: ItemEvidence, cal: Calibration) -> float:
    """As the device scores the whole utterance: the soft minimum, at most the score of any phone heard as its
    classic substitute (scoring.capped)."""
    g = utterance_gop(e, cal)
    if g == -1e9:
        return 0.0
    if e.rival_gaps is None:
        return to_score(g, cal)
    return capped(to_score(g, cal), [x for w in e.rival_gaps for x in w], [p for w in e.phones for p in w], cal)


def scoring_metrics(evs: list[ItemEvidence], cal: Calibration) -> dict:
    """AUC, false rejection/acceptance at the shipped threshold, and whether the changed phone is the one flagged."""
    pos = np.array([utterance_score(e, cal) for e in evs if e.item.correct])
    neg = np.array([utterance_score(e, cal) for e in evs if not e.item.correct])
    flagged = heard_ok = rejected = 0
    for e in evs:
        if e.item.correct or utterance_score(e, cal) >= cal.word_threshold:
            continue
        rejected += 1
        scores = phone_scores(e, cal)
        weakest = min(((wi, pi) for wi, w in enumerate(scores) for pi in range(len(w))), key=lambda k: scores[k[0]][k[1]])
        if weakest == e.at(e.item.changed):
            flagged += 1
            wi, pi = weakest
            heard_ok += e.competitors[wi][pi] == e.item.said
    return {
        "n_correct": int(len(pos)), "n_mispronounced": int(len(neg)),
        "auc": round(auc(pos, neg), 4) if len(pos) and len(neg) else None,
        "false_rejection": round(float(np.mean(pos < cal.word_threshold)), 4) if len(pos) else None,
        "false_acceptance": round(float(np.mean(neg >= cal.word_threshold)), 4) if len(neg) else None,
        "changed_phone_flagged": round(flagged / rejected, 4) if rejected else None,
        "heard_right": round(heard_ok / flagged, 4) if flagged else None,
    }


def evaluate_models(int8_path: Path, float_path: Path, heldout_shards: list[Path], real_dir: Path | None,
                    calibration: Calibration | None = None, log=print,
                    substitute_rule=None, calibration_shards: list[Path] = ()) -> tuple[Calibration, dict]:
    """Both models on the same sets. Calibration is fitted on the int8 model (the one shipped) unless given.
    The int8 model is also scored on the real set in fixed noisy rooms (train/rooms.py's EVALUATED conditions)."""
    import json
    import time

    from saywell.engine.model import AcousticModel

    from .rooms import EVALUATED, babble_sources, degraded_items

    both = [shard_items(s) for s in heldout_shards]
    per_shard = [pairs for pairs, _ in both]
    items = [it for shard in per_shard for it in shard]
    accented = [it for _, accents in both for it in accents]
    real = real_items(real_dir) if real_dir is not None else []
    # no real speech (German): the line is set on voices kept out of training, never on the held-out ones
    calib = [it for s in calibration_shards for it in shard_items(s)[0]] if not real else []
    unique_seconds = sum(len(it.audio) for it in {it.key: it for it in items + real}.values()) / 16000
    cal, results = calibration, {}
    for kind, path in (("int8", int8_path), ("float32", float_path)):
        model = AcousticModel(path)
        t0 = time.time()
        post = posteriors(model, items + real + calib)
        rtf = (time.time() - t0) / max(unique_seconds, 1e-9)
        classes = model.meta.phones
        evs = gather(post, items, model.meta.log_priors, classes=classes)
        revs = gather(post, real, model.meta.log_priors, classes=classes)
        cevs = gather(post, calib, model.meta.log_priors, classes=classes)
        if cal is None and calib:
            cal = replace(fit_calibration([], cevs), prior_scale=model.meta.calibration.prior_scale)
        if cal is None:
            cal = replace(fit_calibration(evs, [e for e in revs if e.item.group == "real_calib"]),
                          prior_scale=model.meta.calibration.prior_scale)  # alignment as the model was measured
            if substitute_rule is not None:  # substitute_rule(model, cal, real calibration items) -> Calibration
                cal = substitute_rule(model, cal, [it for it in real if it.group == "real_calib"])
        r = {"heldout_phone_error_rate": round(phone_error_rate(post, items, classes), 4),
             "heldout_scoring": scoring_metrics(evs, cal),
             "posterior_seconds_per_audio_second": round(rtf, 5)}
        if calib:
            r["calibration_voices_scoring"] = scoring_metrics(cevs, cal)
        voices = sorted({it.group for it in items})
        if len(voices) > 1:  # every held-out voice on its own: pooled figures hide the weak ones
            r["heldout_scoring_per_voice"] = {v: scoring_metrics([e for e in evs if e.item.group == v], cal) for v in voices}
        if accented:
            aevs = gather(posteriors(model, accented), accented, model.meta.log_priors, classes=classes)
            r["accent_errors_per_voice"] = {v: accent_metrics([e for e in aevs if e.item.group == v], cal)
                                            for v in sorted({it.group for it in accented})}
        if real:
            r["real_phone_error_rate"] = round(phone_error_rate(post, real, classes), 4)
            r["real_eval_scoring"] = scoring_metrics([e for e in revs if e.item.group == "real_eval"], cal)
            r["real_all_scoring"] = scoring_metrics(revs, cal)
            if kind == "int8" and per_shard:
                babble = babble_sources([shard for shard in per_shard if shard and shard[0].group in BABBLE_VOICES]
                                        or per_shard)
                r["real_all_scoring_in_noise"] = {}
                for name in EVALUATED:
                    noisy = degraded_items(real, name, babble)
                    noisy_evs = gather(posteriors(model, noisy), noisy, model.meta.log_priors, classes=classes)
                    r["real_all_scoring_in_noise"][name] = scoring_metrics(noisy_evs, cal)
        results[kind] = r
        log(f"{kind}: {json.dumps(r)}")
    return cal, results
