"""Does the kiosk hold for a school day? It is fed a looping recording and watched: memory, files, errors.

    .venv/bin/python benchmarks/soak.py --duration 2h [--every 60] [--speed 1] [--idle-gap 25] [--out FILE]
    bash scripts/soak --duration 8h          # the same, on a device (installs what the kiosk needs first)

The recording: every clip in audio_samples/ with 1.5 s of quiet room between them, then --idle-gap seconds of room
(longer than the kiosk's --idle-timeout of 20 s, so each loop ends a session as a child leaving would; 0: one
endless session). It is written to `saywell kiosk --input -` as raw PCM in real time (--speed 4: four times
faster), looped until --duration has passed, then stdin is closed and the kiosk must exit 0 by itself. The kiosk
runs as a teacher runs it: the built-in list, a progress store and a state file in a fresh $SAYWELL_HOME, its log
in a file.

Every --every seconds the kiosk's RSS, open file descriptors, threads and CPU time are read from /proc, with the
words it has scored and the sessions it has started (from its log) and the progress store's size. At the end: the
table, and a verdict per resource from the least-squares slope after a warm-up (the first 10 % of the run, at
least 2 samples): RSS is 'flat' when the slope would add less than 5 MB over 8 hours, open files when it would
add less than one (a file open for a moment, the store's journal or the state file being rewritten, is not a
leak; one per session or per word would show at once); and every log line that is not a normal kiosk event, or
any line on the kiosk's stderr, counts as an error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import load_wav  # noqa: E402

RATE = 16000
IDLE_TIMEOUT_S = 20
NORMAL_EVENTS = {"ready", "resume_decision", "session_start", "session_end", "session_resume", "prompt", "speech_start",
                 "result", "feedback", "tone", "idle", "audio_warning", "end_of_input", "stop", "list_reloaded"}
FLAT_MB_PER_8H = 5.0


@dataclass(frozen=True)
class Sample:
    t_min: float
    rss_mb: float
    fds: int
    threads: int
    cpu_s: float
    words: int
    sessions: int
    store_kb: float


def parse_duration(text: str) -> float:
    """Seconds from '90s', '30m', '2h' or a plain number of minutes."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([smh]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; use e.g. 90s, 30m or 2h")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "": 60}[m.group(2)]


