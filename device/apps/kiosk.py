"""`saywell kiosk`: practice with no keyboard or screen, for a Pi on a classroom table that runs all day.

Each turn: speak a prompt ("Say: ship", espeak-ng), listen (device/engine/listener.py), speak the feedback and play a
short tone, then the next word from the adaptive scheduler. Nobody logs in: each learner is an anonymous
session, and IDLE_TIMEOUT_S of listening without a scored word ends it (the next child starts afresh).

It must keep going without anyone to read an error: a microphone that disappears is waited for (forever,
logging once), a progress store that is damaged or full is dropped (logged once; practice goes on), and
systemd restarts the process if it dies or hangs (sd_notify READY=1 and WATCHDOG=1 over NOTIFY_SOCKET, plain
Python). One log line per event with a timestamp, to stderr or --log FILE.

A restart (systemd's, after a crash or a hang, or an administrator's) within the idle timeout of the last
scored word goes on with the same session and schedule (device/apps/kiosk_state.py); later, a new session starts.
A list the teacher re-imports (or a list file edited) is picked up before the next word, never during an attempt
(wordlists.WatchedList: one stat per word); the session and what it knows of the learner's sounds go on. A new
version that cannot be used is logged once and the old list stays; so is one in another language than the
model the kiosk loaded (restart the kiosk to switch: it then loads the list's language's model).
The list's language picks the model (--lang and --model as for practice). A word in another language than English
(Spanish, French) is prompted in English ("Say:") then spoken by espeak-ng's voice for its language; feedback is
in English. A stored list's word the teacher recorded (`saywell lists record`) is said in the teacher's voice instead.
Each attempt's recording is kept only while a teacher has turned that on (device/classroom/audio_keep.py); a failure to
keep one is logged once and practice goes on.

With --input PATH or -, or SAYWELL_KIOSK_SILENT=1, nothing is played: prompts and tones are only logged, so
tests need no sound card. Idle time is counted in audio, not wall-clock time, so a --fast replay behaves
like the microphone would.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..errors import SaywellError
from .choose import language_name
from .teacher_auth import DEFAULT_HOST, DEFAULT_PORT

IDLE_TIMEOUT_S = 60.0
WATCHDOG_SEC = 30
RECONNECT_S = 2.0
UNIT_NAME = "saywell-kiosk.service"


def register(sub, model_args: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("kiosk", help="unattended practice: spoken prompts and feedback, no keyboard or screen")
    p.add_argument("--list", metavar="NAME|FILE", help="a stored list name or a list file (default: the built-in list)")
    p.add_argument("--input", default="mic", metavar="mic|PATH|-",
                   help="mic (default); a WAV replayed as the microphone; - for audio on stdin (raw s16le mono 16 kHz "
                        "PCM, or a WAV stream)")
    p.add_argument("--fast", action="store_true", help="with --input PATH: replay as fast as possible")
    p.add_argument("--device", help="microphone by index or (part of its) name")
    p.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT_S, metavar="S",
                   help=f"seconds without a spoken word that end the anonymous session (default {IDLE_TIMEOUT_S:g})")
    p.add_argument("--log", type=Path, metavar="FILE", help="append the event log here (default: stderr)")
    p.add_argument("--seed", type=int, help="seed for the adaptive order")
    p.add_argument("--serve", action="store_true", help="also run the teacher page (saywell serve) from this process")
    p.add_argument("--serve-host", default=DEFAULT_HOST, help="with --serve: address (any but localhost needs a teacher PIN)")
    p.add_argument("--serve-port", type=int, default=DEFAULT_PORT, help=f"with --serve: port (default {DEFAULT_PORT})")
    p.add_argument("--install-service", action="store_true",
                   help="write a systemd unit running this kiosk (with the options given) and say how to enable it")
    p.add_argument("--user", action="store_true", help="with --install-service: a user unit (~/.config/systemd/user)")
    p.add_argument("--unit-path", type=Path, help="with --install-service: write the unit here instead")
    model_args(p)
    p.set_defaults(func=run)


# ---- log --------------------------------------------------------------------------------------------------

class EventLog:
    """One line per event: ISO timestamp, event name, key=value fields (strings JSON-quoted). Never raises:
    a kiosk must not stop because its log file's disk is full (it falls back to stderr)."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self._once: set[str] = set()

    def __call__(self, event: str, **fields) -> None:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
        parts = [ts, event] + [f"{k}={json.dumps(v) if isinstance(v, str) else v}" for k, v in fields.items()]
        line = " ".join(parts) + "\n"
        try:
            self.stream.write(line)
            self.stream.flush()
        except (OSError, ValueError):
            if self.stream is not sys.stderr:
                self.stream = sys.stderr
                self("log_fallback", reason="cannot write the log file; logging to stderr")
                self.stream.write(line)

    def once(self, key: str, event: str, **fields) -> None:
        """For conditions that persist (no speaker, no store): say it once, not every turn."""
        if key not in self._once:
            self._once.add(key)
            self(event, **fields)


