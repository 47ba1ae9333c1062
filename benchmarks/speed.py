"""Scoring speed per second of audio, one thread, int8 vs float32, measured interleaved in one run.

    .venv/bin/python benchmarks/speed.py [--model models/saywell-en.tflite] [--rounds 20]

Prints file sizes, load time, and per stage (frontend, model, alignment + scoring) milliseconds per
second of audio over the clips in audio_samples/, with the int8/float ratio.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import load_wav  # noqa: E402
from saywell.apps.cli import read_manifest  # noqa: E402
from saywell.engine.features import log_mel  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    rows = [r for r in read_manifest(ROOT / "audio_samples" / "manifest.tsv") if not r.error]
    clips = [(load_wav(r.audio).samples, r.text, r.phones) for r in rows]
    seconds = sum(len(c[0]) for c in clips) / 16000
    variants = {"int8": args.model, "float32": args.model.with_name(args.model.stem + ".float.tflite")}
    scorers, load_ms = {}, {}
    for name, path in variants.items():
        t0 = time.perf_counter()
        scorers[name] = Scorer(AcousticModel(path, num_threads=1))
        load_ms[name] = (time.perf_counter() - t0) * 1000
    times = {n: {"frontend": [], "model": [], "score": []} for n in variants}
    for _ in range(args.rounds):
        for name, sc in scorers.items():  # interleaved, so drift hits both alike
            fe = mo = sc_t = 0.0
            for audio, text, phones in clips:
                t0 = time.perf_counter()
                feats = log_mel(audio, sc.meta.frontend)
                t1 = time.perf_counter()
                lp = sc.model.log_posteriors(feats)
                t2 = time.perf_counter()
                sc.score_posteriors(lp, text, sc.pronunciations(text, phones), audio)
                t3 = time.perf_counter()
                fe, mo, sc_t = fe + t1 - t0, mo + t2 - t1, sc_t + t3 - t2
            for k, v in (("frontend", fe), ("model", mo), ("score", sc_t)):
                times[name][k].append(v * 1000 / seconds)
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}; "
          f"{len(clips)} clips, {seconds:.1f} s of audio, {args.rounds} rounds, 1 thread; median ms per second of audio")
    print(f"{'':8} {'bytes':>9} {'load ms':>8} {'frontend':>9} {'model':>8} {'align+score':>12} {'total':>8}")
    med = {n: {k: statistics.median(v) for k, v in t.items()} for n, t in times.items()}
    for name, path in variants.items():
        m = med[name]
        print(f"{name:8} {path.stat().st_size:9d} {load_ms[name]:8.1f} {m['frontend']:9.3f} {m['model']:8.3f} "
              f"{m['score']:12.3f} {sum(m.values()):8.3f}")
    print(f"int8/float32 model-time ratio: {med['int8']['model'] / med['float32']['model']:.2f}; "
          f"size ratio: {variants['int8'].stat().st_size / variants['float32'].stat().st_size:.2f}")


if __name__ == "__main__":
    main()
