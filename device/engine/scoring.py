"""Goodness of pronunciation per phone, calibrated to 0-100, aggregated to words and a verdict.

The JSON produced by ScoreResult.to_dict() is the stable scoring contract (docs/contract.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import islice, product
from math import prod

import numpy as np

from .accent import ACCENTS, DEFAULT_ACCENT
from .align import force_align
from ..audio.wav import Audio
from ..errors import SaywellError
from .features import log_mel
from .lexicon import ASSIMILATED_N, STOPPED_DH, WEAK_VOWELS, Lexicon, Pronunciation, Variant, in_phrase, split_words
from .metadata import Calibration
from .model import AcousticModel
from .language import DEFAULT_LANGUAGE, language
from .lexicon_rules import lexicon_for
from .phones import LEARNER_SUBSTITUTIONS

NO_SPEECH_RMS_DBFS = -55.0  # quieter than this everywhere: nobody spoke


@dataclass(frozen=True)
class PhoneResult:
    phone: str
    score: float
    ok: bool
    heard: str | None  # best competitor when not ok; "-" when omitted
    start: float
    end: float


@dataclass(frozen=True)
class WordResult:
    word: str
    score: float
    phones: list[PhoneResult]
    verdict: str = "correct"  # correct | mispronounced | no_speech, judged within its utterance
    error: str = "none"  # none | mispronounced | omitted


@dataclass(frozen=True)
class Insertion:
    """Speech where no expected word was: a word said twice, or one that is not in the text."""

    after: int  # index of the expected word it follows; -1 before the first
    start: float
    end: float
    kind: str  # repeat (of a neighbouring word) | extra


@dataclass(frozen=True)
class Fluency:
    speech_rate: float  # phones per second of speaking, pauses left out
    pauses: int  # silences of at least PAUSE_S between words
    longest_pause: float  # seconds; 0.0 without pauses


@dataclass(frozen=True)
class ScoreResult:
    text: str
    score: float
    verdict: str  # correct | mispronounced | no_speech
    words: list[WordResult]
    completeness: float = 1.0  # share of the expected words said (not omitted)
    insertions: list[Insertion] = field(default_factory=list)
    fluency: Fluency | None = None
    accent: str = DEFAULT_ACCENT  # the target it was judged against (engine/accent.py)
    lang: str = DEFAULT_LANGUAGE  # the language judged (engine/language.py): its phones name the sounds

    def to_dict(self) -> dict:
        """The JSON contract (docs/contract.md); written out by hand: dataclasses.asdict deep-copies every field
        and cost a tenth of score-batch's CPU."""
        return {"text": self.text, "score": self.score, "verdict": self.verdict,
                "words": [{"word": w.word, "score": w.score,
                           "phones": [{"phone": p.phone, "score": p.score, "ok": p.ok, "heard": p.heard,
                                       "start": p.start, "end": p.end} for p in w.phones],
                           "verdict": w.verdict, "error": w.error} for w in self.words],
                "completeness": self.completeness,
                "insertions": [{"after": i.after, "start": i.start, "end": i.end, "kind": i.kind} for i in self.insertions],
                "fluency": None if self.fluency is None else {"speech_rate": self.fluency.speech_rate,
                                                              "pauses": self.fluency.pauses,
                                                              "longest_pause": self.fluency.longest_pause},
                "accent": self.accent, "lang": self.lang}

    def weakest(self) -> tuple[WordResult, PhoneResult] | None:
        pairs = [(w, p) for w in self.words for p in w.phones]
        return min(pairs, key=lambda wp: wp[1].score) if pairs else None


@dataclass(frozen=True)
class PhoneEvidence:
    """Raw per-phone measurements before calibration (also what train/ fits the calibration on)."""

    phone: int
    gop: float  # mean frame log posterior of the expected phone over its segment (<= 0)
    competitor: int
    omitted: bool
    start: int
    end: int
    rival: int = -1  # the phone's classic substitute heard most clearly over its segment (-1: it has none)
    rival_gap: float = float("-inf")  # that substitute's mean log posterior minus the phone's own


def rival_classes(index: dict[str, int], substitutions=LEARNER_SUBSTITUTIONS) -> dict[int, tuple[int, ...]]:
    """Expected class -> the classes learners classically say instead (the language's learner_substitutions)."""
    out: dict[int, tuple[int, ...]] = {}
    for expected, said in substitutions:
        if expected in index and said in index:
            out[index[expected]] = out.get(index[expected], ()) + (index[said],)
    return out


