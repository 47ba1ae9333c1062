"""Listens for one utterance at a time and scores it, doing the heavy work while the learner is speaking.

Audio is cut into 10 ms frames (the frontend's hop, also the VAD's frame). From the VAD's speech start
(pre-roll included) every frame goes on to the frontend and the acoustic model in fixed groups counted from
the utterance's first frame, so when the VAD decides speech has ended only the model's last chunk,
the alignment and the scoring remain. Fixed groups also make the result independent of the source's block
size, bit for bit: the same samples reach the same computations in the same batches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .features import StreamingFrontend
from .lexicon import Pronunciation
from .scoring import Scorer, ScoreResult
from ..audio.sources import AudioSource
from ..audio.vad import MESSAGES, PHRASE_HANGOVER_MS, Vad, VadConfig

GROUP_FRAMES = 5  # frames handed to the frontend at a time (50 ms): few numpy calls, little left at the end


@dataclass(frozen=True)
class ListenEvent:
    """kind: speech_start | speech_end | result | warning | key | end_of_input; t in seconds since listening began."""

    kind: str
    t: float = 0.0
    result: ScoreResult | None = None
    latency_ms: float | None = None  # result: from the VAD's end-of-speech decision to the scored result
    message: str = ""
    key: str = ""
    samples: np.ndarray | None = None  # result: the utterance that was scored (pre-roll to hangover), for keeping


class UtteranceStream:
    """Features and posteriors of one utterance, computed as its frames arrive."""

    def __init__(self, scorer: Scorer, group_frames: int = GROUP_FRAMES):
        self.front = StreamingFrontend(scorer.meta.frontend)
        self.post = scorer.model.stream()
        self.hop = scorer.meta.frontend.hop_samples
        self.group = group_frames
        self._pending: list[np.ndarray] = []
        self._samples: list[np.ndarray] = []
        self._logpost: list[np.ndarray] = []

    def push(self, frames: np.ndarray) -> None:
        if not len(frames):
            return
        self._samples.append(frames.reshape(-1))
        self._pending.extend(frames)
        while len(self._pending) >= self.group:
            group, self._pending = self._pending[: self.group], self._pending[self.group:]
            self._logpost.append(self.post.push(self.front.push(np.concatenate(group))))

    def finish(self, tail: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The rest (frames still pending, a last partial frame) and the model's look-ahead: (log posteriors, samples)."""
        if tail is not None and len(tail):
            self._samples.append(tail)
        rest = [*self._pending, *([tail] if tail is not None and len(tail) else [])]
        if rest:
            self._logpost.append(self.post.push(self.front.push(np.concatenate(rest))))
        self._pending = []
        self._logpost.append(self.post.finish())
        return np.concatenate(self._logpost), np.concatenate(self._samples) if self._samples else np.zeros(0, np.float32)


