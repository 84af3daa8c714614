"""A failed AWS provider call (Polly, Bedrock) as a ProviderError, with its request id."""

from __future__ import annotations

from collections.abc import Collection

from botocore.exceptions import BotoCoreError, ClientError

from bedtime.providers import ProviderError


def provider_error(
    provider: str, error: ClientError | BotoCoreError, retryable_codes: Collection[str]
) -> ProviderError:
    """Retryable when the service names a code that can pass (throttling, 5xx), or when
    the call never got an answer (a BotoCoreError: connection, timeout)."""
    if isinstance(error, BotoCoreError):
        return ProviderError(f"{provider}: {error}", retryable=True)
    code = error.response.get("Error", {}).get("Code", "")
    request_id = error.response.get("ResponseMetadata", {}).get("RequestId")
    return ProviderError(
        f"{provider}: {error}", retryable=code in retryable_codes, request_id=request_id
    )
