"""The acoustic model: a stack of (k,1) depthwise-separable convolutions over time, all 'valid'.

Edge TPU- and QAT-friendly ops only (Conv2D, DepthwiseConv2D, BatchNorm folded, ReLU, Add,
Cropping, Reshape). 'Valid' convolutions make the receptive field explicit: the runtime slides
fixed-size chunks with their context and gets exactly what a whole-utterance pass would give.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@dataclass(frozen=True)
class ModelConfig:
    n_mels: int = 40
    n_classes: int = 40
    # Chosen by research/architecture_search.py: best held-out frame accuracy of five candidates under
    # the budget (int8 <= 250 KB, <= 1 ms per audio second), and the smallest and second fastest of them.
    # Look-ahead 3 per block (a centred receptive field) beat 2 in full runs: real AUC 0.899 -> 0.911, held-out 0.788 -> 0.810.
    channels: int = 144
    stem_kernel: int = 5
    stem_lookahead: int = 2
    block_kernel: int = 7
    blocks: int = 6
    block_lookahead: tuple[int, ...] = (3, 3, 3, 3, 3, 3)  # look-ahead taps of each block (centred: 20 left, 20 right)
    # Spacing of each block's taps in frames: dilation widens the context at the same weights and operations.
    block_dilation: tuple[int, ...] = (1, 1, 1, 1, 1, 1)

    def span(self, b: int) -> tuple[int, int]:
        """(left, right) frames block b adds to the receptive field."""
        d = self.block_dilation[b]
        return (self.block_kernel - 1 - self.block_lookahead[b]) * d, self.block_lookahead[b] * d

    @property
    def receptive_field(self) -> int:
        return self.stem_kernel + sum(sum(self.span(b)) for b in range(self.blocks))

    @property
    def lookahead(self) -> int:
        return self.stem_lookahead + sum(self.span(b)[1] for b in range(self.blocks))

    @property
    def left_context(self) -> int:
        return self.receptive_field - 1 - self.lookahead

    def to_dict(self) -> dict:
        d = asdict(self)
        d["block_lookahead"] = list(self.block_lookahead)
        d["block_dilation"] = list(self.block_dilation)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        """Also reads models written before dilation existed (no block_dilation: every block 1)."""
        blocks = d["blocks"]
        return cls(**{**d, "block_lookahead": tuple(d["block_lookahead"]),
                      "block_dilation": tuple(d.get("block_dilation", (1,) * blocks))})


def dilation(text: str, blocks: int) -> tuple[int, ...]:
    """The recipe's block_dilation ("1,2,4,1,2,4"): one positive integer per block."""
    from saywell.errors import SaywellError

    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != blocks or min(values) < 1:
        raise SaywellError(f"block_dilation={text!r}: give {blocks} positive integers separated by commas, e.g. "
                           f"--set block_dilation={','.join(['1'] * blocks)}")
    return values


def build(cfg: ModelConfig, frames: int | None, batch_size: int | None = None, dropout: float = 0.0):
    """Keras (tf_keras) functional model: (batch, frames, n_mels, 1) -> (batch, frames - RF + 1, n_classes) logits.
    dropout > 0 adds dropout after the stem and each block (training only; the weights are the same list)."""
    import tf_keras as keras
    from tf_keras import layers

    inp = keras.Input((frames, cfg.n_mels, 1), batch_size=batch_size, name="logmel")
    x = layers.Conv2D(cfg.channels, (cfg.stem_kernel, cfg.n_mels), padding="valid", use_bias=False, name="stem")(inp)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="stem_drop")(x)
    for b in range(cfg.blocks):
        # The same dilation in both axes (the Edge TPU compiler asks for it); the width is 1, so only time is spread.
        k, dil = cfg.block_kernel, cfg.block_dilation[b]
        left, right = cfg.span(b)
        y = layers.DepthwiseConv2D((k, 1), padding="valid", dilation_rate=(dil, dil), use_bias=False, name=f"b{b}_dw")(x)
        y = layers.BatchNormalization(name=f"b{b}_dw_bn")(y)
        y = layers.ReLU(name=f"b{b}_dw_relu")(y)
        y = layers.Conv2D(cfg.channels, 1, use_bias=False, name=f"b{b}_pw")(y)
        y = layers.BatchNormalization(name=f"b{b}_pw_bn")(y)
        skip = layers.Cropping2D(((left, right), (0, 0)), name=f"b{b}_crop")(x)
        x = layers.Add(name=f"b{b}_add")([skip, y])
        x = layers.ReLU(name=f"b{b}_relu")(x)
        if dropout > 0:
            x = layers.Dropout(dropout, name=f"b{b}_drop")(x)
    x = layers.Conv2D(cfg.n_classes, 1, name="head")(x)
    out = layers.Reshape((-1 if frames is None else frames - cfg.receptive_field + 1, cfg.n_classes), name="logits")(x)
    return keras.Model(inp, out, name="saywell_acoustic")
