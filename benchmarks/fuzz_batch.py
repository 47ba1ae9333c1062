"""The score-batch fuzz run at scale: thousands of mutated WAVs, the largest inputs the limits allow, and the
ones past them, through the real `saywell score-batch`, `score` and `practice --input`; prints the figures.

    .venv/bin/python benchmarks/fuzz_batch.py [--wavs 3000] [--seed 1] [--keep DIR]

What it checks, as tests/test_fuzz_batch.py does on 300: one strict-JSON line per manifest line, exit 0, no
error a user cannot act on; and it reports the peak RSS of every command (its own, see fuzz_inputs.with_peak_rss)
against the 150 MB target of docs/contract.md, and the slowest line.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fuzz_inputs import SAMPLES, make_corpus, with_peak_rss  # noqa: E402

MODEL = ROOT / "models" / "saywell-en.tflite"
TARGET_MB = 150


@dataclass
class Run:
    code: int
    lines: list[str]
    line_s: list[float]  # seconds from the previous line (the first: from the start, model load included)
    stderr: str
    rss_mb: float
    wall_s: float


def run(*args: str) -> Run:
    """`saywell ARGS`, its stdout read line by line as it comes, and its own peak RSS."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rss"
        t0 = last = time.monotonic()
        p = subprocess.Popen(with_peak_rss([sys.executable, "-m", "saywell", *args, "--model", str(MODEL)], report),
                             stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT)
        lines, gaps = [], []
        for raw in p.stdout:
            now = time.monotonic()
            lines.append(raw.decode().rstrip("\n"))
            gaps.append(now - last)
            last = now
        p.wait()
        err.seek(0)
        return Run(p.returncode, lines, gaps, err.read().decode(errors="replace"), int(report.read_text()) / 1024,
                   time.monotonic() - t0)


