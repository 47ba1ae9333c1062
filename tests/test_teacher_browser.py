"""The teacher page in a real headless browser (Debian's chromium + chromium-driver, driven by selenium):
upload a list, read its check (a problem by line number, a guessed pronunciation), fix it, import it, then a
learner practises it through the real scoring path (`saywell practice` on a WAV, writing to the same
SAYWELL_HOME) and the attempt shows on the learner's page after a reload."""

import os
import shutil
import subprocess
import sys
import threading

import pytest
from conftest import MODEL, ROOT, SAMPLES

from saywell.apps.teacher_page import open_server
from saywell.classroom.wordlists import load_stored

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
DRIVER = shutil.which("chromedriver") or next((p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
                                               if os.path.exists(p)), None)

pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                reason="chromium / chromedriver not installed (apt-get install chromium chromium-driver; "
                                       "bash scripts/test installs them)")


@pytest.fixture
def browser():
    from selenium import webdriver  # the dev extra: missing is a failure, not a skip
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,1600",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)  # no driver download
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def click_and_wait(browser, css: str) -> None:
    """Click, then wait for the next page: a form submit does not wait by itself (stale elements otherwise)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    wait = WebDriverWait(browser, 20)
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")  # the page clicked on is whole
    for attempt in range(3):
        old = browser.find_element(By.TAG_NAME, "html")
        try:
            browser.find_element(By.CSS_SELECTOR, css).click()
            break
        except (StaleElementReferenceException, WebDriverException):  # replaced between the find and the click
            if attempt == 2:
                raise
    wait.until(lambda b: _gone(old))
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")


def _gone(element) -> bool:
    """The element's page was replaced: stale, or under load Chrome's "does not belong to the document"."""
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False


@pytest.fixture
def server(saywell_home):
    srv = open_server("127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.state.port}/"
    srv.shutdown()
    srv.server_close()


def test_upload_check_import_then_see_a_learners_attempt(browser, server, tmp_path, saywell_home):
    from selenium.webdriver.common.by import By

    bad = tmp_path / "week3.csv"
    bad.write_text("text,phones,hint\nthink,,tongue between your teeth\nship,SH IH QQ,\nsheep,,\nflurbix,,\n")
    good = tmp_path / "week3-fixed.csv"
    good.write_text("text,phones,hint\nthink,,tongue between your teeth\nship,SH IH P,\nsheep,,\nflurbix,,\n")

    browser.get(server)
    assert "No practice recorded yet" in browser.page_source
    browser.find_element(By.NAME, "file").send_keys(str(bad))
    click_and_wait(browser, "form[action='/lists/check'] button")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.problems tr.problem")
    problems = [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
    assert ["3", "error"] == problems[0][:2] and "QQ" in problems[0][2], problems  # the bad phone, by line
    assert problems[1][:2] == ["5", "warning"] and "flurbix" in problems[1][2] and "guessed /" in problems[1][2]
    assert "Not importable" in browser.find_element(By.ID, "verdict").text
    assert not browser.find_elements(By.ID, "import")
    guessed = browser.find_element(By.XPATH, "//table[@class='entries']//tr[td[2]='flurbix']")
    assert "guessed by espeak-ng" in guessed.text

    browser.get(server)
    browser.find_element(By.NAME, "file").send_keys(str(good))
    browser.find_element(By.NAME, "name").send_keys("week3")
    click_and_wait(browser, "form[action='/lists/check'] button")
    assert "No errors" in browser.find_element(By.ID, "verdict").text
    click_and_wait(browser, "#import")
    assert "Imported the list 'week3': 4 entries" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
    assert [e.text for e in load_stored("week3").entries] == ["think", "ship", "sheep", "flurbix"]

    # a learner practises the list: the real scoring path, writing to the same SAYWELL_HOME
    r = subprocess.run([sys.executable, "-m", "saywell", "practice", "--list", "week3", "--input",
                        str(SAMPLES / "joe_think_as_sink.wav"), "--fast", "--learner", "Ada", "--model", str(MODEL)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr

    browser.get(server)  # the overview after the attempt
    learners = browser.find_element(By.CSS_SELECTOR, "table.learners").text
    assert "Ada" in learners and "/θ/ as in think: 0 of 1 right" in learners
    assert browser.find_elements(By.CSS_SELECTOR, "svg g.sound")  # report.py's chart
    click_and_wait(browser, "table.learners a[href^='/learner']")
    attempts = browser.find_elements(By.CSS_SELECTOR, "table.attempts tr.attempt")
    assert len(attempts) == 1
    cells = [td.text for td in attempts[0].find_elements(By.TAG_NAME, "td")]
    assert cells[1] == "think" and cells[4] == "mispronounced" and "/θ/ as in think (heard /s/ as in sun)" in cells[5] and cells[6] == "week3"

    learner_url = browser.current_url
    browser.get(server)  # the teacher turns keeping recordings on (the CSRF form, as Chromium sends it)
    click_and_wait(browser, "#keep-audio")
    assert browser.find_element(By.ID, "keep-audio-state").text == "Keeping recordings is on."
    r = subprocess.run([sys.executable, "-m", "saywell", "practice", "--list", "week3", "--input",
                        str(SAMPLES / "joe_think.wav"), "--fast", "--learner", "Ada", "--model", str(MODEL)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    browser.get(learner_url)
    attempts = browser.find_elements(By.CSS_SELECTOR, "table.attempts tr.attempt")
    assert len(attempts) == 2 and "correct" in attempts[0].text  # newest first
    players = browser.find_elements(By.CSS_SELECTOR, "table.attempts audio")
    assert len(players) == 1  # only the attempt made while keeping was on
    duration = browser.execute_async_script(  # the browser loads and decodes it (CSP media-src, audio/wav)
        "const a = arguments[0], done = arguments[1]; a.onloadedmetadata = () => done(a.duration);"
        "a.onerror = () => done(-1); a.preload = 'metadata'; a.load();", players[0])
    assert 0.3 < duration < 5, duration
    browser.save_screenshot(str(tmp_path / "learner.png"))


def test_login_with_the_teacher_pin_in_a_real_browser(browser, saywell_home):
    """SameSite=Strict cookies, the Origin check and the redirect after login, as Chromium does them."""
    from selenium.webdriver.common.by import By

    from saywell.apps.teacher_auth import store_pin

    store_pin("Tulip-2024")
    srv = open_server("127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.state.port}/"
        browser.get(url)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Teacher login"
        browser.find_element(By.NAME, "pin").send_keys("not-the-pin")
        click_and_wait(browser, "form[action='/login'] button")
        assert "wrong PIN" in browser.find_element(By.CSS_SELECTOR, "p.notice").text
        browser.find_element(By.NAME, "pin").send_keys("Tulip-2024")
        click_and_wait(browser, "form[action='/login'] button")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Teacher page"
        cookie = browser.get_cookie(f"saywell_{srv.state.port}")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        click_and_wait(browser, "form[action='/logout'] button")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Teacher login"
        browser.get(url + "report.csv")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Teacher login"
    finally:
        srv.shutdown()
        srv.server_close()


PROBE = ("const [src, done] = arguments; const a = new Audio(); a.preload = 'metadata';"
         "a.onloadedmetadata = () => done(['loaded', a.duration]);"
         "a.onerror = () => done(['error', a.error ? a.error.code : 0]); a.src = src; a.load();")


def test_another_origin_can_neither_play_nor_probe_a_kept_recording(browser, server, saywell_home):
    """A web page open in the device's browser (another port of 127.0.0.1, or localhost) puts the teacher page's
    recordings in its own <audio>: nothing loads, and a kept recording fails exactly as a missing one does."""
    import wave
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from saywell.classroom.progress import Attempt, ProgressStore

    with ProgressStore.default() as store:
        sid = store.start_session(store.learner("Ada"), None)
        aid = store.record(sid, store.learner("Ada"), Attempt(0.0, "think", "think", "TH IH NG K", 50.0, "correct", ()))
        store.link_audio(aid, f"{aid}.wav")
    (saywell_home / "audio").mkdir()
    with wave.open(str(saywell_home / "audio" / f"{aid}.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(b"\x00\x10" * 8000)
    kept, missing = f"{server}attempt-audio?id={aid}", f"{server}attempt-audio?id={aid + 1}"

    class Other(BaseHTTPRequestHandler):
        def do_GET(self):
            body = (f'<!doctype html><title>another site</title><audio id="a" src="{kept}"></audio>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        browser.get(server)  # the control: from the teacher page itself the recording plays
        assert browser.execute_async_script(PROBE, kept)[0] == "loaded"
        for origin in (f"http://127.0.0.1:{other.server_address[1]}/", f"http://localhost:{other.server_address[1]}/"):
            browser.get(origin)
            assert browser.title == "another site"
            got_kept = browser.execute_async_script(PROBE, kept)
            got_missing = browser.execute_async_script(PROBE, missing)
            assert got_kept[0] == "error" and got_kept == got_missing, (origin, got_kept, got_missing)
            tag = browser.execute_async_script(  # the page's own <audio src=...> element too
                "const a = document.getElementById('a'), done = arguments[0];"
                "if (a.error) done(['error', a.error.code]); else if (a.readyState > 0) done(['loaded', a.duration]);"
                "else { a.onerror = () => done(['error', a.error.code]); a.onloadedmetadata = () => done(['loaded']); a.load(); }")
            assert tag[0] == "error", (origin, tag)
    finally:
        other.shutdown()
        other.server_close()
