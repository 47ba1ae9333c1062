"""A few synthesized clips, a few steps of a teacher, of float (distilled), pruning and QAT, int8 export, then the
device scores with it."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, SAMPLES, run_cli

pytest.importorskip("tensorflow_model_optimization")


@pytest.fixture(scope="module")
def smoke_model(tmp_path_factory):
    work = tmp_path_factory.mktemp("smoke")
    r = subprocess.run([sys.executable, "-m", "saywell_train", "--preset", "smoke", "--work", str(work), "--out", str(work / "models"),
                        "--allow-int8-loss", "--set", "teacher_channels=16", "--set", "teacher_steps=4",
                        "--set", "foreign_voices=true", "--set", "voices=flite_awb,flite_rms,foreign_it_pc"], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return work / "models" / "saywell-en.tflite"


def test_export_writes_int8_float_and_metadata(smoke_model):
    meta = json.loads(smoke_model.with_suffix(".json").read_text())
    assert meta["input"]["dtype"] == "int8" and meta["output"]["dtype"] == "int8"
    assert meta["input"]["shape"][0] == 1  # fixed batch: no dynamic-shape ops in the graph
    assert set(meta["architecture"]["tflite_ops"]) <= {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "RESHAPE", "STRIDED_SLICE", "SLICE"}
    assert meta["phones"][-1] == "SIL" and len(meta["phones"]) == 40
    for key in ("calibration", "evaluation", "training"):
        assert key in meta
    assert meta["training"]["command"].startswith("saywell-train")
    assert (smoke_model.parent / "saywell-en.float.tflite").stat().st_size > smoke_model.stat().st_size


def test_the_teacher_was_fitted_and_distilled_from(smoke_model):
    work = smoke_model.parent.parent
    meta = json.loads(smoke_model.with_suffix(".json").read_text())
    assert (work / "fit_teacher" / "float.weights.h5").exists()
    assert json.loads((work / "fit_teacher" / "model_config.json").read_text())["channels"] == 16
    assert not (work / "fit_teacher" / "qat.weights.h5").exists(), "a teacher is a float model only"
    assert meta["training"]["recipe"]["teacher_channels"] == 16 and meta["training"]["fit"]["distill"] == 0.5


def test_a_foreign_voice_trains_with_masked_frames(smoke_model):
    from saywell_train.features import IGNORED, load

    work = smoke_model.parent.parent
    meta = json.loads(smoke_model.with_suffix(".json").read_text())
    assert meta["training"]["data"]["voices"]["foreign_it_pc"]["split"] == "train"
    fs = load(work / "features" / "train.npz")
    foreign = np.isin(np.repeat(np.array(fs.voices), np.diff(np.append(fs.starts, len(fs.labels)))), ["foreign_it_pc"])
    assert 0.1 < (fs.labels[foreign] == IGNORED).mean() < 0.7  # its vowels, stops and R
    assert not (fs.labels[~foreign] == IGNORED).any()


def test_pruning_reached_its_target(smoke_model):
    """Half of the conv weights are zero in the exported float model (prune-preserving QAT keeps them)."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(smoke_model.parent / "saywell-en.float.tflite"))
    it.allocate_tensors()
    sparsities = [float(np.mean(it.get_tensor(d["index"]) == 0)) for d in it.get_tensor_details()
                  if "_pw/" in d["name"] and list(d["shape"][1:3]) == [1, 1]]  # weights, not activations
    from saywell_train.model import ModelConfig

    assert len(sparsities) == ModelConfig().blocks  # one pointwise convolution per block
    assert min(sparsities) >= 0.45


def test_device_scores_with_the_fresh_model(smoke_model):
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "hello", "--json", "--model", str(smoke_model))
    verdict = json.loads(r.stdout)["verdict"]
    assert verdict in ("correct", "mispronounced", "no_speech")
    assert r.returncode == (2 if verdict == "no_speech" else 0), r.stderr  # a few steps may hear only silence


