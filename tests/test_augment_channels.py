"""Codec round trips and vocal tract length warping: the labels must not move, the sound must change."""

import numpy as np
import pytest

from saywell.audio.wav import load_wav
from saywell.engine.features import FrontendConfig, log_mel, mel_filterbank
from saywell_train.codecs import CODECS, round_trip_many
from saywell_train.vtlp import warped_filterbank

CFG = FrontendConfig()
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _frame_lag(x: np.ndarray, y: np.ndarray) -> int:
    ex, ey = log_mel(x, CFG).mean(1), log_mel(y, CFG).mean(1)
    ex, ey = ex - ex.mean(), ey - ey.mean()
    scores = [float(np.dot(ex[5:-5], np.roll(ey, -s)[5:-5])) for s in range(-3, 4)]
    return int(np.argmax(scores)) - 3


@pytest.mark.parametrize("codec", CODECS, ids=[c.name for c in CODECS])
def test_codec_round_trip_keeps_timing_and_changes_the_sound(codec):
    clips = [load_wav(ROOT / "audio_samples" / f"{n}.wav").samples for n in ("real_hello", "joe_think", "real_seven")]
    coded = round_trip_many(clips, codec)
    for x, y in zip(clips, coded):
        assert len(y) == len(x)
        assert _frame_lag(x, y) == 0, f"{codec.name} shifted the audio against its labels"
        diff = np.abs(log_mel(x, CFG) - log_mel(y, CFG)).mean()
        assert 0.01 < diff < 1.5, f"{codec.name}: mean log-mel change {diff:.3f}"


def _peak_hz(fb: np.ndarray, formant_hz: float) -> float:
    sr, t = 16000, np.arange(8000) / 16000
    x = sum(np.sin(2 * np.pi * h * 120 * t) * np.exp(-((h * 120 - formant_hz) / 150) ** 2) for h in range(1, 60))
    m = log_mel(x.astype(np.float32), CFG, fb).mean(0)
    base = mel_filterbank(CFG)
    centres = (base * np.linspace(0, sr / 2, base.shape[1])).sum(1) / base.sum(1)
    return float(centres[int(np.argmax(m))])


def test_vtlp_moves_formants_like_a_different_speaker():
    assert np.allclose(warped_filterbank(CFG, 1.0), mel_filterbank(CFG), atol=1e-6)
    neutral = _peak_hz(mel_filterbank(CFG), 1000)
    child = _peak_hz(warped_filterbank(CFG, 1.25), 1000)
    longer_tract = _peak_hz(warped_filterbank(CFG, 0.85), 1000)
    assert longer_tract < neutral * 0.95 and child > neutral * 1.08, (longer_tract, neutral, child)
    assert warped_filterbank(CFG, 1.3).shape == mel_filterbank(CFG).shape


def test_window_colour_shifts_speech_frames_by_a_smooth_envelope_and_leaves_padding():
    from saywell_train.features import FeatureSet
    from saywell_train.fit import WindowSampler
    from saywell_train.model import ModelConfig

    feats = log_mel(load_wav(ROOT / "audio_samples" / "real_hello.wav").samples, CFG)
    padded = np.concatenate([np.full((60, CFG.n_mels), CFG.pad_value, np.float32), feats]).astype(np.float16)
    fs = FeatureSet(padded, np.zeros(len(padded), np.int8), np.array([0]), ["x"])
    mcfg = ModelConfig()
    plain = WindowSampler(fs, mcfg, 20, CFG.pad_value, 0, augment=False)
    coloured = WindowSampler(fs, mcfg, 20, CFG.pad_value, 0, eq_prob=1.0)
    x = padded.astype(np.float32)
    shifts = []
    for _ in range(20):
        y = coloured._colour(x.copy(), coloured.rng)
        assert np.array_equal(y[:60], x[:60]), "digital-silence padding must stay the runtime's pad value"
        live = x.max(axis=1) > CFG.pad_value + 1.0
        assert live[60:].mean() > 0.5
        assert np.array_equal(y[~live], x[~live]), "digitally silent frames keep their value"
        d = (y - x)[live]
        assert np.allclose(d, d[0], atol=1e-3), "one envelope for the whole window (a channel, not noise)"
        assert np.abs(np.diff(d[0], 2)).max() < 0.1, "the envelope is smooth across mel bands"
        shifts.append(np.abs(d[0]).max())
    assert 0.3 < np.median(shifts) < 2.5, shifts
    assert plain.sample(4)[0].shape == coloured.sample(4)[0].shape


def test_window_noise_adds_power_at_the_asked_snr_and_leaves_the_runtime_padding():
    from saywell_train.features import FeatureSet
    from saywell_train.fit import WindowSampler
    from saywell_train.model import ModelConfig

    feats = log_mel(load_wav(ROOT / "audio_samples" / "real_hello.wav").samples, CFG)
    stream = np.concatenate([feats] * 8).astype(np.float16)
    n = len(feats)
    fs = FeatureSet(stream, np.zeros(len(stream), np.int8), np.arange(0, len(stream), n), ["x"] * 8)
    mcfg = ModelConfig()
    plain = WindowSampler(fs, mcfg, 40, CFG.pad_value, 3)
    noisy = WindowSampler(fs, mcfg, 40, CFG.pad_value, 3, noise_prob=1.0, noise_snr=(10.0, 10.0))
    quiet = WindowSampler(fs, mcfg, 40, CFG.pad_value, 3, noise_prob=0.0)
    assert np.array_equal(plain.sample(16)[0], quiet.sample(16)[0]), "noise_prob 0 leaves the shipped sampler's windows alone"
    x = stream[:noisy.in_frames].astype(np.float32)
    for _ in range(10):
        y = noisy._noise(x.copy(), noisy.rng)
        added = np.exp(y) - np.exp(x)
        assert (added > 0).all(), "noise only adds power"
        energy = np.exp(x).sum(axis=1)
        speech = energy[energy > energy.max() * 1e-3].mean()
        assert abs(10 * np.log10(speech / added.sum(axis=1).mean()) - 10.0) < 0.05
    padded = noisy.sample(64)[0][..., 0]
    assert (padded == CFG.pad_value).all(axis=2).any(), "windows at utterance edges keep the runtime's exact padding"
