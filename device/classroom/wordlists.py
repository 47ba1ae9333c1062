"""Teacher word lists: read what a teacher actually has, report every problem by line, keep imported lists.

A list is plain text (one word or phrase per line) or a CSV/TSV table from a spreadsheet with a header row:
`text` (required), `phones` (ARPAbet, or for Spanish and French IPA or X-SAMPA; words separated by '|'), `hint`,
`level` (1 = easiest), `tags` (separated by ';'), `lang` (en, es or fr: the list's language, the same on every
row that fills it; a list is in one language because one model judges it). Lines starting with '#' are comments
in both. UTF-8, with or without a BOM, read as NFC; only \n, \r\n and \r end a line (not the form feeds or U+2028
that str.splitlines also splits at), so line numbers are those of the teacher's editor.

Every word's expected phones are settled when the list is read: the teacher's `phones` win, then CMUdict,
then an espeak-ng guess (a warning, so the teacher can check it); a Spanish or French word's come from its
spelling (espeak-ng's rules for the language, engine/lexicon_rules.py), which needs no warning. An imported list
stores the settled phones, so a later dictionary or espeak-ng update cannot change what learners are scored
against, and a word's identity for progress is its normalised text and phones (`WordEntry.key`), never its row number.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SaywellError
from .home import clean_orphans, data_home, ensure_dir, write_atomically
from ..engine.accent import ACCENTS
from ..engine.language import DEFAULT_LANGUAGE, ENGLISH, LANGUAGES, Language, language
from ..engine.lexicon import Lexicon, Pronunciation, Unknown, split_words
from ..engine.lexicon_rules import lexicon_for
from ..engine.phones import PHONES

BUILTIN_LIST = Path(__file__).resolve().parent / "data" / "beginner.csv"
BUILTIN_NAME = "beginner"
# The built-in list of each language: what practice and the kiosk use without --list (data/beginner_LANG.csv,
# English's is beginner.csv, its name from before other languages).
BUILTIN_LISTS = {code: (BUILTIN_LIST, BUILTIN_NAME) if code == DEFAULT_LANGUAGE else
                 (BUILTIN_LIST.with_name(f"beginner_{code}.csv"), f"beginner-{code}") for code in LANGUAGES}
COLUMNS = ("text", "phones", "hint", "level", "tags", "lang", "audio")
PHRASE_EXAMPLE = {"en": "TH AE NG K | Y UW", "es": "m u tʃ a s | ɡ ɾ a θ i a s",
                  "fr": "m ɛ ʁ s i | b o k u", "it": "ɡ r a ts j e | m i l e",
                  "de": "d a ŋ k ə | ʃ øː n"}  # one group per word
MAX_WORDS = 6  # longer takes more than the listener's 5 s, and alignment errors grow with length
MAX_CHARS = 40
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting with these
STORE_FORMAT = 1
LOOKUP_CHUNK = 10000  # rows looked up together: 100k unknown words 10.6 s (5,000: 12.0 s; 25,000: 9.5 s but +13 MB)
PHONE_SET = frozenset(PHONES)
LINE_END = re.compile(r"\r\n|\r|\n")
ODD_BREAKS = {"\x0b": "a vertical tab", "\x0c": "a form feed", "\x1c": "a file separator (U+001C)",
              "\x1d": "a group separator (U+001D)", "\x1e": "a record separator (U+001E)",
              "\x85": "a next-line character (U+0085)", "\u2028": "a line separator (U+2028)",
              "\u2029": "a paragraph separator (U+2029)"}  # what str.splitlines also splits at


@dataclass(frozen=True, slots=True)  # slots: a 100k-word list holds 100k of these
class WordEntry:
    """One word or phrase. `phones` are per word, settled when the list was read (None: not looked up yet);
    `sources` says where each word's phones came from: given, cmudict or espeak-ng."""

    text: str
    phones: tuple[tuple[str, ...], ...] | None = None
    hint: str = ""
    level: int | None = None
    tags: tuple[str, ...] = ()
    line: int = 0
    sources: tuple[str, ...] | None = None

    @property
    def key(self) -> str | None:
        return None if self.phones is None else word_key(self.text, self.phones)

    @property
    def guessed(self) -> list[str]:
        if "espeak-ng" not in (self.sources or ()):
            return []
        return [w for w, s in zip(split_words(self.text), self.sources or ()) if s == "espeak-ng"]

    def pronunciations(self) -> list[Pronunciation] | None:
        if self.phones is None:
            return None
        sources = self.sources or ("given",) * len(self.phones)
        return [Pronunciation(w, p, s) for w, p, s in zip(split_words(self.text), self.phones, sources)]


