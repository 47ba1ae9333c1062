"""Debian's MBROLA voices: recorded diphones of real people, driven by espeak-ng's prosody.

Each voice is one person's recording, so every voice added is a new vocal tract, which is what the model lacks
(unseen speakers are its weakness). Native English voices (us1-us3, British en1) say English phones as
asked; the accented `-en` variants (a German, French, Swedish ... speaker's diphones reading English through
espeak-ng's phone map) say some English phones with a sound of their own language: TH as t, f or s, R as a
uvular R, IH as i. Those are exactly the errors learners make, so they are labelled with care:

- espeak-ng (`--pho`) turns our phones into the voice's own phone list with durations and pitch; the
  `mbrola` binary then speaks that list, so every phone's time is known exactly (no event timing to trust).
- Each English phone asked for is aligned to the voice phones it became. It is *faithful* when they are a
  rendering a native English voice uses (FAITHFUL below); otherwise it is an accent substitution: masked in
  training (the network hears it as context but is not taught it is that English phone), and reported as
  a known accent error in validation. With the recipe's `accent_labels=heard`, a substitution that is itself
  a native rendering of another English phone (TH said as s) is taught as that phone (S) instead.

The voices come from `scripts/fetch-mbrola` (Debian contrib/non-free, fetched without touching the system's
apt sources) into `$SAYWELL_VOICES` (default `data/voices`). They may make training audio; they are never
shipped.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from saywell.audio.wav import load_wav
from saywell.engine.phones import SIL

from ..utterance import Segment, Utterance
from .espeak_voice import _cmudict_stress, to_mnemonics
from .fetched import fetch, voices_root
from .foreign_voice import MASKED

_RATE = 16000
_LEAD_MS = 150  # silence before the first phone (espeak's .pho starts with the word)

# What a native English MBROLA voice (us1-us3, en1) says for each ARPAbet phone, in its SAMPA phone names;
# ':' (length) is ignored when comparing, and a phone split in two counts by its joined name (t S = tS).
# Strict on purpose: the US target. British NURSE (3) or a dropped R are not faithful to it.
FAITHFUL: dict[str, frozenset[str]] = {p: frozenset(s.split()) for p, s in {
    "AA": "A", "AE": "{", "AH": "V @", "AO": "O", "AW": "aU", "AY": "AI aI", "EH": "E e", "ER": "r= 3` r=r",
    "EY": "EI eI", "IH": "I", "IY": "i", "OW": "@U oU", "OY": "OI", "UH": "U", "UW": "u",
    "B": "b", "CH": "tS", "D": "d", "DH": "D", "F": "f", "G": "g", "HH": "h", "JH": "dZ", "K": "k k_h kh",
    "L": "l l= 5", "M": "m m=", "N": "n n=", "NG": "N", "P": "p p_h ph", "R": "r r\\", "S": "s", "SH": "S",
    "T": "t t_h th 4", "TH": "T", "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "Z",
}.items()}
_PAUSE = "_"


def voices_dir() -> Path:
    d = voices_root()
    if not (d / "bin" / "mbrola").exists():
        raise FileNotFoundError(f"no MBROLA voices in {d}: run scripts/fetch-mbrola (or set SAYWELL_VOICES)")
    return d


def ensure_voices(voices: list[str]) -> None:
    """Fetch the MBROLA voices a recipe needs that are not here yet (scripts/fetch-mbrola: Debian's own packages)."""
    d = voices_root()
    missing = sorted({v.split("-")[0] for v in voices} - {p.name for p in (d / "mbrola").glob("*") if (p / p.name).exists()})
    if missing or not (d / "bin" / "mbrola").exists():
        fetch("fetch-mbrola", *missing)


def _env() -> dict:
    d = voices_dir()
    return {**os.environ, "ESPEAK_DATA_PATH": str(d), "PATH": f"{d / 'bin'}:{os.environ.get('PATH', '')}"}


def _joined(rendered: tuple[str, ...]) -> str:
    """Voice phones compared as one name, length ignored: t S is tS, a: is a."""
    return "".join(rendered).replace(":", "")


def is_faithful(phone: str, rendered: tuple[str, ...]) -> bool:
    if not rendered:
        return False
    allowed = {s.replace(":", "") for s in FAITHFUL[phone]}
    return _joined(rendered) in allowed


_LAX = frozenset("IH EH UH AE AH".split())

# Which English phone a voice rendering is, when it is exactly one native rendering (t -> T, s -> S, i -> IY).
_HEARD_AS: dict[str, str] = {}
for _phone, _renderings in FAITHFUL.items():
    for _r in _renderings:
        _HEARD_AS.setdefault(_r.replace(":", ""), _phone)


def heard_as(rendered: str) -> str | None:
    """The English phone an accented rendering ("t S", as meta['unfaithful'] keeps it) sounds as (a German
    voice's TH said `s` is S), or None when it is no English phone (a uvular R, a dropped phone "-"): then it
    stays masked."""
    phone = _HEARD_AS.get(_joined(tuple(rendered.split())))
    return None if ":" in rendered and phone in _LAX else phone  # German e: is no English EH: masked


def relabel_accent_errors(segments: list[Segment], unfaithful: list) -> list[Segment]:
    """Segments with each masked accent substitution labelled as the English phone it was said as, where
    there is one: the network is then taught that a German TH-as-s is S, so it flags that S in a learner.

    The k-th masked segment is the k-th substitution that was said (synthesize() masks each substituted
    phone as its own segment, in order); when the counts disagree the segments are returned unchanged."""
    said = [r for _, _, r in unfaithful if r and r != "-"]
    masked = [i for i, seg in enumerate(segments) if seg.phone == MASKED]
    if len(said) != len(masked):
        return segments
    out = list(segments)
    for i, rendered in zip(masked, said):
        phone = heard_as(rendered)
        if phone is not None:
            out[i] = Segment(phone, out[i].start_s, out[i].end_s)
    return out


@dataclass(frozen=True)
class PhoPhone:
    name: str
    ms: float
    pitch: tuple[tuple[float, float], ...]  # (position %, Hz) pairs


def parse_pho(text: str) -> list[PhoPhone]:
    out = []
    for line in text.splitlines():
        line = line.split(";", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        vals = [float(v) for v in parts[2:]]
        out.append(PhoPhone(parts[0], float(parts[1]), tuple(zip(vals[::2], vals[1::2]))))
    return out


def align(asked: list[str], said: list[str]) -> list[tuple[int, ...]]:
    """For each asked ARPAbet phone, the indices of the voice phones it became (possibly none or two).

    Edit-distance alignment where a faithful rendering costs nothing; a voice phone left over (inserted) joins
    the asked phone before it, which then no longer counts as faithful."""
    n, m = len(asked), len(said)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            c = cost[i][j]
            if c == inf:
                continue
            steps = []
            if i < n:
                steps.append((i + 1, j, 1.0))  # asked phone not said
                if j < m:
                    steps.append((i + 1, j + 1, 0.0 if is_faithful(asked[i], (said[j],)) else 1.0))
                if j + 1 < m:
                    steps.append((i + 1, j + 2, 0.0 if is_faithful(asked[i], (said[j], said[j + 1])) else 1.5))
            if j < m and i > 0:
                steps.append((i, j + 1, 1.0))  # extra voice phone, joins the asked phone before it
            for ni, nj, w in steps:
                if c + w < cost[ni][nj]:
                    cost[ni][nj], back[ni][nj] = c + w, (i, j)
    if cost[n][m] == inf:
        raise ValueError(f"cannot align {asked} to {said}")
    groups: list[list[int]] = [[] for _ in range(n)]
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj = back[i][j]
        groups[i - 1].extend(range(pj, j))  # a step either ends asked phone i-1 or adds to it
        i, j = pi, pj
    return [tuple(sorted(g)) for g in groups]


def _dictionary_phones(words: list[str]) -> list[tuple[str, ...]]:
    from saywell.engine.lexicon import _cmudict

    lex = _cmudict()
    return [lex[w.lower()] for w in words]


def _speak(voice: str, seq: list[PhoPhone], strict: bool = False):
    """mbrola speaks the phone list (16 kHz samples); with strict, None when a diphone was missing (silence)."""
    with tempfile.TemporaryDirectory() as td:
        pho_path, wav = Path(td) / "in.pho", Path(td) / "out.wav"
        pho_path.write_text("".join(f"{p.name} {p.ms:g}" + "".join(f" {a:g} {b:g}" for a, b in p.pitch) + "\n"
                                    for p in seq))
        r = subprocess.run(["mbrola", "-e", str(voice_file(voice)), str(pho_path), str(wav)],
                           capture_output=True, text=True, env=_env(), timeout=60)
        if strict and (r.returncode != 0 or not wav.exists() or "unknown" in (r.stderr + r.stdout).lower()):
            return None
        if r.returncode != 0 or not wav.exists():
            raise RuntimeError(f"mbrola {voice} failed: {r.stderr.strip()[:200]}")
        return load_wav(wav, _RATE).samples


def _segments(seq: list[PhoPhone], labels: list[str], owners: list[int], duration: float) -> list[Segment]:
    """Contiguous segments from the spoken list: each voice phone's label (SIL for a pause), pauses merged, and
    two pieces of one asked phone (t S) one segment; the audio's tail is silence."""
    segs: list[Segment] = []
    t = 0.0
    for k, p in enumerate(seq):
        start, end = t, min(t + p.ms / 1000, duration)
        t += p.ms / 1000
        if end <= start:
            continue
        if segs and segs[-1].phone == labels[k] and (labels[k] == SIL or owners[k] == owners[k - 1]):
            segs[-1] = Segment(labels[k], segs[-1].start_s, end)
        else:
            segs.append(Segment(labels[k], start, end))
    if segs and segs[-1].end_s < duration:
        last = segs[-1]
        if last.phone == SIL:
            segs[-1] = Segment(SIL, last.start_s, duration)
        else:
            segs.append(Segment(SIL, last.end_s, duration))
    return segs


@lru_cache(maxsize=None)
def voice_file(voice: str) -> Path:
    """'de5-en' -> data/voices/mbrola/de5/de5."""
    base = voice.split("-")[0]
    path = voices_dir() / "mbrola" / base / base
    if not path.exists():
        raise FileNotFoundError(f"MBROLA voice {base} not fetched: run scripts/fetch-mbrola {base}")
    return path


class MbrolaVoice:
    """One MBROLA voice read through espeak-ng: `us2`, `en1` (native) or `de1-en` (accented)."""

    def __init__(self, voice: str, rate_wpm: int = 165, pitch: int = 50, name: str | None = None):
        self.voice = voice
        self.name = name or "mbrola_" + voice.replace("-", "_")
        self.rate_wpm, self.pitch = rate_wpm, pitch

    def pho(self, words: list[str], phones: list[tuple[str, ...]]) -> list[PhoPhone]:
        stress = _cmudict_stress()
        text = "[[" + " ".join(to_mnemonics(tuple(p), stress.get(w.lower())) for w, p in zip(words, phones)) + "]]"
        r = subprocess.run(["espeak-ng", "-v", f"mb-{self.voice}", "-s", str(self.rate_wpm), "-p", str(self.pitch),
                            "-q", "--pho", text], capture_output=True, text=True, env=_env(), timeout=60)
        if r.returncode != 0 or not r.stdout.strip():
            raise RuntimeError(f"espeak-ng -v mb-{self.voice} failed: {r.stderr.strip()[:200]}")
        return parse_pho(r.stdout)

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        """Audio with each asked phone's segment; unfaithful ones labelled MASKED and listed in meta['unfaithful']
        as (word index, phone index, what the voice said)."""
        phones = phones if phones is not None else _dictionary_phones(words)
        seq = [PhoPhone(_PAUSE, _LEAD_MS, ())] + self.pho(words, phones)
        audio = _speak(self.voice, seq)
        spoken = [k for k, p in enumerate(seq) if p.name != _PAUSE]
        asked = [(wi, pi, ph) for wi, word in enumerate(phones) for pi, ph in enumerate(word)]
        groups = align([a[2] for a in asked], [seq[k].name for k in spoken])
        label = [SIL] * len(seq)
        owner = [-1] * len(seq)  # which asked phone each voice phone belongs to (-1: a pause)
        unfaithful = []
        for n, ((wi, pi, ph), g) in enumerate(zip(asked, groups)):
            rendered = tuple(seq[spoken[k]].name for k in g)
            ok = is_faithful(ph, rendered)
            if not ok:
                unfaithful.append((wi, pi, " ".join(rendered) or "-"))
            for k in g:
                label[spoken[k]] = ph if ok else MASKED
                owner[spoken[k]] = n
        segs = _segments(seq, label, owner, len(audio) / _RATE)
        return Utterance(audio, segs, " ".join(words), self.name,
                         {"rate_wpm": self.rate_wpm, "pitch": self.pitch, "unfaithful": unfaithful})


# ---- voices of other languages, speaking English phones through a phone map ---------------------------------

# Each English voice phone (us1/us2 SAMPA) -> what another language's voice may say instead, best first; a
# rendering of two phones is written "a j". Only a phone in foreign_voice.KEPT (fricatives, nasals, liquids,
# glides, affricates) said with the English voice's own phone name keeps its label: vowels, R and stops of
# another language are near, not the same (an unaspirated p sounds like b to an English ear), so they are masked.
RENDERINGS: dict[str, tuple[str, ...]] = {k: tuple(v.split(",")) for k, v in {
    "p": "p", "p_h": "p", "b": "b", "t": "t", "t_h": "t", "4": "t,d", "d": "d", "k": "k", "k_h": "k", "g": "g",
    "f": "f", "v": "v,w,b", "T": "T,t,s", "D": "D,d,z", "s": "s", "z": "z,s", "S": "S,s", "Z": "Z,z,S",
    "h": "h,x", "m": "m", "n": "n", "N": "N,ng,n", "l": "l", "l=": "l", "m=": "m", "n=": "n",
    "r": "r\\,r,R", "w": "w,u", "j": "j,i", "tS": "tS,t S", "dZ": "dZ,d Z",
    "i": "i,i:", "I": "I,i", "E": "E,e", "{": "{,E,e,a", "A": "A,a:,a,A:", "V": "V,a,6,@", "@": "@,6,e",
    "O": "O,O:,o", "U": "U,u", "u": "u,u:", "r=": "r=,3:,@ r,e r", "EI": "EI,e:,e j,e i", "AI": "AI,aI,a j,a i",
    "OI": "OI,OY,o j,O j", "aU": "aU,a u,a w", "@U": "@U,o:,o u,o w,o",
}.items()}


@lru_cache(maxsize=None)
def inventory(voice: str) -> frozenset[str]:
    """The phones a voice can say alone between pauses (its _-X and X-_ diphones exist), probed once and kept."""
    import json

    cache = voices_dir() / ".cache" / f"inventory-{voice}.json"
    if cache.exists():
        return frozenset(json.loads(cache.read_text()))
    wanted = sorted({p for r in RENDERINGS.values() for alt in r for p in alt.split()})
    have = []
    with tempfile.TemporaryDirectory() as td:
        for p in wanted:
            pho = Path(td) / "p.pho"
            pho.write_text(f"_ 50\n{p} 100\n_ 50\n")
            r = subprocess.run(["mbrola", str(voice_file(voice)), str(pho), str(Path(td) / "o.wav")],
                               capture_output=True, text=True, env=_env(), timeout=60)
            if r.returncode == 0 and "unknown" not in (r.stderr + r.stdout).lower():
                have.append(p)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(have))
    return frozenset(have)


def gender(voice: str) -> str:
    path = voices_dir() / "espeak-ng-data" / "voices" / "mb" / f"mb-{voice}"
    for line in path.read_text(errors="replace").splitlines() if path.exists() else ():
        if line.startswith("gender"):
            return line.split()[1]
    return "male"


class MappedMbrolaVoice:
    """A voice of another language (Spanish es1, Brazilian br3, Turkish tr1 ...) saying English phones: a native
    English MBROLA voice of the same sex gives the phones' durations and pitch, each phone is mapped to the
    nearest one this voice has, and only consonants it says exactly keep their label. A take in which a
    diphone is missing (mbrola would put silence there) is dropped: synthesize returns None."""

    def __init__(self, voice: str, rate_wpm: int = 165, pitch: int = 50, name: str | None = None):
        self.voice = voice
        self.name = name or f"mbrola_{voice}_mapped"
        self.prosody = MbrolaVoice("us1" if gender(voice) == "female" else "us2", rate_wpm, pitch)

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance | None:
        from .foreign_voice import KEPT

        phones = phones if phones is not None else _dictionary_phones(words)
        english = self.prosody.pho(words, phones)
        spoken = [k for k, p in enumerate(english) if p.name != _PAUSE]
        asked = [ph for word in phones for ph in word]
        where = [(wi, pi) for wi, word in enumerate(phones) for pi in range(len(word))]
        groups = align(asked, [english[k].name for k in spoken])
        owner = {spoken[k]: n for n, g in enumerate(groups) for k in g}
        have = inventory(self.voice)
        seq = [PhoPhone(_PAUSE, _LEAD_MS, ())]
        owners = [-1]  # the asked phone each phone of seq renders (-1: a pause)
        rendered: list[list[str]] = [[] for _ in asked]
        exact = [True] * len(asked)  # said by the English voice's own phone, not a stand-in
        for k, p in enumerate(english):
            n = owner.get(k, -1)
            if p.name == _PAUSE:
                seq.append(p)
                owners.append(-1)
                continue
            choice = next((alt.split() for alt in RENDERINGS.get(p.name, ()) if all(x in have for x in alt.split())), None)
            if choice is None or n < 0:
                return None  # no sound near enough (or an English phone left over): not this take
            exact[n] = exact[n] and choice == [p.name]
            for i, x in enumerate(choice):
                seq.append(PhoPhone(x, p.ms / len(choice), p.pitch if i == 0 else ()))
                owners.append(n)
                rendered[n].append(x)
        audio = _speak(self.voice, seq, strict=True)
        if audio is None:
            return None
        unfaithful = []
        label = []
        for n, ph in enumerate(asked):
            keep = exact[n] and ph in KEPT and is_faithful(ph, tuple(rendered[n]))
            label.append(ph if keep else MASKED)
            if not keep:
                unfaithful.append((*where[n], " ".join(rendered[n]) or "-"))
        labels = [SIL if n < 0 else label[n] for n in owners]
        segs = _segments(seq, labels, owners, len(audio) / _RATE)
        return Utterance(audio, segs, " ".join(words), self.name, {"unfaithful": unfaithful})
