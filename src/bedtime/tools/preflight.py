"""Before anything talks to AWS: is a region set, and are there credentials? Answered
from the local configuration alone, in well under a second, with what to set."""

from __future__ import annotations

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


def check_aws(session: boto3.Session | None = None) -> str:
    """The region, or NotConfigured saying what to set. Makes no network call."""
    try:
        session = session or boto3.Session()
        credentials = session.get_credentials()
    except BotoCoreError as error:  # e.g. a profile named in AWS_PROFILE that does not exist
        raise NotConfigured(f"The AWS configuration cannot be read: {error}") from error
    if not session.region_name:
        raise NotConfigured(REGION_HELP)
    if credentials is None:
        raise NotConfigured(CREDENTIALS_HELP)
    return session.region_name
