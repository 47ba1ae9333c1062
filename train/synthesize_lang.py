"""Stage 1 for a language other than English: labelled speech from MBROLA voices, one shard per voice.

The language's own voices (Spanish es1, es2, es4, Mexican mx1, Venezuelan vz1; French fr1-fr3, fr5-fr7 and
Canadian French ca1, ca2; Italian it1, it3, it4; German de1-de4, de6) say its words. For Spanish, voices of other Romance languages (Canadian French ca1,
Italian it3, it4, Portuguese pt1, Brazilian br4) add speakers, women among them, saying the words whose phones
they have, with the sounds their language says differently (its R; Portuguese e and o) masked. Held out, as
DATA.md fixes: es3, mx2, fr4, it2 and de5, never trained on; German, with no real speech, sets its verdict line on
de7, also kept out of training (CALIBRATION). The shard format is English's (synthesize.save_shard), so
the features, fit and export stages are shared.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np

from saywell.engine.language import Language, language

from .synthesize import Job, synthesize_voice


@dataclass(frozen=True)
class NativeSpec:
    voice: str  # MBROLA voice
    name: str  # shard name
    form: str  # espeak-ng voice whose letter-to-sound rules give the words' phones (es: Spain, es-419: seseo)
    f0: tuple[float, float] = (90.0, 150.0)  # mean pitch range of its takes
    share: float = 1.0
    masked: frozenset[str] = frozenset()  # phones said the voice's own language's way: not taught as this one
    mis_rate: float = 0.3
    seed: int = 0


_CLOSE = frozenset({"ɾ", "r"})  # another language's R is near, not the same
VOICES: dict[str, tuple[NativeSpec, ...]] = {"es": (
    NativeSpec("es1", "mbrola_es1", "es", seed=200), NativeSpec("es2", "mbrola_es2", "es", seed=201),
    NativeSpec("es4", "mbrola_es4", "es", seed=202), NativeSpec("mx1", "mbrola_mx1", "es-419", seed=203),
    NativeSpec("vz1", "mbrola_vz1", "es-419", seed=204),
    NativeSpec("ca1", "mbrola_ca1_es", "es-419", share=0.5, masked=_CLOSE, seed=205),  # Canadian French
    NativeSpec("it3", "mbrola_it3_es", "es-419", share=0.5, masked=_CLOSE, seed=206),
    NativeSpec("it4", "mbrola_it4_es", "es-419", (160.0, 240.0), share=0.7, masked=_CLOSE, seed=207),
    NativeSpec("pt1", "mbrola_pt1_es", "es-419", (160.0, 240.0), share=0.5, masked=_CLOSE | {"e", "o"}, seed=208),
    NativeSpec("br4", "mbrola_br4_es", "es-419", (160.0, 240.0), share=0.5, masked=_CLOSE | {"e", "o"}, seed=209),
), "fr": (
    NativeSpec("fr1", "mbrola_fr1", "fr", seed=300), NativeSpec("fr2", "mbrola_fr2", "fr", (160.0, 240.0), seed=301),
    NativeSpec("fr3", "mbrola_fr3", "fr", seed=302), NativeSpec("fr5", "mbrola_fr5", "fr", seed=303),
    NativeSpec("fr6", "mbrola_fr6", "fr", seed=304), NativeSpec("fr7", "mbrola_fr7", "fr", seed=305),
    NativeSpec("ca1", "mbrola_ca1", "fr", seed=306), NativeSpec("ca2", "mbrola_ca2", "fr", seed=307),  # Canadian French
), "it": (
    NativeSpec("it1", "mbrola_it1", "it", seed=400), NativeSpec("it3", "mbrola_it3", "it", seed=401),
    NativeSpec("it4", "mbrola_it4", "it", (160.0, 240.0), seed=402),
    # Spanish, French and Portuguese voices: more speakers (women among them) for the words they can say, their
    # own R (and the French voices' stand-in for gli) masked.
    NativeSpec("es1", "mbrola_es1_it", "it", share=0.5, seed=403), NativeSpec("es2", "mbrola_es2_it", "it", share=0.5, seed=404),
    NativeSpec("fr1", "mbrola_fr1_it", "it", share=0.5, masked=frozenset({"r", "ʎ"}), seed=405),
    NativeSpec("fr2", "mbrola_fr2_it", "it", (160.0, 240.0), share=0.5, masked=frozenset({"r", "ʎ"}), seed=406),
    NativeSpec("pt1", "mbrola_pt1_it", "it", (160.0, 240.0), share=0.5, masked=frozenset({"r", "ʎ"}), seed=407),
    NativeSpec("br4", "mbrola_br4_it", "it", (160.0, 240.0), share=0.5, masked=frozenset({"r", "ʎ"}), seed=408),
), "de": (  # de8 is left out: a Bavarian inventory of its own, not Standard German's sounds
    NativeSpec("de1", "mbrola_de1", "de", (160.0, 240.0), seed=500), NativeSpec("de2", "mbrola_de2", "de", seed=501),
    NativeSpec("de3", "mbrola_de3", "de", (160.0, 240.0), seed=502), NativeSpec("de4", "mbrola_de4", "de", seed=503),
    NativeSpec("de6", "mbrola_de6", "de", seed=504),
)}
# A language with no real recordings to set its verdict line on (German) sets it on a voice kept out of training
# instead: synthetic, so the line suits a synthetic voice, but the held-out voice stays unseen by every choice.
CALIBRATION: dict[str, tuple[NativeSpec, ...]] = {"de": (
    NativeSpec("de7", "mbrola_de7", "de", (160.0, 240.0), seed=1505),
)}
HELDOUT: dict[str, tuple[NativeSpec, ...]] = {"es": (
    NativeSpec("es3", "mbrola_es3", "es-419", (160.0, 240.0), seed=1200),  # es3 has no θ: it says Spain's words with s
    NativeSpec("mx2", "mbrola_mx2", "es-419", seed=1201),
), "fr": (
    NativeSpec("fr4", "mbrola_fr4", "fr", (160.0, 240.0), seed=1300),
), "it": (
    NativeSpec("it2", "mbrola_it2", "it", seed=1400),
), "de": (
    NativeSpec("de5", "mbrola_de5", "de", (160.0, 240.0), seed=1500),
)}

# Twins: what English speakers say instead (the changed phone labelled as said), then any near phone.
TWINS: dict[str, dict[str, tuple[str, ...]]] = {"es": {
    "r": ("ɾ", "d", "l"), "ɾ": ("d", "r", "l"), "x": ("k", "ɡ"), "θ": ("s", "t"), "ɲ": ("n",), "e": ("i", "a"),
    "o": ("u", "a"), "i": ("e",), "u": ("o",), "a": ("e", "o"), "b": ("p", "m"), "d": ("t", "ɾ"), "ɡ": ("k",),
    "p": ("b",), "t": ("d",), "k": ("ɡ", "x"), "s": ("θ", "tʃ"), "tʃ": ("s", "j"), "j": ("tʃ", "l"), "l": ("ɾ", "n"),
    "m": ("n",), "n": ("m", "ɲ"), "f": ("p",), "w": ("b", "u"),
}, "fr": {  # a said form of two phones ("ɛ n": a nasal vowel said as a vowel and an n) is written with a space
    "y": ("u", "i"), "u": ("y",), "ø": ("u", "ɛ"), "œ": ("ɛ", "ø"), "ə": ("ø", "e"), "e": ("ɛ", "i"), "ɛ": ("e", "a"),
    "a": ("ɛ", "ɔ"), "o": ("ɔ", "u"), "ɔ": ("o", "a"), "i": ("e", "y"), "ɛ̃": ("ɛ n", "ɛ"), "ɑ̃": ("a n", "a"),
    "ɔ̃": ("ɔ n", "ɔ"), "ʁ": ("l", "w"), "ʒ": ("ʃ", "z"), "z": ("s",), "s": ("z", "ʃ"), "v": ("f", "b"), "ɥ": ("w",),
    "p": ("b",), "t": ("d",), "k": ("ɡ",), "b": ("p",), "d": ("t",), "ɡ": ("k",), "f": ("v",), "ʃ": ("s", "ʒ"),
    "m": ("n",), "n": ("m",), "l": ("ʁ",), "w": ("v",), "j": ("l",),
}, "it": {
    "k": ("tʃ",), "tʃ": ("k", "ʃ"), "ɡ": ("dʒ",), "dʒ": ("ɡ", "z"), "ʃ": ("s", "tʃ"), "ʎ": ("l", "j"),
    "ɲ": ("n",), "ts": ("z", "s"), "dz": ("z", "ts"), "r": ("l", "d"), "e": ("i", "ɛ"), "o": ("u", "ɔ"), "ɛ": ("e", "a"),
    "ɔ": ("o", "a"), "i": ("e",), "u": ("o",), "a": ("ɛ", "o"), "z": ("s",), "s": ("z",), "v": ("b", "f"),
    "b": ("v", "p"), "p": ("b",), "t": ("d",), "d": ("t",), "f": ("v",), "m": ("n",), "n": ("m", "ɲ"), "l": ("r", "ʎ"),
    "j": ("l",), "w": ("v",),
}, "de": {
    "ç": ("ʃ", "k"), "x": ("k", "h"), "ʏ": ("ʊ", "ɪ"), "yː": ("uː", "iː"), "œ": ("ɔ", "ɛ"), "øː": ("oː", "eː"),
    "ts": ("z", "s"), "z": ("s",), "pf": ("f", "p"), "eː": ("ɛ", "iː"), "oː": ("ɔ", "uː"), "iː": ("ɪ", "eː"),
    "uː": ("ʊ", "oː"), "aː": ("a",), "a": ("aː", "ɛ"), "ɛ": ("eː", "a"), "ɪ": ("iː", "ɛ"), "ɔ": ("oː", "a"),
    "ʊ": ("uː", "ɔ"), "ə": ("ɛ", "ɐ"), "ɐ": ("ə", "a"), "aɪ": ("aː", "eː"), "aʊ": ("aː", "oː"), "ɔʏ": ("aɪ", "ɔ"),
    "ʁ": ("l", "h"), "p": ("b",), "b": ("p",), "t": ("d",), "d": ("t",), "k": ("ɡ",), "ɡ": ("k",), "f": ("v",),
    "v": ("f",), "s": ("z", "ʃ"), "ʃ": ("s", "ç"), "ʒ": ("ʃ",), "h": ("x",), "j": ("l",), "m": ("n",),
    "n": ("m", "ŋ"), "ŋ": ("n",), "l": ("ʁ",), "tʃ": ("ʃ",),
}}


@dataclass(frozen=True)
class Word:
    text: str
    phones: tuple[str, ...]
    stress: int | None  # index of the stressed vowel in phones


def _with_stress(lang: Language, ipa: str) -> tuple[tuple[str, ...], int | None]:
    """Phones and the index of the first vowel after espeak-ng's primary stress mark."""
    head, mark, tail = ipa.partition("ˈ")
    before = lang.ipa_to_phones(head)
    phones = lang.ipa_to_phones(ipa.replace("ˈ", ""))
    if not mark:
        return phones, None
    k = next((i for i in range(len(before), len(phones)) if phones[i] in lang.vowels), None)
    return phones, k


