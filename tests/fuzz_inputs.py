"""Mutated WAVs and manifests for `saywell score-batch`, made on the fly from a seed so a failure replays exactly.

Used by tests/test_fuzz_batch.py (a few hundred inputs) and benchmarks/fuzz_batch.py (thousands, plus the
large files). Every WAV starts as a valid one (a real clip, a tone, noise or silence in one of the encodings
saywell reads) and then has its header fields, chunk layout, sizes or bytes mutated, as a broken recorder,
a bad converter or a hostile user would.
"""

from __future__ import annotations

import os
import random
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "audio_samples"
WORDS = ("hello", "three", "seven", "think", "ship", "very", "goodbye", "cat", "with", "received")
ENCODINGS = ((1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64))  # (format tag, bits)
RATES = (8000, 11025, 16000, 22050, 44100, 48000)


@dataclass(frozen=True)
class Line:
    """One manifest line that must give exactly one output line."""

    audio: str  # as written in the manifest
    text: str
    phones: str = ""
    kind: str = ""  # what made it, for the figures and for failure messages
    raw: str | None = None  # the whole line, when it is malformed on purpose


def _clips() -> list[np.ndarray]:
    """The demo clips as float mono 16 kHz (read with the standard library: the reader is what is under test)."""
    import wave

    out = []
    for p in sorted(SAMPLES.glob("*.wav")):
        with wave.open(str(p)) as w:
            out.append(np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0)
    return out


def _signal(rng: random.Random, clips: list[np.ndarray]) -> np.ndarray:
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(clips)
    n = rng.randint(0, 24000)
    if pick < 0.75:
        return (0.3 * np.sin(2 * np.pi * rng.uniform(80, 4000) * np.arange(n) / 16000)).astype(np.float32)
    if pick < 0.9:
        return np.random.default_rng(rng.randint(0, 2**31)).uniform(-1, 1, n).astype(np.float32)
    return np.zeros(n, np.float32)


def _encode(x: np.ndarray, tag: int, bits: int, channels: int) -> bytes:
    x = np.repeat(np.clip(x, -1, 1)[:, None], channels, axis=1).reshape(-1)
    if tag == 3:
        return x.astype("<f4" if bits == 32 else "<f8").tobytes()
    if bits == 8:
        return np.round(x * 127 + 128).astype(np.uint8).tobytes()
    v = np.round(x * (2 ** (bits - 1) - 1)).astype(np.int64)
    if bits == 24:
        b = (v & 0xFFFFFF).astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3]
        return b.tobytes()
    return v.astype("<i2" if bits == 16 else "<i4").tobytes()


def _chunk(cid: bytes, body: bytes, size: int | None = None, pad: bool = True) -> bytes:
    size = len(body) if size is None else size
    return cid + struct.pack("<I", size & 0xFFFFFFFF) + body + (b"\0" if pad and len(body) % 2 else b"")


def _fmt(tag, channels, rate, byte_rate, block_align, bits, extensible_sub: int | None = None) -> bytes:
    body = struct.pack("<HHIIHH", tag, channels, rate, byte_rate & 0xFFFFFFFF, block_align, bits)
    if extensible_sub is not None:
        body = struct.pack("<HHIIHH", 0xFFFE, channels, rate, byte_rate & 0xFFFFFFFF, block_align, bits)
        body += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", extensible_sub) + bytes(14)
    return body


def _wav(fmt_body: bytes, data: bytes, before: bytes = b"", data_size: int | None = None, riff: bytes = b"RIFF",
         wave_id: bytes = b"WAVE", riff_size: int | None = None, fmt_size: int | None = None) -> bytes:
    inner = wave_id + before + _chunk(b"fmt ", fmt_body, fmt_size) + _chunk(b"data", data, data_size, pad=False)
    return riff + struct.pack("<I", (len(inner) if riff_size is None else riff_size) & 0xFFFFFFFF) + inner


