"""Before anything talks to AWS: is a region set, can it serve the site, are there
credentials, and is the deploy's time zone a real one? Answered from the local
configuration alone, in well under a second, with what to set."""

from __future__ import annotations

from zoneinfo import available_timezones

import boto3
from botocore.exceptions import BotoCoreError

from bedtime.core.zones import UnknownZone


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


def check_sender(sender: str, guided: bool) -> str:
    """The deploy's SenderEmail: a plain `sam deploy` stops at CloudFormation without one."""
    if not sender and not guided:
        raise NotConfigured(
            "SenderEmail is not set: the families' email comes from it, through Amazon SES."
            " Verify an address in SES first (README, Deploy to AWS), then deploy with"
            " `make deploy GUIDED=1`, which asks for it, or add SenderEmail=you@example.com"
            " to samconfig.toml's parameter_overrides."
        )
    return sender or "asked by the guided deploy"


def check_time_zone(zone: str) -> str:
    """The deploy's StoryTimeZone, or NotConfigured naming the closest IANA zones: a
    mistyped zone would deploy cleanly and then fail every function on first use."""
    if zone not in available_timezones():
        raise NotConfigured(
            f"{UnknownZone(zone, f'StoryTimeZone={zone!r}')} Set it in samconfig.toml's"
            " parameter_overrides, or answer again with `make deploy GUIDED=1`."
        )
    return zone
