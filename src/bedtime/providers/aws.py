"""AWS providers (Polly, Bedrock): each call planned against the Budget, and a failed
call as a ProviderError with its request id."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bedtime.providers import ModelGone, ProviderError
from bedtime.providers.budget import Budget, CallPlan, CallSpec

# botocore's standard retry mode waits at most 20 s between attempts.
MAX_BACKOFF = 20.0
ClientFor = Callable[[CallPlan], Any]
THROTTLED = ("ThrottlingException", "TooManyRequestsException", "Throttling")


def provider_error(
    provider: str,
    error: ClientError | BotoCoreError,
    retryable_codes: Collection[str],
    model: str = "",
) -> ProviderError:
    """Retryable when the service names a code that can pass (throttling, 5xx), or when
    the call never got an answer (a BotoCoreError: connection, timeout). A model call
    answered ResourceNotFoundException names a model Bedrock no longer serves (Bedrock
    API reference, Converse and InvokeModel, "Errors")."""
    if isinstance(error, BotoCoreError):
        return ProviderError(f"{provider}: {error}", retryable=True)
    code = error.response.get("Error", {}).get("Code", "")
    request_id = error.response.get("ResponseMetadata", {}).get("RequestId")
    if model and code == "ResourceNotFoundException":
        return ModelGone(f"{provider} no longer serves {model}: {error}", model, request_id)
    return ProviderError(
        f"{provider}: {error}",
        retryable=code in retryable_codes,
        request_id=request_id,
        throttled=code in THROTTLED,
    )


class AwsCaller:
    """`client_for(plan)` gives a client whose timeout and attempts follow the plan."""

    provider = "AWS"
    retryable: Collection[str] = ()

    def __init__(self, client_for: ClientFor, budget: Budget) -> None:
        self._client_for = client_for
        self._budget = budget

    def _call(self, spec: CallSpec, operation: str, **request: Any) -> Any:
        client = self._client_for(self._budget.plan(spec))
        try:
            return getattr(client, operation)(**request)
        except (ClientError, BotoCoreError) as error:
            raise provider_error(
                self.provider, error, self.retryable, request.get("modelId", "")
            ) from error
