"""A reader's own recording of a story: the recording link, the page, the upload form
(a presigned POST), the check of what arrived, and the story playing it; every guard."""

from __future__ import annotations

import base64
import html
import json
import re
import time
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests
from botocore.auth import S3SigV4PostAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from bedtime import services
from bedtime.families.family_file import parse_families
from bedtime.handlers import web
from bedtime.handlers.notify import send_if_due
from bedtime.media import recordings
from bedtime.media.recordings import container_of
from bedtime.media.storage import recording_prefix
from bedtime.records.families import Family
from bedtime.records.stories import HOME, Medium
from bedtime.site import light_aws
from bedtime.site.sigv4 import Credentials, Scope, post_policy_fields
from bedtime_local.function_url import function_url_event
from helpers import SAMPLE_STORY_ID, emails, reader_cookie, story_record

OTHER_STORY_ID = "T3RoZXJTdG9yeU9mVGhlTmlnaHQ"
WEBM = b"\x1a\x45\xdf\xa3" + bytes(4000)  # EBML magic, then 4 kB: plausible for 3 s
MP4 = b"\x00\x00\x00\x18ftypM4A " + bytes(4000)
TIMES = "0,700,1400,2100,2800"  # the sample story: a title and four lines
ORIGIN = {"origin": "https://example.test"}


def call(method: str, path: str, context, body: str = "", headers: dict | None = None) -> dict:
    event = function_url_event(
        method, path, headers or {}, body.encode(), "example.test", "203.0.113.9"
    )
    return web.handler(event, context)


def add_story(story_id: str = SAMPLE_STORY_ID, family: str = HOME, **kwargs) -> str:
    """The story, saved with its narration done; its recording link's query."""
    story = story_record(story_id, audio=Medium("done", key=f"stories/{story_id}/narration.mp3"))
    story = type(story)(**{**story.__dict__, "family": family, **kwargs})
    services.story_store().add(story)
    keys = services.reader_secrets().ensure(family)
    return keys.record_query(story_id, story.expires_at)


def form_url(path: str, context) -> str:
    """The address the recording page asks for its upload form at, when Send is tapped."""
    response = call("GET", path, context)
    assert response["statusCode"] == 200, response["body"]
    found = re.search(r'data-form="([^"]+)"', response["body"])
    assert found
    return html.unescape(found.group(1))


def page_form(path: str, context) -> dict:
    """The upload form the recording page at `path` gets when the reader taps Send."""
    response = call("POST", form_url(path, context), context, headers=ORIGIN)
    assert response["statusCode"] == 200, response["body"]
    assert response["headers"]["Content-Type"] == "application/json"
    form: dict = json.loads(response["body"])
    return form


def put_upload(form: dict, body: bytes, content_type: str = "audio/webm;codecs=opus") -> None:
    """What the browser's POST leaves in the bucket (the form itself is tested below)."""
    boto3.client("s3").put_object(
        Bucket=services.settings().media_bucket,
        Key=form["fields"]["key"],
        Body=body,
        ContentType=content_type,
    )


def finish(path: str, form: dict, context, reader: str = "Grandma Sue", **changes) -> dict:
    values = {"key": form["fields"]["key"], "reader": reader, "duration": "3000", "times": TIMES}
    body = "&".join(f"{k}={v}" for k, v in {**values, **changes}.items())
    response = call("POST", path, context, body, ORIGIN)
    response["message"] = json.loads(response["body"])["message"]
    return response


def record(query: str, context, body: bytes = WEBM, story_id: str = SAMPLE_STORY_ID) -> dict:
    path = f"/stories/{story_id}/record{query}"
    form = page_form(path, context)
    put_upload(form, body)
    return finish(path, form, context)


def recording_of(story_id: str = SAMPLE_STORY_ID):
    return services.story_store().get(story_id).recording


