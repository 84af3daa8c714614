"""The local run's moto server keeps connections alive, as AWS's endpoints do, and
stops with every connection closed."""

from __future__ import annotations

import http.client
import json
import socket

import pytest

from bedtime_local.moto_server import KeptAliveMotoServer

LIST_TABLES = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261203/us-east-1/dynamodb/"
    "aws4_request, SignedHeaders=host, Signature=0",
}


@pytest.fixture
def server():
    started = KeptAliveMotoServer()
    started.start()
    yield started
    started.stop()


def test_one_connection_carries_many_calls(server) -> None:
    connection = http.client.HTTPConnection(*server.get_host_and_port(), timeout=10)
    for _ in range(3):
        connection.request("POST", "/", b"{}", LIST_TABLES)
        response = connection.getresponse()
        assert "TableNames" in json.loads(response.read())  # moto's account is per process
        assert response.getheader("Connection") is None  # werkzeug's server said "close"
    first_socket = connection.sock
    connection.request("POST", "/", b"{}", LIST_TABLES)
    connection.getresponse().read()
    assert connection.sock is first_socket


def test_stop_closes_kept_connections_and_the_port(server) -> None:
    host, port = server.get_host_and_port()
    kept = http.client.HTTPConnection(host, port, timeout=5)
    kept.request("POST", "/", b"{}", LIST_TABLES)
    kept.getresponse().read()  # accepted and kept: not a connection still in the backlog
    server.stop()
    assert kept.sock is not None and kept.sock.recv(1) == b""  # closed by the server
    with pytest.raises(OSError):
        socket.create_connection((host, port), timeout=1)


def test_a_second_stop_is_harmless(server) -> None:
    """LocalRun stops on Ctrl-C and again on its way out; the first stop may leave the
    loop closing past its join on a busy machine."""
    server.stop()
    server._thread.join(5)  # the loop has closed its trigger
    server._thread.is_alive = lambda: True  # as if it were still closing
    server.stop()
