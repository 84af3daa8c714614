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


# A function URL's request payload quota (Lambda's "Quotas" page: 6 MB, synchronous)
MAX_REQUEST_BYTES = 6 * 1024 * 1024
BODY_WAIT_SECONDS = 10


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
        return type("Handler", (_Handler,), {"invoke": staticmethod(self._invoke)})


class _Handler(BaseHTTPRequestHandler):
    """One request, one invocation of `invoke` (set by FunctionUrlServer)."""

    invoke: Callable[[dict], dict]
    protocol_version = "HTTP/1.1"
    # A client that promises more body than it sends is answered, not waited on.
    timeout = BODY_WAIT_SECONDS

    def _serve(self) -> None:
        body = self._body()
        if body is None:
            return
        host = self.headers.get("host", "127.0.0.1")
        # As a function URL does: its own X-Forwarded-Proto, never the client's
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() != "x-forwarded-proto"
        } | {"x-forwarded-proto": "http"}
        event = function_url_event(
            self.command, self.path, headers, body, host, self.client_address[0]
        )
        self._reply(self.invoke(event))

    def _body(self) -> bytes | None:
        """The request's body; None once a plain error has been sent for it."""
        declared = self.headers.get("content-length") or "0"
        if not (declared.isascii() and declared.isdigit()):
            self._refuse(400, "Content-Length is not a number")
            return None
        if int(declared) > MAX_REQUEST_BYTES:
            self._refuse(413, "the body is larger than a function URL accepts")
            return None
        try:
            body = self.rfile.read(int(declared))
        except TimeoutError:
            body = b""
        if len(body) < int(declared):
            self._refuse(400, "the body is shorter than its Content-Length")
            return None
        return body

    def _refuse(self, status: int, reason: str) -> None:
        """What the function URL's front end answers before Lambda is invoked."""
        self.close_connection = True
        self._reply({"statusCode": status, "body": reason + "\n"})

    def _reply(self, response: dict) -> None:
        body = response.get("body") or ""
        payload = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
        headers = response.get("headers") or {}
        self.send_response(int(response.get("statusCode", 200)))
        for name, value in headers.items():
            if name.lower() != "content-length":  # ours, once, below
                self.send_header(name, value)
        for cookie in response.get("cookies") or []:
            self.send_header("Set-Cookie", cookie)
        given = {name.lower(): value for name, value in headers.items()}
        length = given.get("content-length") if self.command == "HEAD" else None
        self.send_header("Content-Length", length or str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def __getattr__(self, name: str) -> Any:
        """Every method, TRACE, CONNECT and made-up ones too, goes to the function,
        as a function URL sends it: the function answers 405 with its headers."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        pass