# --- the whole path --------------------------------------------------------------------
def test_a_recording_becomes_the_storys_narration_with_its_tapped_timings(
    aws, lambda_context
) -> None:
    query = add_story()
    answer = record(query, lambda_context)
    assert answer["statusCode"] == 200 and "Grandma Sue" in answer["message"]
    recording = recording_of()
    assert recording.line_times == (0, 700, 1400, 2100, 2800)
    assert recording.duration_ms == 3000 and recording.reader == "Grandma Sue"
    assert recording.key.startswith(recording_prefix(SAMPLE_STORY_ID))
    story = services.story_store().get(SAMPLE_STORY_ID)
    assert story.audio.key == f"stories/{SAMPLE_STORY_ID}/narration.mp3"  # the narration kept

    page = call("GET", f"/stories/{SAMPLE_STORY_ID}", lambda_context, headers=reader_cookie())
    body = page["body"]
    assert "Read by Grandma Sue" in body
    assert f'data-starts="{TIMES}"' in body and 'type="audio/webm;codecs=opus"' in body
    assert body.index("recording-") < body.index("narration.mp3")  # the recording first
    data = json.loads(
        call("GET", f"/stories/{SAMPLE_STORY_ID}.json", lambda_context, headers=reader_cookie())[
            "body"
        ]
    )
    assert data["recording"]["readBy"] == "Grandma Sue"
    assert data["recording"]["lineTimes"] == [0, 700, 1400, 2100, 2800]
    assert data["recording"]["durationMs"] == 3000


def test_the_feed_plays_the_recording_and_says_who_reads_it(aws, lambda_context) -> None:
    record(add_story(), lambda_context)
    feed = call("GET", "/feed.xml", lambda_context, headers=reader_cookie())["body"]
    assert "read by Grandma Sue" in feed
    assert f"/stories/{SAMPLE_STORY_ID}/recording?t=" in feed and 'type="audio/webm"' in feed
    path = re.search(r'url="https://example.test(/stories/[^"]+/recording[^"]+)"', feed).group(1)
    redirect = call("GET", html.unescape(path), lambda_context)
    assert redirect["statusCode"] == 302
    assert "/recording-" in redirect["headers"]["Location"]


def test_an_mp4_recording_from_safari_is_taken_too(aws, lambda_context) -> None:
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    form = page_form(path, lambda_context)
    put_upload(form, MP4, "audio/mp4")
    assert finish(path, form, lambda_context)["statusCode"] == 200
    assert recording_of().content_type == "audio/mp4"


# --- who may record -----------------------------------------------------------------------
def test_the_home_page_offers_the_recording_link_until_a_recording_is_taken(
    aws, lambda_context
) -> None:
    query = add_story()
    home = call("GET", "/", lambda_context, headers=reader_cookie())["body"]
    assert "Read tonight's story in your own voice" in home
    link = html.unescape(re.search(r'href="(/stories/[^"]+/record\?r=[^"]+)"', home).group(1))
    assert link == f"/stories/{SAMPLE_STORY_ID}/record{query}"
    record(query, lambda_context)
    home = call("GET", "/", lambda_context, headers=reader_cookie())["body"]
    assert "your own voice" not in home and "read by Grandma Sue" in home
    again = call("GET", link, lambda_context)
    assert again["statusCode"] == 200 and "already read aloud" in again["body"]


@pytest.mark.parametrize("allowed", [True, False])
def test_the_email_offers_the_recording_link_when_the_family_allows_it(
    aws, lambda_context, allowed
) -> None:
    services.family_store().save(
        Family(HOME, ZONE, name="Home", emails=("parent@example.com",), recording=allowed)
    )
    add_story(image=Medium("failed"))
    services.story_store().claim_ready(SAMPLE_STORY_ID, datetime.now(UTC))
    assert send_if_due(SAMPLE_STORY_ID)["emailed"] is True
    [email] = emails()
    found = re.search(r"recording page\): (\S+)", email.body)
    assert bool(found) is allowed and ("own voice" in email.body) is allowed
    if found:
        path = urlsplit(found.group(1))
        page = call("GET", f"{path.path}?{path.query}", lambda_context)
        assert page["statusCode"] == 200 and 'id="record"' in page["body"]


