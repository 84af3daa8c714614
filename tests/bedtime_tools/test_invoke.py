"""`make invoke`'s inputs, without Docker: the run's values, the local template, the relay.
(tests/test_sam_local.py invokes every sample event in Docker.)"""

from __future__ import annotations

import socket
import threading

import pytest
import yaml

from bedtime_local.runner import LocalRun
from bedtime_tools.invoke import CannotInvoke, local_template, relay, run_values


def test_make_invoke_gives_the_functions_the_runs_values_not_logical_ids(tmp_path) -> None:
    """SAM passes a `!Ref` environment value as the logical id: the run says the real ones."""
    run = LocalRun(port=0, state_dir=tmp_path / ".local", say=lambda _: None)
    run.start()
    try:
        values, endpoint = run_values(run.port, tmp_path / ".local")
    finally:
        run.stop()
    assert endpoint == run.endpoint
    assert values["WRITING_QUEUE_URL"].startswith(run.endpoint)
    assert values["EVENT_BUS_NAME"] == "bedtime-stories"
    assert values["SITE_URL"] == f"http://127.0.0.1:{run.port}/"
    assert values["STORY_PROVIDER"] == "offline"  # what this run uses, not the template's
    assert values["OPENAI_API_KEY_SECRET"] == ""


def test_make_invoke_with_no_run_and_no_stack_says_what_to_do(tmp_path) -> None:
    with pytest.raises(CannotInvoke, match=r"`make run`.*STACK=name"):
        run_values(3999, tmp_path)


BUILT = {
    "Globals": {
        "Function": {
            "Architectures": ["arm64"],
            "Environment": {"Variables": {"STORIES_TABLE": {"Ref": "StoriesTable"}}},
        }
    },
    "Resources": {
        "WebFunction": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "Web"}}
    },
}


@pytest.mark.parametrize("endpoint", [True, False])
def test_the_local_template_runs_natively_and_declares_the_endpoint(tmp_path, endpoint) -> None:
    """Only variables the template declares reach sam's container."""
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(BUILT))
    written = yaml.safe_load(local_template(tmp_path, "x86_64", endpoint).read_text())
    function = written["Globals"]["Function"]
    assert function["Architectures"] == ["x86_64"]
    assert ("AWS_ENDPOINT_URL" in function["Environment"]["Variables"]) is endpoint
    assert written["Resources"] == BUILT["Resources"]
    assert yaml.safe_load((tmp_path / "template.yaml").read_text()) == BUILT


def test_the_relay_carries_both_ways_to_an_endpoint_on_loopback() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def echo() -> None:
            connection, _ = server.accept()
            with connection:
                connection.sendall(connection.recv(100).upper())

        threading.Thread(target=echo, daemon=True).start()
        with relay(f"http://127.0.0.1:{port}", "127.0.0.1") as relayed:
            host, relayed_port = relayed.removeprefix("http://").split(":")
            assert int(relayed_port) != port
            with socket.create_connection((host, int(relayed_port)), timeout=5) as client:
                client.sendall(b"hello")
                assert client.recv(100) == b"HELLO"
