"""Streaming practice on real recordings: results independent of block size, work done while the learner
speaks, the `saywell practice` CLI (JSON events, text, keys, stdin PCM, warnings, errors, Ctrl-C)."""

import io
import json
import os
import pty
import signal
import subprocess
import sys
import termios
import time

import numpy as np
import pytest
from conftest import HELLO, MODEL, ROOT, SAMPLES, ctrl_c_as_in_a_terminal, run_cli
from test_cli_contract import check_contract

from saywell.audio.wav import Audio, load_wav, write_wav
from saywell.engine.listener import Listener
from saywell.apps.practice import BUILTIN_LIST, Output, Session, read_word_list
from saywell.audio.sources import StdinSource, WavSource

RATE = 16000


def room(seconds: float, seed: int = 0, dbfs: float = -65.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * 10 ** (dbfs / 20)).astype(np.float32)


def take(*parts) -> np.ndarray:
    """Clips and pauses (seconds of quiet room) in order."""
    out = []
    for i, p in enumerate(parts):
        if isinstance(p, (int, float)):
            out.append(room(p, seed=i))
        else:
            x = load_wav(SAMPLES / p).samples
            out.append(x + room(len(x) / RATE, seed=i))
    return np.concatenate(out)


def listen_once(scorer, x: np.ndarray, text: str, block_ms: float, clock=time.perf_counter):
    src = WavSource(Audio(x, RATE), realtime=False, block_ms=block_ms)
    events = list(Listener(src, scorer, clock=clock).listen(text, scorer.pronunciations(text)))
    return events


def practice(*args: str):
    """`saywell practice` as a user runs it, with a pipe (not the developer's terminal) as stdin."""
    return run_cli("practice", *args, "--model", str(MODEL), stdin="")


def events_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.parametrize("name,text,after", [
    ("real_seven.wav", "seven", 0.8), ("joe_very_as_berry.wav", "very", 0.8),
    ("real_seven.wav", "seven", 0.0),  # the input ends mid-speech, 2 samples into a frame
])
def test_same_scores_for_any_block_size(scorer, name, text, after):
    x = take(0.6, name, after) if after else take(0.6, name)
    runs = []
    for block_ms in (30.0, 7.5, 250.0):  # 480, 120 and 4000 samples a block
        events = listen_once(scorer, x, text, block_ms)
        assert [e.kind for e in events] == ["speech_start", "speech_end", "result"]
        runs.append(([(e.kind, e.t) for e in events], events[-1].result.to_dict()))
    assert runs[0] == runs[1] == runs[2]
    check_contract(runs[0][1], text)


def test_the_model_runs_while_the_learner_speaks(scorer, monkeypatch):
    """At the end-of-speech decision only the model's last chunk(s), alignment and scoring remain."""
    model = scorer.model
    calls, decided = [], []
    real_run = model._run_chunk
    monkeypatch.setattr(model, "_run_chunk", lambda f: (calls.append(time.perf_counter()), real_run(f))[1])

    def clock():
        t = time.perf_counter()
        decided.append(t)
        return t

    x = take(0.5, "real_goodbye.wav", 0.2, "real_hello.wav", 0.8)  # a long utterance: several model chunks
    events = listen_once(scorer, x, "goodbye hello", 30.0, clock=clock)
    result = events[-1]
    assert result.kind == "result" and result.result.verdict != "no_speech"
    before = [c for c in calls if c < decided[0]]
    after = [c for c in calls if c >= decided[0]]
    assert len(before) >= 3 and len(after) <= 2, (len(before), len(after))
    assert 0 < result.latency_ms == pytest.approx((decided[1] - decided[0]) * 1000)
    assert result.latency_ms < 250


def test_streamed_result_matches_scoring_the_utterance_whole(scorer):
    x = take(0.6, "real_three.wav", 0.8)
    events = listen_once(scorer, x, "three", 30.0)
    streamed = events[-1].result
    start = events[0]
    # The utterance the listener scored: from the pre-roll before the onset to the end of the hangover.
    vad = Listener(WavSource(Audio(x, RATE), realtime=False), scorer).vad
    a = max(0, int(round(start.t * 100)) - vad._preroll) * 160
    b = (int(round(events[1].t * 100)) + vad._hangover) * 160
    whole = scorer.score(Audio(x[a:b], RATE), "three")
    assert [p.phone for p in streamed.words[0].phones] == [p.phone for p in whole.words[0].phones]
    assert streamed.verdict == whole.verdict and abs(streamed.score - whole.score) <= 1.0


