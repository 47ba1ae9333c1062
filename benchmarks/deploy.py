"""Deployment figures, float32 vs int8, in both interpreters, measured in one run.

    .venv/bin/python benchmarks/deploy.py [--model models/saywell-en.tflite] [--rounds 20] [--startup-runs 5]
                                          [--tflrt-python /tmp/tflrt-venv/bin/python]

Per model file: bytes, gzip -9 bytes, fraction of zero conv weights (pointwise 1x1 / depthwise / other).
Per model x interpreter:
  - model ms per second of audio: AcousticModel.log_posteriors alone (one thread, the chunking of
    saywell.engine.model) over the clips in audio_samples/, median over rounds. ai-edge-litert runs in this
    process; tflite-runtime runs in a worker subprocess under --tflrt-python (default $SAYWELL_TFLRT_PYTHON or
    /tmp/tflrt-venv/bin/python; made by scripts/make-tflite-runtime-venv). The four variants are interleaved
    round by round, so drift hits them alike, and never run at the same time.
  - start-up: `python -m saywell score real_hello.wav --text hello --json` as a subprocess, from launch until
    its JSON line arrives (median of --startup-runs, interleaved); peak RSS of that child from os.wait4, i.e.
    the child's own rusage (resource.getrusage(RUSAGE_CHILDREN) would be the max over all children so far).

The shipped int8 model is the pruned one: float fit, then 50 % magnitude pruning, then prune-preserving
quantization-aware training (train/fit.py). The unpruned reference (`int8-unpruned`, when saywell-train has
written WORK/saywell-en.unpruned.tflite) is the float fit before pruning, post-training quantized: never
shipped, it shows what pruning changes. The float32 file is exported from the pruned float weights (before
QAT), so it is sparse too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from saywell.audio.wav import load_wav  # noqa: E402
from saywell.engine.features import log_mel  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402

DEFAULT_TFLRT = Path(os.environ.get("SAYWELL_TFLRT_PYTHON", "/tmp/tflrt-venv/bin/python"))
STARTUP_CLIP, STARTUP_TEXT = "real_hello.wav", "hello"


def clip_paths() -> list[Path]:
    return sorted((ROOT / "audio_samples").glob("*.wav"))


class Timer:
    """Times AcousticModel.log_posteriors over every clip (features precomputed), one thread."""

    def __init__(self, models: dict[str, Path]):
        self.models = {name: AcousticModel(path, num_threads=1) for name, path in models.items()}
        any_model = next(iter(self.models.values()))
        audio = [load_wav(p).samples for p in clip_paths()]
        self.seconds = sum(len(a) for a in audio) / any_model.frontend.sample_rate_hz
        self.feats = [log_mel(a, any_model.frontend) for a in audio]
        for m in self.models.values():  # warm-up: first invokes allocate and pack weights
            m.log_posteriors(self.feats[0])

    def round(self, name: str) -> float:
        """ms of model time per second of audio, one pass over the clips."""
        m = self.models[name]
        t0 = time.perf_counter()
        for f in self.feats:
            m.log_posteriors(f)
        return (time.perf_counter() - t0) * 1000 / self.seconds

    def interpreter(self) -> str:
        m = next(iter(self.models.values()))
        mod = type(m._interp).__module__.split(".")[0]
        dist = {"ai_edge_litert": "ai-edge-litert", "tflite_runtime": "tflite-runtime"}.get(mod, mod)
        from importlib.metadata import PackageNotFoundError, version
        try:
            return f"{dist} {version(dist)} (numpy {np.__version__})"
        except PackageNotFoundError:
            return f"{dist} (numpy {np.__version__})"


def worker(models: dict[str, Path]) -> None:
    """Subprocess mode: one line in (a model name) -> one line out (ms per second of audio)."""
    t = Timer(models)
    print(json.dumps({"interpreter": t.interpreter(), "seconds": t.seconds}), flush=True)
    for line in sys.stdin:
        print(json.dumps(t.round(line.strip())), flush=True)


class Remote:
    def __init__(self, python: Path, models: dict[str, Path]):
        self.proc = subprocess.Popen([str(python), __file__, "--worker", json.dumps({k: str(v) for k, v in models.items()})],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        hello = self.proc.stdout.readline()
        if not hello:
            raise RuntimeError(f"{python} worker failed to start (exit {self.proc.wait()})")
        info = json.loads(hello)
        self.interp, self.seconds = info["interpreter"], info["seconds"]

    def round(self, name: str) -> float:
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def startup(python: Path, model: Path) -> tuple[float, float]:
    """Seconds from launch to the first score on stdout, and the child's peak RSS in MB."""
    cmd = [str(python), "-m", "saywell", "score", str(ROOT / "audio_samples" / STARTUP_CLIP), "--text", STARTUP_TEXT,
           "--model", str(model), "--json"]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    line = p.stdout.readline()
    elapsed = time.perf_counter() - t0
    p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0 or "verdict" not in line:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {p.returncode})")
    return elapsed, ru.ru_maxrss / 1024  # Linux: kilobytes


