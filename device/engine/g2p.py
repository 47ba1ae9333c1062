"""espeak-ng's guess at the phones of words CMUdict lacks, for many words per process.

Where libespeak-ng is installed (it comes with espeak-ng on Debian), a worker process (`python -m
saywell.engine.g2p`) calls its espeak_TextToPhonemes through ctypes: the phones the espeak-ng command prints with
--ipa, without synthesising the audio it would not play, which is most of that command's time (measured in
benchmarks/wordlists.py: 100k unknown words validate in ~6x less time, identical phones on every word compared).
The worker is a separate process because a word that crashes espeak-ng must cost that word, not the kiosk and
teacher page the guess was asked from. Without the library, the espeak-ng command does the same (at its top
speed, -s 440: half the CPU, the same phones), one line per word; without either, a word gets no guess and the
reason says what to install.

Either way a chunk of words goes to one process, one word a line in and one IPA line out, and up to WORKERS
processes run at once (one per core, at most 4; the worker lowers its own priority so a kiosk on the same device
keeps its share). A chunk whose output does not line up (".'" inside a word makes the command print two lines) is
split in halves until it does, and so is one that makes the process fail, to find the word that does, within a
few runs. The worker joins a word's clauses with a space, as the command's lines are joined for a single word, so
it always lines up.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from .phones import ipa_to_arpabet

CHUNK = 2000  # words per espeak-ng command at most: ~1 s of its CPU here, and a bounded output to read back
WORKER_CHUNK = 20000  # words per library worker at most: ~2 s of its CPU; its start-up (~50 ms) is paid 5 times for 100k
MIN_CHUNK = 500  # a list shorter than this many words per process is not worth another process
WORKERS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
WORKER_NICE = 5  # the worker's priority below its caller's
ARGS = ("-q", "--ipa", "-s", "440")
DEFAULT_VOICE = "en-us"
SPARE_RUNS = 64  # extra processes allowed to find the words espeak-ng fails on (a broken install fails them all)
LIBRARY_NAMES = ("libespeak-ng.so.1", "libespeak-ng.so")
NO_LIBRARY = 3  # the worker's exit code when libespeak-ng cannot be loaded or set up: use the command instead
NOT_INSTALLED = "espeak-ng is not installed to guess it (apt-get install espeak-ng)"

_library_ok: bool | None = None  # None: not tried yet in this process


@dataclass(frozen=True, slots=True)
class Guess:
    phones: tuple[str, ...]
    why_none: str = ""  # when there are no phones: completes "'word' is not in the dictionary and ..."


def guess_many(words: Iterable[str], voice: str = DEFAULT_VOICE,
               to_phones: Callable[[str], tuple[str, ...]] = ipa_to_arpabet) -> dict[str, Guess]:
    """espeak-ng's guess for each word (the word as espeak-ng reads it: lower case, as written) in `voice`'s
    language, turned into that language's phones by `to_phones`."""
    todo = list(dict.fromkeys(words))
    spare = [SPARE_RUNS]
    out: dict[str, Guess] = {}
    while todo:
        cmd, most = _command(voice)
        if cmd is None:
            return out | dict.fromkeys(todo, Guess((), NOT_INSTALLED))
        size = max(MIN_CHUNK, min(most, -(-len(todo) // WORKERS)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        with ThreadPoolExecutor(min(WORKERS, len(chunks))) as pool:  # the threads only wait for processes
            results = list(pool.map(lambda chunk: _guess(cmd, chunk, spare, to_phones), chunks))
        for got in results:
            out.update(got or {})
        todo = [w for chunk, got in zip(chunks, results) if got is None for w in chunk]  # no library after all
    return out


def _command(voice: str = DEFAULT_VOICE) -> tuple[list[str] | None, int]:
    """The process to run for a chunk, and the chunk's size."""
    if _library_ok is not False and _library_loadable():
        return [sys.executable, "-m", __name__, voice], WORKER_CHUNK
    exe = shutil.which("espeak-ng")
    return ([exe, *ARGS, "-v", voice], CHUNK) if exe else (None, CHUNK)


def _library_loadable() -> bool:
    global _library_ok
    if _library_ok is None:
        try:
            _open_library()
            _library_ok = True
        except OSError:
            _library_ok = False
    return _library_ok


def _guess(cmd: list[str], words: list[str], spare: list[int],
           to_phones: Callable[[str], tuple[str, ...]] = ipa_to_arpabet) -> dict[str, Guess] | None:
    got = _run(cmd, words)
    if got is None:
        return None
    if isinstance(got, list) and len(got) == len(words):
        return {w: _from_ipa(ipa, to_phones) for w, ipa in zip(words, got)}
    if len(words) == 1:
        return {words[0]: _from_ipa(" ".join(got), to_phones) if isinstance(got, list) else Guess((), got)}
    if isinstance(got, str):
        if spare[0] <= 0:
            return dict.fromkeys(words, Guess((), got))
        spare[0] -= 2
    half = len(words) // 2
    first = _guess(cmd, words[:half], spare, to_phones)
    second = None if first is None else _guess(cmd, words[half:], spare, to_phones)
    return None if second is None else first | second


def _run(cmd: list[str], words: list[str]) -> list[str] | str | None:
    """The process's output lines for these words, or why it failed; None: the worker has no library."""
    global _library_ok
    timeout = 10 + 0.02 * len(words)
    try:
        r = subprocess.run(cmd, input="".join(w + "\n" for w in words), capture_output=True, encoding="utf-8",
                           errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"espeak-ng took more than {timeout:.0f} s to guess it"
    except (OSError, subprocess.SubprocessError) as e:
        return f"espeak-ng could not run ({e})"
    if r.returncode == NO_LIBRARY and cmd[0] == sys.executable:
        _library_ok = False
        return None
    if r.returncode != 0:
        err = r.stderr.strip().splitlines()
        return f"espeak-ng failed to guess it ({err[-1] if err else f'exit code {r.returncode}'})"
    return r.stdout.removesuffix("\n").split("\n")


def _from_ipa(ipa: str, to_phones: Callable[[str], tuple[str, ...]] = ipa_to_arpabet) -> Guess:
    phones = to_phones(ipa.strip())
    return Guess(phones) if phones else Guess((), "espeak-ng gave no phones for it")


# ---- the worker: libespeak-ng through ctypes --------------------------------------------------------------

def _open_library() -> ctypes.CDLL:
    """libespeak-ng with the signatures used here; OSError when it is not installed."""
    last: OSError | None = None
    for name in LIBRARY_NAMES:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as e:
            last = e
    else:
        raise last or OSError("libespeak-ng not found")
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    return lib


def _phonemes(lib: ctypes.CDLL, word: str) -> str:
    """One word's IPA, its clauses joined by a space (what the espeak-ng command prints, a clause a line). The word
    ends with a line end, as the command reads it: without one, "corp.'s" loses its final /z/."""
    buf = ctypes.create_string_buffer((word + "\n").encode("utf-8"))
    ptr = ctypes.c_void_p(ctypes.addressof(buf))
    clauses = []
    while ptr.value:  # espeak-ng moves the pointer past each clause; NULL at the end of the text
        out = lib.espeak_TextToPhonemes(ctypes.byref(ptr), 1, 0x02)  # espeakCHARS_UTF8, IPA
        clauses.append((out or b"").decode("utf-8", "replace").replace("\n", " ").strip())
    return " ".join(c for c in clauses if c)


def serve(stdin=None, stdout=None, voice: str = DEFAULT_VOICE) -> int:
    """The worker's main: a word a line on stdin, its IPA in `voice`'s language a line on stdout."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        lib = _open_library()
    except OSError as e:
        print(f"libespeak-ng cannot be loaded ({e})", file=sys.stderr)
        return NO_LIBRARY
    # AUDIO_OUTPUT_SYNCHRONOUS: no sound device is opened; espeakINITIALIZE_DONT_EXIT: fail, never exit()
    if lib.espeak_Initialize(2, 0, None, 0x8000) < 0 or lib.espeak_SetVoiceByName(voice.encode()) != 0:
        print(f"libespeak-ng found no data for the {voice} voice (apt-get install espeak-ng-data)", file=sys.stderr)
        return NO_LIBRARY
    stdout.writelines(_phonemes(lib, line.rstrip("\n")) + "\n" for line in stdin)
    stdout.flush()
    return 0


if __name__ == "__main__":
    try:
        os.nice(WORKER_NICE)
    except OSError:
        pass
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(serve(voice=sys.argv[1] if len(sys.argv) > 1 else DEFAULT_VOICE))