def test_carry_on_to_the_next_word_on_a_continuous_stream(scorer):
    x = take(0.5, "real_hello.wav", 0.7, "real_seven.wav", 0.7)
    pcm = (x * 32767).astype("<i2").tobytes()
    listener = Listener(StdinSource(io.BytesIO(pcm)), scorer)
    first = list(listener.listen("hello", scorer.pronunciations("hello")))
    second = list(listener.listen("seven", scorer.pronunciations("seven")))
    third = list(listener.listen("three", scorer.pronunciations("three")))
    assert [e.kind for e in first][-1] == "result" and first[-1].result.text == "hello"
    assert [e.kind for e in second][-1] == "result" and second[-1].result.text == "seven"
    assert [e.kind for e in third] == ["end_of_input"] and listener.exhausted
    # seven starts 0.7 s after hello's hangover ended (0.3 s): t counts from the second listen
    assert 0.3 < second[0].t < 0.6


class ScriptedKeys:
    """A learner at the keyboard: nothing during listening, then the given keys after each result."""

    def __init__(self, keys):
        self.keys = list(keys)

    def poll(self, timeout=0.0, accept="rnpq"):
        return None

    def wait(self, idle, accept="rnpq\n"):
        idle()
        return self.keys.pop(0)


def test_keys_repeat_play_next_quit(scorer, monkeypatch):
    monkeypatch.setattr("saywell.apps.practice.shutil.which", lambda name: None)
    x = take(0.5, "real_hello.wav", 0.7, "real_hello.wav", 0.7, "real_seven.wav", 0.7, "real_three.wav", 0.7)
    buf = io.StringIO()
    src = StdinSource(io.BytesIO((x * 32767).astype("<i2").tobytes()))
    Session(scorer, src, Output(True, buf), ScriptedKeys(["r", "p", "n", "q"])).run(["hello", "seven", "three"])
    events = events_of(buf.getvalue())
    assert [e["text"] for e in events if e["event"] == "listening"] == ["hello", "hello", "seven"]
    assert [e["result"]["text"] for e in events if e["event"] == "result"] == ["hello", "hello", "seven"]
    assert any("espeak-ng is not installed" in e["message"] for e in events if e["event"] == "warning")


def test_word_lists(tmp_path):
    words = read_word_list(None)
    assert BUILTIN_LIST.exists() and len(words) >= 20 and "think" in words and "thank you" in words
    from saywell.engine.lexicon import Lexicon

    lex = Lexicon(use_g2p=False)
    assert all(lex.phrase(w) for w in words)  # every built-in word is in the dictionary
    p = tmp_path / "list.txt"
    p.write_text("\ufeff# class 3, week 2\nship\n\n  thank you  \n", encoding="utf-8")
    assert read_word_list(p) == ["ship", "thank you"]


# ---- the CLI ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    d = tmp_path_factory.mktemp("spoken")
    write_wav(d / "hello.wav", take(0.6, "real_hello.wav", 0.8))
    write_wav(d / "quiet.wav", take(0.6, "real_hello.wav", 0.8) * 0.02)
    write_wav(d / "loud.wav", np.clip(take(0.6, "real_hello.wav", 0.8) * 8, -1, 1))
    write_wav(d / "silence.wav", room(1.5))
    write_wav(d / "late.wav", take(3.0, "real_seven.wav", 0.8))
    return d


