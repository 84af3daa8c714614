"""The reading site: every route, its states, its errors and its headers."""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import html5lib
import pytest

from bedtime import services
from bedtime.handlers import web
from bedtime.records.stories import Medium
from bedtime.site.pages import hashed_name
from bedtime_local.function_url import function_url_event
from helpers import ROOT, reader_cookie, sample_event, story_record

STORY_ID = "Qm9vdHN0cmFwU3RvcnkxMjM"
HOSTILE = '<script>alert("x")</script>'


def get(path: str, context, method: str = "GET", headers: dict | None = None) -> dict:
    """The page as a signed-in reader of the family gets it."""
    sent = reader_cookie() | (headers or {})
    event = function_url_event(method, path, sent, b"", "example.test", "203.0.113.9")
    return web.handler(event, context)


def add(**kwargs) -> None:
    services.story_store().add(story_record(**kwargs))


def done_media(story_id: str = STORY_ID) -> dict:
    return {
        "image": Medium("done", key=f"stories/{story_id}/picture.png", alt="Pip and Luna at night"),
        "audio": Medium(
            "done",
            key=f"stories/{story_id}/narration.mp3",
            size=1234,
            line_times=(0, 1500, 3000, 4500, 6000),
        ),
    }


def assert_valid_html(body: str) -> None:
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(body)


def test_story_page_shows_title_picture_player_and_text(aws, lambda_context) -> None:
    add(**done_media())
    response = get(f"/stories/{STORY_ID}", lambda_context)
    body = response["body"]
    assert response["statusCode"] == 200
    assert "<h1>" in body and "Pip and Luna in the Whispering Woods" in body
    assert 'alt="Pip and Luna at night"' in body and 'width="1024" height="1024"' in body
    assert '<audio id="narration" controls' in body
    assert "X-Amz-Signature=" in body or "Signature=" in body  # presigned at render time
    assert body.count('class="line"') == 5 and 'data-start="4500"' in body
    assert re.search(r'<script src="/static/read-along\.[0-9a-f]{12}\.js" defer>', body)
    assert_valid_html(body)


def test_pending_and_failed_media_leave_a_quiet_note_never_a_broken_image(aws, lambda_context):
    add(image=Medium("failed"), audio=Medium("pending"))
    body = get(f"/stories/{STORY_ID}", lambda_context)["body"]
    assert "<img" not in body and "<audio" not in body
    assert "No picture tonight" in body and "still being recorded" in body
    assert "peeked out at the sky" in body
    assert_valid_html(body)


def test_unknown_and_malformed_ids_are_404_pages(aws, lambda_context) -> None:
    for path in (
        "/stories/Tm9TdWNoU3RvcnlIZXJlMDA",
        "/stories/x",
        "/stories/%3Cb%3E",
        "/stories/Tm9TdWNoU3RvcnlIZXJlMDA.json",
        "/nowhere",
        "/static/nothing.css",
    ):
        response = get(path, lambda_context)
        assert response["statusCode"] == 404, path
        assert "text/html" in response["headers"]["Content-Type"], path
        assert_valid_html(response["body"])


def test_expired_story_is_410_even_before_ttl_deletes_it(aws, lambda_context) -> None:
    add(now=datetime.now(UTC) - timedelta(days=2, minutes=1))
    response = get(f"/stories/{STORY_ID}", lambda_context)
    assert response["statusCode"] == 410
    assert "drifted away" in response["body"]
    assert "Whispering Woods" not in response["body"]
    assert get(f"/stories/{STORY_ID}.json", lambda_context)["statusCode"] == 410


def test_story_json(aws, lambda_context) -> None:
    add(**done_media())
    response = get(f"/stories/{STORY_ID}.json", lambda_context)
    data = json.loads(response["body"])
    assert response["headers"]["Content-Type"] == "application/json"
    assert data["id"] == STORY_ID and data["characters"] == ["Pip", "Luna"]
    assert data["image"]["status"] == "done" and data["image"]["url"].startswith("https://")
    assert data["audio"]["lineTimes"] == [0, 1500, 3000, 4500, 6000]


def test_home_shows_tonight_and_the_recent_ones(aws, lambda_context) -> None:
    add(**done_media())
    add(
        story_id="T2xkZXJTdG9yeUZyb21CZWZvcmU",
        title="Yesterday Tale",
        now=datetime.now(UTC) - timedelta(days=1),
    )
    body = get("/", lambda_context)["body"]
    assert "Tonight:" in body and "Yesterday Tale" in body
    assert_valid_html(body)


def test_home_without_a_story_tonight_says_it_is_on_its_way(aws, lambda_context) -> None:
    response = get("/", lambda_context)
    assert response["statusCode"] == 200
    assert "on its way" in response["body"]
    assert response["headers"]["Cache-Control"] == "private, no-store"


