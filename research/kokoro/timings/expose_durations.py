"""Save a copy of Kokoro int8 ONNX with the duration predictor exposed as extra graph outputs:
  /encoder/Div_output_0   float32 (1, T): sum of sigmoid(duration_proj) / speed   (before rounding)
  /encoder/Cast_output_0  int64   (1, T): round + clip(min=1) -> frames actually used for the alignment
Run: ../venv/bin/python expose_durations.py  -> kokoro-v1.0.int8.dur.onnx (here)"""
import os
from pathlib import Path

import onnx
from onnx import TensorProto, helper
SRC = os.path.join(os.environ.get("KOKORO_JA_CACHE", str(Path(__file__).resolve().parents[3] / "work" / "kokoro_cache")), "kokoro-v1.0.int8.onnx")
m = onnx.load(SRC)
cast = next(n for n in m.graph.node if n.name == "/encoder/Cast")
to = next(a.i for a in cast.attribute if a.name == "to")
print("Cast to", TensorProto.DataType.Name(to))
m.graph.output.extend([
    helper.make_tensor_value_info("/encoder/Div_output_0", TensorProto.FLOAT, None),
    helper.make_tensor_value_info("/encoder/Cast_output_0", to, None),
])
onnx.save(m, "kokoro-v1.0.int8.dur.onnx")
print([o.name for o in m.graph.output])
