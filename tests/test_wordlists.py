"""Teacher word lists: the formats teachers have, every problem reported on its line, all-or-nothing import,
stored lists that stay stable, export, and `saywell practice --list` taking files and stored names."""

import json
import os
import shutil

import pytest
from conftest import MODEL, SAMPLES, run_cli

from saywell.errors import SaywellError
from saywell.engine.g2p import Guess
from saywell.engine.lexicon import Lexicon
from saywell.classroom.wordlists import (BUILTIN_LIST, WordEntry, load_file, load_stored, read_list, resolve, store_list,
                              stored_path, word_key)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def problems(checked):
    return [(p.line, p.error, p.message) for p in checked.problems]


def test_plain_text_with_bom_comments_and_blank_lines(tmp_path):
    p = write(tmp_path, "week2.txt", "\ufeff# class 3, week 2\nship\n\n  Thank you  \r\n# the end\n")
    c = read_list(p)
    assert c.fmt == "text" and c.problems == ()
    assert [e.text for e in c.wordlist.entries] == ["ship", "Thank you"]
    assert [e.line for e in c.wordlist.entries] == [2, 4]
    ship, thanks = c.wordlist.entries
    assert ship.phones == (("SH", "IH", "P"),) and ship.sources == ("cmudict",)
    assert thanks.phones == (("TH", "AE", "NG", "K"), ("Y", "UW")) and thanks.sources == ("cmudict", "cmudict")
    assert c.wordlist.name == "week2"


def test_csv_with_bom_phones_hints_levels_and_tags(tmp_path):
    p = write(tmp_path, "pairs.csv", "\ufefftext,phones,hint,level,tags\n"
                                     'think,th ih1 ng k,"tongue out, blow",1,TH;minimal-pair\n'
                                     '"thank you","TH AE NG K | Y UW",,2,\n'
                                     "ship,,short i,,IH\n")
    c = read_list(p)
    assert c.fmt == "csv" and c.problems == ()
    think, thanks, ship = c.wordlist.entries
    assert think == WordEntry("think", (("TH", "IH", "NG", "K"),), "tongue out, blow", 1, ("TH", "minimal-pair"), 2, ("given",))
    assert thanks.phones == (("TH", "AE", "NG", "K"), ("Y", "UW")) and thanks.sources == ("given", "given") and thanks.level == 2
    assert ship.sources == ("cmudict",) and ship.hint == "short i" and ship.level is None and ship.tags == ("IH",)
    # teacher-given phones equal to the dictionary's give the same identity
    assert think.key == word_key("Think!", (("TH", "IH", "NG", "K"),)) == "think /TH IH NG K/"
    assert [p.source for p in thanks.pronunciations()] == ["given", "given"]


@pytest.mark.parametrize("name,text,fmt", [
    ("words.tsv", "text\tphones\nthink\tTH IH NG K\n", "tsv"),
    ("words.txt", "Text\tHint\nthink\tth\n", "tsv"),  # a table saved as .txt: recognised by its header
    ("words.csv", "text;hint\nthink;th\n", "csv"),  # a European spreadsheet's CSV
])
def test_table_format_detected_from_extension_or_header(tmp_path, name, text, fmt):
    c = read_list(write(tmp_path, name, text))
    assert c.fmt == fmt and not c.errors
    assert c.wordlist.entries[0].text == "think" and c.wordlist.entries[0].phones == (("TH", "IH", "NG", "K"),)


