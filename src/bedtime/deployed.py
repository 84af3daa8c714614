"""`make story` and `make seed`: talk to the running local stack or to a deployed one."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bedtime.catalog import DEFAULT_CATALOG, CatalogError, CatalogStore, load_catalog
from bedtime.local.endpoint import local_client

LOCAL_STATE = Path(".local/run.json")


def stack_outputs(stack: str) -> dict[str, str]:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def local_run() -> dict | None:
    """The running `make run`'s endpoint and control queue, if one is up."""
    if not LOCAL_STATE.exists():
        return None
    state = json.loads(LOCAL_STATE.read_text())
    sqs = local_client("sqs", state["endpoint"])
    try:
        sqs.get_queue_attributes(QueueUrl=state["controlQueue"], AttributeNames=["QueueArn"])
    except (BotoCoreError, ClientError):
        return None
    return state


def ask_for_story(stack: str, local_port: int) -> str:
    request = {"trigger": "manual", "requestId": str(uuid.uuid4())}
    state = local_run()
    if state:
        sqs = local_client("sqs", state["endpoint"])
        sqs.send_message(QueueUrl=state["controlQueue"], MessageBody=json.dumps(request))
        return (
            f"Asked the local run (http://127.0.0.1:{local_port}/) for a story;"
            " its output prints 'Story ready:' in a few seconds."
        )
    outputs = stack_outputs(stack)
    boto3.client("lambda").invoke(
        FunctionName=outputs["CreateStoryFunctionName"],
        InvocationType="Event",
        Payload=json.dumps(request).encode(),
    )
    return (
        f"Asked stack {stack} for a story now. It appears at {outputs['SiteUrl']} and in"
        " your email within a few minutes."
    )


def seed(stack: str, catalog_path: Path) -> str:
    catalog = load_catalog(catalog_path)  # all of it is checked before anything is written
    outputs = stack_outputs(stack)
    store = CatalogStore(
        boto3.client("dynamodb"), outputs["CharactersTableName"], outputs["ScenesTableName"]
    )
    store.replace(catalog)
    return (
        f"Seeded {stack}: {len(catalog.characters)} characters and"
        f" {len(catalog.scenes)} scenes from {catalog_path}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bedtime.deployed")
    commands = parser.add_subparsers(dest="command", required=True)
    story = commands.add_parser("story", help="make a story now")
    story.add_argument("--stack", default="bedtime-stories")
    story.add_argument("--local-port", type=int, default=3000)
    seeding = commands.add_parser("seed", help="load a catalog into the deployed tables")
    seeding.add_argument("--stack", default="bedtime-stories")
    seeding.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    args = parser.parse_args(argv)
    try:
        if args.command == "story":
            print(ask_for_story(args.stack, args.local_port))
        else:
            print(seed(args.stack, args.catalog))
    except CatalogError as error:
        print(f"Catalog refused, nothing was written: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(
            f"Could not reach AWS ({error}). Is `make run` running, or are AWS credentials "
            "set and the stack deployed?",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
