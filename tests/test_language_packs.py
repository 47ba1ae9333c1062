"""Installing languages: a fresh device judges English only; `saywell languages add` installs another from models/
(or a folder given), checked before anything is written; `remove` uninstalls it and keeps the lists."""

import json
import shutil

import pytest
from conftest import MODEL, ROOT, SAMPLES, run_cli

ES_MODEL = ROOT / "models" / "saywell-es.tflite"
needs_es = pytest.mark.skipif(not ES_MODEL.exists(), reason="no Spanish model in models/")


def one_line_error(r, *parts):
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    for p in parts:
        assert p in r.stderr, r.stderr


def listed(home_lines: str) -> dict[str, str]:
    return {line.split()[0]: line for line in home_lines.strip().splitlines()}


def test_a_fresh_device_judges_english_only(saywell_home):
    r = run_cli("languages")
    assert r.returncode == 0, r.stderr
    rows = listed(r.stdout)
    assert "installed (" in rows["en"] and str(ROOT / "models" / "saywell-en.tflite") in rows["en"]
    for code in ("es", "fr"):
        assert "not installed" in rows[code], rows[code]
    assert not (saywell_home / "models").exists()  # nothing copied until asked


@needs_es
def test_add_installs_spanish_into_the_device_home_and_remove_uninstalls_it(saywell_home):
    wav = str(SAMPLES / "mx1_perro.wav")
    one_line_error(run_cli("score", wav, "--text", "perro", "--lang", "es"), "saywell languages add es")
    r = run_cli("languages", "add", "es")
    assert r.returncode == 0 and "Spanish installed" in r.stdout, r.stderr
    installed = saywell_home / "models" / "saywell-es.tflite"
    assert installed.read_bytes() == ES_MODEL.read_bytes()
    assert json.loads(installed.with_suffix(".json").read_text())["language"] == "es"
    assert not (saywell_home / "models" / "saywell-es.float.tflite").exists()  # the trainer's, not the device's
    assert "installed (" in listed(run_cli("languages").stdout)["es"]
    r = run_cli("score", wav, "--text", "perro", "--lang", "es", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["lang"] == "es" and out["verdict"] == "correct"
    assert run_cli("lists", "import", str(ROOT / "device" / "classroom" / "data" / "beginner_es.csv"), "--name", "clase").returncode == 0
    r = run_cli("languages", "remove", "es")
    assert r.returncode == 0 and "word lists and progress are kept" in r.stdout
    assert not installed.exists() and not installed.with_suffix(".json").exists()
    assert "clase" in run_cli("lists", "show").stdout
    one_line_error(run_cli("practice", "--list", "clase", "--input", wav, "--fast", "--no-progress"),
                   "Spanish is not installed", "saywell languages add es")


def test_a_model_that_does_not_judge_the_language_is_refused_and_nothing_written(saywell_home, tmp_path):
    source = tmp_path / "stick"
    source.mkdir()
    shutil.copy(MODEL, source / "saywell-es.tflite")  # the English model, named as Spanish
    shutil.copy(MODEL.with_suffix(".json"), source / "saywell-es.json")
    one_line_error(run_cli("languages", "add", "es", "--from", str(source)), "judges English, not Spanish")
    meta = json.loads(MODEL.with_suffix(".json").read_text())
    (source / "saywell-es.json").write_text(json.dumps({**meta, "language": "es"}))  # says Spanish, has no Spanish phones
    one_line_error(run_cli("languages", "add", "es", "--from", str(source)), "has no output for the Spanish phone")
    (source / "saywell-es.json").write_text('{"schema_version": 1, "name": ')  # cut off
    one_line_error(run_cli("languages", "add", "es", "--from", str(source)), "corrupt model metadata")
    one_line_error(run_cli("languages", "add", "es", "--from", str(tmp_path / "nowhere")), "not found")
    assert not (saywell_home / "models").exists() or not any((saywell_home / "models").iterdir())


def test_english_unknown_and_absent_languages_are_one_line_errors():
    one_line_error(run_cli("languages", "add", "en"), "English is always installed")
    one_line_error(run_cli("languages", "remove", "en"), "English cannot be removed")
    one_line_error(run_cli("languages", "add", "xx"), "unknown language 'xx'")
    one_line_error(run_cli("languages", "remove", "fr"), "French is not installed")
    one_line_error(run_cli("languages", "add"), "name the language(s) to add")


FR_MODEL = ROOT / "models" / "saywell-fr.tflite"


@pytest.mark.skipif(not FR_MODEL.exists(), reason="no French model in models/")
def test_the_main_command_with_lang_installs_that_language_once(saywell_home):
    """`bash scripts/run --lang fr` (no microphone, no terminal here: the demo) installs French the first time."""
    import subprocess

    run = lambda: subprocess.run(["bash", str(ROOT / "scripts" / "run"), "--lang", "fr"], capture_output=True,
                                 text=True, cwd=ROOT, timeout=600, stdin=subprocess.DEVNULL)
    r = run()
    assert r.returncode == 0, r.stderr[-2000:]
    assert "French installed" in r.stderr and "deliberate mistakes caught" in r.stdout
    assert (saywell_home / "models" / "saywell-fr.tflite").read_bytes() == FR_MODEL.read_bytes()
    r = run()
    assert r.returncode == 0 and "French is installed (" in r.stderr and "French installed" not in r.stderr
