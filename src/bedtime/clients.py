"""boto3 clients, made once per process and only when first needed."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Standard retries: throttling, 5xx and timeouts, with jittered backoff. Our own code builds
# every request, so botocore's client-side parameter validation would only cost CPU.
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=5,
    read_timeout=30,
    parameter_validation=False,
)


@cache
def client(service: str) -> Any:
    """A shared client; region, credentials and endpoint come from the environment."""
    return boto3.client(service, config=_CONFIG)