def strict(line: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(line, parse_constant=refuse)


def problem(message: str) -> str:
    """An error message without its path and numbers, up to the fix: its kind."""
    m = re.sub(r"^(manifest line \d+|.*?\.wav'?|/dev/\w+|/proc/self/mem|\S+): ", "", message)
    return re.sub(r"\d+(\.\d+)?", "N", m.split(";")[0])[:90]


def large_inputs(folder: Path) -> list[tuple[Path, str, str]]:
    """(wav, text, what) at and past the limits: the longest and widest allowed, a lecture, a lying header."""
    def write(path: Path, data: bytes | int, tag: int, channels: int, rate: int, bits: int, declared: int | None = None) -> Path:
        """data: the samples, or a size to leave as a hole (a sparse file: only the header is under test)."""
        ba = channels * bits // 8
        n = (data if isinstance(data, int) else len(data)) if declared is None else declared
        with open(path, "wb") as f:
            f.write(b"RIFF" + struct.pack("<I", (36 + n) & 0xFFFFFFFF) + b"WAVEfmt " + struct.pack(
                "<IHHIIHH", 16, tag, channels, rate, rate * ba, ba, bits) + b"data" + struct.pack("<I", n & 0xFFFFFFFF))
            if isinstance(data, int):
                f.truncate(44 + data)
            else:
                f.write(data)
        return path

    import wave

    with wave.open(str(SAMPLES / "real_hello.wav")) as w:
        clip = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0
    speech = np.tile(clip, int(np.ceil(29.9 * 16000 / len(clip))))[: int(29.9 * 16000)]
    # 192 kHz: the same speech held 12 times (a staircase, but real levels and length)
    wide = np.repeat(speech, 12)
    ones = " ".join(["a"] * 100)  # the slowest 200 characters measured: 100 one-phone words
    return [
        (write(folder / "max_192k_stereo_float.wav", np.repeat(wide, 2).astype("<f4").tobytes(), 3, 2, 192000, 32),
         ones, "29.9 s, 192 kHz, 2 ch, float32 (46 MB), 200-char text"),
        (write(folder / "max_16k.wav", (speech * 32767).astype("<i2").tobytes(), 1, 1, 16000, 16),
         ones, "29.9 s, 16 kHz, 16-bit, 200-char text"),
        (write(folder / "max_16k_either.wav", (speech * 32767).astype("<i2").tobytes(), 1, 1, 16000, 16),
         " ".join(["either"] * 28), "29.9 s, 16 kHz, 28 words with two pronunciations each"),
        (write(folder / "lecture_30min.wav", 16000 * 2 * 1800, 1, 1, 16000, 16), "hello", "30 min, 16 kHz (refused)"),
        (write(folder / "lecture_30min_48k_stereo.wav", 48000 * 4 * 1800, 1, 2, 48000, 16), "hello",
         "30 min, 48 kHz stereo (refused)"),
        (write(folder / "declares_10mhz.wav", bytes(2_000_000), 1, 1, 10_000_000, 16), "hello", "2 MB declaring 10 MHz (refused)"),
        (write(folder / "declares_4gb.wav", (clip * 32767).astype("<i2").tobytes(), 1, 1, 16000, 16, declared=2**32 - 2),
         "hello", "a clip whose header declares 4 GB"),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wavs", type=int, default=3000, help="mutated WAVs in the manifest (default 3000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=40, help="fuzz WAVs also run through score and practice --input each")
    ap.add_argument("--keep", type=Path, help="write the inputs here and keep them (default: a temporary folder)")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="saywell-fuzz-"))
    ok = True
    try:
        t0 = time.monotonic()
        manifest, lines = make_corpus(folder / "fuzz", args.wavs, args.seed)
        print(f"inputs: {args.wavs} mutated WAVs + {len(lines) - args.wavs} odd paths and lines (seed {args.seed}), "
              f"made in {time.monotonic() - t0:.1f} s")
        r = run("score-batch", str(manifest))
        parsed = []
        for got in r.lines:
            try:
                parsed.append(strict(got))
            except ValueError:
                parsed.append(None)
        errors = Counter(problem(d["error"]) for d in parsed if isinstance(d, dict) and "error" in d)
        scored = sum(1 for d in parsed if isinstance(d, dict) and "verdict" in d)
        bugs = [d["error"] for d in parsed if isinstance(d, dict) and "bug in saywell" in d.get("error", "")]
        print(f"score-batch: exit {r.code}, {len(lines)} manifest lines -> {len(r.lines)} output lines, "
              f"{sum(d is None for d in parsed)} not strict JSON, {scored} scored, {sum(errors.values())} errors, "
              f"{len(bugs)} internal; peak RSS {r.rss_mb:.0f} MB; {r.wall_s:.1f} s "
              f"(slowest line {max(r.line_s[1:], default=0) * 1000:.0f} ms, first line incl. model load {r.line_s[0]:.2f} s)")
        print("errors by kind:")
        for kind, n in errors.most_common():
            print(f"  {n:6d}  {kind}")
        kinds = Counter(line.kind.split(":")[0] for line in lines)
        print("inputs by mutation:", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        ok &= r.code == 0 and len(r.lines) == len(lines) and None not in parsed and not bugs and "Traceback" not in r.stderr
        ok &= r.rss_mb < TARGET_MB

        rss = {"score": [], "practice": []}
        wavs = sorted((folder / "fuzz").glob("0*.wav"))[: args.sample]
        for w in wavs:
            for cmd, extra in (("score", ["--text", "hello", "--json"]),
                               ("practice", ["--word", "hello", "--fast", "--no-progress", "--json"])):
                one = run(cmd, str(w), *extra) if cmd == "score" else run(cmd, "--input", str(w), *extra)
                rss[cmd].append(one.rss_mb)
                ok &= one.code in (0, 2) and "Traceback" not in one.stderr
        for cmd, vals in rss.items():
            print(f"{cmd} on {len(vals)} fuzz WAVs: peak RSS max {max(vals):.0f} MB, median {np.median(vals):.0f} MB")
            ok &= max(vals) < TARGET_MB

        print("large inputs (score / practice --input / score-batch of one line):")
        big = folder / "large"
        big.mkdir(exist_ok=True)
        for wav, text, what in large_inputs(big):
            s = run("score", str(wav), "--text", text, "--json")
            p = run("practice", "--input", str(wav), "--word", text[:40], "--fast", "--no-progress", "--json")
            m = big / "one.tsv"
            m.write_text(f"{wav}\t{text}\n")
            b = run("score-batch", str(m))
            out = s.lines[0][:60] if s.lines else s.stderr.strip()[-90:]
            print(f"  {what}: score exit {s.code} {s.rss_mb:.0f} MB {s.wall_s:.1f} s | practice exit {p.code} "
                  f"{p.rss_mb:.0f} MB {p.wall_s:.1f} s | score-batch {len(b.lines)} line {b.rss_mb:.0f} MB {b.wall_s:.1f} s\n"
                  f"      {out}")
            ok &= max(s.rss_mb, p.rss_mb, b.rss_mb) < TARGET_MB and len(b.lines) == 1 and s.code in (0, 2) and p.code in (0, 2)
        print(f"verdict: {'PASS' if ok else 'FAIL'} (target: one line per manifest line, no traceback, RSS < {TARGET_MB} MB)")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
