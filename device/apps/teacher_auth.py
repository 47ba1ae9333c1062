"""Who may use the teacher page: the teacher PIN (stored hashed), login sessions, CSRF tokens, and brakes
on PIN guessing.

The PIN is never stored: only an scrypt hash with a random salt, in `teacher-pin.json` under the saywell home,
written atomically with mode 0600. Sessions live in memory only (a restart logs everyone out): a random id in
an HttpOnly, SameSite=Strict cookie, an idle and an absolute expiry, and a random CSRF token that every
state-changing form must send back. A session id changes at login, so an id planted before login is useless.
Only logged-in sessions are stored: a visitor (the login form, or every page on localhost without a PIN) gets a
random id whose CSRF token is an HMAC of it under a per-server secret, so a flood of cookie-less requests stores
nothing and evicts nobody's half-finished login.

Two brakes on guessing. Wrong PINs are counted per client address; after FREE_FAILURES each further try waits
twice as long as the one before (up to MAX_LOCK_S). And for the whole server (loopback clients, i.e. the SSH
tunnel, apart from the network) at most PIN_CHECK_BURST checks, refilled at PIN_CHECKS_PER_MIN, and one at a
time: neither parallel guesses nor rotating addresses get more, and no request costs scrypt's 16 MiB beyond
that. A refused client's PIN is not even checked.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SaywellError
from ..classroom.home import data_home, ensure_dir, write_atomically

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8321  # this device only: any other address needs a PIN
PIN_FILE = "teacher-pin.json"
PIN_FORMAT = 1
MIN_PIN_CHARS, MAX_PIN_CHARS = 6, 64
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1  # 16 MiB, ~50 ms on x86, a few hundred ms on a Pi 4: per login only
SESSION_IDLE_S = 30 * 60
SESSION_MAX_S = 8 * 3600  # a school day
MAX_SESSIONS = 500  # logged-in sessions (each needed the PIN); visitors are not stored
FREE_FAILURES = 3
MAX_LOCK_S = 300.0
PIN_CHECKS_PER_MIN, PIN_CHECK_BURST = 3.0, 5  # for the whole server: a few typos, not a dictionary
VISITOR_ID_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")


# ---- the PIN ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PinHash:
    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def make(cls, pin: str) -> PinHash:
        salt = secrets.token_bytes(16)
        return cls(salt, _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))

    def matches(self, pin: str) -> bool:
        """Constant-time: how much of a guess was right must not show in the time taken."""
        return hmac.compare_digest(_scrypt(pin, self.salt, self.n, self.r, self.p), self.digest)

    def to_json(self) -> str:
        return json.dumps({"format": PIN_FORMAT, "kdf": "scrypt", "n": self.n, "r": self.r, "p": self.p,
                           "salt": self.salt.hex(), "hash": self.digest.hex()}) + "\n"


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def pin_path() -> Path:
    return data_home() / PIN_FILE


def load_pin() -> PinHash | None:
    """The stored PIN hash, None when no PIN is set; a damaged file is an error, never 'no PIN'."""
    path = pin_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise SaywellError(f"the teacher PIN file {path} is unreadable ({e}); set the PIN again with: "
                           "saywell serve --set-pin") from None
    try:
        if doc["format"] != PIN_FORMAT or doc["kdf"] != "scrypt":
            raise ValueError(f"format {doc['format']!r}, kdf {doc['kdf']!r}")
        h = PinHash(bytes.fromhex(doc["salt"]), bytes.fromhex(doc["hash"]), int(doc["n"]), int(doc["r"]), int(doc["p"]))
        if len(h.salt) < 16 or len(h.digest) != 32 or h.n < 2 ** 14:
            raise ValueError("weak or truncated parameters")
        return h
    except (KeyError, TypeError, ValueError) as e:
        raise SaywellError(f"the teacher PIN file {path} is damaged ({e}); set the PIN again with: "
                           "saywell serve --set-pin") from None


def check_pin(pin: str) -> str:
    if not MIN_PIN_CHARS <= len(pin) <= MAX_PIN_CHARS or not pin.isprintable() or pin.strip() != pin:
        raise SaywellError(f"a teacher PIN must be {MIN_PIN_CHARS} to {MAX_PIN_CHARS} printable characters "
                           "(digits or letters), without spaces at either end")
    return pin


def store_pin(pin: str) -> Path:
    path = pin_path()
    ensure_dir(path.parent)
    write_atomically(path, PinHash.make(check_pin(pin)).to_json().encode(), mode=0o600)
    return path


def read_new_pin(stdin=None) -> str:
    """Twice from the terminal (not echoed), or two lines from stdin when it is not a terminal (scripts)."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("New teacher PIN: ")
        second = getpass.getpass("The same PIN again: ")
    else:
        first, second = (stdin.readline(4 * MAX_PIN_CHARS).rstrip("\r\n") for _ in range(2))
        if not second:
            raise SaywellError("give the new PIN twice, on two lines of standard input")
    if not hmac.compare_digest(first.encode(), second.encode()):
        raise SaywellError("the two PINs differ; nothing was changed")
    return check_pin(first)


# ---- sessions ---------------------------------------------------------------------------------------------

