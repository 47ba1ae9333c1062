"""Keeping recordings of attempts, a teacher's setting: off by default (nothing kept), on through the CLI or the
teacher page (CSRF, login), a valid 16 kHz WAV per attempt linked in the store and served by attempt id only,
the size limit, delete-all, a failing disk, and the schema migration of a database written before."""

import json
import shutil
import sqlite3
import struct

import numpy as np
import pytest
from conftest import MODEL, ROOT, SAMPLES, run_cli
from test_practice import take
from test_teacher_page import Browser, server  # noqa: F401  (the server fixture)

from saywell.audio.wav import Audio, load_wav
from saywell.classroom.audio_keep import AudioKeeper, delete_all, usage
from saywell.errors import SaywellError
from saywell.classroom.progress import DB_NAME, SCHEMA_VERSION, ProgressStore
from saywell.classroom.settings import DEFAULT_AUDIO_LIMIT_MB, Settings, load_settings, update_settings

V1_DB = ROOT / "tests" / "data" / "progress-v1.sqlite3"  # written by saywell before recordings (schema 1)


def practice(*args):
    return run_cli("practice", *args, "--fast", "--model", str(MODEL), stdin="")


def wav_header(path):
    data = path.read_bytes()
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[20:36])
    return data, (data[:4], data[8:12], tag, channels, rate, bits)


def test_off_by_default_practice_keeps_no_audio(saywell_home):
    assert load_settings() == Settings(keep_audio=False)
    r = practice("--input", str(SAMPLES / "joe_think.wav"), "--word", "think", "--learner", "Ada")
    assert r.returncode == 0, r.stderr
    assert "recordings" not in r.stdout
    assert not list(saywell_home.rglob("*.wav")) and not (saywell_home / "audio").exists()
    with ProgressStore.default() as s:
        (a,) = s.attempts(everyone=True)
        assert a.audio_file is None


def test_on_keeps_a_wav_per_attempt_linked_and_served_by_id(server, saywell_home):  # noqa: F811
    r = run_cli("settings", "keep-audio", "on")
    assert r.returncode == 0 and "keep-audio: on" in r.stdout, r.stderr
    for clip in ("joe_think_as_sink.wav", "joe_think.wav"):
        r = practice("--input", str(SAMPLES / clip), "--word", "think", "--learner", "Ada")
        assert r.returncode == 0, r.stderr
        assert "each word you say is kept on this device" in r.stdout  # the learner is told
    with ProgressStore.default() as s:
        attempts = s.attempts(everyone=True)
    assert [a.audio_file for a in attempts] == [f"{a.id}.wav" for a in attempts] and len(attempts) == 2
    assert sorted(p.name for p in (saywell_home / "audio").iterdir()) == ["1.wav", "2.wav"]  # ids, no names
    b = Browser(server)
    for a, clip in zip(attempts, ("joe_think_as_sink.wav", "joe_think.wav")):
        path = saywell_home / "audio" / a.audio_file
        data, head = wav_header(path)
        assert head == (b"RIFF", b"WAVE", 1, 1, 16000, 16)  # PCM, mono, 16 kHz, 16 bit
        kept, spoken = load_wav(path).samples, load_wav(SAMPLES / clip).samples
        assert 0.5 * len(spoken) < len(kept) <= len(spoken) + 16000  # the utterance, pre-roll to hangover
        assert np.sqrt(np.mean(kept ** 2)) > 0.01
        with b.opener.open(f"{b.base}/attempt-audio?id={a.id}", timeout=20) as resp:  # the player's request
            assert resp.status == 200 and resp.headers["Content-Type"] == "audio/wav" and resp.read() == data
    status, headers, page = b.get("/learner?name=Ada")
    assert status == 200 and page.count('<audio controls preload="none" src="/attempt-audio?id=') == 2
    assert "media-src 'self'" in headers["Content-Security-Policy"]  # else the browser would not play it


