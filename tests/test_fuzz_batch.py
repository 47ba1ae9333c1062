"""Whatever a manifest holds, `saywell score-batch` prints one JSON line per line and goes on, in bounded memory.

A few hundred mutated WAVs and odd paths (tests/fuzz_inputs.py, fixed seed) through the real command line;
benchmarks/fuzz_batch.py runs the same with thousands and prints the figures.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import MODEL, ROOT, SAMPLES
from fuzz_inputs import make_corpus, with_peak_rss

MAX_RSS_MB = 150  # docs/contract.md, Limits
SEED, N_WAVS = 21, 300
CONTRACT_KEYS = {"text", "score", "verdict", "words", "completeness", "insertions", "fluency", "accent", "lang"}


def run_measured(*args: str, timeout: float = 120) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, peak RSS in MB) of `saywell ARGS`."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rss"
        p = subprocess.Popen(with_peak_rss([sys.executable, "-m", "saywell", *args], report), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
        try:
            stdout, stderr = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # the group this test started: the wrapper and saywell
            p.communicate()
            pytest.fail(f"saywell {' '.join(a[:40] for a in args)} still running after {timeout} s")
        return p.returncode, stdout.decode(), stderr.decode(errors="replace"), int(report.read_text()) / 1024


def strict_json(line: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(line, parse_constant=refuse)


def test_every_manifest_line_gives_one_json_line(tmp_path):
    manifest, lines = make_corpus(tmp_path / "fuzz", N_WAVS, SEED)
    code, stdout, stderr, rss = run_measured("score-batch", str(manifest), "--model", str(MODEL))
    assert code == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    out = stdout.splitlines()
    assert len(out) == len(lines), f"{len(out)} output lines for {len(lines)} manifest lines"
    kinds: dict[str, int] = {}
    for line, got in zip(lines, out):
        d = strict_json(got)
        assert isinstance(d, dict)
        if "error" in d:
            assert set(d) == {"error"} and isinstance(d["error"], str) and 10 < len(d["error"]) < 600, (line.kind, d)
            assert "bug in saywell" not in d["error"], (line.kind, d)  # every failure is one a user can act on
            assert "; " in d["error"], (line.kind, d)  # the problem; the fix
        else:
            assert set(d) == CONTRACT_KEYS and d["text"] == line.text.strip(), (line.kind, d)
            assert 0.0 <= d["score"] <= 100.0
        kinds[line.kind] = kinds.get(line.kind, 0) + ("error" in d)
        want_error = {"special:fifo": "FIFO", "special:device": "device", "special:folder": "folder",
                      "special:empty": "empty", "special:missing": "not found", "special:name_too_long": "too long",
                      "special:nul": "NUL", "special:text_too_long": "characters", "special:phones_too_long": "characters",
                      "special:line_too_long": "longer than", "block_align": "block align",
                      "long": "longer than the 30 s"}.get(line.kind)
        if want_error:
            assert want_error in d.get("error", ""), (line.kind, d)
    assert kinds.get("block_align", 0) > 0, "the seed made no block_align case: change SEED"
    assert sum(1 for g in out if '"verdict"' in g) > N_WAVS // 10, "too few inputs scored: the mutations miss the scorer"
    print(f"score-batch peak RSS {rss:.0f} MB")
    assert rss < MAX_RSS_MB, f"score-batch peaked at {rss:.0f} MB RSS"


def _sparse_wav(path, seconds: int, rate: int = 16000) -> None:
    """A valid 16-bit mono WAV header declaring `seconds` of audio, the samples a hole: no disk, no time."""
    import struct

    n = rate * 2 * seconds
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + n) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
                + b"data" + struct.pack("<I", n))
        f.truncate(44 + n)


@pytest.mark.parametrize("command", ["score", "practice"])
def test_thirty_minutes_refused_from_the_header(tmp_path, command):
    wav = tmp_path / "lecture.wav"
    _sparse_wav(wav, 30 * 60)
    args = (["score", str(wav), "--text", "hello", "--json"] if command == "score"
            else ["practice", "--input", str(wav), "--word", "hello", "--fast", "--no-progress", "--json"])
    t0 = time.monotonic()
    code, stdout, stderr, rss = run_measured(*args, "--model", str(MODEL), timeout=60)
    assert code == 2 and stdout == ""
    assert stderr.strip().splitlines() == [stderr.strip()] and "Traceback" not in stderr
    assert "1800.0 s of audio" in stderr and "30 s" in stderr
    assert rss < MAX_RSS_MB and time.monotonic() - t0 < 30


@pytest.mark.parametrize("make,needle", [
    (lambda p: os.mkfifo(p), "FIFO"),
    (lambda p: os.symlink("/dev/zero", p), "device"),
])
def test_score_refuses_what_is_not_a_file_without_reading_it(tmp_path, make, needle):
    path = tmp_path / "in.wav"
    make(path)
    code, stdout, stderr, rss = run_measured("score", str(path), "--text", "hello", "--model", str(MODEL), timeout=60)
    assert code == 2 and needle in stderr and len(stderr.strip().splitlines()) == 1
    assert rss < MAX_RSS_MB


@pytest.mark.parametrize("args,needle", [
    (["score", str(SAMPLES / "real_hello.wav"), "--text", "hello " * 40], "more than the 200"),
    (["score", str(SAMPLES / "real_hello.wav"), "--text", "hello", "--phones", "HH " * 400], "more than the 1000"),
    (["practice", "--input", str(SAMPLES / "real_hello.wav"), "--fast", "--no-progress", "--word", "hello " * 40], "more than the 200"),
])
def test_text_over_the_limit_is_a_user_error(args, needle):
    r = subprocess.run([sys.executable, "-m", "saywell", *args, "--model", str(MODEL)], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1
