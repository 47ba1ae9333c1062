"""RHVoice's US voices bdl (male) and clb (female): HTS voices trained on two CMU ARCTIC speakers that no other
training voice is (flite's and festival's slt, awb and rms are three others), driven through the library (ctypes).

Phone input: every word goes in as SSML `<phoneme ph="...">` in RHVoice's own English phone set (CMUdict's, lower
case, with CMUdict's stress as 1/0 on the vowels), so canonical words and mispronounced twins take one path and
the voice says exactly the phones asked (it skips its lexicon and letter-to-sound rules for such a word). RHVoice
reports word events but no phone timings, so the labels come from forced alignment with the shipped model
(`model_labels`); research/aligned_labels.py measures how close that comes to engines' own timings.

The library and voices come from Debian non-free (`scripts/fetch-voices`, into `$SAYWELL_VOICES/rhvoice`); PyPI's
`rhvoice-wrapper-bin` has no Linux wheel (its source build clones RHVoice from the network), so it is not used.
One engine per process (loading takes ~0.3 s).
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from xml.sax.saxutils import quoteattr

import numpy as np

from saywell.engine.phones import VOWELS

from ..utterance import Utterance
from .espeak_voice import _cmudict_stress
from .fetched import voices_root
from .model_labels import aligned_utterance

VOICES = ("bdl", "clb")  # also in the package: slt (already a training speaker), alan (Scottish), evgeniy-eng, lyubov

_SR = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)
_SPEECH = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_uint, ctypes.c_void_p)
_TEXT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_EVENT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p)
_DONE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_SSML = 1  # RHVoice_message_ssml


class _Callbacks(ctypes.Structure):  # RHVoice.h RHVoice_callbacks
    _fields_ = [("set_sample_rate", _SR), ("play_speech", _SPEECH), ("process_mark", _TEXT), ("word_starts", _EVENT),
                ("word_ends", _EVENT), ("sentence_starts", _EVENT), ("sentence_ends", _EVENT), ("play_audio", _TEXT),
                ("done", _DONE)]


class _InitParams(ctypes.Structure):
    _fields_ = [("data_path", ctypes.c_char_p), ("config_path", ctypes.c_char_p),
                ("resource_paths", ctypes.POINTER(ctypes.c_char_p)), ("callbacks", _Callbacks), ("options", ctypes.c_uint)]


class _SynthParams(ctypes.Structure):
    _fields_ = [("voice_profile", ctypes.c_char_p), ("absolute_rate", ctypes.c_double), ("absolute_pitch", ctypes.c_double),
                ("absolute_volume", ctypes.c_double), ("relative_rate", ctypes.c_double), ("relative_pitch", ctypes.c_double),
                ("relative_volume", ctypes.c_double), ("punctuation_mode", ctypes.c_int), ("punctuation_list", ctypes.c_char_p),
                ("capitals_mode", ctypes.c_int), ("flags", ctypes.c_int)]


def installed() -> bool:
    """The fetched library and voices, and libsonic0 (Debian main), which RHVoice's core library links to."""
    from ctypes.util import find_library

    root = voices_root() / "rhvoice"
    return ((root / "lib" / "libRHVoice.so.5").exists() and all((root / "data" / "voices" / v).is_dir() for v in VOICES)
            and find_library("sonic") is not None)


