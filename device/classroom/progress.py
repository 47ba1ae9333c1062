"""Learner progress: one SQLite file in the data folder saying who practised which word when, and how each
sound went. No audio is stored in it: when a teacher turns keeping audio on (device/classroom/audio_keep.py), an
attempt's recording is a WAV file beside it, named in `attempts.audio_file`.

Durability. WAL journal, one transaction per attempt (the attempt and its sounds together or not at all),
`synchronous=FULL`: each commit is fsynced to the WAL before practice goes on. NORMAL would also never
corrupt the file, but a power cut could roll back the last attempts a learner just saw scored; at one commit
per spoken word the fsync (milliseconds, even on an SD card) is invisible, so FULL costs nothing that
matters. Several processes may write at once (two terminals, a kiosk and a report): writers take the lock
up front (BEGIN IMMEDIATE) and wait up to BUSY_TIMEOUT_S for each other.

Damage. Opening runs `PRAGMA quick_check` (about 0.1 s for 10 MB, a year of a class's practice). A damaged
file is never repaired, replaced or deleted behind the user's back: the open fails with one line saying so,
and only `reset=True` (`saywell practice --reset-progress`) moves it, with its WAL, aside to
`progress.sqlite3.damaged-YYYYmmdd-HHMMSS` and starts a fresh store. Reset refuses to touch a healthy file.

Schema. `PRAGMA user_version` says which MIGRATIONS a file has; opening applies the missing ones in order, in
one transaction (all or none), so a device updated in the field keeps its history.

Reading. Summaries are counted by SQLite (`tallies`), never by loading every attempt, and long lists come a page
at a time (`attempts(limit=...)`, `learner_page`, `anonymous_sessions`). Attempts are only ever added, never
changed or deleted (but for the link to a kept recording), so a reader may keep tallies and add only the attempts
recorded since (`version`, `tallies(after_id=...)`): the teacher page does.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.language import DEFAULT_LANGUAGE, sound_label
from ..errors import SaywellError
from .home import data_home, ensure_dir

DB_NAME = "progress.sqlite3"
BUSY_TIMEOUT_S = 15.0
VERDICTS = ("correct", "mispronounced", "no_speech")
_NAME_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,40}$")

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS learners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- a first name or a code: nothing else about a learner is kept
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    learner_id INTEGER REFERENCES learners(id),  -- NULL: an anonymous session
    list_name TEXT,
    started REAL NOT NULL,
    ended REAL);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    learner_id INTEGER REFERENCES learners(id),
    t REAL NOT NULL,  -- seconds since the epoch (UTC)
    list_name TEXT,
    word_key TEXT NOT NULL,  -- normalised text and phones: survives editing the list
    word_text TEXT NOT NULL,
    expected_phones TEXT NOT NULL,  -- 'TH AE NG K | Y UW'
    score REAL NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'mispronounced', 'no_speech')));
CREATE INDEX IF NOT EXISTS attempts_by_learner ON attempts(learner_id, t);
CREATE INDEX IF NOT EXISTS attempts_by_session ON attempts(session_id);
CREATE TABLE IF NOT EXISTS phone_results (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    position INTEGER NOT NULL,
    word_index INTEGER NOT NULL,
    phone TEXT NOT NULL,
    score REAL NOT NULL,
    ok INTEGER NOT NULL,
    heard TEXT,
    PRIMARY KEY (attempt_id, position)) WITHOUT ROWID;
"""
# Version n of the schema is MIGRATIONS[:n]; a migration is never edited once shipped, only appended.
MIGRATIONS = (
    SCHEMA_V1,
    # 2: a kept recording, 'ID.wav' in the audio folder beside the database (NULL: none kept)
    "ALTER TABLE attempts ADD COLUMN audio_file TEXT;",
    # 3: each word of a phrase or sentence judged on its own (single words need no row: the attempt says it)
    "CREATE TABLE IF NOT EXISTS word_results ("
    " attempt_id INTEGER NOT NULL REFERENCES attempts(id), word_index INTEGER NOT NULL, word TEXT NOT NULL,"
    " verdict TEXT NOT NULL, error TEXT NOT NULL, PRIMARY KEY (attempt_id, word_index)) WITHOUT ROWID;",
    # 4: the accent a learner is taught, when it is not their list's or the device's (NULL: theirs)
    "ALTER TABLE learners ADD COLUMN accent TEXT;",
    # 5: the language an attempt was judged in, which names its phones' sounds (attempts before Spanish: English)
    "ALTER TABLE attempts ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';",
)
SCHEMA_VERSION = len(MIGRATIONS)


