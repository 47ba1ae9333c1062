"""Recordings of attempts, kept only while a teacher has turned it on (device/classroom/settings.py).

One 16 kHz mono 16-bit WAV per scored attempt, `audio/ID.wav` in the folder of the progress database, ID being
the attempt's id: no learner's name is in any file name, and `attempts.audio_file` links the file to its attempt.
A recording is written atomically, then linked; a crash between the two leaves an unlinked file, which the size
limit and delete_all still count and remove. After each new file the folder is brought under the teacher's limit
by deleting the oldest recordings (lowest attempt id first) and unlinking them.

A full disk, or any other failure to keep a recording, never stops practice: the keeper says so once and keeps
nothing more in this process (as the kiosk does with its progress store). The teacher page serves a recording
only for an attempt id (an integer) that the store links to one: no path from a request reaches the file system.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SaywellError
from .home import data_home, ensure_dir, write_atomically
from .settings import load_settings

AUDIO_DIR = "audio"
RATE_HZ = 16000
MB = 1_000_000
_FILE_RE = re.compile(r"([1-9][0-9]{0,17})\.wav")
_TEMP_RE = re.compile(r"\.[1-9][0-9]{0,17}\.wav\.tmp-.*")  # write_atomically's temp files, left by a power cut


@dataclass(frozen=True)
class Kept:
    attempt_id: int
    path: Path
    size: int


def audio_dir(home: Path | None = None) -> Path:
    return (home or data_home()) / AUDIO_DIR


def file_name(attempt_id: int) -> str:
    """The only way a recording's name is made: from an attempt id, an integer."""
    if isinstance(attempt_id, bool) or not isinstance(attempt_id, int) or attempt_id < 1:
        raise ValueError(f"attempt id {attempt_id!r}")
    return f"{attempt_id}.wav"


def kept(folder: Path) -> list[Kept]:
    """The recordings in the folder, oldest (lowest attempt id) first."""
    out = []
    try:
        with os.scandir(folder) as it:
            for d in it:
                m = _FILE_RE.fullmatch(d.name)
                if m and d.is_file(follow_symlinks=False):
                    try:
                        out.append(Kept(int(m.group(1)), Path(d.path), d.stat(follow_symlinks=False).st_size))
                    except FileNotFoundError:
                        pass  # deleted meanwhile by another saywell
    except FileNotFoundError:
        return []
    return sorted(out, key=lambda k: k.attempt_id)


def usage(home: Path | None = None) -> tuple[int, int]:
    """(recordings kept, bytes)."""
    files = kept(audio_dir(home))
    return len(files), sum(k.size for k in files)


def enforce_limit(folder: Path, limit_bytes: int, store=None) -> list[int]:
    """Deletes the oldest recordings until the rest fit in limit_bytes; returns their attempt ids."""
    files = kept(folder)
    total = sum(k.size for k in files)
    gone = []
    for k in files:
        if total <= limit_bytes:
            break
        k.path.unlink(missing_ok=True)
        total -= k.size
        gone.append(k.attempt_id)
    if gone and store is not None:
        store.unlink_audio(gone)
    return gone


def delete_all(home: Path | None = None) -> int:
    """Deletes every kept recording (and temp files a power cut left), then forgets them in the store.
    Files first: if the store cannot be written, the recordings are still gone. Returns how many were deleted."""
    from .progress import DB_NAME, ProgressStore

    home = home or data_home()
    folder = audio_dir(home)
    n = 0
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        names = []
    except OSError as e:
        raise SaywellError(f"cannot read the recordings folder {folder} ({e.strerror or e})") from None
    for name in names:
        if _FILE_RE.fullmatch(name) or _TEMP_RE.fullmatch(name):
            try:
                (folder / name).unlink(missing_ok=True)
            except OSError as e:
                raise SaywellError(f"cannot delete {folder / name} ({e.strerror or e}); check the folder's "
                                   "permissions") from None
            n += bool(_FILE_RE.fullmatch(name))
    if (home / DB_NAME).exists():
        with ProgressStore(home / DB_NAME, create=False) as store:
            store.unlink_audio()
    return n


class AudioKeeper:
    """Keeps an attempt's recording when the settings say so, read afresh at every attempt."""

    def __init__(self):
        self.failure: str | None = None
        self._settings_warned = False

    def keep(self, store, attempt_id: int, samples, rate_hz: int = RATE_HZ) -> str | None:
        """Returns a warning for the user the first time something goes wrong, else None. Never raises for
        the disk or the store: practice goes on without recordings."""
        if self.failure is not None:
            return None
        try:
            settings = load_settings()
        except SaywellError as e:
            if self._settings_warned:
                return None
            self._settings_warned = True
            return f"no recordings are kept while the settings are damaged: {e}"
        if not settings.keep_audio:
            return None
        import numpy as np

        from ..audio.wav import resample, wav_bytes

        x = np.asarray(samples, np.float32).reshape(-1)
        if rate_hz != RATE_HZ:
            x = resample(x, rate_hz, RATE_HZ)
        folder = Path(store.path).parent / AUDIO_DIR
        name = file_name(attempt_id)
        try:
            ensure_dir(folder)
            write_atomically(folder / name, wav_bytes(x, RATE_HZ))
            try:
                store.link_audio(attempt_id, name)
            except SaywellError:
                (folder / name).unlink(missing_ok=True)  # nothing unlinked left behind
                raise
            enforce_limit(folder, settings.audio_limit_mb * MB, store)
        except (SaywellError, OSError) as e:
            self.failure = str(e)
            return f"recordings are no longer being kept: {e}"
        return None
