"""French in the device apps, as Spanish is (test_spanish_apps.py): --lang fr and the model's language agree or say
why not, French word lists (a lang column, IPA or X-SAMPA phones, stored with their language), the built-in French
list, and sounds labelled in French in reports and on the teacher page. Where a mismatched model is needed, an
English model labelled French checks the plumbing before anything is scored."""

import json
import re
import shutil
import time

import pytest
from conftest import MODEL, ROOT, SAMPLES, run_cli
from test_spanish_apps import needs_espeak, one_line_error
from test_teacher_page import Browser, multipart, server  # noqa: F401  (server: the live teacher page fixture)

from saywell.apps import teacher_views as views
from saywell.classroom.progress import Attempt, PhoneMark, ProgressStore
from saywell.classroom.report import learner_report, to_csv, to_svg, to_text
from saywell.classroom.wordlists import BUILTIN_LISTS, load_stored, read_list, resolve, stored_path, to_csv as list_csv
from saywell.engine.feedback import tip
from saywell.engine.language import LANGUAGES

FR_MODEL = ROOT / "models" / "saywell-fr.tflite"
needs_fr_model = pytest.mark.skipif(not FR_MODEL.exists(), reason="no French model in models/")
WAV = str(SAMPLES / "joe_think.wav")


@pytest.fixture
def labelled_fr(tmp_path):
    """The English model with metadata saying it judges French: its phones are not French's, so it can only show
    that the languages are checked (before anything is scored)."""
    d = tmp_path / "labelled"
    d.mkdir()
    shutil.copy(MODEL, d / "saywell-fr.tflite")
    meta = json.loads(MODEL.with_suffix(".json").read_text())
    (d / "saywell-fr.json").write_text(json.dumps({**meta, "language": "fr"}))
    return d / "saywell-fr.tflite"


# ---- --lang and the model ---------------------------------------------------------------------------------

def test_every_lang_option_names_every_language():
    codes = "|".join(LANGUAGES)
    assert "fr" in LANGUAGES and codes.count("|") >= 2
    for cmd in (["score"], ["score-batch"], ["practice"], ["kiosk"], ["lists", "validate"], ["lists", "import"]):
        r = run_cli(*cmd, "--help")
        assert r.returncode == 0 and f"--lang {codes}" in r.stdout, (cmd, r.stdout)
        assert "fr (French)" in " ".join(r.stdout.split()), cmd
        assert "Spain" not in r.stdout, cmd  # --accent's help speaks of every other language, not Spanish alone
    r = run_cli("score", WAV, "--text", "rue", "--lang", "xx")
    assert r.returncode == 2 and "unknown language 'xx'" in r.stderr and "en, es, fr" in r.stderr


def test_lang_fr_without_a_french_model_is_one_line_naming_the_fix(tmp_path, monkeypatch):
    empty = tmp_path / "no-models"
    empty.mkdir()
    monkeypatch.setenv("SAYWELL_MODELS", str(empty))
    manifest = tmp_path / "m.tsv"
    manifest.write_text(f"{WAV}\true\n")
    for cmd in (["score", WAV, "--text", "rue"], ["practice", "--input", WAV, "--fast", "--no-progress"],
                ["kiosk", "--input", WAV], ["score-batch", str(manifest)]):
        one_line_error(run_cli(*cmd, "--lang", "fr"), "no French model in $SAYWELL_MODELS",
                       str(empty / "saywell-fr.tflite"), "unset SAYWELL_MODELS")
    monkeypatch.delenv("SAYWELL_MODELS")
    for cmd in (["score", WAV, "--text", "rue"], ["kiosk", "--input", WAV]):  # a fresh device: English only
        one_line_error(run_cli(*cmd, "--lang", "fr"), "French is not installed on this device",
                       "saywell languages add fr")


def test_lang_fr_and_the_models_language_must_agree(labelled_fr):
    one_line_error(run_cli("score", WAV, "--text", "rue", "--lang", "fr", "--model", str(MODEL)),
                   "--lang fr", "judges English", "pass a French model")
    one_line_error(run_cli("score", WAV, "--text", "think", "--lang", "es", "--model", str(labelled_fr)),
                   "--lang es", "judges French", "pass a Spanish model")


