"""`make run`, end to end: the real process, the real flow, the link that it prints."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bedtime.records.story_store import StoryStore
from bedtime_local.endpoint import local_client
from bedtime_local.outbox import Email
from bedtime_local.runner import LocalRun
from helpers import ROOT

# One `make run` for the whole file (make_run): make test's two processes keep it together.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("make-run")]

HOSTILE = '<script>alert("Pip")</script>'
CATALOG = {
    "characters": [
        {"name": HOSTILE, "description": "a hedgehog <b>bold</b>"},
        {"name": "Luna & Co", "description": "an owl"},
    ],
    "scenes": [{"name": "<img src=x onerror=alert(1)> Bay", "description": "a beach"}],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, Any, bytes]:
    """As a browser: following the email link's redirect, keeping the session cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(url, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture(scope="module")
def make_run(tmp_path_factory) -> Iterator[dict]:
    """`python -m bedtime_local` as `make run` starts it, with a hostile catalog."""
    workdir = tmp_path_factory.mktemp("run")
    catalog = workdir / "catalog.json"
    catalog.write_text(json.dumps(CATALOG))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
    for name in ("OPENAI_API_KEY", "STORY_PROVIDER", "IMAGE_PROVIDER", "SPEECH_PROVIDER"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtime_local", "--catalog", str(catalog), "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Story ready: "):
            break
    yield {"process": process, "lines": lines, "workdir": workdir, "port": port}
    if process.poll() is None:
        process.kill()
        process.wait()


def story_url(make_run: dict) -> str:
    ready = [line for line in make_run["lines"] if line.startswith("Story ready: ")]
    assert ready, "".join(make_run["lines"])
    return ready[0].removeprefix("Story ready: ").strip()


def test_prints_the_link_to_tonights_story(make_run) -> None:
    url = story_url(make_run)
    assert re.fullmatch(
        rf"http://127\.0\.0\.1:{make_run['port']}/stories/[A-Za-z0-9_-]{{22}}\?t=[0-9]+\.[\w-]{{43}}",
        url,
    )
    output = "".join(make_run["lines"])
    for stage in ("CreateStoryFunction", "StoryPipe", "IllustrateFunction", "NarrateFunction"):
        assert stage in output


def test_page_shows_title_text_picture_and_player_with_real_media(make_run) -> None:
    status, _, body = fetch(story_url(make_run))
    page = body.decode()
    assert status == 200 and "<h1>" in page and 'class="stanza"' in page
    image_url = re.search(r'<img src="([^"]+)"', page).group(1).replace("&amp;", "&")
    audio_url = (
        re.search(r'<audio id="narration" controls preload="metadata" src="([^"]+)"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    _, image_headers, png = fetch(image_url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and image_headers["Content-Type"] == "image/png"
    _, audio_headers, mp3 = fetch(audio_url)
    assert audio_headers["Content-Type"] == "audio/mpeg" and len(mp3) > 50_000
    assert len(zlib.compress(mp3)) / len(mp3) > 0.5  # an MP3 of silence compresses to ~1 %


def test_hostile_catalog_is_escaped_on_the_page_and_in_the_email(make_run) -> None:
    _, _, body = fetch(story_url(make_run))
    page = body.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page
    [filed] = (make_run["workdir"] / ".local" / "outbox" / "home").glob("*.eml")
    email = Email(filed.read_bytes())
    text, html = email.body, email.part("html")
    assert story_url(make_run) in text and email.unsubscribe.startswith("http://127.0.0.1:")
    # plain text, shown as written: an email client does not render text/plain as HTML
    assert "&lt;" not in text and "&amp;" not in text
    # the HTML part escapes every name, and shows tonight's picture inline
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;" in html and 'src="cid:' in html
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def tools(make_run: dict, *arguments: str, port: int | None = None):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bedtime_tools",
            *arguments,
            "--port",
            str(port or make_run["port"]),
        ],
        cwd=make_run["workdir"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_story_asks_the_run_on_its_port_and_prints_the_new_storys_link(make_run) -> None:
    result = tools(make_run, "story")
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip().splitlines()[-1].removeprefix("Story ready: ")
    assert link.startswith(f"http://127.0.0.1:{make_run['port']}/stories/")
    assert link != story_url(make_run)
    assert "picture done" in result.stdout and "narration done" in result.stdout
    status, _, _ = fetch(link)
    assert status == 200


def test_make_story_on_another_port_does_not_reach_this_run(make_run) -> None:
    result = tools(make_run, "story", "--timeout", "5", port=make_run["port"] + 1)
    assert result.returncode == 1
    assert f"No `make run` is up on port {make_run['port'] + 1}" in result.stderr


def test_make_smoke_passes_against_the_local_run(make_run) -> None:
    result = tools(make_run, "smoke", "--timeout", "60")
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout
    for check in (
        "story made, picture and narration done",
        "story page and its security headers",
        "img media URL",
        "audio media URL",
        "failures queue empty",
    ):
        assert f"ok      {check}" in table, table


def test_sigterm_stops_cleanly_and_promptly_after_a_busy_evening(make_run) -> None:
    process = make_run["process"]
    for _ in range(2):  # more stories, pages and a browser's keep-alive connection
        tools(make_run, "story")
    keep_alive = http.client.HTTPConnection("127.0.0.1", make_run["port"], timeout=5)
    keep_alive.request("GET", "/")
    keep_alive.getresponse().read()
    process.send_signal(signal.SIGTERM)
    try:
        rest, _ = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        rest, _ = process.communicate()
        pytest.fail("still running 5 s after SIGTERM:\n" + rest[-2000:])
    keep_alive.close()
    assert process.returncode == 0, rest[-2000:]
    assert "Stopping..." in rest
    assert not list((make_run["workdir"] / ".local").glob("run-*.json"))


def test_a_changed_pipe_filter_in_the_template_changes_what_is_forwarded(tmp_path) -> None:
    text = (ROOT / "template.yaml").read_text()
    copy = tmp_path / "template.yaml"
    copy.write_text(text.replace('{"eventName": ["INSERT"]}', '{"eventName": ["MODIFY"]}'))
    run = LocalRun(port=0, template_path=copy, state_dir=tmp_path / ".local", say=lambda _: None)
    run.start()
    try:
        story = run.request_story()
        time.sleep(1.5)
        assert "StoryPipe" not in [s.name for s in run.timeline.stages]
        dynamodb = local_client("dynamodb", run.endpoint)
        dynamodb.update_item(
            TableName="StoriesTable",
            Key={"id": {"S": story["storyId"]}},
            UpdateExpression="SET title = :t",
            ExpressionAttributeValues={":t": {"S": "New"}},
        )
        forwarded = run.timeline.wait_for(
            lambda stages: "StoryPipe" in [s.name for s in stages], timeout=10
        )
        assert forwarded, "the MODIFY was not forwarded"
    finally:
        run.stop()


def test_the_template_pipe_forwards_inserts_only(tmp_path) -> None:
    run = LocalRun(port=0, state_dir=Path(tempfile.mkdtemp()), say=lambda _: None)
    run.start()
    try:
        story_id = run.request_story()["storyId"]

        def stages_of(name: str, stages: list) -> list:
            return [s for s in stages if s.name == name and s.story_id == story_id]

        # Its own story's stages: in the evening the tick writes the family's night too
        assert run.timeline.wait_for(lambda stages: stages_of("NotifyFunction", stages), 30)
        time.sleep(1)  # the media updates are MODIFYs: none may be forwarded
        assert len(stages_of("StoryPipe", run.timeline.stages)) == 1
        stories = StoryStore(local_client("dynamodb", run.endpoint), "StoriesTable")
        story = stories.get(story_id)
        assert story.image.status == story.audio.status == "done"
    finally:
        run.stop()


def test_local_environment_picks_providers_that_work_here() -> None:
    from bedtime_local.runner import local_environment

    bare = local_environment({}, "http://127.0.0.1:1")
    assert (bare["STORY_PROVIDER"], bare["IMAGE_PROVIDER"], bare["SPEECH_PROVIDER"]) == (
        "offline",
        "offline",
        "offline",
    )
    assert bare["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:1"
    keyed = local_environment({"OPENAI_API_KEY": "sk", "SPEECH_PROVIDER": "polly"}, "e")
    assert (keyed["STORY_PROVIDER"], keyed["SPEECH_PROVIDER"]) == ("openai", "offline")
    polly = local_environment(
        {"SPEECH_PROVIDER": "polly", "AWS_PROFILE": "me", "STORY_MODEL": "gpt-x"}, "e"
    )
    assert polly["SPEECH_PROVIDER"] == "polly" and "AWS_ACCESS_KEY_ID" not in polly
    assert polly["STORY_MODEL"] == "gpt-x"


def test_bench_times_the_flow_and_the_site_serves_2000_pages_to_50_clients(tmp_path) -> None:
    from bedtime_bench.bench import load, local_flow

    run = LocalRun(port=0, state_dir=tmp_path / ".local", say=lambda _: None)
    run.start()
    try:
        flow, story_id = local_flow(run)
        stages = {row.measure for row in flow}
        assert {"CreateStoryFunction", "IllustrateFunction", "NarrateFunction"} <= stages
        rows = {row.measure: row for row in load(run, story_id, clients=50, requests=2000)}
        assert rows["errors"].met, rows["errors"].value
        assert rows["errors"].value == "0"
    finally:
        run.stop()