def test_every_problem_is_reported_with_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr("saywell.engine.g2p.guess_many", lambda ws: {w: Guess(("Z", "AO", "R", "B", "AH", "L")) for w in ws})
    p = write(tmp_path, "bad.csv", "\n".join([
        "# a teacher's list",                                  # 1
        "text,phones,hint,level,tags,colour",                  # 2  unknown column: warning
        "think,TH IH NG K,,1,,",                               # 3  fine
        "  THINK ,,,,,",                                       # 4  duplicate of 3 (case and spaces)
        "thank you,TH AE NG K,,,,",                            # 5  1 phones group for 2 words
        "zorbl,,,,,",                                          # 6  not in the dictionary: warning with the guess
        "ship,SH IH PP,,,,",                                   # 7  unknown phone symbol
        ",,a hint without a word,,,",                          # 8  no text
        ",,,,,",                                               # 9  empty row: warning
        "a phrase with far too many words in it,,,,,",         # 10 too long
        "cat,,,easy,,",                                        # 11 level not a number
        "red,,,,,,x",                                          # 12 more cells than columns (empty extras are fine)
        '"yes, please",,,,,',                                  # 13 fine: quoted comma
        "Cat,,,2,,",                                           # 14 duplicate of 11 (reported although 11 has its own error)
    ]) + "\n")
    c = read_list(p)
    got = problems(c)
    assert [(line, err) for line, err, _ in got] == [
        (2, False), (4, True), (5, True), (6, False), (7, True), (8, True), (9, False), (10, True), (11, True), (12, True),
        (14, True)]
    msg = {line: m for line, _, m in got}
    assert "colour" in msg[2]
    assert "repeats line 3" in msg[4]
    assert "1 group(s) for 2 word(s)" in msg[5] and "'|'" in msg[5]
    assert "'zorbl' is not in the dictionary" in msg[6] and "/Z AO R B AH L/" in msg[6] and "espeak-ng" in msg[6]
    assert "PP" in msg[7] and "ARPAbet" in msg[7]
    assert "no text" in msg[8]
    assert "empty row" in msg[9]
    assert "too long" in msg[10] and "6 words" in msg[10]
    assert "'easy'" in msg[11] and "whole number" in msg[11]
    assert "7 cells" in msg[12] and "double quotes" in msg[12]
    assert "repeats line 11" in msg[14]
    assert [e.text for e in c.wordlist.entries] == ["think", "zorbl", "yes, please"]
    assert len(c.errors) == 8 and len(c.warnings) == 3
    with pytest.raises(SaywellError, match=r"has 8 errors \(line 4: error: 'THINK' repeats line 3.*saywell lists validate"):
        load_file(p)


def test_a_row_with_several_problems_reports_each(tmp_path):
    c = read_list(write(tmp_path, "w.csv", "text,phones,level\nship,,\nShip,SH QQ,hard\n"))
    msgs = [p.message for p in c.problems]
    assert [(p.line, p.error) for p in c.problems] == [(3, True)] * 3
    assert "repeats line 2" in msgs[0] and "'hard'" in msgs[1] and "QQ" in msgs[2]


def test_a_phrase_with_a_comma_is_not_taken_for_a_header(tmp_path):
    c = read_list(write(tmp_path, "w.txt", "hint, please\nship\n"))
    assert c.fmt == "text" and [e.text for e in c.wordlist.entries] == ["hint, please", "ship"]


def test_too_many_characters_and_duplicates_in_plain_text(tmp_path):
    p = write(tmp_path, "w.txt", "ship\nsupercalifragilistic expialidocious words\nShip!\n")
    got = problems(read_list(p))
    assert [(line, err) for line, err, _ in got] == [(2, True), (3, True)]
    assert "(3 words, 41 characters)" in got[0][2] and "repeats line 1" in got[1][2]


def test_not_utf8_names_the_line(tmp_path):
    p = write(tmp_path, "latin1.txt", "ship\nsheep\ncaf\xe9\n", encoding="latin-1")
    c = read_list(p)
    assert [(pr.line, pr.error) for pr in c.problems] == [(3, True)]
    assert "not UTF-8" in c.problems[0].message and "0xe9" in c.problems[0].message and c.wordlist.entries == ()


@pytest.mark.parametrize("name,text", [("w.csv", "word,hint\nthink,th\n"), ("w.txt", "word\tphones\nthink\tTH IH NG K\n")])
def test_csv_without_a_text_column(tmp_path, name, text):
    c = read_list(write(tmp_path, name, text))
    assert [(p.line, p.error) for p in c.problems] == [(1, True)]
    assert "no 'text' column" in c.problems[0].message and "word" in c.problems[0].message
    assert c.wordlist.entries == ()


def test_unclosed_quote_and_empty_list(tmp_path):
    c = read_list(write(tmp_path, "q.csv", 'text,hint\nship,"short i\nsheep,long\n'))
    assert [(p.line, p.error) for p in c.problems] == [(2, True)] and "closing double quote" in c.problems[0].message
    c = read_list(write(tmp_path, "empty.txt", "# nothing yet\n\n"))
    assert [(p.line, p.error) for p in c.problems] == [(0, True)] and "no words" in c.problems[0].message


