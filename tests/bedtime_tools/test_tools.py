"""The laptop commands' first answers: what to set when AWS is not set up, before any
network call, and the smoke test's reading of a page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import boto3
import pytest

from bedtime_tools.preflight import (
    CREDENTIALS_HELP,
    NO_FUNCTION_URLS,
    REGION_HELP,
    NotConfigured,
    check_aws,
    check_time_zone,
)
from bedtime_tools.smoke import csp_sources, media_on
from helpers import ROOT


@pytest.fixture
def no_aws_config(monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_no_region_says_what_to_set(no_aws_config) -> None:
    with pytest.raises(NotConfigured) as raised:
        check_aws(boto3.Session())
    assert str(raised.value) == REGION_HELP and "AWS_REGION" in REGION_HELP


def test_a_region_without_credentials_says_how_to_get_them(no_aws_config) -> None:
    with pytest.raises(NotConfigured) as raised:
        check_aws(boto3.Session(region_name="eu-west-2"))
    assert str(raised.value) == CREDENTIALS_HELP


def without_aws(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return env | {
        "HOME": str(tmp_path),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONPATH": str(ROOT / "src"),
    }


@pytest.mark.parametrize("command", ["seed", "story", "smoke"])
def test_commands_without_aws_or_a_local_run_say_exactly_what_to_set(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-m", "bedtime_tools", command, "--port", "3999"],
        cwd=tmp_path,
        env=without_aws(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # someone with no AWS account is told about `make run`, not about AWS regions
    assert "No `make run` is up on port 3999. Start one with `make run`" in result.stderr
    assert "AWS_REGION" not in result.stderr and "region" not in result.stderr


def test_a_named_stack_without_aws_says_what_aws_needs(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bedtime_tools", "story", "--stack", "s", "--port", "3999"],
        cwd=tmp_path,
        env=without_aws(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "AWS_REGION" in result.stderr


@pytest.mark.parametrize("command", [["bedtime_tools", "story"], ["bedtime_local"]])
@pytest.mark.parametrize("port", ["abc", "0", "70000", "\uff13\uff10\uff10\uff10"])
def test_a_port_that_is_not_a_number_is_one_line_naming_the_fix(tmp_path, command, port):
    result = subprocess.run(
        [sys.executable, "-m", *command, "--port", port],
        cwd=tmp_path,
        env=without_aws(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"PORT={port} is not a port number; use one from 1 to 65535" in result.stderr
    assert "usage:" not in result.stderr and not list(tmp_path.iterdir())


def test_a_run_state_left_by_a_killed_run_is_seen_at_once_without_asking_its_endpoint(
    tmp_path, monkeypatch
) -> None:
    from bedtime_tools import target

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    state = {"pid": int(dead.stdout), "endpoint": "http://127.0.0.1:9", "controlQueue": "q"}
    (tmp_path / "run-3999.json").write_text(json.dumps(state))

    def no_endpoint(*args, **kwargs):
        raise AssertionError("the stale run's endpoint was asked (and retried for seconds)")

    monkeypatch.setattr(target, "local_client", no_endpoint)
    assert target.local_target(3999, tmp_path) is None


def test_the_smoke_test_finds_the_media_and_reads_the_csp() -> None:
    image = "https://b.s3.eu-west-2.amazonaws.com/p.png?a=1&amp;b=2"
    page = f'<img src="{image}" alt=""><audio src="x.mp3">'
    assert media_on(page) == [
        ("img", "https://b.s3.eu-west-2.amazonaws.com/p.png?a=1&b=2"),
        ("audio", "x.mp3"),
    ]
    csp = "default-src 'none'; img-src 'self' https://b; media-src https://b"
    assert csp_sources(csp, "img-src") == ["'self'", "https://b"]
    assert csp_sources(csp, "media-src") == ["https://b"]


def test_a_new_secret_ends_the_old_links(aws, capsys, monkeypatch) -> None:
    from bedtime import services
    from bedtime.core.clients import new_client
    from bedtime.families.readers import HOME
    from bedtime_tools import __main__ as tools
    from bedtime_tools.target import Target

    old = services.reader_secrets().ensure(HOME).feed_token()
    names = {"FamiliesTable": "FamiliesTable"}
    stack = Target("stack s", new_client, names, ask=print, local=False)
    monkeypatch.setattr(tools, "stack_target", lambda name: stack)
    assert tools.main(["new-secret", "--stack", "s"]) == 0
    assert "New reader secret" in capsys.readouterr().out
    services.clear()
    assert services.reader_secrets().keys(HOME).feed_token() != old


@pytest.mark.parametrize("region", sorted(NO_FUNCTION_URLS))
def test_a_region_without_function_urls_is_refused_before_deploying(no_aws_config, region) -> None:
    """Lambda developer guide, "Invoking Lambda function URLs": function URLs are not
    supported in these Regions; the reading site is one, so the deploy would fail."""
    session = boto3.Session(region_name=region, aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(NotConfigured, match="Invoking Lambda function URLs"):
        check_aws(session)


def test_a_region_with_function_urls_passes(no_aws_config) -> None:
    session = boto3.Session(
        region_name="eu-west-2", aws_access_key_id="a", aws_secret_access_key="b"
    )
    assert check_aws(session) == "eu-west-2"


def test_a_mistyped_time_zone_is_refused_before_deploying() -> None:
    with pytest.raises(NotConfigured, match="Did you mean Europe/London"):
        check_time_zone("Europe/Londn")
    assert check_time_zone("America/New_York") == "America/New_York"


# --- revoking access: make new-secret ------------------------------------------------
def _families_with_secrets(*ids: str) -> dict[str, str]:
    """Families saved with their reader secrets; each one's feed token."""
    from zoneinfo import ZoneInfo

    from bedtime import services
    from bedtime.records.families import Family

    for family_id in ids:
        services.reader_secrets().ensure(family_id)
        services.family_store().save(Family(family_id, ZoneInfo("UTC")))
    return {
        family_id: services.reader_secrets().ensure(family_id).feed_token() for family_id in ids
    }


