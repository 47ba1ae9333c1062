"""The Hedgewars voice-pack validation set, built from the real packs (skipped without hedgewars-data)."""

import subprocess
import wave
from pathlib import Path

import pytest

from saywell_train import hedgewars
from saywell_train.realspeech import load_dev_set, write_manifests


def _installed() -> bool:
    try:
        return subprocess.run(["dpkg", "-s", "hedgewars-data"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


pytestmark = pytest.mark.skipif(not _installed(), reason="hedgewars-data is not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("hedgewars")
    return out, hedgewars.build_dev_set(out, seed=0)


@pytest.mark.parametrize("name, words", [
    ("Youllregretthat", ["you'll", "regret", "that"]),
    ("Illgetyou", ["i'll", "get", "you"]),
    ("Comeonthen", ["come", "on", "then"]),
    ("Thisoneismine", ["this", "one", "is", "mine"]),
    ("Gonnagetyou", ["gonna", "get", "you"]),
    ("Incoming", ["incoming"]),  # one common word beats 'in coming'
    ("Runaway", ["run", "away"]),  # override
    ("Uh-oh", ["uh-oh"]),
    ("Drat", None),  # not in CMUdict, and no 'dr at'
])
def test_segmentation(name, words):
    assert hedgewars.segment(name) == words


def test_grunts_and_non_speech_are_skipped():
    for stem in ("Ow1", "Jump2", "Firepunch3", "Laugh", "Hmm", "Nooo"):
        assert isinstance(hedgewars.transcript(stem), str), stem
    assert hedgewars.transcript("Yessir") == ["yes", "sir"]


def test_ogg_length_without_decoding():
    src = hedgewars.find_voice_root() / "Default" / "Youllregretthat.ogg"
    assert 0.3 < hedgewars.ogg_seconds(src) < 4.0


def test_many_packs_and_excluded_absent(built):
    out, items = built
    correct = [it for it in items if it.correct]
    packs = {hedgewars.pack_of(it) for it in items}
    assert len(correct) > 300
    assert len(packs) >= 6
    assert packs <= set(hedgewars.PACKS)
    assert not packs & set(hedgewars.EXCLUDED)
    assert not any((out / "wav" / p).exists() for p in hedgewars.EXCLUDED)
    assert all(1 <= len(it.text.split()) <= hedgewars.MAX_WORDS for it in correct)


def test_mismatch_differs_at_the_recorded_phone(built):
    _, items = built
    twins = {it.audio: it for it in items if it.correct}
    bad = [it for it in items if not it.correct]
    assert len(bad) > 300
    one_phone = 0
    for it in bad:
        twin = twins[it.audio]
        assert it.text != twin.text
        assert it.said_phones == twin.phones
        assert len(it.phones) == len(it.said_phones)
        k = it.changed_index
        assert it.phones[:k] == it.said_phones[:k]
        assert it.phones[k] != it.said_phones[k] == it.changed_phone
        one_phone += sum(a != b for a, b in zip(it.phones, it.said_phones)) == 1
    assert one_phone > 0.8 * len(bad)  # the rest are the word-swap fallback


def test_wavs_are_16k_mono_and_manifests_round_trip(built):
    out, items = built
    for path in {it.audio for it in items}:
        with wave.open(path) as w:
            assert (w.getframerate(), w.getnchannels()) == (16000, 1)
            assert 0 < w.getnframes() <= hedgewars.MAX_SECONDS * 16000 + 1600
    write_manifests(items, out)
    back = load_dev_set(out)
    assert back == items
    assert [hedgewars.pack_of(it) for it in back] == [hedgewars.pack_of(it) for it in items]
    assert Path(back[0].audio).parent.parent == out / "wav"