def phone_evidence(logpost: np.ndarray, words: list[list[int | tuple[int, ...]]], silence: int, min_frames: int = 2,
                   log_priors: np.ndarray | None = None,
                   rivals: dict[int, tuple[int, ...]] | None = None) -> list[list[PhoneEvidence]]:
    """Align, then measure each expected phone against its competitors over its segment.

    A phone may be a tuple of classes, any of which is right (a weak vowel: IH or AH); it is aligned and
    measured as one class whose posterior is their sum, and it is reported as its first class.
    Alignment uses scaled likelihoods (posterior / prior) when priors are known, as hybrid recognizers do:
    otherwise frequent classes (silence, schwa) pull segment boundaries toward themselves. The priors come
    already raised to the model's calibration.prior_scale (metadata.py): at full strength a rare class can
    squeeze a frequent short vowel out instead.
    """
    n_classes = logpost.shape[1]
    sets = sorted({p for w in words for p in w if isinstance(p, tuple)})
    column = {c: n_classes + k for k, c in enumerate(sets)}
    lp = logpost
    if sets:  # one extra column per set of alike classes: log of their summed posterior
        lp = np.concatenate([logpost] + [np.logaddexp.reduce(logpost[:, list(c)], axis=1, keepdims=True) for c in sets], axis=1)
    scaled = lp
    if log_priors is not None:
        priors = np.concatenate([log_priors] + [[np.logaddexp.reduce(log_priors[list(c)])] for c in sets])
        scaled = lp - priors
    labels = [[column[p] if isinstance(p, tuple) else p for p in w] for w in words]
    aligned = [tok for tok in force_align(scaled, labels, silence, min_frames) if not tok.is_silence]
    out: list[list[PhoneEvidence]] = [[] for _ in words]
    if not aligned:
        return out
    # Segment means from running sums: one pass over the frames for every phone at once.
    starts = np.array([tok.start for tok in aligned])
    ends = np.array([tok.end for tok in aligned])
    length = (ends - starts)[:, None]
    sum_lp = np.concatenate([np.zeros((1, lp.shape[1])), np.cumsum(lp, axis=0, dtype=np.float64)])
    sum_post = np.concatenate([np.zeros((1, n_classes)), np.cumsum(np.exp(logpost), axis=0, dtype=np.float64)])
    mean_lp = (sum_lp[ends] - sum_lp[starts]) / length
    mean_post = (sum_post[ends] - sum_post[starts]) / length
    for tok, seg_lp, post in zip(aligned, mean_lp, mean_post):
        expected = words[tok.word][tok.position]
        accepted = list(expected) if isinstance(expected, tuple) else [expected]
        comp = seg_lp[:n_classes].copy()
        comp[accepted] = -np.inf
        comp[silence] = -np.inf
        best = int(np.argmax(comp))
        # The expected phone's own log posterior, not its margin over the best competitor: measured on
        # the shipped model, real-speech AUC 0.855 -> 0.882 (research/scoring_variants.py).
        gop = float(seg_lp[tok.label])
        rival, gap = -1, float("-inf")
        if rivals and not isinstance(expected, tuple) and expected in rivals:
            # How much more clearly a learner's classic substitute was heard ("berry" for "very"): the phone's
            # own posterior may pass its line while the substitute's is far above it (heard_as judges it).
            options = rivals[expected]
            rival = options[int(np.argmax(seg_lp[list(options)]))]
            gap = float(seg_lp[rival]) - gop
        # Omitted: the segment is squeezed to the minimum and what fills it is silence or a neighbour.
        w = words[tok.word]
        neighbours = {silence}
        for k in (tok.position - 1, tok.position + 1):
            if 0 <= k < len(w):
                neighbours.update(w[k] if isinstance(w[k], tuple) else (w[k],))
        top = int(np.argmax(post))
        omitted = ((tok.end - tok.start) <= min_frames and post[accepted].sum() < 0.1 and top in neighbours
                   and top not in accepted)
        out[tok.word].append(PhoneEvidence(accepted[0], gop, best, omitted, tok.start, tok.end, rival, gap))
    return out


MAX_COMBINATIONS = 16  # above this, one word's variants at a time (alignments grow with the sum, not the product)


