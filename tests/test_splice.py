"""Phone splicing (train/splice.py): swapped segments are whole segments of a learner's substitute, said by the
same voice, and every frame keeps its own label."""

import numpy as np

from saywell_train.features import CLASS_INDEX, CLASSES, FeatureSet
from saywell_train.mispronounce import SUBSTITUTIONS
from saywell_train.splice import PhoneSplicer

PHONES = ("T", "D", "S", "Z", "AH", "AA", "M", "N", "K", "G")


def _stream(seed: int = 0) -> tuple[FeatureSet, np.ndarray]:
    """Two voices, 30 utterances each; feature columns 0-1 spell each frame's own stream index."""
    rng = np.random.default_rng(seed)
    labels, starts, voices, seg_starts = [], [], [], []
    for voice in ("a", "b"):
        for _ in range(30):
            starts.append(len(labels))
            voices.append(voice)
            said = [str(rng.choice(PHONES))]
            while len(said) < 6:  # no phone twice in a row: each segment is one run of labels
                said.append(str(rng.choice([p for p in PHONES if p != said[-1]])))
            for p in ["SIL"] + said + ["SIL"]:
                seg_starts.append(len(labels))
                labels += [CLASS_INDEX[p]] * int(rng.integers(3, 9))
    n = len(labels)
    f = np.zeros((n, 40), np.float16)
    f[:, 0], f[:, 1] = np.arange(n) // 1000, np.arange(n) % 1000
    return FeatureSet(f, np.array(labels, np.int8), np.array(starts), voices), np.array(seg_starts)


def _origin(x: np.ndarray) -> np.ndarray:
    return (x[:, 0].astype(np.int64) * 1000 + x[:, 1].astype(np.int64))


def test_no_swaps_gives_the_stream_itself():
    fs, _ = _stream()
    x, y = PhoneSplicer(fs, 0.0).window(37, 120, np.random.default_rng(0))
    assert np.array_equal(_origin(x), np.arange(37, 157)) and np.array_equal(y, fs.labels[37:157])


def test_swapped_segments_are_whole_substitutes_from_the_same_voice():
    fs, seg_starts = _stream()
    seg_ends = np.append(seg_starts[1:], len(fs.labels))
    voice_of = np.array([fs.voices[u] for u in np.searchsorted(fs.starts, np.arange(len(fs.labels)), side="right") - 1])
    splicer, rng = PhoneSplicer(fs, 0.3), np.random.default_rng(1)
    is_start = np.zeros(len(fs.labels) + 1, bool)
    is_start[seg_starts] = True
    swapped = kept = 0
    for _ in range(200):
        s0 = int(rng.integers(0, len(fs.labels) - 400))
        x, y = splicer.window(s0, 150, rng)
        origin = _origin(x)
        assert np.array_equal(y, fs.labels[origin]), "a frame's label travels with it"
        # pieces: cut wherever the origin jumps or a stream segment begins; after the first (partial) piece the
        # j-th stands where the stream's j-th segment after s0 stood
        cuts = np.flatnonzero((np.diff(origin) != 1) | is_start[origin[1:]]) + 1
        pieces = np.split(origin, cuts)
        first = int(np.searchsorted(seg_starts, s0, side="right") - 1)
        for j, piece in enumerate(pieces[1:], 1):
            was = first + j
            k = int(np.searchsorted(seg_starts, piece[0], side="right") - 1)
            assert seg_starts[k] == piece[0], "every piece starts at a segment boundary"
            assert len(piece) == seg_ends[k] - seg_starts[k] or j == len(pieces) - 1, "whole segments (the last may be cut)"
            if k == was:
                kept += 1
                continue
            old, new = CLASSES[fs.labels[seg_starts[was]]], CLASSES[fs.labels[piece[0]]]
            assert new in SUBSTITUTIONS[old] and new != old, (old, new)
            assert voice_of[piece[0]] == voice_of[seg_starts[was]], "the substitute is said by the same voice"
            swapped += 1
    share = swapped / (swapped + kept)
    assert 0.15 < share < 0.35, share  # 30 % of the phone segments (silences are never swapped)