def test_a_family_that_turned_recording_off_gets_no_link_and_no_page(aws, lambda_context):
    services.family_store().save(Family(HOME, ZONE, name="Home", recording=False))
    query = add_story()
    home = call("GET", "/", lambda_context, headers=reader_cookie())["body"]
    assert "your own voice" not in home
    page = call("GET", f"/stories/{SAMPLE_STORY_ID}/record{query}", lambda_context)
    assert page["statusCode"] == 403 and "turned recording off" in page["body"]


def test_the_family_file_turns_recording_off_and_the_table_keeps_it(aws) -> None:
    home = Family(HOME, ZONE)
    [family] = parse_families({"id": "nan", "recording": False, **CATALOG}, home)
    assert family.family.recording is False
    services.family_store().save(family.family)
    assert services.family_store().allows_recording("nan") is False
    assert services.family_store().allows_recording("never-added") is True
    with pytest.raises(ValueError, match="true or false"):
        parse_families({"id": "nan", "recording": "no", **CATALOG}, home)


def test_a_recording_link_opens_only_its_own_story_of_its_own_family(aws, lambda_context):
    query = add_story()
    other = add_story(OTHER_STORY_ID, family="nan")
    for path in (
        f"/stories/{OTHER_STORY_ID}/record{query}",  # another family's story
        f"/stories/{SAMPLE_STORY_ID}/record{other}",  # that family's link, on ours
        f"/stories/{SAMPLE_STORY_ID}/record",
        "/stories/Tm9TdWNoU3RvcnlIZXJlMDA/record" + query,
    ):
        response = call("GET", path, lambda_context)
        assert response["statusCode"] == 401, path
        assert "recording link is not right" in response["body"], path
    before = services.story_store().get(OTHER_STORY_ID)
    form = page_form(f"/stories/{OTHER_STORY_ID}/record{other}", lambda_context)
    put_upload(form, WEBM)
    answer = finish(f"/stories/{SAMPLE_STORY_ID}/record{query}", form, lambda_context)
    assert answer["statusCode"] == 400 and "not for this story" in answer["message"]
    answer = finish(f"/stories/{OTHER_STORY_ID}/record{query}", form, lambda_context)
    assert answer["statusCode"] == 401
    assert recording_of() is None and services.story_store().get(OTHER_STORY_ID) == before


def test_a_recording_token_is_no_story_token_and_a_story_token_no_recording_token(
    aws, lambda_context
) -> None:
    query = add_story()
    token = query.removeprefix("?r=")
    reading = call("GET", f"/stories/{SAMPLE_STORY_ID}?t={token}", lambda_context)
    assert reading["statusCode"] == 401 and "set-cookie" not in str(reading).lower()
    story = services.story_store().get(SAMPLE_STORY_ID)
    story_token = services.reader_secrets().ensure(HOME).story_token(story.id, story.expires_at)
    page = call("GET", f"/stories/{SAMPLE_STORY_ID}/record?r={story_token}", lambda_context)
    assert page["statusCode"] == 401


def test_an_expired_recording_link_says_so_and_takes_nothing(aws, lambda_context) -> None:
    add_story()
    keys = services.reader_secrets().ensure(HOME)
    query = keys.record_query(SAMPLE_STORY_ID, int(time.time()) - 1)
    page = call("GET", f"/stories/{SAMPLE_STORY_ID}/record{query}", lambda_context)
    assert page["statusCode"] == 410 and "has expired" in page["body"]
    answer = finish(
        f"/stories/{SAMPLE_STORY_ID}/record{query}",
        {"fields": {"key": recording_prefix(SAMPLE_STORY_ID) + "A" * 16}},
        lambda_context,
    )
    assert answer["statusCode"] == 410 and "has expired" in answer["message"]
    assert recording_of() is None


