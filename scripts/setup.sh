# Sourced by scripts/run and scripts/test: installs missing apt packages and a venv with one extra.
# usage: . scripts/setup.sh EXTRA APT_PACKAGE...
#        . scripts/setup.sh --wait-for-apt    (only waits for the package manager's locks, as below)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# A fresh Raspberry Pi runs its daily apt job (apt-daily, unattended-upgrades) at boot, holding the package
# manager's locks for minutes: wait for them, saying so, instead of failing at once. A lock is held when
# /proc/locks lists its file's inode (dpkg and apt lock with fcntl); nothing else is needed to look.
APT_LOCKS=(${SAYWELL_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock})
APT_WAIT_S="${SAYWELL_APT_WAIT_S:-600}"

apt_lock_holder() {  # prints "PID (name) holds FILE" for the first held lock, nothing when all are free
    local f ino pid
    for f in "${APT_LOCKS[@]}"; do
        ino="$(stat -c %i "$f" 2>/dev/null)" || continue
        pid="$(awk -v ino=":$ino" '{ for (i = 2; i <= NF; i++) if (substr($i, length($i) - length(ino) + 1) == ino) { print $(i - 1); exit } }' /proc/locks 2>/dev/null)"
        if [ -n "$pid" ]; then
            echo "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo '?')) holds $f"
            return
        fi
    done
}

wait_for_apt() {  # returns 1 (with a message) when the locks are still held after APT_WAIT_S seconds
    local start=$SECONDS holder told=0
    while holder="$(apt_lock_holder)" && [ -n "$holder" ]; do
        local waited=$((SECONDS - start))
        if [ "$waited" -ge "$APT_WAIT_S" ]; then
            echo "saywell setup: the package manager is still busy after ${APT_WAIT_S} s ($holder); let it finish" \
                 "(or reboot), then run this again; SAYWELL_APT_WAIT_S sets how long to wait" >&2
            return 1
        fi
        if [ "$told" -eq 0 ] || [ $((waited / 30)) -gt $(((waited - 1) / 30)) ]; then
            echo "saywell setup: waiting for another package manager to finish ($holder; a fresh system updates" \
                 "itself after boot): ${waited} s of at most ${APT_WAIT_S} s" >&2
            told=1
        fi
        sleep 1
    done
}

apt_get() {  # apt-get once the locks are free; DPkg::Lock::Timeout covers a job that starts in between
    wait_for_apt
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=120 "$@" >&2
}

if [ "${1:-}" = "--wait-for-apt" ]; then
    wait_for_apt
    return 0 2>/dev/null || exit 0
fi
EXTRA="$1"; shift
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "saywell setup: installing ${missing[*]}" >&2
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=""
for cand in python3.11 python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY="$cand"; break; fi
done
[ -n "$PY" ] || { echo "saywell setup: Python >= 3.11 not found; install python3 (Debian bookworm ships 3.11)" >&2; exit 1; }

VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV" 2>/dev/null || { apt_get install -y -qq python3-venv && "$PY" -m venv "$VENV"; }
fi
STAMP="$VENV/.installed-$EXTRA-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
    echo "saywell setup: installing Python packages ($EXTRA)" >&2
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e "$ROOT[$EXTRA]" >&2
    touch "$STAMP"
fi
