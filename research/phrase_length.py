"""False rejection by phrase length: which words of a correct phrase are judged wrong, and does a rule help?

    .venv/bin/python research/phrase_length.py [--work work] [--out research/results_phrase_length.jsonl]

Sources (validation only, never trained on): the Asterisk prompts of up to six words (work/real_long, built
here from the installed packages like the dev set of up to three words the pipeline uses) split into the
calibration and evaluation halves of train/evaluate.py, and the Hedgewars actors' transcribed lines
(work/hedgewars, `python -m saywell_train.hedgewars`). Each correct prompt is scored against its text, and
against the text with one word swapped for a word one phone away. Per number of words: false rejection of
correct prompts, how often the swapped word is judged wrong (word verdict), and how often a correct prompt has
a word judged left out.

Rules compared: the scorer as shipped before session 13 (no connected-speech forms) and with its connected-speech
forms inside a phrase: a function word's DH allowed as a stop (lexicon.STOPPED_DH_WORDS) and the weak forms
"yer" and "ya" (lexicon.WEAK_FORMS); with --more, DH also allowed as N. With --assimilation (session 18), the
scorer with those forms, without and with two rules of ordinary speech, alone and together: an N before a lip or
back consonant may be M or NG (lexicon.ASSIMILATING), and American English drops the T of vowel-N-T-unstressed
vowel (accent.NT_REDUCTION).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saywell.audio.wav import load_wav  # noqa: E402
from saywell.engine import lexicon, scoring  # noqa: E402
from saywell.engine.model import AcousticModel  # noqa: E402
from saywell.engine.scoring import Scorer  # noqa: E402
from results import save, show  # noqa: E402

GROUPS = ("1", "2", "3", "4-6")


def group(n: int) -> str:
    return str(n) if n < 4 else "4-6"


def asterisk_long(work: Path):
    from saywell_train.realspeech import build_dev_set, load_dev_set, write_manifests

    out = work / "real_long"
    if not (out / "dev.jsonl").exists():
        write_manifests(build_dev_set(out, max_words=6, max_seconds=8.0), out)
    return load_dev_set(out)


def hedgewars(work: Path):
    from saywell_train.realspeech import load_dev_set

    return load_dev_set(work / "hedgewars") if (work / "hedgewars" / "dev.jsonl").exists() else []


def measure(scorer: Scorer, items) -> dict:
    """Per group: [rejected correct, correct, swapped word judged wrong, mismatches, correct judged incomplete]."""
    said = {it.audio: it.text.split() for it in items if it.correct}
    tally = defaultdict(lambda: [0, 0, 0, 0, 0])
    for it in items:
        words = it.text.split()
        r = scorer.score(load_wav(it.audio), it.text)
        t = tally[group(len(words))]
        if it.correct:
            t[0] += r.verdict != "correct"
            t[1] += 1
            t[4] += r.completeness < 1
        else:
            changed = next((k for k, (a, b) in enumerate(zip(said[it.audio], words)) if a != b), 0)
            t[2] += r.words[changed].verdict != "correct"
            t[3] += 1
    out = {}
    for g in GROUPS:
        if g in tally:
            rej, n, flagged, m, incomplete = tally[g]
            out[g] = {"correct": n, "false_rejection": round(rej / n, 3), "correct_incomplete": round(incomplete / n, 3),
                      "mismatches": m, "swapped_word_flagged": round(flagged / m, 3) if m else None}
    n = sum(v[1] for v in tally.values())
    m = sum(v[3] for v in tally.values())
    out["all"] = {"correct": n, "false_rejection": round(sum(v[0] for v in tally.values()) / n, 3),
                  "correct_incomplete": round(sum(v[4] for v in tally.values()) / n, 3),
                  "mismatches": m, "swapped_word_flagged": round(sum(v[2] for v in tally.values()) / m, 3)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "work")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "saywell-en.tflite")
    ap.add_argument("--more", action="store_true", help="also try DH said as a stop or as N")
    ap.add_argument("--assimilation", action="store_true", help="N assimilation and NT reduction, alone and together")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.assimilation:
        return compare_assimilation(args)
    from saywell_train.evaluate import is_calibration_clip

    scorer = Scorer(AcousticModel(args.model, num_threads=1))
    real = asterisk_long(args.work)
    sources = {"Asterisk calibration half": [it for it in real if is_calibration_clip(it.audio)],
               "Asterisk evaluation half": [it for it in real if not is_calibration_clip(it.audio)],
               "Hedgewars actors (transcribed)": hedgewars(args.work)}
    shipped_in_phrase, shipped_alike = scoring.in_phrase, lexicon.STOPPED_DH
    rules = {"no connected-speech forms": (lambda variants, pron, accent="us": variants, shipped_alike),
             "connected-speech forms (DH as a stop, weak forms)": (shipped_in_phrase, ("DH", "D"))}
    if args.more:
        rules["connected-speech forms, DH also as N"] = (shipped_in_phrase, ("DH", "D", "N"))
    rows = []
    for rule, (in_phrase, alike) in rules.items():
        scoring.in_phrase, scoring.STOPPED_DH = in_phrase, alike
        for source, items in sources.items():
            if items:
                show({"source": source, "rule": rule, "model": args.model.name, **measure(scorer, items)}, rows)
    scoring.in_phrase, scoring.STOPPED_DH = shipped_in_phrase, shipped_alike
    save(rows, args.out)


def compare_assimilation(args) -> None:
    from saywell.engine import accent
    from saywell_train.evaluate import is_calibration_clip

    real = asterisk_long(args.work)
    sources = {"Asterisk calibration half": [it for it in real if is_calibration_clip(it.audio)],
               "Asterisk evaluation half": [it for it in real if not is_calibration_clip(it.audio)],
               "Hedgewars actors (transcribed)": hedgewars(args.work)}
    shipped = (lexicon.ASSIMILATING, accent.NT_REDUCTION)
    rules = {"connected-speech forms (session 13)": (frozenset(), False),
             "+ N assimilation": (shipped[0], False),
             "+ NT reduction": (frozenset(), True),
             "+ N assimilation and NT reduction": (shipped[0], True)}
    model = AcousticModel(args.model, num_threads=1)
    rows = []
    for rule, (assimilating, nt) in rules.items():
        lexicon.ASSIMILATING, accent.NT_REDUCTION = assimilating, nt
        lexicon.cmudict_variants.cache_clear()
        scorer = Scorer(model)
        for source, items in sources.items():
            if items:
                show({"source": source, "rule": rule, "model": args.model.name, **measure(scorer, items)}, rows)
    lexicon.ASSIMILATING, accent.NT_REDUCTION = shipped
    lexicon.cmudict_variants.cache_clear()
    save(rows, args.out)


if __name__ == "__main__":
    main()
