"""Stage 2: augmented log-mel features with per-frame phone labels, one stream per split.

Training reads random windows from a long stream of utterances, so the model sees varied
context, including the silence padding that starts and ends every utterance at run time.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from saywell.engine.features import FrontendConfig, log_mel
from saywell.engine.phones import PHONES, SIL

from .augment import augment, speed
from .voices.foreign_voice import MASKED
from .synthesize import load_shard
from .voices.mbrola_voice import relabel_accent_errors
from .utterance import Segment

CLASSES: tuple[str, ...] = PHONES + (SIL,)
CLASS_INDEX = {p: i for i, p in enumerate(CLASSES)}
IGNORED = -1  # label of a frame the loss skips (train/voices/foreign_voice.py's MASKED phones)
_LABEL_INDEX = {**CLASS_INDEX, MASKED: IGNORED}


def classes_for(code: str) -> tuple[str, ...]:
    """A language's output classes: its phones, then silence (English: CLASSES)."""
    from saywell.engine.language import language

    return language(code).phones + (SIL,)


def frame_labels(segments: list[Segment], n_frames: int, cfg: FrontendConfig, time_scale: float = 1.0,
                 label_index: dict[str, int] | None = None) -> np.ndarray:
    """Label of each frame = the phone whose segment holds the frame's centre (IGNORED for a masked one)."""
    label_index = label_index or _LABEL_INDEX
    centres = (np.arange(n_frames) * cfg.hop_samples + cfg.window_samples / 2) / cfg.sample_rate_hz
    ends = np.array([s.end_s for s in segments]) * time_scale
    idx = np.minimum(np.searchsorted(ends, centres, side="right"), len(segments) - 1)
    return np.array([label_index[segments[i].phone] for i in idx], dtype=np.int8)


@dataclass
class FeatureSet:
    features: np.ndarray  # (frames, n_mels) float16
    labels: np.ndarray  # (frames,) int8 class index
    starts: np.ndarray  # utterance start frame
    voices: list[str]
    teacher: np.ndarray | None = None  # (frames, classes) float16: Whisper's soft targets (train/whisper_teacher.py)

    @property
    def ends(self) -> np.ndarray:
        """Utterance end frame (one past the last)."""
        return np.append(self.starts[1:], len(self.labels))


@dataclass(frozen=True)
class Augmentation:
    """How the non-clean copies are made (recorded in the model metadata through the recipe)."""

    speed_prob: float = 0.4  # speed perturbation 0.88-1.12 (pitch and formants move with it)
    vtlp_prob: float = 0.0  # vocal tract length warp: pseudo-speakers ...
    child_prob: float = 0.0  # ... of which this share has formants raised 12-30 % (children)
    codec_prob: float = 0.0  # lossy codec round trip (G.722, GSM, Opus, MP3, Speex) after the chain
    codecs: str = "g722,gsm,opus12k,mp3_32k,speex"  # which of train/codecs.py CODECS, by name
    accent_labels: str = "masked"  # accented MBROLA voices' substituted phones: masked, or "heard": labelled as the
    # English phone they were said as where there is one (train/voices/mbrola_voice.py relabel_accent_errors)


def _alpha(rng: np.random.Generator, aug: Augmentation) -> float:
    if rng.random() >= aug.vtlp_prob:
        return 1.0
    return rng.uniform(1.12, 1.30) if rng.random() < aug.child_prob else rng.uniform(0.88, 1.12)


