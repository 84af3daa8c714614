"""The optional reader key: the email link's ?key= once, then a cookie; no key, no story."""

from __future__ import annotations

import pytest

from bedtime import services
from bedtime.access import COOKIE, cookie_value, decide
from bedtime.handlers import web
from bedtime.local.function_url import function_url_event
from bedtime.local.template import template_resolver
from helpers import story_record

STORY_ID = "Qm9vdHN0cmFwU3RvcnkxMjM"
KEY = "moonbeam-42"


@pytest.fixture
def keyed(aws, monkeypatch):
    monkeypatch.setenv("READER_KEY", KEY)
    services.clear()
    services.story_store().add(story_record(STORY_ID))


def get(path: str, context, cookies: list[str] | None = None) -> dict:
    headers = {"cookie": "; ".join(cookies)} if cookies else {}
    return web.handler(
        function_url_event("GET", path, headers, b"", "example.test", "203.0.113.1"), context
    )


def test_without_a_reader_key_everything_is_open() -> None:
    assert decide(None, None, []).allowed


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/stories/{STORY_ID}",
        f"/stories/{STORY_ID}.json",
        "/feed.xml",
        f"/stories/{STORY_ID}/narration.mp3",
    ],
)
def test_no_key_gets_401_and_no_story_data(keyed, lambda_context, path) -> None:
    response = get(path, lambda_context)
    assert response["statusCode"] == 401
    assert "Whispering Woods" not in response["body"] and "Pip" not in response["body"]


def test_wrong_key_gets_401(keyed, lambda_context) -> None:
    response = get(f"/stories/{STORY_ID}?key=guess", lambda_context)
    assert response["statusCode"] == 401
    assert not response.get("cookies")


def test_key_from_the_email_link_sets_a_safe_cookie_that_works_later(keyed, lambda_context):
    response = get(f"/stories/{STORY_ID}?key={KEY}", lambda_context)
    assert response["statusCode"] == 200
    [cookie] = response["cookies"]
    assert cookie.startswith(f"{COOKIE}={cookie_value(KEY)}")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert KEY not in cookie
    later = get("/", lambda_context, cookies=[f"{COOKIE}={cookie_value(KEY)}"])
    assert later["statusCode"] == 200
    forged = get("/", lambda_context, cookies=[f"{COOKIE}={cookie_value('other')}"])
    assert forged["statusCode"] == 401


def test_static_files_need_no_key(keyed, lambda_context) -> None:
    assert get("/static/site.css", lambda_context)["statusCode"] == 200


def test_email_link_carries_the_key_only_when_one_is_set(template) -> None:
    def email_template(overrides: dict) -> str:
        resolver = template_resolver(template, overrides)
        resolver.names.update(StoryTopic="topic", StoryBus="bus")
        target = template["Resources"]["StoryReadyRule"]["Properties"]["Targets"][0]
        return resolver.resolve(target["InputTransformer"])["InputTemplate"]

    assert "<url>?key=moon" in email_template({"ReaderKey": "moon"})
    assert "?key=" not in email_template({})