def words_for(lang: Language, n: int, form: str) -> list[Word]:
    """The n most frequent words of the language (wordfreq) in one form, with stress."""
    from wordfreq import top_n_list

    from saywell.engine import g2p

    cands = [w for w in top_n_list(lang.code, n * 2) if w.isalpha() and len(w) >= 2][:n]
    got = g2p.guess_many(cands, voice=form, to_phones=lambda ipa: tuple([ipa]))  # the IPA itself
    out = []
    for w in cands:
        if w in got and got[w].phones:
            phones, stress = _with_stress(lang, got[w].phones[0])
            if phones:
                out.append(Word(w, phones, stress))
    return out


def twin(lang: str, phones: tuple[str, ...], rng: random.Random) -> tuple[int, str] | None:
    table = TWINS[lang]
    positions = [i for i, p in enumerate(phones) if p in table]
    if not positions:
        return None
    i = rng.choice(positions)
    options = table[phones[i]]
    said = options[0] if rng.random() < 0.5 else rng.choice(options)  # the classic error half the time
    return i, said


def make_jobs(vocab: list[Word], n_words: int, n_phrases: int, mis_rate: float, seed: int,
              f0: tuple[float, float], lang: str) -> list[tuple[Job, list[int | None]]]:
    rng = random.Random(seed)
    texts = [[w] for w in rng.sample(vocab, min(n_words, len(vocab)))]
    texts += [rng.sample(vocab, rng.randint(2, 4)) for _ in range(n_phrases)]
    jobs = []
    for ws in texts:
        canon = [w.phones for w in ws]
        stress = [w.stress for w in ws]
        prosody, pitch = rng.uniform(0.85, 1.3), rng.uniform(*f0)
        jobs.append((Job([w.text for w in ws], None, canon, prosody=prosody, pitch=pitch), stress))
        if rng.random() < mis_rate:
            wi = rng.randrange(len(ws))
            t = twin(lang, canon[wi], rng)
            if t is not None:
                i, said = t
                spoken = list(canon)
                spoken[wi] = canon[wi][:i] + tuple(said.split()) + canon[wi][i + 1:]
                jobs.append((Job([w.text for w in ws], spoken, canon, wi, i, said, prosody=rng.uniform(0.85, 1.3),
                                 pitch=rng.uniform(*f0)), stress))
    return jobs


