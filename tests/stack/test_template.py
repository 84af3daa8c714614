"""template.yaml declares the whole system, least-privileged."""

from __future__ import annotations

import json

import pytest

from bedtime_local.template import resources

FAILURES = {"Arn": {"Fn::GetAtt": ["FailuresQueue", "Arn"]}}


def functions(template: dict) -> dict[str, dict]:
    return resources(template, "AWS::Serverless::Function")


def test_each_familys_changes_are_followed_from_the_families_stream(template) -> None:
    spec = functions(template)["FamiliesFunction"]
    [event] = spec["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert event["Properties"]["Stream"] == {"Fn::GetAtt": ["FamiliesTable", "StreamArn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["FailuresQueue", "Arn"]
    }
    families = resources(template, "AWS::DynamoDB::Table")["FamiliesTable"]
    assert families["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert resources(template, "AWS::Scheduler::ScheduleGroup") == {}
    assert template["Parameters"]["LeadHours"]["Default"] == 3


def test_tables(template) -> None:
    tables = resources(template, "AWS::DynamoDB::Table")
    assert {"CharactersTable", "ScenesTable", "StoriesTable", "IdempotencyTable"} <= set(tables)
    stories = tables["StoriesTable"]
    assert stories["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert stories["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert all(t["BillingMode"] == "PAY_PER_REQUEST" for t in tables.values())


def test_pipe_forwards_inserts_only_as_story_created_on_the_custom_bus(template) -> None:
    pipe = resources(template, "AWS::Pipes::Pipe")["StoryPipe"]
    assert pipe["Source"] == {"Fn::GetAtt": ["StoriesTable", "StreamArn"]}
    assert pipe["Target"] == {"Fn::GetAtt": ["StoryBus", "Arn"]}
    [only] = pipe["SourceParameters"]["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == {"eventName": ["INSERT"]}
    bus_parameters = pipe["TargetParameters"]["EventBridgeEventBusParameters"]
    assert bus_parameters == {"Source": "bedtime.stories", "DetailType": "StoryCreated"}
    assert "DeadLetterConfig" in pipe["SourceParameters"]["DynamoDBStreamParameters"]
    role = template["Resources"]["StoryPipeRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "pipes.amazonaws.com"
    }


@pytest.mark.parametrize(
    ("function", "queue", "rule", "cap"),
    [
        ("CreateStoryFunction", "WritingQueue", None, "WritingConcurrency"),
        ("IllustrateFunction", "PaintingQueue", "PaintRule", "PaintingConcurrency"),
        ("NarrateFunction", "NarratingQueue", "NarrateRule", "NarratingConcurrency"),
    ],
)
def test_each_stage_reads_its_own_queue_at_its_providers_pace(
    template, function, queue, rule, cap
) -> None:
    """Lambda developer guide, "Creating and configuring an Amazon SQS event source
    mapping": the queue's visibility timeout at least six times the function's (Lambda
    refuses a mapping whose function timeout exceeds it); "Configuring scaling behavior
    for SQS event source mappings": MaximumConcurrency, 2 to 1000 (the parameters' bounds,
    tests/families/test_planning.py); "Handling errors for an SQS event source in Lambda":
    ReportBatchItemFailures for partial batch responses."""
    [event] = functions(template)[function]["Events"].values()
    assert event["Type"] == "SQS"
    properties = event["Properties"]
    assert properties["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert properties["ScalingConfig"] == {"MaximumConcurrency": {"Ref": cap}}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queued = resources(template, "AWS::SQS::Queue")[queue]
    assert queued["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["FailuresQueue", "Arn"]
    }
    assert queued["VisibilityTimeout"] >= 6 * functions(template)[function]["Timeout"]
    if rule:
        spec = resources(template, "AWS::Events::Rule")[rule]
        assert spec["EventPattern"]["detail-type"] == ["StoryCreated"]
        [target] = spec["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}
        assert target["DeadLetterConfig"] == FAILURES


def test_story_ready_goes_to_the_notify_function_which_sends_email_with_ses(template) -> None:
    spec = functions(template)["NotifyFunction"]
    event = spec["Events"]["StoryReady"]
    assert event["Type"] == "EventBridgeRule"
    assert event["Properties"]["Pattern"]["detail-type"] == ["StoryReady"]
    actions = {
        action
        for policy in spec["Policies"]
        for statement in policy.get("Statement", [])
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }
    assert {"ses:SendEmail", "ses:SendRawEmail"} <= actions
    assert "StoryTopic" not in template["Resources"]


def test_bucket_is_private_encrypted_tls_only_and_forgets_after_two_days(template) -> None:
    bucket = template["Resources"]["MediaBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 2
    [deny] = template["Resources"]["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_openai_key_is_a_secret_never_a_parameter(template) -> None:
    assert "OpenAIApiKeySecret" in resources(template, "AWS::SecretsManager::Secret")
    assert not any("apikey" in name.lower() for name in template["Parameters"])
    assert template["Parameters"]["Privacy"]["Default"] == "private"
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["OPENAI_API_KEY_SECRET"] == {
        "Fn::If": ["UsesOpenAI", {"Ref": "OpenAIApiKeySecret"}, ""]
    }
    # A stack without OpenAI has no secret, so it costs nothing while idle
    assert template["Resources"]["OpenAIApiKeySecret"]["Condition"] == "UsesOpenAI"
    assert "OPENAI_API_KEY" not in variables


def test_every_function_has_an_on_failure_destination_and_its_own_log_group(template) -> None:
    """Invoked asynchronously (make story, the schedules, EventBridge): an on-failure
    destination. Fed by a queue: the queue's redrive policy. The web function answers."""
    for name, spec in functions(template).items():
        assert "LogGroup" in spec["LoggingConfig"], name
        if name in ("CreateStoryFunction", "NotifyFunction"):
            on_failure = spec["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
            assert on_failure == {"Type": "SQS", "Destination": FAILURES["Arn"]}, name


def test_web_function_has_a_public_url_and_only_reads_but_ratings_unsubscribes_and_recordings(
    template,
) -> None:
    """It reads, records a rating and who unsubscribed, and signs upload forms for
    recordings and deletes recordings only (IAM User Guide, "Amazon S3 resources": an
    object ARN's key may hold wildcards)."""
    spec = functions(template)["WebFunction"]
    assert spec["FunctionUrlConfig"] == {"AuthType": "NONE"}
    assert spec["Policies"] == [
        {"DynamoDBReadPolicy": {"TableName": {"Ref": "StoriesTable"}}},
        {"DynamoDBReadPolicy": {"TableName": {"Ref": "FamiliesTable"}}},
        {"DynamoDBReadPolicy": {"TableName": {"Ref": "CanonTable"}}},
        {
            "Statement": [
                {
                    "Sid": "ShowTheStoriesMedia",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": {"Fn::Sub": "${MediaBucket.Arn}/*"},
                },
                {
                    "Sid": "TakeARecordingOfTheStory",
                    "Effect": "Allow",
                    "Action": "s3:PutObject",
                    "Resource": {"Fn::Sub": "${MediaBucket.Arn}/stories/*/recording-*"},
                },
                {
                    "Sid": "DeleteARecordingTakenOff",
                    "Effect": "Allow",
                    "Action": "s3:DeleteObject",
                    "Resource": {"Fn::Sub": "${MediaBucket.Arn}/stories/*/recording-*"},
                },
                {
                    "Sid": "RecordTheFamilysRating",
                    "Effect": "Allow",
                    "Action": "dynamodb:UpdateItem",
                    "Resource": [
                        {"Fn::GetAtt": ["StoriesTable", "Arn"]},
                        {"Fn::GetAtt": ["CanonTable", "Arn"]},
                    ],
                },
                {  # an address's unsubscribe link, and its undo
                    "Sid": "RecordWhoUnsubscribed",
                    "Effect": "Allow",
                    "Action": "dynamodb:UpdateItem",
                    "Resource": {"Fn::GetAtt": ["FamiliesTable", "Arn"]},
                },
            ]
        },
    ]


def test_no_iam_statement_allows_every_action(template) -> None:
    text = json.dumps(template)
    for statement in _statements(template):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") == "Allow":
            assert not any(a == "*" or a.endswith(":*") for a in actions), statement
    assert '"Action": "*"' not in text


def _statements(template: dict):
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for policy in properties.get("Policies", []):
            yield from _policy_statements(policy)
        yield from properties.get("PolicyDocument", {}).get("Statement", [])


def _policy_statements(policy):
    if isinstance(policy, dict) and "Fn::If" in policy:
        for branch in policy["Fn::If"][1:]:
            yield from _policy_statements(branch)
    elif isinstance(policy, dict):
        yield from policy.get("PolicyDocument", policy).get("Statement", [])


def test_bedrock_image_permission_is_scoped_to_the_chosen_model(template) -> None:
    statements = {s.get("Sid"): s for s in _statements(template)}
    paint = statements["PaintWithBedrock"]
    assert paint["Action"] == "bedrock:InvokeModel"
    assert paint["Resource"]["Fn::Sub"].endswith("foundation-model/${BedrockImageModel}")


def test_outputs_name_the_site_bus_tables_and_bucket(template) -> None:
    assert {
        "SiteUrl",
        "EventBusName",
        "StoriesTableName",
        "CharactersTableName",
        "ScenesTableName",
        "MediaBucketName",
    } <= set(template["Outputs"])


def test_functions_build_for_arm64_python_3_13_with_the_makefile(template) -> None:
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Metadata"]["BuildMethod"] == "makefile", name


def test_the_bedtime_queue_feeds_notify_as_the_stage_queues_do(template) -> None:
    """Lambda developer guide, "Creating and configuring an Amazon SQS event source
    mapping": the queue's visibility timeout at least six times the function's;
    "Handling errors for an SQS event source in Lambda": ReportBatchItemFailures."""
    notify = functions(template)["NotifyFunction"]
    event = notify["Events"]["Bedtime"]
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["BedtimeQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queued = resources(template, "AWS::SQS::Queue")["BedtimeQueue"]
    assert queued["VisibilityTimeout"] >= 6 * notify["Timeout"]
    assert queued["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["FailuresQueue", "Arn"]
    }