def best_variants(logpost: np.ndarray, variants: list[tuple[Variant, ...]], index: dict[str, int], silence: int,
                  cal: Calibration, log_priors: np.ndarray | None = None,
                  rivals: dict[int, tuple[int, ...]] | None = None) -> tuple[tuple[Variant, ...], list[list[PhoneEvidence]]]:
    """The words' accepted variants that fit the audio best: a learner who said "either" as AY DH ER said it right.

    Every combination when there are at most MAX_COMBINATIONS; otherwise (a long phrase of short common words)
    from every word's first variant, each word's alternates in turn, keeping any that raise the utterance's
    GOP. An alternate too long for the audio is skipped; the listed phones' errors are raised. Measured on
    the shipped model: real-speech AUC 0.907 -> 0.919 (evaluation half), held-out 0.794 -> 0.807.
    `rivals` (rival_classes): each phone's classic substitutes, whose lead its evidence records (phone_evidence).
    """
    def evaluate(combo: tuple[Variant, ...]) -> tuple[float, list[list[PhoneEvidence]]]:
        words = [[_classes(p, weak, index) for p, weak in zip(v.phones, v.weak)] for v in combo]
        ev = phone_evidence(logpost, words, silence, log_priors=log_priors, rivals=rivals)
        return soft_min([normalized(e.gop, p, cal) for v, w in zip(combo, ev) for e, p in zip(w, v.phones)]), ev

    best = tuple(v[0] for v in variants)
    best_g, best_ev = evaluate(best)  # raises when even the listed phones do not fit the audio

    def consider(combo: tuple[Variant, ...]) -> None:
        nonlocal best, best_g, best_ev
        try:
            g, ev = evaluate(combo)
        except SaywellError:  # this variant has more sounds than the audio can hold
            return
        if g > best_g:  # strictly: the listed phones win ties
            best, best_g, best_ev = combo, g, ev

    if prod(len(v) for v in variants) <= MAX_COMBINATIONS:
        for combo in islice(product(*variants), 1, None):
            consider(combo)
    else:
        for wi, options in enumerate(variants):
            for alt in options[1:]:
                consider(best[:wi] + (alt,) + best[wi + 1:])
    return best, best_ev


def _classes(phone: str, weak: bool, index: dict[str, int]) -> int | tuple[int, ...]:
    """A phone's class, or for a weak one the tuple of classes any of which is right (the phone's own first)."""
    if weak:
        for alike in (WEAK_VOWELS, STOPPED_DH, ASSIMILATED_N):
            if phone in alike and all(v in index for v in alike):
                return (index[phone],) + tuple(index[v] for v in alike if v != phone)
    return index[phone]


def heard_as_score(rival_gap: float, phone: str, cal: Calibration) -> float | None:
    """The score of a phone heard as its classic substitute, None when it was not.

    Heard as: the substitute's mean log posterior over the phone's segment exceeds the phone's own by more than
    cal.rival_margin (for the phones in cal.rival_phones, or all when it names none). The score is then the
    phone's share of the two, 100 / (1 + e^gap), below 50 by construction; the word and the utterance score at
    most that. The word's soft minimum alone lets a strong rest carry one phone the model hears as another:
    the demo's "very" said as "berry" (V 0.13, B 0.75 of the frames' posterior) scored 86."""
    if cal.rival_margin is None or not rival_gap > cal.rival_margin:  # -inf: the phone has no substitute
        return None
    if cal.rival_phones and phone not in cal.rival_phones:
        return None
    return 100.0 / (1.0 + math.exp(min(50.0, rival_gap)))


def phone_score(gop: float, rival_gap: float, phone: str, cal: Calibration) -> float:
    """A phone's 0-100 score: its calibrated GOP, at most its share when heard as its classic substitute."""
    s = calibrated(gop, phone, cal)
    as_rival = heard_as_score(rival_gap, phone, cal)
    return s if as_rival is None else min(s, as_rival)


def capped(score: float, rival_gaps: list[float], phones: list[str], cal: Calibration) -> float:
    """A word's or utterance's score, at most that of any phone in it heard as its classic substitute."""
    if cal.rival_margin is None:
        return score
    caps = [c for g, p in zip(rival_gaps, phones) if (c := heard_as_score(g, p, cal)) is not None]
    return min([score] + caps)


def normalized(gop: float, phone: str, cal: Calibration) -> float:
    """GOP on the common scale: a phone with its own offset is shifted onto the global one."""
    return gop - cal.per_phone_offset.get(phone, cal.offset) + cal.offset


def to_score(gop: float, cal: Calibration) -> float:
    # scalar math, not numpy: called for every phone, where numpy's per-call overhead is most of the cost
    return 100.0 / (1.0 + math.exp(-min(50.0, max(-50.0, cal.slope * (float(gop) - cal.offset)))))