@pytest.fixture(scope="module")
def spanish_smoke_model(tmp_path_factory):
    from saywell_train.voices.fetched import voices_root

    if not all((voices_root() / "mbrola" / v / v).exists() for v in ("es1", "es3")):
        pytest.skip("MBROLA es1 and es3 not fetched (scripts/fetch-mbrola es1 es3)")
    work = tmp_path_factory.mktemp("smoke_es")
    r = subprocess.run([sys.executable, "-m", "saywell_train", "--preset", "smoke", "--work", str(work), "--out", str(work / "models"),
                        "--allow-int8-loss", "--set", "lang=es", "--set", "voices=mbrola_es1,mbrola_es3"],
                       capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return work / "models" / "saywell-es.tflite"


def test_a_spanish_model_is_made_by_the_same_stages(spanish_smoke_model):
    from saywell.engine.language import SPANISH

    meta = json.loads(spanish_smoke_model.with_suffix(".json").read_text())
    assert meta["language"] == "es" and meta["phones"] == list(SPANISH.phones) + ["SIL"]
    assert meta["training"]["heldout_voices"] == ["mbrola_es3"] and meta["training"]["data"]["language"] == "es"
    assert meta["evaluation"]["int8"]["heldout_scoring"]["n_mispronounced"] > 0  # es3's twins were scored
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "hola", "--json", "--model", str(spanish_smoke_model))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["lang"] == "es" and [p["phone"] for p in out["words"][0]["phones"]] == ["o", "l", "a"]


def test_a_shared_spanish_and_french_model_gives_each_language_its_view(tmp_path):
    """--set lang=es+fr: one fit on both languages' labels mapped onto the union of their phones; each language's
    view keeps only its own classes, with exactly the shared network's logits for them."""
    from ai_edge_litert.interpreter import Interpreter
    from saywell.engine.language import FRENCH, SPANISH
    from saywell_train.voices.fetched import voices_root

    voices = ("es1", "es3", "fr2", "fr4")
    if not all((voices_root() / "mbrola" / v / v).exists() for v in voices):
        pytest.skip(f"MBROLA {' '.join(voices)} not fetched (scripts/fetch-mbrola {' '.join(voices)})")
    out = tmp_path / "models"
    r = subprocess.run([sys.executable, "-m", "saywell_train", "--preset", "smoke", "--work", str(tmp_path), "--out", str(out),
                        "--allow-int8-loss", "--set", "lang=es+fr",
                        "--set", "voices=" + ",".join(f"mbrola_{v}" for v in voices)],
                       capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    shared = json.loads((out / "saywell-es+fr.json").read_text())
    union = set(SPANISH.phones) | set(FRENCH.phones)
    assert len(shared["phones"]) == len(union) + 1 and set(shared["phones"]) == union | {"SIL"}
    assert shared["training"]["data"]["languages"].keys() == {"es", "fr"}

    def logits(path, x):
        it = Interpreter(model_path=str(path))
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        return it.get_tensor(it.get_output_details()[0]["index"])[0]

    x = np.random.default_rng(0).normal(-5, 3, shared["input"]["shape"]).astype(np.float32)
    whole = logits(out / "saywell-es+fr.float.tflite", x)
    for lang in (SPANISH, FRENCH):
        view = json.loads((out / f"saywell-es+fr.{lang.code}.json").read_text())
        assert view["language"] == lang.code and view["phones"] == list(lang.phones) + ["SIL"]
        assert view["shared_model"]["classes"] == len(shared["phones"])
        assert view["training"]["heldout_voices"] == [f"mbrola_{v}" for v in voices if v in ("es3", "fr4") and v[:2] == lang.code]
        assert view["evaluation"]["int8"]["heldout_scoring"]["n_mispronounced"] > 0  # its held-out voice was scored
        columns = [shared["phones"].index(p) for p in view["phones"]]
        np.testing.assert_array_equal(logits(out / f"saywell-es+fr.{lang.code}.float.tflite", x), whole[:, columns])
