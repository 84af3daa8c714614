"""Fuzz the web handler with function-URL events: every request gets an answer below 500."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedtime import services
from bedtime.handlers import web
from helpers import saved_stories, story_record

STORY_ID = "Qm9vdHN0cmFwU3RvcnkxMjM"
segments = st.one_of(
    st.sampled_from(
        [
            "",
            "stories",
            STORY_ID,
            f"{STORY_ID}.json",
            "feed.xml",
            "static",
            "site.css",
            "narration.mp3",
            "..",
            "%2e%2e",
            "%00",
            "x" * 300,
        ]
    ),
    st.text(min_size=0, max_size=30),
)
paths = st.lists(segments, max_size=5).map(lambda parts: "/" + "/".join(parts))
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=60)


def event(method, path, query, headers, cookies, body, encoded) -> dict:
    payload = base64.b64encode(body).decode() if encoded else body.decode("latin-1")
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "cookies": cookies,
        "queryStringParameters": {"key": query} if query else None,
        "requestContext": {
            "domainName": "example.test",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.5",
                "userAgent": "fuzz",
            },
            "requestId": "fuzz",
            "stage": "$default",
        },
        "body": payload,
        "isBase64Encoded": encoded,
    }


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"]),
    path=paths,
    query=st.text(max_size=40),
    headers=st.dictionaries(st.text(min_size=1, max_size=20), header_text, max_size=5),
    cookies=st.lists(header_text, max_size=3),
    body=st.binary(max_size=64),
    encoded=st.booleans(),
)
def test_web_handler_never_answers_5xx(
    aws, lambda_context, method, path, query, headers, cookies, body, encoded
) -> None:
    if not saved_stories():
        services.story_store().add(story_record(STORY_ID))
    response = web.handler(
        event(method, path, query, headers, cookies, body, encoded), lambda_context
    )
    assert 200 <= response["statusCode"] < 500, (method, path, response.get("body", "")[:200])