def test_cli_replays_a_recording_as_the_microphone(spoken):
    t0 = time.monotonic()
    r = practice("--input", str(spoken / "hello.wav"), "--word", "hello", "--json")
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    events = events_of(r.stdout)
    assert [e["event"] for e in events] == ["listening", "speech_start", "speech_end", "result"]
    assert events[0] == {"event": "listening", "text": "hello"}
    assert 0.55 <= events[1]["t"] <= 0.8 and 1.2 <= events[2]["t"] <= 1.5
    res = events[3]
    assert set(res) == {"event", "result", "latency_ms"}
    check_contract(res["result"], "hello")
    assert [p["phone"] for p in res["result"]["words"][0]["phones"]] in HELLO
    assert 0 < res["latency_ms"] < 250
    assert took >= 1.5  # replayed in real time up to the end of the hangover
    fast = practice("--input", str(spoken / "hello.wav"), "--word", "hello", "--json", "--fast")
    assert events_of(fast.stdout)[3]["result"] == res["result"]


def test_cli_scores_a_short_recording_against_the_list_and_says_what_is_missing(spoken, tmp_path):
    lst = tmp_path / "words.txt"
    lst.write_text("hello\nseven\n")
    r = practice("--input", str(spoken / "hello.wav"), "--list", str(lst), "--order", "as-listed", "--json", "--fast")
    results = [e for e in events_of(r.stdout) if e["event"] == "result"]
    assert len(results) == 1 and results[0]["result"]["text"] == "hello"
    assert events_of(r.stdout)[-1]["message"].startswith(
        "heard 1 utterance but the list has 2 words: the recording ended before 'seven'")
    r = practice("--input", str(spoken / "hello.wav"), "--json", "--fast")
    assert events_of(r.stdout)[0] == {"event": "listening", "text": read_word_list(None)[0]}