# ---- systemd ----------------------------------------------------------------------------------------------

class Notifier:
    """sd_notify without libsystemd: datagrams to $NOTIFY_SOCKET. Watchdog pings are rate-limited to half
    of $WATCHDOG_USEC, so calling ping() on every audio block costs nothing."""

    def __init__(self, env=os.environ):
        addr = env.get("NOTIFY_SOCKET", "")
        self.addr = ("\0" + addr[1:]) if addr.startswith("@") else addr
        usec = env.get("WATCHDOG_USEC", "")
        self.interval = int(usec) / 2e6 if usec.isdigit() and int(usec) > 0 else 5.0
        self._last = 0.0
        self._sock = None
        if self.addr:
            try:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._sock.setblocking(False)  # a stuck reader must never stall practice (or the watchdog pings)
            except OSError:
                self._sock = None

    def send(self, msg: str) -> None:
        if self._sock is not None:
            try:
                self._sock.sendto(msg.encode(), self.addr)
            except OSError:
                pass  # systemd gone, not listening or its queue full: nothing to tell

    def ready(self) -> None:
        self.send("READY=1")
        self._last = time.monotonic()

    def ping(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")


def unit_text(exec_start: list[str], user_unit: bool, env: dict[str, str], user: str | None) -> str:
    lines = ["[Unit]", "Description=saywell pronunciation kiosk", "After=sound.target", "",
             "[Service]", "Type=notify", "NotifyAccess=main", f"ExecStart={shlex.join(exec_start)}",
             f"WatchdogSec={WATCHDOG_SEC}", "Restart=always", "RestartSec=2"]
    lines += [f"Environment={shlex.quote(f'{k}={v}')}" for k, v in env.items()]
    if not user_unit and user:
        lines += [f"User={user}", "SupplementaryGroups=audio"]
    lines += ["", "[Install]", f"WantedBy={'default.target' if user_unit else 'multi-user.target'}", ""]
    return "\n".join(lines)


def install_service(args) -> int:
    """Writes the unit atomically; never runs systemctl (that is the administrator's decision)."""
    from ..classroom.home import data_home, ensure_dir, write_atomically

    if args.input != "mic":
        raise SaywellError("--install-service runs the kiosk on the microphone; drop --input")
    if args.unit_path:
        path = args.unit_path
    elif args.user:
        path = Path.home() / ".config" / "systemd" / "user" / UNIT_NAME
    else:
        path = Path("/etc/systemd/system") / UNIT_NAME
    exe = Path(sys.executable).parent / "saywell"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "saywell"]
    cmd.append("kiosk")
    if args.list:
        lst = Path(args.list).expanduser()
        cmd += ["--list", str(lst.resolve()) if lst.exists() else args.list]
    if args.device:
        cmd += ["--device", args.device]
    if args.idle_timeout != IDLE_TIMEOUT_S:
        cmd += ["--idle-timeout", f"{args.idle_timeout:g}"]
    if args.log:
        cmd += ["--log", str(args.log.expanduser().resolve())]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    if args.serve:
        cmd += ["--serve", "--serve-host", args.serve_host, "--serve-port", str(args.serve_port)]
    if args.model is not None or not args.lang or args.lang == "en":
        from ..engine.model import model_path_from_env

        cmd += ["--model", str(Path(args.model or model_path_from_env()).resolve())]
    if args.lang:
        cmd += ["--lang", args.lang]
    if args.delegate:
        cmd += ["--delegate", args.delegate]
    env = {"SAYWELL_HOME": str(data_home().resolve()), "PYTHONUNBUFFERED": "1"}
    user = os.environ.get("SUDO_USER") or getpass.getuser()
    text = unit_text(cmd, args.user, env, None if user == "root" else user)
    ensure_dir(path.parent)
    write_atomically(path, text.encode())
    ctl = "systemctl --user" if args.user else "sudo systemctl"
    print(f"wrote {path}\nenable and start it with:\n  {ctl} daemon-reload\n  {ctl} enable --now saywell-kiosk"
          + ("\n  (and `loginctl enable-linger` so it runs without anyone logged in)" if args.user else ""))
    return 0


