import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "audio_samples"
MODEL = Path(os.environ.get("SAYWELL_MODEL", ROOT / "models" / "saywell-en.tflite"))
# CMUdict's two pronunciations of "hello": the scorer reports the one that fitted the audio best.
HELLO = (["HH", "AH", "L", "OW"], ["HH", "EH", "L", "OW"])


@pytest.fixture(autouse=True)
def saywell_home(tmp_path, monkeypatch):
    """Lists and progress go to a fresh folder per test (inherited by CLI subprocesses), never the real home."""
    home = tmp_path / "saywell-home"
    monkeypatch.setenv("SAYWELL_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def scorer():
    from saywell.engine.model import AcousticModel
    from saywell.engine.scoring import Scorer

    return Scorer(AcousticModel(MODEL))


def ctrl_c_as_in_a_terminal() -> None:
    """preexec_fn for a child that will get SIGINT: a suite started in the background (`cmd &` in a script)
    inherits SIGINT ignored, and Python then never raises KeyboardInterrupt; a learner's terminal does not."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The installed entry point, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "saywell", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, timeout=300)
