"""Runs the int8 acoustic model chunk by chunk over log-mel frames, giving per-frame log posteriors.

The model is all 'valid' convolutions, so sliding fixed-size chunks (with their left context and
look-ahead) gives exactly the frames a whole-utterance pass would: results do not depend on chunking.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from pathlib import Path

import numpy as np

from .. import PROJECT_ROOT
from ..errors import SaywellError
from .metadata import ModelMetadata

DEFAULT_MODEL = PROJECT_ROOT / "models" / "saywell-en.tflite"


def _interpreter_api():
    try:
        from ai_edge_litert.interpreter import Interpreter, load_delegate
        return Interpreter, load_delegate
    except ImportError:
        pass
    try:
        import tflite_runtime
        from tflite_runtime.interpreter import Interpreter, load_delegate
    except ImportError as e:
        raise SaywellError("no TFLite interpreter installed; pip install ai-edge-litert (or tflite-runtime with numpy<2)") from e
    # tflite-runtime <= 2.14 (the last release) is built against numpy 1: with numpy 2 it imports, then
    # Interpreter() dies with a SystemError traceback. Say so in one line instead.
    version = getattr(tflite_runtime, "__version__", "0")
    if _major_minor(np.__version__) >= (2, 0) and _major_minor(version) <= (2, 14):
        raise SaywellError(f"tflite-runtime {version} needs numpy<2 but numpy {np.__version__} is installed; "
                           "pip install 'numpy<2' (or pip install ai-edge-litert, which works with numpy 2)")
    return Interpreter, load_delegate


def _major_minor(version: str) -> tuple[int, int]:
    parts = (version.split(".") + ["0", "0"])[:2]
    try:
        return int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) or 0)
    except ValueError:
        return (0, 0)


@contextlib.contextmanager
def _quiet_native_stderr():
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (embedded, some test runners): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


class AcousticModel:
    def __init__(self, path: str | Path = DEFAULT_MODEL, delegate: str | None = None, num_threads: int = 1):
        path = Path(path)
        if num_threads < 1:
            raise SaywellError(f"num_threads={num_threads}: give 1 or more interpreter threads")
        if not path.exists():
            raise SaywellError(f"model file {path} not found; pass --model PATH or reinstall saywell (models/ ships the default)")
        self.meta = ModelMetadata.load(metadata_path(path))
        Interpreter, load_delegate = _interpreter_api()
        delegates = []
        if delegate:
            try:
                ctypes.CDLL(delegate)  # a missing library fails here cleanly (load_delegate's failure path is noisy)
                delegates.append(load_delegate(delegate))
            except (ValueError, OSError, RuntimeError) as e:
                raise SaywellError(f"could not load delegate {delegate!r} ({e}); install its library "
                                   "(for a Coral Edge TPU: libedgetpu1-std) and check the device is plugged in, or run without --delegate") from e
        try:
            with _quiet_native_stderr():  # the runtime prints an INFO line per interpreter to fd 2
                self._interp = Interpreter(model_path=str(path), experimental_delegates=delegates or None, num_threads=num_threads)
                self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as e:
            raise SaywellError(f"{path}: not a valid TFLite model ({e}); reinstall saywell or re-export the model") from e
        inp, out = self._interp.get_input_details()[0], self._interp.get_output_details()[0]
        if tuple(inp["shape"]) != self.meta.input.shape or tuple(out["shape"]) != self.meta.output.shape:
            raise SaywellError(f"{path}: tensor shapes {tuple(inp['shape'])}->{tuple(out['shape'])} do not match its metadata; re-export the model")
        self._in_index, self._out_index = inp["index"], out["index"]
        self._in_dtype = inp["dtype"]
        self._in_q = inp["quantization"]
        self._out_q = out["quantization"]
        self.path = path

    @property
    def frontend(self):
        return self.meta.frontend

    def _run_chunk(self, frames: np.ndarray) -> np.ndarray:
        """frames: (input_frames, n_mels) float -> (chunk_frames, classes) log posteriors."""
        x = frames.reshape(self.meta.input.shape)
        scale, zp = self._in_q
        if self._in_dtype == np.int8:
            x = np.clip(np.round(x / scale + zp), -128, 127).astype(np.int8)
        else:
            x = x.astype(self._in_dtype)
        self._interp.set_tensor(self._in_index, x)
        self._interp.invoke()
        y = self._interp.get_tensor(self._out_index)
        scale, zp = self._out_q
        if y.dtype != np.float32:
            y = (y.astype(np.float32) - zp) * scale  # cast before subtracting the zero point
        y = y.reshape(self.meta.streaming.chunk_frames, -1)
        return log_softmax(y) if self.meta.output_is_logits else np.log(np.maximum(y, 1e-8))

    def stream(self) -> "PosteriorStream":
        return PosteriorStream(self)

    def log_posteriors(self, features: np.ndarray) -> np.ndarray:
        s = self.stream()
        parts = [s.push(features), s.finish()]
        return np.concatenate(parts, axis=0)


class PosteriorStream:
    """Feed log-mel frames as they arrive; get log posteriors for every frame whose look-ahead is available."""

    def __init__(self, model: AcousticModel):
        self.model = model
        st = model.meta.streaming
        self._st = st
        self._pad = model.meta.frontend.pad_value
        n_mels = model.meta.frontend.n_mels
        self._buf = np.full((st.left_context_frames, n_mels), self._pad, dtype=np.float32)
        self._frames_in = 0
        self._frames_out = 0

    def push(self, features: np.ndarray) -> np.ndarray:
        self._buf = np.concatenate([self._buf, np.asarray(features, np.float32)], axis=0)
        self._frames_in += len(features)
        return self._drain()

    def _drain(self, limit: int | None = None) -> np.ndarray:
        st, outs = self._st, []
        while len(self._buf) >= st.input_frames:
            outs.append(self.model._run_chunk(self._buf[: st.input_frames]))
            self._buf = self._buf[st.chunk_frames:]
        if not outs:
            return np.zeros((0, len(self.model.meta.phones)), np.float32)
        y = np.concatenate(outs, axis=0)
        if limit is not None:
            y = y[: max(0, limit - self._frames_out)]
        self._frames_out += len(y)
        return y

    def finish(self) -> np.ndarray:
        """Pad with silence for the look-ahead and the last partial chunk; returns the remaining frames."""
        st = self._st
        remaining = self._frames_in - self._frames_out
        if remaining <= 0:
            return np.zeros((0, len(self.model.meta.phones)), np.float32)
        need = st.left_context_frames + remaining + st.lookahead_frames
        n_chunks = -(-max(need - st.left_context_frames - st.lookahead_frames, 1) // st.chunk_frames)
        total = n_chunks * st.chunk_frames + st.left_context_frames + st.lookahead_frames
        pad = np.full((max(0, total - len(self._buf)), self._buf.shape[1]), self._pad, np.float32)
        self._buf = np.concatenate([self._buf, pad], axis=0)
        return self._drain(limit=self._frames_in)


def metadata_path(model: Path) -> Path:
    """NAME.json serves NAME.tflite and its variants NAME.float.tflite, NAME.unpruned.tflite, NAME_edgetpu.tflite."""
    stem = model.stem
    for suffix in (".float", ".unpruned", "_edgetpu"):
        if stem.endswith(suffix) and not model.with_suffix(".json").exists():
            stem = stem[: -len(suffix)]
    return model.with_name(stem + ".json")


def model_path_from_env() -> Path:
    return Path(os.environ.get("SAYWELL_MODEL", DEFAULT_MODEL))
