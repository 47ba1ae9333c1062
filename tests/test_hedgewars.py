"""The Hedgewars voice-pack validation set: transcripts by Whisper tiny.en, not file names.

The selection rules and the transcript cache are tested on made-up readings (no package needed); the
decoding and the built set on the real packs (skipped without hedgewars-data); Whisper itself and a build
of the British pack when Whisper is installed (skipped otherwise: pip install '.[check]').
"""

import csv
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from saywell_train import hedgewars, transcribe
from saywell_train.hedgewars import says_file_name, verdict
from saywell_train.realspeech import _cmu, load_dev_set, write_manifests
from saywell_train.transcribe import Heard


def _hedgewars_installed() -> bool:
    try:
        return subprocess.run(["dpkg", "-s", "hedgewars-data"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


needs_packs = pytest.mark.skipif(not _hedgewars_installed(), reason="hedgewars-data is not installed")
needs_whisper = pytest.mark.skipif(not transcribe.available(), reason=transcribe.MISSING)


@pytest.fixture(scope="module")
def cmu():
    return _cmu()


def sure(text, lp=-0.2, ns=0.05):
    return Heard(text, lp, ns)


# --- selection rules, on made-up readings ---------------------------------------------------------------------

def test_two_confident_readings_that_agree_give_the_words(cmu):
    words = verdict([sure("Take that, you witless buffoon!"), sure("take that you witless buffoon."),
                     sure("Take that, you whiplice buffoon!")], cmu)
    assert [w for w, _ in words] == ["take", "that", "you", "witless", "buffoon"]


def test_agreement_needs_confidence(cmu):
    agree_unsure = [sure("Run away!", lp=-0.8), sure("Run away!", lp=-0.6), sure("Run the way!")]
    assert "agree" in verdict(agree_unsure, cmu)
    # Lower the cut-off and the same readings pass: the threshold is what decides.
    assert [w for w, _ in verdict(agree_unsure, cmu, min_avg_logprob=-0.9)] == ["run", "away"]
    speechless = [sure("Oh no!", ns=0.5), sure("Oh no!", ns=0.4), sure("Oh no!")]
    assert "agree" in verdict(speechless, cmu)
    split = [sure("Get down, lads!"), sure("Get out, lads!"), sure("Get down, lads!", lp=-0.7)]
    assert "agree" in verdict(split, cmu)
    assert [w for w, _ in verdict(split[:1], cmu, agree=1)] == ["get", "down", "lads"]


def test_words_must_be_in_cmudict_few_and_not_numbers(cmu):
    assert verdict([sure("Be gone, you metal-some-cretan!")] * 2, cmu) == "a word not in CMUdict"
    assert verdict([sure("Doorak!")] * 3, cmu) == "a word not in CMUdict"
    assert verdict([sure("It appears your aim is somewhat lacking, sir.")] * 3, cmu) == "more than 6 words"
    assert len(verdict([sure("Oh, this is going to hurt!")] * 3, cmu)) == 6
    assert verdict([sure("Take 5!")] * 3, cmu) == "a number"
    assert "agree" in verdict([sure("...")] * 3, cmu)  # nothing to agree on


def test_a_lone_filler_is_kept_only_when_the_file_name_says_it(cmu):
    bye = [sure("Bye!")] * 3
    assert "filler" in verdict(bye, cmu, stem="Hello")
    assert "filler" in verdict([sure("Thank you.")] * 3, cmu, stem="Sameteam")
    assert [w for w, _ in verdict([sure("Bye-bye.")] * 3, cmu, stem="Byebye")] == ["bye", "bye"]
    assert [w for w, _ in verdict([sure("Bye, lads!")] * 3, cmu, stem="Hello")] == ["bye", "lads"]


def test_says_file_name():
    assert says_file_name("Youllregretthat", "You'll regret that!")
    assert says_file_name("Uh-oh", "Uh oh.")
    assert not says_file_name("Boring", "This is frightfully dull.")


def test_excluded_packs_are_not_scored():
    assert {"Robot", "Singer"} <= set(hedgewars.EXCLUDED)
    assert not set(hedgewars.PACKS) & set(hedgewars.EXCLUDED)
    assert set(hedgewars.PACKS) | set(hedgewars.EXCLUDED) == set(hedgewars.ENGLISH_PACKS)


# --- Whisper's input and the cache, without Whisper ----------------------------------------------------------

def test_log_mel_is_whispers_frontend():
    librosa = pytest.importorskip("librosa")
    x = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)
    ours = transcribe.log_mel(x)
    padded = np.zeros(transcribe.CHUNK_SAMPLES, np.float32)
    padded[:16000] = x
    power = np.abs(librosa.stft(padded, n_fft=400, hop_length=160, window="hann", center=True,
                                pad_mode="reflect")) ** 2  # torch.stft, as Whisper calls it
    ref = np.log10(np.maximum(librosa.filters.mel(sr=16000, n_fft=400, n_mels=80) @ power[:, :-1], 1e-10))
    ref = (np.maximum(ref, ref.max() - 8) + 4) / 4
    assert ours.shape == (80, 3000)
    assert np.abs(ours - ref).max() < 1e-4


def test_slowed_lowers_by_the_rate():
    t = np.arange(16000) / 16000
    tone = np.sin(2 * np.pi * 400 * t).astype(np.float32)
    slow = transcribe.slowed(tone, 0.75)
    assert len(slow) == pytest.approx(16000 / 0.75, abs=2)
    peak = np.argmax(np.abs(np.fft.rfft(slow))) * 16000 / len(slow)
    assert peak == pytest.approx(300, abs=3)
    assert transcribe.slowed(tone, 1.0) is tone


def _wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def test_cache_transcribes_only_what_it_has_not_seen(tmp_path, monkeypatch):
    a = _wav(tmp_path / "a.wav", np.zeros(1600, np.float32))
    b = _wav(tmp_path / "b.wav", np.zeros(3200, np.float32))
    calls = []

    def fake(samples):
        calls.append([len(s) for s in samples])
        return [Heard(f"n{len(s)}", -0.1, 0.01) for s in samples]

    monkeypatch.setattr(transcribe, "transcribe", fake)
    monkeypatch.setattr(transcribe, "available", lambda: True)
    tsv = tmp_path / "cache.tsv"
    first = transcribe.transcribe_cached([a], tsv, (1.0, 0.8))
    assert calls == [[1600, 2000]]  # the second reading is the slowed copy
    assert first == {("a.wav", 1.0): Heard("n1600", -0.1, 0.01), ("a.wav", 0.8): Heard("n2000", -0.1, 0.01)}
    both = transcribe.transcribe_cached([a, b], tsv, (1.0, 0.8))
    assert calls[1:] == [[3200, 4000]]  # only b is new
    assert transcribe.transcribe_cached([b, a], tsv, (1.0, 0.8)) == both and len(calls) == 2
    rows = list(csv.DictReader(open(tsv), delimiter="\t"))
    assert [(r["clip"], r["rate"]) for r in rows] == [("a.wav", "0.80"), ("a.wav", "1.00"), ("b.wav", "0.80"), ("b.wav", "1.00")]
    monkeypatch.setattr(transcribe, "available", lambda: False)
    with pytest.raises(RuntimeError, match="check"):
        transcribe.transcribe_cached([_wav(tmp_path / "c.wav", np.zeros(800, np.float32))], tsv)


# --- the real packs ------------------------------------------------------------------------------------------

@needs_packs
def test_identical_clips_are_kept_once(tmp_path):
    clips = hedgewars.decode_packs(tmp_path, ("Classic", "Default"))
    same = {f"{c.pack}/{c.ogg.stem}": c.same_as for c in clips if c.same_as}
    assert len(same) == 23  # 21 Default clips are Classic's; Classic's Melon and Watchthis are its Firepunch1
    assert same["Default/Cutitout"] == "Classic/Cutitout"
    assert same["Classic/Watchthis"] == "Classic/Firepunch1"
    assert "Default/Boring" not in same
    for c in clips:
        with wave.open(str(c.wav)) as w:
            assert (w.getframerate(), w.getnchannels()) == (16000, 1)


@needs_whisper
def test_whisper_hears_speech_and_not_silence():
    rng = np.random.default_rng(0)
    heard = transcribe.transcribe([np.zeros(16000, np.float32), (rng.standard_normal(16000) * 0.05).astype(np.float32)])
    assert all(h.no_speech_prob > hedgewars.MAX_NO_SPEECH for h in heard)


@needs_whisper
@needs_packs
def test_whisper_reads_a_line_that_is_not_its_file_name(tmp_path):
    wav = tmp_path / "Boring.wav"
    hedgewars.decode(hedgewars.find_voice_root() / "British" / "Boring.ogg", wav)
    with wave.open(str(wav)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    for h in transcribe.transcribe([x, transcribe.slowed(x, 0.75)]):
        assert h.text.lower().strip(".!") == "this is frightfully dull"
        assert h.avg_logprob > hedgewars.MIN_AVG_LOGPROB and h.no_speech_prob < hedgewars.MAX_NO_SPEECH


@pytest.fixture(scope="module")
def british(tmp_path_factory):
    """The British pack built from scratch: 60 clips, each heard three times (a few minutes on two cores)."""
    out = tmp_path_factory.mktemp("hedgewars")
    return out, hedgewars.build_dev_set(out, seed=0, packs=("British",))


@needs_whisper
@needs_packs
def test_british_items_are_what_was_said(british):
    out, items = british
    correct = {Path(it.audio).stem: it.text for it in items if it.correct}
    assert 20 <= len(correct) <= 45
    assert correct["Boring"] == "this is frightfully dull"  # the file name would say "boring"
    assert correct["Revenge"] == "i have claimed my revenge"
    assert "Amazing" not in correct  # Whisper is unsure ("Maris blended", "MERSPLANDED")
    assert "Missed" not in correct  # 8 words
    assert all(1 <= len(t.split()) <= hedgewars.MAX_WORDS for t in correct.values())
    rows = {r["clip"]: r for r in csv.DictReader(open(out / hedgewars.SELECTION), delimiter="\t")}
    assert len(rows) == 60
    assert {k.split("/")[1] for k, r in rows.items() if r["kept"] == "1"} == set(correct)
    assert sum(r["says_file_name"] == "1" for r in rows.values()) < len(correct) / 3


@needs_whisper
@needs_packs
def test_rebuild_reads_the_cache(british, monkeypatch):
    out, items = british
    assert len(transcribe.read_cache(out / hedgewars.TRANSCRIPTS)) == 60 * len(hedgewars.RATES)

    def refuse(samples):
        raise AssertionError("transcribed again")

    monkeypatch.setattr(transcribe, "transcribe", refuse)
    assert hedgewars.build_dev_set(out, seed=0, packs=("British",)) == items


@needs_whisper
@needs_packs
def test_mismatch_differs_at_the_recorded_phone(british):
    _, items = british
    twins = {it.audio: it for it in items if it.correct}
    bad = [it for it in items if not it.correct]
    assert len(bad) == len(twins)
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


@needs_whisper
@needs_packs
def test_manifests_round_trip(british):
    out, items = british
    write_manifests(items, out)
    back = load_dev_set(out)
    assert back == items
    assert {hedgewars.pack_of(it) for it in back} == {"British"}
    assert Path(back[0].audio).parent.parent == out / "wav"