def test_the_audio_route_takes_only_a_linked_attempt_id(server, saywell_home):  # noqa: F811
    with ProgressStore.default() as s:
        sid = s.start_session(None, None)
        from test_progress import THINK, attempt

        linked = s.record(sid, None, attempt(THINK))
        unlinked = s.record(sid, None, attempt(THINK))
        s.link_audio(linked, f"{linked}.wav")
    (saywell_home / "audio").mkdir()
    (saywell_home / "audio" / f"{linked}.wav").write_bytes(b"RIFF-linked")
    (saywell_home / "audio" / f"{unlinked}.wav").write_bytes(b"RIFF-unlinked")  # a file the store does not link
    (saywell_home / "secret.wav").write_bytes(b"secret")
    b = Browser(server)
    assert b.get(f"/attempt-audio?id={linked}")[0] == 200
    for bad in (str(unlinked), "0", "-1", "01", f"{linked}.wav", f"{linked}/../{linked}", "../secret.wav",
                "..%2Fsecret", "%2e%2e%2fsecret.wav", f"{linked}%00", "%201", "1e3", "9" * 19, "", "abc"):
        status, _, body = b.get(f"/attempt-audio?id={bad}")
        assert status == 404 and "secret" not in body and "RIFF" not in body, (bad, status)
    for path in ("/attempt-audio/../secret.wav", "/audio/1.wav", f"/attempt-audio/{linked}", "/secret.wav"):
        assert b.get(path)[0] == 404, path
    status, _, body = b.get(f"/attempt-audio?id={linked}&id=../secret.wav")  # the first value is the one used
    assert status == 200


def _keep(keeper, store, seconds, n):
    sid = store.start_session(None, None)
    from test_progress import THINK, attempt

    ids = []
    for i in range(n):
        aid = store.record(sid, None, attempt(THINK))
        x = np.full(int(seconds * 16000), 0.1 * (i + 1), np.float32)
        assert keeper.keep(store, aid, x, 16000) is None
        ids.append(aid)
    return ids


def test_the_size_limit_deletes_the_oldest_recordings(saywell_home):
    update_settings(keep_audio=True, audio_limit_mb=1)
    with ProgressStore.default() as store:
        ids = _keep(AudioKeeper(), store, 12.5, 4)  # 400 044 bytes each: two fit in 1 MB, three do not
        assert sorted(int(p.stem) for p in (saywell_home / "audio").glob("*.wav")) == ids[2:]
        assert [a.audio_file for a in store.attempts(everyone=True)] == [None, None, f"{ids[2]}.wav", f"{ids[3]}.wav"]
        assert usage() == (2, 2 * 400_044)
        kept = load_wav(saywell_home / "audio" / f"{ids[3]}.wav").samples
        assert len(kept) == 200_000 and abs(kept.mean() - 0.4) < 1e-3  # the newest is the one left
    assert not list((saywell_home / "audio").glob(".*"))  # no temp files: written atomically


def test_turning_it_off_keeps_no_new_audio_and_delete_all_forgets_them(saywell_home):
    update_settings(keep_audio=True)
    with ProgressStore.default() as store:
        keeper = AudioKeeper()
        first = _keep(keeper, store, 0.5, 2)
        update_settings(keep_audio=False)  # read again at every attempt: a running kiosk stops at once
        later = _keep(keeper, store, 0.5, 1)
        assert sorted(int(p.stem) for p in (saywell_home / "audio").glob("*.wav")) == first
    r = run_cli("settings")
    assert "keep-audio: off" in r.stdout and "kept recordings: 2" in r.stdout
    r = run_cli("settings", "delete-audio")
    assert r.returncode == 0 and "deleted 2 kept recordings" in r.stdout
    assert not list((saywell_home / "audio").glob("*")) and later
    with ProgressStore.default() as store:
        assert {a.audio_file for a in store.attempts(everyone=True)} == {None}


def test_a_failing_disk_is_said_once_and_practice_goes_on(saywell_home, monkeypatch):
    import saywell.classroom.audio_keep as ak

    def full(path, data, mode=None):
        raise SaywellError(f"cannot write {path} (No space left on device); check the free space and permissions")

    monkeypatch.setattr(ak, "write_atomically", full)
    update_settings(keep_audio=True)
    with ProgressStore.default() as store:
        keeper = AudioKeeper()
        sid = store.start_session(None, None)
        from test_progress import THINK, attempt

        warnings = [keeper.keep(store, store.record(sid, None, attempt(THINK)), np.zeros(1600, np.float32)) for _ in range(3)]
        assert "No space left" in warnings[0] and warnings[1:] == [None, None]
        assert len(store.attempts(everyone=True)) == 3  # the attempts are recorded all the same
    assert not list(saywell_home.rglob("*.wav"))