def test_word_that_cannot_be_pronounced_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr("saywell.engine.g2p.shutil.which", lambda name: None)  # no espeak-ng on this device
    monkeypatch.setattr("saywell.engine.g2p._library_loadable", lambda: False)  # nor its library
    c = read_list(write(tmp_path, "w.txt", "ship\nzorbl\n"))
    assert [(p.line, p.error) for p in c.problems] == [(2, True)]
    assert "'zorbl' is not in the dictionary and espeak-ng is not installed" in c.problems[0].message
    assert "'phones' column" in c.problems[0].message


@needs_espeak
def test_real_espeak_guess_is_shown(tmp_path):
    c = read_list(write(tmp_path, "w.txt", "zorbl\n"))
    (w,) = c.problems
    assert w.line == 1 and not w.error and "guessed /Z" in w.message
    assert c.wordlist.entries[0].sources == ("espeak-ng",) and c.wordlist.entries[0].guessed == ["zorbl"]


def test_builtin_beginner_list():
    c = read_list(BUILTIN_LIST, "beginner")
    assert c.problems == () and c.fmt == "csv" and len(c.wordlist.entries) >= 40
    entries = c.wordlist.entries
    lex = Lexicon(use_g2p=False)
    assert all(lex.contains(w) for e in entries for w in e.text.split())
    assert all(e.sources and set(e.sources) == {"cmudict"} for e in entries)
    assert all(e.hint and e.level for e in entries)
    phones = {p for e in entries for g in e.phones for p in g}
    assert {"TH", "DH", "V", "W", "B", "R", "L", "IH", "IY", "AE", "EH", "Z", "S", "SH", "NG"} <= phones
    texts = [e.text for e in entries]
    for a, b in [("ship", "sheep"), ("very", "berry"), ("right", "light"), ("vest", "west"), ("zoo", "sue"), ("man", "men")]:
        assert abs(texts.index(a) - texts.index(b)) == 1  # minimal pairs side by side
    assert texts[0] == "think" and "thank you" in texts
    assert resolve(None).name == "beginner" and [e.text for e in resolve(None).entries] == texts


# ---- stored lists and the `saywell lists` command ------------------------------------------------------

def lists(*args):
    return run_cli("lists", *map(str, args))


def test_validate_cli_exit_codes_and_report(tmp_path):
    good = write(tmp_path, "good.csv", "text,hint\nship,short\nsheep,long\n")
    r = lists("validate", good)
    assert r.returncode == 0 and r.stderr == "" and "0 errors" in r.stdout and "lists import" in r.stdout
    bad = write(tmp_path, "bad.csv", "text,phones\nship,SH IH XX\nship,\n")
    r = lists("validate", bad)
    assert r.returncode == 2
    assert "line 2: error:" in r.stdout and "XX" in r.stdout and "line 3: error:" in r.stdout and "repeats line 2" in r.stdout
    assert len(r.stderr.strip().splitlines()) == 1 and "2 errors" in r.stderr and "Traceback" not in r.stderr
    r = lists("validate", tmp_path / "missing.csv")
    assert r.returncode == 2 and "not found" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_import_is_all_or_nothing(tmp_path, saywell_home):
    v1 = write(tmp_path, "week1.csv", "text,hint\nship,short i\nsheep,long ee\n")
    r = lists("import", v1)
    assert r.returncode == 0, r.stderr
    assert "imported 'week1': 2 entries" in r.stdout
    stored = saywell_home / "lists" / "week1.json"
    before = stored.read_bytes()
    bad = write(tmp_path, "week1-edited.csv", "text,hint\nship,short i\nsheep,long ee\nfish,,\nfish,again\n")
    r = lists("import", bad, "--name", "week1")
    assert r.returncode == 2
    assert "not imported" in r.stderr and "'week1' is unchanged" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "line 5: error:" in r.stdout
    assert stored.read_bytes() == before
    assert sorted(os.listdir(stored.parent)) == ["week1.json"]  # no temporary file left behind
    r = lists("import", write(tmp_path, "new.csv", "text\nship,SH\n"))
    assert r.returncode == 2 and "nothing was stored" in r.stderr and not (stored.parent / "new.json").exists()


