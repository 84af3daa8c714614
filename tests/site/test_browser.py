"""The story page in headless Chromium: picture, playable audio, read-along, no layout
shift, accessibility; screenshots at phone and desktop width into test-output/browser/."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bedtime_local.runner import LocalRun
from helpers import ROOT

pytestmark = pytest.mark.browser

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
