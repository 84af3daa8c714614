"""A retired model is noticed before a family notices it: the deploy check refuses it, the
weekly check alarms ahead of it, and at story time it degrades in a known order and
raises the operator's alarm once. OpenAI is the stand-in server in fake_openai; Bedrock is
botocore's Stubber."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import boto3
import pytest
from botocore.stub import Stubber
from test_provider_contracts import BRIEF, HOUR, PICTURE, STORY_JSON, client

from bedtime import services
from bedtime.core import clock
from bedtime.handlers import create_story, model_check
from bedtime.providers import ModelGone
from bedtime.providers.bedrock import BedrockStoryWriter
from bedtime.providers.degrading import DEGRADED, Degrading
from bedtime.providers.lifecycle import (
    ConfiguredModel,
    bedrock_status,
    configured_models,
    openai_status,
)
from bedtime.providers.offline.picture import OfflinePainter
from bedtime.providers.offline.story import OfflineStoryWriter
from bedtime.providers.openai import OpenAIPainter, OpenAIStoryWriter
from bedtime.records.catalog import load_catalog
from bedtime_local.stack import ACCOUNT
from bedtime_tools import __main__ as tools
from bedtime_tools.models import deploy_parameters
from fake_openai import FakeOpenAI, Reply, completion, model, model_not_found
from helpers import sample_event

TODAY = date(2026, 12, 3)
NOVA_LITE = "amazon.nova-lite-v1:0"
PROFILES = f"arn:aws:bedrock:us-east-2:{ACCOUNT}:inference-profile"
STORY_MODEL = ConfiguredModel("StoryModel", "openai", "gpt-5-mini")
CLEAN = {"id": "modr-1", "model": "omni-moderation-latest", "results": [{"flagged": False}]}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The system's clock held at TODAY (bedtime.core.clock: an origin in the past, speed 0)."""
    origin = datetime(2026, 12, 3, 9, tzinfo=UTC).timestamp()
    monkeypatch.setenv(clock.VARIABLE, f"{origin}:0")
    return TODAY


@pytest.fixture
def openai_here(monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI) -> FakeOpenAI:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    return fake


def alerts(aws) -> list[dict]:
    """What the operator's alerts topic received (through a queue subscribed to it)."""
    sqs, url = boto3.client("sqs"), aws.alerts_queue
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in received]


@pytest.fixture
def alarmed(aws):
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    url = sqs.create_queue(QueueName="operator-alerts")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=aws.resolver.names["AlertsTopic"], Protocol="sqs", Endpoint=arn["QueueArn"]
    )
    aws.alerts_queue = url
    return aws


# --- What the providers say ---------------------------------------------------------
def test_a_model_shutting_down_within_30_days_is_retiring_and_names_its_replacement(fake):
    """OpenAI API docs, "Deprecations": Retrieve a model carries `shutdown_date`
    (YYYY-MM-DD); gpt-5-mini shuts down on 11 Dec 2026, replaced by gpt-6.1-terra."""
    fake.reply("/models/gpt-5-mini", model("gpt-5-mini", "2026-12-11"))
    status = openai_status(client(fake), STORY_MODEL, TODAY)
    assert (status.state, status.shutdown) == ("retiring", date(2026, 12, 11))
    assert "StoryModel=gpt-6.1-terra" in status.fix


def test_a_model_openai_does_not_find_is_gone_and_one_without_a_date_is_alive(fake):
    """OpenAI API reference, "Error codes": a retired model answers 404 `model_not_found`;
    "Deprecations": a null `shutdown_date` means none is announced."""
    fake.reply("/models/gpt-image-1-mini", model_not_found("gpt-image-1-mini"))
    fake.reply("/models/gpt-6.1-terra", model("gpt-6.1-terra"))
    image = ConfiguredModel("ImageModel", "openai", "gpt-image-1-mini")
    gone = openai_status(client(fake), image, TODAY)
    alive = openai_status(
        client(fake), ConfiguredModel("StoryModel", "openai", "gpt-6.1-terra"), TODAY
    )
    assert (gone.state, gone.replacement) == ("gone", "gpt-image-2.6-flare")
    assert alive.state == "alive"