def test_a_crash_while_storing_keeps_the_previous_list(tmp_path, monkeypatch):
    wl = load_file(write(tmp_path, "w.csv", "text\nship\n"), "w")
    path = store_list(wl)
    before = path.read_bytes()
    bigger = load_file(write(tmp_path, "w2.csv", "text\nship\nsheep\n"), "w")

    def power_cut(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("saywell.classroom.home.os.replace", power_cut)
    with pytest.raises(SaywellError, match="previous version, if any, is unchanged"):
        store_list(bigger)
    assert path.read_bytes() == before and sorted(os.listdir(path.parent)) == ["w.json"]


def test_guessed_pronunciations_are_stored_and_stay_stable(tmp_path, monkeypatch):
    monkeypatch.setattr("saywell.engine.g2p.guess_many", lambda ws: {w: Guess(("Z", "AO", "R", "B", "AH", "L")) for w in ws})
    wl = load_file(write(tmp_path, "w.txt", "zorbl\nship\n"), "w")
    store_list(wl)

    def gone(words):
        raise AssertionError("a stored list must not be looked up again")

    monkeypatch.setattr("saywell.engine.g2p.guess_many", gone)
    monkeypatch.setattr("saywell.engine.dictindex.pronunciations", gone)
    back = load_stored("w")
    assert [(e.text, e.phones, e.sources) for e in back.entries] == [
        ("zorbl", (("Z", "AO", "R", "B", "AH", "L"),), ("espeak-ng",)), ("ship", (("SH", "IH", "P"),), ("cmudict",))]
    assert [e.key for e in back.entries] == [e.key for e in wl.entries]
    doc = json.loads(stored_path("w").read_text())
    assert doc["entries"][0]["sources"] == ["espeak-ng"] and doc["entries"][0]["key"] == "zorbl /Z AO R B AH L/"


def test_show_and_export(tmp_path, monkeypatch):
    src = write(tmp_path, "mix.csv", "text,phones,hint,level,tags\n"
                                     "think,,=HYPERLINK(\"http://x\"),1,TH\n"
                                     "@home,,,2,\n"
                                     "read,R EH D,past tense,3,\n"
                                     "either,,,,\n"
                                     "neither,N IY DH ER,,,\n")
    assert lists("import", src, "--name", "mix").returncode == 0
    r = lists("show")
    assert r.returncode == 0 and "mix" in r.stdout and "5" in r.stdout
    r = lists("show", "mix")
    assert "think" in r.stdout and "/TH IH NG K/" in r.stdout and "[dictionary]" in r.stdout
    assert "/R EH D/" in r.stdout and "[given]" in r.stdout and "level 3" in r.stdout
    # a dictionary word's alternates are shown as accepted; a teacher's phones are taken literally
    assert "also accepted: either /AY DH ER/" in r.stdout and "neither /" not in r.stdout
    r = lists("show", "nope")
    assert r.returncode == 2 and "no stored list named 'nope'" in r.stderr and "mix" in r.stderr
    r = lists("export", "mix")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "text,phones,hint,level,tags"
    assert lines[1] == "think,,\"'=HYPERLINK(\"\"http://x\"\")\",1,TH"  # formula quoted, dictionary phones left out
    assert lines[2] == "'@home,,,2," and lines[3] == "read,R EH D,past tense,3,"
    out = tmp_path / "again.csv"
    assert lists("export", "mix", "-o", out).returncode == 0
    again = load_file(out, "mix")
    assert [(e.text, e.hint, e.key) for e in again.entries] == [(e.text, e.hint, e.key) for e in load_stored("mix").entries]
    r = lists("export", "mix", "-o", tmp_path / "mix.txt")
    assert (tmp_path / "mix.txt").read_text().splitlines()[1:] == ["think", "@home", "read", "either", "neither"]


def test_list_names_are_checked(tmp_path):
    src = write(tmp_path, "w.txt", "ship\n")
    r = lists("import", src, "--name", "../../etc/x")
    assert r.returncode == 2 and "list name" in r.stderr
    with pytest.raises(SaywellError):
        stored_path("a/b")


# ---- practice takes files in every format and stored names ------------------------------------------------

def test_practice_resolves_files_and_stored_names(tmp_path):
    store_list(load_file(write(tmp_path, "w.txt", "sheep\nship\n"), "stored"))
    assert [e.text for e in resolve("stored").entries] == ["sheep", "ship"]
    assert [e.text for e in resolve(str(write(tmp_path, "t.tsv", "text\tlevel\nfish\t1\n"))).entries] == ["fish"]
    with pytest.raises(SaywellError, match="word list nothing-here not found.*no stored list"):
        resolve("nothing-here")
    bad = write(tmp_path, "bad.txt", "ship\nship\n")
    with pytest.raises(SaywellError, match="has 1 error"):
        resolve(str(bad))


def test_practice_scores_against_the_teachers_phones(tmp_path):
    """The teacher's phones reach the scorer: here 'think' without its K, as a teacher might simplify."""
    lst = write(tmp_path, "given.csv", "text,phones\nthink,TH IH NG\n")
    r = run_cli("practice", "--input", str(SAMPLES / "joe_think.wav"), "--list", str(lst), "--json", "--fast",
                "--no-progress", "--model", str(MODEL), stdin="")
    assert r.returncode == 0, r.stderr
    (res,) = [json.loads(line)["result"] for line in r.stdout.splitlines() if json.loads(line)["event"] == "result"]
    assert [p["phone"] for p in res["words"][0]["phones"]] == ["TH", "IH", "NG"]
    store_list(load_file(lst, "given"))
    r = run_cli("practice", "--input", str(SAMPLES / "joe_think.wav"), "--list", "given", "--json", "--fast",
                "--no-progress", "--model", str(MODEL), stdin="")
    assert r.returncode == 0, r.stderr
    (res2,) = [json.loads(line)["result"] for line in r.stdout.splitlines() if json.loads(line)["event"] == "result"]
    assert res2 == res


def test_practice_refuses_a_list_with_errors_in_one_line(tmp_path):
    lst = write(tmp_path, "bad.csv", "text,phones\nship,SH IH QQ\n")
    r = run_cli("practice", "--list", str(lst), "--input", str(SAMPLES / "joe_think.wav"), "--model", str(MODEL), stdin="")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "line 2" in r.stderr and "QQ" in r.stderr and "saywell lists validate" in r.stderr



# ---- letters beyond ASCII, line ends, big lists, a crash's leftovers ----------------------------------

def test_words_with_accents_are_whole_dictionary_words(tmp_path):
    c = read_list(write(tmp_path, "w.txt", "café\nNaïve\nsmörgåsbord\ncafe\u0301\n"))  # line 4: café, decomposed
    assert [(p.line, p.error) for p in c.problems] == [(4, True)] and "repeats line 1" in c.problems[0].message
    cafe, naive, smorgasbord = c.wordlist.entries
    assert (cafe.text, cafe.phones, cafe.sources) == ("café", (("K", "AH", "F", "EY"),), ("cmudict",))
    assert naive.phones == (("N", "AY", "IY", "V"),) and naive.key == "naïve /N AY IY V/"
    assert smorgasbord.phones == (("S", "M", "AO", "R", "G", "AH", "S", "B", "AO", "R", "D"),)
    assert smorgasbord.sources == ("cmudict",)


def test_an_unknown_word_with_accents_is_guessed_whole(tmp_path, monkeypatch):
    monkeypatch.setattr("saywell.engine.g2p.guess_many", lambda ws: {w: Guess(("Z", "ER", "B", "AH", "L")) for w in ws})
    c = read_list(write(tmp_path, "w.txt", "zörbl\n"))
    (w,) = c.problems
    assert not w.error and "'zörbl' is not in the dictionary; guessed /Z ER B AH L/" in w.message
    assert c.wordlist.entries[0].guessed == ["zörbl"]


@pytest.mark.parametrize("name,text,dup_line,odd_line", [
    # 1: a phrase with U+2028 inside; 2: a form feed alone; 3 and 5: ship; \r\n and \r end lines too
    ("w.txt", "think\u2028that\n\x0c\nship\r\nfish\rship\n", 5, 1),
    ("w.csv", "text,hint\nthink\u2028that,x\nsheep,a\x0cb\nship,\n\x85,\nship,\n", 6, 2),
])
def test_only_real_line_ends_count_as_lines(tmp_path, name, text, dup_line, odd_line):
    c = read_list(write(tmp_path, name, text))
    assert [(p.line, p.error) for p in c.errors] == [(dup_line, True)]
    assert "repeats line" in c.errors[0].message
    (odd,) = [p for p in c.warnings if "line separator" in p.message]
    assert odd.line == odd_line and "read as a space between words" in odd.message
    assert [e.text for e in c.wordlist.entries][0] == "think\u2028that"
    assert c.wordlist.entries[0].phones == (("TH", "IH", "NG", "K"), ("DH", "AE", "T"))


def test_not_utf8_after_old_mac_line_ends_names_the_line(tmp_path):
    c = read_list(write(tmp_path, "mac.txt", "ship\rsheep\u2028\rcaf".encode() + b"\xe9\r"))
    assert [(p.line, p.error) for p in c.problems] == [(3, True)] and "not UTF-8" in c.problems[0].message


@needs_espeak
@pytest.mark.parametrize("library", [True, False])
def test_thousands_of_unknown_words_start_espeak_ng_a_few_times(tmp_path, monkeypatch, library):
    import random
    import subprocess
    import sys

    rng = random.Random(5)
    words = sorted({"".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4)) + "q"
                    for _ in range(3000)})
    runs = []
    real = subprocess.run

    def run(args, *a, **kw):
        runs.append(os.path.basename(str(args[0])))
        return real(args, *a, **kw)

    monkeypatch.setattr("saywell.engine.g2p.subprocess.run", run)
    monkeypatch.setattr("saywell.engine.g2p.WORKERS", 2)  # two cores: the words are shared between two processes
    if not library:
        monkeypatch.setattr("saywell.engine.g2p._library_loadable", lambda: False)
    c = read_list(write(tmp_path, "many.txt", "\n".join(words) + "\n"))
    assert runs == [os.path.basename(sys.executable) if library else "espeak-ng"] * 2
    assert not c.errors and len(c.warnings) == len(words) == len(c.wordlist.entries)
    assert all(e.sources == ("espeak-ng",) and e.phones[0] for e in c.wordlist.entries)


