"""The device side must never pull in TensorFlow or librosa (start-up time and memory on a Pi)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import importlib, pkgutil, sys
for heavy in ("tensorflow", "tf_keras", "keras", "librosa", "tensorflow_model_optimization", "scipy", "sklearn", "torch"):
    sys.modules[heavy] = None  # any import of these now raises ImportError
import saywell
names = [m.name for m in pkgutil.walk_packages(saywell.__path__, "saywell.") if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
from saywell.audio.wav import load_wav
from saywell.engine.model import AcousticModel
from saywell.engine.scoring import Scorer
scorer = Scorer(AcousticModel(sys.argv[1]))
result = scorer.score(load_wav(sys.argv[2]), "hello")
print(len(names), result.verdict)
"""


def test_device_imports_and_scores_without_heavy_packages():
    from conftest import MODEL, SAMPLES

    out = subprocess.run([sys.executable, "-c", PROBE, str(MODEL), str(SAMPLES / "real_hello.wav")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    n_modules, verdict = out.stdout.split()
    assert int(n_modules) >= 10
    assert verdict in ("correct", "mispronounced")