def lifecycle(status: str, end: datetime | None = None) -> dict:
    found = {"status": status} | ({"endOfLifeTime": end} if end else {})
    return {
        "modelDetails": {
            "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-canvas-v1:0",
            "modelId": "amazon.nova-canvas-v1:0",
            "providerName": "Amazon",
            "modelLifecycle": found,
        }
    }


def test_a_legacy_bedrock_model_is_retiring_and_one_past_its_end_of_life_is_gone():
    """Amazon Bedrock user guide, "Model lifecycle": GetFoundationModel's
    `modelLifecycle.status` is ACTIVE or LEGACY; API reference, "FoundationModelLifecycle":
    `endOfLifeTime`, when the model is no longer available in any Region."""
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    canvas = ConfiguredModel("BedrockImageModel", "bedrock", "amazon.nova-canvas-v1:0")
    with Stubber(bedrock) as stub:
        stub.add_response(
            "get_foundation_model",
            lifecycle("LEGACY", datetime(2026, 12, 20, tzinfo=UTC)),
            {"modelIdentifier": "amazon.nova-canvas-v1:0"},
        )
        stub.add_response(
            "get_foundation_model", lifecycle("LEGACY", datetime(2026, 9, 30, tzinfo=UTC))
        )
        retiring = bedrock_status(bedrock, canvas, TODAY)
        gone = bedrock_status(bedrock, canvas, TODAY)
    assert (retiring.state, retiring.shutdown) == ("retiring", date(2026, 12, 20))
    assert gone.state == "gone" and "BedrockImageModel" in gone.message


def test_an_inference_profile_is_asked_first_then_the_model_it_routes_to():
    """Amazon Bedrock user guide, "Prerequisites for inference profiles": a profile id is
    the model id behind a geography prefix; API reference, "GetInferenceProfile"."""
    bedrock = boto3.client("bedrock", region_name="us-east-2")
    profile = ConfiguredModel("BedrockTextModel", "bedrock", "us.amazon.nova-lite-v1:0")
    with Stubber(bedrock) as stub:
        stub.add_response(
            "get_inference_profile",
            {
                "inferenceProfileName": "US Nova Lite",
                "inferenceProfileArn": f"{PROFILES}/us.{NOVA_LITE}",
                "inferenceProfileId": "us.amazon.nova-lite-v1:0",
                "models": [
                    {"modelArn": f"arn:aws:bedrock:us-east-2::foundation-model/{NOVA_LITE}"}
                ],
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED",
            },
            {"inferenceProfileIdentifier": "us.amazon.nova-lite-v1:0"},
        )
        stub.add_response(
            "get_foundation_model",
            lifecycle("ACTIVE"),
            {"modelIdentifier": "amazon.nova-lite-v1:0"},
        )
        assert bedrock_status(bedrock, profile, TODAY).state == "alive"


def test_only_the_providers_in_use_have_their_models_checked():
    chosen = configured_models(
        {
            "StoryProvider": "bedrock",
            "BedrockTextModel": "amazon.nova-lite-v1:0",
            "ImageProvider": "offline",
            "SpeechProvider": "openai",
            "SpeechModel": "gpt-4o-mini-tts",
        }
    )
    assert [c.parameter for c in chosen] == ["BedrockTextModel", "SpeechModel"]


# --- make deploy's first step ---------------------------------------------------------
@pytest.fixture
def deploying(monkeypatch: pytest.MonkeyPatch, today) -> dict[str, str]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    parameters = {
        "StoryProvider": "openai",
        "StoryModel": "gpt-5-mini",
        "ImageProvider": "openai",
        "ImageModel": "gpt-image-1-mini",
        "SpeechProvider": "polly",
        "StoryTimeZone": "Europe/London",
        "SenderEmail": "stories@example.com",
    }
    monkeypatch.setattr(tools, "deploy_parameters", lambda: parameters)
    return parameters


