"""What real AWS refuses and moto forgives.

Nobody can deploy from a test, so each rule the cloud enforces is read here from the
template as SAM translates it (or from the clients we build), and each test's docstring
names the AWS document it encodes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.stub import Stubber

from bedtime import services
from bedtime.core.settings import Settings
from bedtime.delivery.email_message import Picture, Tonight, compose
from bedtime.delivery.nightly_email import Household, Postbox, deliver
from bedtime.handlers import create_story, illustrate, narrate
from bedtime.media.storage import MediaStore
from bedtime.providers import bedrock, openai, polly
from bedtime.providers.budget import RESERVE_SECONDS
from bedtime.records.catalog import load_catalog
from bedtime.records.families import FAMILY_ID
from bedtime.records.speech import spoken_lines
from bedtime.records.stories import Medium
from bedtime_local.functions import LambdaContext
from helpers import (
    ROOT,
    SAMPLE_STORY_ID,
    delivered,
    home_family,
    night,
    resolved_resources,
    sample_event,
    saved_stories,
    story_record,
    translated_template,
)
from iam_audit import Call, arn_of, is_allowed


def of_type(resources: dict[str, dict], kind: str) -> dict[str, dict]:
    return {name: r.get("Properties", {}) for name, r in resources.items() if r["Type"] == kind}


# --- 1. EventBridge and CloudWatch cannot publish to an SNS topic under aws/sns -------
def test_no_rule_or_alarm_publishes_to_a_topic_encrypted_with_the_aws_managed_key() -> None:
    """SNS developer guide, "Managing Amazon SNS encryption keys and costs": an AWS service
    that publishes to an encrypted topic (EventBridge, CloudWatch) needs a customer managed
    key whose policy grants it kms:GenerateDataKey* and kms:Decrypt; the policy of the AWS
    managed key alias/aws/sns cannot be changed to grant that."""
    resources = resolved_resources()
    topics = of_type(resources, "AWS::SNS::Topic")
    published_to = [
        target["Arn"]
        for rule in of_type(resources, "AWS::Events::Rule").values()
        for target in rule.get("Targets", [])
        if target["Arn"] in topics
    ]
    published_to += [
        action
        for alarm in of_type(resources, "AWS::CloudWatch::Alarm").values()
        for action in alarm.get("AlarmActions", [])
    ]
    assert published_to
    for topic in published_to:
        assert topics[topic].get("KmsMasterKeyId") in (None, ""), topic


def test_topic_policies_for_eventbridge_carry_no_condition() -> None:
    """EventBridge user guide, "Using resource-based policies for Amazon EventBridge",
    Amazon SNS permissions: "You can't use Condition blocks in Amazon SNS topic policies
    for EventBridge"."""
    for policy in of_type(resolved_resources(), "AWS::SNS::TopicPolicy").values():
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Principal"] == {"Service": "events.amazonaws.com"}:
                assert "Condition" not in statement


