"""Where saywell keeps what it learns on a device: imported word lists and the progress database.

$SAYWELL_HOME wins (tests, or a shared folder for a class), then $XDG_DATA_HOME/saywell, then
~/.local/share/saywell. Nothing is created until something is written.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from pathlib import Path

from ..errors import SaywellError


def data_home() -> Path:
    env = os.environ.get("SAYWELL_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "saywell"


def ensure_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SaywellError(f"cannot create the data folder {path} ({e.strerror or e}); "
                           "set SAYWELL_HOME to a folder you can write to") from None
    return path


def write_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Whole new file or the old one, even if the power goes mid-write: temp file, fsync, rename, fsync folder.
    `mode` (e.g. 0o600 for a secret) is set on the temp file before any byte is written."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")  # threads of a server too
    try:
        if mode is not None:
            tmp.unlink(missing_ok=True)  # a stale temp file must not keep wider permissions
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            os.fchmod(fd, mode)  # whatever the umask
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise SaywellError(f"cannot write {path} ({e.strerror or e}); check the free space and permissions "
                           "(the previous version, if any, is unchanged)") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename itself is still atomic


ORPHAN_AGE_S = 60  # a write takes well under a second; older is a crash's leftover even if its pid was reused


def clean_orphans(folder: Path, suffix: str) -> list[Path]:
    """Removes the temporary files write_atomically leaves when its process is killed mid-write
    (`.NAME{suffix}.tmp-PID-THREAD`), once older than a minute or when their process is gone. Nothing else."""
    pattern = re.compile(rf"\..+{re.escape(suffix)}\.tmp-(?P<pid>[0-9]{{1,10}})-[0-9]+")
    removed = []
    try:
        candidates = [p for p in folder.glob(f".*{suffix}.tmp-*") if pattern.fullmatch(p.name)]
    except OSError:
        return removed
    for p in candidates:
        try:
            st = p.lstat()
            old = time.time() - st.st_mtime > ORPHAN_AGE_S
            if stat.S_ISREG(st.st_mode) and (old or not _alive(int(pattern.fullmatch(p.name)["pid"]))):
                p.unlink()
                removed.append(p)
        except OSError:
            pass  # gone meanwhile, or not ours to remove
    return removed


def _alive(pid: int) -> bool:
    if not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
