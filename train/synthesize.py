"""Stage 1: synthesize labelled speech (canonical and mispronounced) with every engine, one shard per voice.

Held-out voices never reach training; they measure phone error and mispronunciation AUC.
"""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from saywell.engine.lexicon import _cmudict

from .mispronounce import mispronounce
from .utterance import Segment, Utterance
from .vocab import common_words, phone_balanced_words, phrases


@dataclass(frozen=True)
class VoiceSpec:
    engine: str  # flite | festival | piper | espeak | foreign (train/voices/foreign_voice.py) | mbrola | rhvoice | pico
    voice: str
    name: str
    share: float = 1.0  # fraction of the recipe's words and phrases this voice speaks
    pitch_hz: tuple[float, float] = (85.0, 210.0)  # mean F0 targets (flite, espeak, foreign; rhvoice, pico: around the voice's own)
    vary_noise: bool = False  # piper: random noise_scale / noise_w per utterance (prosody and voice quality)
    mis_rate: float = 0.3  # share of training texts also said with one phone changed (labelled as said)
    seed: int = 0  # the voice's own data seed: which words it says, and how (fixed once its shard exists)


TRAIN_VOICES = (
    VoiceSpec("flite", "awb", "flite_awb", seed=0), VoiceSpec("flite", "slt", "flite_slt", seed=1),
    VoiceSpec("flite", "kal16", "flite_kal16", seed=2), VoiceSpec("festival", "kal_diphone", "festival_kal", seed=3),
    VoiceSpec("festival", "cmu_us_slt_arctic_hts", "festival_slt_hts", seed=4), VoiceSpec("piper", "joe", "piper_joe", seed=5),
)
HELDOUT_VOICES = (VoiceSpec("flite", "rms", "flite_rms", seed=1005), VoiceSpec("festival", "ked_diphone", "festival_ked", seed=1006))
# espeak-ng formant voices (train/voices/espeak_voice.py), not in TRAIN_VOICES yet: each speaks exactly the phones asked
# (labels matched the requested phones for 1000/1000 words and twins per variant; en-gb, en-029 accents do not).
ESPEAK_VOICES = tuple(VoiceSpec("espeak", f"en-us+{v}", f"espeak_{v}", share=0.3, seed=20 + k)
                      for k, v in enumerate(("m1", "m3", "m7", "f2", "f5", "klatt", "klatt4", "croak")))
# More speakers for the second model: piper joe with varied noise (the most natural voice, more of it), and
# high-pitched flite voices (children's F0), plus the espeak family above.
MORE_VOICES = (VoiceSpec("piper", "joe", "piper_joe_varied", share=0.5, vary_noise=True, seed=10),
               VoiceSpec("flite", "slt", "flite_slt_child", share=0.4, pitch_hz=(210.0, 320.0), seed=11),
               VoiceSpec("flite", "awb", "flite_awb_high", share=0.3, pitch_hz=(160.0, 260.0), seed=12)) + ESPEAK_VOICES
# Eight more people (train/voices/foreign_voice.py): Debian's Czech (a boy among them), Italian and Finnish diphone voices
# speaking English phones, only their English-sounding consonants labelled (no changed twins: their vowels are masked).
FOREIGN_VOICES = tuple(VoiceSpec("foreign", v, f"foreign_{name}", share=0.4, pitch_hz=hz, mis_rate=0.0, seed=40 + k)
                       for k, (v, name, hz) in enumerate((
    ("czech_krb", "cs_krb", (220.0, 320.0)), ("czech_dita", "cs_dita", (170.0, 250.0)), ("czech_machac", "cs_machac", (85.0, 150.0)),
    ("czech_ph", "cs_ph", (85.0, 150.0)), ("pc_diphone", "it_pc", (85.0, 150.0)), ("lp_diphone", "it_lp", (170.0, 250.0)),
    ("suo_fi_lj_diphone", "fi_lj", (170.0, 250.0)), ("hy_fi_mv_diphone", "fi_mv", (85.0, 150.0)))))
# Debian's MBROLA voices (train/voices/mbrola_voice.py): recorded diphones of real people. The two native US voices
# speak as much as a classic voice; the accented English variants (a German, French, Greek ... speaker reading
# English through espeak-ng's phone map) less, their accent substitutions masked. us3, en1, de5, fr4, sw2 and pl1
# are held out, in every language, as the measure of unseen voices.
MBROLA_VOICES = (VoiceSpec("mbrola", "us1", "mbrola_us1", pitch_hz=(150.0, 260.0), seed=60),
                 VoiceSpec("mbrola", "us2", "mbrola_us2", seed=61)) + tuple(
    VoiceSpec("mbrola", f"{v}-en", f"mbrola_{v}_en", share=0.4, seed=62 + k)
    for k, v in enumerate(("af1", "de1", "de2", "de3", "de4", "de6", "fr1", "gr2", "hu1", "nl2", "ro1", "sw1")))