def recording(idle_gap_s: float, seed: int = 0) -> np.ndarray:
    """The clips with quiet room between them, and the idle gap at the end: one loop, as s16 PCM samples."""
    rng = np.random.default_rng(seed)

    def room(s: float) -> np.ndarray:
        return rng.standard_normal(int(s * RATE)).astype(np.float32) * np.float32(10 ** (-65 / 20))

    parts = []
    for clip in sorted((ROOT / "audio_samples").glob("*.wav")):
        x = load_wav(clip).samples
        parts += [room(1.5), x + room(len(x) / RATE)]
    parts.append(room(1.5 + idle_gap_s))
    return (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2")


def feed(stdin, pcm: np.ndarray, until: float, speed: float, stop: threading.Event) -> None:
    """Writes the loop again and again, paced like a microphone, until the time is up; then closes stdin."""
    step = RATE // 10  # 100 ms of audio a write
    sent, t0 = 0, time.monotonic()
    try:
        while time.monotonic() < until and not stop.is_set():
            i = sent % len(pcm)
            stdin.write(pcm[i:i + step].tobytes())
            sent += min(step, len(pcm) - i)
            delay = t0 + sent / RATE / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    except (BrokenPipeError, ValueError):
        pass  # the kiosk is gone: the main loop reports it
    finally:
        try:
            stdin.close()
        except OSError:
            pass


def proc_stats(pid: int) -> tuple[float, int, int, float]:
    """RSS (MB), open file descriptors, threads and CPU seconds of a live process."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return rss, fds, threads, cpu


def log_counts(log: Path) -> tuple[int, int, list[str]]:
    """Words scored, sessions started, and the lines that are not normal kiosk events."""
    words = sessions = 0
    odd = []
    for line in log.read_text(errors="replace").splitlines():
        event = line.split(" ")[1] if " " in line else ""
        words += event == "result"
        sessions += event in ("session_start", "session_resume")
        if event not in NORMAL_EVENTS:
            odd.append(line)
    return words, sessions, odd


def slope_per_hour(samples: list[Sample], field: str) -> float:
    t = np.array([s.t_min for s in samples]) / 60
    y = np.array([getattr(s, field) for s in samples], float)
    return float(np.polyfit(t, y, 1)[0]) if len(samples) >= 2 and np.ptp(t) > 0 else 0.0


def verdict(samples: list[Sample]) -> dict:
    warm = max(2, len(samples) // 10)
    steady = samples[warm:] if len(samples) > warm + 1 else samples
    rss_slope = slope_per_hour(steady, "rss_mb")
    fds_warm = max(s.fds for s in samples[:warm]) if samples else 0
    return {"rss_mb_per_hour": round(rss_slope, 3), "rss_flat": abs(rss_slope) * 8 < FLAT_MB_PER_8H,
            "rss_first_mb": samples[0].rss_mb if samples else None,
            "rss_steady_min_mb": min(s.rss_mb for s in steady) if steady else None,
            "rss_max_mb": max(s.rss_mb for s in samples) if samples else None,
            "fds_per_hour": round(slope_per_hour(steady, "fds"), 3), "fds_warm": fds_warm,
            "fds_max": max(s.fds for s in samples) if samples else None,
            "fds_flat": abs(slope_per_hour(steady, "fds")) * 8 < 1.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=parse_duration, default=parse_duration("2h"), help="e.g. 30m, 2h, 8h (default 2h)")
    ap.add_argument("--every", type=float, default=60.0, metavar="S", help="seconds between samples (default 60)")
    ap.add_argument("--speed", type=float, default=1.0, help="how much faster than real time to feed the audio")
    ap.add_argument("--idle-gap", type=float, default=25.0, metavar="S",
                    help=f"room at the end of each loop (over {IDLE_TIMEOUT_S} s ends a session; 0: one session)")
    ap.add_argument("--model", default=str(ROOT / "models" / "saywell-en.tflite"))
    ap.add_argument("--out", type=Path, help="append the samples and the verdict here as one JSON line")
    args = ap.parse_args()
    if args.duration <= 0 or args.every <= 0 or args.speed <= 0:
        ap.error("--duration, --every and --speed must be positive")
    pcm = recording(args.idle_gap)
    with tempfile.TemporaryDirectory(prefix="saywell-soak-") as tmp:
        home, log = Path(tmp) / "home", Path(tmp) / "kiosk.log"
        env = dict(os.environ, SAYWELL_HOME=str(home), SAYWELL_KIOSK_SILENT="1", PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-m", "saywell", "kiosk", "--input", "-", "--idle-timeout", str(IDLE_TIMEOUT_S),
               "--log", str(log), "--model", args.model]
        kiosk = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        start = time.monotonic()
        stop = threading.Event()
        feeder = threading.Thread(target=feed, args=(kiosk.stdin, pcm, start + args.duration, args.speed, stop), daemon=True)
        feeder.start()
        print(f"soak: kiosk pid {kiosk.pid}, a {len(pcm) / RATE:.0f} s loop at {args.speed:g}x for "
              f"{args.duration / 60:g} min, a sample every {args.every:g} s; {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        print(f"{'min':>7} {'RSS MB':>7} {'fds':>4} {'thr':>4} {'CPU s':>7} {'words':>6} {'sess':>5} {'store KB':>9}", flush=True)
        samples: list[Sample] = []
        next_at = start + min(args.every, 10.0)  # a first sample early: the start-up figure
        while kiosk.poll() is None and feeder.is_alive():
            time.sleep(max(0.0, min(1.0, next_at - time.monotonic())))
            if time.monotonic() < next_at:
                continue
            try:
                rss, fds, threads, cpu = proc_stats(kiosk.pid)
            except (OSError, AttributeError):
                break
            words, sessions, _ = log_counts(log) if log.exists() else (0, 0, [])
            store = home / "progress.sqlite3"
            size = sum(p.stat().st_size for p in (store, Path(f"{store}-wal")) if p.exists()) / 1024
            s = Sample(round((time.monotonic() - start) / 60, 2), round(rss, 1), fds, threads, round(cpu, 1), words,
                       sessions, round(size, 1))
            samples.append(s)
            print(f"{s.t_min:7.1f} {s.rss_mb:7.1f} {s.fds:4d} {s.threads:4d} {s.cpu_s:7.1f} {s.words:6d} "
                  f"{s.sessions:5d} {s.store_kb:9.1f}", flush=True)
            next_at = start + args.every * (int((time.monotonic() - start) / args.every) + 1)
        stop.set()
        feeder.join(timeout=5)
        try:
            code = kiosk.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kiosk.kill()
            code = kiosk.wait()
        stderr = kiosk.stderr.read().decode(errors="replace").strip()
        words, sessions, odd = log_counts(log) if log.exists() else (0, 0, [])
        elapsed = time.monotonic() - start
    v = verdict(samples)
    v.update(exit_code=code, minutes=round(elapsed / 60, 1), words=words, sessions=sessions, errors=len(odd),
             stderr_lines=len(stderr.splitlines()) if stderr else 0, speed=args.speed)
    ok = code == 0 and not odd and not stderr and v["rss_flat"] and v["fds_flat"] and elapsed >= args.duration * 0.98
    print(f"\nRSS: {v['rss_first_mb']} MB at the first sample, {v['rss_steady_min_mb']}-{v['rss_max_mb']} MB after "
          f"warm-up; slope {v['rss_mb_per_hour']:+.2f} MB/h -> {'flat' if v['rss_flat'] else 'GROWING'}")
    print(f"open files: {v['fds_warm']} in warm-up, at most {v['fds_max']}; slope {v['fds_per_hour']:+.3f}/h -> "
          f"{'flat' if v['fds_flat'] else 'GROWING'}")
    print(f"{words} words scored in {sessions} sessions over {elapsed / 60:.1f} min; kiosk exit code {code}; "
          f"{len(odd)} unexpected log lines, {v['stderr_lines']} stderr lines")
    for line in (odd[:5] + stderr.splitlines()[-5:]):
        print(f"  {line}")
    print(f"verdict: {'PASS' if ok else 'FAIL'}")
    if args.out:
        with args.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"verdict": v, "pass": ok, "samples": [asdict(s) for s in samples]}) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