class DamagedStore(SaywellError):
    pass


class StoreUnavailable(SaywellError):
    """The store cannot be written just now (a full disk, a read-only folder, another writer holding it):
    practice goes on without saving rather than turning a learner away."""


class _Locked(Exception):
    """Another process holds a lock while this one opens the store; retried by ProgressStore._connect."""


@dataclass(frozen=True)
class Learner:
    id: int
    name: str


@dataclass(frozen=True)
class PhoneMark:
    phone: str
    score: float
    ok: bool
    heard: str | None
    word_index: int = 0


@dataclass(frozen=True)
class WordMark:
    """One word of a phrase as judged in its attempt: verdict correct|mispronounced, error none|mispronounced|omitted."""
    word: str
    verdict: str
    error: str = "none"

    @property
    def missed(self) -> bool:
        return self.verdict != "correct"


@dataclass(frozen=True)
class Attempt:
    t: float
    word_key: str
    word_text: str
    expected_phones: str
    score: float
    verdict: str
    phones: tuple[PhoneMark, ...]
    learner: str | None = None  # None: anonymous
    list_name: str | None = None
    session_id: int = 0
    id: int = 0
    audio_file: str | None = None  # a kept recording's file name in the audio folder
    words: tuple[WordMark, ...] = ()  # a phrase's words, each judged; () for a single word
    lang: str = DEFAULT_LANGUAGE  # the language judged: its phones are that language's (engine/language.py)

    @classmethod
    def from_result(cls, result, word_key: str, expected_phones: str, t: float | None = None, **kw) -> "Attempt":
        """From a scoring.ScoreResult (duck-typed: progress must not import numpy)."""
        marks = tuple(PhoneMark(p.phone, float(p.score), bool(p.ok), p.heard, wi)
                      for wi, w in enumerate(result.words) for p in w.phones)
        words = tuple(WordMark(w.word, w.verdict, getattr(w, "error", "none"))
                      for w in result.words) if len(result.words) > 1 else ()
        kw.setdefault("lang", getattr(result, "lang", DEFAULT_LANGUAGE))
        return cls(time.time() if t is None else t, word_key, result.text, expected_phones, float(result.score),
                   result.verdict, marks, words=words, **kw)

    def sound(self, phone: str | None) -> str:
        """A phone of this attempt as people read it ('/ɾ/ as in pero'); '-' and None as they are."""
        return sound_label(phone, self.lang) if phone and phone != "-" else phone or ""


def _is_damage(e: sqlite3.DatabaseError) -> bool:
    name = getattr(e, "sqlite_errorname", "")
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return not isinstance(e, sqlite3.OperationalError) or "malformed" in str(e) or "not a database" in str(e)


def _problem(path: Path, e: sqlite3.Error) -> SaywellError:
    """One line naming the problem and the fix."""
    name = getattr(e, "sqlite_errorname", "")
    if isinstance(e, sqlite3.DatabaseError) and _is_damage(e):
        return DamagedStore(f"progress database {path} is damaged ({e}); nothing was changed: run "
                            "saywell practice --reset-progress to move it aside to a dated backup and start afresh, "
                            "or practise with --no-progress")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(e):
        return StoreUnavailable(f"progress database {path} stayed busy for {BUSY_TIMEOUT_S:.0f} s (another saywell is "
                            "writing to it); try again, or practise with --no-progress")
    if name.startswith("SQLITE_FULL"):
        return StoreUnavailable(f"no space left to save progress in {path}; free some space, or practise with --no-progress")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR")):
        return StoreUnavailable(f"cannot write the progress database {path} ({e}); check the folder's permissions "
                            "or set SAYWELL_HOME to a writable folder")
    return SaywellError(f"progress database {path}: {e}; practise with --no-progress meanwhile")