class _Engine:
    """The process's RHVoice engine: speak() returns one message's samples and their rate."""

    def __init__(self):
        root = voices_root() / "rhvoice"
        if not installed():
            raise FileNotFoundError(f"no RHVoice in {root}: run scripts/fetch-voices rhvoice (or set SAYWELL_VOICES)")
        ctypes.CDLL(str(root / "lib" / "libRHVoice_core.so.7"), mode=ctypes.RTLD_GLOBAL)  # found by soname next
        self.lib = ctypes.CDLL(str(root / "lib" / "libRHVoice.so.5"))
        self.lib.RHVoice_new_tts_engine.restype = ctypes.c_void_p
        self.lib.RHVoice_new_message.restype = ctypes.c_void_p
        self.lib.RHVoice_new_message.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint, ctypes.c_int,
                                                 ctypes.POINTER(_SynthParams), ctypes.c_void_p]
        self.lib.RHVoice_speak.argtypes = [ctypes.c_void_p]
        self.lib.RHVoice_delete_message.argtypes = [ctypes.c_void_p]
        self.rate = 0
        self._chunks: list[np.ndarray] = []
        # kept as attributes: the library holds these pointers for the engine's life
        self._callbacks = _Callbacks(_SR(self._set_rate), _SPEECH(self._speech), _TEXT(0), _EVENT(0), _EVENT(0),
                                     _EVENT(0), _EVENT(0), _TEXT(0), _DONE(0))
        config = root / "config"  # empty: no user settings or dictionaries from /etc/RHVoice
        config.mkdir(exist_ok=True)
        self._params = _InitParams(str(root / "data").encode(), str(config).encode(), None, self._callbacks, 0)
        self.engine = self.lib.RHVoice_new_tts_engine(ctypes.byref(self._params))
        if not self.engine:
            raise RuntimeError(f"RHVoice could not start with the data in {root / 'data'}")

    def _set_rate(self, rate: int, _user) -> int:
        self.rate = rate
        return 1

    def _speech(self, samples, count: int, _user) -> int:
        self._chunks.append(np.ctypeslib.as_array(samples, (count,)).astype(np.float32) / 32768)
        return 1

    def speak(self, voice: str, ssml: str, rate: float, pitch: float) -> tuple[np.ndarray, int]:
        params = _SynthParams(voice.encode(), 0.0, 0.0, 0.0, rate, pitch, 1.0, 0, None, 0, 0)
        data = ssml.encode()
        self._chunks = []
        msg = self.lib.RHVoice_new_message(self.engine, data, len(data), _SSML, ctypes.byref(params), None)
        if not msg:
            raise RuntimeError(f"RHVoice refused the message {ssml[:200]!r}")
        try:
            if not self.lib.RHVoice_speak(msg):
                raise RuntimeError(f"RHVoice {voice} failed on {ssml[:200]!r}")
        finally:
            self.lib.RHVoice_delete_message(msg)
        if not self._chunks:
            raise RuntimeError(f"RHVoice {voice} returned no audio for {ssml[:200]!r}")
        return np.concatenate(self._chunks), self.rate


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine()


def phone_string(phones: tuple[str, ...], stress: tuple[int, ...] | None) -> str:
    """('AH','B','AW','T') with CMUdict stress (0, 1) -> "ah0 b aw1 t"; without it the first vowel is stressed.
    RHVoice's English syllabifier knows stress 0 and 1 only: CMUdict's secondary stress counts as 1."""
    n_vowels = sum(p in VOWELS for p in phones)
    if stress is None or len(stress) != n_vowels or not any(stress):
        stress = tuple(1 if i == 0 else 0 for i in range(n_vowels))
    out, v = [], 0
    for p in phones:
        if p in VOWELS:
            out.append(f"{p.lower()}{1 if stress[v] else 0}")
            v += 1
        else:
            out.append(p.lower())
    return " ".join(out)


class RHVoiceVoice:
    """bdl or clb; rate is RHVoice's relative rate (1 = the voice's own), pitch its relative pitch."""

    def __init__(self, voice: str, rate: float = 1.0, pitch: float = 1.0, name: str | None = None):
        if voice not in VOICES:
            raise ValueError(f"RHVoice voice {voice!r}: use one of {', '.join(VOICES)}")
        self.voice, self.rate, self.pitch = voice, rate, pitch
        self.name = name or f"rhvoice_{voice}"

    def ssml(self, words: list[str], phones: list[tuple[str, ...]]) -> str:
        stress = _cmudict_stress()
        return "<speak>" + " ".join(f"<phoneme ph={quoteattr(phone_string(p, stress.get(w.lower())))}/>"
                                    for w, p in zip(words, phones)) + "</speak>"

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        from .mbrola_voice import _dictionary_phones

        phones = [tuple(p) for p in phones] if phones is not None else _dictionary_phones(words)
        ssml = self.ssml(words, phones)
        audio, rate = _engine().speak(self.voice, ssml, self.rate, self.pitch)
        return aligned_utterance(audio, rate, words, phones, set(), self.name,
                                 {"rate": self.rate, "pitch": self.pitch, "ssml": ssml})
