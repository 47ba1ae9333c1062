"""How the experiments report: each row printed as it is measured, and appended to a result file when asked."""

from __future__ import annotations

import json
from pathlib import Path


def show(row: dict, rows: list[dict]) -> None:
    rows.append(row)
    print(json.dumps(row), flush=True)


def save(rows: list[dict], out: Path | None) -> None:
    if out:
        with out.open("a") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