def sparsity(path: Path, blobs: dict[str, list[bytes]] | None = None) -> dict[str, tuple[int, int]]:
    """(zeros, total) of the filter weights per conv kind: pointwise (1x1 CONV_2D), depthwise, other CONV_2D.
    With blobs, also collects each kind's raw weight bytes."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    shapes = {d["index"]: tuple(d["shape"]) for d in it.get_tensor_details()}
    out: dict[str, list[int]] = {"pointwise": [0, 0], "depthwise": [0, 0], "other conv": [0, 0]}
    for op in it._get_ops_details():
        if op["op_name"] not in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            continue
        w = it.get_tensor(op["inputs"][1])
        if op["op_name"] == "DEPTHWISE_CONV_2D":
            kind = "depthwise"
        else:
            kind = "pointwise" if shapes[op["inputs"][1]][1:3] == (1, 1) else "other conv"
        out[kind][0] += int(np.count_nonzero(w == 0))
        out[kind][1] += int(w.size)
        if blobs is not None:
            blobs.setdefault(kind, []).append(w.tobytes())
    return {k: (z, n) for k, (z, n) in out.items() if n}


def machine() -> str:
    info: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip().lower(), value.strip())
    except OSError:
        pass
    # x86: "model name"; Raspberry Pi: "Model" (the board) and no model name on older kernels
    cpu = " / ".join(v for v in (info.get("model name"), info.get("hardware")) if v) or platform.processor() or "?"
    if info.get("model") and not info["model"].isdigit():
        cpu = f"{info['model']}, {cpu}"
    return f"{platform.machine()}, {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def pct(z: int, n: int) -> str:
    return f"{100 * z / n:.1f}%" if n else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--startup-runs", type=int, default=5)
    ap.add_argument("--tflrt-python", type=Path, default=DEFAULT_TFLRT)
    ap.add_argument("--unpruned", type=Path, default=ROOT / "work" / "saywell-en.unpruned.tflite",
                    help="int8 post-training-quantized float fit before pruning (a reference, never shipped)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker({k: Path(v) for k, v in json.loads(args.worker).items()})

    models = {"int8": args.model, "float32": args.model.with_name(args.model.stem + ".float.tflite")}
    if args.unpruned.exists():  # made by saywell-train beside its work dir; needs the shipped metadata beside it
        tmp = Path(tempfile.mkdtemp(prefix="saywell-deploy-"))
        shutil.copy(args.model.with_suffix(".json"), tmp / args.model.with_suffix(".json").name)
        models["int8-unpruned"] = Path(shutil.copy(args.unpruned, tmp / f"{args.model.stem}.unpruned.tflite"))
    else:
        print(f"no unpruned reference at {args.unpruned} (saywell-train writes WORK/saywell-en.unpruned.tflite)")
    local = Timer(models)
    runners: dict[str, object] = {"ai-edge-litert": local}
    interp_desc = {"ai-edge-litert": local.interpreter() + ", in this process"}
    pythons = {"ai-edge-litert": Path(sys.executable)}
    if args.tflrt_python.exists():
        try:
            remote = Remote(args.tflrt_python, models)
            runners["tflite-runtime"] = remote
            interp_desc["tflite-runtime"] = f"{remote.interp}, worker under {args.tflrt_python}"
            pythons["tflite-runtime"] = args.tflrt_python
        except (RuntimeError, ValueError) as e:
            interp_desc["tflite-runtime"] = f"not usable ({e})"
    else:
        interp_desc["tflite-runtime"] = f"not installed (no {args.tflrt_python}; bash scripts/make-tflite-runtime-venv)"

    ms = {(i, m): [] for i in runners for m in models}
    for _ in range(args.rounds):
        for i, r in runners.items():
            for m in models:
                ms[(i, m)].append(r.round(m))
    if "tflite-runtime" in runners:
        runners["tflite-runtime"].close()

    start = {(i, m): [] for i in pythons for m in models}
    rss = {(i, m): [] for i in pythons for m in models}
    for _ in range(args.startup_runs):
        for i, py in pythons.items():
            for m, path in models.items():
                s, r = startup(py, path)
                start[(i, m)].append(s)
                rss[(i, m)].append(r)

    print(f"machine: {machine()}")
    for i, d in interp_desc.items():
        print(f"{i}: {d}")
    print(f"model time: {len(local.feats)} clips from audio_samples/, {local.seconds:.1f} s of audio, {args.rounds} rounds, "
          f"1 thread, chunked as saywell.engine.model; start-up: `python -m saywell score {STARTUP_CLIP} --json`, "
          f"median of {args.startup_runs}\n")

    print(f"{'model':13} {'bytes':>9} {'gzip -9':>9} {'gzip %':>7} {'zeros: pointwise':>17} {'depthwise':>10} {'other conv':>11}")
    for m, path in models.items():
        data = path.read_bytes()
        gz = len(gzip.compress(data, 9))
        sp = sparsity(path)
        cols = [pct(*sp[k]) if k in sp else "-" for k in ("pointwise", "depthwise", "other conv")]
        print(f"{m:13} {len(data):9d} {gz:9d} {100 * gz / len(data):6.1f}% {cols[0]:>17} {cols[1]:>10} {cols[2]:>11}")
    blobs: dict[str, list[bytes]] = {}
    sp = sparsity(models["int8"], blobs)
    z, n = sum(v[0] for v in sp.values()), sum(v[1] for v in sp.values())
    for kind in sorted(blobs, key=["pointwise", "depthwise", "other conv"].index):
        raw = b"".join(blobs[kind])
        print(f"  int8 {kind} weights alone: {len(raw)} bytes, gzip -9 {len(gzip.compress(raw, 9))} "
              f"({100 * len(gzip.compress(raw, 9)) / len(raw):.1f}%), {pct(*sp[kind])} zero")
    print(f"int8 conv weights: {z}/{n} zero ({pct(z, n)}); the shipped int8 model IS the pruned one (50 % magnitude pruning "
          f"+ prune-preserving QAT); int8-unpruned, when present, is the reference without pruning. The gzip "
          f"column is what the zeros buy when the file is compressed (download, image), not in RAM or latency.\n")

    print(f"{'interpreter':15} {'model':13} {'model ms/s audio':>17} {'p90':>7} {'start-up s':>11} {'peak RSS MB':>12}")
    for i in pythons:
        for m in models:
            v = ms.get((i, m))
            med = f"{statistics.median(v):.3f}" if v else "-"
            p90 = f"{np.percentile(v, 90):.3f}" if v else "-"
            print(f"{i:15} {m:13} {med:>17} {p90:>7} {statistics.median(start[(i, m)]):11.3f} {statistics.median(rss[(i, m)]):12.1f}")
    if "tflite-runtime" not in pythons:
        for m in models:
            print(f"{'tflite-runtime':15} {m:13} {'not installed':>17}")
    for i in runners:
        a, b = statistics.median(ms[(i, 'int8')]), statistics.median(ms[(i, 'float32')])
        print(f"{i}: int8/float32 model-time ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
