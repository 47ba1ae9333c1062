"""Typed view of a model's metadata JSON (written by train/export.py beside the .tflite)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import SaywellError
from .features import FrontendConfig
from .language import DEFAULT_LANGUAGE

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class TensorSpec:
    shape: tuple[int, ...]
    dtype: str  # "int8" or "float32"
    scale: float = 0.0  # quantization; 0 for float tensors
    zero_point: int = 0


@dataclass(frozen=True)
class Streaming:
    """How the fixed-shape model is slid over a feature sequence.

    Output frame t sees input frames t - left_context_frames .. t + lookahead_frames, so a chunk
    of chunk_frames outputs needs left_context + chunk + lookahead input frames.
    """

    chunk_frames: int
    left_context_frames: int
    lookahead_frames: int

    @property
    def input_frames(self) -> int:
        return self.left_context_frames + self.chunk_frames + self.lookahead_frames


@dataclass(frozen=True)
class Calibration:
    """Maps a phone's GOP to 0-100 (logistic) and holds the thresholds; fitted in train/, applied here."""

    slope: float = 1.0
    offset: float = 0.0  # score = 100 * sigmoid(slope * (gop - offset))
    phone_threshold: float = 50.0  # phone ok when score >= this
    word_threshold: float = 50.0  # verdict correct when the utterance score >= this
    min_speech_frames: int = 10  # fewer non-silence frames than this -> no_speech
    per_phone_offset: dict = field(default_factory=dict)  # optional phone -> offset override
    prior_scale: float = 1.0  # alignment divides posteriors by priors ** prior_scale (1: scaled likelihoods;
    # lower keeps a frequent short vowel from being squeezed out by a rare neighbour)
    rival_margin: float | None = None  # a learner's classic substitute (the language's learner_substitutions: V
    # said as B) heard more clearly than the expected phone by more than this (nats, segment mean log posterior):
    # the phone is heard as the substitute (scoring.heard_as_score); None: never
    rival_phones: tuple[str, ...] = ()  # the expected phones that rule judges; empty: every phone with a substitute


@dataclass(frozen=True)
class ModelMetadata:
    name: str
    schema_version: int
    frontend: FrontendConfig
    phones: tuple[str, ...]  # output classes, in order
    silence: str
    input: TensorSpec
    output: TensorSpec
    output_is_logits: bool
    streaming: Streaming
    calibration: Calibration
    log_priors: np.ndarray | None  # training-set class frequencies (log), for alignment with scaled likelihoods
    raw: dict  # everything else (training summary, evaluation), for reports
    language: str = DEFAULT_LANGUAGE  # the language it judges (engine/language.py); models from before Spanish name none

    @classmethod
    def load(cls, path: str | Path) -> "ModelMetadata":
        p = Path(path)
        if not p.exists():
            raise SaywellError(f"model metadata {p} not found; it must sit beside the .tflite (re-export the model or reinstall saywell)")
        try:
            d = json.loads(p.read_text())
            if d.get("schema_version") != SCHEMA_VERSION:
                raise SaywellError(f"{p}: metadata schema {d.get('schema_version')} is not {SCHEMA_VERSION}; use a model exported by this saywell version")
            return cls(
                name=d["name"], schema_version=d["schema_version"],
                frontend=FrontendConfig.from_dict(d["frontend"]),
                phones=tuple(d["phones"]), silence=d["silence"],
                input=TensorSpec(tuple(d["input"]["shape"]), d["input"]["dtype"], d["input"].get("scale", 0.0), d["input"].get("zero_point", 0)),
                output=TensorSpec(tuple(d["output"]["shape"]), d["output"]["dtype"], d["output"].get("scale", 0.0), d["output"].get("zero_point", 0)),
                output_is_logits=bool(d.get("output_is_logits", True)),
                streaming=Streaming(**d["streaming"]),
                calibration=(cal := Calibration(**d.get("calibration", {}))),
                log_priors=cal.prior_scale * np.log(np.asarray(d["class_priors"], np.float64)) if d.get("class_priors") else None,
                raw=d,
                language=d.get("language") or DEFAULT_LANGUAGE,
            )
        except SaywellError:
            raise
        except (ValueError, KeyError, TypeError) as e:
            raise SaywellError(f"{p}: corrupt model metadata ({type(e).__name__}: {e}); re-export the model or reinstall saywell") from e
