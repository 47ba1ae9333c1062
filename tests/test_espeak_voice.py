"""espeak-ng through libespeak-ng: explicit phones in, the library's own phoneme events back as labels."""

import ctypes

import pytest

try:
    ctypes.CDLL("libespeak-ng.so.1")
except OSError:
    pytest.skip("libespeak-ng1 is not installed", allow_module_level=True)

from saywell_train.voices.espeak_voice import EspeakVoice, to_mnemonics


def _check(u, expect):
    phones = [s.phone for s in u.segments if s.phone != "SIL"]
    assert phones == list(expect)
    assert u.segments[0].start_s == 0.0 and u.segments[0].phone == "SIL" and u.segments[-1].phone == "SIL"
    for a, b in zip(u.segments, u.segments[1:]):
        assert a.end_s == pytest.approx(b.start_s, abs=1e-9) and a.end_s > a.start_s
        assert not (a.phone == b.phone == "SIL")
    assert u.segments[-1].end_s == pytest.approx(len(u.audio) / 16000, abs=1e-9)
    assert u.audio.dtype.name == "float32" and 0.05 < abs(u.audio).max() <= 1.0
    for s in u.segments:  # every labelled phone is audible, the padding is silent
        x = u.audio[int(s.start_s * 16000):int(s.end_s * 16000)]
        assert (abs(x).max() > 0.01) if s.phone != "SIL" else (s.end_s - s.start_s >= 0.1)


def test_canonical_and_mispronounced_twin():
    v = EspeakVoice("en-us+m3", rate_wpm=150, pitch=40, pitch_range=60)
    _check(v.synthesize(["think"]), ("TH", "IH", "NG", "K"))
    _check(v.synthesize(["think"], [("S", "IH", "NG", "K")]), ("S", "IH", "NG", "K"))


def test_espeak_rules_do_not_change_the_asked_phones():
    v = EspeakVoice("en-us+f2")
    # n|k would assimilate to NG, t|S merge to CH, final I become i, ER before a vowel gain an r
    _check(v.synthesize(["thanks", "seats", "rally", "worried"],
                        [("TH", "AE", "N", "K", "S"), ("S", "IY", "T", "SH"), ("R", "AE", "L", "IH"),
                         ("W", "ER", "IY", "D")]),
           ("TH", "AE", "N", "K", "S", "S", "IY", "T", "SH", "R", "AE", "L", "IH", "W", "ER", "IY", "D"))
    _check(v.synthesize(["little"]), ("L", "IH", "T", "AH", "L"))  # espeak gives final l no time of its own


def test_stress_follows_cmudict():
    assert to_mnemonics(("AH", "B", "AW", "T"), (0, 1)) == "@|b|'aU|t"
    assert to_mnemonics(("AH", "B", "AW", "T")) == "'V|b|aU|t"
