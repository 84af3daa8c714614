"""Provider contracts with no network: the real `openai` client against a local fake of
OpenAI's API, and botocore's Stubber in front of Polly and Bedrock."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from bedtime.providers import KeyMissing, ProviderError
from bedtime.providers import openai as openai_provider
from bedtime.providers.bedrock import BedrockPainter, BedrockStoryWriter
from bedtime.providers.budget import Budget, CallSpec
from bedtime.providers.offline.story import OfflineStoryWriter
from bedtime.providers.openai import (
    OpenAIModerator,
    OpenAIPainter,
    OpenAIStoryWriter,
    OpenAIVoice,
    openai_client,
)
from bedtime.providers.polly import MAX_BILLED_CHARACTERS, SAMPLE_RATE, PollyVoice
from bedtime.records.briefs import PictureBrief, StoryBrief
from bedtime.records.catalog import Entry
from bedtime.writing.tonight import write_checked
from fake_openai import FakeOpenAI, Reply, completion, error

BRIEF = StoryBrief(
    (Entry("Pip", "a hedgehog"), Entry("Luna", "an owl")),
    Entry("Moonlit Bay", "a beach"),
    "en",
    200,
    seed=1,
)
PICTURE = PictureBrief(
    "Pip and Luna",
    (Entry("Pip", "a hedgehog"), Entry("Luna", "an owl")),
    Entry("Moonlit Bay", "a beach"),
    "Once upon a night",
    1,
)
STORY_JSON = json.dumps(
    {"title": "Goodnight, Bay", "paragraphs": ["Pip and Luna go to sleep. The sea is calm. " * 25]}
)
HOUR = Budget.of(None)
PNG = b"\x89PNG\r\n\x1a\n" + b"picture"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


def client(fake: FakeOpenAI):
    return openai_client("sk-test", fake.base_url)


# --- OpenAI: story -------------------------------------------------------------
def test_story_uses_structured_output(fake) -> None:
    fake.reply("/chat/completions", Reply(body=completion(STORY_JSON)))
    draft = OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR).write(BRIEF)
    assert draft.title == "Goodnight, Bay"
    _, sent = fake.requests[0]
    assert sent["model"] == "gpt-5-mini"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert (
        "Pip" in sent["messages"][1]["content"] and "Moonlit Bay" in sent["messages"][1]["content"]
    )


@pytest.mark.parametrize("content", ["not json", '{"title": 3}', '{"paragraphs": []}', "[]"])
def test_malformed_story_output_is_a_provider_error(fake, content) -> None:
    fake.reply("/chat/completions", Reply(body=completion(content)))
    with pytest.raises(ProviderError) as raised:
        OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR).write(BRIEF)
    assert not raised.value.retryable and raised.value.request_id == "chatcmpl-1"


def test_refusal_is_a_provider_error_not_a_story(fake) -> None:
    fake.reply("/chat/completions", Reply(body=completion(None, refusal="I can't help with that")))
    with pytest.raises(ProviderError, match="refused"):
        OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR).write(BRIEF)


def test_throttling_then_success_is_retried_by_the_client(fake) -> None:
    fake.reply(
        "/chat/completions",
        error(429, "slow down", "rate_limit_error"),
        error(503, "busy", "server_error"),
        Reply(body=completion(STORY_JSON)),
    )
    assert (
        OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR).write(BRIEF).title == "Goodnight, Bay"
    )
    assert fake.calls("/chat/completions") == 3


def test_a_4xx_such_as_a_content_policy_refusal_is_not_retried(fake) -> None:
    fake.reply("/chat/completions", error(400, "content policy violation"))
    with pytest.raises(ProviderError) as raised:
        OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR).write(BRIEF)
    assert not raised.value.retryable
    assert raised.value.request_id == "req_1"
    assert fake.calls("/chat/completions") == 1


def test_a_timeout_is_retried_then_reported_as_retryable(fake, monkeypatch) -> None:
    monkeypatch.setattr(openai_provider, "STORY_CALL", CallSpec(0.2, attempts=3, max_backoff=1))
    slow = Reply(body=completion(STORY_JSON), delay=1.0)
    fake.reply("/chat/completions", slow, slow, slow)
    with pytest.raises(ProviderError) as raised:
        OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR).write(BRIEF)
    assert raised.value.retryable
    assert fake.calls("/chat/completions") == 3


def test_a_refused_key_is_key_missing_with_the_fix(fake) -> None:
    fake.reply("/images/generations", error(401, "Incorrect API key provided"))
    with pytest.raises(KeyMissing) as raised:
        OpenAIPainter(client(fake), "gpt-image-1-mini", "low", HOUR).paint(PICTURE)
    assert "put-secret-value" in raised.value.fix
    assert fake.calls("/images/generations") == 1


def test_no_key_at_all_is_key_missing_before_any_call() -> None:
    with pytest.raises(KeyMissing):
        openai_client(None, None)


def test_a_flagged_story_is_rewritten_once_then_the_offline_storyteller_takes_over(fake) -> None:
    fake.reply(
        "/chat/completions", Reply(body=completion(STORY_JSON)), Reply(body=completion(STORY_JSON))
    )
    flagged = {
        "id": "modr-1",
        "model": "omni-moderation-latest",
        "results": [{"flagged": True, "categories": {}, "category_scores": {}}],
    }
    fake.reply("/moderations", Reply(body=flagged), Reply(body=flagged))
    writer = OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR)
    draft, used = write_checked(
        BRIEF, [writer, writer, OfflineStoryWriter()], OpenAIModerator(client(fake), HOUR)
    )
    assert used.name == "offline" and draft.title
    assert fake.calls("/chat/completions") == 2 and fake.calls("/moderations") == 2


def test_an_unflagged_story_passes_moderation(fake) -> None:
    fake.reply("/chat/completions", Reply(body=completion(STORY_JSON)))
    clean = {
        "id": "modr-2",
        "model": "omni-moderation-latest",
        "results": [{"flagged": False, "categories": {}, "category_scores": {}}],
    }
    fake.reply("/moderations", Reply(body=clean))
    writer = OpenAIStoryWriter(client(fake), "gpt-5-mini", HOUR)
    _, used = write_checked(
        BRIEF, [writer, writer, OfflineStoryWriter()], OpenAIModerator(client(fake), HOUR)
    )
    assert used is writer


# --- OpenAI: picture and speech ------------------------------------------------
def test_picture_is_decoded_from_base64(fake) -> None:
    fake.reply(
        "/images/generations",
        Reply(body={"created": 1, "data": [{"b64_json": base64.b64encode(PNG).decode()}]}),
    )
    assert OpenAIPainter(client(fake), "gpt-image-1-mini", "low", HOUR).paint(PICTURE) == PNG
    _, sent = fake.requests[0]
    assert (sent["model"], sent["quality"], sent["size"]) == (
        "gpt-image-1-mini",
        "low",
        "1024x1024",
    )
    assert "no text" in sent["prompt"] and "child-friendly" in sent["prompt"]


def test_picture_without_data_is_a_provider_error(fake) -> None:
    fake.reply("/images/generations", Reply(body={"created": 1, "data": []}))
    with pytest.raises(ProviderError):
        OpenAIPainter(client(fake), "gpt-image-1-mini", "low", HOUR).paint(PICTURE)


def test_openai_speech_returns_the_mp3(fake) -> None:
    fake.reply("/audio/speech", Reply(body=b"\xff\xfbmp3-bytes"))
    narration = OpenAIVoice(client(fake), "gpt-4o-mini-tts", "sage", HOUR).speak(
        "T", ("a\nb",), "en"
    )
    assert narration.mp3 == b"\xff\xfbmp3-bytes" and narration.line_marks is None


# --- Polly -----------------------------------------------------------------------
def stream(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def marks(count: int) -> bytes:
    lines = [json.dumps({"time": 100 * i, "type": "ssml", "value": str(i)}) for i in range(count)]
    return "\n".join(lines).encode()


class RecordingPolly:
    """Answers like Polly: a second of PCM, or one SSML mark per <mark/> in the text."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def synthesize_speech(self, **request) -> dict:
        self.texts.append((request["OutputFormat"], request["Text"]))
        if request["OutputFormat"] == "pcm":
            return {"AudioStream": stream(bytes(2 * SAMPLE_RATE))}
        return {"AudioStream": stream(marks(request["Text"].count("<mark ")))}


