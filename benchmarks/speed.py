"""Scoring speed per second of audio, one thread: saywell's stages, and saywell against the peer, in one run.

    .venv/bin/python benchmarks/speed.py [--model models/saywell-en.tflite] [--rounds 20] [--manifest M]

1. Per stage (frontend, model, alignment + scoring), milliseconds per second of audio over the clips in
   audio_samples/, int8 and float32 interleaved, with file sizes and load times.
2. With --manifest (default: the real dev set's, work/real/dev.tsv, 540 lines, made by saywell-train or
   benchmarks/accuracy.py): the CPU seconds of a whole `saywell score-batch` process (interpreter start,
   imports and model load included, and separately) and of the pocketsphinx GOP peer doing the same lines
   in one process, from the kernel's accounting of each child (user + system), and their ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
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
    ap.add_argument("--manifest", type=Path, default=ROOT / "work" / "real" / "dev.tsv",
                    help="score-batch manifest for the whole-process comparison with the peer")
    ap.add_argument("--no-peer", action="store_true", help="skip the pocketsphinx run (minutes)")
    args = ap.parse_args()
    stages(args)
    if args.manifest.exists():
        against_peer(args.model, args.manifest, not args.no_peer)
    else:
        print(f"\n{args.manifest} not found: build the real dev set (benchmarks/accuracy.py) for the whole-process figures")


def child_cpu(cmd: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of a child process, stdout discarded."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    return usage.ru_utime + usage.ru_stime, wall


def against_peer(model: Path, manifest: Path, peer: bool) -> None:
    lines = [ln for ln in manifest.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    seconds = sum(load_wav(manifest.parent / ln.split("\t")[0]).duration_s for ln in lines)
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.tsv"
        empty.write_text("# nothing to score\n")
        saywell = [sys.executable, "-m", "saywell", "score-batch", "--model", str(model), "--threads", "1"]
        start_cpu, _ = child_cpu(saywell + [str(empty)])
        cpu, wall = child_cpu(saywell + [str(manifest)])
    print(f"\n{manifest.name}: {len(lines)} lines, {seconds:.0f} s of audio; one process each, one thread, CPU from the kernel")
    print(f"saywell score-batch: {cpu:.2f} s CPU ({wall:.1f} s wall) = {cpu / seconds * 1000:.2f} ms per audio second; "
          f"start-up alone (interpreter, imports, model load) {start_cpu:.2f} s; without it "
          f"{(cpu - start_cpu) / seconds * 1000:.2f} ms per audio second")
    if peer:
        pcpu, pwall = child_cpu([sys.executable, str(ROOT / "benchmarks" / "peer_pocketsphinx.py"), "--manifest", str(manifest)])
        print(f"pocketsphinx GOP peer: {pcpu:.2f} s CPU ({pwall:.1f} s wall) = {pcpu / seconds * 1000:.2f} ms per audio second")
        print(f"peer / saywell CPU, start-up included: {pcpu / cpu:.1f}x")


def stages(args) -> None:
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
