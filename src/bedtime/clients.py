"""boto3 clients, made once per process and only when first needed."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_RETRIES = Config(
    retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=30
)


@cache
def client(service: str) -> Any:
    """A shared client; region, credentials and endpoint come from the environment."""
    return boto3.client(service, config=_RETRIES)