# --- what arrived -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "changes", "status", "says"),
    [
        (b"<html>not a sound</html>" * 200, {}, 415, "not a sound recording"),
        (WEBM[:200], {}, 422, "much shorter"),
        (WEBM, {"times": "0,700,1400,2100"}, 422, "line timings"),
        (WEBM, {"times": "0,700,1400,1400,2800"}, 422, "line timings"),
        (WEBM, {"times": "0,700,1400,2100,3000"}, 422, "line timings"),
        (WEBM, {"times": "0,700,x"}, 400, "did not arrive whole"),
        (WEBM, {"duration": "400", "times": "0,1,2,3,4"}, 422, "between a second"),
        (WEBM, {"reader": ""}, 400, "who is reading"),
    ],
    ids=[
        "not-audio",
        "too-short",
        "a-line-missing",
        "not-in-order",
        "past-the-end",
        "garbled",
        "too-brief",
        "no-name",
    ],
)
def test_what_is_not_a_plausible_recording_is_refused_and_nothing_changes(
    aws, lambda_context, body, changes, status, says
) -> None:
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    form = page_form(path, lambda_context)
    put_upload(form, body)
    answer = finish(path, form, lambda_context, **changes)
    assert answer["statusCode"] == status and says in answer["message"]
    assert answer["headers"]["Content-Type"] == "application/json"
    assert recording_of() is None


def test_a_recording_over_the_limit_is_refused(aws, lambda_context, monkeypatch) -> None:
    query = add_story()
    monkeypatch.setattr(recordings, "MAX_BYTES", len(WEBM) - 1)
    answer = record(query, lambda_context)
    assert answer["statusCode"] == 413 and "too large" in answer["message"]
    assert recording_of() is None


def test_an_upload_that_never_arrived_is_told_to_send_again(aws, lambda_context) -> None:
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    answer = finish(path, page_form(path, lambda_context), lambda_context)
    assert answer["statusCode"] == 400 and "did not arrive" in answer["message"]


def test_of_two_racing_recordings_one_is_kept_and_the_other_told(aws, lambda_context) -> None:
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    first, second = page_form(path, lambda_context), page_form(path, lambda_context)
    assert first["fields"]["key"] != second["fields"]["key"]  # neither overwrites the other
    put_upload(first, WEBM)
    put_upload(second, WEBM)
    assert finish(path, first, lambda_context, reader="Grandma Sue")["statusCode"] == 200
    lost = finish(path, second, lambda_context, reader="Grandpa Joe")
    assert lost["statusCode"] == 409 and "arrived first" in lost["message"]
    assert recording_of().reader == "Grandma Sue"
    assert recording_of().key == first["fields"]["key"]


def test_a_recording_is_sent_from_the_recording_page_only(aws, lambda_context) -> None:
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    form = page_form(path, lambda_context)
    put_upload(form, WEBM)
    body = f"key={form['fields']['key']}&reader=Eve&duration=3000&times={TIMES}"
    answer = call("POST", path, lambda_context, body, {"origin": "https://evil.test"})
    assert answer["statusCode"] == 403
    assert recording_of() is None


def test_audio_containers_are_told_by_their_first_bytes() -> None:
    assert container_of(WEBM) == "audio/webm"
    assert container_of(MP4) == "audio/mp4"
    assert container_of(b"ID3\x04" + bytes(20)) is None
    assert container_of(b"") is None


# --- back to the machine voice ---------------------------------------------------------------
MACHINE_VOICE = f'action="/stories/{SAMPLE_STORY_ID}/recording"'


CHROMIUM_FORM = {"origin": "null", "sec-fetch-site": "same-origin"}  # under no-referrer


def use_machine_voice(context, headers: dict | None = None) -> dict:
    """The button's form, posted as Chromium posts it, by the signed-in family."""
    sent = {**reader_cookie(), **CHROMIUM_FORM} if headers is None else headers
    return call("POST", f"/stories/{SAMPLE_STORY_ID}/recording", context, headers=sent)


@pytest.mark.parametrize("page", ["/", f"/stories/{SAMPLE_STORY_ID}"])
def test_the_family_goes_back_to_the_machine_voice_from_its_pages(
    aws, lambda_context, page
) -> None:
    query = add_story()
    record(query, lambda_context)
    shown = call("GET", page, lambda_context, headers=reader_cookie())["body"]
    assert MACHINE_VOICE in shown and "Use the machine voice again" in shown

    answer = use_machine_voice(lambda_context)
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == f"/stories/{SAMPLE_STORY_ID}"
    assert recording_of() is None
    story = services.story_store().get(SAMPLE_STORY_ID)
    assert story.audio.status == "done"  # the narration was kept all along

    body = call("GET", f"/stories/{SAMPLE_STORY_ID}", lambda_context, headers=reader_cookie())[
        "body"
    ]
    assert "Read by" not in body and "recording-" not in body and "narration.mp3" in body
    assert MACHINE_VOICE not in body
    home = call("GET", "/", lambda_context, headers=reader_cookie())["body"]
    assert "Read tonight's story in your own voice" in home  # it may be read anew
    assert use_machine_voice(lambda_context)["statusCode"] == 303  # twice: no harm