def test_a_full_disk_in_the_kiosk_is_logged_once_and_practice_goes_on(tmp_path, scorer, monkeypatch, saywell_home):
    import io

    import saywell.classroom.audio_keep as ak
    from saywell.apps.kiosk import EventLog, Kiosk, KioskProgress, Speaker
    from saywell.audio.sources import WavSource
    from saywell.classroom.wordlists import resolve

    monkeypatch.setattr(ak, "write_atomically", lambda *a, **k: (_ for _ in ()).throw(
        SaywellError("cannot write audio (No space left on device)")))
    update_settings(keep_audio=True)
    words = tmp_path / "words.txt"
    words.write_text("hello\nseven\n")
    buf = io.StringIO()
    log = EventLog(buf)
    store = ProgressStore.default()
    x = take(0.5, "real_hello.wav", 0.8, "real_seven.wav", 0.8)
    k = Kiosk(scorer, list(resolve(str(words)).entries), lambda: WavSource(Audio(x, 16000), realtime=False),
              KioskProgress(store, log, "words", keeper=AudioKeeper()), log, Speaker(log, silent=True), live=False)
    assert k.run() == 0
    text = buf.getvalue()
    assert text.count(" result ") == 2 and text.count(" audio_off ") == 1 and "No space left" in text
    with ProgressStore.default() as s:
        assert len(s.attempts(everyone=True)) == 2  # progress still recorded


def test_damaged_settings_keep_nothing_and_say_so(saywell_home):
    saywell_home.mkdir()
    (saywell_home / "settings.json").write_text('{"format": 1, "keep_audio": "yes"}')
    with pytest.raises(SaywellError, match="damaged"):
        load_settings()
    r = practice("--input", str(SAMPLES / "joe_think.wav"), "--word", "think")
    assert r.returncode == 0 and "settings are damaged" in r.stdout, r.stdout + r.stderr
    assert not list(saywell_home.rglob("*.wav"))
    r = run_cli("settings", "keep-audio", "off")  # setting it again repairs the file
    assert r.returncode == 0 and load_settings() == Settings(False, DEFAULT_AUDIO_LIMIT_MB)


def test_settings_cli(saywell_home):
    r = run_cli("settings")
    assert r.returncode == 0 and "keep-audio: off" in r.stdout and f"audio-limit-mb: {DEFAULT_AUDIO_LIMIT_MB}" in r.stdout
    assert not (saywell_home / "settings.json").exists()  # showing writes nothing
    assert run_cli("settings", "keep-audio", "on").returncode == 0 and load_settings().keep_audio
    assert run_cli("settings", "audio-limit-mb", "50").returncode == 0
    assert json.loads((saywell_home / "settings.json").read_text()) == {"format": 1, "keep_audio": True, "audio_limit_mb": 50, "accent": "any"}
    r = run_cli("settings", "keep-audio", "off")
    assert r.returncode == 0 and "Recordings already kept stay until deleted" in r.stdout and not load_settings().keep_audio
    for args, needle in ((("keep-audio", "maybe"), "on or off"), (("keep-audio",), "give a value"),
                         (("audio-limit-mb", "0"), "whole number"), (("audio-limit-mb", "1.5"), "whole number")):
        r = run_cli("settings", *args)
        assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert load_settings() == Settings(False, 50)  # refused values changed nothing
    assert not [p for p in saywell_home.iterdir() if p.name.startswith(".")]  # written atomically


def test_the_teacher_page_toggles_keeping_with_csrf(server, saywell_home):  # noqa: F811
    b = Browser(server)
    status, _, page = b.get("/")
    assert 'id="keep-audio-state">Keeping recordings is <strong>off</strong>' in page
    assert "the recordings already kept stay until you delete them" in page
    assert b.post("/settings/keep-audio", {"keep_audio": "on"})[0] == 403  # no token
    assert b.post("/settings/keep-audio", {"keep_audio": "on", "csrf": "forged"})[0] == 403
    assert b.post("/settings/keep-audio", {"keep_audio": "on", "csrf": b.csrf()},
                  headers={"Origin": "http://evil.example"})[0] == 403
    assert not load_settings().keep_audio and not (saywell_home / "settings.json").exists()
    status, _, page = b.post("/settings/keep-audio", {"keep_audio": "on", "csrf": b.csrf()})
    assert status == 200 and "<strong>on</strong>" in page and load_settings().keep_audio  # after the redirect
    assert b.post("/settings/keep-audio", {"keep_audio": "maybe", "csrf": b.csrf()})[0] == 400
    assert b.post("/settings/keep-audio", {"keep_audio": "off", "csrf": b.csrf()})[0] == 200
    assert not load_settings().keep_audio