@dataclass(frozen=True)
class WordList:
    name: str
    entries: tuple[WordEntry, ...]
    origin: str = ""  # the file it was read or imported from
    accent: str | None = None  # us, gb or any for this list (a stored list's setting); None: the device's
    lang: str = DEFAULT_LANGUAGE  # en, es or fr: which language (and model) judges it


@dataclass(frozen=True, slots=True)
class Problem:
    line: int  # 0: the file as a whole
    message: str
    error: bool = True

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {'error' if self.error else 'warning'}: {self.message}"


@dataclass(frozen=True)
class Checked:
    """A list as read, with every problem found; only a list without errors may be used or imported."""

    wordlist: WordList
    problems: tuple[Problem, ...]
    fmt: str  # text, csv, tsv or unknown
    recordings: tuple[tuple[int, str, str], ...] = ()  # (line, entry text, audio cell) of the rows with an audio column

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.error]


def word_key(text: str, phones) -> str:
    """Stable identity of a practised word: case, spacing and punctuation don't matter, the phones do."""
    return " ".join(split_words(text)) + " /" + " | ".join(" ".join(g) for g in phones) + "/"


def spreadsheet_safe(cell: str) -> str:
    """Quote a cell a spreadsheet would run as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _unquote(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1:2] in FORMULA_START else cell


# ---- reading --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    text: str
    phones: str = ""
    hint: str = ""
    level: str = ""
    tags: str = ""
    lang: str = ""
    audio: str = ""  # a WAV of the entry in the teacher's voice, relative to the list file (classroom/references.py)


def _sniff_delimiter(line: str) -> str | None:
    counts = {d: line.count(d) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: counts[d])  # ties: tab, then comma
    return best if counts[best] else None


def detect_format(path: Path, text: str) -> tuple[str, str | None]:
    """('text', None) or ('csv'|'tsv', delimiter): from the extension, else from a header-like first line."""
    first = next((ln for ln in LINE_END.split(text) if ln.strip() and not ln.lstrip().startswith("#")), "")
    ext = path.suffix.lower()
    if ext in (".tsv", ".tab"):
        return "tsv", "\t"
    delim = _sniff_delimiter(first)
    if ext == ".csv":
        return ("tsv" if delim == "\t" else "csv"), delim or ","
    if delim:
        cells = [c.strip().strip('"').lower() for c in first.split(delim)]
        known = [c in COLUMNS or c == "word" for c in cells if c]
        if len(cells) >= 2 and ("text" in cells or all(known)):  # "hint, please" stays a phrase
            return ("tsv" if delim == "\t" else "csv"), delim
    return "text", None


def _text_rows(text: str) -> tuple[list[_Row], list[Problem]]:
    rows, problems = [], []
    for n, line in enumerate(LINE_END.split(text), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if "\t" in s:
            problems.append(Problem(n, "the line has a tab; for a table, save it as TSV/CSV with a header row "
                                       "such as 'text<TAB>phones'", error=False))
        problems += _odd_break(n, s)
        rows.append(_Row(n, s))
    return rows, problems


def _odd_break(line: int, text: str) -> list[Problem]:
    """A form feed or U+2028 inside a text does not start a new line here; say how it is read."""
    odd = next((c for c in text if c in ODD_BREAKS), None)
    if odd is None:
        return []
    return [Problem(line, f"{text!r} has {ODD_BREAKS[odd]} inside it, read as a space between words; "
                          "if they are separate entries, put each on its own line", error=False)]


def _csv_rows(text: str, delim: str) -> tuple[list[_Row], list[Problem]]:
    rows: list[_Row] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    columns: list[str] | None = None
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not cells or not any(c.strip() for c in cells):
                if columns is not None:
                    problems.append(Problem(start, "empty row skipped; delete it", error=False))
                continue
            if cells[0].lstrip().startswith("#"):
                continue
            if columns is None:
                columns = [c.strip().lower() for c in cells]
                problems += _header_problems(columns, start, delim)
                if "text" not in columns or any(p.error for p in problems):
                    return [], problems
                continue
            if any("\n" in c or "\r" in c for c in cells):
                problems.append(Problem(start, f"a quoted cell runs over lines {start}-{end}; "
                                               "a closing double quote (\") is probably missing"))
                continue
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):  # empty extras: spreadsheet noise
                sep = "a tab" if delim == "\t" else f"'{delim}'"
                problems.append(Problem(start, f"{len(cells)} cells but the header has {len(columns)} columns; "
                                               f"put a phrase that contains {sep} in double quotes"))
                continue
            row = {c: v.strip() for c, v in zip(columns, cells)}
            if not row.get("text"):
                filled = ", ".join(c for c in COLUMNS if row.get(c)) or "other cells"
                problems.append(Problem(start, f"no text in a row that has {filled}; fill in the word or delete the row"))
                continue
            problems += _odd_break(start, row["text"])
            rows.append(_Row(start, _unquote(row["text"]), row.get("phones", ""), _unquote(row.get("hint", "")),
                             row.get("level", ""), _unquote(row.get("tags", "")), row.get("lang", ""),
                             row.get("audio", "")))
    except csv.Error as e:
        problems.append(Problem(reader.line_num, f"not readable as CSV ({e}); re-save it from the spreadsheet as CSV UTF-8"))
    if columns is None:
        problems.append(Problem(0, "no header row; the first row must name the columns, e.g. 'text,phones,hint'"))
    return rows, problems


def _header_problems(columns: list[str], line: int, delim: str) -> list[Problem]:
    out = []
    if "text" not in columns:
        found = ", ".join(c or "(empty)" for c in columns)
        out.append(Problem(line, f"no 'text' column in the header (found: {found}); "
                                 "name the column with the words or phrases 'text'"))
    for c in sorted({c for c in columns if columns.count(c) > 1 and c}):
        out.append(Problem(line, f"column '{c}' appears twice in the header; keep one"))
    unknown = [c for c in columns if c not in COLUMNS and c]
    if unknown and "text" in columns:
        out.append(Problem(line, f"column(s) {', '.join(unknown)} not used; saywell reads {', '.join(COLUMNS)}",
                           error=False))
    return out


def _fits(words: list[str], text: str) -> bool:
    return 0 < len(words) <= MAX_WORDS and len(text) <= MAX_CHARS


def _words_to_look_up(rows: list[_Row]) -> list[str]:
    """The words the dictionary or espeak-ng must settle: rows without phones that are not refused for length."""
    out: list[str] = []
    for r in rows:
        words = split_words(r.text)
        if not r.phones and _fits(words, r.text):
            out += words
    return out


def _list_language(rows: list[_Row], declared: str | None, default: str | None = None
                   ) -> tuple[Language, list[_Row], list[Problem]]:
    """The list's language: `declared` (--lang, the import form) or its rows' lang cells, which must agree, else
    `default` (the --model's language), else English; the rows whose lang is unknown or another language are left
    out, each with an error naming its line."""
    chosen = language(declared) if declared else None
    where = "the language asked for" if declared else ""
    kept, problems = [], []
    for r in rows:
        if r.lang:
            try:
                lang = language(r.lang)
            except SaywellError:
                problems.append(Problem(r.line, f"lang {r.lang!r} is not a language saywell knows; use "
                                                f"{' or '.join(sorted(LANGUAGES))} ({', '.join(f'{c}: {l.name}' for c, l in sorted(LANGUAGES.items()))})"))
                continue
            if chosen is None:
                chosen, where = lang, f"line {r.line}"
            elif lang.code != chosen.code:
                problems.append(Problem(r.line, f"lang {r.lang!r} ({lang.name}) but the list is {chosen.name} ({where}); "
                                                f"a list is in one language: put the {lang.name} words in a list of their own"))
                continue
        kept.append(r)
    return chosen or language(default), kept, problems


def _entries(rows: list[_Row], lexicon, lang: Language = ENGLISH) -> tuple[list[WordEntry], list[Problem]]:
    entries: list[WordEntry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    found: dict[str, Pronunciation | Unknown] = {}
    for n, r in enumerate(rows):
        if n % LOOKUP_CHUNK == 0:  # many at once (one espeak-ng process for thousands of guesses), not all at once
            found = lexicon.lookup_many(_words_to_look_up(rows[n:n + LOOKUP_CHUNK]))
        words = split_words(r.text)
        if not words:
            problems.append(Problem(r.line, f"no words in {r.text!r}; use letters (digits and apostrophes are fine)"))
            continue
        if len(words) > MAX_WORDS or len(r.text) > MAX_CHARS:
            problems.append(Problem(r.line, f"{r.text!r} is too long ({len(words)} words, {len(r.text)} characters); "
                                            f"keep to {MAX_WORDS} words and {MAX_CHARS} characters: split it into shorter phrases"))
            continue
        before = len(problems)  # the checks below all report: a row can have several problems
        norm = " ".join(words)
        if norm in seen:
            problems.append(Problem(r.line, f"{r.text!r} repeats line {seen[norm]}; remove one of them"))
        else:
            seen[norm] = r.line
        level = None
        if r.level:
            if re.fullmatch(r"[0-9]{1,2}", r.level) and int(r.level) > 0:
                level = int(r.level)
            else:
                problems.append(Problem(r.line, f"level {r.level!r} is not a whole number; use 1 for the easiest words, then 2, 3 ..."))
        if r.phones:
            phones, problem = _given_phones(r, words, lang)
            if problem:
                problems.append(problem)
            sources = ("given",) * len(words)
        else:
            phones, sources = _looked_up(r, words, found, problems)
        if any(p.error for p in problems[before:]):
            continue
        tags = tuple(t.strip() for t in re.split(r"[;,]", r.tags) if t.strip())
        entries.append(WordEntry(r.text, phones, r.hint, level, tags, r.line, sources))
    return entries, problems


def _looked_up(r: _Row, words: list[str], found: dict[str, Pronunciation | Unknown], problems: list[Problem]):
    """Dictionary phones, else espeak-ng's guess (a warning showing it, so the teacher can check it)."""
    looked = []
    for w in words:
        p = found[w]
        if isinstance(p, Unknown):
            problems.append(Problem(r.line, p.message("give its phones in a 'phones' column")))
            return (), ()
        if p.source == "espeak-ng":
            problems.append(Problem(r.line, f"'{w}' is not in the dictionary; guessed /{' '.join(p.phones)}/ "
                                            "(espeak-ng): check it, or give the right phones in a 'phones' column",
                                    error=False))
        looked.append(p)
    return tuple(p.phones for p in looked), tuple(p.source for p in looked)


def _given_phones(r: _Row, words: list[str], lang: Language = ENGLISH) -> tuple[tuple[tuple[str, ...], ...], Problem | None]:
    groups = r.phones.split("|")
    parsed = []
    for g in groups:
        try:
            parsed.append(lang.parse_phones(g))
        except ValueError as e:
            return (), Problem(r.line, f"phones {r.phones!r}: {e}")
    if len(parsed) != len(words):
        return (), Problem(r.line, f"phones {r.phones!r} have {len(parsed)} group(s) for {len(words)} word(s) in "
                                   f"{r.text!r}; give one group per word, separated by '|' "
                                   f"(e.g. '{PHRASE_EXAMPLE.get(lang.code, PHRASE_EXAMPLE['en'])}')")
    return tuple(parsed), None


def read_list(path: Path, name: str | None = None, lexicon: Lexicon | None = None, lang: str | None = None,
              default_lang: str | None = None) -> Checked:
    """Reads and checks a list file; every problem is reported, none raised (only a missing file raises).
    `lang`: the language it is declared in (--lang); None: its lang column's, else `default_lang`, else English.
    The audio column's files are not read here (references.check_files does, for validate and import)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SaywellError(f"word list {path} not found; check the path") from None
    except IsADirectoryError:
        raise SaywellError(f"word list {path} is a folder; give the list file") from None
    except OSError as e:
        raise SaywellError(f"cannot read word list {path} ({e.strerror or e}); check its permissions") from None
    return check_bytes(raw, path, name, lexicon, lang, default_lang)


def check_bytes(raw: bytes, path: Path, name: str | None = None, lexicon: Lexicon | None = None,
                lang: str | None = None, default_lang: str | None = None) -> Checked:
    """read_list's checks on bytes already in memory (an upload): `path` only hints the format and is the
    list's origin; nothing is read from it."""
    path = Path(path)
    wl_name = name or default_name(path)
    try:
        text = unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        line = len(re.findall(rb"\r\n|\r|\n", raw[: e.start])) + 1
        return Checked(WordList(wl_name, (), str(path), lang=language(lang or default_lang).code), (Problem(
            line, f"not UTF-8 text (byte 0x{raw[e.start]:02x}); save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')"),), "unknown")
    fmt, delim = detect_format(path, text)
    rows, problems = _text_rows(text) if delim is None else _csv_rows(text, delim)
    spoken, rows, more = _list_language(rows, lang, default_lang)
    problems += more
    entries, more = _entries(rows, lexicon or lexicon_for(spoken.code), spoken)
    problems += more
    if not entries and not any(p.error for p in problems):
        problems.append(Problem(0, "no words; put one word or phrase per line (or in a 'text' column)"))
    kept = {e.line: e.text for e in entries}
    recordings = tuple((r.line, kept[r.line], r.audio) for r in rows if r.audio and r.line in kept)
    problems.sort(key=lambda p: p.line)
    return Checked(WordList(wl_name, tuple(entries), str(path), lang=spoken.code), tuple(problems), fmt, recordings)


def load_file(path: Path, name: str | None = None, lang: str | None = None, default_lang: str | None = None) -> WordList:
    """A list file ready to practise; a list with errors is refused with the first error and how to see all."""
    checked = read_list(path, name, lang=lang, default_lang=default_lang)
    if checked.errors:
        n = len(checked.errors)
        also = f" --lang {lang}" if lang else ""
        raise SaywellError(f"word list {path} has {n} error{'s' * (n > 1)} ({checked.errors[0]}); "
                           f"see them all with: saywell lists validate {path}{also}")
    return checked.wordlist


def default_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(path).stem).strip("-._")[:64]


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise SaywellError(f"list name {name!r} is not usable; use up to 64 letters, digits, '-', '_' or '.', "
                           "starting with a letter or digit")
    return name


