"""One night of making stories, event by event: no sleeping, no threads, one heap.

Each stage is an SQS queue whose event source mapping runs at most `cap` workers. A
worker takes the next visible message and calls its provider, whose rate limit is a
token bucket (steady rate, burst). A call over the limit is throttled: the message goes
back to its queue, invisible for an exponential backoff with jitter (never dropped, never
failed, never retried in a tight loop), and the worker rests until the limit has room
again (OpenAI's 429 carries x-ratelimit-reset headers; Polly refills every 1/8 s) plus a
little jitter, so the workers do not all come back at once. A throttled narration starts
over: its earlier requests count against the limit again.

Writing feeds painting and narrating in parallel; a story is ready when both are done.
At bedtime a picture not yet painted is painted offline (handlers/notify.py), and so is
one taken from its queue less than a model call before bedtime (illustrating.py); neither
takes a token, and a queued message whose picture is already painted costs nothing. A
picture the model was painting at bedtime is paid for and not used: counted as unused.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bedtime.families.planning import MODEL_PICTURE_TAKES, NightPlan, ProviderLimit

FIRST_STAGE = "writing"
MEDIA_STAGES = ("painting", "narrating")
SCHEDULER_PRECISION = 60.0  # Scheduler invokes within the minute (no flexible window)
THROTTLE_SECONDS = 0.3  # a 429 or ThrottlingException comes back quickly
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0  # the longest a throttled message stays invisible
REST_JITTER = 1.0  # seconds, at most, added to a throttled worker's rest
LOST_AFTER = timedelta(hours=24)  # not ready a day after bedtime: tomorrow's story is due
OFFLINE_PAINTING = "painting"
OFFLINE_SECONDS = 1.0  # the offline painter's picture, on a Lambda core
TOO_NEAR = MODEL_PICTURE_TAKES.total_seconds()  # illustrating.py paints offline this near
SKIP_SECONDS = 0.05  # a message whose work is already done


@dataclass(frozen=True)
class StageSpec:
    name: str
    cap: int
    limit: ProviderLimit
    spread: float = 0.35  # lognormal sigma of a call's duration around its typical value


@dataclass
class Bucket:
    """A provider's rate limit: `rate` calls a second, at most `capacity` at once."""

    rate: float
    capacity: float
    tokens: float
    updated: float = 0.0

    def take(self, now: float) -> bool:
        self._refill(now)
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def wait(self, now: float) -> float:
        """Seconds until the next call would be let through."""
        self._refill(now)
        return max(0.0, (1.0 - self.tokens) / self.rate)

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


@dataclass
class Message:
    story: int
    throttled: int = 0  # times this message came back throttled
    calls_done: int = 0
    offline: bool = False


