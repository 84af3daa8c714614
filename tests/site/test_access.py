"""Private by default: an email link opens its own story; a session opens the family's;
nothing opens without one. Probed as an attacker would, with crafted function-URL events."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest

from bedtime import services
from bedtime.core.access import SESSION_COOKIE, Keys
from bedtime.families.readers import HOME
from bedtime.handlers import illustrate, narrate, notify, web
from bedtime.records.stories import Medium
from bedtime_local.function_url import function_url_event
from helpers import (
    SAMPLE_STORY_ID,
    delivered,
    emails,
    home_family,
    resolved_resources,
    sample_event,
    story_record,
)

OTHER_ID = "T3RoZXJTdG9yeUlkMTIzNDU"
ROUTES = [
    "/",
    f"/stories/{SAMPLE_STORY_ID}",
    f"/stories/{SAMPLE_STORY_ID}.json",
    "/feed.xml",
    f"/stories/{SAMPLE_STORY_ID}/narration.mp3",
]


def narrated(story_id: str) -> dict:
    return {
        "image": Medium("done", key=f"stories/{story_id}/picture.png", alt="a picture"),
        "audio": Medium(
            "done", key=f"stories/{story_id}/narration.mp3", size=9, duration_ms=61_000
        ),
    }


@pytest.fixture
def keys(aws) -> Keys:
    """Two live stories of the home family, and its signing keys."""
    for story_id in (SAMPLE_STORY_ID, OTHER_ID):
        services.story_store().add(story_record(story_id, **narrated(story_id)))
    return services.reader_secrets().ensure(HOME)


def call(path: str, context, method: str = "GET", cookie: str | None = None, headers=None) -> dict:
    sent = dict(headers or {})
    if cookie:
        sent["cookie"] = f"{SESSION_COOKIE}={cookie}"
    event = function_url_event(method, path, sent, b"", "example.test", "203.0.113.1")
    return web.handler(event, context)


def token(keys: Keys, story_id: str = SAMPLE_STORY_ID) -> str:
    return keys.story_token(story_id, services.story_store().get(story_id).expires_at)


def session(keys: Keys, hours: float = 24) -> str:
    now = int(time.time())
    return keys.session_cookie(now, now + int(hours * 3600))


def no_story_data(response: dict) -> bool:
    body = response.get("body", "")
    return "Whispering Woods" not in body and "Pip" not in body and SAMPLE_STORY_ID not in body


@pytest.mark.parametrize("path", ROUTES)
def test_without_a_token_or_session_every_page_is_401_with_no_story_data(
    keys, lambda_context, path
) -> None:
    response = call(path, lambda_context)
    assert response["statusCode"] == 401
    assert no_story_data(response)
    assert response["headers"]["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "path",
    [
        f"/stories/{SAMPLE_STORY_ID}",  # a live story
        f"/stories/{OTHER_ID}.json",
        "/stories/TmV2ZXJNYWRlU3RvcnkxMjM",  # a story that never was
        "/stories/TmV2ZXJNYWRlU3RvcnkxMjM.json",
        "/stories/TmV2ZXJNYWRlU3RvcnkxMjM/narration.mp3",
        "/stories/x",  # no story's id at all
        "/stories/%3Cb%3E",
        f"/stories/{SAMPLE_STORY_ID}/nothing",
        "/stories/",
    ],
)
def test_without_a_session_every_story_address_is_401_whether_or_not_it_is_a_story(
    keys, lambda_context, path
) -> None:
    """A private site tells a stranger nothing about which stories exist: the same 401
    for a story, one that never was, and an address that cannot be one."""
    response = call(path, lambda_context)
    assert response["statusCode"] == 401
    assert "This bedtime story is private" in response["body"]


def test_a_damaged_link_tells_the_parent_what_may_be_wrong_and_what_to_do(
    keys, lambda_context
) -> None:
    """A parent who did tap the email's link is told it may be cut short or old, and
    where a new one comes from, not only to use the link they used."""
    damaged = token(keys)[:-1]
    response = call(f"/stories/{SAMPLE_STORY_ID}?t={damaged}", lambda_context)
    assert response["statusCode"] == 401
    assert "cut short" in response["body"] and "tonight&#39;s email" in response["body"]


def test_the_email_link_trades_its_token_for_a_session_and_a_clean_address(
    keys, lambda_context
) -> None:
    response = call(f"/stories/{SAMPLE_STORY_ID}?t={token(keys)}", lambda_context)
    assert response["statusCode"] == 303
    assert response["headers"]["Location"] == f"/stories/{SAMPLE_STORY_ID}"
    assert response["headers"]["Cache-Control"] == "private, no-store"
    [cookie] = response["cookies"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age="):
        assert attribute in cookie
    value = cookie.split(";")[0].removeprefix(f"{SESSION_COOKIE}=")
    for path in ("/", f"/stories/{SAMPLE_STORY_ID}", f"/stories/{OTHER_ID}.json", "/feed.xml"):
        opened = call(path, lambda_context, cookie=value)
        assert opened["statusCode"] == 200, path
        assert opened["headers"]["Vary"].startswith("Cookie")


def test_a_token_for_one_story_does_not_open_another(keys, lambda_context) -> None:
    other = call(f"/stories/{OTHER_ID}?t={token(keys)}", lambda_context)
    assert other["statusCode"] == 401 and not other.get("cookies")
    json_other = call(f"/stories/{OTHER_ID}.json?t={token(keys)}", lambda_context)
    assert json_other["statusCode"] == 401


def test_expired_or_forged_tokens_and_sessions_are_refused(keys, lambda_context) -> None:
    past = int(time.time()) - 10
    expired = keys.story_token(SAMPLE_STORY_ID, past)
    forged = Keys(HOME, b"not-the-secret").story_token(SAMPLE_STORY_ID, past + 10**6)
    good = token(keys)
    tampered = good[:-5] + ("B" if good[-5] != "B" else "C") + good[-4:]
    for bad in (expired, forged, "", "12.abc", tampered):
        response = call(f"/stories/{SAMPLE_STORY_ID}?t={bad}", lambda_context)
        assert response["statusCode"] == 401, bad
        assert no_story_data(response)
    old = keys.session_cookie(past - 100, past)
    stranger = Keys(HOME, b"not-the-secret").session_cookie(past, past + 10**6)
    for cookie in (old, stranger, "home.1.2.x", "nonsense"):
        assert call("/", lambda_context, cookie=cookie)["statusCode"] == 401, cookie


def test_a_session_lasts_only_as_long_as_the_story_that_opened_it(keys, lambda_context):
    response = call(f"/stories/{SAMPLE_STORY_ID}?t={token(keys)}", lambda_context)
    max_age = int(response["cookies"][0].split("Max-Age=")[1].split(";")[0])
    expires = services.story_store().get(SAMPLE_STORY_ID).expires_at
    assert abs(max_age - (expires - time.time())) < 60


def test_a_rotated_secret_ends_every_link_and_session(keys, lambda_context, monkeypatch) -> None:
    link, cookie = token(keys), session(keys)
    services.reader_secrets().rotate(HOME)
    services.clear()
    assert call(f"/stories/{SAMPLE_STORY_ID}?t={link}", lambda_context)["statusCode"] == 401
    assert call("/", lambda_context, cookie=cookie)["statusCode"] == 401


def test_the_feed_plays_in_an_app_that_holds_no_cookie(keys, lambda_context) -> None:
    home = call("/", lambda_context, cookie=session(keys))["body"]
    feed_url = home.split('class="feed-address" type="text" readonly value="')[1].split('"')[0]
    feed_url = feed_url.replace("&amp;", "&")
    parts = urlsplit(feed_url)
    feed = call(f"{parts.path}?{parts.query}", lambda_context)
    assert feed["statusCode"] == 200
    channel = ET.fromstring(feed["body"]).find("channel")
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    for tag in ("image", "category", "explicit", "author"):
        assert channel.find(itunes + tag) is not None, tag
    items = channel.findall("item")
    assert len(items) == 2
    for item in items:
        assert item.find(itunes + "duration").text == "61"
        for url in (item.find("enclosure").get("url"), item.find("link").text):
            played = urlsplit(url)
            response = call(f"{played.path}?{played.query}", lambda_context)  # no cookie
            assert response["statusCode"] in (302, 303), url
        assert parse_qs(urlsplit(item.find("link").text).query)["t"]


def test_a_wrong_feed_token_gets_no_feed(keys, lambda_context) -> None:
    response = call(f"/feed.xml?feed={'A' * 43}", lambda_context)
    assert response["statusCode"] == 401 and "<rss" not in response["body"]


@pytest.mark.parametrize(
    "path",
    [
        f"/static/../stories/{SAMPLE_STORY_ID}",
        f"/static/%2E%2E/stories/{SAMPLE_STORY_ID}",
        f"//stories/{SAMPLE_STORY_ID}",
        f"/stories/{SAMPLE_STORY_ID}/",
        f"/STORIES/{SAMPLE_STORY_ID}",
        f"/stories/{SAMPLE_STORY_ID}.json/../..",
    ],
)
def test_no_address_reaches_a_story_past_the_check(keys, lambda_context, path) -> None:
    response = call(path, lambda_context)
    assert response["statusCode"] in (401, 404)
    assert no_story_data(response)


def test_static_files_need_nothing_and_may_be_cached(keys, lambda_context) -> None:
    response = call("/static/site.css", lambda_context)
    assert response["statusCode"] == 200
    assert response["headers"]["Cache-Control"].startswith("public")


@pytest.mark.parametrize("path", [*ROUTES, "/static/site.css", "/nowhere"])
def test_head_answers_like_get_without_a_body(keys, lambda_context, path) -> None:
    cookie = session(keys)
    got = call(path, lambda_context, cookie=cookie)
    head = call(path, lambda_context, method="HEAD", cookie=cookie)
    assert head["statusCode"] == got["statusCode"]
    assert head["body"] == ""
    assert head["headers"]["Content-Type"] == got["headers"]["Content-Type"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405_with_allow(keys, lambda_context, method) -> None:
    response = call(f"/stories/{SAMPLE_STORY_ID}", lambda_context, method=method)
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "GET, HEAD"


def test_every_response_but_static_is_private_no_store_with_hsts(keys, lambda_context) -> None:
    cookie = session(keys)
    for path in (*ROUTES, f"/stories/{SAMPLE_STORY_ID}?t={token(keys)}", "/nowhere"):
        response = call(path, lambda_context, cookie=cookie)
        assert response["headers"]["Cache-Control"] == "private, no-store", path
        assert response["headers"]["Strict-Transport-Security"].startswith("max-age=")


def test_an_expired_story_is_410_only_for_its_reader(keys, lambda_context) -> None:
    services.story_store().add(story_record("RXhwaXJlZFN0b3J5MTIzNDU", now=_days_ago(3)))
    path = "/stories/RXhwaXJlZFN0b3J5MTIzNDU"
    assert call(path, lambda_context)["statusCode"] == 401
    gone = call(path, lambda_context, cookie=session(keys))
    assert gone["statusCode"] == 410
    assert gone["headers"]["Cache-Control"] == "private, no-store"


def _days_ago(days: int):
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(days=days)


@pytest.mark.parametrize("proto", ["javascript", "data", "ftp", "http ", ""])
def test_only_http_or_https_reach_the_feeds_links(keys, lambda_context, proto) -> None:
    feed = call(
        "/feed.xml", lambda_context, cookie=session(keys), headers={"x-forwarded-proto": proto}
    )["body"]
    links = [e.text for e in ET.fromstring(feed).iter("link")]
    assert all(link.startswith(("https://", "http://")) for link in links)
    assert "javascript:" not in feed


def test_lone_surrogates_in_cookies_queries_and_headers_get_a_4xx(keys, lambda_context) -> None:
    event = function_url_event("GET", "/", {}, b"", "example.test", "203.0.113.1")
    event["cookies"] = [f"{SESSION_COOKIE}=\ud800abc"]
    event["rawQueryString"] = "t=\udfff"
    event["headers"]["x-forwarded-proto"] = "\ud800"
    response = web.handler(event, lambda_context)
    assert 400 <= response["statusCode"] < 500
    event["rawPath"] = f"/stories/{SAMPLE_STORY_ID}"
    event["queryStringParameters"] = {"t": "\ud800"}
    assert 400 <= web.handler(event, lambda_context)["statusCode"] < 500


def test_a_public_site_needs_nothing(aws, lambda_context, monkeypatch) -> None:
    monkeypatch.setenv("PRIVACY", "public")
    services.clear()
    services.story_store().add(story_record(SAMPLE_STORY_ID, **narrated(SAMPLE_STORY_ID)))
    for path in ROUTES:
        assert call(path, lambda_context)["statusCode"] in (200, 302), path


def test_the_secret_is_in_no_template_property_event_email_log_or_failure(
    aws, lambda_context, logged
) -> None:
    """The secret is made in the cloud on first use and stays in the Families table."""
    home_family()
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    event = sample_event("story-created.json")
    illustrate.handler(event, lambda_context)
    narrate.handler(event, lambda_context)
    [ready] = delivered(aws, "NotifyFunctionStoryReady")
    notify.handler(ready, lambda_context)
    [email] = emails()
    secret = services.reader_secrets().keys(HOME)._secret.decode()
    assert "?t=" in email.link and "?t=" not in ready["detail"]["url"]
    failures = services.client("sqs").receive_message(
        QueueUrl=aws.resolver.names["FailuresQueue"], MaxNumberOfMessages=10
    )
    for place in (
        json.dumps(resolved_resources()),
        json.dumps(ready),
        email.raw.decode(),
        json.dumps(logged()),
        json.dumps(failures.get("Messages", [])),
    ):
        assert secret not in place


# --- read exactly what was signed -----------------------------------------------------
def _respelled(number: int) -> list[str]:
    """The same number, as int() would read it but the signer never writes it."""
    text = str(number)
    full_width = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in text)
    arabic_indic = "".join(chr(ord(c) - ord("0") + 0x0660) for c in text)
    return ["0" + text, full_width, text[:-1] + "\u0661", arabic_indic]


def test_a_story_token_with_its_expiry_respelled_is_refused(keys, lambda_context) -> None:
    expires = services.story_store().get(SAMPLE_STORY_ID).expires_at
    signature = token(keys).split(".")[1]
    for spelled in _respelled(expires):
        response = call(f"/stories/{SAMPLE_STORY_ID}?t={spelled}.{signature}", lambda_context)
        assert response["statusCode"] == 401, spelled
        assert keys.story_token_expiry(SAMPLE_STORY_ID, f"{spelled}.{signature}", 0) is None


def test_a_session_cookie_with_its_times_respelled_is_refused(keys, lambda_context) -> None:
    family, issued, expires, signature = session(keys).split(".")
    for spelled_issued in _respelled(int(issued)):
        cookie = f"{family}.{spelled_issued}.{expires}.{signature}"
        assert call("/", lambda_context, cookie=cookie)["statusCode"] == 401, cookie
    for spelled_expires in _respelled(int(expires)):
        cookie = f"{family}.{issued}.{spelled_expires}.{signature}"
        assert call("/", lambda_context, cookie=cookie)["statusCode"] == 401, cookie


@pytest.mark.parametrize("family", ["", "x" * 3000, "Ω", "../home", "home%0A"])
def test_a_feed_address_naming_no_family_is_refused_not_a_5xx(keys, lambda_context, family):
    response = call(f"/feed.xml?feed={keys.feed_token()}&family={family}", lambda_context)
    assert response["statusCode"] == 401


# --- the Secure flag and the site's scheme are the site's own ----------------------------
@pytest.mark.parametrize("proto", ["http", "HTTP", "https,http", ""])
def test_in_the_cloud_the_session_cookie_is_secure_whatever_a_client_says(
    keys, lambda_context, proto
) -> None:
    response = call(
        f"/stories/{SAMPLE_STORY_ID}?t={token(keys)}",
        lambda_context,
        headers={"x-forwarded-proto": proto},
    )
    [cookie] = response["cookies"]
    assert "; Secure" in cookie


def test_the_local_run_decides_its_scheme_itself_not_from_a_client(
    keys, lambda_context, monkeypatch
) -> None:
    """Given the local run's own configuration (plain HTTP), a client that says https
    neither flips its links to https nor gets a Secure cookie its browser would not
    send back over http."""
    from bedtime_local.runner import local_environment

    monkeypatch.setenv("SITE_SCHEME", local_environment({}, "e")["SITE_SCHEME"])
    services.clear()
    claimed = {"x-forwarded-proto": "https"}
    response = call(f"/stories/{SAMPLE_STORY_ID}?t={token(keys)}", lambda_context, headers=claimed)
    assert "Secure" not in response["cookies"][0]
    feed = call("/feed.xml", lambda_context, cookie=session(keys), headers=claimed)["body"]
    links = [e.text for e in ET.fromstring(feed).iter("link")]
    assert links and all(link.startswith("http://example.test") for link in links)


def test_the_local_server_passes_its_own_forwarded_proto_never_a_clients() -> None:
    import urllib.request

    from bedtime_local.function_url import FunctionUrlServer

    seen: list[dict] = []

    def invoke(event: dict) -> dict:
        seen.append(event["headers"])
        return {"statusCode": 204, "body": ""}

    server = FunctionUrlServer(invoke, 0)
    server.start()
    try:
        request = urllib.request.Request(server.url, headers={"X-Forwarded-Proto": "https"})
        urllib.request.urlopen(request, timeout=10).read()
    finally:
        server.stop()
    assert seen[0]["x-forwarded-proto"] == "http"


# --- another family's story is not found, whatever its state -----------------------------
def test_another_familys_story_is_404_whether_live_expired_or_never_made(
    keys, lambda_context
) -> None:
    from dataclasses import replace

    services.reader_secrets().ensure("leo")
    live = replace(story_record("TGVvc0xpdmVTdG9yeTEyMzQ"), family="leo")
    expired = replace(story_record("TGVvc0dvbmVTdG9yeTEyMzQ", now=_days_ago(3)), family="leo")
    for story in (live, expired):
        services.story_store().add(story)
    home_reader = session(keys)
    for story_id in (live.id, expired.id, "TmV2ZXJNYWRlU3RvcnkxMjM"):
        for path in (f"/stories/{story_id}", f"/stories/{story_id}.json"):
            response = call(path, lambda_context, cookie=home_reader)
            assert response["statusCode"] == 404, path
