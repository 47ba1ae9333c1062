"""Posteriors do not depend on how audio arrives: whole utterance vs blocks of any size."""

import numpy as np
import pytest

from saywell.audio.wav import load_wav
from saywell.engine.features import StreamingFrontend, log_mel


@pytest.fixture(scope="module")
def model(scorer):
    return scorer.model


def test_shape_and_normalisation(model):
    from conftest import SAMPLES

    x = load_wav(SAMPLES / "real_goodbye.wav").samples
    feats = log_mel(x, model.frontend)
    lp = model.log_posteriors(feats)
    assert lp.shape == (len(feats), len(model.meta.phones))
    np.testing.assert_allclose(np.exp(lp).sum(axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("block_samples", [160, 1234, 8000])
def test_same_posteriors_for_any_block_size(model, block_samples):
    from conftest import SAMPLES

    x = load_wav(SAMPLES / "real_seven.wav").samples
    whole = model.log_posteriors(log_mel(x, model.frontend))
    front, stream = StreamingFrontend(model.frontend), model.stream()
    parts = [stream.push(front.push(x[i:i + block_samples])) for i in range(0, len(x), block_samples)]
    parts.append(stream.finish())
    streamed = np.concatenate(parts)
    assert streamed.shape == whole.shape
    # The int8 model sees identical inputs up to float round-off in the features; allow one quantization step.
    assert np.mean(np.argmax(streamed, 1) == np.argmax(whole, 1)) > 0.99
    np.testing.assert_allclose(streamed, whole, atol=0.15)


def test_empty_and_tiny_inputs(model):
    s = model.stream()
    assert s.finish().shape == (0, len(model.meta.phones))
    lp = model.log_posteriors(np.zeros((3, model.frontend.n_mels), np.float32) + model.frontend.pad_value)
    assert lp.shape == (3, len(model.meta.phones))
