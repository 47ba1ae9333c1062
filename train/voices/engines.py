"""Classic synthesis engines from Debian (flite, festival, espeak-ng), each returning audio with phone timings.

Labels come from the engine itself (flite -psdur, festival's Segment relation), so every frame's
phone is what the synthesizer actually produced, including deliberately altered phones.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from saywell.audio.wav import load_wav
from saywell.engine.phones import PHONES, SIL, VOWELS

from ..utterance import Segment, Utterance

# flite/festival "radio" phone names that are not plain ARPAbet
_ENGINE_PHONE = {"pau": SIL, "h#": SIL, "brth": SIL, "ax": "AH", "axr": "ER", "dx": "T", "nx": "N", "el": "L", "em": "M", "en": "N"}


def engine_phone_to_arpabet(p: str) -> str:
    p = p.lower()
    if p in _ENGINE_PHONE:
        return _ENGINE_PHONE[p]
    up = p.upper()
    if up not in PHONES:
        raise ValueError(f"engine phone {p!r} has no ARPAbet equivalent")
    return up


def segments_from_ends(pairs: list[tuple[str, float]], duration_s: float) -> list[Segment]:
    """(phone, end time) pairs -> contiguous Segments; adjacent silences merged, last end = duration."""
    segs: list[Segment] = []
    start = 0.0
    for i, (name, end) in enumerate(pairs):
        phone = engine_phone_to_arpabet(name)
        end = duration_s if i == len(pairs) - 1 else min(end, duration_s)
        if end <= start:
            continue
        if segs and phone == SIL and segs[-1].phone == SIL:
            segs[-1] = Segment(SIL, segs[-1].start_s, end)
        else:
            segs.append(Segment(phone, start, end))
        start = end
    return segs


def _lex_phones(phones: tuple[str, ...]) -> list[str]:
    """ARPAbet -> engine lexicon phones: lower case, primary stress on the first vowel."""
    out, stressed = [], False
    for p in phones:
        if p in VOWELS:
            out.append(p.lower() + ("0" if stressed else "1"))
            stressed = True
        else:
            out.append(p.lower())
    return out


class FliteVoice:
    """flite voices: awb, rms, slt, kal16 (16 kHz), kal (8 kHz)."""

    def __init__(self, voice: str, f0_mean: float | None = None, duration_stretch: float | None = None):
        self.voice = voice
        self.name = f"flite_{voice}"
        self.f0_mean = f0_mean
        self.duration_stretch = duration_stretch

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        with tempfile.TemporaryDirectory() as td:
            wav = os.path.join(td, "out.wav")
            cmd = ["flite", "-voice", self.voice]
            if self.f0_mean:
                cmd += ["--setf", f"int_f0_target_mean={self.f0_mean:.0f}"]
            if self.duration_stretch:
                cmd += ["--setf", f"duration_stretch={self.duration_stretch:.2f}"]
            if phones is not None:
                lex = os.path.join(td, "lex.txt")
                Path(lex).write_text("".join(f"{w} : {' '.join(_lex_phones(p))}\n" for w, p in zip(words, phones)))
                cmd += ["-add_lex", lex]
            cmd += ["-psdur", "-t", " ".join(words), "-o", wav]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout
            audio = load_wav(wav).samples
        pairs = [(tok.rsplit(":", 1)[0], float(tok.rsplit(":", 1)[1])) for tok in out.split() if ":" in tok]
        segs = segments_from_ends(pairs, len(audio) / 16000)
        return Utterance(audio, segs, " ".join(words), self.name,
                         {"f0_mean": self.f0_mean, "duration_stretch": self.duration_stretch})


def _scheme_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _syllables(phones: tuple[str, ...]) -> str:
    """Festival lexicon syllables: one per vowel, consonants before a vowel join it, trailing ones the last."""
    sylls: list[list[str]] = []
    cur: list[str] = []
    for p in phones:
        cur.append(p.lower())
        if p in VOWELS:
            sylls.append(cur)
            cur = []
    if cur:
        if sylls:
            sylls[-1].extend(cur)
        else:
            sylls.append(cur)
    return " ".join(f"(({' '.join(s)}) {1 if i == 0 else 0})" for i, s in enumerate(sylls))


def _merge_er_r(segs: list[Segment]) -> list[Segment]:
    """Festival's diphone voices emit 'er r' for CMUdict's ER before a consonant; the audio is one ER."""
    out: list[Segment] = []
    for i, s in enumerate(segs):
        nxt = segs[i + 1].phone if i + 1 < len(segs) else SIL
        if s.phone == "R" and out and out[-1].phone == "ER" and nxt not in VOWELS:
            out[-1] = Segment("ER", out[-1].start_s, s.end_s)
        else:
            out.append(s)
    return out


class FestivalVoice:
    """festival voices from Debian: kal_diphone, ked_diphone, cmu_us_slt_arctic_hts. Batched: one process, many utterances."""

    def __init__(self, voice: str, duration_stretch: float | None = None):
        self.voice = voice
        self.name = f"festival_{voice.replace('_diphone', '').replace('cmu_us_', '').replace('_arctic_hts', '_hts')}"
        self.duration_stretch = duration_stretch

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        return self.synthesize_many([(words, phones)])[0]

    def synthesize_many(self, items: list[tuple[list[str], list[tuple[str, ...]] | None]]) -> list[Utterance]:
        with tempfile.TemporaryDirectory() as td:
            lines = [f"(voice_{self.voice})"]
            if self.duration_stretch:
                lines.append(f"(Parameter.set 'Duration_Stretch {self.duration_stretch:.2f})")
            # Canonical items first: a lexicon override stays for the rest of the process.
            order = sorted(range(len(items)), key=lambda k: items[k][1] is not None)
            for i in order:
                words, phones = items[i]
                if phones is not None:
                    for w, p in zip(words, phones):
                        lines.append(f"(lex.add.entry '({_scheme_str(w)} nil ({_syllables(p)})))")
                wav = os.path.join(td, f"{i}.wav")
                lines.append(f"(set! utt (SynthText {_scheme_str(' '.join(words))}))")
                lines.append(f"(utt.save.wave utt {_scheme_str(wav)} 'riff)")
                lines.append(f'(format t "@@{i}\\n")')
                lines.append('(mapcar (lambda (s) (format t "%s:%f\\n" (item.name s) (item.feat s "end"))) '
                             "(utt.relation.items utt 'Segment))")
            script = os.path.join(td, "run.scm")
            Path(script).write_text("\n".join(lines) + "\n")
            out = subprocess.run(["festival", "-b", script], capture_output=True, text=True, check=True,
                                 timeout=60 + 10 * len(items)).stdout
            blocks: dict[int, list[tuple[str, float]]] = {}
            cur = None
            for line in out.splitlines():
                if line.startswith("@@"):
                    cur = int(line[2:])
                    blocks[cur] = []
                elif cur is not None and ":" in line:
                    name, end = line.rsplit(":", 1)
                    blocks[cur].append((name, float(end)))
            utts = []
            for i, (words, phones) in enumerate(items):
                audio = load_wav(os.path.join(td, f"{i}.wav")).samples
                segs = _merge_er_r(segments_from_ends(blocks[i], len(audio) / 16000))
                utts.append(Utterance(audio, segs, " ".join(words), self.name,
                                      {"duration_stretch": self.duration_stretch}))
            return utts
