"""Stage 4: export float32 and full-int8 TFLite (batch 1, fixed chunk shape) and write the metadata JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from saywell.engine.features import FrontendConfig
from saywell.engine.metadata import SCHEMA_VERSION

from .features import CLASSES
from .fit import qat_wrap
from .model import ModelConfig, build


def _convert(model, representative: np.ndarray | None) -> bytes:
    import tensorflow as tf

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if representative is not None:
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = lambda: ([r[None, ..., None].astype(np.float32)] for r in representative)
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    return conv.convert()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def tensor_specs(tflite_path: Path) -> tuple[dict, dict, list[str]]:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_path=str(tflite_path), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()

    def spec(d):
        scale, zp = d["quantization"]
        return {"shape": [int(s) for s in d["shape"]], "dtype": np.dtype(d["dtype"]).name, "scale": float(scale), "zero_point": int(zp)}

    ops = sorted({op["op_name"] for op in it._get_ops_details()})
    return spec(it.get_input_details()[0]), spec(it.get_output_details()[0]), ops


def export(mcfg: ModelConfig, weights_dir: Path, out_dir: Path, name: str, chunk_frames: int,
           representative: np.ndarray, frontend: FrontendConfig, extra: dict, classes: tuple[str, ...] = CLASSES) -> dict:
    """Writes NAME.tflite (int8), NAME.float.tflite and NAME.json; returns the metadata."""
    out_dir.mkdir(parents=True, exist_ok=True)
    in_frames = chunk_frames + mcfg.receptive_field - 1
    fm = build(mcfg, in_frames, batch_size=1)
    fm.load_weights(str(weights_dir / "pruned.weights.h5"))
    qm = qat_wrap(build(mcfg, in_frames, batch_size=1))
    qm.load_weights(str(weights_dir / "qat.weights.h5"))
    meta = {
        "schema_version": SCHEMA_VERSION,
        "name": name,
        "frontend": frontend.to_dict(),
        "phones": list(classes),
        "silence": "SIL",
        "output_is_logits": True,
        "streaming": {"chunk_frames": chunk_frames, "left_context_frames": mcfg.left_context, "lookahead_frames": mcfg.lookahead},
    } | _write_models(mcfg, fm, qm, out_dir, name, representative) | extra
    write_metadata(out_dir / f"{name}.json", meta)
    return meta


def _write_models(mcfg: ModelConfig, fm, qm, out_dir: Path, name: str, representative: np.ndarray) -> dict:
    """NAME.float.tflite from the float network fm and NAME.tflite (full int8) from its QAT copy qm; the metadata
    fields that describe them: input, output, architecture, files."""
    float_path, int8_path = out_dir / f"{name}.float.tflite", out_dir / f"{name}.tflite"
    _write(float_path, _convert(fm, None))
    _write(int8_path, _convert(qm, representative))
    inp, out, ops = tensor_specs(int8_path)
    return {
        "input": inp,
        "output": out,
        "architecture": mcfg.to_dict() | {"receptive_field_frames": mcfg.receptive_field, "parameters": int(fm.count_params()), "tflite_ops": ops},
        "files": {"int8": int8_path.name, "float32": float_path.name,
                  "int8_bytes": int8_path.stat().st_size, "float32_bytes": float_path.stat().st_size},
    }


def export_view(weights_dir: Path, out_dir: Path, name: str, shared: dict, columns: list[int], representative: np.ndarray,
                extra: dict) -> dict:
    """One language's view of a shared model (pipeline.run_shared): the same network with only the head's output
    columns of that language's classes, exported as a model of its own. Its logits are the shared model's for those
    classes, so its posteriors are the shared model's renormalised over the language's phones."""
    mcfg = ModelConfig.from_dict({k: v for k, v in shared["architecture"].items() if k in ModelConfig.__dataclass_fields__})
    chunk = shared["streaming"]["chunk_frames"]
    in_frames = chunk + mcfg.receptive_field - 1
    view = ModelConfig.from_dict(mcfg.to_dict() | {"n_classes": len(columns)})
    classes = tuple(shared["phones"][c] for c in columns)

    def sliced(make, weights: Path):
        full, part = make(mcfg), make(view)
        full.load_weights(str(weights))
        for a, b in zip(full.layers, part.layers):
            if a.weights:
                b.set_weights([w if w.shape == tuple(v.shape) else w[..., columns] for w, v in zip(a.get_weights(), b.weights)])
        return part

    fm = sliced(lambda c: build(c, in_frames, batch_size=1), weights_dir / "pruned.weights.h5")
    qm = sliced(lambda c: qat_wrap(build(c, in_frames, batch_size=1)), weights_dir / "qat.weights.h5")
    meta = ({k: v for k, v in shared.items() if k not in ("calibration", "evaluation")}
            | {"name": name, "phones": list(classes)} | _write_models(view, fm, qm, out_dir, name, representative) | extra)
    write_metadata(out_dir / f"{name}.json", meta)
    return meta


def write_metadata(path: Path, meta: dict) -> None:
    _write(path, (json.dumps(meta, indent=1) + "\n").encode())


def export_unpruned_int8(mcfg: ModelConfig, weights_dir: Path, out_path: Path, chunk_frames: int, representative: np.ndarray) -> None:
    """Reference for the pruning trade-off: the float fit before pruning, post-training quantized to int8.

    Never shipped; benchmarks/deploy.py sets it beside the shipped (pruned, QAT) model.
    """
    fm = build(mcfg, chunk_frames + mcfg.receptive_field - 1, batch_size=1)
    fm.load_weights(str(weights_dir / "float.weights.h5"))
    _write(out_path, _convert(fm, representative))