def billed_characters(ssml: str) -> int:
    return len(re.sub(r"<[^>]+>", "", ssml))


def test_polly_splits_a_long_story_and_joins_one_mp3_with_line_marks() -> None:
    polly = RecordingPolly()
    verse = "The moon came up over the quiet sea & sang a song to you and me,"
    paragraphs = tuple("\n".join([verse] * 4) for _ in range(14))
    assert len(verse) * 56 > MAX_BILLED_CHARACTERS
    narration = PollyVoice(lambda plan: polly, "Joanna", HOUR).speak("Title", paragraphs, "en")
    audio_requests = [text for kind, text in polly.texts if kind == "pcm"]
    assert len(audio_requests) == 2
    assert all(billed_characters(text) <= 3000 for text in audio_requests)
    assert all(len(text) <= 6000 for text in audio_requests)
    assert "&amp;" in audio_requests[0] and '<break time="' in audio_requests[0]
    assert len(narration.line_marks) == 57  # the title and 56 lines, each once, in order
    first_of_second = audio_requests[0].count("<mark ")
    assert narration.line_marks[first_of_second]["time"] >= 1000  # after the first chunk's audio
    assert narration.mp3


def test_polly_throttling_is_a_retryable_provider_error() -> None:
    polly = boto3.client("polly", region_name="us-east-1")
    with Stubber(polly) as stub:
        stub.add_client_error("synthesize_speech", "ThrottlingException", http_status_code=400)
        with pytest.raises(ProviderError) as raised:
            PollyVoice(lambda plan: polly, "Joanna", HOUR).speak("T", ("a",), "en")
    assert raised.value.retryable