def calibrated(gop: float, phone: str, cal: Calibration) -> float:
    return to_score(normalized(gop, phone, cal), cal)


def soft_min(gops: list[float], temperature: float = 1.0) -> float:
    """-T log mean exp(-g/T): the worst sound dominates, as a teacher hears it, but one noisy frame
    range does not decide alone (AUC beat min, mean and mean+min on held-out and real sets)."""
    if not gops:
        return float("-inf")
    g = [float(x) / temperature for x in gops]
    m = min(g)
    if m == float("-inf"):
        return m
    return temperature * (m - math.log(math.fsum(math.exp(m - x) for x in g) / len(g)))


def aggregate(gops: list[float], phones: list[str], cal: Calibration, rival_gaps: list[float] | None = None) -> float:
    """Score (0-100) of a word or utterance from its phones' GOPs (and, given, their substitutes' leads: capped)."""
    score = to_score(soft_min([normalized(g, p, cal) for g, p in zip(gops, phones)]), cal) if gops else 0.0
    return score if rival_gaps is None else capped(score, rival_gaps, phones, cal)


class Scorer:
    """Judges one language: the model's (its metadata's `language`, English for models that name none)."""

    def __init__(self, model: AcousticModel, lexicon: Lexicon | None = None, accent: str = DEFAULT_ACCENT):
        if accent not in ACCENTS:
            raise SaywellError(f"accent {accent!r}: use one of {', '.join(ACCENTS)}")
        self.model = model
        self.meta = model.meta
        self.lang = language(self.meta.language)
        self.lexicon = lexicon or lexicon_for(self.lang.code)
        self.accent = accent  # what counts as right in English (engine/accent.py)
        self._index = {p: i for i, p in enumerate(self.meta.phones)}
        self._rivals = rival_classes(self._index, self.lang.learner_substitutions)  # once: _fits runs for every gap

    def pronunciations(self, text: str, phones: str | None = None) -> list[Pronunciation]:
        if phones is None:
            return self.lexicon.phrase(text)
        words = split_words(text) or [text.strip() or "?"]
        groups = [g for g in phones.split("|")]
        try:
            parsed = [self.lang.parse_phones(g) for g in groups]
        except ValueError as e:
            raise SaywellError(f"--phones {phones!r}: {e}") from e
        if len(parsed) == len(words):
            return [Pronunciation(w, p, "given") for w, p in zip(words, parsed)]
        if len(parsed) == 1:
            return [Pronunciation(" ".join(words), parsed[0], "given")]
        raise SaywellError(f"--phones has {len(parsed)} groups for {len(words)} words; separate each word's phones with '|'")

    def score(self, audio: Audio, text: str, phones: str | None = None,
              prons: list[Pronunciation] | None = None) -> ScoreResult:
        """`prons`: the text's pronunciations when the caller already looked them up (self.pronunciations)."""
        prons = prons if prons is not None else self.pronunciations(text, phones)
        feats = log_mel(audio.samples, self.meta.frontend)
        logpost = self.model.log_posteriors(feats)
        return self.score_posteriors(logpost, text, prons, audio.samples)

    def score_posteriors(self, logpost: np.ndarray, text: str, prons: list[Pronunciation], samples: np.ndarray | None = None) -> ScoreResult:
        cal = self.meta.calibration
        sil = self._index[self.meta.silence]
        hop_s = self.meta.frontend.hop_ms / 1000.0
        speech_frames = int(np.sum(np.argmax(logpost, axis=1) != sil)) if len(logpost) else 0
        loud = samples is None or _peak_rms_dbfs(samples) > NO_SPEECH_RMS_DBFS
        min_needed = 2 * sum(len(p.phones) for p in prons)
        if not loud or speech_frames < cal.min_speech_frames or len(logpost) < min_needed:
            return self._no_speech(text, prons)
        evidence = self._aligned(logpost, prons, len(prons) > 1)
        word_results = [self._word_result(pr, ev) for pr, ev in zip(prons, evidence)]
        flat = [e for ev in evidence for e in ev]
        names = [self.meta.phones[e.phone] for e in flat]
        total = round(aggregate([e.gop for e in flat], names, cal, [e.rival_gap for e in flat]), 1)
        omitted = [word_omitted(ev, w.score, cal.word_threshold) for ev, w in zip(evidence, word_results)]
        insertions = find_insertions(logpost, evidence, sil, hop_s, lambda seg, w: self._fits(seg, evidence[w], cal))
        if any(omitted) and not all(omitted):
            # A left-out word, forced into the audio, takes frames from its neighbours and drags them down ("hello
            # seven" read as "hello" lost the O of hello to seven): the words that were said are judged again
            # aligned on their own.
            kept = [k for k, gone in enumerate(omitted) if not gone]
            for k, ev in zip(kept, self._aligned(logpost, [prons[k] for k in kept], True)):
                evidence[k], word_results[k] = ev, self._word_result(prons[k], ev)
        low = total < cal.word_threshold
        verdict = "mispronounced" if low or any(omitted) or any(i.kind == "extra" for i in insertions) else "correct"
        if low and all(p.ok for w in word_results for p in w.phones):
            word_results = _flag_weakest(word_results, evidence, self.meta.phones)
        word_results = _judged(word_results, omitted, low, cal.word_threshold)
        return ScoreResult(text, total, verdict, word_results, round(1.0 - sum(omitted) / len(omitted), 2), insertions,
                           fluency(evidence, omitted, insertions, hop_s), self.accent, self.lang.code)

    def _aligned(self, logpost: np.ndarray, prons: list[Pronunciation], phrase: bool) -> list[list[PhoneEvidence]]:
        """Each word's phone evidence, with the variants that fit the audio best (a phrase's in connected speech)."""
        variants = [self.lexicon.variants(pr, self.accent) for pr in prons]
        if phrase:
            variants = [in_phrase(v, pr, self.accent) for v, pr in zip(variants, prons)]
        cal = self.meta.calibration
        _, evidence = best_variants(logpost, variants, self._index, self._index[self.meta.silence], cal,
                                    self.meta.log_priors, self._rivals if cal.rival_margin is not None else None)
        return list(evidence)

    def _word_result(self, pr: Pronunciation, ev: list[PhoneEvidence]) -> WordResult:
        cal, hop_s = self.meta.calibration, self.meta.frontend.hop_ms / 1000.0
        names = [self.meta.phones[e.phone] for e in ev]
        phone_results = []
        for e, name in zip(ev, names):
            s = phone_score(e.gop, e.rival_gap, name, cal)  # omission changes what was heard, not how it is scored
            ok = s >= cal.phone_threshold
            as_rival = heard_as_score(e.rival_gap, name, cal) is not None
            heard = None if ok else ("-" if e.omitted else self.meta.phones[e.rival if as_rival else e.competitor])
            phone_results.append(PhoneResult(name, round(s, 1), ok, heard, round(e.start * hop_s, 3), round(e.end * hop_s, 3)))
        return WordResult(pr.word, round(aggregate([e.gop for e in ev], names, cal, [e.rival_gap for e in ev]), 1), phone_results)

    def _fits(self, logpost: np.ndarray, ev: list[PhoneEvidence], cal: Calibration) -> bool:
        """Does this stretch of audio say the word whose evidence is `ev` (its phones as scored)?"""
        words = [[e.phone for e in ev]]
        try:
            found = phone_evidence(logpost, words, self._index[self.meta.silence], log_priors=self.meta.log_priors,
                                   rivals=self._rivals if cal.rival_margin is not None else None)[0]
        except SaywellError:  # too short for the word
            return False
        names = [self.meta.phones[e.phone] for e in found]
        return aggregate([e.gop for e in found], names, cal, [e.rival_gap for e in found]) >= cal.word_threshold

    def _no_speech(self, text: str, prons: list[Pronunciation]) -> ScoreResult:
        words = [WordResult(p.word, 0.0, [PhoneResult(ph, 0.0, False, "-", 0.0, 0.0) for ph in p.phones], "no_speech", "none")
                 for p in prons]
        return ScoreResult(text, 0.0, "no_speech", words, 0.0, [], None, self.accent, self.lang.code)