def diagnose(path: Path) -> str | None:
    """Why the file is not a usable SQLite database, or None when it is."""
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        rows = con.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        if _is_damage(e):
            return str(e)
        raise _problem(path, e) from None
    finally:
        con.close()
    return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, dest)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, dest.with_name(dest.name + suffix))
    return dest


class ProgressStore:
    """The progress database. `notes` tells the user what opening it did (a reset) in plain words."""

    def __init__(self, path: Path, reset: bool = False, create: bool = True):
        self.path = Path(path)
        self.notes: list[str] = []
        if not self.path.exists() and not create:
            raise SaywellError(f"no progress recorded yet ({self.path} does not exist); it is written by saywell practice")
        if self.path.exists() and not self.path.is_file():  # SQLite's own words ("unable to open") hide the cause
            raise SaywellError(f"progress database {self.path} is a folder or device, not a file; nothing was changed: "
                               "move it out of the way, or set SAYWELL_HOME to another folder")
        if reset and self.path.exists():
            reason = diagnose(self.path)
            if reason is None:
                self.notes.append(f"the progress database {self.path} is healthy: --reset-progress left it as it is")
            else:
                moved = move_aside(self.path)
                self.notes.append(f"the damaged progress database ({reason}) was moved to {moved}; starting a fresh one")
        ensure_dir(self.path.parent)
        self.con = self._connect()

    @classmethod
    def default(cls, reset: bool = False, create: bool = True) -> "ProgressStore":
        return cls(data_home() / DB_NAME, reset=reset, create=create)

    def _connect(self) -> sqlite3.Connection:
        """Open, retrying while another process holds the lock: switching to WAL and creating the schema take
        locks that SQLite's busy handler does not always wait for (two kiosks starting on a fresh file)."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                return self._connect_once()
            except _Locked:
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"progress database {self.path} stayed locked by another saywell for "
                                       f"{BUSY_TIMEOUT_S:.0f} s; close the other one or practise with --no-progress") from None
                time.sleep(0.05)

    def _connect_once(self) -> sqlite3.Connection:
        con = None
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            rows = con.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                reason = "; ".join(str(r[0]) for r in rows[:3])
                raise DamagedStore(f"progress database {self.path} is damaged ({reason}); nothing was changed: run "
                                   "saywell practice --reset-progress to move it aside to a dated backup and start "
                                   "afresh, or practise with --no-progress")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA foreign_keys = ON")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SaywellError(f"progress database {self.path} was written by a newer saywell (schema {version}); "
                                   "update saywell on this device")
            if version < SCHEMA_VERSION:
                with _transaction(con):
                    version = con.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
                    for script in MIGRATIONS[version:]:
                        for stmt in script.split(";"):
                            if stmt.strip():
                                con.execute(stmt)
                    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return con
        except sqlite3.OperationalError as e:
            if con is not None:
                con.close()
            if "locked" in str(e) or "busy" in str(e):
                raise _Locked() from None
            raise _problem(self.path, e) from None
        except sqlite3.Error as e:
            if con is not None:
                con.close()
            raise _problem(self.path, e) from None
        except BaseException:
            if con is not None:
                con.close()
            raise

    @contextmanager
    def _write(self):
        try:
            with _transaction(self.con):
                yield self.con
        except sqlite3.Error as e:
            raise _problem(self.path, e) from None

    def _read(self, sql: str, params=()) -> list[tuple]:
        try:
            return self.con.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise _problem(self.path, e) from None

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- learners and sessions ----

    def learner(self, name: str) -> Learner:
        """The learner of that name (case-insensitive), created on first use."""
        name = check_learner_name(name)
        with self._write() as con:
            con.execute("INSERT OR IGNORE INTO learners(name, created) VALUES (?, ?)", (name, time.time()))
            row = con.execute("SELECT id, name FROM learners WHERE name = ?", (name,)).fetchone()
        return Learner(*row)

    def learner_accent(self, learner: Learner) -> str | None:
        rows = self._read("SELECT accent FROM learners WHERE id = ?", (learner.id,))
        return rows[0][0] if rows else None

    def set_learner_accent(self, learner: Learner, accent: str | None) -> None:
        """us, gb or any for this learner; None: their list's or the device's."""
        with self._write() as con:
            con.execute("UPDATE learners SET accent = ? WHERE id = ?", (accent, learner.id))

    def find_learner(self, name: str) -> Learner | None:
        rows = self._read("SELECT id, name FROM learners WHERE name = ?", (name.strip(),))
        return Learner(*rows[0]) if rows else None

    def learners(self) -> list[Learner]:
        return [Learner(*r) for r in self._read("SELECT id, name FROM learners ORDER BY name")]

    def start_session(self, learner: Learner | None, list_name: str | None) -> int:
        with self._write() as con:
            cur = con.execute("INSERT INTO sessions(learner_id, list_name, started) VALUES (?, ?, ?)",
                              (learner.id if learner else None, list_name, time.time()))
        return int(cur.lastrowid)

    def end_session(self, session_id: int, at: float | None = None) -> None:
        """`at`: when it really ended (a kiosk that died mid-session ends it at its last attempt)."""
        with self._write() as con:
            con.execute("UPDATE sessions SET ended = ? WHERE id = ?", (time.time() if at is None else at, session_id))

    def resume_session(self, session_id: int) -> bool:
        """Reopens an anonymous session (a restarted kiosk goes on with it); False when it is not in the store."""
        with self._write() as con:
            cur = con.execute("UPDATE sessions SET ended = NULL WHERE id = ? AND learner_id IS NULL", (session_id,))
        return cur.rowcount == 1

    # ---- attempts ----

    def record(self, session_id: int, learner: Learner | None, attempt: Attempt) -> int:
        """One attempt with its sounds, in one transaction."""
        if attempt.verdict not in VERDICTS:
            raise ValueError(f"verdict {attempt.verdict!r}")
        with self._write() as con:
            cur = con.execute(
                "INSERT INTO attempts(session_id, learner_id, t, list_name, word_key, word_text, expected_phones, score, "
                "verdict, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, learner.id if learner else None, attempt.t, attempt.list_name, attempt.word_key,
                 attempt.word_text, attempt.expected_phones, attempt.score, attempt.verdict, attempt.lang))
            aid = int(cur.lastrowid)
            con.executemany("INSERT INTO phone_results(attempt_id, position, word_index, phone, score, ok, heard) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(aid, i, m.word_index, m.phone, m.score, int(m.ok), m.heard) for i, m in enumerate(attempt.phones)])
            con.executemany("INSERT INTO word_results(attempt_id, word_index, word, verdict, error) VALUES (?, ?, ?, ?, ?)",
                            [(aid, i, w.word, w.verdict, w.error) for i, w in enumerate(attempt.words)])
        return aid

    # ---- kept recordings ----

    def link_audio(self, attempt_id: int, file_name: str) -> None:
        with self._write() as con:
            con.execute("UPDATE attempts SET audio_file = ? WHERE id = ?", (file_name, attempt_id))

    def unlink_audio(self, attempt_ids=None) -> None:
        """Forget the recordings of these attempts (None: of all attempts), once their files are gone."""
        with self._write() as con:
            if attempt_ids is None:
                con.execute("UPDATE attempts SET audio_file = NULL WHERE audio_file IS NOT NULL")
            else:
                con.executemany("UPDATE attempts SET audio_file = NULL WHERE id = ?", [(int(i),) for i in attempt_ids])

    def audio_file(self, attempt_id: int) -> str | None:
        rows = self._read("SELECT audio_file FROM attempts WHERE id = ?", (attempt_id,))
        return rows[0][0] if rows else None

    def attempts(self, learner: Learner | None = None, session_id: int | None = None, everyone: bool = False,
                 newest_first: bool = False, limit: int | None = None, offset: int = 0) -> list[Attempt]:
        """In time order (or newest first): one learner's, one session's, or (everyone=True) all of them;
        `limit` and `offset` read one page only."""
        where, params = _scope(learner, session_id, everyone)
        desc = " DESC" if newest_first else ""
        page, page_params = (" LIMIT ? OFFSET ?", (int(limit), max(0, int(offset)))) if limit is not None else ("", ())
        rows = self._read(
            "SELECT a.id, a.session_id, l.name, a.t, a.list_name, a.word_key, a.word_text, a.expected_phones, a.score, "
            f"a.verdict, a.audio_file, a.lang FROM attempts a LEFT JOIN learners l ON l.id = a.learner_id WHERE {where} "
            f"ORDER BY a.t{desc}, a.id{desc}{page}", params + page_params)
        if limit is not None:  # the marks of this page's attempts only
            where, params = f"a.id IN ({','.join('?' * len(rows))})", tuple(r[0] for r in rows)
        marks: dict[int, list[PhoneMark]] = {}
        for aid, phone, score, ok, heard, wi in self._read(
                "SELECT p.attempt_id, p.phone, p.score, p.ok, p.heard, p.word_index FROM phone_results p "
                f"JOIN attempts a ON a.id = p.attempt_id WHERE {where} ORDER BY p.attempt_id, p.position", params):
            marks.setdefault(aid, []).append(PhoneMark(phone, score, bool(ok), heard, wi))
        words: dict[int, list[WordMark]] = {}
        for aid, word, verdict, error in self._read(
                "SELECT w.attempt_id, w.word, w.verdict, w.error FROM word_results w "
                f"JOIN attempts a ON a.id = w.attempt_id WHERE {where} ORDER BY w.attempt_id, w.word_index", params):
            words.setdefault(aid, []).append(WordMark(word, verdict, error))
        return [Attempt(t, key, text, phones, score, verdict, tuple(marks.get(aid, ())), name, list_name, sid, aid, audio,
                        tuple(words.get(aid, ())), lang)
                for aid, sid, name, t, list_name, key, text, phones, score, verdict, audio, lang in rows]

    def missed_words(self, learner: Learner | None = None, session_id: int | None = None, everyone: bool = False,
                     limit: int = 50) -> list["SentenceTally"]:
        """Per phrase practised (most recently practised first), how often each of its words was missed: counted
        by SQLite, so a page shows it without loading the attempts."""
        where, params = _scope(learner, session_id, everyone)
        keys = self._read(
            "SELECT a.word_key, max(a.word_text), count(DISTINCT a.id), max(a.t) FROM word_results w "
            f"JOIN attempts a ON a.id = w.attempt_id WHERE {where} GROUP BY a.word_key ORDER BY 4 DESC LIMIT ?",
            params + (int(limit),))
        if not keys:
            return []
        counts: dict[str, list[WordTally]] = {}
        for key, word, said, missed, left_out in self._read(
                "SELECT a.word_key, w.word, count(*), sum(w.verdict != 'correct'), sum(w.error = 'omitted') "
                f"FROM word_results w JOIN attempts a ON a.id = w.attempt_id WHERE {where} "
                f"AND a.word_key IN ({','.join('?' * len(keys))}) GROUP BY a.word_key, w.word_index ORDER BY a.word_key, w.word_index",
                params + tuple(k[0] for k in keys)):
            counts.setdefault(key, []).append(WordTally(word, said, missed, left_out))
        return [SentenceTally(text, n, tuple(counts.get(key, ()))) for key, text, n, _ in keys]

    @contextmanager
    def snapshot(self):
        """Reads inside see one state of the store, whatever other processes commit meanwhile (WAL)."""
        try:
            self.con.execute("BEGIN")
        except sqlite3.Error as e:
            raise _problem(self.path, e) from None
        try:
            yield self
        finally:
            self.con.execute("COMMIT")

    def version(self) -> tuple[int, int]:
        """Changes whenever an attempt is recorded (attempts are only ever added, with their sounds): a cache of
        summaries keyed by it is never stale."""
        last, n = self._read("SELECT max(id), count(*) FROM attempts")[0]
        return (last or 0, n)

    def count_attempts(self, learner: Learner | None = None, session_id: int | None = None, everyone: bool = False) -> int:
        where, params = _scope(learner, session_id, everyone)
        return self._read(f"SELECT count(*) FROM attempts a WHERE {where}", params)[0][0]

    # ---- summaries, counted by SQLite: a page never loads every attempt ----

    def summary(self, learner: Learner | None = None, session_id: int | None = None) -> Summary:
        """One learner's, one session's, or (neither given) everyone's."""
        return self.tallies("all", learner=learner, session_id=session_id).get(0, Tally()).summary()

    def summaries(self, by: str, keys=None, days: bool = True) -> dict:
        """Summaries grouped `by` 'learner' (keyed by learner id, None for anonymous sessions) or 'session' (by
        session id), optionally only for `keys`; `days=False` skips the per-day counts."""
        return {k: t.summary() for k, t in self.tallies(by, keys, days).items()}

    def tallies(self, by: str, keys=None, days: bool = True, learner: Learner | None = None,
                session_id: int | None = None, after_id: int = 0) -> dict:
        """The counts behind summaries, grouped `by` 'learner', 'session' or 'all' (key 0); `after_id`: only
        attempts recorded after that one (ids only grow), to bring a kept tally up to date."""
        group = _GROUPS[by]
        where, params = _scope(learner, session_id, learner is None and session_id is None)
        if keys is not None:
            keys = [k for k in keys if k is not None]
            where += f" AND {group} IN ({','.join('?' * len(keys))})"
            params += tuple(keys)
        if after_id:
            where, params = where + " AND a.id > ?", params + (int(after_id),)
        spoken = "a.verdict != 'no_speech'"
        out = {key: Tally(*head) for key, *head in self._read(
            f"SELECT {group}, SUM({spoken}), SUM(a.verdict = 'correct'), TOTAL(CASE WHEN {spoken} THEN a.score END), "
            f"MIN(CASE WHEN {spoken} THEN a.t END), MAX(CASE WHEN {spoken} THEN a.t END), SUM(NOT {spoken}) "
            f"FROM attempts a WHERE {where} GROUP BY 1", params)}
        for key, phone, lang, *counts in self._read(
                f"SELECT {group}, p.phone, a.lang, COUNT(*), SUM(p.ok), TOTAL(p.score) FROM attempts a "
                f"JOIN phone_results p ON p.attempt_id = a.id WHERE {where} AND {spoken} GROUP BY 1, 2, 3", params):
            out[key].sounds[(phone, lang)] = counts
        if days:
            for key, day, *counts in self._read(
                    f"SELECT {group}, date(a.t, 'unixepoch', 'localtime'), COUNT(*), SUM(a.verdict = 'correct'), "
                    f"TOTAL(a.score) FROM attempts a WHERE {where} AND {spoken} GROUP BY 1, 2", params):
                out[key].days[day] = counts
        return out

    def learner_page(self, limit: int, offset: int = 0) -> tuple[list[Learner], int]:
        """A page of the learners who have attempts, by name, and how many there are in all."""
        has = "EXISTS (SELECT 1 FROM attempts a WHERE a.learner_id = l.id)"
        rows = self._read(f"SELECT id, name FROM learners l WHERE {has} ORDER BY name LIMIT ? OFFSET ?",
                          (int(limit), max(0, int(offset))))
        return [Learner(*r) for r in rows], self._read(f"SELECT count(*) FROM learners l WHERE {has}")[0][0]

    def anonymous_sessions(self, limit: int, offset: int = 0) -> tuple[list[SessionInfo], int]:
        """A page of the anonymous sessions (the kiosk, practice without --learner) that have attempts, newest
        first, and how many there are in all."""
        cond = "s.learner_id IS NULL AND EXISTS (SELECT 1 FROM attempts a WHERE a.session_id = s.id)"
        rows = self._read(f"{_SESSION_SQL} WHERE {cond} ORDER BY s.started DESC, s.id DESC LIMIT ? OFFSET ?",
                          (int(limit), max(0, int(offset))))
        return [SessionInfo(*r) for r in rows], self._read(f"SELECT count(*) FROM sessions s WHERE {cond}")[0][0]

    def session_info(self, session_id: int) -> SessionInfo | None:
        rows = self._read(f"{_SESSION_SQL} WHERE s.id = ?", (session_id,))
        return SessionInfo(*rows[0]) if rows else None


