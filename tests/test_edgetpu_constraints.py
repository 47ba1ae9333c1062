"""The shipped model meets the Edge TPU compiler's published requirements, so every op can map to the TPU:
full int8 quantization, static shapes, supported ops only, tensors with at most 3 dimensions larger than 1."""

import json

import numpy as np
import pytest
from conftest import MODEL

# Ops the Edge TPU compiler maps (coral.ai/docs/edgetpu/models-intro, "Supported operations"), limited to ours.
EDGETPU_OPS = {"ADD", "CONV_2D", "DEPTHWISE_CONV_2D", "RESHAPE", "STRIDED_SLICE", "SLICE", "SOFTMAX", "FULLY_CONNECTED",
               "CONCATENATION", "MAX_POOL_2D", "AVERAGE_POOL_2D", "MUL", "LOGISTIC", "PAD", "QUANTIZE"}


@pytest.fixture(scope="module")
def interp():
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_path=str(MODEL), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    return it


def test_supported_ops_only(interp):
    ops = {op["op_name"] for op in interp._get_ops_details()}
    assert ops <= EDGETPU_OPS, ops - EDGETPU_OPS


def test_full_int8_with_int32_biases_only(interp):
    for d in interp.get_tensor_details():
        assert d["dtype"] in (np.int8, np.int32), (d["name"], d["dtype"])
        if d["dtype"] == np.int32:
            assert len(d["shape"]) == 1, f"int32 tensor {d['name']} is not a bias"
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8


def test_static_shapes_and_at_most_three_big_dims(interp):
    for d in interp.get_tensor_details():
        assert -1 not in list(d["shape_signature"]), f"{d['name']} has a dynamic dimension"
        assert sum(1 for s in d["shape"] if s > 1) <= 3, (d["name"], d["shape"])
    assert interp.get_input_details()[0]["shape"][0] == 1


def test_metadata_matches_the_graph(interp):
    meta = json.loads(MODEL.with_suffix(".json").read_text())
    assert list(interp.get_input_details()[0]["shape"]) == meta["input"]["shape"]
    assert list(interp.get_output_details()[0]["shape"]) == meta["output"]["shape"]
    st = meta["streaming"]
    assert meta["input"]["shape"][1] == st["left_context_frames"] + st["chunk_frames"] + st["lookahead_frames"]
    assert meta["output"]["shape"][1] == st["chunk_frames"]