# A word is judged left out when it scores below the line and most of its phones were squeezed to the aligner's
# minimum (the audio had no room for them). Chosen on words spliced from training voices (research/word_completeness.py).
OMITTED_SQUEEZED = 0.6
MIN_INSERTION_S = 0.2  # speech between expected words at least this long is an insertion
PAUSE_S = 0.3  # a silence between words at least this long is a pause


def word_omitted(ev: list[PhoneEvidence], score: float, line: float, min_frames: int = 2) -> bool:
    squeezed = sum(e.end - e.start <= min_frames for e in ev)
    return score < line and squeezed >= OMITTED_SQUEEZED * len(ev)


def _judged(words: list[WordResult], omitted: list[bool], low: bool, line: float) -> list[WordResult]:
    """Each word's verdict within its utterance: left out; or, when the utterance scored below the line, below
    it too. When no word is (the soft minimum over all phones still fell under the line), the word holding the
    weakest sound is the wrong one. A correct utterance has only correct words (its line is the whole's)."""
    wrong = [gone or (low and w.score < line) for w, gone in zip(words, omitted)]
    if low and not any(wrong):
        flagged = [k for k, w in enumerate(words) if not all(p.ok for p in w.phones)]
        if flagged:
            wrong[min(flagged, key=lambda k: min(p.score for p in words[k].phones))] = True
    return [WordResult(w.word, w.score, w.phones, "mispronounced" if bad else "correct",
                       "omitted" if gone else ("mispronounced" if bad else "none"))
            for w, bad, gone in zip(words, wrong, omitted)]


