"""Training feature sets: what the fit sees of each voice."""

import numpy as np

from saywell_train import features


def test_skipped_voices_leave_the_others_exactly_as_built():
    """Recipe.skip_voices: a voice left out of the fit takes its frames with it, and nothing else moves."""
    from saywell_train.features import FeatureSet, without_voices

    lengths = [3, 5, 2, 4]
    voices = ["a", "piper_joe", "b", "piper_joe"]
    f = np.arange(sum(lengths) * 2, dtype=np.float16).reshape(-1, 2)
    fs = FeatureSet(f, np.arange(sum(lengths), dtype=np.int8), np.concatenate([[0], np.cumsum(lengths)[:-1]]), voices)
    out = without_voices(fs, {"piper_joe"})
    assert out.voices == ["a", "b"] and list(out.starts) == [0, 3]
    assert list(out.labels) == [0, 1, 2, 8, 9]
    assert np.array_equal(out.features, f[[0, 1, 2, 8, 9]])


def _shard(path, voice: str, seed: int) -> None:
    from saywell_train.synthesize import save_shard

    rng = np.random.default_rng(seed)
    results = []
    for k in range(3):
        n = 16000 * (k + 1) // 2
        audio = (np.sin(np.arange(n) * (0.05 + 0.01 * k)) * 8000 + rng.normal(0, 500, n)).astype(np.int16)
        segs = [("SIL", 0.0, 0.1), ("AA", 0.1, n / 16000 - 0.1), ("SIL", n / 16000 - 0.1, n / 16000)]
        results.append({"job": {"words": ["a"], "canonical": [["AA"]], "mis_word": None}, "audio": audio, "segments": segs})
    save_shard(path, voice, results)


_real_featurize = features._featurize  # the worker, before a test replaces it


def _fails_on_slt(args):  # module level: the pool's workers take it by name
    if args[0].stem == "flite_slt":
        raise RuntimeError("the session ended")
    return _real_featurize(args)


def _only_slt(args):
    if args[0].stem != "flite_slt":
        raise AssertionError("a voice whose part was kept was made again")
    return _real_featurize(args)


def test_a_feature_build_cut_short_makes_only_the_missing_voices_and_the_same_stream(tmp_path, monkeypatch):
    from saywell.engine.features import FrontendConfig

    from saywell_train import features as feat

    shards = [tmp_path / "flite_awb.npz", tmp_path / "flite_slt.npz"]
    for k, s in enumerate(shards):
        _shard(s, s.stem, k)
    cfg = FrontendConfig()
    feat.build(shards, tmp_path / "whole.npz", cfg, 2, True, workers=1)

    monkeypatch.setattr(feat, "_featurize", _fails_on_slt)
    try:
        feat.build(shards, tmp_path / "cut.npz", cfg, 2, True, workers=1)
    except RuntimeError:
        pass
    parts = tmp_path / "cut_parts"
    assert sorted(p.name for p in parts.glob("0*.npz")) == ["000.npz"] and not (tmp_path / "cut.npz").exists()
    made = (parts / "000.npz").stat().st_mtime_ns
    monkeypatch.setattr(feat, "_featurize", _only_slt)
    feat.build(shards, tmp_path / "cut.npz", cfg, 2, True, workers=1)  # awb's part is reused: making it would fail
    assert not parts.exists()
    whole, cut = np.load(tmp_path / "whole.npz"), np.load(tmp_path / "cut.npz")
    for key in ("features", "labels", "starts", "voices"):
        assert np.array_equal(whole[key], cut[key]), key
    assert list(cut["voices"]) == ["flite_awb"] * 6 + ["flite_slt"] * 6 and made > 0