@pytest.mark.parametrize("as_wav", [False, True])
def test_cli_reads_pcm_or_a_wav_stream_from_stdin_word_after_word(tmp_path, as_wav):
    lst = tmp_path / "words.txt"
    lst.write_text("seven\nthree\nhello\n")
    x = take(0.5, "real_seven.wav", 0.8, "real_three.wav", 0.8)
    if as_wav:  # as `ffmpeg ... -f wav -` streams it: 44.1 kHz stereo with a LIST chunk and placeholder sizes
        r = subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "-",
                            "-ar", "44100", "-ac", "2", "-f", "wav", "-"], input=(x * 32767).astype("<i2").tobytes(),
                           capture_output=True, check=True)
        data = r.stdout
        assert data[:4] == b"RIFF" and b"LIST" in data[:100]
    else:
        data = (x * 32767).astype("<i2").tobytes()
    r = subprocess.run([sys.executable, "-m", "saywell", "practice", "--input", "-", "--list", str(lst), "--json",
                        "--model", str(MODEL)], input=data, capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    events = events_of(r.stdout.decode())
    assert [e["text"] for e in events if e["event"] == "listening"] == ["seven", "three", "hello"]
    results = [e["result"] for e in events if e["event"] == "result"]
    assert [(r["text"], r["verdict"]) for r in results] == [("seven", "correct"), ("three", "correct")]
    assert events[-1]["message"].startswith("heard 2 utterances but the list has 3 words: the recording ended before 'hello'")


def test_a_recording_made_to_a_list_walks_it(scorer):
    """One utterance per word, in the list's order; more or fewer than listed is said, with both counts
    (the CLI's --input FILE and --input - run this Session with recording=True)."""
    x = take(0.5, "real_seven.wav", 0.8, "real_three.wav", 0.8, "real_hello.wav", 0.8)
    for words, results, last in [
        ("seven three hello", ["seven", "three", "hello"], None),
        ("seven three", ["seven", "three"], "heard 3 utterances but the list has 2 words: the last 1 utterance was not scored"),
        ("seven three hello with", ["seven", "three", "hello"],
         "heard 3 utterances but the list has 4 words: the recording ended before 'with'"),
    ]:
        buf = io.StringIO()
        Session(scorer, WavSource(Audio(x, RATE), realtime=False), Output(True, buf), None, recording=True).run(words.split())
        events = events_of(buf.getvalue())
        got = [e["result"] for e in events if e["event"] == "result"]
        assert [g["text"] for g in got] == results and all(g["verdict"] == "correct" for g in got), got
        warnings = [e["message"] for e in events if e["event"] == "warning"]
        assert warnings == ([] if last is None else [warnings[-1]]) and (last is None or warnings[-1].startswith(last))


def test_quitting_a_recording_is_not_reported_as_a_short_recording(scorer):
    class QuitAtOnce:
        def poll(self, timeout=0.0, accept="rnpq"):
            return "q" if "q" in accept else None

    buf = io.StringIO()
    x = take(0.5, "real_seven.wav", 0.8, "real_three.wav", 0.8)
    Session(scorer, WavSource(Audio(x, RATE), realtime=False), Output(True, buf), QuitAtOnce(), recording=True).run(
        ["seven", "three"])
    assert [e["event"] for e in events_of(buf.getvalue())] == ["listening"]  # no result, no 'heard 0 utterances'


# ---- speech from the very first sample ----------------------------------------------------------------

MANIFEST_WORDS = {name: text for name, text, *_ in
                  (line.split("\t") for line in (SAMPLES / "manifest.tsv").read_text().splitlines()
                   if line and not line.startswith("#"))}


def trimmed(name: str, threshold: float = 0.02) -> np.ndarray:
    """The clip from its first sample above the threshold: the recording starts mid-speech."""
    x = load_wav(SAMPLES / name).samples
    return x[int(np.argmax(np.abs(x) > threshold)):]


def test_speech_from_the_first_sample_is_heard_and_scored_as_score_scores_it(scorer):
    for name, text in MANIFEST_WORDS.items():
        x = trimmed(name)
        assert abs(x[0]) > 0.02
        events = list(Listener(WavSource(Audio(x, RATE), realtime=False), scorer).listen(text, scorer.pronunciations(text)))
        assert [e.kind for e in events] == ["speech_start", "speech_end", "result"], (name, [(e.kind, e.message) for e in events])
        heard, whole = events[-1].result, scorer.score(Audio(x, RATE), text)
        assert heard.verdict == whole.verdict and abs(heard.score - whole.score) <= 1.0, (name, heard.score, whole.score)


@pytest.mark.parametrize("name,text", [("joe_think.wav", "think"), ("real_hello.wav", "hello")])
def test_cli_practice_and_score_agree_on_a_clip_that_starts_with_speech(tmp_path, name, text):
    wav = tmp_path / name
    write_wav(wav, trimmed(name))
    r = practice("--input", str(wav), "--word", text, "--json", "--fast")
    events = events_of(r.stdout)
    assert [e["event"] for e in events] == ["listening", "speech_start", "speech_end", "result"], events
    scored = json.loads(run_cli("score", str(wav), "--text", text, "--json", "--model", str(MODEL)).stdout)
    assert events[-1]["result"] == scored


def test_a_learner_who_speaks_the_instant_listening_starts_is_heard(scorer):
    """The live path: the microphone's first sample is already speech (through a fake PortAudio at 44.1 kHz)."""
    from test_sources_vad import FakeSoundDevice

    from saywell.audio.sources import MicSource

    x = np.concatenate([trimmed("real_hello.wav"), room(1.0)])
    mic = MicSource(backend=FakeSoundDevice(x))
    try:
        events = list(Listener(mic, scorer).listen("hello", scorer.pronunciations("hello")))
    finally:
        mic.close()
    assert [e.kind for e in events] == ["speech_start", "speech_end", "result"], [(e.kind, e.message) for e in events]
    whole = scorer.score(Audio(x, RATE), "hello")
    assert events[-1].result.verdict == whole.verdict == "correct"
    assert abs(events[-1].result.score - whole.score) <= 5.0


@pytest.mark.parametrize("clip,needle", [("quiet.wav", "too quiet"), ("loud.wav", "clipped")])
def test_cli_warns_about_how_it_was_said(spoken, clip, needle):
    r = practice("--input", str(spoken / clip), "--word", "hello", "--json", "--fast")
    events = events_of(r.stdout)
    kinds = [e["event"] for e in events]
    warnings = [e["message"] for e in events if e["event"] == "warning"]
    assert any(needle in w for w in warnings), warnings
    assert kinds[-1] == "result" and kinds.index("speech_end") < kinds.index("warning") < kinds.index("result")


def test_cli_no_speech_still_answers(spoken):
    r = practice("--input", str(spoken / "silence.wav"), "--word", "cat", "--json", "--fast")
    events = events_of(r.stdout)
    assert [e["event"] for e in events] == ["listening", "warning", "result"]
    assert events[2]["result"]["verdict"] == "no_speech" and events[2]["latency_ms"] is None


def test_cli_text_for_the_learner(spoken):
    r = practice("--input", str(SAMPLES / "joe_think_as_sink.wav"), "--word", "think", "--fast")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "[1/1] think   /TH IH NG K/" in out and "listening" in out and "sounds: TH " in out
    assert "\x1b[" not in out  # no colour codes into a pipe
    if "try again" in out:
        assert "sound to work on:" in out and "tip:" in out


@pytest.mark.parametrize("args,needle", [
    (["--list", "/nonexistent/words.txt"], "word list /nonexistent/words.txt not found"),
    (["--input", "/nonexistent.wav"], "not found"),
    (["--fast"], "--fast only applies"),
    (["--input", "-", "--device", "1"], "--device only applies"),
    (["--device", "no-such-mic"], "input device"),
])
def test_cli_errors_are_one_line(args, needle):
    r = practice(*args)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def _start(args, stdin=subprocess.DEVNULL):
    return subprocess.Popen([sys.executable, "-m", "saywell", "practice", *args, "--model", str(MODEL)], cwd=ROOT,
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_in_a_terminal)


def test_ctrl_c_leaves_whole_lines_and_exit_130(spoken):
    p = _start(["--input", str(spoken / "late.wav"), "--word", "seven", "--json"])
    first = p.stdout.readline()
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert json.loads(first) == {"event": "listening", "text": "seven"}
    assert all(json.loads(line) for line in out.splitlines())  # every line whole
    assert "interrupted" in err and "Traceback" not in err


def test_keys_in_a_terminal_and_the_terminal_restored(spoken):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = _start(["--input", str(spoken / "late.wav"), "--word", "seven", "--json"], stdin=slave)
    try:
        assert json.loads(p.stdout.readline())["event"] == "listening"
        time.sleep(0.2)
        assert not termios.tcgetattr(slave)[3] & termios.ICANON  # single keys, no Enter needed
        t0 = time.monotonic()
        os.write(master, b"q")
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
        assert time.monotonic() - t0 < 1.0 and "result" not in out  # quit before the word was spoken
        assert termios.tcgetattr(slave) == before
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
        os.close(slave)


def test_stdin_a_live_pipe_ends_with_the_list_and_a_file_on_stdin_is_counted_to_its_end(tmp_path):
    """A pipe may be a microphone (`arecord | saywell practice --input -`): practice must not wait for its end
    to count utterances beyond the list; stdin redirected from a file has an end, so there it counts them."""
    lst = tmp_path / "words.txt"
    lst.write_text("seven\nthree\n")
    pcm = (take(0.5, "real_seven.wav", 0.8, "real_three.wav", 0.8, "real_hello.wav", 0.8) * 32767).astype("<i2").tobytes()
    cmd = [sys.executable, "-m", "saywell", "practice", "--input", "-", "--list", str(lst), "--json", "--model", str(MODEL)]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        try:
            p.stdin.write(pcm)  # and the pipe stays open, as a microphone's would
            p.stdin.flush()
        except BrokenPipeError:
            pass  # practice ended with the list, before reading 'hello'
        code = p.wait(timeout=60)
        out, err = p.stdout.read(), p.stderr.read()
        assert code == 0, err
    finally:
        p.kill()
        p.wait()
    events = events_of(out.decode())
    assert [e["result"]["text"] for e in events if e["event"] == "result"] == ["seven", "three"]
    assert not [e for e in events if e["event"] == "warning"]
    raw = tmp_path / "three.pcm"
    raw.write_bytes(pcm)
    with raw.open("rb") as f:
        r = subprocess.run(cmd, stdin=f, capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert events_of(r.stdout.decode())[-1]["message"].startswith("heard 3 utterances but the list has 2 words")
