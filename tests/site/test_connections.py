"""The web function's HTTP/1.1 exchanges (bedtime.site.connections), against small
scripted servers on 127.0.0.1: message framing as RFC 9112 gives it, kept connections,
and TLS with the host name checked."""

from __future__ import annotations

import datetime
import ipaddress
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bedtime.site import connections

Answer = Callable[[bytes], bytes | None]  # a request's head -> the bytes to send, or close


def ok(body: bytes = b"{}", extra: str = "") -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


class ScriptedServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer: Answer, tls: ssl.SSLContext | None, close_after: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.tls = tls
        self.close_after = close_after  # each answer: as an idle timeout or HTTP/1.0 does
        self.connections = 0
        self.heads: list[bytes] = []

    def handle_error(self, request: object, client_address: object) -> None:
        """A refused TLS handshake is what one test wants: no traceback for it."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(socketserver.StreamRequestHandler):
    server: ScriptedServer

    def setup(self) -> None:
        if self.server.tls:
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()
        self.server.connections += 1

    def handle(self) -> None:
        while True:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = self.rfile.readline()
                if not line:
                    return
                head += line
            length = next(
                (
                    int(h.split(b":")[1])
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length")
                ),
                0,
            )
            self.rfile.read(length)
            self.server.heads.append(head)
            reply = self.server.answer(head)
            if reply is None:
                return
            self.wfile.write(reply)
            if self.server.close_after:
                return


@pytest.fixture
def serve() -> Iterator[Callable[..., ScriptedServer]]:
    started: list[ScriptedServer] = []

    def start(
        answer: Answer, tls: ssl.SSLContext | None = None, close_after: bool = False
    ) -> ScriptedServer:
        server = ScriptedServer(answer, tls, close_after)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        started.append(server)
        return server

    yield start
    connections._open.by_origin.clear()
    for server in started:
        server.shutdown()
        server.server_close()


def post(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return connections.exchange("POST", url, headers or {}, b'{"TableName":"t"}', timeout=5)


def test_one_connection_carries_every_request(serve) -> None:
    server = serve(lambda head: ok(b'{"Item":{}}'))
    answers = [post(server.url) for _ in range(3)]
    assert answers == [(200, {"content-length": "11"}, b'{"Item":{}}')] * 3
    assert server.connections == 1


def test_the_host_and_the_length_are_sent(serve) -> None:
    server = serve(lambda head: ok())
    connections.exchange(
        "GET", server.url + "key?X-Amz-Signature=1", {"Range": "bytes=0-9"}, b"", 5
    )
    lines = server.heads[0].decode().split("\r\n")
    assert lines[0] == "GET /key?X-Amz-Signature=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.server_address[1]}" in lines
    assert "Range: bytes=0-9" in lines
    assert "Content-Length: 0" in lines


def test_a_connection_closed_while_idle_is_opened_again(serve) -> None:
    """A kept connection the server has since dropped (its idle timeout) costs no failed
    call: the request goes again on a new connection."""
    server = serve(lambda head: ok(), close_after=True)
    assert post(server.url)[0] == 200
    assert post(server.url)[0] == 200
    assert server.connections == 2


def test_a_new_connection_that_answers_nothing_is_an_error(serve) -> None:
    server = serve(lambda head: None)
    with pytest.raises(ConnectionError):
        post(server.url)


def test_a_chunked_body_is_joined(serve) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nX-Trailer: yes\r\n\r\n'
    )
    server = serve(lambda head: chunked)
    assert post(server.url)[2] == b'{"a":1}'
    assert post(server.url)[2] == b'{"a":1}'
    assert server.connections == 1


def test_a_body_without_a_length_ends_with_the_connection(serve) -> None:
    server = serve(lambda head: b"HTTP/1.0 200 OK\r\n\r\nall of it", close_after=True)
    assert post(server.url)[::2] == (200, b"all of it")
    assert post(server.url)[::2] == (200, b"all of it")
    assert server.connections == 2


def test_connection_close_opens_a_new_connection_next_time(serve) -> None:
    server = serve(lambda head: ok(extra="Connection: close\r\n"))
    post(server.url)
    post(server.url)
    assert server.connections == 2


@pytest.mark.parametrize(
    "reply",
    [
        b"<html>not http</html>\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
    ],
    ids=["not a status line", "short body", "bad header", "bad length"],
)
def test_a_garbled_answer_is_a_connection_error_and_the_connection_dropped(serve, reply) -> None:
    """ConnectionError, so light_aws retries it as it retries a reset."""
    server = serve(lambda head: reply, close_after=True)
    with pytest.raises(connections.ProtocolError):
        post(server.url)
    assert not connections._open.by_origin


# --- TLS ---------------------------------------------------------------------------
def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    names: list[x509.GeneralName] = [x509.DNSName(name)]
    if name == "127.0.0.1":
        names = [x509.IPAddress(ipaddress.ip_address(name))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _tls_server(serve, tmp_path: Path, monkeypatch, certified_name: str) -> ScriptedServer:
    cert_file, key_file = _certificate(tmp_path, certified_name)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cafile=str(cert_file))
    monkeypatch.setattr(connections, "tls_context", lambda: trusting)
    return serve(lambda head: ok(b'{"Item":{}}'), tls=server_side)


def test_https_is_tls_with_the_certificate_checked(serve, tmp_path, monkeypatch) -> None:
    server = _tls_server(serve, tmp_path, monkeypatch, "127.0.0.1")
    url = server.url.replace("http://", "https://")
    assert post(url)[2] == b'{"Item":{}}'
    assert post(url)[2] == b'{"Item":{}}'
    assert server.connections == 1


def test_a_certificate_for_another_host_is_refused(serve, tmp_path, monkeypatch) -> None:
    server = _tls_server(serve, tmp_path, monkeypatch, "dynamodb.example")
    with pytest.raises(ssl.SSLCertVerificationError):
        post(server.url.replace("http://", "https://"))


def test_the_verifying_context_checks_host_names() -> None:
    context = connections.tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
