"""Accent target: the forms each of `us`, `gb` and `any` accepts, and how British and American speech is judged
by each (espeak-ng reading the word in its own accent, shipped model)."""

import shutil
import subprocess

import numpy as np
import pytest
from conftest import MODEL

from saywell.audio.wav import Audio, load_wav
from saywell.engine import accent
from saywell.engine.lexicon import Lexicon
from saywell.engine.model import AcousticModel
from saywell.engine.scoring import Scorer
from saywell.errors import SaywellError


def forms(word: str, target: str) -> list[str]:
    lexicon = Lexicon(use_g2p=False)
    return [" ".join(v.phones) for v in lexicon.variants(lexicon.lookup(word), target)]


@pytest.mark.parametrize("word,us,gb", [
    ("water", ["W AO T ER"], ["W AO T AH"]),  # no R after a vowel; unstressed ER is a schwa
    ("car", ["K AA R"], ["K AA"]),
    ("here", ["HH IY R"], ["HH IH AH"]),  # centring diphthong
    ("bath", ["B AE TH"], ["B AE TH", "B AA TH"]),  # TRAP-BATH: northern AE kept
    ("hand", ["HH AE N D"], ["HH AE N D"]),  # TRAP stays TRAP
    ("hot", ["HH AA T"], ["HH AA T", "HH AO T"]),  # LOT
    ("very", ["V EH R IY"], ["V EH R IY"]),  # R before a vowel is said in both
])
def test_forms_per_target(word, us, gb):
    assert forms(word, "us") == us
    assert forms(word, "gb") == gb
    assert forms(word, "any") == us + [f for f in gb if f not in us]


def test_unknown_target_is_refused():
    with pytest.raises(ValueError):
        accent.accepted("K AA1 R", "car", "au")
    with pytest.raises(SaywellError):
        Scorer(AcousticModel(MODEL), accent="au")


@pytest.fixture(scope="module")
def scorers():
    model = AcousticModel(MODEL)
    return {a: Scorer(model, accent=a) for a in accent.ACCENTS}


def spoken(voice: str, word: str, tmp_path) -> Audio:
    wav = tmp_path / f"{voice}-{word}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), word], check=True)
    pad = np.zeros(2400, np.float32)
    return Audio(np.concatenate([pad, load_wav(wav).samples, pad]), 16000)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
@pytest.mark.parametrize("word", ["water", "after", "better"])
def test_each_target_judges_its_own_accent(scorers, word, tmp_path):
    british, american = spoken("en-gb", word, tmp_path), spoken("en-us", word, tmp_path)
    assert scorers["us"].score(british, word).verdict == "mispronounced"
    assert scorers["gb"].score(british, word).verdict == "correct"
    assert scorers["gb"].score(american, word).verdict == "mispronounced"
    assert scorers["us"].score(american, word).verdict == "correct"
    assert scorers["any"].score(british, word).verdict == scorers["any"].score(american, word).verdict == "correct"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_feedback_names_the_accent_taught(scorers, tmp_path):
    from saywell.engine.feedback import describe

    american_water = scorers["gb"].score(spoken("en-us", "water", tmp_path), "water")
    assert "British English: no R sound after the vowel in 'water'" in describe(american_water)
    british_water = scorers["us"].score(spoken("en-gb", "water", tmp_path), "water")
    assert "American English: say the R in 'water'" in describe(british_water)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_the_accent_follows_the_flag_then_the_list_then_the_device(tmp_path, saywell_home):
    import json

    from conftest import run_cli
    from saywell.audio.wav import write_wav

    wav = tmp_path / "british_water.wav"
    write_wav(wav, spoken("en-gb", "water", tmp_path).samples)

    def score(*extra):
        r = run_cli("score", str(wav), "--text", "water", "--json", "--model", str(MODEL), *extra)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["verdict"], json.loads(r.stdout)["accent"]

    def practise(*extra):
        r = run_cli("practice", "--input", str(wav), "--json", "--fast", "--model", str(MODEL), *extra, stdin="")
        results = [json.loads(x)["result"] for x in r.stdout.splitlines() if '"result"' in x]
        assert r.returncode == 0 and len(results) == 1, r.stderr
        return results[0]["verdict"], results[0]["accent"]

    assert score() == ("correct", "any")  # nothing set: either accent
    assert run_cli("settings", "accent", "us").returncode == 0
    assert score() == ("mispronounced", "us") and score("--accent", "gb") == ("correct", "gb")
    words = tmp_path / "uk.txt"
    words.write_text("water\n")
    assert run_cli("lists", "import", str(words), "--name", "uk", "--accent", "gb").returncode == 0
    assert practise("--list", "uk") == ("correct", "gb")  # the list's accent over the device's
    assert practise("--list", "uk", "--accent", "us") == ("mispronounced", "us")  # the flag over the list's
    assert run_cli("lists", "import", str(words), "--name", "plain").returncode == 0
    assert practise("--list", "plain") == ("mispronounced", "us")  # no accent on the list: the device's
    practise("--list", "uk", "--learner", "Ada")
    assert run_cli("settings", "accent", "us", "--learner", "Ada").returncode == 0
    assert practise("--list", "uk", "--learner", "Ada") == ("mispronounced", "us")  # the learner's over the list's
    assert practise("--list", "uk", "--learner", "Ada", "--accent", "gb") == ("correct", "gb")
    assert run_cli("settings", "accent", "default", "--learner", "Ada").returncode == 0
    assert practise("--list", "uk", "--learner", "Ada") == ("correct", "gb")
    r = run_cli("kiosk", "--list", "uk", "--input", str(wav), "--fast", "--model", str(MODEL), stdin="")
    assert "ready" in r.stderr and 'accent="gb"' in r.stderr, r.stderr