def stored_keys() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=services.settings().media_bucket)
    return [entry["Key"] for entry in listed.get("Contents", [])]


def test_going_back_to_the_machine_voice_deletes_the_recording_and_nothing_else(
    aws, lambda_context
) -> None:
    # Given a story in Grandma Sue's voice, with its narration stored beside it
    narration = f"stories/{SAMPLE_STORY_ID}/narration.mp3"
    services.media_store().put(narration, b"ID3", "audio/mpeg")
    record(add_story(), lambda_context)
    taken = recording_of().key
    assert sorted(stored_keys()) == sorted([narration, taken])

    # When the family goes back to the machine voice
    assert use_machine_voice(lambda_context)["statusCode"] == 303

    # Then the recording is gone from the bucket, and the story never names it again
    assert stored_keys() == [narration]
    assert recording_of() is None
    assert (
        "recording-"
        not in call("GET", f"/stories/{SAMPLE_STORY_ID}", lambda_context, headers=reader_cookie())[
            "body"
        ]
    )


@pytest.mark.parametrize(
    "failure", [(503, {}, b"<Error><Code>SlowDown</Code></Error>"), ConnectionResetError()]
)
def test_a_recording_s3_did_not_delete_is_left_to_the_lifecycle_and_the_story_is_unchanged(
    aws, lambda_context, monkeypatch, caplog, failure
) -> None:
    # Given a recorded story, and S3 refusing (or not answering) the delete
    record(add_story(), lambda_context)
    taken = recording_of().key
    fetch = light_aws.fetch

    def failing_delete(url: str, headers: dict, method: str = "GET"):
        if method != "DELETE":
            return fetch(url, headers, method)
        if isinstance(failure, Exception):
            raise failure
        return failure

    monkeypatch.setattr(light_aws, "fetch", failing_delete)

    # When the family goes back to the machine voice
    answer = use_machine_voice(lambda_context)

    # Then the machine voice plays: the story no longer names the object left behind
    assert answer["statusCode"] == 303
    assert recording_of() is None and taken in stored_keys()
    [warning] = [r for r in caplog.records if r.message == "recording left to the lifecycle"]
    assert warning.key == taken


def test_a_late_finish_of_the_recording_taken_off_is_not_taken_back_while_it_is_deleted(
    aws, lambda_context, monkeypatch
) -> None:
    """The story stops naming the recording before S3 deletes it; the same upload's finish,
    sent again in between, must not make the story name it again."""
    # Given a recorded story whose recording page sends its finish again mid-delete
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    form = page_form(path, lambda_context)
    put_upload(form, WEBM)
    assert finish(path, form, lambda_context)["statusCode"] == 200
    fetch = light_aws.fetch
    resent: list[dict] = []

    def finish_again_before_the_delete(url: str, headers: dict, method: str = "GET"):
        if method == "DELETE" and not resent:
            resent.append(finish(path, form, lambda_context))
        return fetch(url, headers, method)

    monkeypatch.setattr(light_aws, "fetch", finish_again_before_the_delete)

    # When the family goes back to the machine voice
    assert use_machine_voice(lambda_context)["statusCode"] == 303

    # Then the finish sent again was refused, and no story points at the deleted object
    assert resent[0]["statusCode"] == 409
    assert recording_of() is None and form["fields"]["key"] not in stored_keys()
    # and a new reading is taken as before
    assert record(query, lambda_context)["statusCode"] == 200