def test_accent_is_refused_for_french_without_speaking_of_spain(labelled_fr):
    r = run_cli("score", WAV, "--text", "rue", "--accent", "gb", "--model", str(labelled_fr))
    one_line_error(r, "--accent applies to English only", "this is French", "drop --accent")
    assert "Spain" not in r.stderr and "Latin America" not in r.stderr


def test_a_model_without_its_languages_phones_is_one_line_not_a_traceback(labelled_fr):
    """The labelled model has no output for ʁ or y: scoring a French word with it used to end in a KeyError."""
    for cmd in (["score", WAV, "--text", "rue"], ["practice", "--input", WAV, "--fast", "--no-progress"]):
        one_line_error(run_cli(*cmd, "--model", str(labelled_fr)), "says it judges French",
                       "has no output for its phone(s)", "pass a French model")


def test_a_french_list_needs_a_french_model(tmp_path):
    lst = tmp_path / "mots.csv"
    lst.write_text("text,lang\nrue,fr\n", encoding="utf-8")
    one_line_error(run_cli("practice", "--input", WAV, "--list", str(lst), "--fast", "--no-progress", "--model", str(MODEL)),
                   "the word list mots is French", "judges English")
    one_line_error(run_cli("practice", "--input", WAV, "--list", str(lst), "--fast", "--no-progress", "--lang", "es"),
                   "the word list mots is French but --lang es was given")


