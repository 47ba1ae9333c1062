"""Accent errors as a validation set (train/evaluate.py): an accented MBROLA voice's takes with substitutions are
kept out of the correct/twin pairs and scored as learner errors whose phone is known."""

from pathlib import Path

import numpy as np
import pytest

mbrola = pytest.importorskip("saywell_train.voices.mbrola_voice")
try:
    mbrola.voice_file("de1")
except FileNotFoundError:
    pytest.skip("run scripts/fetch-mbrola de1", allow_module_level=True)

WORDS = ["think", "thank", "three", "thing", "ship", "fish", "man", "sit", "bed", "mint", "tenth", "moth"]


@pytest.fixture(scope="module")
def shard(tmp_path_factory):
    from saywell_train.synthesize import Job, VoiceSpec, synthesize_voice
    from saywell.engine.lexicon import _cmudict

    lex = _cmudict()
    jobs = [Job([w], None, [lex[w]]) for w in WORDS]
    path = tmp_path_factory.mktemp("accent") / "mbrola_de1_en.npz"
    synthesize_voice(VoiceSpec("mbrola", "de1-en", "mbrola_de1_en"), jobs, path, workers=1)
    return path


def test_substituted_takes_leave_the_pairs_and_become_accent_items(shard):
    from saywell_train.evaluate import accent_items, heldout_items

    pairs, accents = heldout_items(shard), accent_items(shard)
    assert len(pairs) + len(accents) == len(WORDS)
    assert {"ship", "fish", "man"} <= {it.text[0] for it in pairs} or len(pairs) >= 2
    th = [it for it in accents if it.text[0] in ("think", "thank", "three", "thing")]
    assert th and all((0, 0) in it.substituted for it in th)  # de1 says TH as f
    assert all(it.substituted_as[it.substituted.index((0, 0))] == "f" for it in th)


def test_the_model_hears_the_substitution(shard, scorer):
    """On real model output: the substituted phones score lower than the faithfully said ones, and the
    metrics report them as fractions of the takes."""
    from saywell_train.evaluate import accent_items, accent_metrics, gather, phone_scores, posteriors

    items = accent_items(shard)
    model = scorer.model
    evs = gather(posteriors(model, items), items, model.meta.log_priors)
    cal = model.meta.calibration
    subs, faithful = [], []
    for e in evs:
        at = {e.at(s) for s in e.item.substituted}
        for wi, w in enumerate(phone_scores(e, cal)):
            for pi, x in enumerate(w):
                (subs if (wi, pi) in at else faithful).append(x)
    assert np.mean(subs) < np.mean(faithful) - 10
    m = accent_metrics(evs, cal)
    assert m["n_takes"] == len(items) and 0 < m["substituted_phone_flagged"] <= 1
