"""Stage 3: fit the float model, prune it (tfmot.sparsity), then quantization-aware training that keeps
the sparsity (prune-preserving QAT). Each phase checkpoints; a finished phase is skipped on rerun, and one cut
short resumes from its last backup (every 100 steps)."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .features import FeatureSet
from .model import ModelConfig, build


@dataclass(frozen=True)
class FitConfig:
    batch_size: int = 32
    window_frames: int = 200  # output frames per training window
    float_steps: int = 1800
    prune_steps: int = 600
    qat_steps: int = 600
    sparsity: float = 0.5
    lr: float = 2e-3
    qat_lr: float = 2e-4
    ema: float = 0.0  # >0: the float phase ends on an exponential moving average of its weights (Adam use_ema)
    seed: int = 0
    eq_prob: float = 0.0  # windows given a random smooth spectral envelope (speaker/channel colour the audio chain lacks)
    eq_depth: float = 1.0  # its scale in log-power units (4.3 dB); at 1.0 the envelope's largest deviation is 3.9 dB median, 6.8 dB p90
    freq_masks: int = 1  # SpecAugment frequency bands per masked window
    splice_prob: float = 0.0  # random windows re-assembled with phone segments swapped (train/splice.py) ...
    splice_rate: float = 0.15  # ... this share of their segments
    distill: float = 0.0  # >0: weight of a teacher's softened posteriors in the float phase's loss (the rest: the labels)
    distill_temperature: float = 2.0
    distill_frames: str = "all"  # all | agree: only frames whose label is the teacher's own first choice
    init_weights: str = ""  # start the float phase from these float weights (same configuration) instead of at random
    init_from: str = ""  # or from another language's float TFLite model (same network, any phones): train/transfer.py


class WindowSampler:
    """Random windows from a feature stream, with the start/end silence padding the runtime adds."""

    def __init__(self, fs: FeatureSet, mcfg: ModelConfig, window: int, pad_value: float, seed: int, augment: bool = True,
                 eq_prob: float = 0.0, eq_depth: float = 1.0, freq_masks: int = 1, splice_prob: float = 0.0, splice_rate: float = 0.15,
                 noise_prob: float = 0.0, noise_snr: tuple[float, float] = (0.0, 20.0)):
        self.eq_prob, self.eq_depth, self.freq_masks, self.splice_prob = eq_prob, eq_depth, freq_masks, splice_prob
        self.noise_prob, self.noise_snr = noise_prob, noise_snr
        self.noise_bank = _noise_bank(seed) if augment and noise_prob > 0 else None
        self.splicer = None
        if augment and splice_prob > 0:
            from .splice import PhoneSplicer
            self.splicer = PhoneSplicer(fs, splice_rate)
        self.f, self.l, self.starts = fs.features, fs.labels, fs.starts
        self.t = fs.teacher if augment else None  # soft targets ride along with the labels (training windows only)
        self.ends = fs.ends
        self.m, self.window, self.pad, self.aug = mcfg, window, pad_value, augment
        self.rng = np.random.default_rng(seed)
        self.in_frames = window + mcfg.receptive_field - 1

    def sample(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """(windows, labels); the windows' soft targets, when the features carry them, are left in self.targets."""
        m, rng, T = self.m, self.rng, self.in_frames
        x = np.empty((batch, T, m.n_mels), np.float32)
        y = np.empty((batch, self.window), np.int32)
        self.targets = None if self.t is None else np.empty((batch, self.window, self.t.shape[1]), np.float32)
        self.window_starts = np.empty(batch, np.int64)  # where each window was cut (its voice, for speaker-level heads)
        for b in range(batch):
            mode = rng.random()
            if mode < 0.25:  # utterance start just inside the left context
                u = rng.integers(len(self.starts))
                s0 = self.starts[u] - rng.integers(0, m.left_context + 1)
            elif mode < 0.5:  # utterance end inside the window
                u = rng.integers(len(self.starts))
                s0 = self.ends[u] - m.left_context - rng.integers(1, self.window + 1)
            else:
                u = None
                s0 = rng.integers(0, len(self.l) - T)
            s0 = int(np.clip(s0, 0, len(self.l) - T))
            self.window_starts[b] = s0
            xb = self.f[s0:s0 + T].astype(np.float32)
            yb = self.l[s0 + m.left_context:s0 + m.left_context + self.window].astype(np.int32)
            tb = None if self.t is None else self.t[s0 + m.left_context:s0 + m.left_context + self.window].astype(np.float32)
            if u is None and self.splicer is not None and rng.random() < self.splice_prob:
                spliced = self.splicer.window(s0, T, rng)
                if spliced is not None:
                    xb = spliced[0].astype(np.float32)
                    yb = spliced[1][m.left_context:m.left_context + self.window].astype(np.int32)
                    if tb is not None:  # the teacher never heard the spliced window: its labels stand in
                        tb = np.eye(tb.shape[1], dtype=np.float32)[np.maximum(yb, 0)]
            if self.noise_bank is not None and rng.random() < self.noise_prob:  # before the runtime's padding
                xb = self._noise(xb, rng)
            if u is not None and mode < 0.25 and self.starts[u] > s0:
                xb[: self.starts[u] - s0] = self.pad
            elif u is not None and mode >= 0.25 and self.ends[u] < s0 + T:
                cut = self.ends[u] - s0
                xb[cut:] = self.pad
                lab_cut = max(0, cut - m.left_context)
                yb[lab_cut:] = m.n_classes - 1  # silence: the last class in every language (features.classes_for)
                if tb is not None:
                    tb[lab_cut:] = 0.0
                    tb[lab_cut:, -1] = 1.0
            if self.aug:
                if rng.random() < self.eq_prob:
                    xb = self._colour(xb, rng)
                if rng.random() < 0.5:  # SpecAugment: frequency bands, up to two time spans
                    for _ in range(self.freq_masks):
                        f0 = rng.integers(0, m.n_mels - 6)
                        xb[:, f0:f0 + rng.integers(1, 6)] = xb.mean()
                for _ in range(rng.integers(0, 3)):
                    t0 = rng.integers(0, T - 8)
                    xb[t0:t0 + rng.integers(1, 8)] = xb.mean()
            x[b], y[b] = xb, yb
            if tb is not None:
                self.targets[b] = tb
        return x[..., None], y

    def _noise(self, xb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Noise mixed in the power domain (log(exp x + g exp n)) at a random SNR against the window's active speech:
        babble (three other stretches of the stream at once) or coloured noise from a bank of real noise spectra.
        Cached features hold one waveform degradation each; this gives every window a fresh, often harder one.
        Digitally silent frames get the noise too (a room is never silent); the runtime's padding comes after.
        The SNR is over the mel bands' summed power: for white or pink noise about 4 dB above the waveform's.
        Measured (research/feature_noise.py): it does not make the scorer hold up better in noise; off by default."""
        T = len(xb)
        if rng.random() < 0.5:
            noise = np.zeros_like(xb)
            for s in rng.integers(0, len(self.l) - T, 3):
                p = np.exp(self.f[s:s + T].astype(np.float32))
                noise += p / p.sum(axis=1).mean()
        else:
            bank = self.noise_bank[rng.integers(len(self.noise_bank))]
            s = rng.integers(0, len(bank) - T)
            noise = np.exp(bank[s:s + T])
        power = np.exp(xb)
        energy = power.sum(axis=1)
        speech = energy[energy > energy.max() * 1e-3].mean()
        gain = speech / noise.sum(axis=1).mean() * 10 ** (-rng.uniform(*self.noise_snr) / 10)
        return np.log(power + gain * noise).astype(np.float32)

    def _colour(self, xb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A smooth random log-spectral envelope (tilt + low-order cosines) on the non-silent frames:
        voices differ in source tilt and overall colour, which band-pass filtering alone does not vary."""
        n = xb.shape[1]
        u = np.linspace(0.0, 1.0, n)
        curve = rng.uniform(-1, 1) * (2 * u - 1) + sum(rng.normal(0, 0.35) * np.cos(np.pi * k * u) for k in (1, 2, 3))
        live = xb.max(axis=1) > self.pad + 1.0
        xb[live] += (self.eq_depth * curve).astype(np.float32)
        return xb


def _noise_bank(seed: int) -> list[np.ndarray]:
    """Log-mel frames of 1/f^k noise, k = 0 (white), 1 (pink), 1.5, 2 (brown), 2000 frames each; once per sampler."""
    from saywell.engine.features import FrontendConfig, log_mel

    from .augment import colored_noise

    rng = np.random.default_rng(seed + 7)
    return [log_mel(colored_noise(16000 * 20, rng, e), FrontendConfig()) for e in (0.0, 1.0, 1.5, 2.0)]


def _steps_dataset(sampler: WindowSampler, batch: int, with_targets: bool = False):
    """Batches of (windows, labels, weights): an IGNORED label becomes class 0 with weight 0. With_targets, the
    labels are (labels, the teacher's soft targets)."""
    import tensorflow as tf

    def gen():
        while True:
            x, y = sampler.sample(batch)
            labels = np.maximum(y, 0)
            yield x, ((labels, sampler.targets) if with_targets else labels), (y >= 0).astype(np.float32)

    label_spec = tf.TensorSpec((batch, sampler.window), tf.int32)
    if with_targets:
        label_spec = (label_spec, tf.TensorSpec((batch, sampler.window, sampler.t.shape[1]), tf.float32))
    spec = (tf.TensorSpec((batch, sampler.in_frames, sampler.m.n_mels, 1), tf.float32), label_spec,
            tf.TensorSpec((batch, sampler.window), tf.float32))
    return tf.data.Dataset.from_generator(gen, output_signature=spec).prefetch(4)


def _optimizer(lr, steps, ema: float = 0.0):
    import tf_keras as keras

    sched = keras.optimizers.schedules.CosineDecay(lr, max(steps, 1), alpha=0.05)
    return keras.optimizers.Adam(sched, use_ema=True, ema_momentum=ema) if ema > 0 else keras.optimizers.Adam(sched)


def _compile(model, lr, steps, ema: float = 0.0):
    import tf_keras as keras

    model.compile(optimizer=_optimizer(lr, steps, ema), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  weighted_metrics=["sparse_categorical_accuracy"])


def distiller(student, teacher, weight: float, temperature: float, frames: str = "all"):
    """A Keras model that trains `student` on (1 - weight) x cross-entropy with the labels + weight x T^2 x KL
    from the frozen `teacher`'s posteriors softened by T (Hinton et al. 2015). A wider float network judges
    unseen voices better than the on-device one can hold; its soft targets also carry which phones sound alike.
    With teacher None the targets come with the data, precomputed (labels = (labels, probabilities): Whisper's,
    train/whisper_teacher.py), and are softened the same way (p ** (1/T), renormalised).
    frames "agree": the teacher's term only on labelled frames whose label is its own first choice, averaged over
    those. Whisper's head hears the training voices' TH as F a third of the time, and on all frames the student
    learnt that doubt: the demo's TH checked as T and V said as B passed (models/RESEARCH.md, session 19)."""
    if frames not in ("all", "agree"):
        raise ValueError(f"distill frames {frames!r}: all or agree")
    import tensorflow as tf
    import tf_keras as keras

    if teacher is not None:
        teacher.trainable = False

    class Distiller(keras.Model):
        def __init__(self):
            super().__init__()
            self.student, self.teacher = student, teacher
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.accuracy = keras.metrics.SparseCategoricalAccuracy(name="sparse_categorical_accuracy")

        @property
        def metrics(self):
            return [self.loss_tracker, self.accuracy]

        def call(self, x, training=False):
            return self.student(x, training=training)

        @staticmethod
        def _labelled(data):
            """(x, y, w, the weighted label loss of logits, precomputed targets or None): w is 0 on IGNORED frames."""
            x, y, w = keras.utils.unpack_x_y_sample_weight(data)
            targets = None
            if isinstance(y, (tuple, list)):
                y, targets = y
            w = tf.ones_like(y, tf.float32) if w is None else w
            return x, y, w, lambda logits: tf.reduce_mean(w * keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)), targets

        def train_step(self, data):
            x, y, w, label_loss, targets = self._labelled(data)
            if targets is None:
                soft = tf.nn.softmax(self.teacher(x, training=False) / temperature, axis=-1)
            else:
                soft = tf.nn.softmax(tf.math.log(targets + 1e-6) / temperature, axis=-1)
            with tf.GradientTape() as tape:
                logits = self.student(x, training=True)
                ce = label_loss(logits)
                log_q = tf.nn.log_softmax(logits / temperature, axis=-1)
                kl_frames = tf.reduce_sum(soft * (tf.math.log(soft + 1e-9) - log_q), axis=-1)
                if frames == "agree":
                    mask = tf.cast(tf.equal(tf.argmax(soft, axis=-1), tf.cast(y, tf.int64)), tf.float32) * tf.cast(w > 0, tf.float32)
                    kl = tf.reduce_sum(mask * kl_frames) / tf.maximum(tf.reduce_sum(mask), 1.0)
                else:
                    kl = tf.reduce_mean(kl_frames)  # every frame: no labels needed
                loss = (1.0 - weight) * ce + weight * temperature ** 2 * kl
            variables = self.student.trainable_variables
            self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            self.loss_tracker.update_state(loss)
            self.accuracy.update_state(y, logits, sample_weight=w)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y, w, label_loss, _ = self._labelled(data)
            logits = self.student(x, training=False)
            self.loss_tracker.update_state(label_loss(logits))
            self.accuracy.update_state(y, logits, sample_weight=w)
            return {m.name: m.result() for m in self.metrics}

    return Distiller()


