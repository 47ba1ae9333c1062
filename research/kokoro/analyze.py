"""Per-phone and per-word breakdown of ROOT/results.jsonl (from evaluate.py): how often saywell judged each
expected ARPAbet phone ok, Kokoro voices pooled vs each reference; what it heard instead; Whisper misses.
Also synthesis speed and level sanity from ROOT/synth*.jsonl.   python analyze.py ROOT > ROOT/analysis.txt"""
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

root = Path(sys.argv[1])
rs = [json.loads(l) for l in open(root / "results.jsonl")]
kok = lambda v: not v.startswith("ref_")
groups = {"kokoro_all": kok, "kokoro_base5": lambda v: kok(v) and not v.startswith("mix"),
          "kokoro_mix5": lambda v: v.startswith("mix")}
for v in sorted({r["voice"] for r in rs if not kok(r["voice"])}):
    groups[v] = (lambda name: lambda x: x == name)(v)

ok = {g: defaultdict(lambda: [0, 0]) for g in groups}
heard = defaultdict(Counter)
for r in rs:
    for wd in r["raw"].get("words", []):
        for ph in wd.get("phones", []):
            for g, f in groups.items():
                if f(r["voice"]):
                    ok[g][ph["phone"]][0] += bool(ph["ok"])
                    ok[g][ph["phone"]][1] += 1
            if kok(r["voice"]) and not ph["ok"]:
                heard[ph["phone"]][ph.get("heard") or "?"] += 1

print("== per expected phone: % judged ok by saywell (n)")
gs = list(groups)
print("phone\t" + "\t".join(gs) + "\tkokoro heard instead")
phones = sorted(ok["kokoro_all"], key=lambda p: ok["kokoro_all"][p][0] / ok["kokoro_all"][p][1])
for p in phones:
    cells = []
    for g in gs:
        a, n = ok[g].get(p, [0, 0])
        cells.append(f"{100 * a / n:.0f} ({n})" if n else "-")
    print(p + "\t" + "\t".join(cells) + "\t" + ", ".join(f"{h}:{c}" for h, c in heard[p].most_common(4)))

print("\n== per word: Kokoro voices accepted by saywell / Whisper exact (of 10), refs accepted")
for w in dict.fromkeys(r["word"] for r in rs):
    k = [r for r in rs if r["word"] == w and kok(r["voice"])]
    refs = "".join("Y" if r["verdict"] == "correct" else "n" for r in rs if r["word"] == w and not kok(r["voice"]))
    wh = Counter(r["whisper"] for r in k if not r["whisper_ok"]).most_common(3)
    print(f"{w:10} {sum(r['verdict'] == 'correct' for r in k):2}/{len(k)}  whisper {sum(r['whisper_ok'] for r in k):2}/{len(k)}  refs {refs}  misheard: {wh}")

print("\n== synthesis and levels per voice")
syn = [json.loads(l) for f in sorted(root.glob("synth*.jsonl")) for l in open(f)]
for v in dict.fromkeys(s["voice"] for s in syn):
    ss = [s for s in syn if s["voice"] == v]
    cpu = sum(s["cpu_s"] for s in ss)
    audio = sum(s.get("raw_audio_s", s["dur_s"] - 0.4) for s in ss)
    durs = sorted(s["dur_s"] - 0.4 for s in ss)
    peaks = sorted(s["peak"] for s in ss)
    print(f"{v:24} n={len(ss)} cpu/audio={cpu / audio:.3f}  speech dur s min/med/max={durs[0]:.2f}/{durs[len(durs)//2]:.2f}/{durs[-1]:.2f}"
          f"  peak min/med/max={peaks[0]:.2f}/{peaks[len(peaks)//2]:.2f}/{peaks[-1]:.2f}"
          + (f"  rms med={sorted(s['rms'] for s in ss)[len(ss)//2]:.3f}" if "rms" in ss[0] else ""))