class Listener:
    """One source, many words: each listen() ends at the first scored utterance, a key, or the end of input."""

    def __init__(self, source: AudioSource, scorer: Scorer, vad_cfg: VadConfig | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        fe = scorer.meta.frontend
        self.vad = Vad(vad_cfg or VadConfig(sample_rate_hz=fe.sample_rate_hz, frame_ms=fe.hop_ms))
        if self.vad.cfg.frame_samples != fe.hop_samples or source.sample_rate_hz != fe.sample_rate_hz:
            raise ValueError("VAD frames must be the frontend's hop, at the model's sample rate")
        self.source, self.scorer, self.clock = source, scorer, clock
        self.hop = fe.hop_samples
        self._blocks = iter(source)
        self._carry = np.zeros((0, self.hop), np.float32)  # frames after the last utterance (a file or pipe goes on)
        self._rem = np.zeros(0, np.float32)  # samples short of a whole frame
        self.exhausted = False

    def listen(self, text: str, prons: list[Pronunciation],
               poll: Callable[[], str | None] | None = None) -> Iterator[ListenEvent]:
        vad, hop, rate = self.vad, self.hop, self.source.sample_rate_hz
        vad.reset(keep_floor=True, hangover_ms=PHRASE_HANGOVER_MS if len(prons) > 1 else None)
        if self.source.live:  # what the microphone heard while the learner read the last result is stale
            self.source.discard_pending()
            self._carry, self._rem = self._carry[:0], self._rem[:0]
        hist, hist_start = np.zeros((0, hop), np.float32), 0  # recent frames; hist[0] is frame hist_start
        utt: UtteranceStream | None = None
        utt_next = 0  # next frame index to hand to utt
        gaps = self.source.gaps
        pending = [self._carry]
        self._carry = self._carry[:0]
        while True:
            if not pending:
                block = next(self._blocks, None)
                if block is None:
                    break
                for m in self.source.take_warnings():
                    yield ListenEvent("warning", vad.frame * hop / rate, message=m)
                if self.source.gaps != gaps:  # the device was lost and reopened: audio across the break is void
                    gaps = self.source.gaps
                    if utt is not None:
                        yield ListenEvent("warning", vad.frame * hop / rate, message="utterance dropped: the audio was interrupted")
                    utt, self._rem = None, self._rem[:0]
                    vad.abort()
                    hist, hist_start = hist[:0], vad.frame
                buf = np.concatenate([self._rem, block]) if len(self._rem) else block
                n = len(buf) // hop
                self._rem = buf[n * hop:]
                pending = [buf[: n * hop].reshape(n, hop)]
            frames = pending.pop()
            events = vad.process(frames)
            hist = np.concatenate([hist, frames])
            for ev in events:
                if ev.kind == "quiet":
                    yield ListenEvent("warning", ev.audio_frame * hop / rate, message=MESSAGES[ev.warnings[0]])
                elif ev.kind == "start":  # a second start: the VAD found the utterance began earlier (vad.py)
                    restart, utt, utt_next = utt is not None, UtteranceStream(self.scorer), max(ev.audio_frame, hist_start)
                    if not restart:
                        yield ListenEvent("speech_start", ev.speech_frame * hop / rate)
                elif ev.kind == "discard":
                    utt = None
                    for w in ev.warnings:
                        yield ListenEvent("warning", ev.speech_frame * hop / rate, message=MESSAGES[w])
                elif utt is not None:  # end: what is left is the last frames, the model's look-ahead, scoring
                    decided = self.clock()
                    utt.push(hist[utt_next - hist_start: ev.audio_frame - hist_start])
                    self._carry = hist[ev.audio_frame - hist_start:].copy()  # audio after it belongs to the next word
                    yield from self._result(utt, ev, text, prons, decided)
                    return
            if utt is not None:
                utt.push(hist[utt_next - hist_start:])
                utt_next = vad.frame
            keep = vad.history_frames  # for the pre-roll of a start still to come
            if len(hist) > keep:
                hist_start += len(hist) - keep
                hist = hist[-keep:]
            key = poll() if poll is not None else None
            if key:
                yield ListenEvent("key", vad.frame * hop / rate, key=key)
                return
        # End of input: an utterance still going ends here, with the last partial frame.
        self.exhausted = True
        for ev in vad.flush():
            if ev.kind == "start":  # decided again at the end (vad.py): the frames since it are all in hist
                if utt is None:
                    yield ListenEvent("speech_start", ev.speech_frame * hop / rate)
                utt, utt_next = UtteranceStream(self.scorer), max(ev.audio_frame, hist_start)
            elif utt is not None and ev.kind == "end":
                utt.push(hist[utt_next - hist_start:])
                yield from self._result(utt, ev, text, prons, self.clock(), tail=self._rem)
                return
            else:
                utt = None
                for w in ev.warnings:
                    yield ListenEvent("warning", ev.speech_frame * hop / rate, message=MESSAGES[w])
        yield ListenEvent("end_of_input", vad.frame * hop / rate)

    def skip_utterances(self, limit: int | None = None) -> int:
        """For a finite input: utterances passed over without scoring them (the VAD alone), up to `limit`
        (None: all that are left). A recording made to a list counts what it holds beyond the list this way."""
        vad, hop, n = self.vad, self.hop, 0
        vad.reset(keep_floor=True)
        pending, self._carry = [self._carry], self._carry[:0]
        while True:
            if not pending:
                block = next(self._blocks, None)
                if block is None:
                    break
                buf = np.concatenate([self._rem, block]) if len(self._rem) else block
                k = len(buf) // hop
                self._rem = buf[k * hop:]
                pending = [buf[: k * hop].reshape(k, hop)]
            frames = pending.pop()
            first = vad.frame
            for ev in vad.process(frames):
                if ev.kind == "end":
                    n += 1
                    if limit is not None and n >= limit:
                        self._carry = frames[max(0, ev.audio_frame - first):].copy()
                        return n
        self.exhausted = True
        return n + sum(ev.kind == "end" for ev in vad.flush())

    def _result(self, utt: UtteranceStream, ev, text: str, prons: list[Pronunciation], decided: float,
                tail: np.ndarray | None = None) -> Iterator[ListenEvent]:
        t = ev.speech_frame * self.hop / self.source.sample_rate_hz
        yield ListenEvent("speech_end", t)
        for w in ev.warnings:
            yield ListenEvent("warning", t, message=MESSAGES[w])
        logpost, samples = utt.finish(tail)
        result = self.scorer.score_posteriors(logpost, text, prons, samples)
        yield ListenEvent("result", t, result=result, latency_ms=(self.clock() - decided) * 1000, samples=samples)
