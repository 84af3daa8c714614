"""An SQS event source mapping, locally: poll the queue, invoke the function with
batches, at most `max_concurrency` invocations at once, and delete what succeeded. What
failed stays for the queue's visibility timeout, or for the backoff the function set."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class QueueConsumer:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        invoke: Callable[[dict], Any],
        batch_size: int,
        max_concurrency: int,
        on_error: Callable[[Exception], None],
    ) -> None:
        self._sqs = sqs
        self._url = queue_url
        self._arn = queue_arn
        self._invoke = invoke
        self._batch = min(batch_size, 10)
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._on_error = on_error

    def poll(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            if not self._slots.acquire(timeout=0.5):
                continue
            try:
                messages = self._receive()
            except Exception as error:  # the endpoint stopping under the long poll
                self._on_error(error)
                messages = []
                stopping.wait(1)
            if not messages:
                self._slots.release()
                continue
            threading.Thread(target=self._run, args=(messages,), daemon=True).start()

    def _receive(self) -> list[dict]:
        return self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=self._batch,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])

    def _run(self, messages: list[dict]) -> None:
        try:
            failed = _failures(self._invoke({"Records": [self._record(m) for m in messages]}))
            for message in messages:
                if message["MessageId"] not in failed:
                    self._sqs.delete_message(
                        QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"]
                    )
        except Exception as error:  # e.g. the endpoint stopped under a late invocation
            self._on_error(error)
        finally:
            self._slots.release()

    def _record(self, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": "us-east-1",
        }


def _failures(result: Any) -> set[str]:
    """The message ids a function reported failed (a whole-batch error: all of them)."""
    if not isinstance(result, dict):
        return set()
    return {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}
