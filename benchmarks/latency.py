"""How quickly and cheaply `saywell practice` answers, against the targets for a classroom Pi.

    .venv/bin/python benchmarks/latency.py [--model models/saywell-en.tflite] [--rounds 10] [--startups 5]

- end-of-speech -> result latency (target <= 50 ms): from the moment the VAD decides speech has ended to the
  scored result, as practice reports it (latency_ms). Every clip of audio_samples/, in room tone, streamed
  through the Listener `rounds` times as fast as possible; and the same figure from the real-time run below.
- CPU share while listening (target <= 10 % of one core): a `saywell practice --input - --json` process fed
  s16le PCM in real time (the clips, one per word, with pauses), like a microphone: its CPU time / wall time
  from its 'listening' event to its end, read from /proc.
- peak RSS (target <= 100 MB): that process's maximum resident set (wait4).
- start-up (target <= 1.5 s): from starting `saywell practice --input clip.wav` to its 'listening' event;
  with --device, also on that microphone (where 'listening' waits for the device's first audio).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import Audio, load_wav  # noqa: E402
from saywell.apps.cli import read_manifest  # noqa: E402
from saywell.engine.listener import Listener  # noqa: E402
from saywell.engine.model import AcousticModel, model_path_from_env  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402
from saywell.audio.sources import WavSource  # noqa: E402

RATE = 16000
TARGETS = {"latency_ms": 50.0, "cpu_pct": 10.0, "rss_mb": 100.0, "startup_s": 1.5}


def room(seconds: float, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * 10 ** (-65 / 20)).astype(np.float32)


def clips() -> list[tuple[np.ndarray, str]]:
    rows = [r for r in read_manifest(ROOT / "audio_samples" / "manifest.tsv") if len(r) == 4]
    return [(load_wav(a).samples, t) for _, a, t, _ in rows]


def p95(xs: list[float]) -> float:
    return float(np.percentile(xs, 95))


def in_process_latency(scorer: Scorer, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        for i, (x, text) in enumerate(clips()):
            y = np.concatenate([room(0.6, i), x + room(len(x) / RATE, i + 1), room(0.8, i + 2)])
            listener = Listener(WavSource(Audio(y, RATE), realtime=False), scorer)
            for ev in listener.listen(text, scorer.pronunciations(text)):
                if ev.kind == "result":
                    out.append(ev.latency_ms)
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def realtime_run(model: Path, pause_s: float = 1.2) -> dict:
    """A practice process fed PCM in real time on stdin; CPU from its 'listening' on, peak RSS, latencies."""
    cs = list({t: (x, t) for x, t in reversed(clips())}.values())[::-1]  # a word list may not repeat a word
    words = Path(tempfile.mkdtemp(prefix="saywell-latency-")) / "words.txt"
    words.write_text("".join(t + "\n" for _, t in cs) + "water\n")  # one more: still listening when audio ends
    audio = np.concatenate([np.concatenate([room(pause_s, i), x + room(len(x) / RATE, i + 50)]) for i, (x, _) in enumerate(cs)]
                           + [room(pause_s, 99)])
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    proc = subprocess.Popen([sys.executable, "-m", "saywell", "practice", "--input", "-", "--list", str(words), "--json",
                             "--model", str(model)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=False)
    events, listening = [], threading.Event()
    mark = {}

    def read():
        for line in proc.stdout:
            ev = json.loads(line)
            if ev["event"] == "listening" and not listening.is_set():
                mark["cpu"], mark["wall"] = cpu_seconds(proc.pid), time.perf_counter()
                listening.set()
            events.append(ev)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    listening.wait(30)
    block = int(0.03 * RATE) * 2
    t0 = time.perf_counter()
    for k, i in enumerate(range(0, len(pcm), block)):  # a microphone: 30 ms of audio every 30 ms
        time.sleep(max(0.0, t0 + k * 0.03 - time.perf_counter()))
        proc.stdin.write(pcm[i:i + block])
        proc.stdin.flush()
    end_cpu, end_wall = cpu_seconds(proc.pid), time.perf_counter()
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(5)
    return {
        "cpu_pct": 100 * (end_cpu - mark["cpu"]) / (end_wall - mark["wall"]),
        "seconds": end_wall - mark["wall"],
        "rss_mb": usage.ru_maxrss / 1024,
        "latencies": [e["latency_ms"] for e in events if e["event"] == "result"],
        "results": sum(e["event"] == "result" for e in events),
        "words": len(cs),
        "returncode": proc.returncode,
    }


def startup(model: Path, n: int, device: str | None = None) -> list[float]:
    """Seconds to the 'listening' event; with a device, that includes opening it and its first audio."""
    source = ["--device", device] if device else ["--input", str(ROOT / "audio_samples" / "real_hello.wav")]
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "saywell", "practice", *source, "--word", "hello", "--json",
                                 "--model", str(model)], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()
        out.append(time.perf_counter() - t0)
        if device:
            proc.kill()
        assert first and json.loads(first)["event"] == "listening", first
        proc.communicate()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=model_path_from_env())
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--startups", type=int, default=5)
    ap.add_argument("--device", help="also time start-up on this microphone (index or name)")
    args = ap.parse_args()
    scorer = Scorer(AcousticModel(args.model))
    lat = in_process_latency(scorer, args.rounds)
    rt = realtime_run(args.model)
    starts = startup(args.model, args.startups)
    mic_starts = startup(args.model, args.startups, args.device) if args.device else []
    load = os.getloadavg()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, "
          f"load average {load[0]:.1f} {load[1]:.1f}; model {args.model}")
    rows = [
        ("end-of-speech -> result, median", statistics.median(lat), "ms", "latency_ms"),
        (f"end-of-speech -> result, p95 ({len(lat)} utterances, as fast as possible)", p95(lat), "ms", "latency_ms"),
        (f"end-of-speech -> result, p95 (real time, {len(rt['latencies'])} utterances)", p95(rt["latencies"]) if rt["latencies"] else float("nan"), "ms", "latency_ms"),
        (f"CPU while listening ({rt['seconds']:.0f} s of real-time audio, {rt['results']}/{rt['words']} words scored)", rt["cpu_pct"], "% of one core", "cpu_pct"),
        ("peak RSS of the practice process", rt["rss_mb"], "MB", "rss_mb"),
        (f"start-up to 'listening', median of {len(starts)} (max {max(starts):.2f} s)", statistics.median(starts), "s", "startup_s"),
    ]
    if mic_starts:
        rows.append((f"start-up to 'listening' on microphone {args.device!r}, first audio in (max {max(mic_starts):.2f} s)",
                     statistics.median(mic_starts), "s", "startup_s"))
    for name, value, unit, key in rows:
        ok = "ok" if value <= TARGETS[key] else "OVER TARGET"
        print(f"  {name:84} {value:8.2f} {unit:14} target <= {TARGETS[key]:g}  {ok}")


if __name__ == "__main__":
    main()
