"""Start a language's network from another language's trained one instead of at random.

English was trained on 55 voices; Spanish, French and Italian on about ten each. The body (stem and blocks) of
the English network has learnt acoustics that hold across speakers and channels, and a language with few
voices can start from it and learn its own phones on top (transfer learning, as low-resource speech recognizers
start from a high-resource language).

The source is a shipped float TFLite model: the converter folded each batch norm into the convolution before
it, so each layer's folded kernel and bias are read back, and each batch norm of the new network is set to pass
its input through with that bias added: in inference from its moving statistics, and in training from the
batch's, because its scale and centre are estimated on the target language's own windows. Head rows of phones
that sound alike in the two sets (ALIKE: Spanish `p` and English P) start from the source's rows, the others at
random.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# IPA phones of the other languages -> the English (ARPAbet) phone whose head row they start from. Only sounds
# an English listener would write with that phone; the rest (trills, front rounded and nasal vowels) start at random.
ALIKE: dict[str, str] = {
    "a": "AA", "e": "EY", "ɛ": "EH", "i": "IY", "o": "OW", "ɔ": "AO", "u": "UW", "ə": "AH",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "f": "F", "v": "V", "θ": "TH", "s": "S", "z": "Z",
    "ʃ": "SH", "ʒ": "ZH", "tʃ": "CH", "dʒ": "JH", "x": "HH", "h": "HH", "j": "Y", "w": "W", "l": "L", "m": "M",
    "n": "N", "ŋ": "NG", "SIL": "SIL",
    # German: long and short vowels, diphthongs
    "aː": "AA", "eː": "EY", "iː": "IY", "oː": "OW", "uː": "UW", "ɪ": "IH", "ʊ": "UH", "ɐ": "AH", "aɪ": "AY",
    "aʊ": "AW", "ɔʏ": "OY",
}


def _layer_tensors(tflite_path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Layer name (stem, b0_dw, b0_pw, ..., head) -> (folded kernel in Keras layout, bias)."""
    from saywell.engine.model import _interpreter_api

    interp = _interpreter_api()[0](model_path=str(tflite_path))
    interp.allocate_tensors()
    if interp.get_input_details()[0]["dtype"] != np.float32:
        raise ValueError(f"{tflite_path} is quantized: start from the float model (NAME.float.tflite)")
    kernels, biases = {}, {}
    for t in interp.get_tensor_details():
        parts = t["name"].split(";")
        shape = tuple(t["shape"])
        last = parts[-1].split("/")
        if len(shape) == 4 and len(last) >= 2 and last[-1] in ("Conv2D", "depthwise"):
            kernels[last[-2]] = interp.get_tensor(t["index"])
        elif len(shape) == 1:
            for p in parts:
                bits = p.split("/")
                if len(bits) >= 3 and bits[-1] == "FusedBatchNormV3" and bits[-2].endswith("_bn"):
                    biases[bits[-2][:-3]] = interp.get_tensor(t["index"])
                    break
                if len(bits) >= 3 and bits[-2] == "head" and bits[-1] == "BiasAdd":
                    biases["head"] = interp.get_tensor(t["index"])
                    break
    out = {}
    for name, k in kernels.items():
        if name.endswith("_dw"):  # TFLite (1, k, 1, C) -> Keras (k, 1, C, 1)
            keras_k = k[0, :, 0, :][:, None, :, None]
        else:  # TFLite (out, kh, kw, in) -> Keras (kh, kw, in, out)
            keras_k = np.transpose(k, (1, 2, 3, 0))
        out[name] = (keras_k, biases[name])
    return out


def init_from_model(model, tflite_path: Path, classes: tuple[str, ...], windows: np.ndarray) -> dict:
    """Loads the source network's body into `model` (same architecture, any head), estimates each batch norm on
    `windows` (a batch of the target language's training inputs), and starts the head rows of alike phones from
    the source's. Returns what was carried over."""
    import tf_keras as keras
    from saywell.engine.model import metadata_path

    meta = json.loads(metadata_path(Path(tflite_path)).read_text())
    source_phones = meta["phones"]
    layers = _layer_tensors(Path(tflite_path))
    missing = [l.name for l in model.layers if l.name in ("stem", "head") or l.name.endswith(("_dw", "_pw"))
               if l.name not in layers]
    if missing:
        raise ValueError(f"{tflite_path} has no weights for {', '.join(missing)}: not the same architecture")
    for name, (k, _) in layers.items():
        if name == "head":
            continue
        layer = model.get_layer(name)
        if layer.get_weights()[0].shape != k.shape:
            raise ValueError(f"{name}: {tflite_path} has {k.shape}, the new network {layer.get_weights()[0].shape}")
        layer.set_weights([k])
    # Batch norms in network order: each one's input statistics depend on the layers before it.
    for name in [l.name[:-3] for l in model.layers if l.name.endswith("_bn")]:
        bn = model.get_layer(f"{name}_bn")
        probe = keras.Model(model.input, model.get_layer(name).output)
        x = probe.predict(windows, verbose=0, batch_size=16)
        axes = tuple(range(x.ndim - 1))
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        gamma = np.sqrt(var + bn.epsilon)
        bn.set_weights([gamma, mean + layers[name][1], mean, var])
    head = model.get_layer("head")
    kernel, bias = head.get_weights()
    src_k, src_b = layers["head"]
    carried = {}
    for j, phone in enumerate(classes):
        src = ALIKE.get(phone, phone if phone in source_phones else None)
        if src in source_phones:
            i = source_phones.index(src)
            kernel[..., j], bias[j] = src_k[..., i], src_b[i]
            carried[phone] = src
    head.set_weights([kernel, bias])
    return {"source": Path(tflite_path).name, "head_rows_from_source": carried}
