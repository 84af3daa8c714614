"""Where `make story`, `make seed` and `make smoke` act: the `make run` on PORT, or the
deployed stack STACK (its resources read from the stack's outputs)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bedtime.core.clients import new_client
from bedtime_local.endpoint import local_client
from bedtime_local.state import OUTPUTS, STATE_DIR, run_state_file
from bedtime_tools.preflight import check_aws


class NoTarget(RuntimeError):
    """Neither a local run nor a stack can be reached; the message says what to do."""


@dataclass(frozen=True)
class Target:
    description: str
    client: Callable[[str], Any]
    names: dict[str, str]  # logical name -> physical name (table, bucket, queue URL, ...)
    ask: Callable[[dict], None]  # deliver a CreateStory event, as Lambda's async invoke does
    local: bool
    private: bool = True
    parameters: dict[str, str] = field(default_factory=dict)  # the template's, as deployed

    @property
    def site_url(self) -> str:
        return self.names["SiteUrl"]


def local_target(port: int, state_dir: Path = STATE_DIR) -> Target | None:
    """The `make run` serving PORT, if one is up."""
    path = run_state_file(port, state_dir)
    if not path.exists():
        return None
    state = json.loads(path.read_text())
    if not _alive(state["pid"]):
        return None  # a run that was killed before it could remove its file
    endpoint = state["endpoint"]
    sqs = local_client("sqs", endpoint)
    try:
        sqs.get_queue_attributes(QueueUrl=state["controlQueue"], AttributeNames=["QueueArn"])
    except (BotoCoreError, ClientError):
        return None  # a run that stopped without removing its file

    def ask(request: dict) -> None:
        sqs.send_message(QueueUrl=state["controlQueue"], MessageBody=json.dumps(request))

    return Target(
        description=f"the local run at {state['names']['SiteUrl']}",
        client=lambda service: local_client(service, endpoint),
        names=state["names"],
        ask=ask,
        local=True,
        private=state["private"],
        parameters=state["parameters"],
    )


def serving_target(port: int, state_dir: Path = STATE_DIR) -> Target:
    """The `make run` serving PORT, which must be up."""
    found = local_target(port, state_dir)
    if found is None:
        raise NoTarget(f"no local run is serving port {port}")
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def stack_target(stack: str) -> Target:
    """The deployed stack; NotConfigured (from preflight) when AWS is not set up here."""
    check_aws()
    try:
        described = new_client("cloudformation").describe_stacks(StackName=stack)
    except ClientError as error:
        raise NoTarget(
            f"Stack {stack} cannot be read ({error.response['Error']['Message']}). "
            "Deploy it with `make deploy`, or name yours with STACK=name."
        ) from error
    found = described["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    names = {logical: outputs[key] for key, logical in OUTPUTS.items() if key in outputs}
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in found.get("Parameters", [])}

    def ask(request: dict) -> None:
        new_client("lambda").invoke(
            FunctionName=names["CreateStoryFunction"],
            InvocationType="Event",
            Payload=json.dumps(request).encode(),
        )

    private = parameters.get("Privacy", "private") == "private"
    return Target(
        f"stack {stack}",
        new_client,
        names,
        ask,
        local=False,
        private=private,
        parameters=parameters,
    )
