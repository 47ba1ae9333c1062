"""Spanish in the device apps: --lang and the model's language agree or say why not, Spanish word lists (a lang
column, IPA or X-SAMPA phones, stored with their language), progress that labels each sound in its language, the
teacher page and reports showing it, and English tips for Spanish sounds. A Spanish model is needed only where
something is scored (the shipped one, else the smoke model of this session); what it judges is not tested here."""

import json
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import MODEL, ROOT, SAMPLES, run_cli
from test_teacher_page import Browser, multipart, server  # noqa: F401  (server: the live teacher page fixture)

from saywell.apps import teacher_views as views
from saywell.classroom.progress import MIGRATIONS, Attempt, PhoneMark, ProgressStore, WordMark
from saywell.classroom.report import learner_report, to_csv, to_svg, to_text
from saywell.classroom.wordlists import (BUILTIN_LISTS, WordList, load_stored, read_list, resolve, store_list,
                                         stored_path, to_csv as list_csv)
from saywell.engine.feedback import describe, sound_to_work_on, spoken_feedback, tip
from saywell.engine.scoring import PhoneResult, ScoreResult, WordResult

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
ES_MODELS = [ROOT / "models" / "saywell-es.tflite", ROOT / "work_es" / "smoke_models" / "saywell-es.tflite"]
ES_MODEL = next((p for p in ES_MODELS if p.exists()), None)
needs_es_model = pytest.mark.skipif(ES_MODEL is None, reason="no Spanish model (models/saywell-es.tflite) yet")
WAV = str(SAMPLES / "joe_think.wav")


def one_line_error(r, *parts):
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    for p in parts:
        assert p in r.stderr, r.stderr


@pytest.fixture
def labelled_es(tmp_path):
    """The English model with metadata saying it judges Spanish: enough to test that the languages are checked
    (the check comes before anything is scored)."""
    d = tmp_path / "labelled"
    d.mkdir()
    shutil.copy(MODEL, d / "saywell-es.tflite")
    meta = json.loads(MODEL.with_suffix(".json").read_text())
    (d / "saywell-es.json").write_text(json.dumps({**meta, "language": "es"}))
    return d / "saywell-es.tflite"


# ---- --lang and the model ---------------------------------------------------------------------------------

def test_an_unknown_lang_is_a_usage_error_naming_the_languages():
    r = run_cli("score", WAV, "--text", "think", "--lang", "xx")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "unknown language 'xx'" in r.stderr and "en, es" in r.stderr


def test_spanish_not_installed_is_one_line_naming_the_fix(tmp_path, monkeypatch):
    manifest = tmp_path / "m.tsv"
    manifest.write_text(f"{WAV}\tperro\n")
    commands = (["score", WAV, "--text", "perro"], ["practice", "--input", WAV, "--fast", "--no-progress"],
                ["score-batch", str(manifest)])
    for cmd in commands:  # a fresh device: English only
        one_line_error(run_cli(*cmd, "--lang", "es"), "Spanish is not installed on this device (installed: en)",
                       "saywell languages add es", "--model")
    empty = tmp_path / "no-models"
    empty.mkdir()
    monkeypatch.setenv("SAYWELL_MODELS", str(empty))  # an explicit models folder without it
    for cmd in commands:
        one_line_error(run_cli(*cmd, "--lang", "es"), "no Spanish model in $SAYWELL_MODELS",
                       str(empty / "saywell-es.tflite"), "unset SAYWELL_MODELS")


def test_lang_and_the_models_language_must_agree(labelled_es):
    one_line_error(run_cli("score", WAV, "--text", "perro", "--lang", "es", "--model", str(MODEL)),
                   "--lang es", "judges English", "pass a Spanish model")
    one_line_error(run_cli("score", WAV, "--text", "think", "--lang", "en", "--model", str(labelled_es)),
                   "--lang en", "judges Spanish", "pass an English model")


