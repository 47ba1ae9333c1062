"""The numpy frontend matches librosa, its own golden frames, and itself when fed in blocks."""

from pathlib import Path

import numpy as np
import pytest

from saywell.audio.wav import load_wav
from saywell.engine.features import FrontendConfig, StreamingFrontend, log_mel

GOLDEN = Path(__file__).parent / "data" / "golden_frames.npz"
CFG = FrontendConfig()


def _signal(seconds=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(CFG.sample_rate_hz * seconds)) / CFG.sample_rate_hz
    return (0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 2500 * t * (1 + t)) + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def test_matches_librosa_on_real_speech():
    librosa = pytest.importorskip("librosa")
    x = load_wav(Path(__file__).parent.parent / "audio_samples" / "real_hello.wav").samples
    ours = log_mel(x, CFG)
    left = (CFG.fft_size - CFG.window_samples) // 2  # librosa frames span fft_size samples, window centred
    mel = librosa.feature.melspectrogram(y=np.concatenate([np.zeros(left, np.float32), x]), sr=CFG.sample_rate_hz,
                                         n_fft=CFG.fft_size, hop_length=CFG.hop_samples, win_length=CFG.window_samples,
                                         window="hann", center=False, power=2.0, n_mels=CFG.n_mels,
                                         fmin=CFG.fmin_hz, fmax=CFG.fmax_hz, htk=False, norm="slaney")
    theirs = np.log(np.maximum(mel.T, CFG.log_floor))
    n = min(len(ours), len(theirs))
    assert n > 50 and abs(len(ours) - len(theirs)) <= 1
    # Tolerance: 1e-3 in natural-log units (0.004 dB) where there is energy; float32 FFT round-off only.
    loud = theirs[:n] > np.log(CFG.log_floor) + 5
    assert np.max(np.abs(ours[:n] - theirs[:n])[loud]) < 1e-3


def test_golden_frames():
    """Guards the frontend against silent changes: a shipped model was trained on exactly these features."""
    g = np.load(GOLDEN)
    np.testing.assert_allclose(log_mel(_signal(), CFG)[::10], g["frames"], atol=1e-4)


@pytest.mark.parametrize("block", [1, 160, 333, 4000])
def test_streaming_equals_batch(block):
    x = _signal(1.3, seed=1)
    s = StreamingFrontend(CFG)
    parts = [s.push(x[i:i + block]) for i in range(0, len(x), block)]
    np.testing.assert_allclose(np.concatenate(parts), log_mel(x, CFG), atol=1e-5)  # float32 matmul round-off only


def test_frame_count_and_silence_floor():
    assert log_mel(np.zeros(399, np.float32), CFG).shape == (0, CFG.n_mels)
    f = log_mel(np.zeros(16000, np.float32), CFG)
    assert f.shape == (98, CFG.n_mels)
    assert np.all(f == np.float32(CFG.pad_value))