def test_the_deploy_check_refuses_a_retired_model_and_names_its_replacement(
    deploying, openai_here, capsys
):
    """OpenAI "Deprecations": gpt-image-1-mini shut down on 1 Dec 2026; replacement
    gpt-image-2.6-sunburst or gpt-image-2.6-flare. gpt-5-mini retires on 11 Dec 2026."""
    openai_here.reply("/models/gpt-5-mini", model("gpt-5-mini", "2026-12-11"))
    openai_here.reply("/models/gpt-image-1-mini", model_not_found("gpt-image-1-mini"))
    assert tools.main(["check-aws", "--models"]) == 1
    printed = capsys.readouterr().out
    assert "WARNING: StoryModel=gpt-5-mini shuts down on 11 Dec 2026" in printed
    assert "REFUSED: ImageModel=gpt-image-1-mini has shut down" in printed
    assert "--parameter-overrides ImageModel=gpt-image-2.6-flare" in printed


def test_the_deploy_check_lets_a_retiring_model_through_with_a_warning(
    deploying, openai_here, capsys
):
    """OpenAI "Deprecations": gpt-5-mini still serves until 11 Dec 2026."""
    deploying["ImageProvider"] = "offline"
    openai_here.reply("/models/gpt-5-mini", model("gpt-5-mini", "2026-12-11"))
    assert tools.main(["check-aws", "--models"]) == 0
    assert "WARNING: StoryModel=gpt-5-mini" in capsys.readouterr().out


def test_without_a_key_the_deploy_check_says_it_skipped(deploying, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert tools.main(["check-aws", "--models"]) == 0
    printed = capsys.readouterr().out
    assert "Model check skipped for StoryModel=gpt-5-mini: no OpenAI key." in printed


def test_the_deploy_check_reads_the_models_sam_deploy_will_use(tmp_path):
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        "[default.deploy.parameters]\n"
        'parameter_overrides = "StoryModel=gpt-5-mini StoryTime=20:00"\n'
    )
    parameters = deploy_parameters(samconfig)
    assert parameters["StoryModel"] == "gpt-5-mini"
    assert parameters["ImageModel"] == "gpt-image-2.6-flare"  # the template's default


# --- The weekly check -------------------------------------------------------------------
def test_the_weekly_check_alarms_once_for_a_model_retiring_within_30_days(
    alarmed, openai_here, monkeypatch, lambda_context, today
):
    """OpenAI "Deprecations": gpt-5-mini shuts down on 11 Dec 2026 (8 days after TODAY).
    SNS Publish: a subject is at most 100 characters (Amazon SNS API reference)."""
    monkeypatch.setenv("STORY_PROVIDER", "openai")
    monkeypatch.setenv("STORY_MODEL", "gpt-5-mini")
    openai_here.reply("/models/gpt-5-mini", *[model("gpt-5-mini", "2026-12-11")] * 2)
    first = model_check.handler({}, lambda_context)
    model_check.handler({}, lambda_context)
    [alert] = alerts(alarmed)
    assert "StoryModel=gpt-5-mini" in alert["Subject"] and len(alert["Subject"]) <= 100
    assert "StoryModel=gpt-6.1-terra" in alert["Message"]
    assert first["models"] == [alert["Message"]]


def test_the_weekly_check_asks_bedrock_with_the_grants_its_role_has(
    alarmed, monkeypatch, lambda_context, today
):
    """Amazon Bedrock user guide, "Model lifecycle": a LEGACY model is on its way out; the
    Service Authorization Reference for Amazon Bedrock: GetFoundationModel acts on a
    foundation-model ARN (iam_audit judges the call against ModelCheckFunction's role)."""
    monkeypatch.setenv("IMAGE_PROVIDER", "bedrock")
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    monkeypatch.setattr(model_check, "client", lambda service: bedrock)
    with Stubber(bedrock) as stub:
        stub.add_response(
            "get_foundation_model",
            lifecycle("LEGACY", datetime(2026, 12, 20, tzinfo=UTC)),
            {"modelIdentifier": "amazon.nova-canvas-v1:0"},
        )
        model_check.handler({}, lambda_context)
    [alert] = alerts(alarmed)
    assert "BedrockImageModel=amazon.nova-canvas-v1:0" in alert["Subject"]


