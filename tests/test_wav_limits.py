"""The WAV reader's limits (docs/contract.md, Limits): what a header may say, and what is read of it."""

import struct

import numpy as np
import pytest

import saywell.audio.wav as wav
from saywell.audio.wav import MAX_AUDIO_S, load_wav, resample
from saywell.errors import SaywellError


def write(path, data: bytes, tag=1, channels=1, rate=16000, bits=16, block_align=None, data_size=None):
    ba = channels * bits // 8 if block_align is None else block_align
    path.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, tag, channels, rate, rate * ba, ba, bits) + b"data"
        + struct.pack("<I", len(data) if data_size is None else data_size) + data)
    return path


@pytest.mark.parametrize("kw,needle", [
    (dict(rate=7999), "outside the 8000-192000 Hz"),
    (dict(rate=192001), "outside the 8000-192000 Hz"),
    (dict(rate=10_000_000), "outside the 8000-192000 Hz"),
    (dict(channels=33), "33 channels, more than the 32"),
    (dict(block_align=3), "block align 3 bytes, but 1 channel(s) of 16 bit take 2"),
    (dict(channels=2, block_align=2), "block align 2 bytes"),
    (dict(bits=12), "unsupported WAV encoding"),
])
def test_header_out_of_range_is_refused(tmp_path, kw, needle):
    with pytest.raises(SaywellError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        load_wav(write(tmp_path / "x.wav", bytes(4000), **kw))


def test_duration_limit_counts_the_samples_in_the_file(tmp_path):
    rate = 8000
    at_limit = write(tmp_path / "ok.wav", bytes([128]) * int(rate * MAX_AUDIO_S), bits=8, rate=rate)
    assert load_wav(at_limit, rate).duration_s == pytest.approx(MAX_AUDIO_S)
    over = write(tmp_path / "long.wav", bytes([128]) * (int(rate * MAX_AUDIO_S) + 1), bits=8, rate=rate)
    with pytest.raises(SaywellError, match="30.0 s of audio, longer than the 30 s"):
        load_wav(over, rate)
    # A header that declares an hour over a second of samples is read for the second that is there.
    short = write(tmp_path / "cut.wav", np.full(16000, 1000, "<i2").tobytes(), data_size=16000 * 2 * 3600)
    a = load_wav(short)
    assert len(a.samples) == 16000 and a.notes == ("the data chunk declares 115200000 bytes but the file holds 32000: read those",)


def test_a_larger_limit_can_be_asked_for(tmp_path):
    long = write(tmp_path / "long.wav", bytes([128]) * 8000 * 31, bits=8, rate=8000)
    assert load_wav(long, 8000, max_seconds=60).duration_s == pytest.approx(31)


def test_samples_read_in_slices_equal_one_read(tmp_path, monkeypatch):
    x = np.random.default_rng(0).integers(-30000, 30000, 3 * 40000).astype("<i2")
    p = write(tmp_path / "s.wav", x.tobytes(), channels=3, rate=44100)
    whole = load_wav(p).samples
    monkeypatch.setattr(wav, "_SLICE_BYTES", 6 * 7)  # 7 frames a slice
    monkeypatch.setattr(wav, "_RESAMPLE_ELEMENTS", 100)
    np.testing.assert_array_equal(load_wav(p).samples, whole)


@pytest.mark.parametrize("rate_in,rate_out", [(192000, 16000), (44100, 16000), (8000, 16000), (16000, 22050)])
def test_resampling_blocks_do_not_change_the_result(monkeypatch, rate_in, rate_out):
    x = np.random.default_rng(1).standard_normal(5011).astype(np.float32)
    big = resample(x, rate_in, rate_out)
    monkeypatch.setattr(wav, "_RESAMPLE_ELEMENTS", 1)  # one output per block
    np.testing.assert_array_equal(resample(x, rate_in, rate_out), big)
