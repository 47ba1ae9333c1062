"""scripts/setup.sh waits for the package manager's locks (a fresh Pi runs its daily apt job at boot) instead of
failing at once: a real fcntl lock, as dpkg and apt take, held by another process."""

import subprocess
import sys
import time

from conftest import ROOT

HOLD = ("import fcntl, sys, time\n"
        "f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(float(sys.argv[2]))\n")


def wait_for_apt(lock, wait_s):
    return subprocess.run(["bash", "-c", '. scripts/setup.sh --wait-for-apt'], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "SAYWELL_APT_LOCKS": f"{lock} /nonexistent/lock",
                               "SAYWELL_APT_WAIT_S": str(wait_s)}, timeout=60)


def hold(lock, seconds):
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "locked\n"
    return p


def test_waits_for_a_held_lock_and_goes_on_when_it_is_released(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.touch()
    t0 = time.monotonic()
    r = wait_for_apt(lock, 0)  # free: no wait, no message
    assert r.returncode == 0 and r.stderr == "" and time.monotonic() - t0 < 5
    holder = hold(lock, 2.5)
    try:
        t0 = time.monotonic()
        r = wait_for_apt(lock, 60)
        took = time.monotonic() - t0
    finally:
        holder.wait()
    assert r.returncode == 0, r.stderr
    assert took >= 1.5
    assert f"waiting for another package manager to finish (process {holder.pid} (python" in r.stderr
    assert f"holds {lock}" in r.stderr and len(r.stderr.splitlines()) == 1


def test_gives_up_after_the_timeout_with_one_line_saying_what_to_do(tmp_path):
    lock = tmp_path / "lock"
    lock.touch()
    holder = hold(lock, 30)
    try:
        r = wait_for_apt(lock, 2)
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 1
    assert "the package manager is still busy after 2 s" in r.stderr and "run this again" in r.stderr
