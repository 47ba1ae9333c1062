"""The teacher's own recordings (`saywell lists record`, classroom/references.py): kept per stored list, checked
against the word's phones, refused when silent or not in the list, played by practice (`p`) and the kiosk's
prompt instead of espeak-ng."""

import subprocess
import sys

import numpy as np
from conftest import MODEL, ROOT, SAMPLES, run_cli

from saywell.audio.wav import load_wav, write_wav


def _stored(tmp_path, name="names", words=("think", "ship", "very")):
    f = tmp_path / f"{name}.txt"
    f.write_text("\n".join(words) + "\n")
    r = run_cli("lists", "import", str(f), "--name", name)
    assert r.returncode == 0, r.stderr
    return f


def _voice_files(home, name="names"):
    folder = home / "lists" / f"{name}.voice"
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def test_a_recording_is_kept_trimmed_checked_and_listed(tmp_path, saywell_home):
    _stored(tmp_path)
    padded = tmp_path / "think_padded.wav"
    x = load_wav(SAMPLES / "joe_think.wav").samples
    write_wav(padded, np.concatenate([np.zeros(16000, np.float32), x, np.zeros(16000, np.float32)]))
    r = run_cli("lists", "record", "names", "Think", "--wav", str(padded), "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    assert "recorded 'think'" in r.stdout and "scores" in r.stdout and "below the line" not in r.stdout
    (kept,) = _voice_files(saywell_home)
    clip = load_wav(saywell_home / "lists" / "names.voice" / kept)
    assert clip.duration_s < len(x) / 16000 + 0.4  # the second of silence on each side is gone
    shown = run_cli("lists", "show", "names").stdout
    assert "1 recorded in the teacher's voice" in shown
    assert [ln.split()[0] for ln in shown.splitlines() if "(teacher's recording)" in ln] == ["think"]


def test_a_recording_that_does_not_match_the_phones_is_kept_with_a_note(tmp_path, saywell_home):
    _stored(tmp_path)
    r = run_cli("lists", "record", "names", "ship", "--wav", str(SAMPLES / "joe_think.wav"), "--model", str(MODEL))
    assert r.returncode == 0, r.stderr
    assert "below the line" in r.stdout and "SH (heard" in r.stdout and "/SH IH P/" in r.stdout
    assert len(_voice_files(saywell_home)) == 1


def test_bad_recordings_and_words_are_refused_and_nothing_is_written(tmp_path, saywell_home):
    f = _stored(tmp_path)
    silent = tmp_path / "silent.wav"
    write_wav(silent, np.zeros(16000, np.float32))
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    cases = [
        (["names", "think", "--wav", str(silent)], "no speech in the recording"),
        (["names", "think", "--wav", str(corrupt)], "corrupt.wav"),
        (["names", "thing", "--wav", str(SAMPLES / "joe_think.wav")], "'thing' is not in the list 'names'"),
        (["week9", "think", "--wav", str(SAMPLES / "joe_think.wav")], "no stored list named 'week9'"),
        (["names", "think", "--remove", "--wav", str(silent)], "drop --wav"),
    ]
    for args, message in cases:
        r = run_cli("lists", "record", *args, "--model", str(MODEL))
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _voice_files(saywell_home) == [] and f.exists()


def test_remove_brings_back_espeak_ng(tmp_path, saywell_home):
    _stored(tmp_path)
    assert run_cli("lists", "record", "names", "very", "--wav", str(SAMPLES / "joe_very_as_berry.wav"),
                   "--model", str(MODEL)).returncode == 0
    r = run_cli("lists", "record", "names", "very", "--remove")
    assert r.returncode == 0 and "removed the recording of 'very'" in r.stdout
    assert _voice_files(saywell_home) == []
    again = run_cli("lists", "record", "names", "very", "--remove")
    assert again.returncode == 0 and "had no recording" in again.stdout


def test_the_kiosk_prompts_with_the_teachers_recording(tmp_path, saywell_home):
    _stored(tmp_path, "week3", ("hello", "seven"))
    assert run_cli("lists", "record", "week3", "seven", "--wav", str(SAMPLES / "real_seven.wav"),
                   "--model", str(MODEL)).returncode == 0
    wav = tmp_path / "day.wav"
    x = [load_wav(SAMPLES / n).samples for n in ("real_hello.wav", "real_seven.wav")]
    gap = np.zeros(12000, np.float32)
    write_wav(wav, np.concatenate([gap, x[0], gap, x[1], gap]))
    log = tmp_path / "kiosk.log"
    r = subprocess.run([sys.executable, "-m", "saywell", "kiosk", "--list", "week3", "--input", str(wav), "--fast",
                        "--log", str(log), "--model", str(MODEL)], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    prompts = [ln for ln in log.read_text().splitlines() if " prompt " in ln]
    assert 'text="Say: hello"' in prompts[0] and "teacher_recording" not in prompts[0]
    assert 'text="Say: seven"' in prompts[1] and 'teacher_recording="seven-' in prompts[1]


def test_practice_plays_the_teachers_recording_and_falls_back_to_espeak_ng(tmp_path, saywell_home, monkeypatch):
    from saywell.apps import practice
    from saywell.classroom import references

    _stored(tmp_path)
    assert run_cli("lists", "record", "names", "think", "--wav", str(SAMPLES / "joe_think.wav"),
                   "--model", str(MODEL)).returncode == 0
    assert references.stored_list_name("names") == "names" and references.stored_list_name(str(tmp_path / "names.txt")) is None
    played, spoken, warned = [], [], []
    monkeypatch.setattr(references, "play", lambda path, idle=None: played.append(path.name) or None)
    monkeypatch.setattr(practice, "play_reference", lambda text, idle, voice="en-us": spoken.append(text) or None)

    class Source:
        def discard_pending(self):
            pass

    session = practice.Session.__new__(practice.Session)
    session.source, session.voice_list = Source(), "names"
    session.out = type("Out", (), {"warning": lambda self, m: warned.append(m)})()
    session.scorer = type("S", (), {"lang": type("L", (), {"espeak_voice": "en-us"})()})()
    session._play("think")
    session._play("ship")  # not recorded: espeak-ng
    assert len(played) == 1 and played[0].startswith("think-") and spoken == ["ship"] and warned == []
    monkeypatch.setattr(references, "play", lambda path, idle=None: "no output device")
    session._play("think")
    assert spoken == ["ship", "think"] and "espeak-ng speaks it instead" in warned[0]


def test_the_teacher_page_keeps_plays_and_removes_a_recording(tmp_path, saywell_home):
    import threading

    from test_teacher_page import Browser, multipart

    from saywell.apps.teacher_page import open_server

    _stored(tmp_path, "week3", ("hello", "seven"))
    srv = open_server("127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        b = Browser(srv)
        csrf = b.csrf("/list?name=week3")
        wav = (SAMPLES / "real_seven.wav").read_bytes()

        def upload(text, data):
            body, ctype = multipart({"csrf": csrf, "name": "week3", "text": text}, {"file": ("mine.wav", data)})
            return b.request("/list-voice", body, {"Content-Type": ctype}, "POST")

        status, _, page = upload("Seven", wav)
        assert status == 200 and "Kept your recording of &#x27;seven&#x27;" in page, page
        status, _, page = upload("eight", wav)
        assert status == 400 and "&#x27;eight&#x27; is not in the list" in page
        status, _, page = upload("hello", b"RIFF0000WAVEjunk")
        assert status == 400 and "mine.wav" in page and "/tmp" not in page
        assert _voice_files(saywell_home, "week3") == [f for f in _voice_files(saywell_home, "week3") if f.startswith("seven-")]
        _, _, listed = b.get("/list?name=week3")
        assert "1 of the 2 entries on this page have your recording" in listed and listed.count("<audio") == 1
        req = b.opener.open(b.base + "/list-voice?name=week3&text=seven", timeout=20)
        assert req.status == 200 and req.headers["Content-Type"] == "audio/wav" and req.read()[:4] == b"RIFF"
        assert b.get("/list-voice?name=week3&text=hello")[0] == 404
        status, _, page = b.post("/list-voice/delete", {"csrf": csrf, "name": "week3", "text": "seven"})
        assert status == 200 and "Removed your recording" in page and _voice_files(saywell_home, "week3") == []
        assert b.post("/list-voice/delete", {"csrf": "wrong", "name": "week3", "text": "seven"})[0] == 403
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_list_files_audio_column_is_checked_and_imported_with_it(tmp_path, saywell_home):
    folder = tmp_path / "class"
    (folder / "voices").mkdir(parents=True)
    write_wav(folder / "voices" / "seven.wav", load_wav(SAMPLES / "real_seven.wav").samples)
    write_wav(folder / "voices" / "quiet.wav", np.zeros(8000, np.float32))
    good = folder / "good.csv"
    good.write_text("text,audio\nhello,\nseven,voices/seven.wav\n")
    bad = folder / "bad.csv"
    bad.write_text("text,audio\nhello,voices/missing.wav\nseven,voices/quiet.wav\n")
    r = run_cli("lists", "validate", str(bad))
    assert r.returncode == 2
    assert "line 2: error: audio 'voices/missing.wav'" in r.stdout and "line 3: error: audio 'voices/quiet.wav': no speech" in r.stdout
    r = run_cli("lists", "import", str(bad), "--name", "week3")
    assert r.returncode == 2 and not (saywell_home / "lists" / "week3.json").exists() and _voice_files(saywell_home, "week3") == []
    r = run_cli("lists", "import", str(good), "--name", "week3")
    assert r.returncode == 0 and "1 recorded in your voice" in r.stdout, r.stdout + r.stderr
    assert [f.split("-")[0] for f in _voice_files(saywell_home, "week3")] == ["seven"]


def test_recording_from_the_microphone_and_without_one(tmp_path, saywell_home, monkeypatch, capsys):
    """The microphone path as a teacher uses it (a stand-in sounddevice playing a take in real time), and the
    advice when there is no microphone at all."""
    from test_sources_vad import FakeSoundDevice

    from saywell.apps.cli import main
    from saywell.audio import sources

    _stored(tmp_path)
    speech = load_wav(SAMPLES / "joe_think.wav").samples
    fake = FakeSoundDevice(np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(24000, np.float32)]))
    monkeypatch.setattr(sources, "import_sounddevice", lambda: fake)
    assert main(["lists", "record", "names", "think", "--model", str(MODEL)]) == 0
    out = capsys.readouterr().out
    assert "say 'think' now" in out and "recorded 'think'" in out and "scores" in out
    assert [f.split("-")[0] for f in _voice_files(saywell_home)] == ["think"]
    deaf = FakeSoundDevice(speech, devices=[{"name": "HDMI 0", "max_input_channels": 0, "default_samplerate": 48000.0}])
    monkeypatch.setattr(sources, "import_sounddevice", lambda: deaf)
    assert main(["lists", "record", "names", "ship", "--model", str(MODEL)]) == 2
    err = capsys.readouterr().err
    assert "no audio input device found" in err and "--wav FILE.wav" in err and "--input" not in err
    assert [f.split("-")[0] for f in _voice_files(saywell_home)] == ["think"]


def test_practising_from_a_list_file_does_not_read_its_audio_column(tmp_path):
    from saywell.classroom.wordlists import load_file

    f = tmp_path / "names.csv"
    f.write_text("text,audio\nseven,voices/missing.wav\n")
    assert [e.text for e in load_file(f).entries] == ["seven"]  # only validate and import read the files
