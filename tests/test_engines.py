"""Each synthesis engine speaks the phones it was asked for and labels them with contiguous times."""

import pytest

pytest.importorskip("scipy")

from saywell.engine.lexicon import Lexicon  # noqa: E402


def _check(u, expect):
    phones = [s.phone for s in u.segments if s.phone != "SIL"]
    assert phones == list(expect)
    for a, b in zip(u.segments, u.segments[1:]):
        assert a.end_s == pytest.approx(b.start_s, abs=1e-6) and a.end_s > a.start_s
    assert u.segments[-1].end_s == pytest.approx(len(u.audio) / 16000, abs=0.011)
    assert u.audio.dtype.name == "float32" and 0.05 < abs(u.audio).max() <= 1.0


def test_flite_canonical_and_altered():
    from saywell_train.voices.engines import FliteVoice

    v = FliteVoice("slt", f0_mean=160, duration_stretch=1.2)
    _check(v.synthesize(["ship"]), Lexicon().lookup("ship").phones)
    _check(v.synthesize(["think"], [("S", "IH", "NG", "K")]), ("S", "IH", "NG", "K"))


def test_festival_batch_keeps_overrides_apart():
    from saywell_train.voices.engines import FestivalVoice

    a, b = FestivalVoice("kal_diphone").synthesize_many([(["think"], [("S", "IH", "NG", "K")]), (["think"], None)])
    _check(a, ("S", "IH", "NG", "K"))
    _check(b, ("TH", "IH", "NG", "K"))


def test_piper_forced_phones():
    pytest.importorskip("piper")
    from saywell_train.voices.piper_voice import PiperVoice

    u = PiperVoice().synthesize(["very"], [("B", "EH", "R", "IY")])
    _check(u, ("B", "EH", "R", "IY"))


def test_mispronounce_changes_exactly_one_phone():
    import random

    from saywell_train.mispronounce import mispronounce

    rng = random.Random(0)
    for _ in range(200):
        m = mispronounce(("TH", "IH", "NG", "K"), rng)
        if m.said == "-":
            assert m.phones == ("TH", "IH", "NG") and m.index == 3
        else:
            diff = [i for i, (x, y) in enumerate(zip(m.phones, ("TH", "IH", "NG", "K"))) if x != y]
            assert diff == [m.index] and m.phones[m.index] == m.said


def test_a_canonical_take_said_from_given_phones_counts_as_correct(tmp_path):
    """research/seen_voice_ceiling.py has piper read canonical takes from the dictionary's phones: those are
    the correct items of the AUC set, and only the twin is mispronounced, at the phone that was changed."""
    from dataclasses import asdict

    from saywell_train.voices.engines import FliteVoice
    from saywell_train.evaluate import heldout_items
    from saywell_train.synthesize import Job, save_shard

    think = ("TH", "IH", "NG", "K")
    jobs = [Job(["think"], [think], [think]), Job(["think"], [("S",) + think[1:]], [think], 0, 0, "S")]
    v = FliteVoice("slt")
    results = []
    for j in jobs:
        u = v.synthesize(j.words, j.phones)
        results.append({"job": asdict(j), "audio": (u.audio * 32767).astype("int16"),
                        "segments": [(s.phone, s.start_s, s.end_s) for s in u.segments]})
    save_shard(tmp_path / "v.npz", "flite_slt", results)
    canon, twin = heldout_items(tmp_path / "v.npz")
    assert canon.correct and canon.changed is None and canon.reference == think
    assert not twin.correct and twin.changed == (0, 0) and twin.said == "S" and twin.reference == ("S",) + think[1:]