@dataclass
class Stage:
    spec: StageSpec
    bucket: Bucket
    idle: int
    queue: deque[Message] = field(default_factory=deque)
    delayed: int = 0  # throttled messages waiting out their backoff
    busy: float = 0.0
    calls: int = 0
    throttles: int = 0
    offline: int = 0  # calls made offline instead, because bedtime had come
    unused: int = 0  # paid calls whose picture came after bedtime's offline one
    first: float = math.inf
    last: float = 0.0
    hour_max: dict[int, int] = field(default_factory=dict)
    hour_end: dict[int, int] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return len(self.queue) + self.delayed

    def note_depth(self, now: float) -> None:
        hour, depth = int(now // 3600), self.depth
        if depth > self.hour_max.get(hour, -1):
            self.hour_max[hour] = depth
        self.hour_end[hour] = depth

    def hourly_depth(self, first_hour: int, last_hour: int) -> list[int]:
        """The most messages waiting in each hour, carrying quiet hours forward."""
        series, carry = [], 0
        for hour in range(first_hour, last_hour + 1):
            series.append(max(self.hour_max.get(hour, carry), carry))
            carry = self.hour_end.get(hour, carry)
        return series


def _mu(limit: ProviderLimit, sigma: float) -> float:
    """The lognormal mu whose mean is the typical duration."""
    return math.log(limit.seconds_per_call) - sigma * sigma / 2


@dataclass
class Night:
    plans: Sequence[NightPlan]
    specs: Sequence[StageSpec]
    rng: random.Random
    now: float = 0.0
    events: int = 0
    _heap: list[tuple[float, int, Callable[[Any], None], Any]] = field(default_factory=list)
    _order: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        make_at = min(plan.make_at for plan in self.plans)
        self.origin = make_at.replace(hour=0, minute=0, second=0, microsecond=0)
        self.deliver = [self.seconds(plan.deliver_at) for plan in self.plans]
        self.written: list[float | None] = [None] * len(self.plans)
        self.ready: list[float | None] = [None] * len(self.plans)
        self._media = [0] * len(self.plans)
        self._painted = [False] * len(self.plans)
        self.stages = {spec.name: self._stage(spec) for spec in self.specs}
        self._mus = {spec.name: _mu(spec.limit, spec.spread) for spec in self.specs}

    def _stage(self, spec: StageSpec) -> Stage:
        burst = max(1.0, spec.limit.burst)
        return Stage(spec, Bucket(spec.limit.per_second, burst, burst), idle=spec.cap)

    def seconds(self, instant: datetime) -> float:
        return (instant - self.origin).total_seconds()

    def run(self) -> Night:
        for story, plan in enumerate(self.plans):
            jitter = self.rng.random() * SCHEDULER_PRECISION
            self._push(self.seconds(plan.make_at) + jitter, self._make, story)
            self._push(self.deliver[story], self._bedtime, story)
        horizon = max(self.deliver) + LOST_AFTER.total_seconds()
        while self._heap and self._heap[0][0] <= horizon:
            self.now, _, handler, argument = heapq.heappop(self._heap)
            self.events += 1
            handler(argument)
        return self

    def _push(self, at: float, handler: Callable[[Any], None], argument: Any) -> None:
        heapq.heappush(self._heap, (at, next(self._order), handler, argument))

    # --- the queue and its workers -------------------------------------------------
    def _make(self, story: int) -> None:
        self._arrive(self.stages[FIRST_STAGE], Message(story))

    def _arrive(self, stage: Stage, message: Message) -> None:
        stage.first = min(stage.first, self.now)
        stage.queue.append(message)
        self._dispatch(stage)

    def _visible(self, item: tuple[Stage, Message]) -> None:
        stage, message = item
        stage.delayed -= 1
        self._arrive(stage, message)

    def _dispatch(self, stage: Stage) -> None:
        while stage.idle and stage.queue:
            stage.idle -= 1
            self._call(stage, stage.queue.popleft())
        stage.note_depth(self.now)

    def _call(self, stage: Stage, message: Message) -> None:
        if stage.spec.name == OFFLINE_PAINTING and (
            self._painted[message.story] or self.now + TOO_NEAR > self.deliver[message.story]
        ):
            took = SKIP_SECONDS if self._painted[message.story] else OFFLINE_SECONDS
            stage.offline += not self._painted[message.story]
            stage.busy += took
            message.offline = True
            message.calls_done = stage.spec.limit.calls_per_story - 1
            self._push(self.now + took, self._called, (stage, message))
        elif stage.bucket.take(self.now):
            took = self.rng.lognormvariate(self._mus[stage.spec.name], stage.spec.spread)
            stage.busy += took
            self._push(self.now + took, self._called, (stage, message))
        else:
            stage.busy += THROTTLE_SECONDS
            self._push(self.now + THROTTLE_SECONDS, self._throttled, (stage, message))

    def _called(self, item: tuple[Stage, Message]) -> None:
        stage, message = item
        stage.calls += not message.offline
        message.calls_done += 1
        if message.calls_done < stage.spec.limit.calls_per_story:
            self._call(stage, message)
            return
        stage.last = self.now
        stage.idle += 1
        if stage.spec.name == OFFLINE_PAINTING and not message.offline:
            stage.unused += self._painted[message.story]
        self._finished(stage.spec.name, message.story)
        self._dispatch(stage)

    def _throttled(self, item: tuple[Stage, Message]) -> None:
        stage, message = item
        stage.throttles += 1
        message.throttled += 1
        message.calls_done = 0
        stage.delayed += 1
        stage.note_depth(self.now)
        self._push(self.now + self._backoff(message.throttled), self._visible, item)
        rest = stage.bucket.wait(self.now) + self.rng.random() * REST_JITTER
        self._push(self.now + rest, self._rested, stage)

    def _rested(self, stage: Stage) -> None:
        stage.idle += 1
        self._dispatch(stage)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: never less than half the step."""
        step = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempt - 1, 30))
        return step / 2 + self.rng.random() * step / 2

    # --- a story's progress ----------------------------------------------------------
    def _finished(self, stage_name: str, story: int) -> None:
        if stage_name == FIRST_STAGE:
            self.written[story] = self.now
            for name in MEDIA_STAGES:
                self._arrive(self.stages[name], Message(story))
            return
        if stage_name == OFFLINE_PAINTING:
            if self._painted[story]:
                return  # painted offline at bedtime, while this one was under way
            self._painted[story] = True
        self._media_done(story)

    def _media_done(self, story: int) -> None:
        self._media[story] += 1
        if self._media[story] == len(MEDIA_STAGES):
            self.ready[story] = self.now

    def _bedtime(self, story: int) -> None:
        """Tonight's email is due: a written story's picture not yet painted is painted now."""
        if self.written[story] is None or self._painted[story]:
            return
        self._painted[story] = True
        self.stages[OFFLINE_PAINTING].offline += 1
        self._push(self.now + OFFLINE_SECONDS, self._media_done, story)
