"""The evaluation's fixed rooms (train/rooms.py): noise lands at the asked SNR, babble is other speakers, a room
rings for its reverberation time, and the same clip is degraded the same way every time."""

from pathlib import Path

import numpy as np

from saywell.audio.wav import load_wav
from saywell_train.evaluate import EvalItem
from saywell_train.rooms import CONDITIONS, Condition, active_rms, degrade, degraded_items, room

SAMPLES = Path(__file__).resolve().parent.parent / "audio_samples"


def _clip(name: str) -> np.ndarray:
    return load_wav(SAMPLES / f"{name}.wav").samples


def test_noise_and_babble_land_at_the_asked_snr():
    x = _clip("real_hello")
    babble = [_clip(n) for n in ("joe_think", "real_seven", "joe_think", "real_seven")]
    for kind in ("pink", "babble"):
        for snr in (20, 10, 5):
            y = degrade(x, Condition(kind, snr), np.random.default_rng(0), babble)
            added = y - x
            measured = 20 * np.log10(active_rms(x) / np.sqrt(np.mean(added.astype(np.float64) ** 2)))
            assert abs(measured - snr) < 0.2, (kind, snr, measured)
    pink = degrade(x, Condition("pink", 10), np.random.default_rng(0), babble) - x
    chatter = degrade(x, Condition("babble", 10), np.random.default_rng(0), babble) - x
    # babble comes and goes with the talkers' syllables; pink noise is steady
    def modulation(n):
        e = np.mean(n[: len(n) // 400 * 400].reshape(-1, 400) ** 2, axis=1)
        return np.std(10 * np.log10(e + 1e-12))
    assert modulation(chatter) > 2 * modulation(pink)


def test_room_rings_for_its_reverberation_time():
    for rt60 in (0.3, 0.6):
        ir = room(rt60, np.random.default_rng(1))
        tail = np.cumsum(ir[::-1].astype(np.float64) ** 2)[::-1]  # Schroeder integration
        db = 10 * np.log10(tail / tail[0])
        t20 = np.argmax(db < -25) - np.argmax(db < -5)  # the -5 to -25 dB slope, times 3, is the RT60
        assert abs(3 * t20 / 16000 - rt60) < 0.1 * rt60, (rt60, 3 * t20 / 16000)


def test_each_clip_is_degraded_once_and_the_same_every_time():
    x = _clip("real_hello")
    items = [EvalItem("a", x, [("HH", "AH", "L", "OW")], True), EvalItem("a", x, [("HH", "AH", "L", "AY")], False)]
    one = degraded_items(items, "classroom: room 0.4 s + babble 10 dB", [_clip("joe_think")] * 4)
    two = degraded_items(items, "classroom: room 0.4 s + babble 10 dB", [_clip("joe_think")] * 4)
    assert one[0].audio is one[1].audio and np.array_equal(one[0].audio, two[0].audio)
    assert one[0].key == one[1].key != "a" and not np.array_equal(one[0].audio, x)
    assert set(CONDITIONS) >= {"clean", "babble 10 dB"} and np.array_equal(degraded_items(items, "clean", [])[0].audio, x)
