"""`saywell practice`: show a word, listen, score it the moment the learner stops, say what to fix.

Input: the microphone (default; --device by index or name), a WAV replayed as the microphone (--input PATH,
in real time unless --fast), or audio on stdin (--input -: raw s16le mono 16 kHz PCM, or a WAV stream such as
`arecord` writes). A recording (a file or stdin) walks the list: each utterance the VAD finds is scored against
the next word, and at the end practice says how many utterances it heard against how many words were listed.
Keys when stdin is a terminal: r repeat, n next, p play the reference (the teacher's recording of the word, made with
`saywell lists record`, else espeak-ng), q quit (a recording goes
on by itself: only q); without a terminal each word is tried once.
--json prints one event per line: listening, speech_start, speech_end, result (the scoring contract
object and latency_ms from the end-of-speech decision), warning.

Words come from --list: a file (plain text, CSV/TSV with phones, hints and levels) or the name of a list
stored with `saywell lists import`; the default is the built-in beginner list of --lang (English's
classroom/data/beginner.csv, another language's beginner_LANG.csv: beginner_es.csv, beginner_fr.csv). The list's
language picks the model (models/saywell-LANG.tflite) unless --model is given, whose language must then be the
list's. With the microphone the next
word is chosen adaptively (device/classroom/schedule.py: spaced repetition steered by the learner's weak sounds);
recordings and stdin keep the list's order (--order as-listed; --order overrides). Every scored attempt is recorded in the
progress store (device/classroom/progress.py) under --learner, or as an anonymous session; --no-progress records
nothing. Its recording is kept only while a teacher has turned that on (`saywell settings keep-audio on`,
device/classroom/audio_keep.py), and the learner is told so. At the end the learner sees the session's accuracy and the sounds to practise.

Only the standard library is imported here at load time: `saywell score` must not pay for practice.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, TextIO

from ..errors import SaywellError
from ..classroom.wordlists import BUILTIN_LIST, WordEntry  # noqa: F401  (BUILTIN_LIST re-exported; stdlib only underneath)


def register(sub, model_args: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("practice", help="practise words with the microphone: listen, score each sound, give a tip")
    p.add_argument("--list", metavar="FILE|NAME",
                   help="a word list file (text, CSV or TSV) or the name of a stored list (default: the built-in beginner list)")
    p.add_argument("--word", help="practise just this word or phrase")
    p.add_argument("--learner", metavar="NAME_OR_CODE", help="record progress under this learner (default: an anonymous session)")
    p.add_argument("--no-progress", action="store_true", help="record nothing")
    p.add_argument("--reset-progress", action="store_true",
                   help="if the progress database is damaged, move it aside to a dated backup and start a fresh one")
    p.add_argument("--order", choices=("adaptive", "as-listed", "list"),
                   help="adaptive: weak sounds and due words first; as-listed (or list): the list's order, for a recording "
                        "made to a list (default: adaptive with the microphone, as-listed otherwise)")
    p.add_argument("--seed", type=int, help="seed for the adaptive order (the same seed and history give the same words)")
    p.add_argument("--input", default="mic", metavar="mic|PATH|-",
                   help="mic (default); a WAV file replayed as the microphone; - for audio on stdin: raw s16le mono "
                        "16 kHz PCM (arecord -t raw -f S16_LE -r 16000 -c 1) or a WAV stream. A recording walks the "
                        "list, one utterance per word in order")
    p.add_argument("--fast", action="store_true", help="with --input PATH: replay as fast as possible, not in real time")
    p.add_argument("--device", help="microphone by index or (part of its) name; default: the system's default input")
    p.add_argument("--json", action="store_true", help="one JSON event per line instead of text")
    model_args(p)
    p.set_defaults(func=run)


def read_word_list(path: Path | str | None) -> list[str]:
    """The texts of a list file or stored list (None: the built-in list); a list with errors is refused."""
    from ..classroom.wordlists import resolve

    return [e.text for e in resolve(None if path is None else str(path)).entries]


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

    def word(self, i: int, n: int, text: str, prons, hint: str = "") -> None:
        guessed = [p.word for p in prons if p.source == "espeak-ng"]
        phones = " | ".join(" ".join(p.phones) for p in prons)
        note = f"  (guessed for {', '.join(guessed)}: ask your teacher)" if guessed else ""
        self.text(f"\n[{i + 1}/{n}] {self._paint(text, '1')}   /{phones}/{note}")
        if hint:
            self.text(f"  hint: {hint}")

    def listening(self, text: str) -> None:
        self.event("listening", text=text)
        self.text("  listening... say it now")

    def warning(self, message: str) -> None:
        self.event("warning", message=message)
        self.text("  " + self._paint(f"! {message}", "33"))

    def result(self, result, latency_ms: float | None) -> None:
        from ..engine.feedback import describe

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


def play_reference(text: str, idle: Callable[[], None], voice: str = "en-us") -> str | None:
    """Speaks the word with espeak-ng in `voice` (the language's: es for Spanish, fr for French); returns why it could not, or None."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return "no reference audio: espeak-ng is not installed (apt-get install espeak-ng)"
    proc = subprocess.Popen([exe, "-v", voice, "-s", "130", text], stdin=subprocess.DEVNULL,
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
    from ..audio.sources import MicSource, StdinSource, WavSource

    if args.input == "mic":
        return MicSource(args.device)
    if args.input == "-":
        return StdinSource()
    return WavSource(Path(args.input), realtime=not args.fast)


def run(args) -> int:
    from ..engine.scoring import Scorer
    from ..classroom.wordlists import resolve

    kind = "mic" if args.input == "mic" else "stdin" if args.input == "-" else "file"
    if args.fast and kind != "file":
        raise SaywellError("--fast only applies to --input PATH (a recording replayed as the microphone)")
    if args.device is not None and kind != "mic":
        raise SaywellError("--device only applies to the microphone (--input mic)")
    if args.no_progress and (args.learner or args.reset_progress):
        raise SaywellError("--learner and --reset-progress need the progress store; drop --no-progress")
    from .choose import load_model, model_lang, scoring_accent

    voice_list = None
    if args.word:
        from ..engine.limits import check_request

        check_request(args.word)
        entries, list_name, list_accent, list_lang = [WordEntry(args.word)], None, None, None
    else:
        wl = resolve(args.list, None, args.lang or model_lang(args))  # its lang column wins: checked with the model next
        entries, list_name, list_accent, list_lang = list(wl.entries), wl.name, wl.accent, wl.lang
        from ..classroom.references import stored_list_name

        voice_list = stored_list_name(args.list)
    model = load_model(args, list_lang, list_name)  # before the store is opened: a wrong model changes nothing
    adaptive = (args.order or ("adaptive" if kind == "mic" else "as-listed")) == "adaptive" and not args.word
    store, learner, history, log = None, None, [], None
    if not args.no_progress:
        store, learner, history = open_progress(args.learner, args.reset_progress)
    try:
        from ..classroom.progress import SessionLog
        order = AdaptiveOrder(entries, history, args.seed) if adaptive else ListOrder(entries)
        out = Output(args.json)
        from ..classroom.settings import device_accent

        scorer = Scorer(model, accent=scoring_accent(model, args.accent, store.learner_accent(learner) if learner else None,
                                                     list_accent, device_accent()))
        keeper = None
        if store is not None:
            from ..classroom.audio_keep import AudioKeeper

            keeper = AudioKeeper()
        log = SessionLog(store, learner, list_name, keeper=keeper)
        if log.failure:
            print(f"note: {_unsaved(log.failure)}", file=sys.stderr)
        interactive = kind != "stdin" and sys.stdin is not None and sys.stdin.isatty()
        from ..audio.sources import native_messages_filtered

        with (native_messages_filtered() if kind == "mic" else contextlib.nullcontext()), open_source(args) as source, \
                (Keys(sys.stdin.fileno()) if interactive else contextlib.nullcontext()) as keys:
            source.start()
            if kind == "file" and not args.json:
                for note in source.audio.notes:
                    print(f"note: {args.input}: {note}", file=sys.stderr)
            if interactive and kind == "mic":
                out.text("saywell practice: keys r repeat, n next, p play the reference, q quit")
            session = Session(scorer, source, out, keys, recording=kind != "mic", log=log,
                              finite=kind == "file" or (kind == "stdin" and stdin_is_a_file()), voice_list=voice_list)
            if keeper is not None and keeps_audio():
                out.text("note: a teacher has turned on keeping recordings: each word you say is kept on this device")
            session.welcome(history)
            code = session.run(order)
            session.farewell(history)
            return code
    finally:
        if log is not None:
            log.close()
        if store is not None:
            store.close()


def _unsaved(problem: str) -> str:
    return f"{problem.split('; ')[0]}: practising without saving progress this time"


def open_progress(name: str | None, reset: bool):
    """(store, learner, their past attempts). A store that cannot be written now (full disk, read-only folder)
    is dropped with a note, as the kiosk does; a damaged one is refused, because --reset-progress is the
    learner's history and theirs to decide."""
    from ..classroom.progress import ProgressStore, StoreUnavailable

    store = None
    try:
        store = ProgressStore.default(reset=reset)
        for note in store.notes:
            print(f"note: {note}", file=sys.stderr)
        learner = store.learner(name) if name else None
        return store, learner, (store.attempts(learner) if learner else [])
    except StoreUnavailable as e:
        if store is not None:
            store.close()
        print(f"note: {_unsaved(str(e))}", file=sys.stderr)
        return None, None, []
    except BaseException:
        if store is not None:
            store.close()
        raise


def stdin_is_a_file() -> bool:
    """stdin redirected from a file (`< class3.wav`), which ends, rather than a pipe, which may never end."""
    import stat

    try:
        return stat.S_ISREG(os.fstat(sys.stdin.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def keeps_audio() -> bool:
    """Whether recordings are kept now (damaged settings: no, and the keeper says why at the first attempt)."""
    from ..classroom.settings import load_settings

    try:
        return load_settings().keep_audio
    except SaywellError:
        return False


class ListOrder:
    """The list's order, each word once."""

    def __init__(self, entries):
        self.entries = [e if isinstance(e, WordEntry) else WordEntry(e) for e in entries]
        self.position = 0
        self.total = len(self.entries)

    def current(self) -> WordEntry | None:
        return self.entries[self.position] if self.position < self.total else None

    def advance(self, skipped: bool = False) -> None:
        self.position += 1

    def observe(self, attempt) -> None:
        pass


class AdaptiveOrder:
    """As many turns as the list has words, each word chosen by the scheduler from the learner's history."""

    def __init__(self, entries: list[WordEntry], history=(), seed: int | None = None):
        from ..classroom.schedule import Outcome, Scheduler

        self._outcome = Outcome.from_attempt
        self.scheduler = Scheduler(entries, [o for o in map(Outcome.from_attempt, history) if o], seed=seed)
        self.position, self.total = 0, len(entries)
        self._skipped: set[str] = set()
        self._current = self.scheduler.next()

    def current(self) -> WordEntry | None:
        return self._current if self.position < self.total else None

    def advance(self, skipped: bool = False) -> None:
        last = self._current
        if skipped:
            self._skipped.add(last.key)
        else:
            self.position += 1
        self._current = self.scheduler.next(last_key=last.key if last else None, exclude=self._skipped)

    def observe(self, attempt) -> None:
        o = self._outcome(attempt)
        if o:
            self.scheduler.observe(o)


class Session:
    """recording: the input is a recording (a file or stdin) made to the list: each utterance goes to the next
    word, a word that cannot be scored still takes its utterance, and the counts are checked at the end.
    finite: the recording has an end to read up to, to count utterances beyond the list (a pipe may be a live
    microphone, `arecord | saywell practice --input -`, which never ends: then only too few are reported)."""

    def __init__(self, scorer, source, out: Output, keys: Keys | None, recording: bool = False, log=None,
                 finite: bool = True, voice_list: str | None = None):
        from ..engine.listener import Listener

        self.scorer, self.source, self.out, self.keys, self.recording = scorer, source, out, keys, recording
        self.voice_list = voice_list  # a stored list whose teacher's recordings `p` plays (classroom/references.py)
        self.finite = finite
        self.listener = Listener(source, scorer)
        self.log = log
        self._warned = False

    def run(self, words) -> int:
        """words: texts or WordEntry objects in order, or an order (ListOrder, AdaptiveOrder)."""
        order = words if hasattr(words, "current") else ListOrder(words)
        scored = heard = 0
        quit_ = False
        while (entry := order.current()) is not None:
            text = entry.text
            try:
                prons = entry.pronunciations() or self.scorer.pronunciations(text)
            except SaywellError as e:
                self.out.warning(f"skipped {text!r}: {e}")
                if self.recording:  # its utterance is in the recording all the same
                    heard += self.listener.skip_utterances(1)
                order.advance(skipped=not self.recording)
                continue
            self.out.word(order.position, order.total, text, prons, entry.hint)
            self.out.listening(text)
            outcome = self._listen(text, prons, order)
            if outcome == "eof":
                if scored == 0:  # nothing was ever said: still answer, as `saywell score` would
                    if not self._warned:  # else the warning already said why (too quiet, too short): one reason
                        self.out.warning("no speech heard before the input ended")
                    import numpy as np

                    empty = np.zeros((0, len(self.scorer.meta.phones)), np.float32)
                    self.out.result(self.scorer.score_posteriors(empty, text, prons), None)
                break
            if outcome == "result":
                scored += 1
                heard += 1
                outcome = "n" if self.recording else self._after_result(text)
            if outcome == "p":
                self._play(text)
                outcome = "r"
            if outcome == "q":
                quit_ = True
                break
            if outcome == "n":
                order.advance()
        if self.recording and not quit_:  # the learner who pressed q knows the rest was not scored
            self._check_count(heard, order)
        return 0

    def _check_count(self, heard: int, order) -> None:
        """A recording made to a list holds one utterance per word: say so when it does not."""
        listed = order.total
        if order.current() is None:
            if not self.finite:
                return
            heard += self.listener.skip_utterances()
        if heard == listed or (listed == 1 and heard == 0):  # one word and silence: 'no speech heard' said it
            return
        plural = lambda n, w: f"{n} {w}{'s' * (n != 1)}"  # noqa: E731
        if heard < listed:
            missing = order.current()
            self.out.warning(f"heard {plural(heard, 'utterance')} but the list has {plural(listed, 'word')}: the recording "
                             f"ended before {missing.text!r}; record one utterance per word, in the list's order")
        else:
            extra = heard - listed
            self.out.warning(f"heard {plural(heard, 'utterance')} but the list has {plural(listed, 'word')}: the last "
                             f"{plural(extra, 'utterance')} {'was' if extra == 1 else 'were'} not scored; record one "
                             "utterance per word, in the list's order")

    def _listen(self, text: str, prons, order) -> str:
        poll = None
        if self.keys:  # a recording goes on by itself: q is the only key that means anything
            poll = (lambda: self.keys.poll(0.0, "q")) if self.recording else self.keys.poll
        self._warned = False
        for ev in self.listener.listen(text, prons, poll=poll):
            if ev.kind == "result":
                self.out.result(ev.result, ev.latency_ms)
                self._record(ev.result, prons, order, ev.samples)
                return "result"
            if ev.kind == "key":
                return ev.key
            if ev.kind == "end_of_input":
                return "eof"
            if ev.kind == "warning":
                self._warned = True
                self.out.warning(ev.message)
            else:
                self.out.event(ev.kind, t=round(ev.t, 3))
        return "eof"

    def _record(self, result, prons, order, samples=None) -> None:
        from ..classroom.wordlists import word_key

        phones = tuple(p.phones for p in prons)
        key, expected = word_key(result.text, phones), " | ".join(" ".join(g) for g in phones)
        if self.log is None:
            from ..classroom.progress import Attempt

            order.observe(Attempt.from_result(result, key, expected))
            return
        problem = self.log.record(result, key, expected, samples, self.scorer.meta.frontend.sample_rate_hz)
        order.observe(self.log.attempts[-1])
        if problem:
            self.out.warning(problem)

    def welcome(self, history) -> None:
        """A named learner coming back sees where they stand."""
        if self.log is None or self.log.learner is None or not history:
            return
        from ..classroom.progress import describe_sounds, summarize

        s = summarize(history)
        weak = describe_sounds(s.weakest())
        self.out.text(f"welcome back, {self.log.learner.name}: {s.attempts} attempt{'s' * (s.attempts != 1)} so far, "
                      f"{s.accuracy:.0%} right"
                      + (f"; sounds to practise: {weak}" if weak else ""))

    def farewell(self, history) -> None:
        """What this session did, and for a named learner all their practice so far (text only: JSON is a contract)."""
        if self.log is None:
            return
        from ..classroom.progress import describe_sounds, summarize

        s = summarize(self.log.attempts)
        if not s.attempts:
            return
        self.out.text(f"\nthis session: {s.attempts} attempt{'s' * (s.attempts != 1)}, {s.correct} right ({s.accuracy:.0%})")
        weak = describe_sounds(s.weakest(min_attempts=1))
        if weak:
            self.out.text(f"sounds to practise: {weak}")
        if self.log.learner is not None and history:
            total = summarize(list(history) + self.log.attempts)
            self.out.text(f"{self.log.learner.name} so far: {total.attempts} attempts, {total.accuracy:.0%} right "
                          f"(saywell report --learner {shlex.quote(self.log.learner.name)})")
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
        from ..classroom import references

        teacher = references.reference(self.voice_list, text)
        problem = references.play(teacher, self.source.discard_pending) if teacher else None
        if teacher is None or problem:  # the teacher's voice when there is one, else (or if it fails) espeak-ng's
            if problem:
                self.out.warning(problem + "; espeak-ng speaks it instead")
            problem = play_reference(text, self.source.discard_pending, self.scorer.lang.espeak_voice)
        if problem:
            self.out.warning(problem)
        self.source.discard_pending()  # the microphone heard the speaker