def test_accent_is_refused_for_spanish(labelled_es):
    one_line_error(run_cli("score", WAV, "--text", "perro", "--accent", "gb", "--model", str(labelled_es)),
                   "--accent applies to English only", "drop --accent")


def test_a_spanish_list_needs_a_spanish_model(tmp_path):
    lst = tmp_path / "palabras.csv"
    lst.write_text("text,lang\nperro,es\n", encoding="utf-8")
    one_line_error(run_cli("practice", "--input", WAV, "--list", str(lst), "--fast", "--no-progress", "--model", str(MODEL)),
                   "the word list palabras is Spanish", "judges English")
    one_line_error(run_cli("practice", "--input", WAV, "--list", str(lst), "--fast", "--no-progress", "--lang", "en"),
                   "the word list palabras is Spanish but --lang en was given")


def test_score_help_mentions_lang():
    r = run_cli("score", "--help")
    assert r.returncode == 0 and "--lang" in r.stdout and "es" in r.stdout


def test_the_kiosk_unit_keeps_lang_and_leaves_the_model_to_it(tmp_path):
    unit = tmp_path / "kiosk.service"
    r = run_cli("kiosk", "--install-service", "--unit-path", str(unit), "--lang", "es")
    assert r.returncode == 0, r.stderr
    exec_start = next(ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart="))
    assert exec_start.endswith(" kiosk --lang es") and "--model" not in exec_start


@needs_es_model
def test_spanish_practice_end_to_end_records_the_language(tmp_path):
    """Plumbing only: the smoke model's judgements mean nothing."""
    lst = tmp_path / "palabras.csv"
    lst.write_text("text,phones,lang\npero,p e 4 o,es\n", encoding="utf-8")
    r = run_cli("practice", "--input", WAV, "--list", str(lst), "--json", "--fast", "--learner", "ana",
                "--model", str(ES_MODEL))
    assert r.returncode == 0, r.stderr
    result = next(json.loads(ln)["result"] for ln in r.stdout.splitlines() if '"result"' in ln)
    assert result["lang"] == "es" and result["accent"] == "any"
    assert [p["phone"] for p in result["words"][0]["phones"]] == ["p", "e", "ɾ", "o"]
    with ProgressStore.default() as store:
        [a] = store.attempts(everyone=True)
    assert a.lang == "es" and a.list_name == "palabras"
    rep = run_cli("report", "--learner", "ana")
    assert rep.returncode == 0 and "as in casa" not in rep.stdout  # every sound here is labelled in Spanish
    assert all(re.search(r"/\S+/ as in (papá|mesa|pero|todo)", part) for part in
               rep.stdout.split("sounds to practise: ")[1].splitlines()[0].split(", ") if "as in" in part)


# ---- word lists -------------------------------------------------------------------------------------------

def problems(checked):
    return [(p.line, p.error, p.message) for p in checked.problems]


@needs_espeak
def test_a_spanish_list_with_a_lang_column_is_checked_in_spanish(tmp_path):
    p = tmp_path / "semana1.csv"
    p.write_text("text,phones,lang\nperro,p e rr o,es\npero,p e 4 o,\nniño,,ES\nzapato,,es\ngato,g a t o Q,es\n"
                 "casa,,xx\nthink,,en\n", encoding="utf-8")
    c = read_list(p)
    assert c.wordlist.lang == "es"
    assert [(e.text, e.phones, e.sources) for e in c.wordlist.entries] == [
        ("perro", (("p", "e", "r", "o"),), ("given",)), ("pero", (("p", "e", "ɾ", "o"),), ("given",)),
        ("niño", (("n", "i", "ɲ", "o"),), ("spelling",)), ("zapato", (("θ", "a", "p", "a", "t", "o"),), ("spelling",))]
    errors = {line: msg for line, error, msg in problems(c) if error}
    assert set(errors) == {6, 7, 8}
    assert "unknown Spanish phone symbol(s) Q" in errors[6] and "X-SAMPA" in errors[6]
    assert "lang 'xx' is not a language saywell knows" in errors[7]
    assert "but the list is Spanish (line 2)" in errors[8] and "one language" in errors[8]
    assert not c.warnings  # a Spanish word's phones from its spelling are not a guess to check


@needs_espeak
def test_lists_validate_names_the_bad_spanish_phone_and_its_line(tmp_path):
    p = tmp_path / "palabras.txt"
    p.write_text("perro\nniño\n", encoding="utf-8")
    ok = run_cli("lists", "validate", str(p), "--lang", "es")
    assert ok.returncode == 0 and "Spanish" in ok.stdout and "--lang es" in ok.stdout, ok.stderr
    bad = tmp_path / "malas.csv"
    bad.write_text("text,phones,lang\nperro,p e rr o,es\npero,p e R o,es\n", encoding="utf-8")
    r = run_cli("lists", "validate", str(bad))
    assert r.returncode == 2
    assert "line 3: error: phones 'p e R o': unknown Spanish phone symbol(s) R" in r.stdout
    as_english = run_cli("lists", "validate", str(p))  # a plain list is English unless told
    assert as_english.returncode == 0 and "English" in as_english.stdout


@needs_espeak
def test_a_stored_list_keeps_its_language_and_old_lists_are_english(tmp_path):
    p = tmp_path / "palabras.csv"
    p.write_text("text,phones\ncalle,\nmuchas gracias,m u tS a s | g 4 a T j a s\n", encoding="utf-8")
    r = run_cli("lists", "import", str(p), "--lang", "es", "--name", "semana3")
    assert r.returncode == 0 and "(Spanish)" in r.stdout, r.stderr
    wl = load_stored("semana3")
    assert wl.lang == "es" and wl.entries[1].phones == (("m", "u", "tʃ", "a", "s"), ("ɡ", "ɾ", "a", "θ", "j", "a", "s"))
    assert resolve("semana3").lang == "es"
    shown = run_cli("lists", "show")
    assert re.search(r"semana3\s+2\s+0\s+es\s", shown.stdout), shown.stdout
    assert list_csv(wl).splitlines()[0].endswith(",lang") and list_csv(wl).splitlines()[1].endswith(",es")
    refused = run_cli("lists", "import", str(p), "--lang", "es", "--accent", "gb", "--name", "otra")
    assert refused.returncode == 2 and "English lists only" in refused.stderr
    # a list stored before Spanish has no lang: English; a hand-edited X-SAMPA phone is read in the list's language
    doc = json.loads(stored_path("semana3").read_text())
    doc["entries"][0]["phones"] = [["k", "a", "L", "e"]]
    stored_path("semana3").write_text(json.dumps(doc))
    assert load_stored("semana3").entries[0].phones == (("k", "a", "j", "e"),)
    store_list(WordList("week1", read_list(_english(tmp_path)).wordlist.entries))
    doc = json.loads(stored_path("week1").read_text())
    del doc["lang"]
    stored_path("week1").write_text(json.dumps(doc))
    assert load_stored("week1").lang == "en"


def _english(tmp_path):
    p = tmp_path / "week1.txt"
    p.write_text("ship\n")
    return p


@needs_espeak
def test_the_built_in_spanish_list_exercises_the_hard_sounds():
    path, name = BUILTIN_LISTS["es"]
    c = read_list(path, name)
    assert c.problems == () and c.wordlist.lang == "es" and resolve(None, "es").name == "beginner-es"
    words = [e for e in c.wordlist.entries if len(e.phones) == 1]
    phrases = [e for e in c.wordlist.entries if len(e.phones) > 1]
    assert 18 <= len(words) <= 24 and len(phrases) == 3
    said = {p for e in c.wordlist.entries for g in e.phones for p in g}
    assert {"ɾ", "r", "x", "ɲ", "θ", "a", "e", "i", "o", "u"} <= said


# ---- progress, reports and the teacher page ---------------------------------------------------------------

def es_attempt(t=None, learner=None):
    """'pero' with its tap said as a trill."""
    marks = (PhoneMark("p", 90.0, True, None), PhoneMark("e", 88.0, True, None), PhoneMark("ɾ", 20.0, False, "r"),
             PhoneMark("o", 91.0, True, None))
    return Attempt(time.time() if t is None else t, "pero /p e ɾ o/", "pero", "p e ɾ o", 40.0, "mispronounced", marks,
                   learner=learner, list_name="semana1", lang="es")


def en_attempt(t=None):
    marks = (PhoneMark("S", 20.0, False, "SH"), PhoneMark("IH", 90.0, True, None), PhoneMark("P", 90.0, True, None))
    return Attempt(time.time() if t is None else t, "ship /S IH P/", "sip", "S IH P", 40.0, "mispronounced", marks)


def test_sounds_are_labelled_and_counted_in_their_language(saywell_home):
    with ProgressStore.default() as store:
        ana = store.learner("ana")
        sid = store.start_session(ana, "semana1")
        store.record(sid, ana, es_attempt())
        store.record(sid, ana, en_attempt())
        attempts = {a.lang: a for a in store.attempts(ana)}  # recorded in one second: their order is not defined
        assert sorted(attempts) == ["en", "es"]
        a_es = attempts["es"]
        report = learner_report(store, ana)
    labels = {(x.phone, x.lang): x.label for x in report.overall.sounds}
    assert labels[("ɾ", "es")] == "/ɾ/ as in pero"
    assert labels[("S", "en")] == "/s/ as in sun" and labels[("p", "es")] == "/p/ as in papá"
    text = to_text(report, whole_class=False)
    assert "/ɾ/ as in pero: 0 of 1 right" in text and "/s/ as in sun: 0 of 1 right" in text
    assert "/ɾ/ as in pero" in to_csv(report, whole_class=False)
    assert 'data-phone="ɾ" data-lang="es"' in to_svg(report) and "/ɾ/ as in pero" in to_svg(report)
    row = views._attempt_row(a_es)
    assert "/ɾ/ as in pero (heard /r/ as in perro)" in row


def test_old_attempts_are_migrated_as_english(saywell_home):
    path = saywell_home / "progress.sqlite3"
    saywell_home.mkdir(parents=True)
    con = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        con.executescript(script)
    con.execute("INSERT INTO sessions(id, learner_id, list_name, started) VALUES (1, NULL, 'w', 0)")
    con.execute("INSERT INTO attempts(id, session_id, learner_id, t, list_name, word_key, word_text, expected_phones, "
                "score, verdict) VALUES (1, 1, NULL, 1.0, 'w', 'ship /SH IH P/', 'ship', 'SH IH P', 90, 'correct')")
    con.execute("INSERT INTO phone_results VALUES (1, 0, 0, 'SH', 30.0, 0, 'S')")
    con.execute("PRAGMA user_version = 4")
    con.commit()
    con.close()
    with ProgressStore.default() as store:
        [a] = store.attempts(everyone=True)
        assert a.lang == "en" and a.sound("SH") == "/ʃ/ as in she"
        [s] = store.summary().sounds
    assert (s.phone, s.lang, s.label) == ("SH", "en", "/ʃ/ as in she")


@needs_espeak
def test_the_teacher_page_shows_each_lists_language_and_spanish_sounds(server):  # noqa: F811
    b = Browser(server)
    data = "text,phones,lang\npero,,es\nperro,p e rr o,es\nel perro corre,,es\n".encode()
    status, _, page = b.upload(data, filename="semana1.csv", name="semana1")
    assert status == 200 and 'id="list-lang">Spanish (es)<' in page and 'name="accent"' not in page
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    status, _, _ = b.post("/lists/import", {"csrf": b.csrf(), "upload": token})
    assert status == 200 and load_stored("semana1").lang == "es"
    assert b.check_and_import(b"text\nship\n", "week1")[0] == 200  # an English list beside it
    # a plain list uploaded with the language chosen in the form
    body, ctype = multipart({"csrf": b.csrf(), "name": "semana2", "lang": "es"}, {"file": ("s.txt", "niño\n".encode())})
    status, _, page = b.request("/lists/check", body, {"Content-Type": ctype}, "POST")
    assert status == 200 and 'id="list-lang">Spanish (es)<' in page
    body, ctype = multipart({"csrf": b.csrf(), "lang": "xx"}, {"file": ("s.txt", b"nino\n")})
    status, _, page = b.request("/lists/check", body, {"Content-Type": ctype}, "POST")
    assert status == 400 and "language &#x27;xx&#x27;" in page
    _, _, home = b.get("/")
    rows = dict(re.findall(r'<a href="/list\?name=(\w+)">\w+</a>.*?<td class="lang">([^<]+?) ?(?:<em>|</td>)', home))
    assert rows == {"semana1": "Spanish (es)", "week1": "English (en)"}
    _, _, lst = b.get("/list?name=semana1")
    assert 'id="list-lang">Spanish (es)<' in lst and "/p e r o/" in lst
    with ProgressStore.default() as store:  # a learner's Spanish phrase: its missed words, its sounds
        ana = store.learner("ana")
        sid = store.start_session(ana, "semana1")
        store.record(sid, ana, es_attempt(learner="ana"))
        phrase = Attempt(time.time(), "el perro corre /e l | p e r o | k o r e/", "el perro corre",
                         "e l | p e r o | k o r e", 30.0, "mispronounced",
                         (PhoneMark("r", 10.0, False, "ɾ", 1),), learner="ana", list_name="semana1",
                         words=(WordMark("el", "correct"), WordMark("perro", "mispronounced", "mispronounced"),
                                WordMark("corre", "mispronounced", "omitted")), lang="es")
        store.record(sid, ana, phrase)
    _, _, learner = b.get("/learner?name=ana")
    assert "/ɾ/ as in pero" in learner and "/r/ as in perro (heard /ɾ/ as in pero)" in learner
    assert 'data-phone="r" data-lang="es"' in learner
    assert re.search(r'perro</span> <small>\(missed 1 of 1\)', learner)
    assert re.search(r'corre</span> <small>\(missed 1 of 1, left out 1\)', learner)


# ---- tips ---------------------------------------------------------------------------------------------------

def es_result(phone: str, heard: str | None, text: str = "pero") -> ScoreResult:
    phones = [PhoneResult(p, 90.0, True, None, 0.0, 0.1) for p in ("p", "e")]
    phones.append(PhoneResult(phone, 12.0, False, heard, 0.1, 0.2))
    word = WordResult(text, 30.0, phones, "mispronounced", "mispronounced")
    return ScoreResult(text, 30.0, "mispronounced", [word], 1.0, [], None, "gb", "es")


def test_tips_for_spanish_sounds_are_in_english_with_a_spanish_example():
    assert tip("ɾ", "r", "es") == "only one quick tap for a single 'r' between vowels: 'pero' (but), not 'perro' (dog)"
    assert tip("x", None, "es").startswith("the sound /x/ in Spanish 'jota': a rough 'h'")
    assert tip("ɲ", "-", "es") == "don't drop the 'ɲ' sound (as in Spanish 'niño'): say it clearly"
    found = sound_to_work_on(es_result("ɾ", "r"))
    assert found[1].phone == "ɾ" and "one quick tap" in found[2]
    # an English accent rule never applies to Spanish, even with a stray 'gb' target
    assert "British" not in spoken_feedback(es_result("ɾ", "r"))
    assert "sound to work on: ɾ in 'pero' (heard r instead)" in describe(es_result("ɾ", "r"))