def test_the_kiosk_unit_keeps_lang_fr_and_leaves_the_model_to_it(tmp_path):
    unit = tmp_path / "kiosk.service"
    r = run_cli("kiosk", "--install-service", "--unit-path", str(unit), "--lang", "fr")
    assert r.returncode == 0, r.stderr
    exec_start = next(ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart="))
    assert exec_start.endswith(" kiosk --lang fr") and "--model" not in exec_start


@needs_fr_model
def test_french_practice_end_to_end_records_the_language(tmp_path):
    """Plumbing only, once a French model exists: what it judges is not tested here."""
    lst = tmp_path / "mots.csv"
    lst.write_text("text,phones,lang\nrue,R y,fr\n", encoding="utf-8")
    r = run_cli("practice", "--input", WAV, "--list", str(lst), "--json", "--fast", "--learner", "zoe",
                "--model", str(FR_MODEL))
    assert r.returncode == 0, r.stderr
    result = next(json.loads(ln)["result"] for ln in r.stdout.splitlines() if '"result"' in ln)
    assert result["lang"] == "fr" and result["accent"] == "any"
    assert [p["phone"] for p in result["words"][0]["phones"]] == ["ʁ", "y"]
    with ProgressStore.default() as store:
        [a] = store.attempts(everyone=True)
    assert a.lang == "fr" and a.list_name == "mots"


# ---- word lists -------------------------------------------------------------------------------------------

@needs_espeak
def test_a_french_list_with_a_lang_column_is_checked_in_french(tmp_path):
    p = tmp_path / "semaine1.csv"
    p.write_text("text,phones,lang\nrue,R y,fr\nroue,,fr\nvin,v e~,FR\nbleu,b l UW,fr\npain,,xx\nship,,en\n"
                 "bonjour madame,b o~ Z u R,fr\nun bon vin blanc,,\n", encoding="utf-8")
    c = read_list(p)
    assert c.wordlist.lang == "fr"
    assert [(e.text, e.phones, e.sources) for e in c.wordlist.entries] == [
        ("rue", (("ʁ", "y"),), ("given",)), ("roue", (("ʁ", "u"),), ("spelling",)), ("vin", (("v", "ɛ̃"),), ("given",)),
        ("un bon vin blanc", (("ɛ̃",), ("b", "ɔ̃"), ("v", "ɛ̃"), ("b", "l", "ɑ̃")), ("spelling",) * 4)]
    errors = {line: msg for line, error, msg in [(x.line, x.error, x.message) for x in c.problems] if error}
    assert set(errors) == {5, 6, 7, 8}
    assert "unknown French phone symbol(s) UW" in errors[5] and "X-SAMPA" in errors[5] and "R for ʁ" in errors[5]
    assert "lang 'xx' is not a language saywell knows" in errors[6] and "fr: French" in errors[6]
    assert "but the list is French (line 2)" in errors[7]
    assert "one group per word" in errors[8] and "m ɛ ʁ s i | b o k u" in errors[8]  # a French example
    assert not c.warnings


@needs_espeak
def test_lists_validate_names_the_bad_french_phone_and_its_line(tmp_path):
    p = tmp_path / "mots.txt"
    p.write_text("rue\nsœur\n", encoding="utf-8")
    ok = run_cli("lists", "validate", str(p), "--lang", "fr")
    assert ok.returncode == 0 and "French" in ok.stdout and "--lang fr" in ok.stdout, ok.stderr
    bad = tmp_path / "mauvais.csv"
    bad.write_text("text,phones,lang\nrue,R y,fr\nroue,r u Q,fr\n", encoding="utf-8")
    r = run_cli("lists", "validate", str(bad))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "line 3: error: phones 'r u Q': unknown French phone symbol(s) Q" in r.stdout


@needs_espeak
def test_a_stored_french_list_keeps_its_language(tmp_path):
    p = tmp_path / "mots.csv"
    p.write_text("text,phones\nfeu,\nmerci beaucoup,m E R s i | b o k u\n", encoding="utf-8")
    r = run_cli("lists", "import", str(p), "--lang", "fr", "--name", "semaine3")
    assert r.returncode == 0 and "(French)" in r.stdout, r.stderr
    wl = load_stored("semaine3")
    assert wl.lang == "fr" and wl.entries[0].phones == (("f", "ø"),)
    assert wl.entries[1].phones == (("m", "ɛ", "ʁ", "s", "i"), ("b", "o", "k", "u"))
    assert resolve("semaine3").lang == "fr"
    shown = run_cli("lists", "show")
    assert re.search(r"semaine3\s+2\s+0\s+fr\s", shown.stdout), shown.stdout
    assert list_csv(wl).splitlines()[1].endswith(",fr")
    refused = run_cli("lists", "import", str(p), "--lang", "fr", "--accent", "gb", "--name", "autre")
    assert refused.returncode == 2 and "English lists only" in refused.stderr
    doc = json.loads(stored_path("semaine3").read_text())  # a hand-edited X-SAMPA phone is read as French
    doc["entries"][0]["phones"] = [["f", "2"]]
    stored_path("semaine3").write_text(json.dumps(doc))
    assert load_stored("semaine3").entries[0].phones == (("f", "ø"),)


def test_every_language_has_a_built_in_list():
    for code, (path, name) in BUILTIN_LISTS.items():
        assert path.exists(), f"{code}: {path}"
    assert set(BUILTIN_LISTS) == set(LANGUAGES) and BUILTIN_LISTS["fr"][1] == "beginner-fr"


@needs_espeak
def test_the_built_in_french_list_exercises_the_hard_sounds():
    path, name = BUILTIN_LISTS["fr"]
    c = read_list(path, name)
    assert c.problems == () and c.wordlist.lang == "fr"
    assert resolve(None, "fr").name == "beginner-fr" and resolve(None, None, default_lang="fr").name == "beginner-fr"
    words = [e for e in c.wordlist.entries if len(e.phones) == 1]
    phrases = [e for e in c.wordlist.entries if len(e.phones) > 1]
    assert 18 <= len(words) <= 24 and len(phrases) == 3
    said = {p for e in c.wordlist.entries for g in e.phones for p in g}
    assert {"y", "u", "ø", "œ", "ɛ̃", "ɑ̃", "ɔ̃", "ʁ", "e", "ɛ"} <= said
    phones = {e.text: e.phones for e in words}
    assert phones["rue"] == (("ʁ", "y"),) and phones["roue"] == (("ʁ", "u"),)  # the minimal pair, side by side
    assert all("n" not in g for e in phrases if e.text == "un bon vin blanc" for g in e.phones)  # nasal, no n


# ---- progress, reports and the teacher page ---------------------------------------------------------------

def fr_attempt(learner=None):
    """'rue' said as 'roue': its y said as u."""
    marks = (PhoneMark("ʁ", 88.0, True, None), PhoneMark("y", 15.0, False, "u"))
    return Attempt(time.time(), "rue /ʁ y/", "rue", "ʁ y", 30.0, "mispronounced", marks, learner=learner,
                   list_name="semaine1", lang="fr")


def test_french_sounds_are_labelled_and_counted_in_french(saywell_home):
    en = Attempt(time.time(), "ship /S IH P/", "sip", "S IH P", 40.0, "mispronounced",
                 (PhoneMark("S", 20.0, False, "SH"),))
    with ProgressStore.default() as store:
        zoe = store.learner("zoe")
        sid = store.start_session(zoe, "semaine1")
        store.record(sid, zoe, fr_attempt())
        store.record(sid, zoe, en)
        by_lang = {a.lang: a for a in store.attempts(zoe)}
        assert sorted(by_lang) == ["en", "fr"] and by_lang["fr"].word_text == "rue"
        report = learner_report(store, zoe)
    labels = {(x.phone, x.lang): x.label for x in report.overall.sounds}
    assert labels[("y", "fr")] == "/y/ as in rue" and labels[("ʁ", "fr")] == "/ʁ/ as in rue"
    assert labels[("S", "en")] == "/s/ as in sun"
    text = to_text(report, whole_class=False)
    assert "/y/ as in rue: 0 of 1 right" in text and "sounds to practise: " in text
    assert "/y/ as in rue" in text.split("sounds to practise: ")[1].splitlines()[0]
    assert "/y/ as in rue" in to_csv(report, whole_class=False)
    assert 'data-phone="y" data-lang="fr"' in to_svg(report)
    assert "/y/ as in rue (heard /u/ as in roue)" in views._attempt_row(by_lang["fr"])


def test_tips_for_french_sounds_name_the_minimal_pair():
    assert "'rue' (street), not 'roue' (wheel)" in tip("y", "u", "fr")
    assert "never close it with an 'n'" in tip("ɛ̃", None, "fr")


@needs_espeak
def test_the_teacher_page_takes_and_shows_french_lists(server):  # noqa: F811
    b = Browser(server)
    _, _, home = b.get("/")
    assert "<code>fr</code>" in home and 'value="fr">French (fr)<' in home  # the upload form offers French
    data = "text,phones,lang\nrue,R y,fr\nbon,,fr\n".encode()
    status, _, page = b.upload(data, filename="semaine1.csv", name="semaine1")
    assert status == 200 and 'id="list-lang">French (fr)<' in page and 'name="accent"' not in page
    token = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    status, _, _ = b.post("/lists/import", {"csrf": b.csrf(), "upload": token})
    assert status == 200 and load_stored("semaine1").lang == "fr"
    _, _, home = b.get("/")  # a fresh device judges English only: the list says how to install French
    assert "French (fr) <em>not installed: saywell languages add fr</em>" in home
    from saywell.classroom.language_packs import add
    add("fr")
    _, _, home = b.get("/")
    assert "French (fr)</td>" in home and "not installed" not in home
    body, ctype = multipart({"csrf": b.csrf(), "name": "semaine2", "lang": "fr"}, {"file": ("s.txt", "sœur\n".encode())})
    status, _, page = b.request("/lists/check", body, {"Content-Type": ctype}, "POST")
    assert status == 200 and 'id="list-lang">French (fr)<' in page and "/s œ ʁ/" in page
    with ProgressStore.default() as store:
        zoe = store.learner("zoe")
        store.record(store.start_session(zoe, "semaine1"), zoe, fr_attempt(learner="zoe"))
    _, _, learner = b.get("/learner?name=zoe")
    assert "/y/ as in rue (heard /u/ as in roue)" in learner and 'data-phone="y" data-lang="fr"' in learner
