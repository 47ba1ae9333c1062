"""Kokoro token timings vs saywell forced alignment; cut target words out of carrier takes and score them.
Run: .venv/bin/python eval_timings.py takes   -> takes/eval.jsonl, takes/cuts/, printed summary (also
takes/summary.txt).

Misaki tokens -> ARPAbet phones; tokens that are no phone (stress marks, spaces) give their frames to a
neighbour by one of several policies; each word's Kokoro phones are aligned (edit distance) to the phones
saywell's forced alignment reports for the same word; boundaries (the start and the end of every paired phone,
each distinct boundary once) are compared."""
import json, sys
from pathlib import Path
import numpy as np
from saywell.audio.wav import load_wav, write_wav
from saywell.engine.model import AcousticModel
from saywell.engine.scoring import Scorer

ROOT = Path(sys.argv[1]).resolve()
M2A = {"A": "EY", "I": "AY", "W": "AW", "Y": "OY", "O": "OW", "ɹ": "R", "ð": "DH", "θ": "TH", "ŋ": "NG", "ʃ": "SH",
       "ʒ": "ZH", "ʧ": "CH", "ʤ": "JH", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ᵊ": "AH", "ɑ": "AA", "ɔ": "AO",
       "ɛ": "EH", "ɪ": "IH", "ᵻ": "IH", "ʊ": "UH", "i": "IY", "u": "UW", "ɾ": "T", "j": "Y", "ɡ": "G", "h": "HH",
       "b": "B", "d": "D", "f": "F", "k": "K", "l": "L", "m": "M", "n": "N", "p": "P", "s": "S", "t": "T",
       "v": "V", "w": "W", "z": "Z", "ʔ": "T"}
MERGE = {("ɜ", "ɹ"): "ER", ("ə", "ɹ"): "ER"}
NONPHONE = set("ˈˌ .")
EQUIV = {frozenset(("T", "D")), frozenset(("AH", "IH")), frozenset(("ER", "R"))}


def kokoro_words(segs, policy):
    """[[(arpabet, start, end), ...] per word] from token segments (pads dropped; their edges bound the words)."""
    toks = [(t, s, e) for t, s, e, *_ in segs[1:-1]]
    # give the frames of non-phone tokens to a neighbour
    units = []  # [token, start, end, is_phone]
    for t, s, e in toks:
        units.append([t, s, e, t not in NONPHONE])
    phones = [u for u in units if u[3]]
    for k, u in enumerate(units):
        if u[3]:
            continue
        prev = next((v for v in reversed(units[:k]) if v[3]), None)
        nxt = next((v for v in units[k + 1:] if v[3]), None)
        if policy == "next" and nxt: nxt[1] = min(nxt[1], u[1])
        elif policy == "prev" and prev: prev[2] = max(prev[2], u[2])
        elif policy == "split" and prev and nxt:
            mid = (u[1] + u[2]) / 2; prev[2] = max(prev[2], mid); nxt[1] = min(nxt[1], mid)
        elif policy == "stress_next_space_split":
            if u[0] == " " and prev and nxt:
                mid = (u[1] + u[2]) / 2; prev[2] = max(prev[2], mid); nxt[1] = min(nxt[1], mid)
            elif nxt: nxt[1] = min(nxt[1], u[1])
    words, cur = [], []
    for u in units:
        if u[0] == " ":
            words.append(cur); cur = []
        elif u[3]:
            cur.append(u)
    words.append(cur)
    out = []
    for w in words:
        ph, k = [], 0
        while k < len(w):
            if k + 1 < len(w) and (w[k][0], w[k + 1][0]) in MERGE:
                ph.append((MERGE[(w[k][0], w[k + 1][0])], w[k][1], w[k + 1][2])); k += 2
            else:
                ph.append((M2A[w[k][0]], w[k][1], w[k][2])); k += 1
        out.append(ph)
    return out


