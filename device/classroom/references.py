"""The teacher's own recordings of a stored list's words (`saywell lists record`): what practice and the kiosk
play to a learner instead of espeak-ng's voice, which says a name, a place or a borrowed word as its spelling
rules guess. Judging still follows the list's phones: measured, a recording judges learners no better than the
phones do with this model (docs/teacher-voice.md).

One 16 kHz mono 16-bit WAV per entry, in LISTS/NAME.voice/, named from the entry's text (a readable part and a
hash, so two texts never share a file). Written atomically: a learner never hears half a recording."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import SaywellError
from .home import clean_orphans, ensure_dir, write_atomically
from .wordlists import NAME_RE, Checked, Problem, WordEntry, WordList, check_name, lists_dir, stored_path

MAX_SECONDS = 8.0  # a word or a short phrase; longer is a recording left running
MIN_SPEECH_SECONDS = 0.15
SPEECH_DBFS = -45.0  # 10 ms frames louder than this count as speech for trimming and the checks
KEEP_AROUND_S = 0.15  # silence kept before and after the speech, so playback does not clip the first sound


def voice_dir(list_name: str) -> Path:
    return lists_dir() / f"{check_name(list_name)}.voice"


def file_name(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "entry"
    return f"{slug}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}.wav"


def reference(list_name: str | None, text: str) -> Path | None:
    """The teacher's recording of `text` in the stored list `list_name`, or None."""
    if not list_name:
        return None
    try:
        path = voice_dir(list_name) / file_name(text)
    except SaywellError:  # not a stored list's name (a list file's)
        return None
    return path if path.is_file() else None


def stored_list_name(spec: str | None) -> str | None:
    """The stored list `--list spec` reads (wordlists.resolve reads a file of that name first), else None: only a
    stored list has recordings."""
    if not spec or Path(spec).expanduser().exists() or not NAME_RE.match(spec):
        return None
    return spec if stored_path(spec).exists() else None


def recorded(wl: WordList, entries=None) -> set[str]:
    """The texts of `entries` (default: all of `wl`'s) that have a recording: one listing of the folder, not one
    stat per entry, and nothing hashed when the list has no recordings (a page shows 500 of a 100k-word list)."""
    try:
        folder = voice_dir(wl.name)
        names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    except (SaywellError, OSError):
        return set()
    return {e.text for e in (wl.entries if entries is None else entries) if names and file_name(e.text) in names}


def find_entry(wl: WordList, text: str) -> WordEntry:
    """The list's entry spelled `text` (case and spaces aside), or a clear error naming some of its entries."""
    wanted = " ".join(text.split()).lower()
    for e in wl.entries:
        if " ".join(e.text.split()).lower() == wanted:
            return e
    some = ", ".join(repr(e.text) for e in wl.entries[:5]) + (" ..." if len(wl.entries) > 5 else "")
    raise SaywellError(f"{text!r} is not in the list {wl.name!r} ({some}); add it to the list and import it again, "
                       f"or see saywell lists show {wl.name}")


def trimmed(samples: np.ndarray, rate: int = 16000) -> np.ndarray:
    """The speech with KEEP_AROUND_S of what surrounds it; refuses silence, a too-short sound and a long take."""
    hop = rate // 100
    n = len(samples) // hop
    if n == 0:
        raise SaywellError("the recording is empty; record the word again")
    frames = samples[:n * hop].reshape(n, hop).astype(np.float64)
    level = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(level > SPEECH_DBFS)
    if len(loud) * hop / rate < MIN_SPEECH_SECONDS:
        raise SaywellError(f"no speech in the recording (quieter than {SPEECH_DBFS:.0f} dBFS throughout); "
                           "speak closer to the microphone, or check it is not muted, and record again")
    keep = int(KEEP_AROUND_S * rate)
    start, end = max(0, loud[0] * hop - keep), min(len(samples), (loud[-1] + 1) * hop + keep)
    if (end - start) / rate > MAX_SECONDS:
        raise SaywellError(f"the recording holds {(end - start) / rate:.1f} s of sound, more than {MAX_SECONDS:.0f} s "
                           "for one word or phrase; record just the word, in a quiet moment")
    return samples[start:end]


def save(wl: WordList, text: str, samples: np.ndarray, rate: int = 16000) -> tuple[Path, float]:
    """Keeps the teacher's recording of one entry of the stored list `wl` (replacing an older one): its file and
    the seconds kept after trimming."""
    from ..audio.wav import wav_bytes

    if not stored_path(wl.name).exists():
        raise SaywellError(f"{wl.name!r} is not a stored list; import it first (saywell lists import FILE), "
                           "then record its words")
    entry = find_entry(wl, text)
    clip = trimmed(np.asarray(samples, dtype=np.float32), rate)
    folder = ensure_dir(voice_dir(wl.name))
    clean_orphans(folder, ".wav")
    path = folder / file_name(entry.text)
    write_atomically(path, wav_bytes(clip, rate))
    return path, len(clip) / rate


def check_files(checked: Checked, folder: Path) -> tuple[Checked, list[tuple[str, np.ndarray]]]:
    """A list file's audio column (one WAV per entry, its path relative to the list's folder): every file must
    load and hold speech; each problem is an error on its line, so a list imports all or nothing. Also the
    recordings read, checked and trimmed, as (entry text, samples), for store_recordings."""
    from dataclasses import replace

    from ..audio.wav import load_wav

    problems, good = list(checked.problems), []
    for line, text, cell in checked.recordings:
        path = Path(cell).expanduser()
        path = path if path.is_absolute() else folder / path
        try:
            good.append((text, trimmed(load_wav(path).samples)))
        except SaywellError as e:
            problems.append(Problem(line, f"audio {cell!r}: {e}"))
    problems.sort(key=lambda p: p.line)
    return replace(checked, problems=tuple(problems)), good


def store_recordings(wl: WordList, recordings: list[tuple[str, np.ndarray]]) -> int:
    """After the list is stored: keeps the recordings check_files read; their number."""
    for text, samples in recordings:
        save(wl, text, samples)
    return len(recordings)


def remove(wl: WordList, text: str) -> bool:
    """Deletes the recording of one entry; False when it had none."""
    path = reference(wl.name, find_entry(wl, text).text)
    if path is None:
        return False
    path.unlink()
    return True


def play(path: Path, idle: Callable[[], None] = lambda: None) -> str | None:
    """Plays a recording on the default output; returns why it could not, or None. `idle` runs while it plays
    (practice keeps the microphone's queue from filling)."""
    import time

    from ..audio.sources import import_sounddevice
    from ..audio.wav import load_wav

    try:
        audio = load_wav(path)
        sd = import_sounddevice()
        sd.query_devices(kind="output")  # raises when there is no output device
        sd.play(audio.samples.astype(np.float32), audio.sample_rate_hz)
        deadline = time.monotonic() + audio.duration_s + 2.0
        while sd.get_stream().active and time.monotonic() < deadline:
            idle()
            time.sleep(0.05)
        sd.stop()
    except Exception as e:  # no output device, PortAudio missing, a damaged file: say why, go on
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return f"the teacher's recording could not be played ({reason})"
    return None
