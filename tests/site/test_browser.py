"""The story page in headless Chromium: picture, playable audio, read-along, no layout
shift, accessibility; screenshots at phone and desktop width into test-output/browser/.
Then a grandparent's reading recorded through the real recording page (Chromium's fake
microphone), uploaded to the local run's S3 (moto), checked, and played by the story
page with the read-along at the tapped times; and that page's accessibility."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bedtime_local.runner import LocalRun
from helpers import ROOT

# One local run and one Chromium for the whole file: make test's processes keep it together.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-output" / "browser"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run)")
    pytest.skip("no chromium here: apt-get install chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")


@pytest.fixture(scope="module")
def story_url() -> Iterator[str]:
    run = LocalRun(port=0, state_dir=Path(tempfile.mkdtemp()), say=lambda _: None)
    run.start()
    try:
        run.request_story()
        [ready] = run.wait_for_ready(1, timeout=60)
        yield ready["url"]
    finally:
        run.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 500);
})"""


@pytest.mark.parametrize(
    ("label", "width", "height"), [("phone", 360, 740), ("desktop", 1280, 900)]
)
def test_story_page_in_chromium(browser, story_url, label, width, height) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(story_url, wait_until="load")

    image = page.locator(".picture img")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1024
    duration = page.locator("#narration").evaluate(
        """audio => new Promise(resolve => {
             if (audio.readyState >= 1) return resolve(audio.duration);
             audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
             audio.load();
           })"""
    )
    assert duration > 10
    assert page.evaluate(LAYOUT_SHIFT) < 0.05
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"story-{label}.png"), full_page=True)

    results = axe_module.Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert errors == []
    page.close()


def test_read_along_highlights_the_line_being_read(browser, story_url) -> None:
    page = browser.new_page()
    page.goto(story_url, wait_until="load")
    page.locator("#narration").evaluate("audio => { audio.muted = true; return audio.play(); }")
    page.wait_for_function(
        "() => document.querySelector('#narration').currentTime > 4", timeout=15000
    )
    highlighted = page.locator(".line.reading")
    assert highlighted.count() == 1
    assert int(highlighted.get_attribute("data-line")) >= 1
    page.close()


