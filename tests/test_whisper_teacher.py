"""Whisper tiny.en as a teacher (train/whisper_teacher.py): its targets reach every augmented copy at the right
frames, and a smoke run builds them, carries them in the features and distils from them."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from saywell_train import transcribe
from saywell_train.utterance import Segment

pytest.importorskip("tensorflow_model_optimization")
needs_whisper = pytest.mark.skipif(not transcribe.available(), reason=transcribe.MISSING)


def _segments():
    phones = ["SIL", "TH", "IH", "NG", "K", "SIL"]
    ends = [0.15, 0.24, 0.31, 0.40, 0.47, 0.70]
    return [Segment(p, s, e) for p, s, e in zip(phones, [0.0] + ends[:-1], ends)]


@pytest.mark.parametrize("scale", [1.0, 1 / 0.9, 1 / 1.1])
def test_targets_reach_a_copy_at_its_own_frames(scale):
    """One-hot targets of the clean take's labels, mapped to a sped-up or slowed copy, say what the copy's own
    frame labels say, but for frames at a phone boundary (the teacher's states are 20 ms, frames 10 ms)."""
    from saywell.engine.features import FrontendConfig

    from saywell_train.features import CLASS_INDEX, CLASSES, frame_labels
    from saywell_train.whisper_teacher import HOP_S, frame_targets, state_labels

    cfg = FrontendConfig()
    segs = _segments()
    n_states = int(np.ceil(0.70 / HOP_S))
    targets = np.eye(len(CLASSES), dtype=np.float16)[state_labels(segs, n_states, CLASS_INDEX)]
    n_frames = int(0.70 * scale / 0.01) - 2
    got = frame_targets(targets, n_frames, cfg, scale).argmax(1)
    want = frame_labels(segs, n_frames, cfg, scale)
    assert got.shape == want.shape
    boundary_frames = 2 * (len(segs) - 1) + 1
    assert (got != want).sum() <= boundary_frames, (got, want)
    assert (got == want).mean() > 0.85


def test_voices_fall_in_folds_by_name_and_every_fold_must_be_filled(tmp_path):
    from saywell.errors import SaywellError

    from saywell_train.features import CLASSES
    from saywell_train.whisper_teacher import build, fold_of

    assert fold_of("flite_awb", 2) == fold_of("flite_awb", 2)
    assert {fold_of(v, 2) for v in ("flite_awb", "foreign_it_pc")} == {0, 1}
    with pytest.raises(SaywellError, match="folds"):
        build([tmp_path / "flite_awb.npz"], tmp_path / "teacher", CLASSES)


@pytest.fixture(scope="module")
def whisper_smoke(tmp_path_factory):
    work = tmp_path_factory.mktemp("whisper_smoke")
    r = subprocess.run([sys.executable, "-m", "saywell_train", "--preset", "smoke", "--work", str(work),
                        "--out", str(work / "models"), "--allow-int8-loss", "--set", "whisper_teacher=true",
                        "--set", "foreign_voices=true", "--set", "voices=flite_awb,flite_rms,foreign_it_pc"],
                       capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return work


@needs_whisper
def test_the_features_carry_the_teachers_targets_and_the_fit_learns_from_them(whisper_smoke):
    from saywell_train.features import CLASSES, load

    fs = load(whisper_smoke / "features" / "train.npz")
    assert fs.teacher is not None and fs.teacher.shape == (len(fs.labels), len(CLASSES))
    assert np.allclose(fs.teacher.astype(np.float32).sum(1), 1.0, atol=0.02)
    labelled = fs.labels >= 0
    agree = (fs.teacher[labelled].argmax(1) == fs.labels[labelled]).mean()
    assert agree > 3 / len(CLASSES), agree  # a head fitted on the other voice hears phones, far above chance
    meta = json.loads((whisper_smoke / "models" / "saywell-en.json").read_text())
    assert meta["training"]["recipe"]["whisper_teacher"] is True and meta["training"]["fit"]["distill"] == 0.5
    teacher = meta["training"]["data"]["whisper_teacher"]
    assert teacher["folds"] == 2 and set(teacher["per_fold"]) == {"0", "1"}
    assert (whisper_smoke / "fit" / "float.csv").read_text().count("\n") >= 2