# ---- sound out --------------------------------------------------------------------------------------------

@dataclass
class Speaker:
    """Spoken prompts and feedback plus a tone; silent mode only logs them."""

    log: EventLog
    silent: bool
    idle: Callable[[], None] = lambda: None

    def say(self, text: str, kind: str, word: str | None = None, voice: str = "en-us", recording: Path | None = None) -> None:
        """`text` in English, then `word` (a list's word) in its language's `voice`, or the teacher's `recording` of it."""
        self.log(kind, text=f"{text} {word}" if word else text, played=not self.silent,
                 **({"teacher_recording": recording.name} if recording else {}))
        if self.silent:
            return
        from .practice import play_reference

        problem = play_reference(text, self.idle)
        if recording and not problem:
            from ..classroom.references import play

            if (failed := play(recording, self.idle)) is None:
                return
            self.log.once("teacher_recording", "teacher_recording_unplayable", reason=failed)
        if word and not problem:
            problem = play_reference(word, self.idle, voice)
        if problem:
            self.log.once("tts", "tts_unavailable", reason=problem)

    def tone(self, good: bool) -> None:
        if self.silent:
            self.log("tone", good=good, played=False, reason="silent")
            return
        try:
            import numpy as np

            from ..audio.sources import import_sounddevice

            sd = import_sounddevice()
            sd.query_devices(kind="output")  # raises when there is no output device
            rate = 22050
            t = np.arange(int(0.15 * rate)) / rate
            x = 0.3 * np.sin(2 * np.pi * (880.0 if good else 330.0) * t)
            ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)  # no clicks
            sd.play((x * ramp).astype(np.float32), rate)
            sd.wait()
            self.log("tone", good=good, played=True)
        except Exception as e:  # no output device, PortAudio missing: the tone is a nicety
            self.log.once("tone", "tone_skipped", reason=str(e).splitlines()[0] if str(e) else type(e).__name__)


# ---- progress ---------------------------------------------------------------------------------------------

@dataclass
class KioskProgress:
    """Anonymous sessions in the progress store; any store failure turns recording off, once, for good.
    A session's row is written at its first attempt: an empty room must not fill the store with sessions.
    `keeper` (an audio_keep.AudioKeeper) keeps recordings when the teacher's setting says so."""

    store: object | None
    log: EventLog
    list_name: str | None
    session_id: int = 0
    number: int = 0  # the session's number in the log (continued across restarts)
    turns: list = field(default_factory=list)  # kiosk_state.Turn: this session's scored words
    keeper: object | None = None
    active: bool = False  # a session is going on in this process

    def _off(self, e: Exception) -> None:
        self.log.once("progress", "progress_off", reason=str(e))
        if self.store is not None:
            try:
                self.store.close()
            except Exception:
                pass
        self.store, self.session_id = None, 0

    def new_session(self) -> None:
        self.end_session()
        self.number += 1
        self.turns, self.active = [], True
        self.log("session_start", session=self.number)

    def resume(self, state) -> None:
        """Goes on with a saved session (kiosk_state.KioskState) after a restart."""
        self.number, self.turns, self.session_id, self.active = state.session, list(state.turns), 0, True
        if self.store is not None and state.session_id:
            try:
                if self.store.resume_session(state.session_id):
                    self.session_id = state.session_id
            except Exception as e:
                self._off(e)
        self.log("session_resume", session=self.number, attempts=len(self.turns), store_session=self.session_id)

    def end_stale(self, state) -> None:
        """A saved session that is not resumed ends at its last word (the process that ran it could not end it)."""
        if self.store is not None and state.session_id:
            try:
                self.store.end_session(state.session_id, at=state.last.wall)
            except Exception as e:
                self._off(e)

    def record(self, attempt, samples=None, rate_hz: int = 16000) -> None:
        from .kiosk_state import Turn

        self.turns.append(Turn.from_attempt(attempt))
        if self.store is None:
            return
        try:
            if not self.session_id:
                self.session_id = self.store.start_session(None, self.list_name)
            aid = self.store.record(self.session_id, None, attempt)
        except Exception as e:  # SaywellError from the store, or sqlite/OS errors it did not expect
            self._off(e)
            return
        if self.keeper is not None and samples is not None:
            try:
                problem = self.keeper.keep(self.store, aid, samples, rate_hz)
            except Exception as e:  # noqa: BLE001  (a recording is never worth stopping practice)
                self.keeper.failure = problem = f"recordings are no longer being kept: {e}"
            if problem:
                self.log.once("audio", "audio_off", reason=problem)

    def end_session(self) -> None:
        if self.active:
            self.log("session_end", session=self.number, attempts=len(self.turns),
                     correct=sum(t.verdict == "correct" for t in self.turns))
        if self.store is not None and self.session_id:
            try:
                self.store.end_session(self.session_id)
            except Exception as e:
                self._off(e)
        self.session_id, self.active = 0, False

    def close(self) -> None:
        self.end_session()
        if self.store is not None:
            self.store.close()