def test_hostile_catalog_text_is_escaped_everywhere(aws, lambda_context) -> None:
    add(
        title=f"Tale of {HOSTILE}",
        characters=(HOSTILE, "Luna"),
        scene=f"{HOSTILE} land",
        **done_media(),
    )
    for path in ("/", f"/stories/{STORY_ID}", "/feed.xml"):
        body = get(path, lambda_context)["body"]
        assert HOSTILE not in body, path
        assert "&lt;script&gt;" in body, path
    data = json.loads(get(f"/stories/{STORY_ID}.json", lambda_context)["body"])
    assert data["characters"][0] == HOSTILE  # JSON carries the text, escaped by the encoder


def test_security_headers(aws, lambda_context) -> None:
    add(**done_media())
    for path in ("/", f"/stories/{STORY_ID}", "/nowhere"):
        headers = get(path, lambda_context)["headers"]
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "media-src https://" in csp  # only the bucket's origin
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert get(f"/stories/{STORY_ID}", lambda_context)["headers"]["Cache-Control"].startswith(
        "private"
    )


def test_static_assets_are_served_with_long_caching(aws, lambda_context) -> None:
    for name, kind in (("site.css", "text/css"), ("read-along.js", "text/javascript")):
        response = get(f"/static/{name}", lambda_context)
        assert response["statusCode"] == 200
        assert response["headers"]["Content-Type"] == kind
        assert "max-age=3600" in response["headers"]["Cache-Control"]