MBROLA_HELDOUT = (VoiceSpec("mbrola", "us3", "mbrola_us3", seed=1100), VoiceSpec("mbrola", "en1", "mbrola_en1", seed=1101)) + tuple(
    VoiceSpec("mbrola", f"{v}-en", f"mbrola_{v}_en", seed=1102 + k) for k, v in enumerate(("de5", "fr4", "sw2", "pl1")))
# Twenty-four more people: MBROLA voices of other languages saying English phones through a phone map
# (train/voices/mbrola_voice.py MappedMbrolaVoice), only the consonants they say exactly labelled. Chosen as the voices
# that keep at least 45 of 60 common words (the rest lack diphones English needs: mbrola would put silence there);
# speakers that also have an accented -en voice above are not repeated.
_MAPPED = (("ca1", "m"), ("ca2", "m"), ("cr1", "m"), ("cz2", "m"), ("de7", "f"), ("de8", "m"), ("ee1", "m"), ("es1", "m"),
           ("es2", "m"), ("fr2", "f"), ("fr3", "m"), ("fr5", "m"), ("fr6", "m"), ("fr7", "m"), ("gr1", "m"), ("hb1", "m"),
           ("it3", "m"), ("it4", "f"), ("lt1", "m"), ("lt2", "m"), ("nl3", "f"), ("pt1", "f"), ("tr1", "m"), ("tr2", "f"))
MBROLA_MAPPED = tuple(VoiceSpec("mbrola_mapped", v, f"mbrola_{v}_mapped", share=0.15,
                                pitch_hz=(150.0, 260.0) if sex == "f" else (85.0, 180.0), seed=80 + k)
                      for k, (v, sex) in enumerate(_MAPPED))
MBROLA_VOICES = MBROLA_VOICES + MBROLA_MAPPED
# Four more voices, none of them a training speaker yet (train/voices/rhvoice_voice.py, pico_voice.py): RHVoice's HTS
# voices of the CMU ARCTIC speakers bdl and clb, and SVOX Pico's small female en-US and en-GB voices, all from Debian
# non-free. All take phones (twins as usual); their labels come from forced alignment with the shipped model, and
# Pico en-GB's British OW and ER are masked. Trained on with the recipe's extra_voices.
EXTRA_VOICES = (VoiceSpec("rhvoice", "bdl", "rhvoice_bdl", pitch_hz=(95.0, 135.0), seed=120),
                VoiceSpec("rhvoice", "clb", "rhvoice_clb", pitch_hz=(160.0, 215.0), seed=121),
                VoiceSpec("pico", "en-US", "pico_en_us", pitch_hz=(170.0, 230.0), seed=122),
                VoiceSpec("pico", "en-GB", "pico_en_gb", pitch_hz=(170.0, 230.0), seed=123))
TRAIN_VOICES = TRAIN_VOICES + MORE_VOICES + FOREIGN_VOICES + MBROLA_VOICES + EXTRA_VOICES
HELDOUT_VOICES = HELDOUT_VOICES + MBROLA_HELDOUT

@dataclass
class Job:
    words: list[str]
    phones: list[tuple[str, ...]] | None  # spoken phones per word when overridden (mispronounced)
    canonical: list[tuple[str, ...]]
    mis_word: int | None = None  # which word was altered
    mis_index: int | None = None  # phone index within that word
    mis_said: str | None = None
    prosody: float = 1.0  # duration stretch / length scale
    pitch: float | None = None
    noise_scale: float | None = None  # piper only
    noise_w: float | None = None