def test_an_import_killed_mid_write_leaves_nothing_after_the_next_import(tmp_path, saywell_home):
    """The process dies (SIGKILL) after writing its temporary file, before the rename; the next import cleans it."""
    import subprocess
    import sys

    src = write(tmp_path, "w.txt", "ship\nsheep\n")
    crash = ("import os, sys\n"
             "import saywell.classroom.home as home\n"
             "home.os.replace = lambda a, b: os.kill(os.getpid(), 9)\n"
             "from saywell.apps.cli import main\n"
             "sys.exit(main(['lists', 'import', sys.argv[1]]))\n")
    r = subprocess.run([sys.executable, "-c", crash, str(src)], capture_output=True, text=True, timeout=300)
    assert r.returncode == -9
    folder = saywell_home / "lists"
    (orphan,) = folder.iterdir()
    assert orphan.name.startswith(".w.json.tmp-")  # younger than a minute, but its process is gone
    assert lists("import", src).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["w.json"]


def test_only_orphaned_temp_files_are_cleaned(tmp_path, saywell_home):
    import subprocess
    import sys
    import time

    folder = saywell_home / "lists"
    folder.mkdir(parents=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    me = os.getpid()
    names = {f".w.json.tmp-{dead}-1": False, f".other.json.tmp-{me}-2": True,  # a live writer's file is kept ...
             f".old.json.tmp-{me}-3": False,  # ... unless older than a minute
             ".w.json.tmp-x-1": True, "w.json.tmp-1-1": True, ".notes.txt.tmp-1-1": True, "keep.json": True}
    for n in names:
        (folder / n).write_text("x")
    hour_ago = time.time() - 3600
    os.utime(folder / f".old.json.tmp-{me}-3", (hour_ago, hour_ago))
    store_list(load_file(write(tmp_path, "w.txt", "ship\n"), "w"))
    assert sorted(p.name for p in folder.iterdir()) == sorted([n for n, kept in names.items() if kept] + ["w.json"])
