"""The local run's background loops, each on its own thread until the run stops: a
piece of work every few seconds, or a queue of the run's own drained message by message.
One bad turn or message is reported and the loop goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Loops:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.stopping = threading.Event()

    def spawn(self, target: Callable[[], None], name: str) -> None:
        threading.Thread(target=target, name=name, daemon=True).start()

    def every(self, seconds: float, work: Callable[[], None], name: str) -> None:
        self.spawn(lambda: self._repeat(seconds, work), name)

    def drain(self, sqs: Any, queue_url: str, handle: Callable[[dict], None], name: str) -> None:
        self.spawn(lambda: self._drain(sqs, queue_url, handle), name)

    def error(self, error: Exception) -> None:
        if not self.stopping.is_set():  # once stopping, the endpoint is going away
            self.say(f"  {threading.current_thread().name}: {error!r}")

    def _repeat(self, seconds: float, work: Callable[[], None]) -> None:
        while not self.stopping.wait(seconds):
            try:
                work()
            except Exception as error:  # a loop must outlive one bad turn
                self.error(error)

    def _drain(self, sqs: Any, queue_url: str, handle: Callable[[dict], None]) -> None:
        """Take each message off a queue of the local run's own, and handle it."""
        while not self.stopping.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=queue_url, WaitTimeSeconds=1, MaxNumberOfMessages=10
                ).get("Messages", [])
            except Exception as error:  # the endpoint stopping under the long poll
                self.error(error)
                self.stopping.wait(1)
                continue
            for message in messages:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                try:
                    handle(message)
                except Exception as error:  # one bad message must not end the loop
                    self.error(error)
