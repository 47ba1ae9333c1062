"""SVOX Pico's two English voices, en-US (lh0) and en-GB (kh0), both small female voices, driven through the
library (ctypes): pico2wave reads its lingware from a fixed /usr/share/pico/lang, which the private fetch does
not write to.

Phone input: every word goes in as `<phoneme alphabet="xsampa" ph="..."/>` (the self-closing form: with enclosed
text Pico also reads the text), so canonical words and mispronounced twins take one path. Pico's X-SAMPA wants
tie bars in diphthongs and affricates (a_I, t_S) and a length mark on tense vowels (i:, u:, A:, O:); a string it
cannot map is silently replaced by a pause, which synthesize() refuses rather than label. Pico reports no phone
timings, so the labels come from forced alignment with the shipped model (`model_labels`).

en-GB is a British voice: given American phones it says R after a vowel as asked (it is rhotic then), but its
vowels of GOAT (@U), NURSE (3:) and the unstressed r-coloured schwa keep British qualities, far from the US
target, so OW and ER are masked for it (heard as context, never taught); its other vowels are close to the
American ones. The library and lingware come from Debian non-free (`scripts/fetch-voices`, into
`$SAYWELL_VOICES/pico`).
"""

from __future__ import annotations

import ctypes
from functools import lru_cache

import numpy as np

from saywell.engine.phones import VOWELS

from ..utterance import Utterance
from .espeak_voice import _cmudict_stress
from .fetched import voices_root
from .model_labels import aligned_utterance

_RATE = 16000  # Pico's only output rate
_MEM = 6_000_000  # bytes for the whole Pico system: pico2wave gives one language 2.5 MB, we hold two
_STEP_BUSY = 201
LANGUAGES = {"en-US": "lh0", "en-GB": "kh0"}  # language -> signal-generation voice (both female)

# ARPAbet -> Pico X-SAMPA. AH is V when stressed, @ when not; ER is 3: stressed, @` (r-coloured schwa) unstressed.
_XSAMPA = {
    "AA": "A:", "AE": "{", "AO": "O:", "AW": "a_U", "AY": "a_I", "EH": "E", "EY": "e_I", "IH": "I", "IY": "i:",
    "OW": "o_U", "OY": "O_I", "UH": "U", "UW": "u:",
    "B": "b", "CH": "t_S", "D": "d", "DH": "D", "F": "f", "G": "g", "HH": "h", "JH": "d_Z", "K": "k", "L": "l",
    "M": "m", "N": "n", "NG": "N", "P": "p", "R": "r\\\\", "S": "s", "SH": "S", "T": "t", "TH": "T", "V": "v",
    "W": "w", "Y": "j", "Z": "z", "ZH": "Z",
}
_BRITISH = {"OW": "@_U"}  # en-GB's own GOAT vowel; en-US's o_U is not in its inventory
MASKED_PHONES = {"en-US": frozenset(), "en-GB": frozenset({"OW", "ER"})}


def installed() -> bool:
    root = voices_root() / "pico"
    return (root / "lib" / "libttspico.so.0").exists() and all(
        (root / "lang" / f"{lang}_{sg}_sg.bin").exists() for lang, sg in LANGUAGES.items())