# ---- stored lists ---------------------------------------------------------------------------------------

def lists_dir() -> Path:
    return data_home() / "lists"


def stored_path(name: str) -> Path:
    return lists_dir() / f"{check_name(name)}.json"


def stored_names() -> list[str]:
    d = lists_dir()
    return sorted(p.stem for p in d.glob("*.json") if NAME_RE.match(p.stem)) if d.is_dir() else []


def store_list(wl: WordList) -> Path:
    """Replaces the stored list of that name in one step: readers see the old list or the new, never a mix.
    One entry a line: a 100k-word list is written (and read back) in a second, with no document-sized dict."""
    head = json.dumps({"format": STORE_FORMAT, "name": wl.name, "origin": wl.origin,
                       "imported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "accent": wl.accent, "lang": wl.lang},
                      ensure_ascii=False)
    entries = b",\n".join(json.dumps({
        "text": e.text, "phones": [list(g) for g in e.phones or ()], "sources": list(e.sources or ()), "hint": e.hint,
        "level": e.level, "tags": list(e.tags), "line": e.line, "key": e.key}, ensure_ascii=False).encode("utf-8")
        for e in wl.entries)
    path = stored_path(wl.name)
    ensure_dir(path.parent)
    clean_orphans(path.parent, ".json")  # an import killed half-way left its temporary file
    write_atomically(path, b"".join([head[:-1].encode("utf-8"), b', "entries": [\n', entries, b"\n]}\n"]))
    return path


def load_stored(name: str) -> WordList:
    """A stored list; each entry becomes a WordEntry as soon as it is parsed, so a 100k-word list never holds
    100k JSON dicts too (they would double its memory)."""
    path = stored_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        others = ", ".join(stored_names()) or "none"
        raise SaywellError(f"no stored list named {name!r} (stored: {others}); import one with: saywell lists import FILE") from None
    except (OSError, ValueError) as e:
        raise SaywellError(f"stored list {path} is unreadable ({e}); import the list again") from None
    try:
        doc = json.loads(text, object_hook=lambda d: _stored_entry(d) if "text" in d and "phones" in d else d)
    except json.JSONDecodeError as e:
        raise SaywellError(f"stored list {path} is unreadable ({e}); import the list again") from None
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise SaywellError(f"stored list {path} is damaged ({e}); import the list again") from None
    try:
        if doc.get("format") != STORE_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}, expected {STORE_FORMAT}")
        if not all(isinstance(e, WordEntry) for e in doc["entries"]):
            raise ValueError("an entry without text or phones")
        if doc.get("accent") not in (None, *ACCENTS):
            raise ValueError(f"accent {doc.get('accent')!r}")
        lang = doc.get("lang") or DEFAULT_LANGUAGE  # lists stored before Spanish are English
        if lang not in LANGUAGES:
            raise ValueError(f"lang {lang!r}")
        entries = _in_phone_set(doc["entries"], LANGUAGES[lang])
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        raise SaywellError(f"stored list {path} is damaged ({e}); import the list again") from None
    return WordList(doc.get("name") or name, entries, doc.get("origin") or "", doc.get("accent"), lang)


