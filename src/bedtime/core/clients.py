"""boto3 clients, made once per process and only when first needed (boto3 itself is
imported then too: the web function, which uses light_aws, never loads it)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config


@cache
def _config(service: str) -> Config:
    from botocore.config import Config

    # Standard retries: throttling, 5xx and timeouts, with jittered backoff. Our own code
    # builds every request, so botocore's client-side parameter validation would only cost CPU.
    config = Config(
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=5,
        read_timeout=30,
        parameter_validation=False,
    )
    if service != "s3":
        return config
    # Presigned GETs that a browser can follow: Signature Version 4 (buckets made since June
    # 2020 refuse SigV2, which botocore would otherwise use in us-east-1) against the bucket's
    # regional virtual-hosted name (the global name can answer a new bucket with a 307
    # redirect for up to a day, to a host the page's CSP does not allow). Amazon S3 user
    # guide: "Authenticating Requests (AWS Signature Version 4)" and "Virtual hosting of
    # buckets"; DESIGN.md, "What real AWS refuses".
    return config.merge(
        Config(
            signature_version="s3v4",
            s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
        )
    )


def new_client(service: str, **options: Any) -> Any:
    """boto3.client for a service named at run time (boto3-stubs types each name apart)."""
    import boto3

    make: Any = boto3.client
    return make(service, **options)


@cache
def client(service: str) -> Any:
    """A shared client; region, credentials and endpoint come from the environment."""
    return new_client(service, config=_config(service))