def open_progress(log: EventLog, list_name: str | None) -> KioskProgress:
    from ..classroom.audio_keep import AudioKeeper
    from ..classroom.progress import ProgressStore

    try:
        store = ProgressStore.default()
    except Exception as e:
        log.once("progress", "progress_off", reason=str(e))
        store = None
    return KioskProgress(store, log, list_name, keeper=AudioKeeper())


# ---- the loop ---------------------------------------------------------------------------------------------

class Kiosk:
    """Runs until the input ends (a file or pipe) or the process is stopped; a microphone is waited for."""

    def __init__(self, scorer, entries, open_source: Callable[[], object], progress: KioskProgress, log: EventLog,
                 speaker: Speaker, notifier: Notifier | None = None, idle_timeout_s: float = IDLE_TIMEOUT_S,
                 reconnect_s: float = RECONNECT_S, seed: int | None = None, live: bool = True,
                 state_path: Path | None = None, clock: Callable[[], object] | None = None, watch=None,
                 accent_flag: str | None = None):
        """state_path: where the session is saved for a restart (None: nowhere); clock: kiosk_state.Stamp.now;
        watch: a wordlists.WatchedList to pick up a new version of the list from (None: the list never changes);
        accent_flag: --accent, which wins over a reloaded list's accent."""
        from .kiosk_state import Stamp

        self.scorer, self.entries, self.open_source, self.watch = scorer, list(entries), open_source, watch
        from ..classroom.references import stored_list_name

        self.voice_list = stored_list_name(watch.spec) if watch is not None else None  # its teacher's recordings
        self.accent_flag = accent_flag
        self.state_path, self.clock = state_path, clock or Stamp.now
        self.last_key: str | None = None
        self.progress, self.log, self.speaker = progress, log, speaker
        self.notifier = notifier or Notifier({})
        self.idle_timeout_s, self.reconnect_s, self.seed, self.live = idle_timeout_s, reconnect_s, seed, live
        self.source = None
        self.listener = None
        speaker.idle = self._idle

    def _idle(self) -> None:
        """While speaking or waiting: keep the watchdog fed and the microphone's queue empty."""
        self.notifier.ping()
        if self.source is not None:
            self.source.discard_pending()

    def _new_scheduler(self, history=()):
        from ..classroom.schedule import Scheduler

        self.scheduler = Scheduler(self.entries, history, seed=self.seed)

    def _reload_list(self) -> None:
        """Before a word is chosen: a new version of the list replaces the old, the schedule keeps its history."""
        if self.watch is None:
            return
        try:
            wl = self.watch.check()
            if wl is None:
                return
            entries = practicable(wl)
            if wl.lang != self.scorer.lang.code:
                raise SaywellError(f"the list {wl.name} is now {language_name(wl.lang)} but "
                                   f"this kiosk judges {self.scorer.lang.name}; restart the kiosk to load the "
                                   f"{language_name(wl.lang)} model")
        except SaywellError as e:
            self.log("list_reload_failed", reason=str(e), kept_words=len(self.entries))
            return
        from ..classroom.settings import device_accent
        from .choose import scoring_accent

        self.entries = entries
        self._new_scheduler([o for o in (t.outcome() for t in self.progress.turns) if o])
        self.scorer.accent = scoring_accent(self.scorer.model, self.accent_flag, None, wl.accent, device_accent())  # the teacher may change it
        self.log("list_reloaded", list=wl.name, words=len(entries), accent=self.scorer.accent)

    def _new_session(self) -> None:
        self._new_scheduler()
        self.progress.new_session()
        self.last_key = None
        self._save_state()

    def _start(self) -> None:
        """At start-up: resume the saved session if the restart came within the idle timeout, else a new one."""
        from .kiosk_state import decide, load_state

        state, problem = (None, None) if self.state_path is None else load_state(self.state_path)
        if problem:
            self.log("kiosk_state_ignored", reason=problem)
        d = decide(state, self.clock(), self.idle_timeout_s, self.progress.list_name)
        fields = {} if d.idle_s is None else {"idle_s": d.idle_s}
        self.log("resume_decision", resume=d.resume, reason=d.reason, **fields)
        if not d.resume:
            if state is not None:
                self.progress.end_stale(state)
                self.progress.number = state.session  # the log's numbering goes on
            self._new_session()
            return
        self._new_scheduler([o for o in (t.outcome() for t in state.turns) if o])
        self.progress.resume(state)
        self.last_key = state.last_key

    def _save_state(self) -> None:
        """After every scored word; a failure (a full disk) is logged once and practice goes on."""
        if self.state_path is None:
            return
        from ..classroom.home import ensure_dir
        from .kiosk_state import KioskState, save_state

        state = KioskState(self.progress.list_name, self.progress.number, self.progress.session_id, self.last_key,
                           self.clock(), tuple(self.progress.turns))
        try:
            ensure_dir(self.state_path.parent)
            save_state(self.state_path, state)
        except SaywellError as e:
            self.log.once("state", "kiosk_state_off", reason=str(e))

    def _connect(self, lost: bool = False) -> None:
        """Opens the source, retrying forever for a microphone (a file or pipe that cannot be opened raises)."""
        from ..engine.listener import Listener

        waiting = lost
        while True:
            try:
                src = self.open_source()
                src.start()
                self.source, self.listener = src, Listener(src, self.scorer)
                if waiting:
                    self.log("microphone_back", name=getattr(src, "name", "?"))
                return True
            except SaywellError as e:
                if not self.live:
                    raise
                if not waiting:
                    self.log("microphone_waiting", reason=str(e))
                waiting = True
            until = time.monotonic() + self.reconnect_s
            while time.monotonic() < until:
                self.notifier.ping()
                time.sleep(min(0.2, self.reconnect_s))

    def _drop_source(self) -> None:
        src, self.source, self.listener = self.source, None, None
        if src is not None:
            try:
                src.close()
            except Exception:
                pass

    def _listen(self, entry, prons) -> tuple[str, object]:
        """('result', ListenEvent) | ('idle', None) | ('eof', None); a lost microphone raises SaywellError."""
        listener = self.listener
        hop, rate = listener.hop, listener.source.sample_rate_hz

        def poll():
            self.notifier.ping()
            if not listener.vad.in_speech and listener.vad.frame * hop / rate >= self.idle_timeout_s:
                return "idle"  # counted in audio: a --fast replay times out as the microphone would
            return None

        for ev in listener.listen(entry.text, prons, poll=poll):
            if ev.kind == "speech_start":
                self.log("speech_start", t=round(ev.t, 2))
            elif ev.kind == "warning":
                self.log("audio_warning", message=ev.message)
            elif ev.kind == "result":
                return "result", ev
            elif ev.kind == "key":
                return "idle", None
            elif ev.kind == "end_of_input":
                return "eof", None
        return "eof", None

    def _record(self, entry, prons, result, samples=None) -> None:
        from ..classroom.progress import Attempt
        from ..classroom.schedule import Outcome
        from ..classroom.wordlists import word_key

        phones = tuple(p.phones for p in prons)
        attempt = Attempt.from_result(result, word_key(result.text, phones), " | ".join(" ".join(g) for g in phones),
                                      list_name=self.progress.list_name)
        self.progress.record(attempt, samples, self.scorer.meta.frontend.sample_rate_hz)
        o = Outcome.from_attempt(attempt)
        if o:
            self.scheduler.observe(o)
        self.last_key = entry.key
        self._save_state()

    def run(self) -> int:
        self.notifier.ready()  # before the microphone: a kiosk waiting for one is up, not failing to start
        entry, prompt = None, True
        try:
            self._connect()
            from ..classroom import references
            from ..engine.feedback import spoken_feedback
            from .practice import keeps_audio

            self.log("ready", words=len(self.entries), accent=self.scorer.accent, idle_timeout_s=self.idle_timeout_s,
                     keep_audio=self.progress.keeper is not None and self.progress.store is not None and keeps_audio())
            self._start()
            while True:
                if entry is None:
                    self._reload_list()
                    entry = self.scheduler.next(last_key=self.last_key)
                    prompt = True
                prons = entry.pronunciations() or self.scorer.pronunciations(entry.text)
                if prompt:
                    teacher = references.reference(self.voice_list, entry.text)
                    if teacher is None and self.scorer.lang.code == "en":
                        self.speaker.say(f"Say: {entry.text}", "prompt")
                    else:  # the word in the teacher's voice, else in its own language's
                        self.speaker.say("Say:", "prompt", entry.text, self.scorer.lang.espeak_voice, recording=teacher)
                    prompt = False
                try:
                    kind, heard = self._listen(entry, prons)
                except SaywellError as e:  # the microphone is gone for longer than sources.py retries
                    self.log("microphone_lost", reason=str(e))
                    self._drop_source()
                    self._connect(lost=True)
                    prompt = True
                    continue
                if kind == "eof":
                    self.log("end_of_input")
                    return 0
                if kind == "idle":
                    if self.progress.turns:  # someone practised and left: the next child starts afresh
                        self.log("idle", seconds=self.idle_timeout_s)
                        self._new_session()
                        entry = None
                    continue  # an empty room: keep listening for the same word, without repeating it aloud
                result = heard.result
                missed = {"missed": ",".join(w.word for w in result.words if w.verdict != "correct") or "-"} \
                    if len(result.words) > 1 else {}  # a sentence: which of its words to work on
                self.log("result", text=result.text, verdict=result.verdict, score=round(result.score), **missed)
                self._record(entry, prons, result, heard.samples)
                self.speaker.say(spoken_feedback(result), "feedback")
                self.speaker.tone(result.verdict == "correct")
                entry = None
        finally:
            self.notifier.stopping()
            self.progress.close()
            self._drop_source()