def _in_phone_set(entries: list[WordEntry], lang: Language) -> tuple[WordEntry, ...]:
    """Stored phones are checked phones of the list's language already: an entry is parsed again only if its
    phones were edited by hand (ValueError if wrong)."""
    known = PHONE_SET if lang.code == "en" else frozenset(lang.phones)
    return tuple(e if all(p in known for g in e.phones for p in g) else
                 replace(e, phones=tuple(lang.parse_phones(" ".join(g)) for g in e.phones)) for e in entries)


def _stored_entry(d: dict) -> WordEntry:
    phones = tuple(_stored_phones(g) for g in d["phones"])
    if len(phones) != len(split_words(d["text"])):
        raise ValueError(f"{d['text']!r} has {len(phones)} phones groups")
    return WordEntry(d["text"], phones, d.get("hint") or "", d.get("level"), tuple(d.get("tags") or ()),
                     int(d.get("line") or 0), tuple(d.get("sources") or ("given",) * len(phones)))


def _stored_phones(group: list[str]) -> tuple[str, ...]:
    """A stored group as written; checked against the list's language once the whole list is read (its language
    is in the head, which the parser finishes last)."""
    if not (isinstance(group, list) and group and all(isinstance(p, str) for p in group)):
        raise ValueError(f"phones {group!r}")
    return tuple(group)


