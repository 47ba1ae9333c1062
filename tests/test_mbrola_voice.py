"""MBROLA voices (train/voices/mbrola_voice.py): a native voice says what it is asked with exact phone times;
an accented voice's own-language sounds are found, masked in training, and kept for validation as accent errors.
Needs the voices scripts/fetch-mbrola puts in data/voices (scripts/test fetches us1, us2, de1 and es1)."""

import numpy as np
import pytest

mbrola = pytest.importorskip("saywell_train.voices.mbrola_voice")

try:
    mbrola.voice_file("us2"), mbrola.voice_file("de1")
    HAVE_VOICES = True
except FileNotFoundError:
    HAVE_VOICES = False
needs_voices = pytest.mark.skipif(not HAVE_VOICES, reason="run scripts/fetch-mbrola us2 de1")


def test_alignment_accepts_faithful_splits_and_flags_substitutions():
    # French fr1-en says CH as "t S" (faithful, two pieces), TH as t, IH as i, and drops H
    assert mbrola.align(["CH", "IH", "P"], ["t", "S", "i", "p"]) == [(0, 1), (2,), (3,)]
    assert mbrola.is_faithful("CH", ("t", "S")) and not mbrola.is_faithful("IH", ("i",))
    assert mbrola.align(["HH", "AE", "T"], ["a", "t"]) == [(), (0,), (1,)]
    assert not mbrola.is_faithful("HH", ()) and not mbrola.is_faithful("TH", ("f",))
    assert mbrola.is_faithful("ER", ("r=", "r")) and not mbrola.is_faithful("ER", ("@",))  # linking r; non-rhotic


@needs_voices
def test_native_voice_labels_every_phone_with_times_that_cover_the_audio():
    u = mbrola.MbrolaVoice("us2").synthesize(["thank", "you"])
    assert [s.phone for s in u.segments] == ["SIL", "TH", "AE", "NG", "K", "Y", "UW", "SIL"]
    assert u.meta["unfaithful"] == []
    assert u.segments[0].start_s == 0 and u.segments[-1].end_s == pytest.approx(len(u.audio) / 16000)
    assert all(a.end_s == pytest.approx(b.start_s) for a, b in zip(u.segments, u.segments[1:]))
    th = next(s for s in u.segments if s.phone == "TH")
    lead = u.audio[: int(th.start_s * 16000)]
    speech = u.audio[int(th.start_s * 16000):int(u.segments[-1].start_s * 16000)]
    assert np.sqrt(np.mean(lead ** 2)) < 0.1 * np.sqrt(np.mean(speech ** 2))  # silence before the first phone


@needs_voices
def test_accented_voice_masks_its_substitutions_and_names_them():
    u = mbrola.MbrolaVoice("de1-en").synthesize(["think"])  # de1-en says TH as f
    assert [s.phone for s in u.segments] == ["SIL", mbrola.MASKED, "IH", "NG", "K", "SIL"]
    assert u.meta["unfaithful"] == [(0, 0, "f")]
    twin = mbrola.MbrolaVoice("us2").synthesize(["think"], [("S", "IH", "NG", "K")])  # a learner's "sink"
    assert [s.phone for s in twin.segments][1] == "S" and twin.meta["unfaithful"] == []


def test_a_substitution_is_heard_as_the_english_phone_it_sounds_like():
    assert (mbrola.heard_as("f"), mbrola.heard_as("t S"), mbrola.heard_as("i"), mbrola.heard_as("v")) == ("F", "CH", "IY", "V")
    assert mbrola.heard_as("R") is None and mbrola.heard_as("-") is None  # a uvular R, a dropped phone: no English phone
    assert mbrola.heard_as("e:") is None  # a German long e is not the lax EH it would map to by quality
    seg = mbrola.Segment
    segs = [seg("SIL", 0, .1), seg(mbrola.MASKED, .1, .2), seg("IH", .2, .3), seg(mbrola.MASKED, .3, .4), seg("SIL", .4, .5)]
    out = mbrola.relabel_accent_errors(segs, [(0, 0, "s"), (0, 2, "-"), (0, 3, "R")])  # the dropped phone has no segment
    assert [s.phone for s in out] == ["SIL", "S", "IH", mbrola.MASKED, "SIL"] and out[1].end_s == .2
    assert mbrola.relabel_accent_errors(segs, [(0, 0, "s")]) == segs  # counts disagree: left as it was


@needs_voices
def test_accented_voice_relabelled_is_taught_what_it_said():
    u = mbrola.MbrolaVoice("de1-en").synthesize(["think"])  # TH said as f: a learner's "fink"
    out = mbrola.relabel_accent_errors(u.segments, u.meta["unfaithful"])
    assert [s.phone for s in out] == ["SIL", "F", "IH", "NG", "K", "SIL"]


def _have(voice):
    try:
        return bool(mbrola.voice_file(voice))
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not _have("es1"), reason="run scripts/fetch-mbrola es1")
def test_voice_of_another_language_keeps_only_the_consonants_it_says_exactly():
    u = mbrola.MappedMbrolaVoice("es1").synthesize(["fish", "soup"])  # Spanish es1 has f, s but no SH, IH, UW as such
    assert u is not None and mbrola.gender("es1") == "male"
    labels = [s.phone for s in u.segments if s.phone != "SIL"]
    assert labels[0] == "F" and "S" in labels
    assert "IH" not in labels and "UW" not in labels  # vowels of another language are masked
    assert mbrola.MASKED in labels and u.meta["unfaithful"]
    assert u.segments[-1].end_s == pytest.approx(len(u.audio) / 16000)


@needs_voices
def test_features_teach_the_accent_substitution_only_when_asked(tmp_path):
    from saywell.engine.features import FrontendConfig
    from saywell_train import features as feat
    from saywell_train.synthesize import save_shard

    u = mbrola.MbrolaVoice("de1-en").synthesize(["think"])
    job = {"words": ["think"], "unfaithful": u.meta["unfaithful"]}
    save_shard(tmp_path / "mbrola_de1_en.npz", "mbrola_de1_en", [{
        "job": job, "audio": (np.clip(u.audio, -1, 1) * 32767).astype(np.int16),
        "segments": [(s.phone, s.start_s, s.end_s) for s in u.segments]}])
    f_id = feat.CLASS_INDEX["F"]
    for labels, taught in (("masked", False), ("heard", True)):
        _, frame_labels, _, _ = feat._featurize((tmp_path / "mbrola_de1_en.npz", FrontendConfig(), 1, True, 0,
                                                 feat.Augmentation(accent_labels=labels), feat.CLASSES, None))
        y = frame_labels[0]
        assert (f_id in y) == taught and (feat.IGNORED in y) != taught
