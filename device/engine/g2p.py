"""espeak-ng's guess at the phones of words CMUdict lacks, for many words per espeak-ng process.

Starting espeak-ng costs ~20 ms, so one process reads a chunk of words, one a line, and prints one IPA line for
each (a line end ends a clause): the same phones as one process per word. Even with -q espeak-ng synthesises the
audio it does not play, and that is most of its time; at its top speed (-s 440) a word costs half as much CPU
and the phones printed are the same (30,000 test words compared, benchmarks/wordlists.py). A chunk whose output
does not line up (".'" inside a word ends a sentence: two lines) is split in halves until it does, and so is one
that makes espeak-ng fail, to find the word that does, within a few runs.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from .phones import ipa_to_arpabet

CHUNK = 2000  # words per espeak-ng process: ~1 s of its CPU here, and a bounded output to read back
ARGS = ("-q", "--ipa", "-s", "440", "-v", "en-us")
SPARE_RUNS = 64  # extra processes allowed to find the words espeak-ng fails on (a broken install fails them all)


@dataclass(frozen=True, slots=True)
class Guess:
    phones: tuple[str, ...]
    why_none: str = ""  # when there are no phones: completes "'word' is not in the dictionary and ..."


def guess_many(words: Iterable[str]) -> dict[str, Guess]:
    """espeak-ng's guess for each word (the word as espeak-ng reads it: lower case, as written)."""
    words = list(dict.fromkeys(words))
    exe = shutil.which("espeak-ng")
    if exe is None:
        return dict.fromkeys(words, Guess((), "espeak-ng is not installed to guess it (apt-get install espeak-ng)"))
    spare = [SPARE_RUNS]
    out: dict[str, Guess] = {}
    for i in range(0, len(words), CHUNK):
        out.update(_guess(exe, words[i:i + CHUNK], spare))
    return out


def _guess(exe: str, words: list[str], spare: list[int]) -> dict[str, Guess]:
    got = _run(exe, words)
    if isinstance(got, list) and len(got) == len(words):
        return {w: _from_ipa(ipa) for w, ipa in zip(words, got)}
    if len(words) == 1:
        return {words[0]: _from_ipa(" ".join(got)) if isinstance(got, list) else Guess((), got)}
    if isinstance(got, str):
        if spare[0] <= 0:
            return dict.fromkeys(words, Guess((), got))
        spare[0] -= 2
    half = len(words) // 2
    return _guess(exe, words[:half], spare) | _guess(exe, words[half:], spare)


def _run(exe: str, words: list[str]) -> list[str] | str:
    """espeak-ng's output lines for these words, or why it failed."""
    timeout = 10 + 0.02 * len(words)
    try:
        r = subprocess.run([exe, *ARGS], input="".join(w + "\n" for w in words), capture_output=True,
                           encoding="utf-8", errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"espeak-ng took more than {timeout:.0f} s to guess it"
    except (OSError, subprocess.SubprocessError) as e:
        return f"espeak-ng could not run ({e})"
    if r.returncode != 0:
        err = r.stderr.strip().splitlines()
        return f"espeak-ng failed to guess it ({err[-1] if err else f'exit code {r.returncode}'})"
    return r.stdout.removesuffix("\n").split("\n")


def _from_ipa(ipa: str) -> Guess:
    phones = ipa_to_arpabet(ipa.strip())
    return Guess(phones) if phones else Guess((), "espeak-ng gave no phones for it")
