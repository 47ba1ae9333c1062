"""tflite-runtime (the alternative interpreter) gives the same results as ai-edge-litert, through the real CLI.

Opt-in: needs a separate venv with tflite-runtime 2.14 and numpy<2 and without ai-edge-litert
(`bash scripts/make-tflite-runtime-venv`), found at $SAYWELL_TFLRT_PYTHON or /tmp/tflrt-venv/bin/python.
Without it the tests are skipped; with $SAYWELL_TFLRT_PYTHON set to a missing or unsuitable python they fail.

Why the int8 model needs a tolerance: ai-edge-litert runs the int8 graph through its default XNNPACK delegate,
tflite-runtime 2.14 through the builtin kernels; they round requantization differently (60 % of the int8
outputs differ by 1-6 quanta, bit-exact when ai-edge-litert is told to skip XNNPACK). Over the 9 manifest
rows this moved utterance scores by at most 1.4 points and phone scores by at most 2.6 with the first model;
with the second, SH in joe_ship_as_sheep moved 8.3 (55.9 vs 64.2: a phone near the middle of the logistic,
where one nat of log posterior is ~16 points, and Arm's XNNPACK gives 65.1 too) and K in joe_think_as_sink 4.3.
With the third, ship/sheep's utterance score moved 3.0 (10.8 vs 7.8, both rejected): over all 540 real items
XNNPACK vs builtin int8 kernels moved 13 by more than 5 points (the first model: 11), each a near-tied alignment.
Verdicts were always equal here; that is the hard requirement, the bounds only catch gross divergence.
The float32 model has no requantization, so there the two must agree to rounding of the JSON.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MODEL, ROOT, SAMPLES

DEFAULT_TFLRT_PYTHON = Path("/tmp/tflrt-venv/bin/python")
CLIPS = [("real_hello.wav", "hello"), ("joe_think_as_sink.wav", "think"), ("joe_ship_as_sheep.wav", "ship")]
INT8_TOL = {"utterance": 4.0, "phone": 12.0, "seconds": 0.03}
FLOAT_TOL = {"utterance": 0.1, "phone": 0.1, "seconds": 0.0}

PROBE = "import numpy, tflite_runtime, saywell.engine.model as m; I, _ = m._interpreter_api(); print(I.__module__, numpy.__version__)"


@pytest.fixture(scope="module")
def tflrt_python() -> str:
    explicit = os.environ.get("SAYWELL_TFLRT_PYTHON")
    py = Path(explicit) if explicit else DEFAULT_TFLRT_PYTHON
    if not py.exists():
        why = f"no tflite-runtime venv at {py} (run `bash scripts/make-tflite-runtime-venv` or set SAYWELL_TFLRT_PYTHON)"
        if explicit:
            pytest.fail(why)
        pytest.skip(why)
    out = subprocess.run([str(py), "-c", PROBE], check=False, capture_output=True, text=True, cwd=ROOT, timeout=60)
    module = out.stdout.split()[0] if out.returncode == 0 and out.stdout.split() else None
    if module != "tflite_runtime.interpreter":
        why = f"{py} does not run saywell on tflite_runtime ({(out.stderr.strip().splitlines() or [out.stdout.strip()])[-1]})"
        if explicit:
            pytest.fail(why)
        pytest.skip(why)
    return str(py)


def _score(python: str, model: Path, clip: str, text: str) -> dict:
    out = subprocess.run([python, "-m", "saywell", "score", str(SAMPLES / clip), "--text", text, "--model", str(model), "--json"],
                         check=False, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, f"{python}: {out.stderr}"
    return json.loads(out.stdout)


def _compare(a: dict, b: dict, tol: dict, same_phone_decisions: bool) -> None:
    assert a["verdict"] == b["verdict"], (a, b)
    assert abs(a["score"] - b["score"]) <= tol["utterance"], (a["score"], b["score"])
    assert [w["word"] for w in a["words"]] == [w["word"] for w in b["words"]]
    for wa, wb in zip(a["words"], b["words"]):
        assert [p["phone"] for p in wa["phones"]] == [p["phone"] for p in wb["phones"]]
        for pa, pb in zip(wa["phones"], wb["phones"]):
            assert abs(pa["score"] - pb["score"]) <= tol["phone"], (pa, pb)
            assert abs(pa["start"] - pb["start"]) <= tol["seconds"] + 1e-9, (pa, pb)
            assert abs(pa["end"] - pb["end"]) <= tol["seconds"] + 1e-9, (pa, pb)
            if same_phone_decisions:
                assert (pa["ok"], pa["heard"]) == (pb["ok"], pb["heard"]), (pa, pb)


@pytest.mark.parametrize("clip,text", CLIPS)
def test_int8_scores_match_ai_edge_litert(tflrt_python, clip, text):
    # Phone ok/heard are not compared: a phone scoring within the tolerance of its threshold may flip
    # (joe_ship_as_sheep's P: 48.6 vs 51.2 against 50). Verdicts and scores are.
    _compare(_score(sys.executable, MODEL, clip, text), _score(tflrt_python, MODEL, clip, text), INT8_TOL, False)


@pytest.mark.parametrize("clip,text", CLIPS)
def test_float32_scores_are_identical(tflrt_python, clip, text):
    model = MODEL.with_name(MODEL.stem + ".float.tflite")
    if not model.exists():
        pytest.skip(f"{model} not shipped")
    _compare(_score(sys.executable, model, clip, text), _score(tflrt_python, model, clip, text), FLOAT_TOL, True)
