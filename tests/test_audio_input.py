"""Bad and unusual WAV input: a clear error, or a correct conversion; never a traceback."""

import json
import struct

import numpy as np
import pytest
from conftest import MODEL, SAMPLES, run_cli

from saywell.audio.wav import load_wav, resample, write_wav
from saywell.errors import SaywellError


def _score(path, text="hello"):
    r = run_cli("score", str(path), "--text", text, "--json", "--model", str(MODEL))
    return r


@pytest.mark.parametrize("content,needle", [
    (b"", "empty file"),
    (b"this is not audio at all" * 10, "not a WAV"),
    (b"RIFF\x24\x00\x00\x00WAVE", "missing fmt or data"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + struct.pack("<HHIIHH", 1, 0, 16000, 0, 0, 16) + b"data\x00\x00\x00\x00", "corrupt WAV header"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + struct.pack("<HHIIHH", 85, 1, 16000, 2000, 1, 0) + b"data\x04\x00\x00\x00abcd", "unsupported WAV encoding"),
])
def test_broken_files_give_one_line_errors(tmp_path, content, needle):
    p = tmp_path / "x.wav"
    p.write_bytes(content)
    with pytest.raises(SaywellError, match=needle):
        load_wav(p)
    r = _score(p)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr


def test_silence_is_no_speech(tmp_path):
    """A silent recording is bad input for `score`: one error line and exit 2; --json still prints its verdict."""
    p = tmp_path / "silent.wav"
    write_wav(p, np.zeros(16000, np.float32))
    r = _score(p)
    d = json.loads(r.stdout)
    assert d["verdict"] == "no_speech" and d["score"] == 0.0
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no speech heard" in r.stderr and "microphone" in r.stderr
    text = run_cli("score", str(p), "--text", "hello", "--model", str(MODEL))
    assert text.returncode == 2 and text.stdout == "" and text.stderr.startswith("saywell: error: ")


def test_low_noise_is_no_speech(tmp_path):
    p = tmp_path / "hiss.wav"
    write_wav(p, np.random.default_rng(0).standard_normal(24000).astype(np.float32) * 0.0005)
    r = _score(p)
    assert json.loads(r.stdout)["verdict"] == "no_speech" and r.returncode == 2


def _write_raw(path, data: np.ndarray, rate: int, channels: int):
    pcm = np.clip(np.round(np.asarray(data, np.float64) * 32768.0), -32768, 32767).astype("<i2").tobytes()
    hdr = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE" + b"fmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, rate, rate * 2 * channels, 2 * channels, 16) + b"data" + struct.pack("<I", len(pcm))
    path.write_bytes(hdr + pcm)


def test_stereo_is_mixed_down(tmp_path):
    x = load_wav(SAMPLES / "real_hello.wav").samples
    p = tmp_path / "stereo.wav"
    _write_raw(p, np.stack([x, x], axis=1).reshape(-1), 16000, 2)
    a = load_wav(p)
    assert a.notes == ("mixed 2 channels to mono",)
    np.testing.assert_array_equal(a.samples, x)  # the same 16-bit samples in both channels: an exact mix
    mono, stereo = json.loads(_score(SAMPLES / "real_hello.wav").stdout), json.loads(_score(p).stdout)
    assert abs(mono["score"] - stereo["score"]) < 1.0


@pytest.mark.parametrize("rate", [44100, 8000, 22050])
def test_other_rates_are_resampled(tmp_path, rate):
    x = load_wav(SAMPLES / "real_hello.wav").samples
    p = tmp_path / f"r{rate}.wav"
    _write_raw(p, resample(x, 16000, rate), rate, 1)
    a = load_wav(p)
    assert a.notes == (f"resampled {rate} Hz to 16000 Hz",)
    assert abs(len(a.samples) - len(x)) <= 2
    r = _score(p)
    assert r.returncode == 0 and "resampled" not in r.stdout
    assert json.loads(r.stdout)["verdict"] in ("correct", "mispronounced")


