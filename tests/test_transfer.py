"""Starting a language's network from the shipped English one (train/transfer.py): the body is carried over
exactly, the head rows of alike phones too, and a network of another shape is refused."""

import json

import numpy as np
import pytest
from conftest import ROOT

pytest.importorskip("tf_keras")

ENGLISH = ROOT / "models" / "saywell-en.float.tflite"


def _tflite_logits(path, x):
    from saywell.engine.model import _interpreter_api

    interp = _interpreter_api()[0](model_path=str(path))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


def _windows(n, seed=0):
    return np.random.default_rng(seed).normal(-8.0, 3.0, size=(n, 90, 40, 1)).astype(np.float32)


def test_english_carried_over_reproduces_the_shipped_float_model():
    from saywell_train import transfer
    from saywell_train.model import ModelConfig, build

    phones = tuple(json.loads((ROOT / "models" / "saywell-en.json").read_text())["phones"])
    model = build(ModelConfig(), 90, batch_size=1)
    x = _windows(1)
    # the batch norms are estimated on windows whose statistics are x's own: then they pass x through exactly
    info = transfer.init_from_model(model, ENGLISH, phones, np.repeat(x, 4, axis=0))
    ref = _tflite_logits(ENGLISH, x)
    assert np.abs(model.predict(x, verbose=0) - ref).max() < 1e-3 * np.abs(ref).max()
    assert len(info["head_rows_from_source"]) == len(phones)
    # on other windows the batch norms' statistics differ: the network is close, not equal
    y = _windows(1, seed=1)
    assert np.corrcoef(model.predict(y, verbose=0).ravel(), _tflite_logits(ENGLISH, y).ravel())[0, 1] > 0.9


def test_spanish_head_starts_from_alike_english_phones_only():
    from saywell.engine.language import language
    from saywell_train import transfer
    from saywell_train.features import classes_for
    from saywell_train.model import ModelConfig, build

    classes = classes_for("es")
    model = build(ModelConfig(n_classes=len(classes)), 90, batch_size=1)
    before = model.get_layer("head").get_weights()[0].copy()
    info = transfer.init_from_model(model, ENGLISH, classes, _windows(8))
    carried = info["head_rows_from_source"]
    assert carried["p"] == "P" and carried["s"] == "S" and carried["SIL"] == "SIL"
    assert "r" not in carried and "ɲ" not in carried  # the trill and ñ have no English counterpart
    kernel = model.get_layer("head").get_weights()[0]
    english = json.loads((ROOT / "models" / "saywell-en.json").read_text())["phones"]
    src = transfer._layer_tensors(ENGLISH)["head"][0]
    j = classes.index("p")
    assert np.array_equal(kernel[..., j], src[..., english.index("P")])
    r = classes.index("r")
    assert np.array_equal(kernel[..., r], before[..., r])
    assert set(carried) <= set(language("es").phones) | {"SIL"}


def test_a_network_of_another_width_is_refused():
    from saywell_train import transfer
    from saywell_train.model import ModelConfig, build

    model = build(ModelConfig(channels=64), 90, batch_size=1)
    with pytest.raises(ValueError, match="saywell-en.float.tflite"):
        transfer.init_from_model(model, ENGLISH, ("SIL",), _windows(2))


def test_the_int8_model_is_refused():
    from saywell_train import transfer
    from saywell_train.model import ModelConfig, build

    model = build(ModelConfig(), 90, batch_size=1)
    with pytest.raises(ValueError, match="float model"):
        transfer.init_from_model(model, ROOT / "models" / "saywell-en.tflite", ("SIL",), _windows(2))
