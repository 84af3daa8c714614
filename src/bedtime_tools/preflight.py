"""Before anything talks to AWS: is a region set, can it serve the site, are there
credentials, and is the deploy's time zone a real one? Answered from the local
configuration alone, in well under a second, with what to set."""

from __future__ import annotations

import difflib
from zoneinfo import available_timezones

import boto3
from botocore.exceptions import BotoCoreError


class NotConfigured(RuntimeError):
    """AWS is not set up on this machine; the message says what to set."""


REGION_HELP = (
    "No AWS region is set. Set one, for example `export AWS_REGION=eu-west-2`, or add "
    "`region = eu-west-2` to your profile in ~/.aws/config."
)
CREDENTIALS_HELP = (
    "No AWS credentials were found. Run `aws configure` (or `aws sso login`), or set "
    "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
)


# Lambda developer guide, "Invoking Lambda function URLs" (read 3 December 2026): these
# Regions do not support function URLs, and the reading site is one.
NO_FUNCTION_URLS = frozenset(
    {
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
    }
)


def check_aws(session: boto3.Session | None = None) -> str:
    """The region, or NotConfigured saying what to set. Makes no network call."""
    try:
        session = session or boto3.Session()
        credentials = session.get_credentials()
    except BotoCoreError as error:  # e.g. a profile named in AWS_PROFILE that does not exist
        raise NotConfigured(f"The AWS configuration cannot be read: {error}") from error
    if not session.region_name:
        raise NotConfigured(REGION_HELP)
    if session.region_name in NO_FUNCTION_URLS:
        raise NotConfigured(
            f"Region {session.region_name} has no Lambda function URLs (Lambda developer guide,"
            ' "Invoking Lambda function URLs"), and the reading site is one. Deploy to another'
            " Region, for example `export AWS_REGION=eu-west-2`."
        )
    if credentials is None:
        raise NotConfigured(CREDENTIALS_HELP)
    return session.region_name


def check_time_zone(zone: str) -> str:
    """The deploy's StoryTimeZone, or NotConfigured naming the closest IANA zones: a
    mistyped zone would deploy cleanly and then fail every function on first use."""
    zones = available_timezones()
    if zone not in zones:
        close = difflib.get_close_matches(zone, sorted(zones), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise NotConfigured(
            f"StoryTimeZone={zone!r} is not an IANA time zone.{hint} Set it in samconfig.toml's"
            " parameter_overrides, or answer again with `make deploy GUIDED=1`."
        )
    return zone