def test_only_the_family_signed_in_on_this_site_goes_back_to_the_machine_voice(
    aws, lambda_context
) -> None:
    query = add_story()
    record(query, lambda_context)
    token = query.removeprefix("?r=")
    refused = [
        use_machine_voice(lambda_context, ORIGIN),  # no session
        use_machine_voice(lambda_context, {**reader_cookie(), "origin": "https://evil.test"}),
        use_machine_voice(lambda_context, {**reader_cookie(), "sec-fetch-site": "cross-site"}),
        call("POST", f"/stories/{SAMPLE_STORY_ID}/recording?r={token}", lambda_context, "", ORIGIN),
    ]
    assert [answer["statusCode"] for answer in refused] == [401, 401, 401, 401]
    assert recording_of().reader == "Grandma Sue"


def test_a_story_without_its_narration_keeps_its_recording_and_offers_no_switch(
    aws, lambda_context
) -> None:
    query = add_story(audio=Medium("failed"))
    record(query, lambda_context)
    body = call("GET", f"/stories/{SAMPLE_STORY_ID}", lambda_context, headers=reader_cookie())[
        "body"
    ]
    assert "Read by Grandma Sue" in body and MACHINE_VOICE not in body
    assert use_machine_voice(lambda_context)["statusCode"] == 404
    assert recording_of().reader == "Grandma Sue"


# --- the upload form ------------------------------------------------------------------------
def test_the_upload_form_allows_one_key_audio_only_up_to_30_mb_for_minutes(
    aws, lambda_context
) -> None:
    """S3 API Reference, "POST Policy": `starts-with` on $Content-Type,
    `content-length-range` in bytes, an exact `key`, and the policy's `expiration` in
    ISO 8601 GMT, after which S3 refuses the form. S3 User Guide, "Download and upload
    objects with presigned URLs": a form signed with temporary credentials also stops
    working when they expire, so it is signed at Send, for minutes, not at page load."""
    query = add_story()
    form = page_form(f"/stories/{SAMPLE_STORY_ID}/record{query}", lambda_context)
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    key = form["fields"]["key"]
    assert re.fullmatch(re.escape(recording_prefix(SAMPLE_STORY_ID)) + r"[A-Za-z0-9_-]{16}", key)
    assert ["starts-with", "$Content-Type", "audio/"] in policy["conditions"]
    assert ["content-length-range", 1, 30 * 1024 * 1024] in policy["conditions"]
    assert {"key": key} in policy["conditions"]
    assert {"bucket": services.settings().media_bucket} in policy["conditions"]
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(minutes=5) < expiration - datetime.now(UTC) <= timedelta(minutes=10)
    assert urlsplit(form["url"]).netloc.endswith(".s3.us-east-1.amazonaws.com")


def test_the_recording_page_carries_no_form_and_asks_for_a_new_one_at_each_send(
    aws, lambda_context
) -> None:
    query = add_story()
    path = f"/stories/{SAMPLE_STORY_ID}/record{query}"
    page = call("GET", path, lambda_context)["body"]
    assert "x-amz-signature" not in page and "policy" not in page
    assert form_url(path, lambda_context) == f"/stories/{SAMPLE_STORY_ID}/record/form{query}"
    first, second = page_form(path, lambda_context), page_form(path, lambda_context)
    assert first["fields"]["key"] != second["fields"]["key"]


@pytest.mark.parametrize(
    ("ask", "status", "says"),
    [
        ("no-token", 401, "not right"),
        ("another-site", 403, "from the recording page"),
        ("expired-link", 410, "has expired"),
        ("recording-off", 403, "turned recording off"),
        ("already-recorded", 409, "arrived first"),
    ],
)
def test_the_upload_form_is_refused_as_the_recording_page_is(
    aws, lambda_context, ask, status, says
) -> None:
    query = add_story()
    keys = services.reader_secrets().ensure(HOME)
    headers = {"origin": "https://evil.test"} if ask == "another-site" else ORIGIN
    if ask == "no-token":
        query = ""
    if ask == "expired-link":
        query = keys.record_query(SAMPLE_STORY_ID, int(time.time()) - 1)
    if ask == "recording-off":
        services.family_store().save(Family(HOME, ZONE, name="Home", recording=False))
    if ask == "already-recorded":
        record(query, lambda_context)
    path = f"/stories/{SAMPLE_STORY_ID}/record/form{query}"
    answer = call("POST", path, lambda_context, headers=headers)
    assert answer["statusCode"] == status
    assert says in json.loads(answer["body"])["message"]
    assert "policy" not in answer["body"]