def make_jobs(words: list[str], n_words: int, n_phrases: int, mis_rate: float, seed: int,
              pitch_hz: tuple[float, float] = (85.0, 210.0), vary_noise: bool = False) -> list[Job]:
    lex = _cmudict()
    rng = random.Random(seed)
    texts = [[w] for w in rng.sample(words, min(n_words, len(words)))] + phrases(words, n_phrases, seed=seed)
    jobs = []

    def job(*args) -> Job:
        j = Job(*args, prosody=rng.uniform(0.85, 1.35), pitch=rng.uniform(*pitch_hz))
        if vary_noise:
            j.noise_scale, j.noise_w = rng.uniform(0.4, 1.0), rng.uniform(0.5, 1.2)
        return j

    for ws in texts:
        canon = [lex[w] for w in ws]
        jobs.append(job(ws, None, canon))
        if rng.random() < mis_rate:
            wi = rng.randrange(len(ws))
            m = mispronounce(canon[wi], rng)
            if m is not None:
                spoken = list(canon)
                spoken[wi] = m.phones
                jobs.append(job(ws, spoken, canon, wi, m.index, m.said))
    return jobs


def _voice(spec: VoiceSpec, job: Job):
    if spec.engine == "flite":
        from .voices.engines import FliteVoice
        return FliteVoice(spec.voice, f0_mean=job.pitch, duration_stretch=job.prosody)
    if spec.engine == "festival":
        from .voices.engines import FestivalVoice
        return FestivalVoice(spec.voice, duration_stretch=job.prosody)
    if spec.engine in ("rhvoice", "pico"):  # rate and pitch relative to the voice's own, pitch around the spec's centre
        rate, pitch = 1 / job.prosody, (job.pitch or sum(spec.pitch_hz) / 2) / (sum(spec.pitch_hz) / 2)
        if spec.engine == "rhvoice":
            from .voices.rhvoice_voice import RHVoiceVoice
            return RHVoiceVoice(spec.voice, rate=rate, pitch=pitch, name=spec.name)
        from .voices.pico_voice import PicoVoice
        return PicoVoice(spec.voice, speed=round(100 * rate), pitch=round(100 * pitch), name=spec.name)
    # espeak-ng's own settings for the job: words per minute, and pitch 0-100 from the job's mean F0 in Hz
    pitch_hz = job.pitch or 140.0
    rate_wpm, pitch = round(165 / job.prosody), round(15 + (pitch_hz - 85) * 0.56)
    if spec.engine in ("mbrola", "mbrola_mapped"):
        from .voices.mbrola_voice import MappedMbrolaVoice, MbrolaVoice
        cls = MbrolaVoice if spec.engine == "mbrola" else MappedMbrolaVoice
        return cls(spec.voice, rate_wpm=rate_wpm, pitch=pitch, name=spec.name)
    if spec.engine == "espeak":  # the library is process-global: initialised once per process, on first use
        from .voices.espeak_voice import EspeakVoice
        return EspeakVoice(spec.voice, rate_wpm=rate_wpm, pitch=pitch,
                           pitch_range=30 + round(pitch_hz * 13) % 50, name=spec.name)  # range: varied, from the pitch
    from .voices.piper_voice import PiperVoice
    return PiperVoice()  # one network per process: _run_chunk sets rate and noise for each utterance


_PIPER_CACHE: dict = {}


def _run_chunk(args) -> list[dict]:
    spec, jobs = args
    out = []
    if spec.engine == "festival":  # one process for the whole chunk; prosody from the first job
        utts = _voice(spec, jobs[0]).synthesize_many([(j.words, j.phones) for j in jobs])
    elif spec.engine == "foreign":  # one process per chunk; an utterance with a missing diphone comes back None
        from .voices.foreign_voice import ForeignVoice
        seeds = [zlib.crc32(f"{spec.seed} {' '.join(j.words)} {j.pitch}".encode()) for j in jobs]
        utts = ForeignVoice(spec.voice, spec.name).synthesize_many(
            [(j.phones or j.canonical, j.pitch, j.prosody, seed) for j, seed in zip(jobs, seeds)])
    else:
        utts = []
        for j in jobs:
            if spec.engine == "piper":  # one network per process; rate and noise are set per utterance
                if "joe" not in _PIPER_CACHE:
                    _PIPER_CACHE["joe"] = _voice(spec, j)
                voice = _PIPER_CACHE["joe"]
                # rounded as when one network was loaded per setting, so earlier shards are made again the same
                if j.noise_scale is None:
                    voice.set_prosody(round(j.prosody, 1))
                else:
                    voice.set_prosody(round(j.prosody, 1), round(j.noise_scale, 1), round(j.noise_w, 1))
                utts.append(voice.synthesize(j.words, j.phones))
            else:
                utts.append(_voice(spec, j).synthesize(j.words, j.phones))
    for j, u in zip(jobs, utts):
        if u is None:
            continue
        job = asdict(j)
        if "unfaithful" in u.meta:  # accented voices: (word, phone, what was said) for each phone not rendered as asked
            job["unfaithful"] = u.meta["unfaithful"]
        out.append({"job": job, "audio": (np.clip(u.audio, -1, 1) * 32767).astype(np.int16),
                    "segments": [(s.phone, s.start_s, s.end_s) for s in u.segments]})
    return out