def test_the_teacher_page_deletes_all_kept_audio(server, saywell_home):  # noqa: F811
    update_settings(keep_audio=True)
    with ProgressStore.default() as store:
        _keep(AudioKeeper(), store, 0.5, 3)
    b = Browser(server)
    assert "Kept now: 3 recordings" in b.get("/")[2]
    assert b.post("/audio/delete", {"confirm": "yes"})[0] == 403
    assert b.post("/audio/delete", {"csrf": b.csrf()})[0] == 400  # not confirmed
    assert usage()[0] == 3
    status, _, page = b.post("/audio/delete", {"confirm": "yes", "csrf": b.csrf()})
    assert status == 200 and "Deleted 3 kept recordings" in page and usage() == (0, 0)
    assert "Kept now: 0 recordings" in b.get("/")[2]


def test_with_a_pin_the_settings_need_a_login(saywell_home):
    import threading

    from saywell.apps.teacher_auth import store_pin
    from saywell.apps.teacher_page import open_server

    store_pin("Tulip-2024")
    srv = open_server("127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        b = Browser(srv)
        token = b.csrf("/login")  # a session, but not logged in
        assert b.post("/settings/keep-audio", {"keep_audio": "on", "csrf": token})[0] == 403
        assert b.post("/audio/delete", {"confirm": "yes", "csrf": token})[0] == 403
        assert "Teacher login" in b.get("/attempt-audio?id=1")[2]
        assert not load_settings().keep_audio
        b.post("/login", {"pin": "Tulip-2024", "csrf": token})
        assert b.post("/settings/keep-audio", {"keep_audio": "on", "csrf": b.csrf()})[0] == 200
        assert load_settings().keep_audio
    finally:
        srv.shutdown()
        srv.server_close()


# ---- the schema migration ---------------------------------------------------------------------------------

def test_a_database_from_before_recordings_is_migrated_in_place(saywell_home):
    saywell_home.mkdir()
    shutil.copy(V1_DB, saywell_home / DB_NAME)
    con = sqlite3.connect(saywell_home / DB_NAME)
    assert con.execute("PRAGMA user_version").fetchone() == (1,)
    before = con.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    phones = con.execute("SELECT * FROM phone_results ORDER BY attempt_id, position").fetchall()
    con.close()
    with ProgressStore.default() as s:
        assert s.con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (5,)
        assert s.con.execute("SELECT count(*) FROM word_results").fetchone() == (0,)  # v3: phrases word by word
        rows = s.con.execute("SELECT * FROM attempts ORDER BY id").fetchall()
        assert [r[:-2] for r in rows] == before and {r[-2] for r in rows} == {None}  # history kept, no recordings
        assert {r[-1] for r in rows} == {"en"}  # v5: attempts from before Spanish were English
        assert s.con.execute("SELECT * FROM phone_results ORDER BY attempt_id, position").fetchall() == phones
        ada = s.find_learner("Ada")
        assert [a.word_text for a in s.attempts(ada)] == ["think", "ship"]
        s.link_audio(1, "1.wav")
        assert s.audio_file(1) == "1.wav"
    with ProgressStore.default() as s:  # opening again migrates nothing
        assert s.con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) and s.audio_file(1) == "1.wav"


def test_a_failing_migration_changes_nothing(saywell_home):
    import saywell.classroom.progress as progress

    saywell_home.mkdir()
    shutil.copy(V1_DB, saywell_home / DB_NAME)
    broken = progress.MIGRATIONS[:1] + ("ALTER TABLE attempts ADD COLUMN audio_file TEXT; "
                                        "ALTER TABLE no_such_table ADD COLUMN x TEXT",)
    real = progress.MIGRATIONS
    progress.MIGRATIONS = broken  # not monkeypatch.undo(): that would also undo SAYWELL_HOME
    try:
        with pytest.raises(SaywellError):
            ProgressStore.default()
    finally:
        progress.MIGRATIONS = real
    con = sqlite3.connect(saywell_home / DB_NAME)
    assert con.execute("PRAGMA user_version").fetchone() == (1,)
    assert "audio_file" not in [r[1] for r in con.execute("PRAGMA table_info(attempts)")]  # rolled back
    con.close()
    with ProgressStore.default() as s:
        assert len(s.attempts(everyone=True)) == 3


def test_delete_all_without_any_recording_or_database(saywell_home):
    assert delete_all() == 0 and usage() == (0, 0)