def _featurize(args) -> tuple[list[np.ndarray], list[np.ndarray], str]:
    from .codecs import CODECS, round_trip_many
    from .vtlp import warped_filterbank

    shard, cfg, copies, clean_first, seed, aug, classes, teacher_dir = args
    label_index = {**{p: i for i, p in enumerate(classes)}, MASKED: IGNORED}
    voice, utts, jobs = load_shard(shard)
    if aug.accent_labels == "heard":
        for u, job in zip(utts, jobs):
            if job.get("unfaithful") and voice.endswith("_en"):  # accented MBROLA voices (not the phone-mapped ones)
                u.segments = relabel_accent_errors(u.segments, job["unfaithful"])
    rng = np.random.default_rng(seed)
    pool = [u.audio for u in rng.choice(np.array(utts, dtype=object), min(200, len(utts)), replace=False)]
    targets = None
    if teacher_dir is not None:
        from .whisper_teacher import frame_targets, load_targets
        targets = load_targets(teacher_dir, voice)
        if len(targets) != len(utts):
            raise ValueError(f"{teacher_dir}/{voice}.npz has {len(targets)} takes, the shard {len(utts)}: rebuild the teacher")
    feats, labels, teach = [], [], []
    for lo in range(0, len(utts), 400):  # a block at a time: codecs are batched, memory stays bounded
        takes = []  # (utterance, audio, time scale, alpha)
        for u in utts[lo:lo + 400]:
            for c in range(copies):
                if clean_first and c == 0:
                    takes.append((u, u.audio, 1.0, 1.0))
                    continue
                factor = rng.uniform(0.88, 1.12) if rng.random() < aug.speed_prob else 1.0
                takes.append((u, augment(speed(u.audio, factor), rng, pool), 1.0 / factor, _alpha(rng, aug)))
        first = {id(u): lo + k for k, u in enumerate(utts[lo:lo + 400])}
        augmented = [i for i in range(len(takes)) if not (clean_first and i % copies == 0)]
        coded = [i for i in augmented if rng.random() < aug.codec_prob]
        chosen = [c for c in CODECS if c.name in aug.codecs.split(",")]
        for k, codec in enumerate(chosen):
            idx = coded[k::len(chosen)]
            if idx:
                for i, y in zip(idx, round_trip_many([takes[i][1] for i in idx], codec)):
                    takes[i] = (takes[i][0], y, takes[i][2], takes[i][3])
        for u, audio, scale, alpha in takes:
            f = log_mel(audio, cfg, None if alpha == 1.0 else warped_filterbank(cfg, alpha))
            if len(f) == 0:
                continue
            feats.append(f.astype(np.float16))
            labels.append(frame_labels(u.segments, len(f), cfg, scale, label_index))
            if targets is not None:
                teach.append(frame_targets(targets[first[id(u)]], len(f), cfg, scale))
    return feats, labels, voice, (teach if targets is not None else None)


