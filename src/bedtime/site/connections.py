"""HTTP/1.1 exchanges on kept-alive sockets, for the web function's few AWS calls.

http.client parses every response's headers with the email package and reads through
several buffering layers: on a warm page that was about half a millisecond of CPU per
DynamoDB call, a third of the page. AWS's answers here are small and plain (a status
line, a dozen headers, a body with a Content-Length), so this reads them directly: RFC
9112's message framing, with chunked bodies and bodies that end with the connection.

One connection per origin and thread (the local server is threaded). A kept connection
the other end has closed in the meantime is opened again once, as http.client's callers
(urllib3, botocore) do; any other failure is an OSError for the caller to retry.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import BinaryIO
from urllib.parse import urlsplit

MAX_LINE_BYTES = 65536
MAX_HEADERS = 100


class ProtocolError(ConnectionError):
    """The other end did not answer in HTTP/1.1."""


class StaleConnection(ConnectionError):
    """A kept connection ended before any of the answer came: it was closed while idle."""


class Connection:
    def __init__(self, scheme: str, host: str, port: int, timeout: float) -> None:
        raw = socket.create_connection((host, port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        https = scheme == "https"
        self.socket = tls_context().wrap_socket(raw, server_hostname=host) if https else raw
        self.reader: BinaryIO = self.socket.makefile("rb")
        self.used = False

    def close(self) -> None:
        self.reader.close()
        self.socket.close()


_tls: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """One verifying context per process: making one loads the system's CA bundle."""
    if not _tls:
        _tls.append(ssl.create_default_context())
    return _tls[0]


class _Open(threading.local):
    def __init__(self) -> None:
        self.by_origin: dict[str, Connection] = {}


_open = _Open()


def exchange(
    method: str, url: str, headers: dict[str, str], body: bytes, timeout: float
) -> tuple[int, dict[str, str], bytes]:
    """Send one request; the status, the headers (lower-case names) and the body."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    target = f"{parts.path or '/'}{'?' + parts.query if parts.query else ''}"
    request = _request(method, target, {"Host": parts.netloc, **headers}, body)
    for _ in range(2):
        connection = _open.by_origin.get(origin)
        if connection is None:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            connection = Connection(parts.scheme, parts.hostname or "", port, timeout)
            _open.by_origin[origin] = connection
        try:
            status, found, answer = _answer(connection, request, method)
        except StaleConnection:
            _forget(origin)
            continue
        except BaseException:
            _forget(origin)
            raise
        if not _kept_alive(found):
            _forget(origin)
        return status, found, answer
    raise StaleConnection(f"{origin} closed a new connection before answering")


def _forget(origin: str) -> None:
    connection = _open.by_origin.pop(origin, None)
    if connection is not None:
        connection.close()


def _request(method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _answer(connection: Connection, request: bytes, method: str) -> tuple[int, dict, bytes]:
    reused, connection.used = connection.used, True
    try:
        connection.socket.sendall(request)
        status_line = connection.reader.readline(MAX_LINE_BYTES)
    except (BrokenPipeError, ConnectionResetError) as error:
        if reused:
            raise StaleConnection(str(error)) from error
        raise
    if not status_line and reused:
        raise StaleConnection("closed while idle")
    status = _status(status_line)
    headers = _headers(connection.reader)
    body = b"" if method == "HEAD" or status in (204, 304) else _body(connection, headers)
    return status, headers, body


def _kept_alive(headers: dict[str, str]) -> bool:
    """Whether the connection may carry the next request (RFC 9112, 9.3)."""
    framed = "content-length" in headers or _chunked(headers)
    return framed and headers.get("connection", "").lower() != "close"


def _chunked(headers: dict[str, str]) -> bool:
    return headers.get("transfer-encoding", "").lower().endswith("chunked")


def _status(line: bytes) -> int:
    version, _, rest = line.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise ProtocolError(f"not an HTTP/1.1 status line: {line[:80]!r}")
    return int(code)


def _headers(reader: BinaryIO) -> dict[str, str]:
    found: dict[str, str] = {}
    for _ in range(MAX_HEADERS):
        line = reader.readline(MAX_LINE_BYTES)
        if line in (b"\r\n", b"\n"):
            return found
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            raise ProtocolError(f"not a header line: {line[:80]!r}")
        key = name.strip().lower()
        found[key] = f"{found[key]}, {value.strip()}" if key in found else value.strip()
    raise ProtocolError(f"more than {MAX_HEADERS} header lines, or no end to them")


def _body(connection: Connection, headers: dict[str, str]) -> bytes:
    if _chunked(headers):
        return _chunks(connection.reader)
    length = headers.get("content-length")
    if length is None:
        return connection.reader.read()  # the body ends when the connection does
    if not length.isdigit():
        raise ProtocolError(f"Content-Length {length!r}")
    body = connection.reader.read(int(length))
    if len(body) < int(length):
        raise ProtocolError(f"the body ended after {len(body)} of {length} bytes")
    return body


def _chunks(reader: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = reader.readline(MAX_LINE_BYTES).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as error:
            raise ProtocolError(f"not a chunk size: {size_line[:80]!r}") from error
        if size == 0:
            _headers(reader)  # the trailer section, ended by an empty line
            return b"".join(parts)
        parts.append(reader.read(size))
        reader.readline(MAX_LINE_BYTES)
