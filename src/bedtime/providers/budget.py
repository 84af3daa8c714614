"""How long a provider call may take: what is left of the invocation, less a reserve.

Lambda stops a function at its timeout with no chance to clean up (Lambda developer
guide, "Configure Lambda function timeout"). A medium that is still `pending` then
never finishes and the family gets no email. So every provider call is planned against
`context.get_remaining_time_in_millis()`: its timeout times its attempts, plus the client's
backoff between attempts, must fit in what is left after RESERVE_SECONDS, the time
kept to record a failure and announce the story.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from bedtime.core.clients import new_client
from bedtime.providers import ProviderError

RESERVE_SECONDS = 20.0
SHORTEST_USEFUL_SECONDS = 5.0


@dataclass(frozen=True)
class CallSpec:
    """How a kind of call is made when time allows: per-attempt timeout, attempts, and the
    longest wait the client may sleep between two attempts."""

    timeout: float
    attempts: int
    max_backoff: float

    def worst_case(self, attempts: int | None = None, timeout: float | None = None) -> float:
        attempts = self.attempts if attempts is None else attempts
        timeout = self.timeout if timeout is None else timeout
        return attempts * timeout + (attempts - 1) * self.max_backoff


@dataclass(frozen=True)
class CallPlan:
    timeout: float
    attempts: int

    @property
    def retries(self) -> int:
        return self.attempts - 1


class OutOfTime(ProviderError):
    """Too little of the invocation is left for another provider call."""


class Budget:
    def __init__(self, remaining_ms: Callable[[], float], reserve: float = RESERVE_SECONDS):
        self._remaining_ms = remaining_ms
        self._reserve = reserve

    @classmethod
    def of(cls, context: Any) -> Budget:
        """The invocation's budget; without a Lambda context (a script), an hour."""
        if context is None or not hasattr(context, "get_remaining_time_in_millis"):
            deadline = time.monotonic() + 3600
            return cls(lambda: (deadline - time.monotonic()) * 1000)
        return cls(context.get_remaining_time_in_millis)

    def left(self) -> float:
        """Seconds that provider calls may still use."""
        return self._remaining_ms() / 1000 - self._reserve

    def plan(self, spec: CallSpec) -> CallPlan:
        """The spec as it is, or with fewer attempts, or one shorter attempt: whatever
        fits in what is left. OutOfTime when not even a short attempt fits."""
        left = self.left()
        for attempts in range(spec.attempts, 0, -1):
            if spec.worst_case(attempts) <= left:
                return CallPlan(spec.timeout, attempts)
        if left >= SHORTEST_USEFUL_SECONDS:
            return CallPlan(left, 1)
        raise OutOfTime(f"{left:.0f} s left of the invocation: too little for another call")


@cache
def provider_client(service: str, plan: CallPlan) -> Any:
    """A client for a provider call whose timeout and attempts follow the plan."""
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "total_max_attempts": plan.attempts},
        connect_timeout=min(5.0, plan.timeout),
        read_timeout=plan.timeout,
    )
    return new_client(service, config=config)