def _new_secret(monkeypatch, *args: str, local: bool = False) -> int:
    from bedtime.core.clients import new_client
    from bedtime_tools import __main__ as tools
    from bedtime_tools.target import Target

    names = {"FamiliesTable": "FamiliesTable"}
    target = Target("stack s", new_client, names, ask=print, local=local)
    monkeypatch.setattr(tools, "stack_target", lambda name: target)
    return tools.main(["new-secret", "--stack", "s", *args])


def _feed_tokens(*ids: str) -> dict[str, str]:
    from bedtime import services

    services.clear()
    return {family_id: services.reader_secrets().keys(family_id).feed_token() for family_id in ids}


def test_a_new_secret_for_one_family_ends_its_links_only_and_makes_no_home_item(
    aws, capsys, monkeypatch
) -> None:
    before = _families_with_secrets("alpha", "beta")
    assert _new_secret(monkeypatch, "--family", "alpha") == 0
    after = _feed_tokens("alpha", "beta")
    assert after["alpha"] != before["alpha"] and after["beta"] == before["beta"]
    assert "family alpha" in capsys.readouterr().out
    items = boto3.client("dynamodb").scan(TableName=aws.resolver.names["FamiliesTable"])["Items"]
    assert sorted(item["id"]["S"] for item in items) == ["alpha", "beta"]


def test_all_replaces_every_familys_secret_and_says_how_long_it_takes(
    aws, capsys, monkeypatch
) -> None:
    before = _families_with_secrets("alpha", "beta")
    assert _new_secret(monkeypatch, "--all") == 0
    after = _feed_tokens("alpha", "beta")
    assert all(after[family] != before[family] for family in before)
    assert "within 5 minutes" in capsys.readouterr().out


def test_a_new_secret_for_a_family_that_is_not_there_says_so_and_writes_nothing(
    aws, capsys, monkeypatch
) -> None:
    _families_with_secrets("alpha")
    assert _new_secret(monkeypatch, "--family", "nobody") == 1
    assert "Family nobody has no reader secret" in capsys.readouterr().err
    items = boto3.client("dynamodb").scan(TableName=aws.resolver.names["FamiliesTable"])["Items"]
    assert [item["id"]["S"] for item in items] == ["alpha"]


def test_in_the_local_run_a_new_secret_shuts_out_a_signed_in_browser_at_once(
    aws, capsys, monkeypatch, lambda_context
) -> None:
    import time

    from bedtime import services
    from bedtime.core.access import SESSION_COOKIE
    from bedtime.handlers import web
    from bedtime_local.function_url import function_url_event
    from bedtime_local.runner import local_environment

    # Given the local run's environment and a browser signed in to family alpha
    local = local_environment({}, "http://127.0.0.1:1")
    monkeypatch.setenv("READER_KEYS_SECONDS", local["READER_KEYS_SECONDS"])
    services.clear()
    _families_with_secrets("alpha")
    now = int(time.time())
    cookie = services.reader_secrets().keys("alpha").session_cookie(now, now + 3600)

    def home_page() -> int:
        headers = {"cookie": f"{SESSION_COOKIE}={cookie}"}
        event = function_url_event("GET", "/", headers, b"", "example.test", "203.0.113.1")
        return int(web.handler(event, lambda_context)["statusCode"])

    assert home_page() == 200
    # When the secret is replaced (by another process: the running site keeps its caches)
    assert _new_secret(monkeypatch, "--family", "alpha", local=True) == 0
    # Then the very next request is refused, and the command said so
    assert home_page() == 401
    assert "stops working now" in capsys.readouterr().out


def test_a_deployed_function_stops_using_a_rotated_secret_within_its_cache(aws) -> None:
    """The bound `make new-secret` prints for a stack: a warm function remembers a
    family's secret for READER_KEYS_SECONDS, and not a moment longer."""
    from bedtime.core.settings import READER_KEYS_SECONDS
    from bedtime.families.readers import ReaderSecrets

    _families_with_secrets("alpha")
    table = aws.resolver.names["FamiliesTable"]
    now = [0.0]
    warm = ReaderSecrets(boto3.client("dynamodb"), table, clock=lambda: now[0])
    old = warm.keys("alpha").feed_token()
    ReaderSecrets(boto3.client("dynamodb"), table).rotate("alpha")
    now[0] = READER_KEYS_SECONDS - 1
    assert warm.keys("alpha").feed_token() == old
    now[0] = READER_KEYS_SECONDS
    assert warm.keys("alpha").feed_token() != old


def test_make_help_names_every_variable_the_readme_uses() -> None:
    readme = (ROOT / "README.md").read_text()
    assigned = set(re.findall(r"\b([A-Z][A-Z0-9_]{2,})=", readme))
    quoted = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", readme)) - {
        "DRAFT",
        "GET",
        "HEAD",
        "WARNING",
    }
    shown = subprocess.run(
        [shutil.which("make") or "/usr/bin/make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    missing = sorted(name for name in assigned | quoted if not re.search(rf"\b{name}\b", shown))
    assert not missing, f"make help does not mention {missing}"
