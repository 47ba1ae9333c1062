"""Peer benchmark: classic GOP with pocketsphinx 5.x (CMU en-us continuous model), side by side with saywell.

Per item:
  1. forced alignment of the expected phones: each word is added to the dictionary with exactly its
     expected ARPAbet pronunciation (`add_word`), `set_align_text` (word pass) then `set_alignment`
     (second pass, phone/state level) -> per-phone segment (start, duration) and acoustic score;
  2. free phone loop over the same audio (allphone search with the shipped phonetic LM
     en-us-phone.lm.bin) -> phone segments with acoustic scores;
  3. GOP(phone) = (aligned score - phone-loop acoustic score over the same frames) / frames, where the
     loop score of a frame range is the sum of loop-segment ascores prorated by frame overlap.
     'heard' = the loop phone overlapping the aligned segment the most.
  Utterance score = min over phones of GOP (primary). An alignment failure (no alignment, or a phone
  count that does not match the expectation) gives -inf to every phone: a rejection, as in saywell.

Threshold: maximum Youden J on the held-out synthetic items (flite_rms + festival_ked; all 2400 by default, --per-voice N subsamples with seed 0),
then applied unchanged to real_eval. Scores are in pocketsphinx log units (base 1.0001) per frame.

Run from the repo root:  .venv/bin/python benchmarks/peer_pocketsphinx.py [--per-voice N]
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from saywell_train.evaluate import EvalItem, auc, heldout_items, real_items

PHONE_LM = "en-us/en-us-phone.lm.bin"
_dec = None
_DICT_TIME = [0.0]  # seconds this item spent adding its words to the dictionary


def _decoder():
    global _dec
    if _dec is None:
        from pocketsphinx import Decoder, get_model_path

        _dec = Decoder(samprate=16000, loglevel="FATAL", cmn="batch", bestpath=False)
        _dec.add_allphone_file("allphone", get_model_path(PHONE_LM))
    return _dec


def _run(dec, pcm: bytes):
    dec.start_utt()
    dec.process_raw(pcm, full_utt=True)
    dec.end_utt()


def _word_name(phones: tuple[str, ...]) -> str:
    return "w_" + "_".join(phones).lower()


def score_item(args):
    """-> (gops per phone flat, heard per phone flat, CPU s, audio s, failed, CPU s of which add_word)."""
    audio, words = args
    t0 = time.process_time()
    _DICT_TIME[0] = 0.0
    dec = _decoder()
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    n_exp = sum(len(w) for w in words)
    # Phone loop
    dec.activate_search("allphone")
    _run(dec, pcm)
    # Segment.ascore comes back as a density (LogMath.exp of the integer score); map it back to log units.
    lmath = dec.get_logmath()
    loop = [(s.word, s.start_frame, s.end_frame + 1, float(lmath.log(s.ascore))) for s in dec.seg()]
    # Forced alignment with the expected pronunciations
    aligned = None
    try:
        names = []
        td = time.process_time()
        for w in words:
            name = _word_name(w)
            if dec.lookup_word(name) is None:
                dec.add_word(name, " ".join(w), True)
            names.append(name)
        _DICT_TIME[0] += time.process_time() - td
        dec.set_align_text(" ".join(names))
        _run(dec, pcm)
        dec.set_alignment()
        _run(dec, pcm)
        aligned = []
        for word in dec.get_alignment():
            if not word.name.startswith("w_"):
                continue  # <sil>, fillers
            for ph in word:
                aligned.append((ph.name, ph.start, ph.start + ph.duration, ph.score))
    except RuntimeError:
        aligned = None
    dt = time.process_time() - t0
    if aligned is None or len(aligned) != n_exp:
        return [-np.inf] * n_exp, ["-"] * n_exp, dt, len(audio) / 16000, True, _DICT_TIME[0]
    gops, heard = [], []
    for name, s, e, sc in aligned:
        loop_sc, best_ov, best_ph = 0.0, 0, "-"
        for lp, ls, le, la in loop:
            ov = min(e, le) - max(s, ls)
            if ov <= 0:
                continue
            loop_sc += la * ov / max(le - ls, 1)
            if ov > best_ov:
                best_ov, best_ph = ov, lp
        gops.append((sc - loop_sc) / max(e - s, 1))
        heard.append(best_ph)
    return gops, heard, dt, len(audio) / 16000, False, _DICT_TIME[0]


def utterance(gops: list[float]) -> float:
    return float(min(gops))


def unflatten(item: EvalItem, flat: list):
    out, k = [], 0
    for w in item.words:
        out.append(flat[k:k + len(w)])
        k += len(w)
    return out


def youden_threshold(pos: np.ndarray, neg: np.ndarray) -> float:
    cands = np.unique(np.concatenate([pos, neg]))
    cands = cands[np.isfinite(cands)]
    best_t, best_j = 0.0, -2.0
    for t in cands:  # accept when score >= t
        j = np.mean(pos >= t) - np.mean(neg >= t)
        if j > best_j:
            best_t, best_j = float(t), j
    return best_t


def metrics(items, results, thr: float) -> dict:
    pos = np.array([utterance(r[0]) for it, r in zip(items, results) if it.correct])
    neg = np.array([utterance(r[0]) for it, r in zip(items, results) if not it.correct])
    flagged = heard_ok = rejected = 0
    for it, (g, h, *_rest) in zip(items, results):
        if it.correct or utterance(g) >= thr:
            continue
        rejected += 1
        gw, hw = unflatten(it, g), unflatten(it, h)
        weakest = min(((wi, pi) for wi, w in enumerate(gw) for pi in range(len(w))), key=lambda k: gw[k[0]][k[1]])
        if weakest == it.changed:
            flagged += 1
            heard_ok += hw[weakest[0]][weakest[1]] == it.said
    return {
        "n_correct": int(len(pos)), "n_mispronounced": int(len(neg)),
        "auc": round(auc(pos, neg), 4),
        "false_rejection": round(float(np.mean(pos < thr)), 4),
        "false_acceptance": round(float(np.mean(neg >= thr)), 4),
        "changed_phone_flagged": round(flagged / rejected, 4) if rejected else None,
        "heard_right": round(heard_ok / flagged, 4) if flagged else None,
    }


def subsample(items: list[EvalItem], n: int) -> list[EvalItem]:
    if n <= 0 or n >= len(items):
        return items
    idx = np.sort(np.random.default_rng(0).choice(len(items), n, replace=False))
    return [items[i] for i in idx]


def score_manifest(path: Path) -> int:
    """The peer over a score-batch manifest (audio, text, ARPAbet phones), one process: what speed.py times.

    Prints one line per item (its utterance GOP), as `saywell score-batch` does, so both do the same work."""
    from saywell.audio.wav import load_wav
    from saywell.engine.lexicon import Lexicon

    lexicon = Lexicon()
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        audio, text, *rest = line.split("\t")
        phones = rest[0].split() if rest and rest[0].strip() else [p for pr in lexicon.phrase(text) for p in pr.phones]
        gops, *_ = score_item((load_wav(path.parent / audio).samples, [tuple(phones)]))
        print(json.dumps({"text": text, "gop": utterance(gops) if np.isfinite(utterance(gops)) else None}), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-voice", type=int, default=0, help="synthetic items per voice (0 = all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--manifest", type=Path, help="only score this manifest, one process, one line per item (for speed.py)")
    args = ap.parse_args()
    if args.manifest:
        raise SystemExit(score_manifest(args.manifest))
    t_start = time.time()
    synth = []
    for shard in ("work/synth/flite_rms.npz", "work/synth/festival_ked.npz"):
        synth += subsample(heldout_items(Path(shard)), args.per_voice)
    real = [it for it in real_items(Path("work/real")) if it.group == "real_eval"]
    todo = synth + real
    with Pool(args.workers) as pool:
        res = pool.map(score_item, [(it.audio, it.words) for it in todo], chunksize=8)
    rs, rr = res[:len(synth)], res[len(synth):]
    pos = np.array([utterance(r[0]) for it, r in zip(synth, rs) if it.correct])
    neg = np.array([utterance(r[0]) for it, r in zip(synth, rs) if not it.correct])
    thr = youden_threshold(pos, neg)
    m_syn, m_real = metrics(synth, rs, thr), metrics(real, rr, thr)
    cpu = sum(r[2] for r in res)
    cpu_dict = sum(r[5] for r in res)
    aud = sum(r[3] for r in res)
    fails_s, fails_r = sum(r[4] for r in rs), sum(r[4] for r in rr)
    # mean-min mix, for reference only (AUC)
    mix = lambda g: 0.5 * (min(g) + float(np.mean(g)))  # noqa: E731
    mix_auc = {name: round(auc([mix(r[0]) for it, r in zip(its, rz) if it.correct],
                               [mix(r[0]) for it, r in zip(its, rz) if not it.correct]), 4)
               for name, its, rz in (("synthetic", synth, rs), ("real_eval", real, rr))}

    sw = json.load(open("models/saywell-en.json"))["evaluation"]["int8"]
    sh, se = sw["heldout_scoring"], sw["real_eval_scoring"]
    rows = [
        ("real_eval AUC", se["auc"], m_real["auc"]),
        ("real_eval false rejection @thr", se["false_rejection"], m_real["false_rejection"]),
        ("real_eval false acceptance @thr", se["false_acceptance"], m_real["false_acceptance"]),
        ("real_eval changed phone flagged", se["changed_phone_flagged"], m_real["changed_phone_flagged"]),
        ("real_eval heard right", se["heard_right"], m_real["heard_right"]),
        ("real_eval n correct / mismatch", f"{se['n_correct']}/{se['n_mispronounced']}",
         f"{m_real['n_correct']}/{m_real['n_mispronounced']}"),
        ("held-out synthetic AUC", sh["auc"], m_syn["auc"]),
        ("held-out synthetic FRR @thr", sh["false_rejection"], m_syn["false_rejection"]),
        ("held-out synthetic FAR @thr", sh["false_acceptance"], m_syn["false_acceptance"]),
        ("held-out changed phone flagged", sh["changed_phone_flagged"], m_syn["changed_phone_flagged"]),
        ("held-out heard right", sh["heard_right"], m_syn["heard_right"]),
        ("held-out n correct / mismatch", f"{sh['n_correct']}/{sh['n_mispronounced']}",
         f"{m_syn['n_correct']}/{m_syn['n_mispronounced']}"),
        ("RTF (compute s / audio s, 1 proc)", sw.get("posterior_seconds_per_audio_second", "n/a"), round(cpu / aud, 4)),
    ]
    print(f"\n{'metric':40s} {'saywell int8':>14s} {'pocketsphinx GOP':>17s}")
    print("-" * 73)
    for name, a, b in rows:
        print(f"{name:40s} {str(a):>14s} {str(b):>17s}")
    print("-" * 73)
    print(f"pocketsphinx threshold (Youden J on synthetic, min-GOP per frame, log base 1.0001): {thr:.1f}")
    print(f"alignment failures (scored -inf = rejected): synthetic {fails_s}/{len(synth)}, real_eval {fails_r}/{len(real)}")
    print(f"mean-min mix AUC (reference): {mix_auc}")
    print(f"synthetic subsample: {args.per_voice or 'all'} items per voice (seed 0); "
          f"saywell rows: models/saywell-en.json evaluation.int8 (full 2400 held-out; its own threshold, "
          f"fitted on real_calib; saywell RTF covers posteriors only)")
    print(f"RTF excluding add_word (dictionary update per new word): {(cpu - cpu_dict) / aud:.4f} "
          f"(first item per worker also includes loading the decoder)")
    print(f"audio scored {aud:.0f} s, compute {cpu:.0f} s CPU, wall {time.time() - t_start:.0f} s with {args.workers} workers")


if __name__ == "__main__":
    main()