def _run_chunk(code: str, args) -> list[dict]:
    """One chunk of a voice's takes (a worker process's share)."""
    from saywell.engine.language import language as get

    from .voices.foreign_voice import MASKED
    from .voices.mbrola_native import NativeMbrolaVoice
    from .utterance import Segment

    spec, jobs = args
    lang = get(code)
    out = []
    for job, stress in jobs:
        seed = zlib.crc32(f"{spec.seed} {' '.join(job.words)} {job.pitch}".encode())
        voice = NativeMbrolaVoice(spec.voice, lang, tempo=job.prosody, f0=job.pitch, seed=seed, name=spec.name)
        u = voice.synthesize(job.words, job.phones or job.canonical, stress)
        if u is None:
            continue
        segs = [Segment(MASKED, s.start_s, s.end_s) if s.phone in spec.masked else s for s in u.segments]
        out.append({"job": asdict(job), "audio": (np.clip(u.audio, -1, 1) * 32767).astype(np.int16),
                    "segments": [(s.phone, s.start_s, s.end_s) for s in segs]})
    return out


def run(code: str, out_dir: Path, n_train_words: int, n_train_phrases: int, n_heldout_words: int, vocab_size: int,
        voices: str = "all", workers: int = 2) -> dict:
    """Synthesize every voice of the language whose shard is missing; a summary for the model metadata."""
    from .voices.mbrola_voice import ensure_voices

    lang = language(code)
    out_dir.mkdir(parents=True, exist_ok=True)
    calibration = CALIBRATION.get(code, ())
    specs = VOICES[code] + HELDOUT[code] + calibration
    if voices != "all":
        specs = tuple(s for s in specs if s.name in voices.split(","))
    ensure_voices([s.voice for s in specs if not (out_dir / f"{s.name}.npz").exists()])
    vocab = {form: words_for(lang, vocab_size, form) for form in sorted({s.form for s in specs})}
    summary: dict = {"language": code, "vocab_size": vocab_size, "voices": {}}
    for spec in specs:
        path = out_dir / f"{spec.name}.npz"
        heldout = spec in HELDOUT[code] + calibration  # both are pairs: a take and its one-phone twin
        if heldout:
            jobs = make_jobs(vocab[spec.form], n_heldout_words, 0, 1.0, spec.seed, spec.f0, code)
        else:
            jobs = make_jobs(vocab[spec.form], round(n_train_words * spec.share), round(n_train_phrases * spec.share),
                             spec.mis_rate, spec.seed, spec.f0, code)
        if not path.exists():
            synthesize_voice(spec, jobs, path, workers=workers, chunk=100, runner=partial(_run_chunk, code))
        z = np.load(path)
        split = "calibration" if spec in calibration else "heldout" if heldout else "train"
        summary["voices"][spec.name] = {"split": split, "utterances": int(len(z["lengths"])),
                                        "hours": round(float(z["lengths"].sum()) / 16000 / 3600, 3)}
    return summary


if __name__ == "__main__":  # python -m saywell_train.synthesize_lang es OUT_DIR [words phrases heldout vocab [voices]]
    import sys

    a = sys.argv[1:]
    print(run(a[0], Path(a[1]), *(int(x) for x in a[2:6]), *(a[6:7] or ["all"])))