def _gaps(evidence: list[list[PhoneEvidence]], frames: int) -> list[tuple[int, int, int]]:
    """(after word, first frame, end frame) of the stretches outside the expected words' phones."""
    spans = [(ev[0].start, ev[-1].end) for ev in evidence if ev]
    edges = [0] + [x for span in spans for x in span] + [frames]
    return [(k - 1, edges[2 * k], edges[2 * k + 1]) for k in range(len(spans) + 1)]


def find_insertions(logpost: np.ndarray, evidence: list[list[PhoneEvidence]], silence: int, hop_s: float,
                    fits) -> list[Insertion]:
    """Runs of speech frames (the model's best class is not silence) outside every expected word, at least
    MIN_INSERTION_S long: the aligner's optional silences absorbed something said. A run that `fits` the word
    before or after it is a repeat."""
    speech = np.argmax(logpost, axis=1) != silence
    min_frames = int(round(MIN_INSERTION_S / hop_s))
    out = []
    for after, a, b in _gaps(evidence, len(logpost)):
        if b - a < min_frames:
            continue
        edges = np.flatnonzero(np.diff(np.concatenate([[0], speech[a:b].astype(np.int8), [0]])))
        for start, end in zip(edges[::2] + a, edges[1::2] + a):
            if end - start < min_frames:
                continue
            near = [w for w in (after, after + 1) if 0 <= w < len(evidence) and evidence[w]]
            kind = "repeat" if any(fits(logpost[max(0, start - 5):end + 5], w) for w in near) else "extra"
            out.append(Insertion(after, round(float(start) * hop_s, 3), round(float(end) * hop_s, 3), kind))
    return out


def fluency(evidence: list[list[PhoneEvidence]], omitted: list[bool], insertions: list[Insertion], hop_s: float) -> Fluency:
    """Speaking rate and pauses over the words said; speech inserted between two words is not a pause."""
    said = [ev for ev, gone in zip(evidence, omitted) if ev and not gone]
    if not said:
        return Fluency(0.0, 0, 0.0)
    gaps = [(prev[-1].end * hop_s, nxt[0].start * hop_s) for prev, nxt in zip(said, said[1:])]
    inserted = [sum(i.end - i.start for i in insertions if a <= i.start < b) for a, b in gaps]
    pauses = [g for g in ((b - a) - extra for (a, b), extra in zip(gaps, inserted)) if g >= PAUSE_S]
    speaking = (said[-1][-1].end - said[0][0].start) * hop_s - sum(pauses) - sum(inserted)
    phones = sum(len(ev) for ev in said)
    return Fluency(round(phones / speaking, 1) if speaking > 0 else 0.0, len(pauses), round(max(pauses, default=0.0), 2))


def _flag_weakest(words: list[WordResult], evidence, phones) -> list[WordResult]:
    """A rejected word always names a sound to work on: the lowest-scoring one."""
    wi, pi = min(((i, j) for i, w in enumerate(words) for j in range(len(w.phones))), key=lambda ij: words[ij[0]].phones[ij[1]].score)
    p = words[wi].phones[pi]
    heard = phones[evidence[wi][pi].competitor]
    fixed = PhoneResult(p.phone, p.score, False, heard, p.start, p.end)
    new_phones = list(words[wi].phones)
    new_phones[pi] = fixed
    out = list(words)
    out[wi] = WordResult(words[wi].word, words[wi].score, new_phones)
    return out


def _peak_rms_dbfs(x: np.ndarray, frame: int = 400) -> float:
    if len(x) < frame:
        return -120.0
    n = len(x) // frame
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1))
    return float(20 * np.log10(max(rms.max(), 1e-6)))
