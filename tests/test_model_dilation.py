"""Dilated blocks (train/model.py block_dilation): the receptive field the metadata states is exactly what each
output frame sees, so the device's chunked streaming stays equal to a whole-utterance pass."""

import numpy as np
import pytest

from saywell.errors import SaywellError


def _tiny(dilation):
    from saywell_train.model import ModelConfig

    return ModelConfig(channels=8, blocks=2, block_lookahead=(3, 2), block_dilation=dilation)


@pytest.mark.parametrize("dilation", [(1, 1), (2, 3)])
def test_each_output_sees_exactly_its_stated_context(dilation):
    from saywell_train.model import build

    cfg = _tiny(dilation)
    frames = 2 * cfg.receptive_field + 10
    model = build(cfg, frames, batch_size=1)  # random initial weights, batch norm as identity
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, frames, cfg.n_mels, 1)).astype(np.float32)
    base = model(x, training=False).numpy()[0]
    probe = cfg.receptive_field + 5  # an input frame with outputs on both sides
    x2 = x.copy()
    x2[0, probe] += 5.0
    changed = np.flatnonzero(np.abs(model(x2, training=False).numpy()[0] - base).max(axis=1) > 1e-6)
    # Output j is centred on input j + left_context: it sees inputs j .. j + receptive_field - 1.
    assert changed.min() == probe - cfg.receptive_field + 1 and changed.max() == probe
    assert cfg.left_context + cfg.lookahead + 1 == cfg.receptive_field


def test_dilation_widens_the_field_at_the_same_weights():
    from saywell_train.model import build

    plain, dilated = _tiny((1, 1)), _tiny((2, 3))
    assert (plain.receptive_field, plain.lookahead) == (5 + 6 + 6, 2 + 3 + 2)
    assert (dilated.receptive_field, dilated.lookahead) == (5 + 12 + 18, 2 + 6 + 6)
    assert build(plain, None).count_params() == build(dilated, None).count_params()


def test_old_metadata_without_dilation_reads_as_undilated():
    from saywell_train.model import ModelConfig

    d = _tiny((1, 1)).to_dict()
    del d["block_dilation"]
    assert ModelConfig.from_dict(d) == _tiny((1, 1))
    assert ModelConfig.from_dict(_tiny((2, 3)).to_dict()) == _tiny((2, 3))


@pytest.mark.parametrize("text", ["1,2", "1,2,x", "0,1,1,1,1,1", ""])
def test_a_bad_recipe_dilation_is_a_clear_error(text):
    from saywell_train.model import dilation

    with pytest.raises(SaywellError, match="block_dilation"):
        dilation(text, 6)
    assert dilation("1,2,4,1,2,4", 6) == (1, 2, 4, 1, 2, 4)