def stored_info(name: str) -> dict:
    try:
        doc = json.loads(stored_path(name).read_text(encoding="utf-8"))
        return {"imported_at": doc.get("imported_at", "?"), "origin": doc.get("origin", ""), "accent": doc.get("accent"),
                "lang": doc.get("lang") or DEFAULT_LANGUAGE,
                "words": len(doc.get("entries", [])),
                "guessed": sum("espeak-ng" in (e.get("sources") or []) for e in doc.get("entries", []))}
    except (OSError, ValueError, AttributeError):
        return {"imported_at": "?", "origin": "", "words": "?", "guessed": "?"}


def resolve(spec: str | None, lang: str | None = None, default_lang: str | None = None) -> WordList:
    """`--list` for practice: an existing file (any format) first, else a stored list name; None: the built-in list
    of `lang`, else of `default_lang` (the --model's language), else English's. A file is read in `lang`, which
    its lang column must agree with; without either, in `default_lang`. A stored list keeps its own language (the
    caller checks it against --lang and the model)."""
    if spec is None:
        path, name = BUILTIN_LISTS[language(lang or default_lang).code]
        return load_file(path, name)
    p = Path(spec).expanduser()
    if p.exists():
        return load_file(p, lang=lang, default_lang=default_lang)
    if NAME_RE.match(spec) and stored_path(spec).exists():
        return load_stored(spec)
    raise SaywellError(f"word list {spec} not found: no such file and no stored list of that name "
                       "(see saywell lists show)")