def test_page_works_without_javascript(browser, story_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(story_url, wait_until="load")
    assert page.locator("h1").inner_text()
    assert page.locator(".stanza").count() >= 4
    assert page.locator("audio[src]").count() == 1
    context.close()


TAP_PAUSES_MS = (900, 700, 1100)  # the first three lines read at a grandparent's pace
QUICK_TAP_MS = 60  # then the rest tapped through


@pytest.fixture(scope="module")
def reader(browser, story_url) -> Iterator:
    """A phone's browser that opened the family's email link (it holds the session),
    with a microphone (Chromium's fake one)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.grant_permissions(["microphone"], origin=_origin(story_url))
    page = context.new_page()
    page.goto(story_url, wait_until="load")
    page.close()
    yield context
    context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def recording_link(context, origin: str) -> str:
    page = context.new_page()
    page.goto(f"{origin}/", wait_until="load")
    link = page.get_by_role("link", name="Read tonight's story in your own voice")
    href = link.get_attribute("href")
    page.close()
    assert href and "/record?r=" in href
    return f"{origin}{href}"


def test_the_recording_page_is_accessible(reader, story_url) -> None:
    page = reader.new_page()
    page.goto(recording_link(reader, _origin(story_url)), wait_until="load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "record-phone.png"), full_page=True)
    results = axe_module.Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()


def test_a_reading_recorded_in_the_browser_plays_with_its_tapped_timings(reader, story_url) -> None:
    """Last in this file: the story plays the recording, then the narration again."""
    origin = _origin(story_url)
    link = recording_link(reader, origin)
    page = reader.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(link, wait_until="load")
    lines = page.locator(".script-line").count()
    assert lines > len(TAP_PAUSES_MS)

    page.get_by_label("Your name, as the child will see it").fill("Grandma Sue")
    page.get_by_role("button", name="Start").click()
    page.locator("#reading").wait_for(state="visible")
    assert page.locator(".script-line.current").count() == 1
    for pause in TAP_PAUSES_MS:
        page.wait_for_timeout(pause)
        page.locator("#next").click()
    for _ in range(lines - 1 - len(TAP_PAUSES_MS)):
        page.wait_for_timeout(QUICK_TAP_MS)
        page.locator("#next").click()
    page.wait_for_timeout(QUICK_TAP_MS)
    page.get_by_role("button", name="Done").click()
    page.locator("#review").wait_for(state="visible")
    assert page.locator("#record").get_attribute("data-upload") is None  # no form until Send
    sent: list[str] = []
    page.on("request", lambda r: sent.append(f"{r.method} {urlsplit(r.url).path}"))
    page.get_by_role("button", name="Send my reading").click()
    page.wait_for_function(
        "() => /Thank you|not|did/.test(document.getElementById('status').textContent)",
        timeout=20000,
    )
    assert "Thank you, Grandma Sue" in page.locator("#status").inner_text()
    assert errors == []
    # a form signed at Send, then the upload to the bucket with it, then the site's check
    recorded = urlsplit(link).path.removesuffix("/record")
    form, upload, check = (s for s in sent if not s.startswith("GET "))
    assert form == f"POST {recorded}/record/form"
    assert upload.startswith("POST /") and "/stories/" not in upload
    assert check == f"POST {recorded}/record"
    page.close()

    # the story the link records: tonight's on the home page (the run may have made two)
    story_id = recorded.rsplit("/", 1)[-1]
    story = reader.new_page()
    data = json.loads(story.goto(f"{origin}/stories/{story_id}.json").text())
    recording = data["recording"]
    times = recording["lineTimes"]
    assert len(times) == lines and times[0] == 0
    gaps = [later - earlier for earlier, later in pairwise(times[:4])]
    for gap, pause in zip(gaps, TAP_PAUSES_MS, strict=True):
        assert pause <= gap < pause + 400, (gaps, TAP_PAUSES_MS)

    story.goto(f"{origin}/stories/{story_id}", wait_until="load")
    assert story.get_by_text("Read by Grandma Sue").is_visible()
    audio = story.locator("#narration")
    duration = audio.evaluate(
        """audio => new Promise(resolve => {
             // MediaRecorder's WebM says no duration: seeking past the end finds it
             const done = () => { if (isFinite(audio.duration)) { resolve(audio.duration); } };
             audio.addEventListener("durationchange", done);
             audio.addEventListener("loadedmetadata", () => {
               if (isFinite(audio.duration)) { resolve(audio.duration); }
               else { audio.currentTime = 1e9; }
             });
             audio.load();
           })"""
    )
    assert "/recording-" in audio.evaluate("audio => audio.currentSrc")
    assert abs(duration * 1000 - recording["durationMs"]) < 1000, (duration, recording)

    audio.evaluate("audio => { audio.currentTime = 0; audio.muted = true; return audio.play(); }")
    third = times[2] / 1000
    story.wait_for_function(
        f"() => document.querySelector('#narration').currentTime > {third + 0.3}", timeout=15000
    )
    story.locator("#narration").evaluate("audio => audio.pause()")
    highlighted = story.locator(".line.reading")
    assert highlighted.count() == 1
    assert int(highlighted.get_attribute("data-line")) == 2

    # the family goes back to the machine voice
    with story.expect_response(lambda r: r.request.method == "POST") as posted:
        story.get_by_role("button", name="Use the machine voice again").click()
    assert posted.value.status == 303
    story.wait_for_load_state("load")
    assert story.get_by_text("Read by Grandma Sue").count() == 0
    assert "/recording-" not in story.locator("#narration").evaluate("audio => audio.src")
    story.close()
