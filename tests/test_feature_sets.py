"""Training feature sets: what the fit sees of each voice."""

import numpy as np


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
