"""Where saywell keeps what it learns on a device: imported word lists and the progress database.

$SAYWELL_HOME wins (tests, or a shared folder for a class), then $XDG_DATA_HOME/saywell, then
~/.local/share/saywell. Nothing is created until something is written.
"""

from __future__ import annotations

import os
import threading
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