class _Pico:
    """The process's Pico system: both languages' lingware loaded, and one engine (Pico allows one per system),
    made anew when the language changes."""

    def __init__(self):
        import sys

        if "tensorflow" in sys.modules:  # measured: the library then dies with SIGSEGV in pico_getData
            raise RuntimeError("SVOX Pico crashes in a process that has loaded TensorFlow; synthesize in a fresh "
                               "process (saywell-train synthesizes before it imports TensorFlow)")
        root = voices_root() / "pico"
        if not installed():
            raise FileNotFoundError(f"no SVOX Pico in {root}: run scripts/fetch-voices pico (or set SAYWELL_VOICES)")
        self.lang_dir = root / "lang"
        self.lib = ctypes.CDLL(str(root / "lib" / "libttspico.so.0"))
        self._memory = ctypes.create_string_buffer(_MEM)  # Pico allocates nothing else: keep it alive
        self.system = ctypes.c_void_p()
        self._check(self.lib.pico_initialize(self._memory, ctypes.c_uint32(_MEM), ctypes.byref(self.system)), "initialize")
        self.voices: set[str] = set()
        self.lang, self.eng = "", ctypes.c_void_p()

    def _check(self, status: int, what: str) -> None:
        if status:
            msg = ctypes.create_string_buffer(200)
            self.lib.pico_getSystemStatusMessage(self.system, ctypes.c_int(status), msg)
            raise RuntimeError(f"Pico {what} failed ({status}): {msg.value.decode(errors='replace')}")

    def engine(self, lang: str) -> ctypes.c_void_p:
        if lang not in self.voices:  # a voice definition: the language's text-analysis and signal resources
            names = []
            for f in (f"{lang}_ta.bin", f"{lang}_{LANGUAGES[lang]}_sg.bin"):
                res, name = ctypes.c_void_p(), ctypes.create_string_buffer(200)
                self._check(self.lib.pico_loadResource(self.system, str(self.lang_dir / f).encode(), ctypes.byref(res)), f)
                self._check(self.lib.pico_getResourceName(self.system, res, name), f)
                names.append(name.value)
            self._check(self.lib.pico_createVoiceDefinition(self.system, lang.encode()), "voice definition")
            for n in names:
                self._check(self.lib.pico_addResourceToVoiceDefinition(self.system, lang.encode(), n), "voice resource")
            self.voices.add(lang)
        if lang != self.lang:
            if self.lang:
                self._check(self.lib.pico_disposeEngine(self.system, ctypes.byref(self.eng)), "dispose engine")
            self._check(self.lib.pico_newEngine(self.system, lang.encode(), ctypes.byref(self.eng)), "engine")
            self.lang = lang
        return self.eng

    def speak(self, lang: str, text: str) -> np.ndarray:
        """All of the text's samples (16 kHz); the text ends with NUL, which makes Pico finish the utterance."""
        eng = self.engine(lang)
        data = text.encode() + b"\0"
        buf, got, kind, sent = ctypes.create_string_buffer(4096), ctypes.c_int16(), ctypes.c_int16(), ctypes.c_int16()
        out, pos = [], 0
        while pos < len(data):
            chunk = data[pos:pos + 32000]  # pico_putTextUtf8 takes a 16-bit size
            self._check(self.lib.pico_putTextUtf8(eng, chunk, ctypes.c_int16(len(chunk)), ctypes.byref(sent)), "text")
            pos += sent.value
            while True:
                status = self.lib.pico_getData(eng, buf, ctypes.c_int16(len(buf)), ctypes.byref(got), ctypes.byref(kind))
                if got.value:
                    out.append(np.frombuffer(buf.raw[:got.value], np.int16).astype(np.float32) / 32768)
                if status != _STEP_BUSY:
                    if status != 200:  # PICO_STEP_IDLE
                        self._check(status, "synthesis")
                    break
        return np.concatenate(out) if out else np.zeros(0, np.float32)


@lru_cache(maxsize=1)
def _pico() -> _Pico:
    return _Pico()


def xsampa(phones: tuple[str, ...], stress: tuple[int, ...] | None, lang: str = "en-US") -> str:
    """One word in Pico's X-SAMPA, '"' before the primary-stressed vowel and '%' before a secondary one."""
    n_vowels = sum(p in VOWELS for p in phones)
    if stress is None or len(stress) != n_vowels or 1 not in stress:
        stress = tuple(1 if i == 0 else 0 for i in range(n_vowels))
    table = {**_XSAMPA, **(_BRITISH if lang == "en-GB" else {})}
    out, v = [], 0
    for p in phones:
        if p in VOWELS:
            s = stress[v]
            v += 1
            if p == "AH":
                sym = "V" if s else "@"
            elif p == "ER":
                sym = "3:" if s else "@`"
            else:
                sym = table[p]
            out.append({1: '"', 2: "%"}.get(s, "") + sym)
        else:
            out.append(table[p])
    return "".join(out)


class PicoVoice:
    """en-US or en-GB; speed and pitch are Pico's percentages (100 = the voice's own)."""

    def __init__(self, lang: str, speed: int = 100, pitch: int = 100, name: str | None = None):
        if lang not in LANGUAGES:
            raise ValueError(f"Pico voice {lang!r}: use one of {', '.join(LANGUAGES)}")
        self.lang, self.speed, self.pitch = lang, speed, pitch
        self.name = name or "pico_" + lang.lower().replace("-", "_")

    def markup(self, words: list[str], phones: list[tuple[str, ...]]) -> str:
        stress = _cmudict_stress()
        body = " ".join('<phoneme alphabet="xsampa" ph="{}"/>'.format(
            xsampa(p, stress.get(w.lower()), self.lang).replace('"', "&quot;")) for w, p in zip(words, phones))
        return f'<pitch level="{self.pitch}"><speed level="{self.speed}">{body}</speed></pitch>'

    def synthesize(self, words: list[str], phones: list[tuple[str, ...]] | None = None) -> Utterance:
        from .mbrola_voice import _dictionary_phones

        phones = [tuple(p) for p in phones] if phones is not None else _dictionary_phones(words)
        text = self.markup(words, phones)
        audio = _pico().speak(self.lang, text)
        if not len(audio) or float(np.max(np.abs(audio))) < 0.02:
            raise RuntimeError(f"Pico {self.lang} said nothing for {text!r}: a phone string it cannot map")
        masked = {(wi, pi) for wi, w in enumerate(phones) for pi, p in enumerate(w) if p in MASKED_PHONES[self.lang]}
        return aligned_utterance(audio, _RATE, words, phones, masked, self.name,
                                 {"speed": self.speed, "pitch": self.pitch, "markup": text})