def mutated_wav(rng: random.Random, clips: list[np.ndarray]) -> tuple[bytes, str]:
    """A WAV with one kind of damage (or none), and the name of that kind."""
    tag, bits = rng.choice(ENCODINGS)
    channels = rng.choice((1, 1, 1, 2, 2, 3))
    rate = rng.choice(RATES)
    x = _signal(rng, clips)
    if rate != 16000:  # declared at another rate: same samples, other pitch; only the reader is under test
        x = x[: int(len(x) * rate / 16000)] if rate < 16000 else x
    data = _encode(x, tag, bits, channels)
    ba = channels * bits // 8
    fields = dict(tag=tag, channels=channels, rate=rate, byte_rate=rate * ba, block_align=ba, bits=bits)
    kind = rng.choice(("valid", "field", "field", "field", "block_align", "truncate", "data_size", "riff", "chunks",
                       "fmt_size", "flip", "extensible", "floats", "long", "tiny"))
    if kind == "field":
        name = rng.choice(list(fields))
        fields[name] = rng.choice({
            "tag": (0, 2, 3, 6, 7, 85, 0xFFFE, 0xFFFF),
            "channels": (0, 2, 7, 32, 33, 255, 65535),
            "rate": (0, 1, 4000, 7999, 192000, 192001, 10_000_000, 2**32 - 1),
            "byte_rate": (0, 1, 2**32 - 1),
            "block_align": (0, 1, 3, 5, 65535, ba + 1, max(0, ba - 1)),
            "bits": (0, 1, 4, 12, 20, 33, 64, 65535),
        }[name])
        kind = f"field:{name}"
    if kind == "block_align":  # the case that aborted whole batches: 16-bit, block_align not bits x channels
        fields.update(tag=1, bits=16, block_align=rng.choice((1, 3, 4, 6, 8)) if channels == 1 else 2)
        data = _encode(x, 1, 16, channels)
    fmt_body = _fmt(*fields.values())
    if kind == "extensible":
        fmt_body = _fmt(*fields.values(), extensible_sub=rng.choice((1, 3, 0, 2, 0xFFFF)))
        if rng.random() < 0.3:
            fmt_body = fmt_body[: rng.randint(16, 39)]
    if kind == "floats":
        v = np.frombuffer(_encode(x, 3, 32, 1), "<f4").copy()
        if len(v):
            idx = np.random.default_rng(rng.randint(0, 2**31)).integers(0, len(v), max(1, len(v) // 50))
            v[idx] = rng.choice((np.nan, np.inf, -np.inf, 1e30, -3e38))
        fmt_body, data = _fmt(3, 1, rate, rate * 4, 4, 32), v.astype("<f4").tobytes()
    if kind == "long":  # more than the 30 s limit, really there or only declared
        if rng.random() < 0.5:
            fmt_body, data = _fmt(1, 1, 8000, 8000, 1, 8), bytes([128]) * 8000 * rng.randint(31, 40)
        else:
            return _wav(fmt_body, data, data_size=rate * ba * rng.randint(31, 3600)), "long:declared"
    if kind == "tiny":
        data = data[: rng.randint(0, 8) * max(1, ba)]
    if kind == "data_size":
        size = rng.choice((0, 1, len(data) - 1, len(data) + 1, len(data) * 2, 2**31, 2**32 - 1))
        return _wav(fmt_body, data, data_size=max(0, size)), kind
    if kind == "fmt_size":
        return _wav(fmt_body, data, fmt_size=rng.choice((0, 1, 14, 15, 17, 18, 40, 2**31, 2**32 - 1))), kind
    if kind == "riff":
        return _wav(fmt_body, data, riff=rng.choice((b"RIFF", b"RIFX", b"RF64", b"riff")),
                    wave_id=rng.choice((b"WAVE", b"WAVX", b"AVI ")), riff_size=rng.choice((0, 4, 2**32 - 1, None))), kind
    if kind == "chunks":
        choice = rng.randrange(5)
        if choice == 0:  # odd-sized chunks, padded or not
            before = b"".join(_chunk(b"LIST", bytes(rng.randint(0, 9)), pad=rng.random() < 0.5) for _ in range(rng.randint(1, 4)))
        elif choice == 1:  # a chunk that claims to run past the end of the file
            before = _chunk(b"junk", b"abc", size=rng.choice((2**31, 2**32 - 1, 1 << 20)))
        elif choice == 2:  # thousands of empty chunks before the audio
            before = b"".join(_chunk(b"pad ", b"") for _ in range(rng.choice((10, 999, 2000))))
        elif choice == 3:  # a second fmt, different
            before = _chunk(b"fmt ", _fmt(1, 2, 44100, 176400, 4, 16))
        else:  # the data before its fmt
            return b"RIFF" + struct.pack("<I", 4 + 16 + len(data) + 24) + b"WAVE" + _chunk(b"data", data) + _chunk(b"fmt ", fmt_body), "chunks:data_first"
        return _wav(fmt_body, data, before=before), f"chunks:{choice}"
    wav = _wav(fmt_body, data)
    if kind == "truncate":
        cut = rng.choice((rng.randint(0, 60), rng.randint(0, len(wav))))
        return wav[:cut], kind
    if kind == "flip":
        b = bytearray(wav)
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(min(len(b), 64))] = rng.randrange(256)
        return bytes(b), kind
    return wav, kind


def special_lines(folder: Path, rng: random.Random) -> list[Line]:
    """Paths and lines that are not WAVs at all: things a manifest can name, and lines it can hold."""
    os.mkfifo(folder / "fifo.wav")
    (folder / "folder.wav").mkdir()
    os.symlink("loop.wav", folder / "loop.wav")
    (folder / "empty.wav").write_bytes(b"")
    locked = folder / "locked.wav"
    locked.write_bytes((SAMPLES / "real_hello.wav").read_bytes())
    locked.chmod(0)
    hello = str(SAMPLES / "real_hello.wav")
    out = [
        Line("fifo.wav", "hello", kind="special:fifo"),
        Line("/dev/zero", "hello", kind="special:device"),
        Line("/dev/null", "hello", kind="special:device"),
        Line("folder.wav", "hello", kind="special:folder"),
        Line("loop.wav", "hello", kind="special:symlink_loop"),
        Line("empty.wav", "hello", kind="special:empty"),
        Line("/proc/self/mem", "hello", kind="special:proc"),
        Line("locked.wav", "hello", kind="special:unreadable"),
        Line("missing.wav", "hello", kind="special:missing"),
        Line("x/" * 3000 + "a.wav", "hello", kind="special:name_too_long"),
        Line("bad\0name.wav", "hello", kind="special:nul"),
        Line(hello, "hello " * 60, kind="special:text_too_long"),
        Line(hello, "hello", "HH AH L OW " * 150, kind="special:phones_too_long"),
        Line(hello, "hello", "QQ ZZ", kind="special:unknown_phones"),
        Line(hello, "hello", "HH|AH|L", kind="special:phone_groups"),
        Line(hello, "!!!", kind="special:no_words"),
        Line(hello, "héllo ☃ 你好", kind="special:unicode_text"),
        Line(hello, "hello\r", kind="special:crlf"),
        Line("", "", kind="special:malformed", raw="just-one-column"),
        Line("", "", kind="special:malformed", raw="\thello"),
        Line("", "", kind="special:malformed", raw=f"{hello}\t   "),
        Line("", "", kind="special:line_too_long", raw=hello + "\t" + "a" * 70000),
    ]
    rng.shuffle(out)
    return out


def make_corpus(folder: Path, n_wavs: int, seed: int) -> tuple[Path, list[Line]]:
    """Writes n_wavs mutated WAVs, the special paths and a manifest naming them all (with blank lines and
    comments between, which give no output); returns the manifest and its lines that must each give one."""
    rng = random.Random(seed)
    clips = _clips()
    folder.mkdir(parents=True, exist_ok=True)
    lines: list[Line] = []
    for i in range(n_wavs):
        wav, kind = mutated_wav(rng, clips)
        (folder / f"{i:05d}.wav").write_bytes(wav)
        phones = rng.choice(("", "", "", "HH AH L OW", "k ae t"))
        lines.append(Line(f"{i:05d}.wav", rng.choice(WORDS), phones, kind))
    for line in special_lines(folder, rng):
        lines.insert(rng.randint(0, len(lines)), line)
    text = ["\ufeff# fuzz manifest, seed %d" % seed]
    for line in lines:
        if rng.random() < 0.05:
            text.append(rng.choice(("", "   ", "# a comment", "  # indented comment", "\t")))
        text.append(line.raw if line.raw is not None else "\t".join([line.audio, line.text] + ([line.phones] if line.phones else [])))
    manifest = folder / "manifest.tsv"
    manifest.write_text("\n".join(text) + "\n", encoding="utf-8")
    return manifest, lines


_REPORT_RSS = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def with_peak_rss(cmd: list[str], report: Path) -> list[str]:
    """cmd, run by a small Python that writes the command's own peak RSS (KiB) to `report`.

    wait4 straight from pytest or the benchmark would not do: a child's ru_maxrss counts the pages it
    shared with its (large) parent before exec.
    """
    import sys

    return [sys.executable, "-c", _REPORT_RSS, str(report), *cmd]