@dataclass
class Session:
    id: str
    csrf: str
    authenticated: bool
    created: float
    seen: float


class Sessions:
    """In-memory logged-in sessions, and visitors made on the fly; thread-safe (requests run in worker threads)."""

    def __init__(self, idle_s: float = SESSION_IDLE_S, max_s: float = SESSION_MAX_S, clock=time.monotonic):
        self.idle_s, self.max_s, self.clock = idle_s, max_s, clock
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(32)

    def visitor(self, vid: str | None, authenticated: bool) -> Session | None:
        """The session of a visitor id (None when the id is malformed): nothing is stored, its CSRF token is
        derived from the id, so the login form (or a localhost page) works without server-side state."""
        if not vid or not VISITOR_ID_RE.fullmatch(vid):
            return None
        csrf = hmac.new(self._secret, vid.encode(), hashlib.sha256).hexdigest()
        return Session(vid, csrf, authenticated, 0.0, 0.0)

    def new_visitor(self, authenticated: bool) -> Session:
        return self.visitor(secrets.token_urlsafe(32), authenticated)

    def _expired(self, s: Session, now: float) -> bool:
        return now - s.seen > self.idle_s or now - s.created > self.max_s

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            s = self._by_id.get(sid)
            if s is None:
                return None
            if self._expired(s, now):
                del self._by_id[sid]
                return None
            s.seen = now
            return s

    def create(self, authenticated: bool) -> Session:
        now = self.clock()
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), authenticated, now, now)
        with self._lock:
            for sid in [k for k, v in self._by_id.items() if self._expired(v, now)]:
                del self._by_id[sid]
            while len(self._by_id) >= MAX_SESSIONS:  # the least recently used goes
                del self._by_id[min(self._by_id.values(), key=lambda v: v.seen).id]
            self._by_id[s.id] = s
        return s

    def drop(self, sid: str) -> None:
        with self._lock:
            self._by_id.pop(sid, None)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return session is not None and bool(token) and hmac.compare_digest(session.csrf.encode(), token.encode())


# ---- guessing brake ---------------------------------------------------------------------------------------

@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0


@dataclass
class Throttle:
    """Wrong PINs per client: FREE_FAILURES are free, then 1 s, 2 s, 4 s ... (at most MAX_LOCK_S) of lock-out."""

    free: int = FREE_FAILURES
    max_lock_s: float = MAX_LOCK_S
    clock: object = time.monotonic
    _by_client: dict[str, _Failures] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, client: str) -> float:
        """Seconds this client must wait before its next PIN is checked (0: go ahead)."""
        with self._lock:
            f = self._by_client.get(client)
            return max(0.0, f.until - self.clock()) if f else 0.0

    def failed(self, client: str) -> float:
        with self._lock:
            if len(self._by_client) > 10_000:  # bounded memory: forget clients no longer locked out
                now = self.clock()
                self._by_client = {k: v for k, v in self._by_client.items() if v.until > now}
            f = self._by_client.setdefault(client, _Failures())
            f.count += 1
            lock = 0.0 if f.count < self.free else min(2.0 ** (f.count - self.free), self.max_lock_s)
            f.until = self.clock() + lock
            return lock

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._by_client.pop(client, None)


@dataclass
class PinBrake:
    """A token bucket of PIN checks for many clients at once: `burst` at most, refilled at `per_minute`."""

    per_minute: float = PIN_CHECKS_PER_MIN
    burst: int = PIN_CHECK_BURST
    clock: object = time.monotonic
    _tokens: float | None = None  # full at the start
    _t: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> float:
        """0: go ahead (one check is used up); else the seconds until the next check may run."""
        with self._lock:
            now = self.clock()
            full = float(self.burst)
            self._tokens = full if self._tokens is None else min(full, self._tokens + (now - self._t) * self.per_minute / 60)
            self._t = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) * 60 / self.per_minute


@dataclass
class Auth:
    """What the server needs to know about access: the PIN (None: no login, for localhost use only)."""

    pin: PinHash | None
    sessions: Sessions = field(default_factory=Sessions)
    throttle: Throttle = field(default_factory=Throttle)
    local_brake: PinBrake = field(default_factory=PinBrake)  # loopback clients: the SSH tunnel, the Pi's browser
    network_brake: PinBrake = field(default_factory=PinBrake)  # everyone else, together
    _checker: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "pin-check"))

    @property
    def login_required(self) -> bool:
        return self.pin is not None

    def pin_wait_s(self, client: str, loopback: bool) -> tuple[float, str]:
        """(seconds to wait, why) before this client's PIN may be checked; (0, '') uses up one check."""
        wait = self.throttle.wait_s(client)
        if wait > 0:
            return wait, "too many wrong PINs from this address"
        wait = (self.local_brake if loopback else self.network_brake).take()
        return (wait, "too many PIN attempts on this device") if wait > 0 else (0.0, "")

    def pin_matches(self, pin: str) -> bool:
        """One scrypt at a time, always in the same thread: a burst of logins never holds more than 16 MiB, and
        no other thread's malloc arena keeps 16 MiB of its own after one."""
        return self.pin is not None and self._checker.submit(self.pin.matches, pin).result()
