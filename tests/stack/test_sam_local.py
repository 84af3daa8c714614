"""Every sample event through real `sam local`, in Docker, against a local stack (moto)
that this test starts as `make run` does: the built artifacts on a Lambda-like Python
3.13 image (tools/lambda-image), with the template's environment given this stack's
values, as `make invoke` gives them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from bedtime import services
from bedtime.core.clients import new_client
from bedtime.records.catalog import load_catalog
from bedtime.records.families import Family
from bedtime.records.stories import Medium
from bedtime_local.endpoint import local_client
from bedtime_local.functions import environment
from bedtime_local.runner import local_environment
from bedtime_local.stack import create_stack
from bedtime_local.template import load_template, template_resolver
from bedtime_tools.invoke import (
    REGION,
    docker_gateway,
    env_vars_file,
    local_architecture,
    local_template,
    relay,
    sam_local,
)
from helpers import EVENTS, ROOT, SAMPLE_STORY_ID, sample_event, story_record

# One build, image and stack for the whole file: make test's processes keep it together.
pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("sam-local")]


@dataclass(frozen=True)
class Expect:
    """What one sample event gives through its function: these items of the response
    (ANY: any value), and for a web page, this text in its body."""

    function: str | None  # None: not a function's event (the reason says whose)
    response: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    reason: str = ""


PAGE = {"statusCode": 200}
# One line per file in events/, in the order they are invoked (the sample story gets its
# picture, then is announced).
EXPECTED = {
    "make-story.json": Expect("CreateStoryFunction", {"storyId": ANY, "title": ANY}),
    "schedule.json": Expect("CreateStoryFunction", {"night": "2026-11-25"}),
    "writing-queue.json": Expect("CreateStoryFunction", {"batchItemFailures": []}),
    "story-created.json": Expect("IllustrateFunction", {"storyId": SAMPLE_STORY_ID}),
    "painting-queue.json": Expect("IllustrateFunction", {"batchItemFailures": []}),
    "story-ready.json": Expect("NotifyFunction", {"emailed": True}),
    # that night's story (schedule.json's) is not narrated: nothing is emailed yet
    "bedtime.json": Expect("NotifyFunction", {"storyId": ANY, "emailed": False}),
    "bedtime-queue.json": Expect("NotifyFunction", {"batchItemFailures": []}),
    "families-stream-insert.json": Expect("FamiliesFunction", {"batchItemFailures": []}),
    "tick.json": Expect("TickFunction", {"scheduledTime": "2026-11-25T16:15:00Z", "sent": ANY}),
    "ses-bounce.json": Expect("EmailEventsFunction", {"suppressed": ["bounced@example.com"]}),
    "web-home.json": Expect("WebFunction", PAGE, "Pip and Luna in the Whispering Woods"),
    "web-story.json": Expect("WebFunction", PAGE, "<h1>"),
    "web-story-json.json": Expect("WebFunction", PAGE, '"id": "Qm9vdHN0cmFwU3RvcnkxMjM"'),
    "web-missing-story.json": Expect("WebFunction", {"statusCode": 404}, "Story not found"),
    "web-feed.json": Expect("WebFunction", PAGE, "<rss"),
    "stream-insert.json": Expect(None, reason="the pipe's source record"),
    "stream-modify.json": Expect(None, reason="the pipe's source record"),
    "stream-remove.json": Expect(None, reason="the pipe's source record"),
}
NOT_EVENTS = {"schema.json"}
STARTS_WITHIN = 120  # seconds for sam local start-lambda to listen


def test_every_sample_event_has_an_expectation() -> None:
    assert {path.name for path in EVENTS.glob("*.json")} - NOT_EVENTS == set(EXPECTED)


def docker_runs() -> bool:
    docker = shutil.which("docker")
    return bool(docker) and subprocess.run([docker, "info"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The functions built for this machine's architecture, and the local image."""
    if not docker_runs():
        pytest.skip("no Docker daemon here (.ci/run installs and starts one)")
    python = Path(sys.executable)
    subprocess.run([str(ROOT / "tools" / "lambda-image"), str(python)], check=True)
    build_dir = tmp_path_factory.mktemp("sam-local") / "build"
    places = ["--build-dir", str(build_dir), "--cache-dir", str(build_dir.with_name("cache"))]
    subprocess.run(
        [str(python.with_name("sam")), "build", "--build-in-source", "--parallel", *places],
        cwd=ROOT,
        env=os.environ | {"LAMBDA_ARCH": local_architecture()},
        capture_output=True,
        check=True,
    )
    return build_dir