_GROUPS = {"all": "0", "learner": "a.learner_id", "session": "a.session_id"}
_SESSION_SQL = ("SELECT s.id, l.name, s.list_name, s.started, s.ended, "
                "(SELECT count(*) FROM attempts a WHERE a.session_id = s.id) FROM sessions s "
                "LEFT JOIN learners l ON l.id = s.learner_id")


def _scope(learner: Learner | None, session_id: int | None, everyone: bool) -> tuple[str, tuple]:
    """Whose attempts, as a WHERE clause on `attempts a`."""
    if everyone:
        return "1", ()
    if session_id is not None:
        return "a.session_id = ?", (session_id,)
    if learner is not None:
        return "a.learner_id = ?", (learner.id,)
    raise ValueError("attempts of whom? give a learner, a session or everyone=True")


@dataclass(frozen=True)
class WordTally:
    word: str
    attempts: int
    missed: int  # judged wrong, left out included
    left_out: int


@dataclass(frozen=True)
class SentenceTally:
    """A phrase's attempts, word by word: which of its words a learner misses."""
    text: str
    attempts: int
    words: tuple[WordTally, ...]


@dataclass(frozen=True)
class SessionInfo:
    id: int
    learner: str | None  # None: anonymous
    list_name: str | None
    started: float
    ended: float | None
    attempts: int  # no-speech ones included