def test_resampler_keeps_a_tone_and_removes_aliases():
    t = np.arange(44100) / 44100
    tone = np.sin(2 * np.pi * 1000 * t) + np.sin(2 * np.pi * 12000 * t)  # 12 kHz must vanish at 16 kHz
    y = resample(tone.astype(np.float32), 44100, 16000)
    spec = np.abs(np.fft.rfft(y[1000:15000] * np.hanning(14000)))
    freqs = np.fft.rfftfreq(14000, 1 / 16000)
    peak = freqs[np.argmax(spec)]
    assert abs(peak - 1000) < 5
    alias = spec[np.abs(freqs - 4000) < 50].max()  # 12 kHz would fold to 4 kHz
    assert alias < spec.max() * 1e-3


def test_float_and_24bit_wavs(tmp_path):
    x = load_wav(SAMPLES / "real_hello.wav").samples
    for bits, tag, data in ((32, 3, x.astype("<f4").tobytes()),
                            (24, 1, b"".join(int(v * 8388607).to_bytes(3, "little", signed=True) for v in x[:4000]))):
        p = tmp_path / f"b{bits}.wav"
        hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack(
            "<IHHIIHH", 16, tag, 1, 16000, 16000 * bits // 8, bits // 8, bits) + b"data" + struct.pack("<I", len(data))
        p.write_bytes(hdr + data)
        y = load_wav(p).samples
        np.testing.assert_allclose(y, x[: len(y)], atol=1e-4)


def _float_wav(path, x):
    data = np.asarray(x, "<f4").tobytes()
    path.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + b"fmt " + struct.pack(
        "<IHHIIHH", 16, 3, 1, 16000, 64000, 4, 32) + b"data" + struct.pack("<I", len(data)) + data)
    return path


def test_float_wavs_beyond_full_scale_are_scaled_and_damaged_ones_refused(tmp_path):
    x = load_wav(SAMPLES / "joe_think.wav").samples
    x = x / np.abs(x).max()
    for gain in (40.0, 1e30):
        a = load_wav(_float_wav(tmp_path / "loud.wav", x * gain))
        assert np.abs(a.samples).max() == pytest.approx(1.0) and any("times full scale" in n for n in a.notes)
        np.testing.assert_allclose(a.samples, x, atol=1e-6)
    r = run_cli("score", str(_float_wav(tmp_path / "loud.wav", x * 1e30)), "--text", "think", "--json", "--model", str(MODEL))
    assert r.returncode == 0 and "Warning" not in r.stderr and json.loads(r.stdout)["verdict"] != "no_speech", r.stderr
    for bad in (np.nan, np.inf):
        y = x.copy()
        y[500] = bad
        r = run_cli("score", str(_float_wav(tmp_path / "bad.wav", y)), "--text", "think", "--model", str(MODEL))
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "NaN or infinite samples" in r.stderr


def test_unknown_word_uses_espeak_guess():
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "helloz", "--json", "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    phones = [p["phone"] for p in json.loads(r.stdout)["words"][0]["phones"]]
    assert phones[0] == "HH" and "L" in phones and phones[-1] == "Z"


def test_written_wav_reads_back_the_same_samples(tmp_path):
    """Kept recordings are written with write_wav: re-scoring one must see exactly what was scored live."""
    x = load_wav(SAMPLES / "real_hello.wav").samples
    write_wav(tmp_path / "again.wav", x)
    np.testing.assert_array_equal(load_wav(tmp_path / "again.wav").samples, x)
    loud = np.array([1.0, -1.0, 0.99999, -0.5, 0.0], np.float32)
    write_wav(tmp_path / "loud.wav", loud)
    y = load_wav(tmp_path / "loud.wav").samples
    assert y.min() == -1.0 and 0.9999 < y.max() <= 1.0
