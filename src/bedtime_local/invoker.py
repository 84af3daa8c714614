"""Running the template's functions as Lambda runs them: each invocation timed on the
timeline, a failed one sent where the cloud's on-failure destination would send it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bedtime_local.functions import LocalFunction


@dataclass
class Stage:
    name: str
    story_id: str | None
    started: float
    finished: float
    outcome: str

    @property
    def seconds(self) -> float:
        return self.finished - self.started


@dataclass
class Timeline:
    """What ran when; printed as it goes, and read by tests and `make bench`."""

    say: Callable[[str], None]
    origin: float = field(default_factory=time.monotonic)
    stages: list[Stage] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, stage: Stage) -> None:
        with self.changed:
            self.stages.append(stage)
            self.changed.notify_all()
        self.say(
            f"  [{stage.finished - self.origin:6.1f}s] {stage.name:<20} {stage.outcome:<7}"
            f" in {stage.seconds:5.2f} s"
        )

    def wait_for(self, done: Callable[[list[Stage]], bool], timeout: float) -> bool:
        """Whether the stages came to satisfy `done` within `timeout` seconds."""
        with self.changed:
            return self.changed.wait_for(lambda: done(self.stages), timeout)


@dataclass
class Invoker:
    functions: Mapping[str, LocalFunction]
    timeline: Timeline
    say: Callable[[str], None]
    send_failure: Callable[[str], None]  # to the failures queue, the message's body

    def invoke(self, name: str, event: Any, story_id: str | None = None) -> Any:
        function = self.functions[name]
        started = time.monotonic()
        self.say(f"  [{started - self.timeline.origin:6.1f}s] {name:<20} running...")
        outcome, result = "done", None
        try:
            result = function.invoke(event)
        except Exception as error:  # a Lambda error: logged, then the on-failure destination
            outcome = "error"
            self.say(f"  {name} raised {type(error).__name__}: {error}")
            self.record_failure(name, event, error)
        if isinstance(result, dict) and ("error" in result or result.get("batchItemFailures")):
            outcome = "refused" if "error" in result else "retry"
        story_id = story_id or _story_of(event, result)
        self.timeline.record(Stage(name, story_id, started, time.monotonic(), outcome))
        return result

    def invoke_async(self, name: str, event: Any, story_id: str | None = None) -> None:
        """As Lambda invokes a rule's or a schedule's target: on its own, not waited for."""
        threading.Thread(
            target=self.invoke, args=(name, event, story_id), name=name, daemon=True
        ).start()

    def tick(self, name: str, event: Any) -> None:
        """A schedule's target, invoked in the scheduler's thread; shown only when it sent
        work, as a minute's tick mostly finds nothing to do."""
        try:
            result = self.functions[name].invoke(event)
        except Exception as error:  # a failed tick: the failures queue, as in the cloud
            self.say(f"  {name} raised {type(error).__name__}: {error}")
            self.record_failure(name, event, error)
            return
        if isinstance(result, dict) and result.get("sent"):
            self.say(f"  {name} at {event.get('scheduledTime')}: sent {result['sent']} to do")

    def record_failure(self, source: str, event: Any, error: Exception) -> None:
        """What the cloud's on-failure destination or dead-letter queue would receive."""
        body = {"source": source, "error": f"{type(error).__name__}: {error}", "event": event}
        self.send_failure(json.dumps(body, default=str))


def _story_of(event: Any, result: Any) -> str | None:
    """The story an invocation worked on: the one its result names, or the one every
    message of its queue batch is about."""
    if isinstance(result, dict) and result.get("storyId"):
        return str(result["storyId"])
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return None
    stories = set()
    for record in records:
        try:
            stories.add(json.loads(record["body"])["detail"]["storyId"])
        except (KeyError, TypeError, ValueError):
            return None
    return stories.pop() if len(stories) == 1 else None
