"""Teacher settings of this device: `$SAYWELL_HOME/settings.json`, written atomically (its command: apps/settings_cmd.py).

Whether the recording of each scored attempt is kept (off unless a teacher turns it on), how much room those
recordings may take, and the accent the device teaches (us, gb or any) when a list or --accent does not say. A missing file means the defaults. A damaged file is an error
that the reader reports; practice and the kiosk then keep no audio (the privacy-safe reading) and go on.
Practice and the kiosk read the file again at every attempt, so turning keeping off (here or on the teacher
page) takes effect at once, even in a kiosk that is running.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..engine.accent import ACCENTS, DEFAULT_ACCENT
from ..errors import SaywellError
from .home import data_home, ensure_dir, write_atomically

SETTINGS_FILE = "settings.json"
FORMAT = 1
DEFAULT_AUDIO_LIMIT_MB = 200  # about 100 minutes of 16 kHz 16-bit audio, some 3000 attempts: a term of a class
MAX_AUDIO_LIMIT_MB = 100_000


@dataclass(frozen=True)
class Settings:
    keep_audio: bool = False
    audio_limit_mb: int = DEFAULT_AUDIO_LIMIT_MB  # beyond it the oldest recordings are deleted
    accent: str = DEFAULT_ACCENT  # what counts as right on this device, unless a list or --accent says otherwise

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=1) + "\n"


def settings_path() -> Path:
    return data_home() / SETTINGS_FILE


def check_limit_mb(value) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_AUDIO_LIMIT_MB:
        raise SaywellError(f"audio limit {value!r} is not usable; give a whole number of MB from 1 to {MAX_AUDIO_LIMIT_MB}, "
                           f"e.g. {DEFAULT_AUDIO_LIMIT_MB}")
    return int(text)


def check_accent(value) -> str:
    text = str(value).strip().lower()
    if text not in ACCENTS:
        raise SaywellError(f"accent {value!r} is not one of {', '.join(ACCENTS)} (us: American, gb: British, any: either)")
    return text


def device_accent() -> str | None:
    """The device's accent setting for a scorer to follow; None when the settings are damaged (the default then)."""
    try:
        return load_settings().accent
    except SaywellError:
        return None


def load_settings(path: Path | None = None) -> Settings:
    """The stored settings, the defaults when none are stored; a damaged file raises SaywellError."""
    path = path or settings_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as e:
        raise SaywellError(f"the settings file {path} is unreadable ({e}); set the settings again, e.g. "
                           "saywell settings keep-audio off") from None
    try:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError(f"format {doc.get('format') if isinstance(doc, dict) else doc!r}")
        keep = doc.get("keep_audio", False)
        if not isinstance(keep, bool):
            raise ValueError(f"keep_audio {keep!r}")
        return Settings(keep, check_limit_mb(doc.get("audio_limit_mb", DEFAULT_AUDIO_LIMIT_MB)),
                        check_accent(doc.get("accent", DEFAULT_ACCENT)))
    except (ValueError, SaywellError) as e:
        raise SaywellError(f"the settings file {path} is damaged ({e}); set the settings again, e.g. "
                           "saywell settings keep-audio off") from None


def update_settings(**changes) -> Settings:
    """Changes some settings and stores all of them; a damaged file is replaced (from the defaults)."""
    try:
        current = load_settings()
    except SaywellError:
        current = Settings()
    new = replace(current, **changes)
    path = settings_path()
    ensure_dir(path.parent)
    write_atomically(path, new.to_json().encode())
    return new