def synthesize_voice(spec, jobs: list, out_path: Path, workers: int = 2, chunk: int = 40, runner=None) -> None:
    """One voice's shard, chunks of jobs spread over the workers; `runner(spec, jobs)` makes a chunk's items
    (this module's _run_chunk by default; picklable, as the workers are processes)."""
    from tqdm import tqdm

    import time

    t0 = time.time()
    chunks = [(spec, jobs[i:i + chunk]) for i in range(0, len(jobs), chunk)]
    results: list[dict] = []
    with Pool(workers) as pool:
        for part in tqdm(pool.imap(runner or _run_chunk, chunks), total=len(chunks), desc=spec.name, unit="chunk"):
            results.extend(part)
    save_shard(out_path, spec.name, results, {"synth_seconds": round(time.time() - t0, 1), "workers": workers,
                                              "jobs": len(jobs)})


def save_shard(path: Path, voice: str, results: list[dict], timing: dict | None = None) -> None:
    audio = np.concatenate([r["audio"] for r in results])
    lengths = np.array([len(r["audio"]) for r in results], dtype=np.int64)
    meta = [{"job": r["job"], "segments": r["segments"]} for r in results]
    tmp = path.with_name(path.name + ".part.npz")
    np.savez(tmp, audio=audio, lengths=lengths, meta=json.dumps({"voice": voice, "items": meta, **(timing or {})}))
    tmp.replace(path)


def load_shard(path: Path) -> tuple[str, list[Utterance], list[dict]]:
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    bounds = np.concatenate([[0], np.cumsum(z["lengths"])])
    all_audio = z["audio"]  # NpzFile re-reads the array on every access: read it once
    utts, jobs = [], []
    for k, item in enumerate(meta["items"]):
        audio = all_audio[bounds[k]:bounds[k + 1]].astype(np.float32) / 32767
        segs = [Segment(p, s, e) for p, s, e in item["segments"]]
        utts.append(Utterance(audio, segs, " ".join(item["job"]["words"]), meta["voice"]))
        jobs.append(item["job"])
    return meta["voice"], utts, jobs


def run(out_dir: Path, n_train_words: int, n_train_phrases: int, n_heldout_words: int, vocab_size: int,
        voices: tuple[VoiceSpec, ...] | None = None, seed: int = 0, workers: int = 2) -> dict:
    """Synthesize every voice whose shard is missing; returns a summary for the model metadata."""
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = phone_balanced_words(common_words(vocab_size), vocab_size, seed=seed)
    summary = {"vocab_size": len(vocab), "voices": {}}
    voices = voices or TRAIN_VOICES + HELDOUT_VOICES
    wanted = [v.voice for v in voices if v.engine.startswith("mbrola") and not (out_dir / f"{v.name}.npz").exists()]
    if wanted:
        from .voices.mbrola_voice import ensure_voices
        ensure_voices(wanted)
    if engines := sorted({v.engine for v in voices if v.engine in ("rhvoice", "pico") and not (out_dir / f"{v.name}.npz").exists()}):
        from .voices.fetched import fetch
        fetch("fetch-voices", *engines)
    for spec in voices:
        path = out_dir / f"{spec.name}.npz"
        heldout = spec in HELDOUT_VOICES
        if heldout:  # every canonical word paired with a mispronounced variant: the AUC set
            jobs = make_jobs(vocab, n_heldout_words, 0, 1.0, seed=seed + spec.seed)
        else:
            jobs = make_jobs(vocab, round(n_train_words * spec.share), round(n_train_phrases * spec.share), spec.mis_rate,
                             seed=seed + spec.seed, pitch_hz=spec.pitch_hz, vary_noise=spec.vary_noise)
        if not path.exists():
            synthesize_voice(spec, jobs, path, workers=workers)
        z = np.load(path)
        summary["voices"][spec.name] = {"split": "heldout" if heldout else "train", "utterances": int(len(z["lengths"])),
                                        "hours": round(float(z["lengths"].sum()) / 16000 / 3600, 3)}
        seconds = json.loads(str(z["meta"])).get("synth_seconds")
        if seconds is not None:  # shards made before timing was kept have none
            summary["voices"][spec.name]["synth_seconds"] = seconds
    return summary