def test_the_upload_form_is_not_had_by_a_get(aws, lambda_context) -> None:
    """A link followed, or a page prefetched, signs nothing."""
    query = add_story()
    answer = call("GET", f"/stories/{SAMPLE_STORY_ID}/record/form{query}", lambda_context)
    assert answer["statusCode"] == 405 and answer["headers"]["Allow"] == "POST"


def test_the_recording_page_lets_the_browser_send_to_the_bucket_and_nothing_else(
    aws, lambda_context
) -> None:
    query = add_story()
    response = call("GET", f"/stories/{SAMPLE_STORY_ID}/record{query}", lambda_context)
    csp = response["headers"]["Content-Security-Policy"]
    bucket = f"https://{services.settings().media_bucket}.s3.us-east-1.amazonaws.com"
    assert f"connect-src 'self' {bucket};" in csp and f"form-action 'self' {bucket};" in csp
    assert "script-src 'self';" in csp and "default-src 'none'" in csp
    assert response["headers"]["Cache-Control"] == "private, no-store"
    assert response["body"].count('class="script-line"') == 5
    numbers = re.findall(r'class="script-line" data-line="([^"]*)"', response["body"])
    assert numbers == ["0", "1", "2", "3", "4"]  # the spoken lines' numbers, as the marks'


def test_moto_takes_the_browser_form_as_s3_does(aws, lambda_context, moto_server) -> None:
    """S3 API Reference, "POST Object": the form's fields, then the file, last."""
    query = add_story()
    form = page_form(f"/stories/{SAMPLE_STORY_ID}/record{query}", lambda_context)
    bucket = services.settings().media_bucket
    fields = {**form["fields"], "Content-Type": "audio/webm;codecs=opus"}
    sent = requests.post(
        f"{moto_server}{bucket}", data=fields, files={"file": ("reading", WEBM)}, timeout=10
    )
    assert sent.status_code in (200, 204), sent.text
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=form["fields"]["key"])
    assert stored["Body"].read() == WEBM
    assert stored["ContentType"] == "audio/webm;codecs=opus"


def test_upload_forms_are_signed_as_botocore_signs_them() -> None:
    """S3 API Reference, "Authenticating Requests: Browser-Based Uploads Using POST (AWS
    Signature Version 4)": the string to sign is the base64 policy, signed with the
    derived key of the date, Region and s3; the signing fields are conditions too."""
    keys = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "tok")
    frozen = datetime(2026, 12, 3, 14, 5, 6, tzinfo=UTC)
    conditions = [["starts-with", "$Content-Type", "audio/"], {"key": "stories/a/recording-b"}]
    ours = post_policy_fields(keys, Scope("eu-west-2", "s3"), frozen, 3600, conditions)
    request = AWSRequest("POST", "https://bucket.s3.eu-west-2.amazonaws.com/")
    request.context["s3-presign-post-fields"] = {}
    request.context["s3-presign-post-policy"] = {
        "expiration": "2026-12-03T15:05:06Z",
        "conditions": [list(c) if isinstance(c, list) else dict(c) for c in conditions],
    }
    with mock.patch("botocore.auth.get_current_datetime", return_value=frozen):
        S3SigV4PostAuth(
            BotoCredentials(keys.access_key, keys.secret_key, keys.token), "s3", "eu-west-2"
        ).add_auth(request)
    theirs = request.context["s3-presign-post-fields"]
    assert ours == theirs
    assert ours["x-amz-credential"] == "AKIAIOSFODNN7EXAMPLE/20261203/eu-west-2/s3/aws4_request"


ZONE = ZoneInfo("UTC")
CATALOG = {
    "characters": [
        {"name": "Pip", "description": "a small brave hedgehog"},
        {"name": "Luna", "description": "a wise old owl"},
    ],
    "scenes": [{"name": "Moonlit Bay", "description": "a calm beach"}],
}
