"""`saywell practice`: show a word, listen, score it the moment the learner stops, say what to fix.

Input: the microphone (default; --device by index or name), a WAV replayed as the microphone (--input PATH,
in real time unless --fast, scored against the first word or --word), or raw s16le mono 16 kHz PCM on
stdin (--input -, each utterance scored against the next word). Keys when stdin is a terminal: r repeat,
n next, p play the reference (espeak-ng), q quit; without a terminal each word is tried once.
--json prints one event per line: listening, speech_start, speech_end, result (the scoring contract
object and latency_ms from the end-of-speech decision), warning.

Only the standard library is imported here at load time: `saywell score` must not pay for practice.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

from .errors import SaywellError

BUILTIN_LIST = Path(__file__).resolve().parent / "data" / "beginner.txt"


def register(sub, model_args: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("practice", help="practise words with the microphone: listen, score each sound, give a tip")
    p.add_argument("--list", type=Path, help="plain text word list, one word or phrase per line (default: a built-in beginner list)")
    p.add_argument("--word", help="practise just this word or phrase")
    p.add_argument("--input", default="mic", metavar="mic|PATH|-",
                   help="mic (default); a WAV file replayed as the microphone; - for raw s16le mono 16 kHz PCM on stdin")
    p.add_argument("--fast", action="store_true", help="with --input PATH: replay as fast as possible, not in real time")
    p.add_argument("--device", help="microphone by index or (part of its) name; default: the system's default input")
    p.add_argument("--json", action="store_true", help="one JSON event per line instead of text")
    model_args(p)
    p.set_defaults(func=run)


def read_word_list(path: Path | None) -> list[str]:
    """One word or phrase per line; blank lines and '#' comments skipped."""
    p = path or BUILTIN_LIST
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SaywellError(f"word list {p} not found; check the path") from None
    except (UnicodeDecodeError, IsADirectoryError) as e:
        raise SaywellError(f"word list {p} is not a UTF-8 text file ({type(e).__name__}); save it as plain text, one word or phrase per line") from None
    words = [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not words:
        raise SaywellError(f"word list {p} has no words; put one word or phrase per line")
    return words


class Output:
    """Text for a learner or JSON lines for a program; each write is whole even if Ctrl-C lands mid-way."""

    def __init__(self, as_json: bool, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self.json = as_json
        self.color = not as_json and self.stream.isatty()

    def _write(self, text: str) -> None:
        block = threading.current_thread() is threading.main_thread()
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if block else None
        try:
            self.stream.write(text)
            self.stream.flush()
        finally:
            if block:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)  # a Ctrl-C that came meanwhile is raised now

    def _paint(self, s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if self.color else s

    def event(self, kind: str, **fields) -> None:
        if self.json:
            self._write(json.dumps({"event": kind, **fields}) + "\n")

    def text(self, line: str) -> None:
        if not self.json:
            self._write(line + "\n")

    def word(self, i: int, n: int, text: str, prons) -> None:
        guessed = [p.word for p in prons if p.source == "espeak-ng"]
        phones = " | ".join(" ".join(p.phones) for p in prons)
        note = f"  (guessed for {', '.join(guessed)}: ask your teacher)" if guessed else ""
        self.text(f"\n[{i + 1}/{n}] {self._paint(text, '1')}   /{phones}/{note}")

    def listening(self, text: str) -> None:
        self.event("listening", text=text)
        self.text("  listening... say it now")

    def warning(self, message: str) -> None:
        self.event("warning", message=message)
        self.text("  " + self._paint(f"! {message}", "33"))

    def result(self, result, latency_ms: float | None) -> None:
        from .feedback import describe

        self.event("result", result=result.to_dict(), latency_ms=None if latency_ms is None else round(latency_ms, 1))
        if not self.json:
            self._write("".join("  " + ln + "\n" for ln in describe(result, color=self.color).splitlines()))


class Keys:
    """Single key presses from the terminal (no Enter needed); the terminal is restored however practice ends."""

    def __init__(self, fd: int):
        self.fd = fd
        self._saved = None

    def __enter__(self):
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc):
        import termios

        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def poll(self, timeout: float = 0.0, accept: str = "rnpq") -> str | None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        ch = os.read(self.fd, 1).decode(errors="ignore").lower()
        if ch in ("\n", "\r", " "):
            ch = "n" if "n" in accept and "\n" in accept else ""
        return ch if ch and ch in accept else None

    def wait(self, idle: Callable[[], None], accept: str = "rnpq\n") -> str:
        while True:
            key = self.poll(0.1, accept)
            if key:
                return key
            idle()


def play_reference(text: str, idle: Callable[[], None]) -> str | None:
    """Speaks the word with espeak-ng; returns why it could not, or None."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return "no reference audio: espeak-ng is not installed (apt-get install espeak-ng)"
    proc = subprocess.Popen([exe, "-v", "en-us", "-s", "130", text], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while proc.poll() is None:
            idle()  # keep the microphone's queue from filling while the speaker plays
            time.sleep(0.05)
            if time.monotonic() > deadline:
                return "espeak-ng took too long; reference not played"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with proc.stderr:
        err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    if proc.returncode != 0:
        return f"espeak-ng could not play the reference ({err[-1] if err else f'exit code {proc.returncode}'})"
    return None


def open_source(args):
    from .sources import MicSource, StdinSource, WavSource

    if args.input == "mic":
        return MicSource(args.device)
    if args.input == "-":
        return StdinSource()
    return WavSource(Path(args.input), realtime=not args.fast)


def run(args) -> int:
    from .model import AcousticModel
    from .scoring import Scorer

    kind = "mic" if args.input == "mic" else "stdin" if args.input == "-" else "file"
    if args.fast and kind != "file":
        raise SaywellError("--fast only applies to --input PATH (a recording replayed as the microphone)")
    if args.device is not None and kind != "mic":
        raise SaywellError("--device only applies to the microphone (--input mic)")
    words = [args.word] if args.word else read_word_list(args.list)
    if kind == "file":
        words = words[:1]
    out = Output(args.json)
    scorer = Scorer(AcousticModel(args.model, delegate=args.delegate, num_threads=args.threads))
    interactive = kind != "stdin" and sys.stdin is not None and sys.stdin.isatty()
    from .sources import native_messages_filtered

    with (native_messages_filtered() if kind == "mic" else contextlib.nullcontext()), open_source(args) as source, \
            (Keys(sys.stdin.fileno()) if interactive else contextlib.nullcontext()) as keys:
        source.start()
        if kind == "file" and not args.json:
            for note in source.audio.notes:
                print(f"note: {args.input}: {note}", file=sys.stderr)
        if interactive and kind == "mic":
            out.text("saywell practice: keys r repeat, n next, p play the reference, q quit")
        return Session(scorer, source, out, keys, single=kind == "file").run(words)


class Session:
    def __init__(self, scorer, source, out: Output, keys: Keys | None, single: bool):
        from .listener import Listener

        self.scorer, self.source, self.out, self.keys, self.single = scorer, source, out, keys, single
        self.listener = Listener(source, scorer)

    def run(self, words: list[str]) -> int:
        i, scored = 0, 0
        while i < len(words):
            text = words[i]
            try:
                prons = self.scorer.pronunciations(text)
            except SaywellError as e:
                self.out.warning(f"skipped {text!r}: {e}")
                i += 1
                continue
            self.out.word(i, len(words), text, prons)
            self.out.listening(text)
            outcome = self._listen(text, prons)
            if outcome == "eof":
                if scored == 0:  # nothing was ever said: still answer, as `saywell score` would
                    self.out.warning("no speech heard before the input ended")
                    import numpy as np

                    empty = np.zeros((0, len(self.scorer.meta.phones)), np.float32)
                    self.out.result(self.scorer.score_posteriors(empty, text, prons), None)
                break
            if outcome == "result":
                scored += 1
                if self.single:
                    break
                outcome = self._after_result(text)
            if outcome == "p":
                self._play(text)
                outcome = "r"
            if outcome == "q":
                break
            if outcome == "n":
                i += 1
        return 0

    def _listen(self, text: str, prons) -> str:
        poll = self.keys.poll if self.keys else None
        for ev in self.listener.listen(text, prons, poll=poll):
            if ev.kind == "result":
                self.out.result(ev.result, ev.latency_ms)
                return "result"
            if ev.kind == "key":
                return ev.key
            if ev.kind == "end_of_input":
                return "eof"
            if ev.kind == "warning":
                self.out.warning(ev.message)
            else:
                self.out.event(ev.kind, t=round(ev.t, 3))
        return "eof"

    def _after_result(self, text: str) -> str:
        if self.keys is None:
            return "n"
        self.out.text("  [r] repeat   [n] next   [p] play the reference   [q] quit")
        while True:
            key = self.keys.wait(self.source.discard_pending)
            if key != "p":
                return key
            self._play(text)

    def _play(self, text: str) -> None:
        problem = play_reference(text, self.source.discard_pending)
        if problem:
            self.out.warning(problem)
        self.source.discard_pending()  # the microphone heard the speaker