@pytest.fixture(scope="module")
def stack_values() -> Iterator[dict[str, str]]:
    """A local stack made from template.yaml on a moto server, seeded with the sample
    events' family and story; yields what its functions' variables are set to."""
    template = load_template(ROOT / "template.yaml")
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    resolver = template_resolver(template, {"Privacy": "public"})
    resolver.attributes["WebFunctionUrl.FunctionUrl"] = "https://example.lambda-url.on.aws/"
    create_stack(template, resolver, lambda service: local_client(service, endpoint))
    values = environment(template, resolver) | local_environment({}, endpoint)
    values["OPENAI_API_KEY_SECRET"] = ""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        services.clear()
        seed()
        services.clear()
    try:
        yield {key: values[key] for key in environment(template, resolver)} | {"endpoint": endpoint}
    finally:
        moto.stop()


def seed() -> None:
    """The catalog of family `home` (with an address), and story SAMPLE_STORY_ID made
    for bedtime on the sample events' night, narrated and waiting for its picture."""
    services.catalog_store().replace("home", load_catalog())
    home = Family.home(services.settings())
    services.family_store().save(replace(home, emails=("parent@example.com",)))
    store = services.story_store()
    bedtime = datetime(2026, 11, 25, 19, 15, tzinfo=UTC)
    store.add(replace(story_record(SAMPLE_STORY_ID), deliver_at=bedtime))
    store.finish_medium(SAMPLE_STORY_ID, "audio", Medium("done", key="k-audio"))


@pytest.fixture(scope="module")
def sam_inputs(build: Path, stack_values: dict[str, str], tmp_path_factory) -> Iterator[tuple]:
    """The local template and the env-vars file, with the stack's endpoint relayed to
    where containers find this machine."""
    values = dict(stack_values)
    endpoint = values.pop("endpoint")
    template = local_template(build, local_architecture(), endpoint=True)
    with relay(endpoint, docker_gateway()) as relayed:
        values["AWS_ENDPOINT_URL"] = relayed
        yield template, env_vars_file(values, tmp_path_factory.mktemp("env"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def lambda_endpoint(sam_inputs) -> Iterator[Any]:
    """`sam local start-lambda`, each function's container kept warm between events."""
    port = free_port()
    command = sam_local("start-lambda", *sam_inputs, REGION, "--port", str(port))
    server = subprocess.Popen(
        [*command, "--warm-containers", "LAZY"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        while not port_open(port):
            assert server.poll() is None and time.monotonic() < deadline, "start-lambda died"
            time.sleep(0.5)
        yield new_client(
            "lambda",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(read_timeout=600, retries={"max_attempts": 0}),  # each event once
        )
    finally:
        server.send_signal(signal.SIGINT)  # sam stops its warm containers
        server.wait(timeout=60)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def meets(expect: Expect, response: Any) -> bool:
    return (
        isinstance(response, dict)
        and response.items() >= expect.response.items()
        and expect.body in response.get("body", "")
    )


def test_every_sample_event_through_sam_local(lambda_endpoint) -> None:
    unmet = {}
    for name, expect in EXPECTED.items():
        if expect.function is None:
            continue
        got = lambda_endpoint.invoke(
            FunctionName=expect.function, Payload=json.dumps(sample_event(name)).encode()
        )
        response = json.loads(got["Payload"].read())
        if "FunctionError" in got or not meets(expect, response):
            unmet[name] = str(response)[:500]
    assert not unmet, unmet


def test_sam_local_invoke_as_typed(sam_inputs) -> None:
    """The command `make invoke` runs, once: one container, one event."""
    command = sam_local("invoke", *sam_inputs, REGION, "WebFunction")
    result = subprocess.run(
        [*command, "--event", str(EVENTS / "web-home.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert meets(EXPECTED["web-home.json"], json.loads(result.stdout.splitlines()[-1]))
