"""Synthesize words (alone and in "Now say WORD again") with Kokoro int8 + exposed durations, and write per-token
segments. Run with the work_kokoro venv:  ../venv/bin/python synth_timings.py OUTDIR [--voices a,b] [--words a,b]

Same front end as research/kokoro/kokoro_en.py (espeak-ng en-us IPA -> misaki letters, no end punctuation,
trim to 30 ms around |x|>0.01 and 0.2 s silence each side, 16 kHz). Token segments are given in the time of
the written (trimmed, padded, 16 kHz) wav: t_wav = frames*0.025 - trim_start_s + 0.2.
alone_dot = the word with "." appended to its phonemes (the REPORT.md single-word setting). --conds, --append.
Writes OUTDIR/{alone,alone_dot,carrier}/<voice>/<word>.wav and OUTDIR/segments.jsonl."""
import argparse, json, os, sys
from pathlib import Path
os.environ.setdefault("KOKORO_JA_CACHE", str(Path(__file__).resolve().parents[3] / "work" / "kokoro_cache"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np, onnxruntime as ort
import kokoro_en as K
from words import WORDS

HERE = Path(__file__).resolve().parent
HOP = 600  # samples at 24 kHz per duration unit (verified: len(audio) == 600 * sum(durations))
SR = 24000

def session():
    o = ort.SessionOptions(); o.intra_op_num_threads = 1; o.inter_op_num_threads = 1
    return ort.InferenceSession(str(HERE / "kokoro-v1.0.int8.dur.onnx"), sess_options=o, providers=["CPUExecutionProvider"])

def synth(sess, ph, style, speed=1.0):
    toks = [K.VOCAB[c] for c in ph]
    ref = style[min(len(toks), len(style)) - 1]
    audio, draw, dint = sess.run(None, {"tokens": np.array([[0, *toks, 0]], np.int64),
                                         "style": np.asarray(ref, np.float32).reshape(1, 256),
                                         "speed": np.array([speed], np.float32)})
    return np.asarray(audio, np.float32).ravel(), draw.ravel(), dint.ravel()

def trim_start(x, thresh=0.01):
    idx = np.where(np.abs(x) > thresh)[0]
    return max(0, idx[0] - int(0.03 * SR)) if len(idx) else 0

def main():
    ap = argparse.ArgumentParser(); ap.add_argument("out", type=Path)
    ap.add_argument("--voices", default="jm_kumo,mix_gongitsune_kumo"); ap.add_argument("--words"); ap.add_argument("--conds", default="alone,carrier"); ap.add_argument("--append", action="store_true")
    a = ap.parse_args()
    words = a.words.split(",") if a.words else WORDS
    V = K.load_voices(); sess = session()
    synth(sess, "hˈɛlO", V["jf_alpha"])
    a.out.mkdir(parents=True, exist_ok=True)
    texts = {"alone": "{}", "alone_dot": "{}", "carrier": "Now say {} again."}
    with open(a.out / "segments.jsonl", "a" if a.append else "w") as log:
        for w in words:
            for cond in a.conds.split(","):
                ph, dropped = K.to_misaki(K.espeak_ipa(texts[cond].format(w)))
                if cond == "alone_dot":
                    ph += "."  # as research/kokoro single-word takes (kokoro_en.py --end .)
                for v in a.voices.split(","):
                    x, draw, dint = synth(sess, ph, V[v])
                    assert len(x) == HOP * int(dint.sum()), (len(x), dint.sum())
                    t0 = trim_start(x) / SR
                    K.write16k(a.out / cond / v / f"{w}.wav", K.trim_pad(x, SR), SR)
                    edges = np.concatenate([[0], np.cumsum(dint)]) * HOP / SR - t0 + K.PAD_S
                    toks = ["<pad>", *ph, "<pad>"]
                    segs = [[t, round(float(s), 4), round(float(e), 4), round(float(r), 3), int(d)]
                            for t, s, e, r, d in zip(toks, edges[:-1], edges[1:], draw, dint)]
                    log.write(json.dumps({"cond": cond, "voice": v, "word": w, "phonemes": ph, "dropped": dropped,
                                          "trim_start_s": round(t0, 4), "raw_s": len(x) / SR,
                                          "segments": segs}, ensure_ascii=False) + "\n")
            print(w, ph, file=sys.stderr, flush=True)

if __name__ == "__main__":
    main()