@dataclass
class WatchedList:
    """A list as `resolve` found it, and its file, so a long-running kiosk notices a new version: a re-import
    (`lists import`, the teacher page: written to a temporary file and renamed, so a new inode) or an edited list
    file (mtime and size). Checking is one stat, cheap enough before every word."""

    spec: str | None
    wordlist: WordList
    path: Path | None  # None: the built-in list, which does not change while a kiosk runs
    stamp: tuple[int, int, int] | None
    lang: str | None = None  # --lang: a list file is read in it
    default_lang: str | None = None  # the --model's language: a list file without a lang column is read in it

    @classmethod
    def open(cls, spec: str | None, lang: str | None = None, default_lang: str | None = None) -> "WatchedList":
        path = _source_path(spec)
        stamp = _stamp(path)  # before reading: a change during the read is noticed at the next check
        return cls(spec, resolve(spec, lang, default_lang), path, stamp, lang, default_lang)

    def check(self) -> WordList | None:
        """The list again if its file changed since it was last read, else None. A new version that cannot be
        used raises SaywellError, and the old list stays: it is not read again until the file changes once more."""
        stamp = _stamp(self.path)
        if self.path is None or stamp == self.stamp:
            return None
        self.stamp = stamp
        self.wordlist = resolve(self.spec, self.lang, self.default_lang)
        return self.wordlist


