"""Voices fetched from Debian's contrib and non-free sections into a private folder (`scripts/fetch-mbrola`,
`scripts/fetch-voices`): where they live, and fetching what a recipe needs before synthesis starts.

They are fetched by the project's own scripts, never installed system-wide, because the system's apt sources
stay as they are (main only); they may make training audio and are never shipped.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def voices_root() -> Path:
    """`$SAYWELL_VOICES`, default data/voices (gitignored)."""
    from saywell import PROJECT_ROOT

    return Path(os.environ.get("SAYWELL_VOICES", PROJECT_ROOT / "data" / "voices"))


def fetch(script: str, *args: str) -> None:
    """Run scripts/SCRIPT (it skips what is already there, so a second call costs well under a second)."""
    from saywell import PROJECT_ROOT

    subprocess.run(["bash", str(PROJECT_ROOT / "scripts" / script), *args], check=True, stdout=subprocess.DEVNULL)
