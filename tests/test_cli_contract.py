"""The scoring JSON contract (docs/contract.md), through the real CLI, on real audio with the real model."""

import json
import re
import shutil

import pytest
from conftest import HELLO, MODEL, SAMPLES, run_cli

VERDICTS = {"correct", "mispronounced", "no_speech"}


def check_contract(d: dict, text: str):
    assert set(d) == {"text", "score", "verdict", "words", "completeness", "insertions", "fluency", "accent", "lang"}
    assert d["lang"] == "en"
    assert d["accent"] in ("any", "us", "gb")
    assert d["text"] == text and d["verdict"] in VERDICTS
    assert isinstance(d["score"], float) and 0.0 <= d["score"] <= 100.0
    assert d["words"], "at least one word"
    omitted = sum(w["error"] == "omitted" for w in d["words"])
    if d["verdict"] == "no_speech":
        assert d["completeness"] == 0.0 and d["insertions"] == [] and d["fluency"] is None
    else:
        assert d["completeness"] == round(1 - omitted / len(d["words"]), 2)
        assert set(d["fluency"]) == {"speech_rate", "pauses", "longest_pause"} and d["fluency"]["speech_rate"] > 0
        wrong_words = any(w["verdict"] == "mispronounced" for w in d["words"])
        extra = any(i["kind"] == "extra" for i in d["insertions"])
        assert (d["verdict"] == "mispronounced") == (wrong_words or extra)
    for i in d["insertions"]:
        assert set(i) == {"after", "start", "end", "kind"} and i["kind"] in ("repeat", "extra")
        assert -1 <= i["after"] < len(d["words"]) and i["start"] < i["end"]
    for w in d["words"]:
        assert set(w) == {"word", "score", "phones", "verdict", "error"} and isinstance(w["word"], str)
        assert 0.0 <= w["score"] <= 100.0
        assert w["error"] in ("none", "mispronounced", "omitted")
        assert (w["error"] == "none") == (w["verdict"] != "mispronounced")
        assert w["verdict"] == d["verdict"] or d["verdict"] == "mispronounced"
        last_end = 0.0
        for p in w["phones"]:
            assert set(p) == {"phone", "score", "ok", "heard", "start", "end"}
            assert p["phone"].isupper() and not any(c.isdigit() for c in p["phone"])
            assert isinstance(p["ok"], bool) and 0.0 <= p["score"] <= 100.0
            assert (p["heard"] is None) == p["ok"]
            assert p["heard"] is None or isinstance(p["heard"], str)
            if d["verdict"] != "no_speech":
                assert last_end <= p["start"] < p["end"]
                last_end = p["end"]


def test_score_json_on_real_speech():
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "hello", "--json", "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    check_contract(d, "hello")
    assert [p["phone"] for p in d["words"][0]["phones"]] in HELLO
    assert d["words"][0]["phones"][-1]["end"] <= 2.0


def test_given_phones_win_over_the_dictionary():
    r = run_cli("score", str(SAMPLES / "joe_think.wav"), "--text", "think", "--phones", "th ih1 ng k", "--json", "--model", str(MODEL))
    d = json.loads(r.stdout)
    assert [p["phone"] for p in d["words"][0]["phones"]] == ["TH", "IH", "NG", "K"]