@contextmanager
def _transaction(con: sqlite3.Connection):
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def check_learner_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise SaywellError(f"learner {name!r} is not a usable name; use up to 40 characters, e.g. a first name "
                           "or a class code such as 7b-12")
    return name


# ---- what the numbers say ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SoundStat:
    phone: str
    attempts: int
    ok: int
    mean_score: float
    lang: str = DEFAULT_LANGUAGE  # whose phone it is: English "S" and Spanish "s" are counted apart

    @property
    def rate(self) -> float:
        return self.ok / self.attempts if self.attempts else 0.0

    @property
    def label(self) -> str:
        """The sound as people read it: '/θ/ as in think', '/ɾ/ as in pero'."""
        return sound_label(self.phone, self.lang)


@dataclass(frozen=True)
class DayStat:
    day: str  # YYYY-MM-DD, local time
    attempts: int
    correct: int
    mean_score: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class Summary:
    """Spoken attempts only: a no-speech attempt says nothing about pronunciation."""

    attempts: int
    correct: int
    mean_score: float
    sounds: tuple[SoundStat, ...] = ()  # by % right, lowest first (see weakest_first)
    days: tuple[DayStat, ...] = ()
    first_t: float | None = None
    last_t: float | None = None
    silent: int = 0  # no-speech attempts, not counted above

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0

    def weakest(self, n: int = 3, min_attempts: int = 2) -> list[SoundStat]:
        """The sounds to practise: the first sounds with mistakes in the table's order; sounds heard only once
        count when nothing else does."""
        bad = [s for s in self.sounds if s.ok < s.attempts]
        enough = [s for s in bad if s.attempts >= min_attempts]
        return (enough or bad)[:n]


