"""Score takes ROOT/<voice>/<word>.wav with saywell score-batch (right text and one-phone-away text) and
Whisper tiny.en (saywell_train.transcribe, 1 thread). Run with .venv/bin/python.

    python evaluate.py ROOT [voice ...]      -> ROOT/results.jsonl, ROOT/summary.tsv (printed)
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

os.environ["SAYWELL_WHISPER_THREADS"] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
from words import HOMOPHONES, PAIRS, WORDS  # noqa: E402

SAYWELL = str(HERE.parents[1] / ".venv" / "bin" / "saywell")


def score_batch(root: Path, rows: list[tuple[Path, str]], name: str) -> list[dict]:
    man = root / f"manifest_{name}.tsv"
    man.write_text("".join(f"{p.resolve()}\t{t}\n" for p, t in rows), encoding="utf-8")
    out = root / f"scores_{name}.jsonl"
    if out.exists() and len(out.read_text().splitlines()) == len(rows):
        lines = out.read_text().splitlines()
    else:
        r = subprocess.run([SAYWELL, "score-batch", "--threads", "1", "--accent", "any", str(man)],
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stderr, file=sys.stderr)
        lines = [l for l in r.stdout.splitlines() if l.strip().startswith("{")]
        out.write_text("\n".join(lines) + "\n")
    assert len(lines) == len(rows), (len(lines), len(rows))
    return [json.loads(l) for l in lines]


def norm(t: str) -> str:
    return re.sub(r"[^a-z0-9' ]", "", t.lower()).strip()


def whisper_ok(word: str, text: str) -> bool:
    t = norm(text)
    return t == word or t in HOMOPHONES.get(word, set())


def whisper_loose(word: str, text: str) -> bool:
    """The word (or a homophone) is a substring of Whisper's text: 'Thinker', 'Windows', 'Waters' pass."""
    t = norm(text).replace(" ", "")
    return whisper_ok(word, text) or word in t or any(h in t for h in HOMOPHONES.get(word, set()))


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    voices = sys.argv[2:] or sorted(p.name for p in root.iterdir() if p.is_dir())
    takes = [(v, w, root / v / f"{w}.wav") for v in voices for w in WORDS if (root / v / f"{w}.wav").exists()]
    right = score_batch(root, [(p, w) for _, w, p in takes], "right")
    pair_of = dict(PAIRS)
    ptakes = [(v, w, p) for v, w, p in takes if w in pair_of]
    wrong = score_batch(root, [(p, pair_of[w]) for _, w, p in ptakes], "wrong")
    from saywell_train.transcribe import transcribe_cached
    heard = transcribe_cached([p for *_, p in takes], root / "whisper.tsv", progress=False)
    res = []
    wrong_by = {(v, w): s for (v, w, _), s in zip(ptakes, wrong)}
    for (v, w, p), s in zip(takes, right):
        h = heard[(os.path.relpath(p.resolve(), root), 1.0)]
        ws = wrong_by.get((v, w))
        res.append({"voice": v, "word": w, "verdict": s.get("verdict"), "score": s.get("score"),
                    "wrong_text": pair_of.get(w), "wrong_verdict": ws.get("verdict") if ws else None,
                    "wrong_score": ws.get("score") if ws else None,
                    "whisper": h.text, "whisper_ok": whisper_ok(w, h.text),
                    "whisper_loose": whisper_loose(w, h.text), "raw": s})
    with open(root / "results.jsonl", "w", encoding="utf-8") as f:
        for r in res:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    lines = ["voice\tn\taccepted%\tmean_score\tpair_rejected%\twhisper%\twhisper_loose%\tmedian_score"]
    for v in voices:
        rs = [r for r in res if r["voice"] == v]
        if not rs:
            continue
        ps = [r for r in rs if r["wrong_verdict"] is not None]
        sc = [r["score"] for r in rs if isinstance(r["score"], (int, float))]
        lines.append(f"{v}\t{len(rs)}\t{100 * sum(r['verdict'] == 'correct' for r in rs) / len(rs):.0f}"
                     f"\t{sum(sc) / max(1, len(sc)):.1f}"
                     f"\t{100 * sum(r['wrong_verdict'] != 'correct' for r in ps) / max(1, len(ps)):.0f}"
                     f"\t{100 * sum(r['whisper_ok'] for r in rs) / len(rs):.0f}"
                     f"\t{100 * sum(r['whisper_loose'] for r in rs) / len(rs):.0f}\t{sorted(sc)[len(sc) // 2]:.1f}")
    (root / "summary.tsv").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
