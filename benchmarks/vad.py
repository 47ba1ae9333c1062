"""Which utterance detector: energy with an adaptive floor (device/audio/vad.py) vs webrtcvad, measured.

    .venv/bin/python benchmarks/vad.py [--clips 80] [--webrtcvad-path DIR]

Real speech: Debian's asterisk-core-sounds-en-g722 (words from digits/, letters/, phonetic/ and short
prompts; decoded with ffmpeg), each placed between 1-1.6 s of noise and 2 s after, at a random speech
level (-32 to -14 dBFS), in white, pink, rumble (brown), mains hum and babble noise at 20, 10 and 5 dB
SNR, plus a quiet room. Truth: first to last frame of the clean clip within 40 dB of its loudest.

Per detector: 'captured' = the first utterance it would score covers the whole truth span (nothing cut,
no false start before it); 'cut' = it scored an utterance that misses part of the word; start delay and
end overshoot of the decision; and on 8 s of each noise alone, utterances it would have scored.
webrtcvad (pip install webrtcvad-wheels; optional) drives the same state machine as the energy
detector (onset, pre-roll, hangover), so only the frame classifier differs.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import load_wav  # noqa: E402
from saywell.audio.vad import PHRASE_HANGOVER_MS, Vad, VadConfig  # noqa: E402

SOUNDS = Path("/usr/share/asterisk/sounds/en")
SNRS = (20, 10, 5)
NOISES = ("white", "pink", "rumble", "hum", "babble")


def decode_clips(n: int, cache: Path) -> list[np.ndarray]:
    files = sorted(glob.glob(str(SOUNDS / "digits" / "*.g722")) + glob.glob(str(SOUNDS / "letters" / "*.g722"))
                   + glob.glob(str(SOUNDS / "phonetic" / "*.g722")) + glob.glob(str(SOUNDS / "*.g722")))
    files = [f for f in files if not any(k in Path(f).name for k in ("beep", "tone", "silence", "music"))]
    rng = np.random.default_rng(1)
    rng.shuffle(files)
    out = []
    cache.mkdir(parents=True, exist_ok=True)
    for f in files:
        wav = cache / (Path(f).parent.name + "_" + Path(f).stem + ".wav")
        if not wav.exists():
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", f, "-ar", "16000", "-ac", "1", str(wav)], check=True)
        x = load_wav(wav).samples
        if 0.3 <= len(x) / 16000 <= 4.0:
            out.append(x)
        if len(out) >= n:
            break
    return out


def truth_span(x: np.ndarray) -> tuple[int, int]:
    n = len(x) // 160
    e = 10 * np.log10(np.mean(x[: n * 160].reshape(n, 160).astype(np.float64) ** 2, axis=1) + 1e-12)
    act = np.flatnonzero(e > e.max() - 40)
    return int(act[0]), int(act[-1]) + 1


def noise(kind: str, n: int, rng, babble_src: list[np.ndarray]) -> np.ndarray:
    w = rng.standard_normal(n)
    if kind == "white":
        y = w
    elif kind in ("pink", "rumble"):
        f = np.fft.rfftfreq(n, 1 / 16000)
        spec = np.fft.rfft(w) / np.maximum(f, 20.0) ** (0.5 if kind == "pink" else 1.0)
        y = np.fft.irfft(spec, n)
    elif kind == "hum":
        t = np.arange(n) / 16000
        y = sum(np.sin(2 * np.pi * 50 * k * t + k) / k for k in range(1, 8)) + 0.05 * w
    elif kind == "babble":
        y = np.zeros(n)
        for _ in range(6):
            s = babble_src[rng.integers(len(babble_src))]
            reps = np.tile(s, n // len(s) + 2)
            off = rng.integers(len(s))
            y += reps[off:off + n]
    else:
        raise ValueError(kind)
    return (y / (np.sqrt(np.mean(y ** 2)) + 1e-12)).astype(np.float64)


def active_rms(x: np.ndarray) -> float:
    a, b = truth_span(x)
    return float(np.sqrt(np.mean(x[a * 160:b * 160].astype(np.float64) ** 2)))


class WebrtcVad(Vad):
    """The same state machine with webrtcvad's frame decisions as the level (0 dB = speech, -100 = not)."""

    def __init__(self, mode: int, cfg: VadConfig | None = None):
        import webrtcvad
        self._w = webrtcvad.Vad(mode)
        super().__init__(cfg)

    def levels(self, frames):
        pcm = (np.clip(frames, -1, 1) * 32767).astype("<i2")
        return np.array([0.0 if self._w.is_speech(f.tobytes(), 16000) else -100.0 for f in pcm])