def test_static_files_have_content_hashed_names_cached_for_good(aws, lambda_context) -> None:
    """RFC 8246, "HTTP Immutable Responses": a fresh immutable response is not revalidated,
    so a second night's page fetches only its HTML; new content gets a new name."""
    add(**done_media())
    body = get(f"/stories/{STORY_ID}", lambda_context)["body"]
    names = re.findall(r'"/static/([^"]+)"', body)
    assert {name.split(".")[0] for name in names} == {"site", "moon", "read-along"}
    for name in names:
        response = get(f"/static/{name}", lambda_context)
        plain = get(f"/static/{name.split('.')[0]}.{name.rsplit('.', 1)[1]}", lambda_context)
        assert response["statusCode"] == 200 and response["body"] == plain["body"]
        assert response["headers"]["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "immutable" not in plain["headers"]["Cache-Control"]
    assert hashed_name("site.css", b"a") != hashed_name("site.css", b"b")
    assert get("/static/site.000000000000.css", lambda_context)["statusCode"] == 404


def test_feed_is_rss_2_with_an_enclosure_per_narrated_story(aws, lambda_context) -> None:
    add(**done_media())
    add(story_id="Tm90TmFycmF0ZWRZZXRTdG9yeQ", audio=Medium("failed"))
    response = get("/feed.xml", lambda_context)
    root = ET.fromstring(response["body"])
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert (
        channel.findtext("title") and channel.findtext("link") and channel.findtext("description")
    )
    [item] = channel.findall("item")
    enclosure = item.find("enclosure")
    assert enclosure.get("url").startswith(
        f"https://example.test/stories/{STORY_ID}/narration.mp3?t="
    )
    assert (enclosure.get("type"), enclosure.get("length")) == ("audio/mpeg", "1234")


def test_narration_link_redirects_to_a_fresh_presigned_url(aws, lambda_context) -> None:
    add(**done_media())
    response = get(f"/stories/{STORY_ID}/narration.mp3", lambda_context)
    assert response["statusCode"] == 302
    assert "narration.mp3" in response["headers"]["Location"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_get_a_4xx_page(aws, lambda_context, method) -> None:
    response = get("/", lambda_context, method=method)
    assert 400 <= response["statusCode"] < 500


def test_sample_web_event_still_matches_the_adapter_shape() -> None:
    sample = sample_event("web-home.json")
    built = function_url_event("GET", "/", {"host": "h"}, b"", "h", "203.0.113.9")
    assert set(sample) == set(built) - {"cookies", "queryStringParameters", "body"}
    assert set(sample["requestContext"]["http"]) == set(built["requestContext"]["http"])


def test_the_web_function_stays_light() -> None:
    code = (
        "import sys, bedtime.handlers.web; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'openai', 'pydantic', 'PIL'}))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "[]"


def test_the_page_is_gzipped_for_clients_that_accept_it(aws, lambda_context) -> None:
    add(**done_media())
    plain = get(f"/stories/{STORY_ID}", lambda_context)
    zipped = get(f"/stories/{STORY_ID}", lambda_context, headers={"accept-encoding": "gzip, br"})
    assert "Content-Encoding" not in plain["headers"]
    assert zipped["headers"]["Content-Encoding"] == "gzip" and zipped["isBase64Encoded"]
    html = gzip.decompress(base64.b64decode(zipped["body"])).decode()
    assert html.split("X-Amz-")[0] == plain["body"].split("X-Amz-")[0]
    assert len(base64.b64decode(zipped["body"])) < len(plain["body"]) / 2
    assert "Accept-Encoding" in zipped["headers"]["Vary"]


@pytest.mark.parametrize(
    ("accepted", "zipped"),
    [
        ("gzip;q=0", False),
        ("gzip; q=0.0, br", False),
        ("*;q=0", False),
        ("br, gzip;q=0, *", False),
        ("identity", False),
        ("gzip;q=0.5", True),
        ("*", True),
        ("GZIP", True),
    ],
)
def test_gzip_follows_the_accept_encoding_weights(aws, lambda_context, accepted, zipped):
    """RFC 9110, section 12.5.3: a coding with q=0 is "not acceptable"."""
    add(**done_media())
    response = get(f"/stories/{STORY_ID}", lambda_context, headers={"accept-encoding": accepted})
    assert (response["headers"].get("Content-Encoding") == "gzip") is zipped


def test_small_answers_are_not_worth_compressing(aws, lambda_context) -> None:
    response = get("/static/moon.svg", lambda_context, headers={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in response["headers"]


class _Media:
    def url(self, key: str) -> str:
        return f"https://media.example/{key}?X-Amz-Signature=0"


def _page_site():
    from zoneinfo import ZoneInfo

    from bedtime.site.pages import Site

    return Site(None, _Media(), lambda: None, ZoneInfo("UTC"))  # type: ignore[arg-type]


def _story_of(lines: int):
    from dataclasses import replace

    stanzas = ("\n".join(f"Line {n} of four." for n in range(4)),) * (lines // 4)
    story = story_record(STORY_ID, **done_media())
    timed = replace(story.audio, line_times=tuple(range(0, (lines + 1) * 1000, 1000)))
    return replace(story, paragraphs=stanzas, audio=timed)


def test_a_storys_length_costs_the_template_nothing(monkeypatch) -> None:
    """A warm page's CPU is mostly rendering, and a story's hundred lines and thirty
    stanzas were most of that: the template gets the text as one piece of markup, so a
    long story costs it no more lookups, and no more output steps, than a short one."""
    from jinja2 import Environment

    site = _page_site()
    lookups = []
    look_up = Environment.getattr
    monkeypatch.setattr(
        Environment,
        "getattr",
        lambda env, obj, name: lookups.append(name) or look_up(env, obj, name),
    )
    template = site._env.get_template("story.html")
    costs = []
    for lines in (4, 100):
        lookups.clear()
        body = site.story_page(_story_of(lines))
        assert body.count('class="line"') == body.count("data-start=") == lines + 1
        assert body.count("<br>") == lines - lines // 4
        assert body.count('<p class="stanza">') == lines // 4
        steps = sum(1 for _ in template.generate(view=site._view(_story_of(lines))))
        costs.append((len(lookups), steps))
    assert costs[0] == costs[1]


def test_the_story_page_numbers_and_escapes_lines_as_they_are_spoken() -> None:
    """The read-along highlights line N at mark N: the page's lines are spoken_lines'
    in order (blank lines dropped, stripped), the texts escaped once."""
    from dataclasses import replace

    from bedtime.records.speech import spoken_lines

    paragraphs = ("  Tom & <Jerry> sail.\n\nA 'quiet' sea.  ", "\n", "Stars > clouds.\nSleep.")
    story = replace(_story_of(0), paragraphs=paragraphs)
    body = _page_site().story_page(story)
    shown = re.findall(r'<span class="line" data-line="(\d+)"[^>]*>([^<]*)</span>', body)
    spoken = [html.escape(line.text, quote=False) for line in spoken_lines(story.title, paragraphs)]
    assert shown == [(str(n), text) for n, text in enumerate(spoken)]
    assert "Tom &amp; &lt;Jerry&gt; sail." in body and "A 'quiet' sea." in body
    assert body.count('<p class="stanza">') == 2


def test_a_warm_page_reads_no_template_file_again(monkeypatch) -> None:
    """Templates are loaded once per container (auto_reload off): a warm page neither
    reads nor checks a template file."""
    from jinja2 import FileSystemLoader

    site = _page_site()
    site.story_page(_story_of(8))
    checked = []
    monkeypatch.setattr(os.path, "getmtime", lambda path: checked.append(path) or 0.0)
    get_source = FileSystemLoader.get_source
    monkeypatch.setattr(
        FileSystemLoader, "get_source", lambda *a: checked.append(a[-1]) or get_source(*a)
    )
    site.story_page(_story_of(8))
    assert checked == []
