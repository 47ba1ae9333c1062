"""A fit cut short (a session's end, a reboot) resumes from its last backup instead of starting the phase again."""

import numpy as np
import pytest

pytest.importorskip("tensorflow_model_optimization")


def _features(n: int, seed: int):
    from saywell_train.features import FeatureSet

    rng = np.random.default_rng(seed)
    labels = np.repeat(rng.integers(0, 40, n // 10), 10).astype(np.int8)
    feats = (rng.normal(0, 1, (n, 40)) + labels[:, None] * 0.05).astype(np.float16)
    return FeatureSet(feats, labels, np.arange(0, n, 500), ["v"] * (n // 500))


def test_a_float_phase_cut_after_two_hundred_steps_resumes_at_its_third_hundred(tmp_path, monkeypatch):
    from saywell_train import fit as fitting
    from saywell_train.model import ModelConfig

    mcfg = ModelConfig(channels=8, blocks=2, block_lookahead=(3, 3))
    fcfg = fitting.FitConfig(batch_size=2, window_frames=20, float_steps=400, prune_steps=0, qat_steps=0)
    train, val = _features(4000, 0), _features(2000, 1)
    real_sample = fitting.WindowSampler.sample
    calls = {"n": 0}

    def cut_at(n):
        def sample(self, batch):
            if self.aug:  # training windows only (the validation windows are drawn once, first)
                calls["n"] += 1
                if calls["n"] > n:
                    raise RuntimeError("the session ended")
            return real_sample(self, batch)
        return sample

    monkeypatch.setattr(fitting.WindowSampler, "sample", cut_at(250))
    logs = []
    with pytest.raises(Exception):
        fitting.fit(train, val, mcfg, fcfg, -10.0, tmp_path, logs.append, float_only=True)
    assert not (tmp_path / "float.weights.h5").exists()
    assert any((tmp_path / "float_backup").iterdir())

    monkeypatch.setattr(fitting.WindowSampler, "sample", real_sample)
    logs.clear()
    fitting.fit(train, val, mcfg, fcfg, -10.0, tmp_path, logs.append, float_only=True)
    assert any("resuming" in m for m in logs), logs
    epochs = [int(line.split(",")[0]) for line in (tmp_path / "float.csv").read_text().strip().splitlines()[1:]]
    assert epochs == [0, 1, 2, 3], epochs  # the first run's two whole hundreds, then the third and fourth: not four more
    assert (tmp_path / "float.weights.h5").exists() and not (tmp_path / "float_backup").exists()
