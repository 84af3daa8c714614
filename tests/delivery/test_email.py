"""The nightly email a parent opens: multipart, tonight's picture inline, the names
escaped in the HTML and as written in the text, and its one-click unsubscribe."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bedtime import services
from bedtime.delivery.email_message import Picture, Tonight, compose
from bedtime.handlers import notify
from bedtime.records.stories import Medium
from bedtime_local.outbox import Email
from helpers import SAMPLE_STORY_ID, emails, home_family, story_record

NOW = datetime(2026, 11, 25, 19, 15, tzinfo=UTC)
HOSTILE = 'Zoë & "Bob" <script>'


def tonight(**changes) -> Tonight:
    base = Tonight(
        family="nan",
        family_name=HOSTILE,
        title="Tom & Jerry <3",
        summary="Pip and Luna in <b>the woods</b>.",
        link="https://site/stories/abc?t=1.sig",
        late=False,
        picture=Picture(b"\x89PNG\r\n\x1a\nfake", "png", "An owl & a hedgehog"),
    )
    return replace(base, **changes)


def composed(**changes) -> Email:
    message = compose(
        tonight(**changes), "stories@bedtime.example", "nan@example.com", "https://site/u", NOW
    )
    return Email(message.as_bytes())


def test_the_email_is_text_and_html_alternatives_with_the_picture_inline() -> None:
    email = composed()
    message = email.message
    assert message.get_content_type() == "multipart/alternative"
    text_part, related = message.get_payload()  # type: ignore[misc]
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, picture = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert picture.get_content_type() == "image/png"
    assert picture.get_content() == b"\x89PNG\r\n\x1a\nfake"
    cid = picture["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in email.part("html")
    assert 'alt="An owl &amp; a hedgehog"' in email.part("html")


def test_the_subject_names_the_family_and_tonights_title() -> None:
    assert composed().subject == f"Tonight for {HOSTILE}: Tom & Jerry <3"


def test_names_are_escaped_in_the_html_and_as_written_in_the_text() -> None:
    email = composed()
    html, text = email.part("html"), email.body
    assert HOSTILE not in html and "<script>" not in html and "<b>the woods" not in html
    assert "Zoë &amp; &#34;Bob&#34; &lt;script&gt;" in html
    assert "Tom &amp; Jerry &lt;3" in html
    assert HOSTILE in text and "Tom & Jerry <3" in text and "&amp;" not in text


def test_one_clear_button_to_the_private_link_and_a_footer_that_says_why() -> None:
    email = composed()
    html = email.part("html")
    assert html.count('class="button"') == 1
    assert '<a class="button" href="https://site/stories/abc?t=1.sig">Read and listen</a>' in html
    assert email.link == "https://site/stories/abc?t=1.sig"
    assert "nan@example.com" in email.body and "https://site/u" in email.body
    assert 'name="color-scheme" content="light dark"' in html  # dark mode
    assert 'name="viewport"' in html and "prefers-color-scheme: dark" in html


def test_a_late_story_says_so_and_one_without_a_picture_has_no_image() -> None:
    email = composed(late=True, picture=None)
    assert email.late and "a little late" in email.part("html")
    assert "<img" not in email.part("html")
    assert email.message.get_payload()[1].get_content_type() == "text/html"  # type: ignore[index]


def test_the_painted_picture_travels_inside_the_email(aws, lambda_context) -> None:
    """NotifyFunction reads tonight's picture from the media bucket and attaches it:
    nothing in the email depends on a URL that expires."""
    home_family()
    key = f"stories/{SAMPLE_STORY_ID}/picture-offline.png"
    services.media_store().put(key, b"\x89PNG\r\n\x1a\npainted", "image/png")
    store = services.story_store()
    store.add(replace(story_record(SAMPLE_STORY_ID), deliver_at=None))
    store.finish_medium(SAMPLE_STORY_ID, "image", Medium("done", key=key, alt="Pip at night"))
    store.finish_medium(SAMPLE_STORY_ID, "audio", Medium("done", key="k-audio"))
    store.claim_ready(SAMPLE_STORY_ID, NOW)
    assert notify.send_if_due(SAMPLE_STORY_ID, NOW)["emailed"] is True
    [email] = emails()
    [picture] = [p for p in email.message.walk() if p.get_content_maintype() == "image"]
    assert picture.get_content() == b"\x89PNG\r\n\x1a\npainted"
    assert 'alt="Pip at night"' in email.part("html")
    assert "X-Amz-" not in email.raw.decode()  # no presigned URL to expire


def test_a_failure_before_any_address_got_its_copy_releases_the_night(aws) -> None:
    """The picture's read from S3 (or the family's secret) failing after the night was
    claimed: the claim is released, so Lambda's retry sends the email."""
    import pytest

    from bedtime.delivery.nightly_email import Household, deliver

    home_family()
    store = services.story_store()
    store.add(story_record(SAMPLE_STORY_ID))
    for medium in ("image", "audio"):
        store.finish_medium(SAMPLE_STORY_ID, medium, Medium("done", key=f"k-{medium}"))
    store.claim_ready(SAMPLE_STORY_ID, NOW)

    def unreadable(story):
        raise RuntimeError("S3 GetObject failed")

    household = Household(
        services.family_store().find, services.reader_secrets().ensure, unreadable
    )
    story = store.get(SAMPLE_STORY_ID)
    with pytest.raises(RuntimeError):
        deliver(story, "https://site/", True, store, services.postbox(), NOW, household)
    assert store.get(SAMPLE_STORY_ID).emailed_at is None and emails() == []