def test_human_output_names_verdict_and_sounds():
    r = run_cli("score", str(SAMPLES / "real_seven.wav"), "--text", "seven", "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("seven: ") and "sounds: S " in r.stdout


def test_score_batch_one_line_per_input_in_order(tmp_path):
    shutil.copy(SAMPLES / "real_three.wav", tmp_path / "three.wav")
    manifest = tmp_path / "m.tsv"
    manifest.write_text(
        "three.wav\tthree\n"  # relative to the manifest's folder
        f"{SAMPLES / 'real_hello.wav'}\thello\tHH AH L OW\n"  # absolute, with phones
        "missing.wav\tcat\n"
        "just-one-column\n"
        "\n"
        f"{SAMPLES / 'real_seven.wav'}\tseven\tXX\n"
        "three.wav\ttree\n")
    r = run_cli("score-batch", str(manifest), "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(lines) == 6
    check_contract(lines[0], "three")
    check_contract(lines[1], "hello")
    assert "not found" in lines[2]["error"]
    assert "line 4" in lines[3]["error"]
    assert "XX" in lines[4]["error"]
    check_contract(lines[5], "tree")
    assert lines[5]["score"] < lines[0]["score"]


@pytest.mark.parametrize("args,needle", [
    (["score", "/nonexistent.wav", "--text", "cat"], "not found"),
    (["score", "AUDIO", "--text", "!!!"], "no words"),
    (["score", "AUDIO", "--text", "cat", "--phones", "K QQ T"], "QQ"),
    (["score", "AUDIO", "--text", "cat", "--model", "/nonexistent/m.tflite"], "model file"),
    (["score-batch", "/nonexistent.tsv"], "not found"),
    (["score", "AUDIO", "--text", "cat", "--delegate", "libedgetpu.so.1"], "could not load delegate"),
    (["score", "AUDIO", "--text", "cat", "--threads", "0"], "whole number of threads from 1 up"),
    (["score", "AUDIO", "--text", "cat", "--accent", "fr"], "invalid choice"),
    (["practice", "--order", "random"], "invalid choice"),
])
def test_user_errors_are_one_line_without_traceback(args, needle):
    args = [str(SAMPLES / "real_hello.wav") if a == "AUDIO" else a for a in args]
    if "--model" not in args:
        args += ["--model", str(MODEL)]
    r = run_cli(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert needle in r.stderr


def test_corrupt_model_and_missing_metadata(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 1000)
    shutil.copy(MODEL.with_suffix(".json"), tmp_path / "bad.json")
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "hello", "--model", str(bad))
    assert r.returncode == 2 and "not a valid TFLite model" in r.stderr and "Traceback" not in r.stderr
    lonely = tmp_path / "lonely.tflite"
    shutil.copy(MODEL, lonely)
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "hello", "--model", str(lonely))
    assert r.returncode == 2 and "metadata" in r.stderr
    (tmp_path / "lonely.json").write_text("{not json")
    r = run_cli("score", str(SAMPLES / "real_hello.wav"), "--text", "hello", "--model", str(lonely))
    assert r.returncode == 2 and "corrupt model metadata" in r.stderr


def test_demo_scores_every_sample():
    r = run_cli("demo", "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("[real_") == 9 and r.stdout.count("[joe_") == 4
    assert "error" not in r.stdout
    # the closing summary agrees with the verdicts printed above it and names every miss
    blocks = re.findall(r"\[(\S+)\]\n(.+?): (correct|try again)", r.stdout)
    notes = {(ln.split("\t")[0], ln.split("\t")[1]): ln.split("\t")[3] for ln in (SAMPLES / "manifest.tsv").read_text().splitlines()
             if ln and not ln.startswith("#")}
    mistakes = [(a, t, v) for a, t, v in blocks if not re.search(r"\bcorrect\b", notes[(a, t)])]
    caught = sum(v == "try again" for *_, v in mistakes)
    assert len(mistakes) == 4 and f"deliberate mistakes caught: {caught} of 4" in r.stdout
    for a, t, v in blocks:
        named = f"{a} ('{t}'" in r.stdout.split("deliberate mistakes caught")[1]
        assert named == ((a, t, v) in mistakes and v == "correct" or (a, t, v) not in mistakes and v == "try again")


def test_a_guessed_pronunciation_is_named():
    """A word not in the dictionary is scored against espeak-ng's guess, and the text output says so."""
    r = run_cli("score", str(SAMPLES / "joe_think.wav"), "--text", "zorbleflax", "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    note = [line for line in r.stderr.splitlines() if "not in the dictionary" in line]
    assert len(note) == 1 and "'zorbleflax'" in note[0] and "--phones" in note[0]
    assert re.search(r"/Z [A-Z ]+/", note[0])  # the guessed phones, so a teacher can check them
    known = run_cli("score", str(SAMPLES / "joe_think.wav"), "--text", "think", "--model", str(MODEL))
    assert "not in the dictionary" not in known.stderr


def test_score_help_names_every_contract_field():
    """`saywell score --help` carries the contract's outline: a field added to the JSON must be added there too."""
    help_text = run_cli("score", "--help").stdout
    r = run_cli("score", str(SAMPLES / "real_to_exit_the_menu.wav"), "--text", "to exit the menu", "--json", "--model", str(MODEL))
    d = json.loads(r.stdout)
    fields = set(d) | set(d["words"][0]) | set(d["words"][0]["phones"][0]) | set(d["fluency"])
    fields |= {"after", "start", "end", "kind"}  # an insertion's, when there is one
    missing = [f for f in sorted(fields) if not re.search(rf"\b{f}\b", help_text)]
    assert not missing, f"saywell score --help does not name {missing}"
    assert "exit codes" in help_text and "no speech" in help_text
