"""Whisper tiny.en on carrier-sentence takes ROOT/<voice>/<word>.wav ("Now say WORD again."): is the target
word heard (as a token of the transcript, homophones allowed)? .venv/bin/python carrier_eval.py ROOT"""
import json, os, re, sys
from pathlib import Path
os.environ["SAYWELL_WHISPER_THREADS"] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from words import HOMOPHONES, WORDS
from saywell_train.transcribe import transcribe_cached

root = Path(sys.argv[1]).resolve()
voices = sorted(p.name for p in root.iterdir() if p.is_dir())
takes = [(v, w, root / v / f"{w}.wav") for v in voices for w in WORDS if (root / v / f"{w}.wav").exists()]
heard = transcribe_cached([p for *_, p in takes], root / "whisper.tsv", progress=False)
rows = []
for v, w, p in takes:
    t = heard[(os.path.relpath(p.resolve(), root), 1.0)].text
    toks = re.sub(r"[^a-z0-9' ]", " ", t.lower()).split()
    ok = w in toks or bool(HOMOPHONES.get(w, set()) & set(toks))
    frame = "now" in toks and "again" in toks
    rows.append({"voice": v, "word": w, "whisper": t, "ok": ok, "frame_ok": frame})
with open(root / "results_carrier.jsonl", "w") as f:
    for r in rows:
        f.write(json.dumps(r) + "\n")
print("voice\tn\ttarget_word%\tframe(now..again)%")
for v in voices:
    rs = [r for r in rows if r["voice"] == v]
    print(f"{v}\t{len(rs)}\t{100*sum(r['ok'] for r in rs)/len(rs):.0f}\t{100*sum(r['frame_ok'] for r in rs)/len(rs):.0f}")