def weakest_first(s: SoundStat) -> tuple:
    """The one order of sounds in tables, charts and summaries: % right, then the most tried first."""
    return (s.rate, -s.attempts, s.phone, s.lang)


@dataclass
class Tally:
    """The counts a Summary is made from, as SQLite sums them (ProgressStore.tallies) or summarize() does. Tallies
    add up, so a kept one only needs the attempts recorded since."""

    spoken: int = 0
    correct: int = 0
    score_total: float = 0.0
    first_t: float | None = None  # of spoken attempts
    last_t: float | None = None
    silent: int = 0
    sounds: dict = field(default_factory=dict)  # (phone, lang) -> [tries, right, score total]
    days: dict = field(default_factory=dict)  # 'YYYY-MM-DD' (local) -> [attempts, correct, score total]

    def __post_init__(self):
        self.spoken, self.correct, self.silent = self.spoken or 0, self.correct or 0, self.silent or 0

    @property
    def attempts(self) -> int:
        return self.spoken + self.silent

    def __add__(self, other: "Tally") -> "Tally":
        firsts = [t for t in (self.first_t, other.first_t) if t is not None]
        lasts = [t for t in (self.last_t, other.last_t) if t is not None]
        return Tally(self.spoken + other.spoken, self.correct + other.correct, self.score_total + other.score_total,
                     min(firsts, default=None), max(lasts, default=None), self.silent + other.silent,
                     _added(self.sounds, other.sounds), _added(self.days, other.days))

    def summary(self) -> Summary:
        if not self.spoken:
            return Summary(0, 0, 0.0, silent=self.silent)
        sounds = sorted((SoundStat(p, n, ok, tot / n, lang) for (p, lang), (n, ok, tot) in self.sounds.items()),
                        key=weakest_first)
        days = tuple(DayStat(d, n, c, tot / n) for d, (n, c, tot) in sorted(self.days.items()))
        return Summary(self.spoken, self.correct, self.score_total / self.spoken, tuple(sounds), days, self.first_t,
                       self.last_t, self.silent)


