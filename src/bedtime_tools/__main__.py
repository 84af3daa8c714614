"""python -m bedtime_tools {story,seed,family,smoke,new-secret,check-aws}: what `make story`,
`make seed`, `make family`, `make smoke`, `make new-secret` and the first step of `make deploy`
run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError

from bedtime.core import clock
from bedtime.core.clients import new_client
from bedtime.core.settings import READER_KEYS_SECONDS
from bedtime.families.family_file import load_families
from bedtime.families.readers import HOME, NoReaderSecret
from bedtime.records.catalog import DEFAULT_CATALOG, CatalogError
from bedtime.records.families import Family
from bedtime_local.arguments import Arguments, port_number
from bedtime_local.outbox import with_an_address
from bedtime_tools.family_table import family_table
from bedtime_tools.links import story_link
from bedtime_tools.models import deploy_parameters, model_report, openai_client_here, verdict
from bedtime_tools.preflight import NotConfigured, check_aws, check_sender, check_time_zone
from bedtime_tools.seed import (
    UnknownFamily,
    families,
    read_file,
    remove,
    rotate_secrets,
    save,
    seed,
)
from bedtime_tools.smoke import smoke, table
from bedtime_tools.story import ask_for_story, wait_for_story
from bedtime_tools.target import NoTarget, Target, local_target, stack_target


def say(line: str) -> None:
    print(line, flush=True)


def chosen_target(args: argparse.Namespace) -> Target:
    """The `make run` on PORT when one is up (unless STACK was named), else the stack."""
    found = None if args.stack_given else local_target(args.port)
    if found:
        return found
    try:
        return stack_target(args.stack)
    except NotConfigured as error:
        if not args.stack_given:  # someone with no AWS set up wants their `make run`
            raise NoTarget(
                f"No `make run` is up on port {args.port}. Start one with `make run` in "
                "another terminal, or set PORT to the port it prints. (For a deployed stack, "
                "`make deploy` first: it says what AWS needs.)"
            ) from error
        raise NoTarget(f"Stack {args.stack} cannot be reached: {error}") from error


def story_command(args: argparse.Namespace) -> int:
    target = chosen_target(args)
    known = [family.id for family in families(target)]
    if args.family not in known:
        raise UnknownFamily(args.family, known)
    say(f"Asking {target.description} for a story...")
    story_id = ask_for_story(target, args.family)
    wait_for_story(target, story_id, args.timeout, say)
    say(f"Story ready: {story_link(target, story_id)}")
    return 0


def seed_command(args: argparse.Namespace) -> int:
    load_families(args.catalog, Family(HOME, ZoneInfo("UTC")))  # refused before AWS is asked
    say(seed(chosen_target(args), args.catalog))
    return 0


def family_command(args: argparse.Namespace) -> int:
    target = chosen_target(args)
    adding = read_file(target, args.add, bare_is_home=False) if args.add else ()
    if args.remove:
        remove(target, args.remove)
        say(f"Removed family {args.remove} from {target.description}.")
    for entry in adding:
        save(target, with_an_address(entry) if target.local else entry)
        say(f"Saved family {entry.family.id} in {target.description}.")
    for line in family_table(families(target)):
        say(line)
    return 0


def smoke_command(args: argparse.Namespace) -> int:
    target = chosen_target(args)
    checks = smoke(target, args.timeout, say, openai_client_here(target.parameters, os.environ))
    say(table(checks))
    return 0 if all(check.passed for check in checks) else 1


def new_secret_command(args: argparse.Namespace) -> int:
    target = stack_target(args.stack) if args.stack_given else chosen_target(args)
    for family in rotate_secrets(target, args.family, args.all):
        say(f"New reader secret for family {family} in {target.description}.")
    when = "now" if target.local else f"within {READER_KEYS_SECONDS // 60} minutes"
    say(
        f"Every link, feed address and signed-in browser of those families stops working {when}."
        " The next email brings a new link, and the home page a new feed address."
    )
    return 0


def check_aws_command(args: argparse.Namespace) -> int:
    region = check_aws()
    say(f"AWS region {region}, credentials found.")
    if not args.models:  # `make logs` asks only this much; `make deploy` asks about models
        return 0
    parameters = deploy_parameters()
    say(f"StoryTimeZone {check_time_zone(parameters['StoryTimeZone'])}.")
    say(f"SenderEmail {check_sender(parameters.get('SenderEmail', ''), args.guided)}.")
    statuses, skipped = model_report(
        parameters,
        openai_client_here(parameters, os.environ),
        lambda: new_client("bedrock", region_name=region),
        clock.now().date(),
    )
    lines, deployable = verdict(statuses, skipped)
    for line in lines:
        say(line)
    return 0 if deployable else 1


def parser() -> argparse.ArgumentParser:
    parser = Arguments(prog="make")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, run, help_text in (
        ("story", story_command, "make a story now and print its link"),
        ("seed", seed_command, "load a catalog into the deployed stack"),
        ("smoke", smoke_command, "prove a stack (or a make run) from outside"),
        ("new-secret", new_secret_command, "replace a family's (--family) or every (--all) secret"),
        ("family", family_command, "list, add (--add file) or remove (--remove id) families"),
        (
            "check-aws",
            check_aws_command,
            "is a region set, are there credentials (--models: are the models served)?",
        ),
    ):
        command = commands.add_parser(name, help=help_text)
        command.set_defaults(run=run)
        command.add_argument("--stack", default=None)
        command.add_argument("--port", type=port_number, default=3000)
        command.add_argument("--timeout", type=float, default=600)
        command.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
        command.add_argument("--add", type=Path, default=None)
        command.add_argument("--remove", default=None)
        command.add_argument("--family", default=HOME)
        command.add_argument("--models", action="store_true")
        command.add_argument("--guided", action="store_true", help="the deploy will ask")
        command.add_argument("--all", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.stack_given = args.stack is not None
    args.stack = args.stack or "bedtime-stories"
    try:
        return int(args.run(args))
    except CatalogError as error:
        print(f"Catalog refused, nothing was written: {error}", file=sys.stderr)
        return 2
    except (NotConfigured, NoTarget, NoReaderSecret, TimeoutError, UnknownFamily) as error:
        print(str(error), file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"AWS refused the request: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