def pair(a, b):
    """Edit-distance alignment of ARPAbet lists; returns [(i, j)] of aligned (equal or substituted) positions."""
    n, m = len(a), len(b)
    D = np.zeros((n + 1, m + 1)); D[:, 0] = np.arange(n + 1); D[0, :] = np.arange(m + 1)
    cost = lambda x, y: 0 if x == y else (0.5 if frozenset((x, y)) in EQUIV else 1.0)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + cost(a[i - 1], b[j - 1]))
    i, j, out = n, m, []
    while i and j:
        if D[i, j] == D[i - 1, j - 1] + cost(a[i - 1], b[j - 1]): out.append((i - 1, j - 1)); i -= 1; j -= 1
        elif D[i, j] == D[i - 1, j] + 1: i -= 1
        else: j -= 1
    return out[::-1]


def boundaries(kw, sw):
    """Distinct boundaries of paired phones: {(kokoro_time, saywell_time)} keyed by saywell boundary."""
    out = {}
    for wi, (kp, sp) in enumerate(zip(kw, sw)):
        for i, j in pair([p[0] for p in kp], [p["phone"] for p in sp]):
            out[(wi, j, "s")] = (kp[i][1], sp[j]["start"], kp[i][0], sp[j]["phone"])
            out[(wi, j, "e")] = (kp[i][2], sp[j]["end"], kp[i][0], sp[j]["phone"])
    # an end and the next phone's start are the same boundary in saywell's alignment when contiguous: keep one
    ded = {}
    for key, v in out.items():
        ded.setdefault((round(v[1], 3), round(v[0], 3)), v)
    return list(ded.values())


def main():
    scorer = Scorer(AcousticModel(num_threads=1), accent="any")
    recs = [json.loads(l) for l in open(ROOT / "segments.jsonl")]
    policies = ["next", "prev", "split", "stress_next_space_split", "none"]
    out = open(ROOT / "eval.jsonl", "w")
    for r in recs:
        wav = ROOT / r["cond"] / r["voice"] / f"{r['word']}.wav"
        audio = load_wav(wav)
        text = f"Now say {r['word']} again" if r["cond"] == "carrier" else r["word"]
        res = scorer.score(audio, text).to_dict()
        sw = [w["phones"] for w in res["words"]]
        row = {"cond": r["cond"], "voice": r["voice"], "word": r["word"], "verdict": res["verdict"], "score": res["score"],
               "saywell": [[p["phone"], p["start"], p["end"]] for ph in sw for p in ph]}
        for pol in policies:
            kw = kokoro_words(r["segments"], pol)
            if len(kw) != len(sw):
                row["mismatch"] = [len(kw), len(sw)]; break
            row[pol] = [[round(k - s, 4), kp, sp] for k, s, kp, sp in boundaries(kw, sw)]
            if pol == "next":
                row["kokoro_next"] = [[p[0], round(p[1], 4), round(p[2], 4)] for w in kw for p in w]
        if r["cond"] == "carrier" and "mismatch" not in row:
            tw = kokoro_words(r["segments"], "next")[2]
            wk = (tw[0][1], tw[-1][2])
            wf = (sw[2][0]["start"], sw[2][-1]["end"])
            row["word_kokoro"], row["word_fa"] = [round(x, 4) for x in wk], wf
            x = audio.samples
            S = 0.075  # 3 frames: the offset upstream kokoro (KPipeline.join_timestamps) takes off the leading pad
            wks = (wk[0] - S, wk[1] - S)
            for name, (s, e), margin in (("kokoro", wk, 0.0), ("kokoro_m30", wk, 0.03), ("kokoro_s75", wks, 0.0),
                                         ("kokoro_s75_m30", wks, 0.03), ("fa", wf, 0.0), ("fa_m30", wf, 0.03), ("fa_m60", wf, 0.06)):
                a, b = max(0, int((s - margin) * 16000)), min(len(x), int((e + margin) * 16000))
                pad = np.zeros(3200, np.float32)
                cut = np.concatenate([pad, x[a:b], pad])
                p = ROOT / "cuts" / name / r["voice"] / f"{r['word']}.wav"
                p.parent.mkdir(parents=True, exist_ok=True)
                write_wav(p, cut)
                cr = scorer.score(load_wav(p), r["word"]).to_dict()
                row[f"cut_{name}"] = {"verdict": cr["verdict"], "score": cr["score"]}
        out.write(json.dumps(row, ensure_ascii=False) + "\n"); out.flush()
        print(r["cond"], r["voice"], r["word"], res["verdict"], file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
