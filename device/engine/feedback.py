"""Turns a ScoreResult into what a learner reads: verdict, the sound to work on, and how to fix it."""

from __future__ import annotations

from .language import DEFAULT_LANGUAGE, language
from .phones import EXAMPLE_WORDS
from .scoring import PhoneResult, ScoreResult, WordResult

LONG_PAUSE_S = 1.0  # a pause inside a phrase worth mentioning to a learner

_R_COLOURED = {"R", "ER"}


def accent_tip(accent: str, word: str, expected: str, heard: str | None) -> str | None:
    """A tip that names the accent the class is taught, where the mistake is the other accent's form."""
    if accent == "gb" and heard in _R_COLOURED and expected not in _R_COLOURED:
        return f"British English: no R sound after the vowel in '{word}'"
    if accent == "us" and expected in _R_COLOURED and heard not in _R_COLOURED:
        return f"American English: say the R in '{word}' (curl the tongue back)"
    if accent == "us" and (expected, heard) in (("AE", "AA"), ("AA", "AO")):
        return f"American English: the vowel of '{EXAMPLE_WORDS[expected]}' in '{word}'"
    return None


def tip(expected: str, heard: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """How to say the expected sound, in English (the learner's likely first language), from the language's tips;
    another language's example word is named with the language and the sound it stands for."""
    spoken = language(lang)
    word = spoken.sounds.get(expected, (expected, expected))[1]
    english = spoken.code == DEFAULT_LANGUAGE
    where = f"'{word}'" if english else f"{spoken.name} '{word}'"
    if heard == "-":
        return f"don't drop the '{expected}' sound (as in {where}): say it clearly"
    if heard and (expected, heard) in spoken.pair_tips:
        return spoken.pair_tips[(expected, heard)]
    base = spoken.tips.get(expected)
    example = f"the sound in {where}" if english else f"the sound /{expected}/ in {where}"
    return f"{example}: {base}" if base else f"aim for {example}"


def sound_to_work_on(result: ScoreResult) -> tuple[WordResult, PhoneResult, str] | None:
    """(word, phone, tip) for the lowest flagged sound of the words that were said; in a phrase judged wrong,
    from the words judged wrong if any (a flagged sound inside a word that passed is a detail, not the reason)."""
    said = [w for w in result.words if w.error != "omitted"]
    bad = [(w, p) for w in said for p in w.phones if not p.ok]
    if len(result.words) > 1 and result.verdict == "mispronounced":
        bad = [(w, p) for w, p in bad if w.verdict != "correct"] or bad
    if not bad:
        return None
    w, p = min(bad, key=lambda wp: wp[1].score)
    english = result.lang == DEFAULT_LANGUAGE
    return w, p, (english and accent_tip(result.accent, w.word, p.phone, p.heard)) or tip(p.phone, p.heard, result.lang)


def word_marks(result: ScoreResult, color: bool = False) -> str:
    """The phrase as read, each word marked: right (✓), to work on (✗), left out ([word] left out), and where
    something extra was said (+). Marks as well as colours, so the line reads on any terminal or screen reader."""
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    extra_after = {ins.after for ins in result.insertions if ins.kind == "extra"}
    parts = ["+"] if -1 in extra_after else []
    for i, w in enumerate(result.words):
        if w.error == "omitted":
            parts.append(paint(f"[{w.word}] left out", "33"))
        elif w.verdict == "correct":
            parts.append(paint(f"{w.word} ✓", "32"))
        else:
            parts.append(paint(f"{w.word} ✗", "31"))
        if i in extra_after:
            parts.append("+")
    return "  ".join(parts)


def describe(result: ScoreResult, color: bool = False) -> str:
    """A few lines for a learner or teacher."""
    def paint(s: str, code: str) -> str:
        return f"\033[{code}m{s}\033[0m" if color else s

    if result.verdict == "no_speech":
        return f"{result.text}: no speech heard. Speak closer to the microphone and say the word clearly."
    head = {"correct": paint("correct", "32"), "mispronounced": paint("try again", "31")}[result.verdict]
    lines = [f"{result.text}: {head} (score {result.score:.0f}/100)"]
    if len(result.words) > 1:
        lines.append(f"  words: {word_marks(result, color)}")
    left_out = [w.word for w in result.words if w.error == "omitted"]
    if left_out:
        lines.append(f"  left out: {', '.join(repr(w) for w in left_out)}: read every word of the phrase")
    for ins in result.insertions:
        if ins.kind == "extra":
            where = f"after '{result.words[ins.after].word}'" if ins.after >= 0 else "before the first word"
            lines.append(f"  something extra was said {where}: read only the words shown")
    if found := sound_to_work_on(result):
        w, p, advice = found
        heard = "left out" if p.heard == "-" else (f"heard {p.heard} instead" if p.heard else "unclear")
        lines.append(f"  sound to work on: {p.phone} in '{w.word}' ({heard})")
        lines.append(f"  tip: {advice}")
    if result.fluency and len(result.words) > 1 and result.fluency.longest_pause >= LONG_PAUSE_S:
        lines.append(f"  reading: a pause of {result.fluency.longest_pause:.1f} s inside the phrase: try to say it in one go")
    sounds = "  ".join(paint(f"{p.phone} {p.score:.0f}", "32" if p.ok else "31") + ("" if p.ok else f"({p.heard})")
                       for w in result.words for p in w.phones)
    lines.append(f"  sounds: {sounds}")
    return "\n".join(lines)


def spoken_feedback(result: ScoreResult) -> str:
    """What the kiosk says after an attempt: short enough to hear once; in a phrase, the word it is about."""
    if result.verdict == "correct":
        return "Well done"
    if result.verdict == "no_speech":
        return "I did not hear you"
    left_out = [w.word for w in result.words if w.error == "omitted"]
    if left_out:
        return f"Try again: you left out {' and '.join(repr(w) for w in left_out[:2])}"
    if any(ins.kind == "extra" for ins in result.insertions) and all(w.verdict == "correct" for w in result.words):
        return "Try again: read only the words shown"
    found = sound_to_work_on(result)
    if not found:
        return "Try again"
    w, _, advice = found
    where = f" in '{w.word}'" if len(result.words) > 1 else ""
    return f"Try again{where}: {advice}"