# --- At story time ----------------------------------------------------------------------
def test_a_retired_story_model_is_written_offline_counted_and_alarmed_once(
    alarmed, openai_here, monkeypatch, lambda_context, logged
):
    """OpenAI API reference, "Error codes": `model_not_found`. Two nights, one alarm."""
    monkeypatch.setenv("STORY_PROVIDER", "openai")
    monkeypatch.setenv("STORY_MODEL", "gpt-5-mini")
    services.catalog_store().replace("home", load_catalog())
    openai_here.reply("/chat/completions", *[model_not_found("gpt-5-mini")] * 2)
    openai_here.reply("/moderations", *[Reply(body=CLEAN)] * 4)
    nights = [sample_event("make-story.json") | {"requestId": f"night-{n}"} for n in (1, 2)]
    made = [create_story.handler(night, lambda_context) for night in nights]
    stories = [services.story_store().get(result["storyId"]) for result in made]
    assert [story.provider for story in stories] == ["offline", "offline"]
    degraded = [line for line in logged() if line["message"] == DEGRADED]
    assert [(d["parameter"], d["instead"]) for d in degraded] == [("StoryModel", "offline")] * 2
    [alert] = alerts(alarmed)
    assert "StoryModel" in alert["Message"] and "offline" in alert["Message"]


def test_with_the_successor_allowed_a_retired_model_gives_way_to_the_recommended_one(fake):
    """OpenAI "Deprecations": gpt-5-mini's recommended replacement is gpt-6.1-terra."""
    fake.reply(
        "/chat/completions", model_not_found("gpt-5-mini"), Reply(body=completion(STORY_JSON))
    )
    reported = []
    writer = Degrading(
        STORY_MODEL,
        lambda name: OpenAIStoryWriter(client(fake), name, HOUR),
        OfflineStoryWriter,
        allow_successor=True,
        report=lambda error, configured, instead: reported.append(instead),
    )
    assert writer.write(BRIEF).title == "Goodnight, Bay"
    assert [body["model"] for path, body in fake.requests] == ["gpt-5-mini", "gpt-6.1-terra"]
    assert (writer.name, writer.model, reported) == ("openai", "gpt-6.1-terra", ["gpt-6.1-terra"])


def test_without_leave_a_retired_picture_model_goes_straight_to_the_offline_painter(fake):
    """OpenAI "Deprecations": gpt-image-1-mini shut down on 1 Dec 2026."""
    fake.reply("/images/generations", model_not_found("gpt-image-1-mini"))
    painter = Degrading(
        ConfiguredModel("ImageModel", "openai", "gpt-image-1-mini"),
        lambda name: OpenAIPainter(client(fake), name, "low", HOUR),
        OfflinePainter,
        allow_successor=False,
    )
    assert painter.paint(PICTURE).startswith(b"\x89PNG") and painter.name == "offline"
    assert fake.calls("/images/generations") == 1


def test_bedrock_resource_not_found_on_a_model_call_is_a_retired_model():
    """Amazon Bedrock API reference, "Converse", Errors: ResourceNotFoundException."""
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(runtime) as stub, pytest.raises(ModelGone) as raised:
        stub.add_client_error("converse", "ResourceNotFoundException", "Model not found", 404)
        BedrockStoryWriter(lambda plan: runtime, "amazon.nova-lite-v1:0", HOUR).write(BRIEF)
    assert raised.value.model == "amazon.nova-lite-v1:0"
