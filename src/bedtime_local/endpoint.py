"""boto3 clients for the local AWS endpoint (moto's server)."""

from __future__ import annotations

from typing import Any

from bedtime.core.clients import new_client


def local_client(service: str, endpoint: str) -> Any:
    return new_client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any key
    )