def load_teacher(fit_dir: Path, frames: int):
    """The float network trained in fit_dir (its model_config.json and float.weights.h5)."""
    from saywell.errors import SaywellError

    cfg_path, weights = fit_dir / "model_config.json", fit_dir / "float.weights.h5"
    if not weights.exists():
        raise SaywellError(f"no teacher weights at {weights}: fit the teacher first")
    tcfg = ModelConfig.from_dict(json.loads(cfg_path.read_text()))
    teacher = build(tcfg, frames)
    teacher.load_weights(str(weights))
    return tcfg, teacher


def qat_wrap(model):
    """Quantization-aware copy that keeps zero weights at zero (prune-preserving scheme)."""
    import tensorflow_model_optimization as tfmot

    annotated = tfmot.quantization.keras.quantize_annotate_model(model)
    return tfmot.quantization.keras.quantize_apply(annotated, tfmot.experimental.combine.Default8BitPrunePreserveQuantizeScheme())


def fit(train: FeatureSet, val: FeatureSet, mcfg: ModelConfig, fcfg: FitConfig, pad_value: float, out_dir: Path, log=print,
        teacher_dir: Path | None = None, float_only: bool = False, classes: tuple[str, ...] = ()) -> dict:
    """Returns a summary; writes float, pruned and qat weights to out_dir (only the float ones with float_only,
    as for a teacher). With teacher_dir and fcfg.distill > 0 the float phase learns from that teacher too."""
    import tensorflow as tf
    import tensorflow_model_optimization as tfmot
    import tf_keras as keras

    tf.random.set_seed(fcfg.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary_path = out_dir / "fit_summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    sampler = WindowSampler(train, mcfg, fcfg.window_frames, pad_value, fcfg.seed, eq_prob=fcfg.eq_prob, eq_depth=fcfg.eq_depth,
                            freq_masks=fcfg.freq_masks, splice_prob=fcfg.splice_prob, splice_rate=fcfg.splice_rate)
    vsampler = WindowSampler(val, mcfg, fcfg.window_frames, pad_value, fcfg.seed + 1, augment=False)
    vx, vy = vsampler.sample(256)
    vdata = (vx, np.maximum(vy, 0), (vy >= 0).astype(np.float32))  # held-out accent substitutions are IGNORED too
    frames = sampler.in_frames
    log_every = 100

    def run(model, steps, tag, extra_callbacks=(), with_targets=False):
        t0 = time.time()
        # Every 100 steps the phase's weights, optimizer state and step count are backed up: a fit cut short (a
        # session's end, a reboot) resumes where it stopped on the next run; the backup goes when the phase ends.
        backup = out_dir / f"{tag}_backup"
        resumed = backup.exists() and any(backup.iterdir())
        if resumed:
            log(f"{tag}: resuming from {backup}")
        cb = list(extra_callbacks) + [keras.callbacks.BackupAndRestore(str(backup)),
                                      keras.callbacks.CSVLogger(str(out_dir / f"{tag}.csv"), append=resumed)]
        model.fit(_steps_dataset(sampler, fcfg.batch_size, with_targets), steps_per_epoch=min(log_every, steps), epochs=max(1, steps // log_every),
                  validation_data=vdata, callbacks=cb, verbose=2)
        shutil.rmtree(backup, ignore_errors=True)
        res = model.evaluate(vdata[0], vdata[1], sample_weight=vdata[2], verbose=0)
        summary[tag] = {"steps": steps, "seconds": round(time.time() - t0, 1), "val_frame_accuracy": round(float(res[1]), 4)}
        summary_path.write_text(json.dumps(summary, indent=1))
        log(f"{tag}: {summary[tag]}")

    float_w, pruned_w, qat_w = out_dir / "float.weights.h5", out_dir / "pruned.weights.h5", out_dir / "qat.weights.h5"
    (out_dir / "model_config.json").write_text(json.dumps(mcfg.to_dict()))  # checkpoints are only valid for this config
    model = build(mcfg, frames)
    if float_w.exists():
        model.load_weights(str(float_w))
    else:
        if fcfg.init_weights:
            model.load_weights(fcfg.init_weights)
        elif fcfg.init_from:
            from .transfer import init_from_model
            carried = init_from_model(model, Path(fcfg.init_from), classes, sampler.sample(128)[0])
            summary["init_from"] = carried
            log(f"float phase starts from {carried['source']}: body, and head rows of {len(carried['head_rows_from_source'])} phones")
        with_targets = teacher_dir is None and fcfg.distill > 0 and train.teacher is not None
        if teacher_dir is not None and fcfg.distill > 0:
            tcfg, teacher = load_teacher(teacher_dir, frames)
            if tcfg.receptive_field != mcfg.receptive_field or tcfg.lookahead != mcfg.lookahead:
                raise ValueError("the teacher must see the same frames as the student (same receptive field and look-ahead)")
            trainer = distiller(model, teacher, fcfg.distill, fcfg.distill_temperature, fcfg.distill_frames)
            trainer.compile(optimizer=_optimizer(fcfg.lr, fcfg.float_steps, fcfg.ema))  # it computes its own loss and metrics
        elif with_targets:  # Whisper's targets, carried by the features
            trainer = distiller(model, None, fcfg.distill, fcfg.distill_temperature, fcfg.distill_frames)
            trainer.compile(optimizer=_optimizer(fcfg.lr, fcfg.float_steps, fcfg.ema))
        else:
            trainer = model
            _compile(model, fcfg.lr, fcfg.float_steps, fcfg.ema)
        run(trainer, fcfg.float_steps, "float", with_targets=with_targets)
        model.save_weights(str(float_w))
    if float_only:
        return summary
    if pruned_w.exists():
        model.load_weights(str(pruned_w))
    else:
        sched = tfmot.sparsity.keras.PolynomialDecay(0.0, fcfg.sparsity, begin_step=0, end_step=int(fcfg.prune_steps * 0.7),
                                                       frequency=max(1, min(50, fcfg.prune_steps // 10)))
        pm = tfmot.sparsity.keras.prune_low_magnitude(model, pruning_schedule=sched)
        _compile(pm, fcfg.lr * 0.25, fcfg.prune_steps)
        run(pm, fcfg.prune_steps, "prune", [tfmot.sparsity.keras.UpdatePruningStep()])
        model = tfmot.sparsity.keras.strip_pruning(pm)
        model.save_weights(str(pruned_w))
    if not qat_w.exists():
        qm = qat_wrap(model)
        _compile(qm, fcfg.qat_lr, fcfg.qat_steps)
        run(qm, fcfg.qat_steps, "qat")
        qm.save_weights(str(qat_w))
    return summary
