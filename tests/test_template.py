"""template.yaml declares the whole system, least-privileged."""

from __future__ import annotations

import json

import pytest

from bedtime.local.template import resources

FAILURES = {"Arn": {"Fn::GetAtt": ["FailuresQueue", "Arn"]}}


def functions(template: dict) -> dict[str, dict]:
    return resources(template, "AWS::Serverless::Function")


def test_schedule_fires_create_story_at_story_time_in_the_family_time_zone(template) -> None:
    nightly = functions(template)["CreateStoryFunction"]["Events"]["Nightly"]
    assert nightly["Type"] == "ScheduleV2"
    properties = nightly["Properties"]
    assert properties["ScheduleExpressionTimezone"] == {"Ref": "StoryTimeZone"}
    assert "<aws.scheduler.scheduled-time>" in properties["Input"]
    assert properties["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert properties["DeadLetterConfig"] == FAILURES
    assert template["Parameters"]["StoryTime"]["Default"] == "19:15"


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


@pytest.mark.parametrize("function", ["IllustrateFunction", "NarrateFunction"])
def test_story_created_fans_out_to_each_media_function(template, function) -> None:
    [event] = functions(template)[function]["Events"].values()
    assert event["Type"] == "EventBridgeRule"
    assert event["Properties"]["EventBusName"] == {"Ref": "StoryBus"}
    assert event["Properties"]["Pattern"] == {
        "source": ["bedtime.stories"],
        "detail-type": ["StoryCreated"],
    }
    assert event["Properties"]["DeadLetterConfig"] == FAILURES


def test_story_ready_emails_a_human_message_through_the_topic(template) -> None:
    rule = template["Resources"]["StoryReadyRule"]["Properties"]
    assert rule["EventPattern"]["detail-type"] == ["StoryReady"]
    [target] = rule["Targets"]
    assert target["Arn"] == {"Ref": "StoryTopic"}
    assert set(target["InputTransformer"]["InputPathsMap"]) == {"title", "url"}
    assert template["Resources"]["FamilyEmail"]["Condition"] == "HasEmail"


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
    for name, spec in functions(template).items():
        assert "LogGroup" in spec["LoggingConfig"], name
        if name != "WebFunction":
            on_failure = spec["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
            assert on_failure["Type"] == "SQS", name


def test_web_function_has_a_public_url_and_only_reads(template) -> None:
    spec = functions(template)["WebFunction"]
    assert spec["FunctionUrlConfig"] == {"AuthType": "NONE"}
    assert spec["Policies"] == [
        {"DynamoDBReadPolicy": {"TableName": {"Ref": "StoriesTable"}}},
        {"DynamoDBReadPolicy": {"TableName": {"Ref": "FamiliesTable"}}},
        {"DynamoDBReadPolicy": {"TableName": {"Ref": "CanonTable"}}},
        {"S3ReadPolicy": {"BucketName": {"Ref": "MediaBucket"}}},
        {
            "Statement": [
                {
                    "Sid": "RecordTheFamilysRating",
                    "Effect": "Allow",
                    "Action": "dynamodb:UpdateItem",
                    "Resource": [
                        {"Fn::GetAtt": ["StoriesTable", "Arn"]},
                        {"Fn::GetAtt": ["CanonTable", "Arn"]},
                    ],
                }
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