def _added(a: dict, b: dict) -> dict:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        _count(out, k, *v)
    return out


def _count(counts: dict, key, n: int, right: int, score: float) -> None:
    c = counts.setdefault(key, [0, 0, 0.0])
    c[0], c[1], c[2] = c[0] + n, c[1] + right, c[2] + score


def summarize(attempts: list[Attempt]) -> Summary:
    """The summary of attempts in memory (a practice session's), counted as ProgressStore.tallies counts."""
    t = Tally()
    for a in attempts:
        if a.verdict == "no_speech":
            t.silent += 1
            continue
        right = int(a.verdict == "correct")
        t.spoken, t.correct, t.score_total = t.spoken + 1, t.correct + right, t.score_total + a.score
        t.first_t = a.t if t.first_t is None else min(t.first_t, a.t)
        t.last_t = a.t if t.last_t is None else max(t.last_t, a.t)
        for m in a.phones:
            _count(t.sounds, (m.phone, a.lang), 1, int(m.ok), m.score)
        _count(t.days, time.strftime("%Y-%m-%d", time.localtime(a.t)), 1, right, a.score)
    return t.summary()


def describe_sounds(stats: list[SoundStat]) -> str:
    """'/θ/ as in think: 0 of 2 right, ...': the sounds to practise as learners and teachers read them."""
    return ", ".join(f"{s.label}: {s.ok} of {s.attempts} right" for s in stats)