# --- 2. Presigned media URLs the browser can follow ----------------------------------
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-2"])
def test_media_urls_are_sigv4_on_the_regional_host_that_the_csp_allows(
    aws, monkeypatch, region
) -> None:
    """Amazon S3 API reference, "Authenticating requests (AWS signature version 2)":
    Signature Version 4 is the only one new buckets and regions support (buckets created
    after 24 June 2020 refuse SigV2); botocore presigns with SigV2 in us-east-1 unless
    told otherwise. S3 user guide, "Virtual hosting of buckets": the global endpoint may
    answer a new bucket with a 307 redirect, which the page's CSP would block."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    services.clear()
    bucket = services.settings().media_bucket
    csp = services.site().security_headers()["Content-Security-Policy"]
    media_src = re.search(r"media-src ([^;]+);", csp).group(1).split()
    # boto3's presigner (the media functions) and the web function's own
    for media in (services.media_store(), MediaStore(services.web_client("s3"), bucket)):
        url = urlsplit(media.url("stories/x/picture.png"))
        assert url.netloc == f"{bucket}.s3.{region}.amazonaws.com"
        query = parse_qs(url.query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert "Signature" not in query and "AWSAccessKeyId" not in query
        assert f"{url.scheme}://{url.netloc}" in media_src


# --- 3. Provider calls fit inside the function's timeout -----------------------------
def function_timeout(name: str) -> int:
    return translated_template()["Resources"][name]["Properties"]["Timeout"]


@pytest.mark.parametrize(
    ("function", "calls"),
    [
        (
            "CreateStoryFunction",
            [openai.LOOK_CALL, openai.LOOK_CALL, openai.STORY_CALL, openai.MODERATION_CALL],
        ),
        ("CreateStoryFunction", [bedrock.LOOK_CALL, bedrock.LOOK_CALL, bedrock.STORY_CALL]),
        ("IllustrateFunction", [openai.IMAGE_CALL]),
        ("IllustrateFunction", [bedrock.IMAGE_CALL]),
        ("NarrateFunction", [openai.SPEECH_CALL]),
        ("NarrateFunction", [polly.SYNTHESIS_CALL]),
    ],
)
def test_a_providers_full_retries_fit_the_lambda_timeout_with_room_to_record_failure(
    function, calls
) -> None:
    """Lambda developer guide, "Configure Lambda function timeout": Lambda stops a function
    at its timeout, with no chance to record anything. The first call of each provider, at
    its full timeout and retries (and the client's backoff between them), leaves the
    reserve in which a failure is recorded and the story announced."""
    worst = sum(call.worst_case() for call in calls)
    assert worst + RESERVE_SECONDS <= function_timeout(function)


class ShortOfTime(LambdaContext):
    """A context with only `seconds` of the invocation left."""

    def __init__(self, seconds: float) -> None:
        super().__init__("IllustrateFunction")
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def test_with_too_little_time_left_the_picture_is_failed_and_the_story_announced(
    aws, monkeypatch
) -> None:
    """Lambda developer guide, "Configure Lambda function timeout" (as above): when the
    invocation is nearly over, no provider call is started; the medium is recorded as
    failed and StoryReady still goes out."""
    monkeypatch.setenv("IMAGE_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never reached
    services.clear()
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    event = sample_event("story-created.json")
    illustrate.handler(event, ShortOfTime(RESERVE_SECONDS + 1))
    narrate.handler(event, LambdaContext("NarrateFunction"))
    assert services.story_store().get(SAMPLE_STORY_ID).image.status == "failed"
    [ready] = delivered(aws, "NotifyFunctionStoryReady")
    assert ready["detail"]["image"] == "failed"


def test_a_missing_openai_key_still_gives_the_night_a_story_and_says_how_to_fix_it(
    aws, monkeypatch, lambda_context, logged
) -> None:
    """At first deploy the OpenAI secret holds no key yet (README, "Deploy to AWS"): the
    night's story is written offline, and one log line says where to put the key."""
    monkeypatch.setenv("STORY_PROVIDER", "openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    services.clear()
    services.catalog_store().replace("home", load_catalog())
    result = create_story.handler(sample_event("make-story.json"), lambda_context)
    assert services.story_store().get(result["storyId"]).provider == "offline"
    fixes = [line for line in logged() if "put-secret-value" in line["message"]]
    assert len(fixes) == 1 and fixes[0]["level"] == "ERROR"


# --- 4. Two stacks side by side ------------------------------------------------------
NAME_PROPERTIES = {
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Scheduler::ScheduleGroup": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Pipes::Pipe": "Name",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
}


def test_no_resource_has_a_fixed_physical_name_that_a_second_stack_would_collide_with():
    """AWS SAM developer guide, "ScheduleV2" (OmitName): without it, SAM names the schedule
    <Function><Event>, the same in every stack; CloudFormation user guide, "Name type":
    a resource with a custom name cannot be created twice in one account and region. Any
    name we set must include the stack's name."""
    for name, resource in translated_template()["Resources"].items():
        given = resource.get("Properties", {}).get(NAME_PROPERTIES.get(resource["Type"], ""))
        if given is not None:
            assert "AWS::StackName" in json.dumps(given), f"{name} is always named {given}"


# --- 5. Polly's two limits ---------------------------------------------------------
def test_ssml_requests_stay_under_both_polly_limits_for_a_2000_word_story() -> None:
    """Amazon Polly developer guide, "Quotas in Amazon Polly": "The size of the input text
    can be up to 3000 billed characters (6000 total characters). SSML tags are not counted
    as billed characters." A story of many short lines carries a <mark/> and a <break/>
    per line, so the tags can pass 6,000 long before the words pass 3,000."""
    stanzas = tuple("\n".join(["Hush now & sleep"] * 4) for _ in range(125))  # 2,000 words
    lines = list(spoken_lines("Goodnight", stanzas))
    requests = [polly.ssml(chunk) for chunk in polly.chunks(lines)]
    assert sum(len(chunk) for chunk in polly.chunks(lines)) == len(lines)
    for request in requests:
        assert len(request) <= 6000
        assert len(re.sub(r"<[^>]+>", "", request).replace("&amp;", "&")) <= 3000


# --- 6. Bedrock through cross-region inference profiles ----------------------------
def story_function_statements(parameters: dict[str, str]) -> list[dict]:
    role = resolved_resources(parameters)["CreateStoryFunctionRole"]["Properties"]
    return [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]


def test_a_bedrock_inference_profile_is_allowed_with_its_model_in_every_region() -> None:
    """Amazon Bedrock user guide, "Prerequisites for inference profiles": "When you specify
    an inference profile in the Resource field ..., you must also specify the foundation
    model in each Region associated with it"; the bedrock:InferenceProfileArn condition
    keeps the model to calls made through the profile."""
    statements = story_function_statements(
        {"StoryProvider": "bedrock", "BedrockTextModel": "us.amazon.nova-lite-v1:0"}
    )
    resources = {s["Sid"]: s for s in statements if s.get("Sid", "").startswith("WriteWithBedrock")}
    profile = resources["WriteWithBedrockProfile"]["Resource"]
    assert profile.endswith(":inference-profile/us.amazon.nova-lite-v1:0")
    model = resources["WriteWithBedrockThroughTheProfile"]
    assert model["Resource"] == "arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0"
    assert model["Condition"]["StringLike"]["bedrock:InferenceProfileArn"] == profile


def test_a_bedrock_model_in_the_region_is_allowed_by_its_own_arn_only() -> None:
    """Amazon Bedrock user guide, "Prerequisites for inference profiles" (as above): a model
    called directly needs only its foundation-model ARN in the stack's region."""
    statements = story_function_statements({"StoryProvider": "bedrock"})
    [only] = [s for s in statements if s.get("Sid", "").startswith("WriteWithBedrock")]
    assert only["Resource"] == "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"


def test_the_bedrock_defaults_are_the_model_ids_aws_lists_in_the_template_and_the_code() -> None:
    """Amazon Bedrock User Guide, "Supported foundation models in Amazon Bedrock": Nova Lite
    is amazon.nova-lite-v1:0, Nova Canvas amazon.nova-canvas-v1:0, and Canvas runs in a
    single Region only in us-east-1, ap-northeast-1 and eu-west-1, with no cross-Region
    profile (the README's advice). Whether each is still Active is not on an AWS page we
    could read on 3 December 2026 (docs/decisions.md): `make deploy` asks
    GetFoundationModel, and refuses one past its end of life."""
    parameters = translated_template()["Parameters"]
    text, image = parameters["BedrockTextModel"], parameters["BedrockImageModel"]
    assert text["Default"] == Settings.bedrock_text_model == "amazon.nova-lite-v1:0"
    assert image["Default"] == Settings.bedrock_image_model == "amazon.nova-canvas-v1:0"
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "use `ImageProvider=bedrock` only in us-east-1, eu-west-1 or ap-northeast-1" in readme


# --- 7. A retried CreateStory writes no second story --------------------------------
def test_a_create_story_retried_after_dying_between_save_and_idempotency_writes_one_story(
    aws, lambda_context
) -> None:
    """AWS Lambda developer guide, "Asynchronous invocation": a failed or timed-out event
    is retried; Powertools idempotency, "Handling exceptions": a record left in progress
    by a function that died expires, and the retry runs the work again. The story id is
    derived from the request, and the story is saved with a conditional put."""
    services.catalog_store().replace("home", load_catalog())
    event = sample_event("schedule.json")
    first = create_story.handler(event, lambda_context)
    idempotency = services.settings().idempotency_table
    dynamodb = services.client("dynamodb")
    for item in dynamodb.scan(TableName=idempotency)["Items"]:
        dynamodb.delete_item(TableName=idempotency, Key={"id": item["id"]})
    second = create_story.handler(event, lambda_context)
    assert second["storyId"] == first["storyId"]
    assert [s.id for s in saved_stories()] == [first["storyId"]]


# --- Knowing when something fails ---------------------------------------------------
def failure_destinations(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("DeadLetterConfig", "OnFailure"):
                yield item
            else:
                yield from failure_destinations(item)
    elif isinstance(value, list):
        for item in value:
            yield from failure_destinations(item)


def test_every_dead_letter_and_on_failure_destination_is_the_alarmed_queue() -> None:
    """CloudWatch user guide, "Using Amazon CloudWatch alarms": one alarm on one metric
    (the cheapest: one alarm metric) watches the queue that every dead-letter and
    on-failure destination of the stack sends to."""
    text = json.dumps(translated_template()["Resources"])
    destinations = re.findall(
        r'"(?:DeadLetterConfig|OnFailure)": (\{[^{}]*(?:\{[^{}]*\})?\})', text
    )
    assert destinations
    for destination in destinations:
        assert "FailuresQueue" in destination, destination
    alarm = of_type(resolved_resources(), "AWS::CloudWatch::Alarm")["FailuresAlarm"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "FailuresQueue.QueueName"}]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == ["AlertsTopic"]


def test_every_alarm_tells_the_operator_and_ours_are_not_in_an_aws_namespace() -> None:
    """CloudWatch API Reference, "PutMetricData": a namespace that begins with "AWS/" is
    reserved for AWS's own services, so the metric our function writes (EMF) lives in one
    of ours, named per stack so that two stacks in one account do not share an alarm."""
    alarms = of_type(resolved_resources(), "AWS::CloudWatch::Alarm")
    assert set(alarms) == {"FailuresAlarm", "SuppressionsAlarm"}
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == ["AlertsTopic"]
    namespace = alarms["SuppressionsAlarm"]["Namespace"]
    assert not namespace.startswith("AWS/") and namespace.endswith("/bedtime-stories")


def test_an_operator_address_or_else_the_familys_hears_the_alarm() -> None:
    """SNS developer guide, "Email notifications": an email subscription per address."""
    nobody = resolved_resources()
    assert "OperatorEmailSubscription" not in nobody
    family = resolved_resources({"NotificationEmail": "family@example.com"})
    assert family["OperatorEmailSubscription"]["Properties"]["Endpoint"] == "family@example.com"
    both = resolved_resources(
        {"NotificationEmail": "family@example.com", "OperatorEmail": "ops@example.com"}
    )
    assert both["OperatorEmailSubscription"]["Properties"]["Endpoint"] == "ops@example.com"


def test_a_story_id_does_not_follow_a_later_malformed_event_into_the_logs(
    aws, lambda_context, logged
) -> None:
    """Powertools for AWS Lambda (Python), Logger, "Clearing all state": keys added with
    append_keys persist across warm invocations unless clear_state=True."""
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    illustrate.handler(sample_event("story-created.json"), lambda_context)
    illustrate.handler({"detail": {}}, lambda_context)
    [refusal] = [line for line in logged() if "malformed" in line["message"]]
    assert "story_id" not in refusal


# --- IAM that the local emulation cannot exercise ----------------------------------
def test_the_pipe_role_allows_what_a_dynamodb_stream_source_needs() -> None:
    """EventBridge user guide, "Event source permissions for Amazon EventBridge Pipes",
    DynamoDB: DescribeStream, GetRecords, GetShardIterator and ListStreams; the Service
    Authorization Reference gives dynamodb:ListStreams no resource type, so only "*"
    allows it. The target and the dead-letter queue need events:PutEvents and
    sqs:SendMessage."""
    stream = arn_of("StoriesTable") + "/stream/2026-11-25T00:00:00.000"
    needed = [
        Call("StoryPipeRole", "dynamodb:DescribeStream", stream),
        Call("StoryPipeRole", "dynamodb:GetRecords", stream),
        Call("StoryPipeRole", "dynamodb:GetShardIterator", stream),
        Call("StoryPipeRole", "dynamodb:ListStreams", "*"),
        Call("StoryPipeRole", "events:PutEvents", arn_of("StoryBus")),
        Call("StoryPipeRole", "sqs:SendMessage", arn_of("FailuresQueue")),
    ]
    assert [str(call) for call in needed if not is_allowed(call)] == []


def test_only_notify_sends_email_and_only_from_the_sender_through_the_configuration_set() -> None:
    """SES developer guide, "Controlling access to Amazon SES", and the Service
    Authorization Reference for Amazon SES: ses:SendEmail is authorized on the identity
    the mail is sent from (the address, or its verified domain) and on the configuration
    set it names; nothing else of the account's may be used. Raw content is authorized as
    ses:SendRawEmail too (re:Post Knowledge Center, "How do I resolve an Unauthorized error
    when I send emails with Amazon SES?")."""
    resources = resolved_resources()  # the SenderEmail of the tests: stories@bedtime.example
    ses = "arn:aws:ses:us-east-1:123456789012"
    assert resources["EmailConfigurationSet"]["Type"] == "AWS::SES::ConfigurationSet"
    wanted = [
        f"{ses}:identity/stories@bedtime.example",
        f"{ses}:identity/bedtime.example",
        f"{ses}:configuration-set/EmailConfigurationSet",
    ]
    senders = [
        role
        for role in of_type(resources, "AWS::IAM::Role")
        if any(is_allowed(Call(role, "ses:SendEmail", arn)) for arn in wanted)
    ]
    assert senders == ["NotifyFunctionRole"]
    for action in ("ses:SendEmail", "ses:SendRawEmail"):
        for arn in wanted:
            assert is_allowed(Call("NotifyFunctionRole", action, arn))
        for other in (f"{ses}:identity/example.com", f"{ses}:configuration-set/another"):
            assert not is_allowed(Call("NotifyFunctionRole", action, other))


def test_the_site_may_read_the_stories_media_and_nothing_more_of_the_bucket() -> None:
    """Service Authorization Reference, "Actions, resources, and condition keys for Amazon
    S3": s3:GetObject takes an object ARN, s3:ListBucket the bucket's; S3 User Guide,
    "Sharing objects with presigned URLs": a URL carries its signer's permissions. The
    site presigns GetObject for the bucket's objects and lists nothing."""
    bucket = arn_of("MediaBucket")
    assert is_allowed(Call("WebFunctionRole", "s3:GetObject", f"{bucket}/stories/x/narration.mp3"))
    for action in ("s3:ListBucket", "s3:GetBucketLocation"):
        assert not is_allowed(Call("WebFunctionRole", action, bucket))


def test_only_the_site_may_delete_and_only_a_storys_recordings() -> None:
    """Amazon S3 API Reference, "DeleteObject" and "DeleteObjects", their Permissions:
    both need s3:DeleteObject on each object (there is no s3:DeleteObjects action), and
    s3:DeleteObjectVersion only for a request that names a version; the bucket has no
    versioning, so a DeleteObject without one removes the object for good. Service
    Authorization Reference, "Actions, resources, and condition keys for Amazon S3":
    s3:DeleteObject takes an object ARN, whose key may hold wildcards. "Use the machine
    voice again" deletes the recording it took off, under `stories/<id>/recording-`, and
    nothing else: not the narration, the picture or the marks, which the lifecycle deletes."""
    resources = resolved_resources()
    bucket = arn_of("MediaBucket")
    recording = f"{bucket}/stories/x/recording-Ab3_defGhijklmnop"
    assert "VersioningConfiguration" not in resources["MediaBucket"]["Properties"]
    deleters = [
        role
        for role in of_type(resources, "AWS::IAM::Role")
        if is_allowed(Call(role, "s3:DeleteObject", recording))
    ]
    assert deleters == ["WebFunctionRole"]
    for kept in ("narration.mp3", "narration-marks.json", "picture-offline.png"):
        assert not is_allowed(
            Call("WebFunctionRole", "s3:DeleteObject", f"{bucket}/stories/x/{kept}")
        )
    for action in ("s3:DeleteObjectVersion", "s3:ListBucket", "s3:PutLifecycleConfiguration"):
        for resource in (recording, bucket):
            assert not is_allowed(Call("WebFunctionRole", action, resource))


def test_no_function_role_is_granted_an_action_on_every_resource() -> None:
    """Service Authorization Reference: every action the functions use names a resource
    type but Polly's SynthesizeSpeech (whose only resource is a lexicon, which we do not
    use), so each other grant is scoped. (The families' SNS subscriptions, whose
    Unsubscribe and SetSubscriptionAttributes only "*" allowed, are gone with SES.)"""
    everywhere = sorted(
        f"{name}: {action}"
        for name, role in of_type(resolved_resources(), "AWS::IAM::Role").items()
        if name.endswith("FunctionRole")
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Resource"] == "*"
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    )
    assert everywhere == ["NarrateFunctionRole: polly:SynthesizeSpeech"]


def test_the_audit_refuses_a_call_the_role_does_not_allow() -> None:
    """The IAM audit that every `aws` fixture runs can fail: a reader may not write."""
    assert is_allowed(Call("WebFunctionRole", "dynamodb:GetItem", arn_of("StoriesTable")))
    assert not is_allowed(Call("WebFunctionRole", "dynamodb:PutItem", arn_of("StoriesTable")))
    assert not is_allowed(Call("WebFunctionRole", "dynamodb:GetItem", arn_of("IdempotencyTable")))
    assert not is_allowed(Call("FamiliesFunctionRole", "sns:Publish", arn_of("AlertsTopic")))


def test_the_guardrail_parameter_takes_an_id_that_the_iam_arn_is_built_from() -> None:
    """Service Authorization Reference, Amazon Bedrock: a guardrail's ARN is
    arn:${Partition}:bedrock:${Region}:${Account}:guardrail/${GuardrailId}; the template
    builds it from the parameter, so an ARN given there is refused at deploy time."""
    pattern = translated_template()["Parameters"]["BedrockGuardrailId"]["AllowedPattern"]
    assert re.fullmatch(pattern, "abc123xyz789")
    assert re.fullmatch(pattern, "")
    assert not re.fullmatch(pattern, "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc")


# --- 8. What the families, queues and the tick rely on ----------------------------
def test_the_template_declares_the_one_schedule_that_drives_every_night() -> None:
    """EventBridge Scheduler user guide, "Schedule types in EventBridge Scheduler": a cron
    expression has six fields (minutes hours day-of-month month day-of-week year) with "?"
    in one day field, read in ScheduleExpressionTimezone; "Adding context attributes":
    <aws.scheduler.scheduled-time> in a templated target's Input is the time it fired for.
    SAM's ScheduleV2 names the schedule after its logical id unless OmitName is true (two
    stacks in one account and region would collide)."""
    resources = resolved_resources()
    [schedule] = [
        spec["Properties"]
        for spec in resources.values()
        if spec["Type"] == "AWS::Scheduler::Schedule"
        and spec["Properties"]["Target"]["Arn"] == "TickFunction.Arn"
    ]
    assert schedule["ScheduleExpression"] == "cron(* * * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert "Name" not in schedule
    target = schedule["Target"]
    assert target["Arn"] == "TickFunction.Arn"
    assert "<aws.scheduler.scheduled-time>" in target["Input"]
    assert target["DeadLetterConfig"] == {"Arn": "FailuresQueue.Arn"}
    role = target["RoleArn"].removesuffix(".Arn")
    assert is_allowed(Call(role, "lambda:InvokeFunction", arn_of("TickFunction")))
    assert not is_allowed(Call(role, "lambda:InvokeFunction", arn_of("NotifyFunction")))


def test_no_function_creates_schedules_or_passes_a_role() -> None:
    """Service Authorization Reference, "Actions, resources, and condition keys for AWS
    Identity and Access Management": iam:PassRole is what lets a caller hand a role to a
    service. With the schedule in the template, CloudFormation makes it; no function may
    create schedules or pass any role."""
    for name, spec in resolved_resources().items():
        if spec["Type"] != "AWS::IAM::Role" or name.endswith("TickRole"):
            continue
        actions = json.dumps(spec["Properties"].get("Policies", []))
        assert "iam:PassRole" not in actions, name
        assert "scheduler:" not in actions, name


def test_the_bus_may_send_story_created_to_the_media_queues_from_its_own_rules() -> None:
    """EventBridge user guide, "Using resource-based policies for Amazon EventBridge",
    Amazon SQS permissions: the queue policy lets events.amazonaws.com SendMessage; its
    aws:SourceArn is a rule on our custom bus (arn:...:rule/<bus>/<rule>)."""
    resources = resolved_resources()
    [statement] = resources["MediaQueuesPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == ["PaintingQueue.Arn", "NarratingQueue.Arn"]
    source = statement["Condition"]["ArnLike"]["aws:SourceArn"]
    assert source == "arn:aws:events:us-east-1:123456789012:rule/StoryBus/*"
    for rule in ("PaintRule", "NarrateRule"):
        assert resources[rule]["Properties"]["EventBusName"] == "StoryBus"


def test_the_public_reading_site_carries_both_function_url_permissions() -> None:
    """Lambda developer guide, "Control access to Lambda function URLs": since October
    2025 a function URL with AuthType NONE needs lambda:InvokeFunctionUrl and
    lambda:InvokeFunction (InvokedViaFunctionUrl) for everyone; SAM makes both."""
    permissions = of_type(translated_template()["Resources"], "AWS::Lambda::Permission")
    web = [p for p in permissions.values() if p["FunctionName"] == {"Ref": "WebFunction"}]
    [url] = [p for p in web if p["Action"] == "lambda:InvokeFunctionUrl"]
    assert url["Principal"] == "*" and url["FunctionUrlAuthType"] == "NONE"
    [invoke] = [p for p in web if p["Action"] == "lambda:InvokeFunction"]
    assert invoke["Principal"] == "*" and invoke["InvokedViaFunctionUrl"] is True


def test_a_log_level_is_set_only_on_json_logs() -> None:
    """Lambda API reference, "LoggingConfig": ApplicationLogLevel and SystemLogLevel take
    effect only with LogFormat JSON (Lambda developer guide, "Configuring advanced logging
    controls for Lambda functions")."""
    functions = of_type(resolved_resources(), "AWS::Lambda::Function")
    with_levels = {
        name: spec["LoggingConfig"]
        for name, spec in functions.items()
        if "ApplicationLogLevel" in spec.get("LoggingConfig", {})
    }
    assert "WebFunction" in with_levels
    assert all(config["LogFormat"] == "JSON" for config in with_levels.values())


def test_the_email_subject_is_one_header_line_of_printable_text() -> None:
    """RFC 5322, section 2.2: a header field is one line of printable characters (CRLF
    only to fold); a family's name is at most 60 characters, and a name saved before
    names were checked may hold control characters."""
    from bedtime.delivery.email_message import subject

    longest = subject("N" * 60, "T" * 500)
    assert longest.isprintable() and len(longest) < 200
    assert subject("Nan\x1b[31m\x07", "Tom\r\nBcc: x@example.com").isprintable()


# --- Amazon SES: the families' email ------------------------------------------------
NOW = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)


def stubbed_postbox() -> tuple[Stubber, Postbox]:
    """A real sesv2 client, which checks every parameter against the service model, with
    a Stubber in place of the network."""
    ses = boto3.client(
        "sesv2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return Stubber(ses), Postbox(ses, "stories@bedtime.example", "EmailConfigurationSet")


def tonights(**changes) -> Tonight:
    return Tonight(
        **{
            "family": "nan-and-leo",
            "family_name": "Nan's",
            "title": "Pip & Luna",
            "summary": "Pip and Luna in the woods.",
            "link": "https://site/stories/x?t=1.s",
            "late": False,
            "picture": Picture(b"\x89PNG" * 100_000, "png", "Pip"),
        }
        | changes
    )


def test_the_email_is_one_raw_mime_message_that_sesv2_sendemail_takes() -> None:
    """SESv2 API reference, "SendEmail": Raw content is a MIME-formatted message that
    "has to be a valid MIME message", sent with a ConfigurationSetName and EmailTags (a
    tag's name and value are ASCII letters, numbers, underscores or dashes, at most 256
    characters). SES Developer Guide, "Service quotas in Amazon SES": through the v2 API
    a message may be 40 MB after base64 encoding."""
    raw = compose(tonights(), "stories@bedtime.example", "nan@example.com", "https://s/u", NOW)
    data = raw.as_bytes()
    stub, postbox = stubbed_postbox()
    stub.add_response(
        "send_email",
        {"MessageId": "0100-example"},
        {
            "FromEmailAddress": "stories@bedtime.example",
            "Destination": {"ToAddresses": ["nan@example.com"]},
            "Content": {"Raw": {"Data": data}},
            "ConfigurationSetName": "EmailConfigurationSet",
            "EmailTags": [{"Name": "family", "Value": "nan-and-leo"}],
        },
    )
    with stub:
        postbox.send("nan-and-leo", "nan@example.com", data)
    stub.assert_no_pending_responses()
    assert len(data) * 4 / 3 < 40 * 1024 * 1024
    parsed = message_from_bytes(data, policy=email_policy.default)
    assert all(not part.defects for part in parsed.walk())
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF throughout


def test_a_family_id_is_always_a_tag_value_ses_accepts() -> None:
    """SESv2 API reference, "MessageTag": a value holds only ASCII letters, numbers,
    underscores and dashes, at most 256 characters; a family id is lowercase letters,
    digits and dashes, at most 40."""
    tag_value = re.compile(r"[A-Za-z0-9_-]{1,256}")
    for family in ("home", "nan-and-leo", "a" * 40, "0"):
        assert FAMILY_ID.fullmatch(family) and tag_value.fullmatch(family)
    for not_a_family in ("Nan", "nan_leo", "a" * 41, "nan.leo", ""):
        assert not FAMILY_ID.fullmatch(not_a_family)


def test_one_click_unsubscribe_headers_are_as_rfc_8058_asks() -> None:
    """RFC 8058, section 3.1: the message carries List-Unsubscribe with one HTTPS URI,
    and List-Unsubscribe-Post with the single key/value pair
    "List-Unsubscribe=One-Click". A long link must stay one URI (not folded into an
    encoded word that a mail provider would not read back)."""
    site = "https://" + "x" * 60 + ".lambda-url.us-east-1.on.aws"
    link = f"{site}/unsubscribe?family=nan&address=nan%40example.com&u={'A' * 43}"
    raw = compose(tonights(), "stories@bedtime.example", "nan@example.com", link, NOW).as_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert f"\r\nList-Unsubscribe: <{link}>\r\n" in headers
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in headers
    assert "=?" not in headers.split("List-Unsubscribe:", 1)[1].split("\r\n", 1)[0]


def test_the_one_click_post_is_answered_without_a_redirect(aws, lambda_context) -> None:
    """RFC 8058, section 3.2: the receiver POSTs "List-Unsubscribe=One-Click" to the URI,
    with no cookie or other context, and the sender must not answer with a redirect."""
    from bedtime.handlers import web
    from bedtime_local.function_url import function_url_event

    home_family("nan@example.com")
    [sent] = night(0)
    parts = urlsplit(sent.unsubscribe)
    event = function_url_event(
        "POST",
        f"{parts.path}?{parts.query}",
        {"content-type": "application/x-www-form-urlencoded"},
        b"List-Unsubscribe=One-Click",
        "example.test",
        "192.0.2.1",
    )
    answer = web.handler(event, lambda_context)
    assert answer["statusCode"] == 200 and "location" not in {k.lower() for k in answer["headers"]}
    assert services.family_store().get("home").unsubscribed == {"nan@example.com"}


def test_in_the_sandbox_an_unverified_recipient_is_refused_and_the_others_get_theirs(
    aws, logged
) -> None:
    """SES Developer Guide, "Request production access (Moving out of the Amazon SES
    sandbox)": in the sandbox mail goes only to verified addresses; SendEmail refuses
    another with MessageRejected ("Email address is not verified"). One refused address
    is logged and the family's others still get the email; when every one is refused the
    night's claim is released, so a retry (and then the failures queue) follows."""
    from bedtime.delivery.nightly_email import EmailNotSent

    home_family("verified@example.com", "unverified@example.com")
    store = services.story_store()
    store.add(story_record(SAMPLE_STORY_ID))
    for medium in ("image", "audio"):
        store.finish_medium(SAMPLE_STORY_ID, medium, Medium("done", key=f"k-{medium}"))
    store.claim_ready(SAMPLE_STORY_ID, NOW)
    stub, postbox = stubbed_postbox()
    refused = "Email address is not verified. The following identities failed the check"
    stub.add_response("send_email", {"MessageId": "1"})
    stub.add_client_error("send_email", "MessageRejected", refused, 400)
    household = Household(
        services.family_store().find, services.reader_secrets().ensure, lambda story: None
    )
    story = store.get(SAMPLE_STORY_ID)
    with stub:
        assert deliver(story, "https://site/", True, store, postbox, NOW, household)
    [line] = [line for line in logged() if line["message"] == "email refused"]
    assert line["address"] == "unverified@example.com" and "MessageRejected" in line["error"]
    store.release_email(SAMPLE_STORY_ID)
    stub, postbox = stubbed_postbox()
    for _ in range(2):
        stub.add_client_error("send_email", "MessageRejected", refused, 400)
    with stub, pytest.raises(EmailNotSent):
        deliver(story, "https://site/", True, store, postbox, NOW, household)
    assert store.get(SAMPLE_STORY_ID).emailed_at is None


def test_bounces_and_complaints_go_to_the_default_bus_and_its_rule() -> None:
    """SESv2 API reference, "EventBridgeDestination": "Only the default bus is
    supported"; "EventDestination": MatchingEventTypes BOUNCE (hard bounces) and
    COMPLAINT. EventBridge events reference, "Amazon Simple Email Service events": the
    detail-types are "Email Bounced" and "Email Complaint Received", source aws.ses; every
    configuration set's events reach the default bus, each tagged with its set's name in
    mail.tags "ses:configuration-set" (SES Developer Guide, "Contents of event data"), so
    the rule takes only this stack's."""
    resources = resolved_resources()
    destination = resources["EmailEventDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == "EmailConfigurationSet"
    sent_to = destination["EventDestination"]
    assert sent_to["Enabled"] is True
    assert sorted(sent_to["MatchingEventTypes"]) == ["bounce", "complaint"]
    bus = sent_to["EventBridgeDestination"]["EventBusArn"]
    assert bus == "arn:aws:events:us-east-1:123456789012:event-bus/default"
    [rule] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Events::Rule"
        and r["Properties"]["EventPattern"].get("source") == ["aws.ses"]
    ]
    assert "EventBusName" not in rule  # the default bus
    assert sorted(rule["EventPattern"]["detail-type"]) == [
        "Email Bounced",
        "Email Complaint Received",
    ]
    tags = rule["EventPattern"]["detail"]["mail"]["tags"]
    assert tags == {"ses:configuration-set": ["EmailConfigurationSet"]}
    assert rule["Targets"][0]["DeadLetterConfig"] == {"Arn": "FailuresQueue.Arn"}
    config = resources["EmailConfigurationSet"]["Properties"]
    assert sorted(config["SuppressionOptions"]["SuppressedReasons"]) == ["BOUNCE", "COMPLAINT"]
