"""train/substitute_rule.py: a phone is admitted only where judging it as its substitute pays on tuning data."""

import numpy as np

from saywell.engine.metadata import Calibration
from saywell_train.evaluate import EvalItem, ItemEvidence, utterance_score
from saywell_train.substitute_rule import REAL_CALIBRATION, choose

CAL = Calibration(slope=1.0, offset=-3.0)  # 50 at a mean log posterior of -3


def take(phones, gaps, correct=True, changed=None, said=None, gop=-1.0):
    """Evidence of a one-word take: every phone at `gop`, each with its substitute's lead in `gaps`."""
    item = EvalItem(f"k{id(phones)}{np.random.rand()}", np.zeros(1), [tuple(phones)], correct, changed, said)
    return ItemEvidence(item, [[gop] * len(phones)], [["-"] * len(phones)], [list(phones)], [list(gaps)])


def test_a_phone_that_rejects_correct_real_speech_is_not_admitted_and_one_that_pays_is():
    inf = float("-inf")
    tuning = {
        # V: its substitution twins lead by e^2.5 and are caught; correct V takes never lead
        "voice": [take(["V", "EH"], [-1.0, inf]) for _ in range(50)]
        + [take(["V", "EH"], [2.5, inf], correct=False, changed=(0, 0), said="B") for _ in range(10)]
        # TH: twins caught too, but ...
        + [take(["TH", "IH"], [-1.0, inf]) for _ in range(50)]
        + [take(["TH", "IH"], [2.5, inf], correct=False, changed=(0, 0), said="S") for _ in range(10)],
        # ... the real speaker's correct TH is heard as S by e^2.2: judging TH would reject her
        REAL_CALIBRATION: [take(["TH", "IH"], [2.2, inf]) for _ in range(5)] + [take(["V", "EH"], [0.5, inf]) for _ in range(5)],
    }
    assert all(utterance_score(e, CAL) >= 50 for evs in tuning.values() for e in evs)  # the line alone accepts all
    choice = choose(tuning, CAL)
    # margins 1.0-2.0 catch the same ten twins; the widest of them wins the tie. At 2.5 and above no twin
    # leads by more, so nothing pays
    assert choice.margin == 2.0 and choice.phones == ("V",)
    row = next(r for r in choice.per_margin if r["margin"] == choice.margin)
    assert row["per_phone"]["V"]["caught"] == 10 and row["per_phone"]["V"]["added"] == 0
    assert row["per_phone"]["TH"]["caught"] == 10 and row["per_phone"]["TH"]["real_added"] == 5
    assert all(not r["admitted"] for r in choice.per_margin if r["margin"] >= 2.5)

def test_no_rule_when_nothing_pays():
    inf = float("-inf")
    tuning = {"voice": [take(["V", "EH"], [-1.0, inf]) for _ in range(20)],
              REAL_CALIBRATION: [take(["V", "EH"], [-1.0, inf]) for _ in range(5)]}
    choice = choose(tuning, CAL)
    assert choice.margin is None and choice.phones == ()