def sounds_to_practise(s: Summary) -> str:
    """The one 'sounds to practise' line of reports and the teacher page: the first sounds of the table with mistakes."""
    return describe_sounds(s.weakest())


@dataclass
class SessionLog:
    """Practice's link to the store: records each scored attempt (and, when the teacher keeps audio, its
    recording through `keeper`, an audio_keep.AudioKeeper); keeps practising if saving fails."""

    store: ProgressStore | None
    learner: Learner | None
    list_name: str | None
    session_id: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    failure: str | None = None
    keeper: object | None = None

    def __post_init__(self):
        if self.store is not None:
            try:
                self.session_id = self.store.start_session(self.learner, self.list_name)
            except SaywellError as e:  # practice goes on; the caller says so once
                self.failure = str(e)

    def record(self, result, word_key: str, expected_phones: str, samples=None, rate_hz: int = 16000) -> str | None:
        """Returns a warning the first time saving fails; the attempt still counts for this session."""
        a = Attempt.from_result(result, word_key, expected_phones, learner=self.learner.name if self.learner else None,
                                list_name=self.list_name, session_id=self.session_id)
        self.attempts.append(a)
        if self.store is None or self.failure:
            return None
        try:
            aid = self.store.record(self.session_id, self.learner, a)
        except SaywellError as e:
            self.failure = str(e)
            return f"progress is no longer being saved: {e}"
        if self.keeper is not None and samples is not None:
            return self.keeper.keep(self.store, aid, samples, rate_hz)
        return None

    def close(self) -> None:
        if self.store is not None and not self.failure:
            try:
                self.store.end_session(self.session_id)
            except SaywellError:
                pass
