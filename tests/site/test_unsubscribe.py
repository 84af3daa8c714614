"""One address stops its own family's email, by the link in the email, and can undo it;
nobody else can, and the family sees who gets none."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bedtime import services
from bedtime.handlers import web
from bedtime_local.function_url import function_url_event
from helpers import home_family, night, reader_cookie

FORM = {"content-type": "application/x-www-form-urlencoded"}


def ask(method: str, url: str, context, body: bytes = b"", headers: dict | None = None) -> dict:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    event = function_url_event(method, target, headers or {}, body, "example.test", "192.0.2.1")
    return web.handler(event, context)


def test_following_the_link_stops_that_address_and_only_that_one(aws, lambda_context) -> None:
    home_family("nan@example.com", "grandpa@example.com")
    by_address = {email.to: email for email in night(0)}
    link = by_address["nan@example.com"].unsubscribe
    assert link.startswith("https://example.lambda-url.on.aws/unsubscribe?")
    # Opening the link changes nothing: a page says what the button will do
    page = ask("GET", link, lambda_context)
    assert page["statusCode"] == 200 and "Stop these emails" in page["body"]
    assert services.family_store().get("home").unsubscribed == frozenset()
    # A mail app's one-click POST (RFC 8058): no cookie, no page
    done = ask("POST", link, lambda_context, b"List-Unsubscribe=One-Click", FORM)
    assert done["statusCode"] == 200 and "No more emails to nan@example.com" in done["body"]
    assert services.family_store().get("home").unsubscribed == {"nan@example.com"}
    # The next night's email skips exactly that address
    assert [email.to for email in night(1)] == ["grandpa@example.com"]


def test_the_page_undoes_it_and_the_address_gets_the_next_email(aws, lambda_context) -> None:
    home_family("nan@example.com", "grandpa@example.com")
    link = next(e.unsubscribe for e in night(0) if e.to == "nan@example.com")
    stopped = ask("POST", link, lambda_context, b"action=unsubscribe", FORM)
    assert 'value="resubscribe"' in stopped["body"]
    undone = ask("POST", link, lambda_context, b"action=resubscribe", FORM)
    assert undone["statusCode"] == 200 and "Stop these emails" in undone["body"]
    assert services.family_store().get("home").unsubscribed == frozenset()
    assert sorted(email.to for email in night(1)) == ["grandpa@example.com", "nan@example.com"]


def test_a_link_for_another_address_or_family_or_forged_is_refused(aws, lambda_context) -> None:
    home_family("nan@example.com", "grandpa@example.com")
    link = next(e.unsubscribe for e in night(0) if e.to == "nan@example.com")
    for forged in (
        link.replace("nan%40example.com", "grandpa%40example.com"),
        link.replace("family=home", "family=leo"),
        re.sub(r"u=[^&]+", "u=" + "A" * 43, link),
        link.split("&u=")[0],
    ):
        answer = ask("POST", forged, lambda_context, b"List-Unsubscribe=One-Click", FORM)
        assert answer["statusCode"] == 404, forged
    assert services.family_store().get("home").unsubscribed == frozenset()


def test_the_familys_home_page_shows_who_is_unsubscribed(aws, lambda_context) -> None:
    home_family("nan@example.com", "grandpa@example.com")
    link = next(e.unsubscribe for e in night(0) if e.to == "nan@example.com")
    ask("POST", link, lambda_context, b"List-Unsubscribe=One-Click", FORM)
    home = ask("GET", "/", lambda_context, headers=reader_cookie())["body"]
    assert "Who gets no email" in home and "nan@example.com: unsubscribed" in home
    assert "grandpa@example.com" not in home
    undo = re.search(r'nan@example.com: unsubscribed \(<a href="([^"]+)"', home)
    assert undo and urlsplit(undo.group(1).replace("&amp;", "&")).query == urlsplit(link).query


def test_the_unsubscribe_link_is_signed_with_the_familys_secret_on_a_public_site_too(
    aws, lambda_context, monkeypatch
) -> None:
    monkeypatch.setenv("PRIVACY", "public")
    services.clear()
    home_family("nan@example.com")
    [email] = night(0)
    assert "?t=" not in email.link and "&u=" in email.unsubscribe
    done = ask("POST", email.unsubscribe, lambda_context, b"List-Unsubscribe=One-Click", FORM)
    assert done["statusCode"] == 200
    assert services.family_store().get("home").unsubscribed == {"nan@example.com"}