def build(shards: list[Path], out_path: Path, cfg: FrontendConfig, copies: int, clean_first: bool, seed: int = 0,
          workers: int = 2, aug: Augmentation | None = None, classes: tuple[str, ...] = CLASSES,
          teacher_dir: Path | None = None) -> None:
    """One feature stream of every shard's takes, in shard order. With teacher_dir (train/whisper_teacher.py's
    targets for every shard), each frame also gets its soft target.

    Each voice's part is kept in OUT_parts/ as it is made, so a build cut short (a session's end) makes only the
    missing voices when run again; the parts go once the stream is written. Parts made with other settings are
    not reused."""
    import json

    from tqdm import tqdm

    aug = aug or Augmentation()
    parts = out_path.with_name(out_path.stem + "_parts")
    settings = json.dumps({"cfg": repr(cfg), "copies": copies, "clean_first": clean_first, "seed": seed, "aug": repr(aug),
                           "classes": classes, "teacher": str(teacher_dir), "shards": [str(s) for s in shards]})
    if parts.exists() and (not (parts / "settings.json").exists() or (parts / "settings.json").read_text() != settings):
        shutil.rmtree(parts)
    parts.mkdir(parents=True, exist_ok=True)
    (parts / "settings.json").write_text(settings)
    todo = [i for i in range(len(shards)) if not (parts / f"{i:03d}.npz").exists()]
    jobs = [(shards[i], cfg, copies, clean_first, seed + i, aug, classes, teacher_dir) for i in todo]
    # Spawned, not forked: a parent that has run TensorFlow or Whisper (the teacher stage) holds threads whose locks
    # a forked worker inherits mid-use, and such workers hung here.
    with get_context("spawn").Pool(workers) as pool:
        for i, (feats, labels, voice, teach) in zip(todo, tqdm(pool.imap(_featurize, jobs), total=len(jobs),
                                                                 desc="features", unit="voice")):
            arrays = {"features": np.concatenate(feats) if feats else np.zeros((0, cfg.n_mels), np.float16),
                      "labels": np.concatenate(labels) if labels else np.zeros(0, np.int8),
                      "lengths": np.array([len(f) for f in feats], np.int64), "voice": np.array(voice)}
            if teacher_dir is not None:
                arrays["teacher"] = np.concatenate(teach) if teach else np.zeros((0, len(classes)), np.float16)
            tmp = parts / f"{i:03d}.tmp.npz"
            np.savez(tmp, **arrays)
            tmp.replace(parts / f"{i:03d}.npz")
    loaded = [np.load(parts / f"{i:03d}.npz") for i in range(len(shards))]
    lengths = np.concatenate([z["lengths"] for z in loaded])
    arrays = {"features": np.concatenate([z["features"] for z in loaded]),
              "labels": np.concatenate([z["labels"] for z in loaded]),
              "starts": np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64),
              "voices": np.array([str(z["voice"]) for z in loaded for _ in range(len(z["lengths"]))])}
    if teacher_dir is not None:
        arrays["teacher"] = np.concatenate([z["teacher"] for z in loaded])
    tmp = out_path.with_name(out_path.name + ".part.npz")
    np.savez(tmp, **arrays)
    tmp.replace(out_path)
    shutil.rmtree(parts)


def without_voices(fs: FeatureSet, names: set[str]) -> FeatureSet:
    """fs without the utterances of these voices (a copy): the other voices' features stay exactly as built."""
    keep = np.array([v not in names for v in fs.voices])
    lengths = fs.ends - fs.starts
    frames = np.repeat(keep, lengths)
    return FeatureSet(fs.features[frames], fs.labels[frames], np.concatenate([[0], np.cumsum(lengths[keep])[:-1]]),
                      [v for v, k in zip(fs.voices, keep) if k], None if fs.teacher is None else fs.teacher[frames])


def relabel(fs: FeatureSet, classes: tuple[str, ...], onto: tuple[str, ...]) -> FeatureSet:
    """fs with its labels (indices into classes) turned into indices into onto, a larger class list (the union of
    several languages' phones); IGNORED stays IGNORED. The features are shared, not copied."""
    table = np.array([onto.index(c) for c in classes], np.int8)
    labels = np.where(fs.labels >= 0, table[np.maximum(fs.labels, 0)], IGNORED).astype(np.int8)
    teacher = None
    if fs.teacher is not None:
        teacher = np.zeros((len(fs.teacher), len(onto)), np.float16)
        teacher[:, table] = fs.teacher
    return FeatureSet(fs.features, labels, fs.starts, fs.voices, teacher)


def concatenate(sets: list[FeatureSet]) -> FeatureSet:
    """One stream of several feature sets labelled with the same classes, one after another."""
    offsets = np.cumsum([0] + [len(s.labels) for s in sets[:-1]])
    teacher = np.concatenate([s.teacher for s in sets]) if all(s.teacher is not None for s in sets) else None
    return FeatureSet(np.concatenate([s.features for s in sets]), np.concatenate([s.labels for s in sets]),
                      np.concatenate([s.starts + o for s, o in zip(sets, offsets)]), [v for s in sets for v in s.voices],
                      teacher)


def load(path: Path) -> FeatureSet:
    z = np.load(path)
    return FeatureSet(z["features"], z["labels"], z["starts"], list(z["voices"]), z["teacher"] if "teacher" in z.files else None)
