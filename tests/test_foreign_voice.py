"""Non-English festival voices speak English phones with labels that sit on the right sounds, masked where unfaithful."""

import shutil

import numpy as np
import pytest

pytest.importorskip("scipy")

if not shutil.which("festival"):
    pytest.skip("festival is not installed", allow_module_level=True)

from saywell.engine.features import FrontendConfig  # noqa: E402
from saywell.engine.lexicon import Lexicon  # noqa: E402


def _f0(audio: np.ndarray) -> float:
    """Median autocorrelation pitch of the loud 40 ms frames."""
    found = []
    for i in range(0, len(audio) - 640, 320):
        x = audio[i:i + 640] - audio[i:i + 640].mean()
        if np.sqrt(np.mean(x ** 2)) < 0.02:
            continue
        c = np.correlate(x, x, "full")[639:]
        k = 35 + int(np.argmax(c[35:230]))
        if c[k] > 0.4 * c[0]:
            found.append(16000 / k)
    return float(np.median(found))


def _centroid(audio: np.ndarray, start: float, end: float) -> float:
    part = audio[int(start * 16000):int(end * 16000)]
    spec = np.abs(np.fft.rfft(part * np.hanning(len(part)))) ** 2
    freqs = np.fft.rfftfreq(len(part), 1 / 16000)
    return float((spec * freqs).sum() / spec.sum())


@pytest.mark.parametrize("voice,f0", [("czech_krb", 260.0), ("pc_diphone", 110.0)])
def test_foreign_voice_labels_and_pitch(voice, f0):
    from saywell_train.voices.foreign_voice import MASKED, ForeignVoice

    lex = Lexicon()
    (u,) = ForeignVoice(voice, voice).synthesize_many([([lex.lookup("sun").phones, lex.lookup("miss").phones], f0, 1.0, 0)])
    labels = [s.phone for s in u.segments]
    # vowels are masked; the English-sounding consonants keep their labels, in order
    assert labels == ["SIL", "S", MASKED, "N", "M", MASKED, "S", "SIL"]
    for a, b in zip(u.segments, u.segments[1:]):
        assert a.end_s == pytest.approx(b.start_s) and a.end_s > a.start_s
    assert u.segments[-1].end_s == pytest.approx(len(u.audio) / 16000)
    # each S label covers a hiss, each vowel a low-centred sound
    for s in u.segments:
        if s.phone == "S":
            assert _centroid(u.audio, s.start_s, s.end_s) > 3000
        if s.phone == MASKED:
            assert _centroid(u.audio, s.start_s, s.end_s) < 2000
    assert _f0(u.audio) == pytest.approx(f0, rel=0.15)


def test_masked_frames_carry_no_loss_weight():
    from saywell_train.features import IGNORED, FeatureSet, frame_labels
    from saywell_train.fit import WindowSampler, _steps_dataset
    from saywell_train.voices.foreign_voice import ForeignVoice
    from saywell_train.model import ModelConfig

    cfg = FrontendConfig()
    (u,) = ForeignVoice("czech_dita", "dita").synthesize_many([([Lexicon().lookup("seven").phones], 200.0, 1.0, 1)])
    n = int(len(u.audio) / cfg.hop_samples)
    labels = frame_labels(u.segments, n, cfg)
    assert (labels == IGNORED).sum() > 5 and (labels >= 0).sum() > 10
    reps = 40  # a stream long enough for training windows
    fs = FeatureSet(np.zeros((n * reps, cfg.n_mels), np.float16), np.tile(labels, reps), np.arange(reps) * n, ["dita"] * reps)
    mcfg = ModelConfig(n_mels=cfg.n_mels)
    x, y, w = next(iter(_steps_dataset(WindowSampler(fs, mcfg, 50, cfg.pad_value, 0), 8)))
    _, raw = WindowSampler(fs, mcfg, 50, cfg.pad_value, 0).sample(8)  # the same first batch, labels as stored
    assert (raw == IGNORED).any()
    np.testing.assert_array_equal(w.numpy(), (raw >= 0).astype(np.float32))
    np.testing.assert_array_equal(y.numpy(), np.maximum(raw, 0))


def test_a_missing_diphone_drops_the_utterance():
    """Finnish lj has no #-z: or z:-u: diphone: festival fills them with silence, and that take must not be trained on."""
    from saywell_train.voices.foreign_voice import ForeignVoice

    lex = Lexicon()
    zoo, sun = ForeignVoice("suo_fi_lj_diphone", "lj").synthesize_many(
        [([lex.lookup(w).phones], 200.0, 1.0, 0) for w in ("zoo", "sun")])
    assert zoo is None
    assert [s.phone for s in sun.segments if s.phone != "SIL"] == ["S", "*", "N"]
