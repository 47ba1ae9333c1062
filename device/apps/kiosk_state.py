"""What a kiosk must remember across a restart: the anonymous session in progress, in
`$SAYWELL_HOME/kiosk-state.json`, rewritten atomically after every scored word.

systemd restarts a kiosk that crashed or hung (Restart=always, watchdog), and an administrator restarts it after
an update. The child at the device should not notice: if the restart comes within the idle timeout of the
last scored word, the kiosk goes on with the same session (its id in the progress store, the words and sounds
practised so far, so the adaptive schedule resumes where it was); otherwise the old session is over and a new
one starts. The file holds no audio and no name: word keys, verdicts and per-sound right/wrong.

The time since the last word is measured on the boot clock (CLOCK_BOOTTIME) when the device has not rebooted
since (same kernel boot id), so wall-clock jumps (NTP setting the clock of a Pi, which has no RTC) cannot fake
one; after a reboot the wall clock is all there is. A damaged file is reported by the caller and ignored.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..classroom.home import write_atomically

STATE_FILE = "kiosk-state.json"
FORMAT = 1
MAX_TURNS = 500  # a session longer than this resumes with its last MAX_TURNS words (the file stays small)


@dataclass(frozen=True)
class Stamp:
    """A moment, on the clocks that survive a restart."""

    wall: float  # seconds since the epoch
    boot: float  # CLOCK_BOOTTIME seconds (suspend included)
    boot_id: str  # the kernel's id of this boot; '' when unknown

    @classmethod
    def now(cls) -> "Stamp":
        try:
            boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        except OSError:
            boot_id = ""
        clock = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)
        return cls(time.time(), time.clock_gettime(clock), boot_id)

    def since(self, earlier: "Stamp") -> float:
        if self.boot_id and self.boot_id == earlier.boot_id:
            return self.boot - earlier.boot
        return self.wall - earlier.wall


@dataclass(frozen=True)
class Turn:
    """One scored word of the session, as the schedule and the session's summary need it."""

    key: str
    verdict: str
    phones: tuple[tuple[str, bool], ...]

    @classmethod
    def from_attempt(cls, a) -> "Turn":
        return cls(a.word_key, a.verdict, tuple((m.phone, bool(m.ok)) for m in a.phones))

    def outcome(self):
        from ..classroom.schedule import Outcome

        if self.verdict == "no_speech":
            return None
        return Outcome(self.key, self.verdict == "correct", self.phones)


@dataclass(frozen=True)
class KioskState:
    list_name: str | None
    session: int  # the kiosk's session number (its log's numbering)
    session_id: int  # the session's row in the progress store; 0: none (no store, or nothing recorded yet)
    last_key: str | None  # the last word said: not asked again straight away
    last: Stamp  # when the last word was scored
    turns: tuple[Turn, ...]

    def to_json(self) -> str:
        d = asdict(self)
        d["turns"] = [[t.key, t.verdict, [[p, ok] for p, ok in t.phones]] for t in self.turns[-MAX_TURNS:]]
        return json.dumps({"format": FORMAT, **d}, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "KioskState":
        """Raises ValueError (or KeyError, TypeError) on anything but a state this version wrote."""
        d = json.loads(text)
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError("unknown format")
        last = d["last"]
        stamp = Stamp(_num(last["wall"]), _num(last["boot"]), _str(last["boot_id"]))
        turns = tuple(Turn(_str(k), _verdict(v), tuple((_str(p), _bool(ok)) for p, ok in ph)) for k, v, ph in d["turns"])
        list_name = d["list_name"]
        last_key = d["last_key"]
        return cls(None if list_name is None else _str(list_name), _int(d["session"]), _int(d["session_id"]),
                   None if last_key is None else _str(last_key), stamp, turns)


def _num(x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"not a number: {x!r}")
    return float(x)


def _int(x) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 0:
        raise ValueError(f"not a count: {x!r}")
    return x


def _str(x) -> str:
    if not isinstance(x, str):
        raise ValueError(f"not a string: {x!r}")
    return x


def _bool(x) -> bool:
    if not isinstance(x, bool):
        raise ValueError(f"not true or false: {x!r}")
    return x


def _verdict(x) -> str:
    if x not in ("correct", "mispronounced", "no_speech"):
        raise ValueError(f"verdict {x!r}")
    return x


def load_state(path: Path) -> tuple[KioskState | None, str | None]:
    """(the state, None); (None, None) when there is none; (None, why) when the file is damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as e:
        return None, f"cannot read {path} ({e})"
    try:
        return KioskState.from_json(text), None
    except (ValueError, KeyError, TypeError) as e:
        return None, f"{path} is damaged ({type(e).__name__}: {e})"


def save_state(path: Path, state: KioskState) -> None:
    """Raises SaywellError (disk full, permissions); the caller logs it and goes on."""
    write_atomically(path, state.to_json().encode())


@dataclass(frozen=True)
class Decision:
    resume: bool
    reason: str
    idle_s: float | None = None  # since the last scored word


def decide(state: KioskState | None, now: Stamp, idle_timeout_s: float, list_name: str | None) -> Decision:
    """Resume the saved session, or start a new one, and why."""
    if state is None:
        return Decision(False, "no saved session")
    if not state.turns:
        return Decision(False, "the saved session had no scored word")
    if state.list_name != list_name:
        return Decision(False, f"the saved session practised another list ({state.list_name or 'built-in'})")
    idle = now.since(state.last)
    if idle < 0:
        return Decision(False, "the clock went back since the saved session", round(idle, 1))
    if idle > idle_timeout_s:
        return Decision(False, f"idle for longer than the idle timeout ({idle_timeout_s:g} s)", round(idle, 1))
    return Decision(True, "restarted within the idle timeout", round(idle, 1))
