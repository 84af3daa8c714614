"""Serve a function-URL Lambda on 127.0.0.1: real function-URL events in, responses out."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def function_url_event(
    method: str, target: str, headers: dict[str, str], body: bytes, host: str, source_ip: str
) -> dict:
    """The payload (version 2.0) a Lambda function URL sends for this request."""
    url = urlsplit(target)
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    now = datetime.now(UTC)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": url.path or "/",
        "rawQueryString": url.query,
        "headers": lowered,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": url.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": f"local-{time.monotonic_ns()}",
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": bool(body),
    }
    if cookies:
        event["cookies"] = cookies
    if url.query:
        event["queryStringParameters"] = _query(url.query)
    if body:
        event["body"] = base64.b64encode(body).decode()
    return event


def _query(query: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        values[key] = f"{values[key]},{value}" if key in values else value
    return values


class _Server(ThreadingHTTPServer):
    # Many browsers and load clients at once: the socket's default backlog of 5 drops
    # connections long before the function is busy.
    request_queue_size = 128
    # Stopping never waits for a browser's keep-alive connection to close.
    daemon_threads = True
    block_on_close = False


class FunctionUrlServer:
    """A threaded HTTP server that turns each request into one Lambda invocation."""

    def __init__(self, invoke: Callable[[dict], dict], port: int, host: str = "127.0.0.1"):
        self._invoke = invoke
        self.httpd = _Server((host, port), self._handler_class())
        # Stopping waits for serve_forever's next poll: a short one stops promptly.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._started = False

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> None:
        self._thread.start()
        self._started = True

    def stop(self) -> None:
        if self._started:
            self.httpd.shutdown()
        self.httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        invoke = self._invoke

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                host = self.headers.get("host", "127.0.0.1")
                headers = dict(self.headers.items()) | {"x-forwarded-proto": "http"}
                event = function_url_event(
                    self.command, self.path, headers, body, host, self.client_address[0]
                )
                self._reply(invoke(event))

            def _reply(self, response: dict) -> None:
                body = response.get("body") or ""
                payload = (
                    base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
                )
                self.send_response(int(response.get("statusCode", 200)))
                for name, value in (response.get("headers") or {}).items():
                    self.send_header(name, value)
                for cookie in response.get("cookies") or []:
                    self.send_header("Set-Cookie", cookie)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