def practicable(wl) -> list:
    """The entries the kiosk can ask for (a list whose words all lack pronunciations is refused)."""
    entries = [e for e in wl.entries if e.phones is not None]
    if not entries:
        raise SaywellError(f"word list {wl.name} has no words with known pronunciations")
    return entries


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args) -> int:
    if args.install_service:
        return install_service(args)
    if args.user or args.unit_path:
        raise SaywellError("--user and --unit-path only apply with --install-service")
    kind = "mic" if args.input == "mic" else "stdin" if args.input == "-" else "file"
    if args.fast and kind != "file":
        raise SaywellError("--fast only applies to --input PATH")
    if args.device is not None and kind != "mic":
        raise SaywellError("--device only applies to the microphone (--input mic)")
    if args.idle_timeout <= 0:
        raise SaywellError("--idle-timeout must be a positive number of seconds")
    from ..engine.scoring import Scorer
    from ..classroom.wordlists import WatchedList
    from .choose import load_model, model_lang, scoring_accent

    watch = WatchedList.open(args.list, None, args.lang or model_lang(args))  # its lang column wins: checked next
    wl = watch.wordlist
    entries = practicable(wl)
    from ..classroom.settings import device_accent

    model = load_model(args, wl.lang, wl.name)
    scorer = Scorer(model, accent=scoring_accent(model, args.accent, None, wl.accent, device_accent()))  # anonymous: no learner
    server = None
    if args.serve:  # a bad address or a port in use stops the start with one line, like any other bad option
        from .teacher_page import start_in_thread

        server = start_in_thread(args.serve_host, args.serve_port)
    log_stream = None
    if args.log:
        try:
            log_stream = open(args.log, "a", encoding="utf-8")
        except OSError as e:
            raise SaywellError(f"cannot open the log file {args.log} ({e.strerror or e})") from None
    log = EventLog(log_stream)
    if server is not None:
        log("teacher_page", url=server.url())
    silent = kind != "mic" or os.environ.get("SAYWELL_KIOSK_SILENT") == "1"

    def open_source():
        from ..audio.sources import MicSource, StdinSource, WavSource

        if kind == "mic":
            return MicSource(args.device)
        return StdinSource() if kind == "stdin" else WavSource(Path(args.input), realtime=not args.fast)

    signal.signal(signal.SIGTERM, _raise_interrupt)  # systemd stops with SIGTERM: end the session cleanly
    from ..classroom.home import data_home
    from .kiosk_state import STATE_FILE

    kiosk = Kiosk(scorer, entries, open_source, open_progress(log, wl.name), log, Speaker(log, silent),
                  Notifier(), args.idle_timeout, seed=args.seed, live=kind == "mic", state_path=data_home() / STATE_FILE,
                  watch=watch, accent_flag=args.accent)
    try:
        if kind == "mic":
            from ..audio.sources import native_messages_filtered

            with native_messages_filtered():
                return kiosk.run()
        return kiosk.run()
    except KeyboardInterrupt:
        log("stop")
        return 0
    finally:
        if log_stream is not None:
            log_stream.close()
