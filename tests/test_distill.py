"""Distillation from a wider float teacher (train/fit.py distiller): the loss is the documented mix, and the
student moves toward the teacher's posteriors when it learns from them alone."""

import numpy as np
import pytest

pytest.importorskip("tensorflow_model_optimization")


def _tiny(channels: int):
    from saywell_train.model import ModelConfig

    return ModelConfig(channels=channels, blocks=2, block_lookahead=(3, 3))


def _pair(frames: int):
    import tf_keras as keras

    from saywell_train.model import build

    keras.utils.set_random_seed(3)
    return build(_tiny(8), frames), build(_tiny(24), frames)


def _kl_frames(p_logits, q_logits, t):
    p = np.exp(p_logits / t - np.logaddexp.reduce(p_logits / t, axis=-1, keepdims=True))
    log_q = q_logits / t - np.logaddexp.reduce(q_logits / t, axis=-1, keepdims=True)
    return np.sum(p * (np.log(p + 1e-9) - log_q), axis=-1)


def _kl(p_logits, q_logits, t):
    return float(np.mean(_kl_frames(p_logits, q_logits, t)))


def test_distillation_loss_is_labels_and_softened_teacher_in_the_stated_shares():
    import tf_keras as keras

    from saywell_train.fit import distiller

    frames = 40
    student, teacher = _pair(frames)
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (4, frames, 40, 1)).astype(np.float32)
    y = rng.integers(0, 40, (4, frames - _tiny(8).receptive_field + 1)).astype(np.int32)
    s_logits, t_logits = student(x, training=True).numpy(), teacher(x).numpy()  # before any step
    ce = float(np.mean(np.logaddexp.reduce(s_logits, axis=-1) - np.take_along_axis(s_logits, y[..., None], -1)[..., 0]))
    expected = 0.3 * ce + 0.7 * 4.0 * _kl(t_logits, s_logits, 2.0)
    d = distiller(student, teacher, 0.7, 2.0)
    d.compile(optimizer=keras.optimizers.SGD(0.0))
    logs = d.train_on_batch(x, y, return_dict=True)
    assert logs["loss"] == pytest.approx(expected, rel=1e-4)
    assert not teacher.trainable and len(d.trainable_variables) == len(student.trainable_variables)


def test_a_student_taught_by_the_teacher_alone_moves_toward_its_posteriors():
    import tf_keras as keras

    from saywell_train.fit import distiller

    frames = 40
    student, teacher = _pair(frames)
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (8, frames, 40, 1)).astype(np.float32)
    y = np.zeros((8, frames - _tiny(8).receptive_field + 1), np.int32)  # labels ignored at weight 1
    t_logits = teacher(x).numpy()
    before = _kl(t_logits, student(x).numpy(), 1.0)
    teacher_weights = [w.copy() for w in teacher.get_weights()]
    d = distiller(student, teacher, 1.0, 1.0)
    d.compile(optimizer=keras.optimizers.Adam(1e-2))
    for _ in range(60):
        d.train_on_batch(x, y)
    after = _kl(t_logits, student(x).numpy(), 1.0)
    assert after < 0.5 * before, (before, after)
    assert all(np.array_equal(a, b) for a, b in zip(teacher_weights, teacher.get_weights())), "the teacher stays frozen"


def test_precomputed_targets_are_softened_and_mixed_with_the_labels_in_the_stated_shares():
    """Whisper's targets come with the data (train/whisper_teacher.py): the same loss, with p ** (1/T) renormalised
    in place of the teacher network's softened posteriors."""
    import tf_keras as keras

    from saywell_train.fit import distiller

    frames = 40
    student, _ = _pair(frames)
    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, (4, frames, 40, 1)).astype(np.float32)
    out = frames - _tiny(8).receptive_field + 1
    y = rng.integers(0, 40, (4, out)).astype(np.int32)
    probs = rng.dirichlet(np.full(40, 0.3), (4, out)).astype(np.float32)
    s_logits = student(x, training=True).numpy()
    ce = float(np.mean(np.logaddexp.reduce(s_logits, axis=-1) - np.take_along_axis(s_logits, y[..., None], -1)[..., 0]))
    expected = 0.5 * ce + 0.5 * 4.0 * _kl(np.log(probs + 1e-6), s_logits, 2.0)
    d = distiller(student, None, 0.5, 2.0)
    d.compile(optimizer=keras.optimizers.SGD(0.0))
    logs = d.train_on_batch(x, (y, probs), return_dict=True)
    assert logs["loss"] == pytest.approx(expected, rel=1e-4)


def test_agreeing_frames_only_take_the_teacher_where_its_first_choice_is_the_label():
    """distill_frames "agree": the KL term is the mean over frames whose label is the targets' argmax; a frame the
    teacher hears as another phone (Whisper's TH as F) is taught by its label alone."""
    import tf_keras as keras

    from saywell_train.fit import distiller

    frames = 40
    student, _ = _pair(frames)
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1, (4, frames, 40, 1)).astype(np.float32)
    out = frames - _tiny(8).receptive_field + 1
    probs = rng.dirichlet(np.full(40, 0.3), (4, out)).astype(np.float32)
    y = probs.argmax(-1).astype(np.int32)
    disagree = rng.random((4, out)) < 0.4
    y[disagree] = (y[disagree] + 1) % 40
    s_logits = student(x, training=True).numpy()
    ce = float(np.mean(np.logaddexp.reduce(s_logits, axis=-1) - np.take_along_axis(s_logits, y[..., None], -1)[..., 0]))
    kl_frames = _kl_frames(np.log(probs + 1e-6), s_logits, 1.0)
    expected = 0.5 * ce + 0.5 * float(kl_frames[~disagree].mean())
    everywhere = 0.5 * ce + 0.5 * float(kl_frames.mean())
    d = distiller(student, None, 0.5, 1.0, "agree")
    d.compile(optimizer=keras.optimizers.SGD(0.0))
    logs = d.train_on_batch(x, (y, probs), return_dict=True)
    assert logs["loss"] == pytest.approx(expected, rel=1e-4)
    assert abs(expected - everywhere) > 1e-3  # the mask matters for this batch
    with pytest.raises(ValueError):
        distiller(student, None, 0.5, 1.0, "some")
