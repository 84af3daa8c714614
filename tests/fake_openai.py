"""A local HTTP server that speaks the parts of OpenAI's API we use, from a script."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: dict | bytes = field(default_factory=dict)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FakeOpenAI:
    """Replies to each path in the order scripted; records every request it gets."""

    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = defaultdict(list)
        self.requests: list[tuple[str, dict]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def reply(self, path: str, *replies: Reply) -> None:
        self.script[path].extend(replies)

    def calls(self, path: str) -> int:
        return sum(1 for called, _ in self.requests if called == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.removeprefix("/v1")
                fake.requests.append((path, body))
                queue = fake.script[path]
                reply = queue.pop(0) if queue else Reply(500, {"error": {"message": "unscripted"}})
                time.sleep(reply.delay)
                payload = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                try:
                    self.send_response(reply.status)
                    self.send_header(
                        "Content-Type",
                        "application/json" if isinstance(reply.body, dict) else "audio/mpeg",
                    )
                    self.send_header("x-request-id", f"req_{len(fake.requests)}")
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args) -> None:
                pass

        return Handler


def completion(content: str | None, refusal: str | None = None) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1795634100,
        "model": "gpt-5-mini",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
    }


def error(status: int, message: str, kind: str = "invalid_request_error") -> Reply:
    return Reply(
        status,
        {"error": {"message": message, "type": kind, "code": None}},
        headers={"retry-after-ms": "10"},
    )


def model(model_id: str, shutdown_date: str | None = None) -> Reply:
    """`GET /v1/models/{id}`: the model object, with its optional `shutdown_date`
    (YYYY-MM-DD), as OpenAI's "Deprecations" page and API reference describe it."""
    return Reply(
        body={
            "id": model_id,
            "object": "model",
            "created": 1795634100,
            "owned_by": "openai",
            "shutdown_date": shutdown_date,
        }
    )


def model_not_found(model_id: str) -> Reply:
    """What OpenAI answers for a model it no longer serves (or never did): a 404 whose
    error code is `model_not_found` (OpenAI API reference, "Error codes")."""
    return Reply(
        404,
        {
            "error": {
                "message": f"The model `{model_id}` does not exist or you do not have access.",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
        },
    )