def _source_path(spec: str | None) -> Path | None:
    """The file `resolve(spec)` reads (the same choice: a file first, then a stored list)."""
    if spec is None:
        return None
    p = Path(spec).expanduser()
    return p.resolve() if p.exists() or not NAME_RE.match(spec) else stored_path(spec)


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None  # gone: resolve says so when asked
    return None if st is None else (st.st_ino, st.st_mtime_ns, st.st_size)


# ---- writing --------------------------------------------------------------------------------------------

def to_csv(wl: WordList) -> str:
    """A table a teacher can edit and import again: phones only where they did not come from the dictionary."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    english = wl.lang == DEFAULT_LANGUAGE  # an English list's table keeps its old columns; another says its lang
    columns = COLUMNS[:COLUMNS.index("lang") + 1]  # not audio: the recordings stay on the device
    w.writerow(columns if not english else columns[:-1])
    for e in wl.entries:
        from_dict = e.sources is not None and all(s in ("cmudict", "spelling") for s in e.sources)
        phones = "" if from_dict or e.phones is None else " | ".join(" ".join(g) for g in e.phones)
        w.writerow([spreadsheet_safe(e.text), phones, spreadsheet_safe(e.hint), e.level or "",
                    spreadsheet_safe(";".join(e.tags))] + ([] if english else [wl.lang]))
    return buf.getvalue()


def to_text(wl: WordList) -> str:
    return f"# saywell word list {wl.name}\n" + "".join(e.text + "\n" for e in wl.entries)

def source_label(e: WordEntry) -> str:
    """Where an entry's phones came from, as the CLI and the teacher page show it."""
    if e.guessed:
        return "guessed by espeak-ng: " + ", ".join(e.guessed) + " (check)"
    srcs = set(e.sources or ())
    if "spelling" in srcs:
        return "spelling" if srcs == {"spelling"} else "given + spelling"
    return "given" if srcs == {"given"} else "dictionary" if srcs == {"cmudict"} else "given + dictionary"

def accepted_alternates(e: WordEntry, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The dictionary's other pronunciations the scorer accepts for this entry's words, e.g. "either /AY DH ER/"
    (Spanish: the Latin American form, "cielo /s i e l o/")."""
    return alternates_of([e], lang)[0]


def alternates_of(entries: list[WordEntry] | tuple[WordEntry, ...], lang: str = DEFAULT_LANGUAGE) -> list[list[str]]:
    """accepted_alternates of each entry, looked up together (a 100k-word list: one query per few hundred words)."""
    prons = [e.pronunciations() or [] for e in entries]
    lexicon = Lexicon(use_g2p=False) if language(lang).code == "en" else lexicon_for(lang)
    variants = iter(lexicon.variants_many(p for ps in prons for p in ps))
    return [[f"{p.word} /{' '.join(v.phones)}/" for p in ps for v in next(variants)[1:]] for ps in prons]