def run_detector(make, x: np.ndarray) -> list[tuple[int, int, str]]:
    """(audio start frame, audio end frame, kind) of each utterance, decisions in order."""
    v = make()
    hop = 160
    frames = x[: len(x) // hop * hop].reshape(-1, hop)
    out, start = [], None
    for ev in v.process(frames) + [replace(e, kind="eof") if e.kind == "end" else e for e in v.flush()]:
        if ev.kind == "start":
            start = ev.audio_frame
        elif ev.kind in ("end", "discard", "eof"):
            out.append((start, ev.audio_frame, ev.kind, ev.speech_frame))
    return out


def evaluate(detectors: dict, clips, babble_src, seed=0):
    rng = np.random.default_rng(seed)
    stats = {name: {"n": 0, "captured": 0, "cut": 0, "missed": 0, "no_end": 0, "false_start": 0, "delay": [], "over": [], "noise_fp": 0,
                    "cond_fp": 0, "ms": 0.0, "frames": 0} for name in detectors}
    per_cond = {name: {} for name in detectors}
    conds = [(k, s) for k in NOISES for s in SNRS] + [("quiet-room", None)]
    for kind, snr in conds:
        for ci, clip in enumerate(clips):
            lead, tail = int(rng.uniform(1.0, 1.6) * 16000) // 160 * 160, 2 * 16000
            level = 10 ** (rng.uniform(-32, -14) / 20)
            speech = clip / active_rms(clip) * level
            n = lead + len(speech) + tail
            if snr is None:
                nz = noise("white", n, rng, babble_src) * 10 ** (-75 / 20)
            else:
                nz = noise(kind, n, rng, [b for i, b in enumerate(babble_src) if i != ci]) * level * 10 ** (-snr / 20)
            x = nz.copy()
            x[lead:lead + len(speech)] += speech
            x = np.clip(x, -1, 1).astype(np.float32)
            ts, te = truth_span(clip)
            ts, te = ts + lead // 160, te + lead // 160
            for name, make in detectors.items():
                t0 = time.perf_counter()
                utts = run_detector(make, x)
                st = stats[name]
                st["ms"] += (time.perf_counter() - t0) * 1000
                st["frames"] += len(x) // 160
                st["n"] += 1
                scored = [u for u in utts if u[2] in ("end", "eof")]
                c = per_cond[name].setdefault(f"{kind}@{snr}", [0, 0])
                c[1] += 1
                if not scored:
                    st["missed"] += 1
                    continue
                a, b, how, speech_end = scored[0]
                if how == "eof":  # a live microphone has no end of file: the learner would wait for 'too long'
                    st["no_end"] += 1
                    continue
                if b <= ts - 30:
                    st["false_start"] += 1
                    continue
                if a <= ts + 2 and b >= te - 2:
                    st["captured"] += 1
                    c[0] += 1
                    st["over"].append((b - te) * 10)
                else:
                    st["cut"] += 1
        # noise alone: what would be scored
        if snr is not None:
            nz = (noise(kind, 8 * 16000, rng, babble_src) * 10 ** (-23 / 20) * 10 ** (-snr / 20)).astype(np.float32)
            for name, make in detectors.items():
                fp = sum(1 for u in run_detector(make, nz) if u[2] == "end")
                stats[name]["noise_fp"] += fp
                stats[name]["cond_fp"] += fp > 0
    return stats, per_cond


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=80)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "saywell-vad-clips")
    ap.add_argument("--webrtcvad-path", help="folder holding the webrtcvad module, if not installed")
    args = ap.parse_args()
    if args.webrtcvad_path:
        sys.path.insert(0, args.webrtcvad_path)
    if not SOUNDS.exists():
        sys.exit(f"{SOUNDS} missing: apt-get install asterisk-core-sounds-en-g722")
    clips = decode_clips(args.clips + 20, args.cache)
    clips, babble_src = clips[: args.clips], clips
    base = VadConfig()
    detectors = {
        "energy (device/audio/vad.py)": lambda: Vad(base),
        "energy, phrase hangover": lambda: Vad(replace(base, hangover_ms=PHRASE_HANGOVER_MS)),
        "energy, full band": lambda: Vad(replace(base, band_hz=(0.0, 8000.0))),
        "energy, unsmoothed": lambda: Vad(replace(base, smooth_frames=1)),
        "energy, fast floor fall": lambda: Vad(replace(base, floor_fall_s=0.03)),
    }
    try:
        import webrtcvad  # noqa: F401
        for mode in (0, 1, 2, 3):
            detectors[f"webrtcvad mode {mode}"] = (lambda m: lambda: WebrtcVad(m, base))(mode)
    except ImportError:
        print("webrtcvad not importable: comparing energy variants only")
    stats, per_cond = evaluate(detectors, clips, babble_src)
    n_cond = len(NOISES) * len(SNRS)
    print(f"{len(clips)} real clips x {n_cond + 1} conditions; noise alone: {n_cond} conditions x 8 s")
    print(f"{'detector':28} {'captured':>9} {'cut':>6} {'missed':>7} {'no end':>7} {'false':>6} {'end+ms':>7} {'fp/noise':>9} {'us/frame':>9}")
    for name, st in stats.items():
        n = st["n"]
        print(f"{name:28} {100 * st['captured'] / n:8.1f}% {100 * st['cut'] / n:5.1f}% {100 * st['missed'] / n:6.1f}% "
              f"{100 * st['no_end'] / n:6.1f}% {100 * st['false_start'] / n:5.1f}% {np.median(st['over']) if st['over'] else float('nan'):7.0f} "
              f"{st['cond_fp']:>4}/{n_cond:<4} {1000 * st['ms'] / st['frames']:9.1f}")
    print("\ncaptured % per condition:")
    names = list(stats)
    print(f"{'condition':14}" + "".join(f"{n[:16]:>18}" for n in names))
    for cond in per_cond[names[0]]:
        print(f"{cond:14}" + "".join(f"{100 * per_cond[n][cond][0] / per_cond[n][cond][1]:18.0f}" for n in names))


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