def test_polly_rejecting_the_text_is_not_retryable() -> None:
    polly = boto3.client("polly", region_name="us-east-1")
    with Stubber(polly) as stub:
        stub.add_client_error("synthesize_speech", "TextLengthExceededException")
        with pytest.raises(ProviderError) as raised:
            PollyVoice(lambda plan: polly, "Joanna", HOUR).speak("T", ("a",), "en")
    assert not raised.value.retryable


# --- Bedrock ---------------------------------------------------------------------
def converse_reply(content: list, stop: str = "tool_use") -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
        "metrics": {"latencyMs": 1},
    }


def test_bedrock_story_comes_from_the_tool_call() -> None:
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    tool_use = {
        "toolUse": {"toolUseId": "t1", "name": "bedtime_story", "input": json.loads(STORY_JSON)}
    }
    with Stubber(runtime) as stub:
        stub.add_response("converse", converse_reply([tool_use]))
        draft = BedrockStoryWriter(lambda plan: runtime, "amazon.nova-lite-v1:0", HOUR).write(BRIEF)
    assert draft.title == "Goodnight, Bay"


def test_bedrock_guardrail_intervention_is_a_provider_error() -> None:
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(runtime) as stub:
        stub.add_response(
            "converse",
            converse_reply([{"text": "blocked"}], "guardrail_intervened"),
            {
                "modelId": ANY,
                "system": ANY,
                "messages": ANY,
                "inferenceConfig": ANY,
                "toolConfig": ANY,
                "guardrailConfig": {"guardrailIdentifier": "g1", "guardrailVersion": "1"},
            },
        )
        with pytest.raises(ProviderError, match="guardrail"):
            BedrockStoryWriter(
                lambda plan: runtime, "amazon.nova-lite-v1:0", HOUR, ("g1", "1")
            ).write(BRIEF)


def test_bedrock_throttling_is_retryable_and_a_missing_story_is_not() -> None:
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(runtime) as stub:
        stub.add_client_error("converse", "ThrottlingException", http_status_code=429)
        stub.add_response("converse", converse_reply([{"text": "no tool call"}], "end_turn"))
        writer = BedrockStoryWriter(lambda plan: runtime, "amazon.nova-lite-v1:0", HOUR)
        with pytest.raises(ProviderError) as throttled:
            writer.write(BRIEF)
        with pytest.raises(ProviderError) as missing:
            writer.write(BRIEF)
    assert throttled.value.retryable and not missing.value.retryable


def test_bedrock_picture_from_nova_canvas() -> None:
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    body = json.dumps({"images": [base64.b64encode(PNG).decode()]}).encode()
    with Stubber(runtime) as stub:
        stub.add_response("invoke_model", {"body": stream(body), "contentType": "application/json"})
        assert (
            BedrockPainter(lambda plan: runtime, "amazon.nova-canvas-v1:0", HOUR).paint(PICTURE)
            == PNG
        )
