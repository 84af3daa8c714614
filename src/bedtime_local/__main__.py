"""python -m bedtime_local [--catalog PATH] [--port N]: what `make run` runs."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

from bedtime.core.zones import UnknownZone
from bedtime.records.catalog import DEFAULT_CATALOG, CatalogError
from bedtime.records.families import NotATime
from bedtime_local.arguments import Arguments, port_number
from bedtime_local.runner import LocalRun

_SAYING = threading.Lock()


def say(line: str) -> None:
    """One line, whole: many threads say things at once, and print() writes the text
    and its newline apart."""
    with _SAYING:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = Arguments(prog="make run", description=__doc__)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--port", type=port_number, default=os.environ.get("PORT", "3000"))
    args = parser.parse_args(argv)
    parameters = {
        name: os.environ[variable]
        for name, variable in (
            ("StoryTime", "STORY_TIME"),
            ("StoryTimeZone", "STORY_TIME_ZONE"),
            ("Privacy", "PRIVACY"),
        )
        if os.environ.get(variable)
    }
    try:
        run = LocalRun(
            catalog=args.catalog,
            port=args.port,
            parameters=parameters,
            say=say,
            clock_speed=float(os.environ.get("CLOCK_SPEED") or 1),
        )
    except CatalogError as error:
        print(f"Cannot use that catalog: {error}", file=sys.stderr)
        return 2
    except NotATime as error:
        print(f"Cannot start: {error} (set by STORY_TIME)", file=sys.stderr)
        return 2
    except UnknownZone as error:
        print(f"Cannot start: {error} (set by STORY_TIME_ZONE)", file=sys.stderr)
        return 2

    # A plain flag, not a threading.Event: the handler runs between the main thread's
    # bytecodes, and Event.set() there can wait forever on the lock Event.wait() holds.
    asked_to_stop: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, _: asked_to_stop.append(signum))
    try:
        run.start()
    except OSError as error:
        print(
            f"Cannot start: {error} (is PORT={args.port} free? try PORT=3001 make run)",
            file=sys.stderr,
        )
        run.stop()
        return 1
    say("Tonight's story for each family that has none yet; the tick keeps each family's bedtime.")
    say("Ctrl-C stops.")
    run.start_tonights_stories()
    run.keep_schedule()
    while not asked_to_stop:
        time.sleep(0.1)
    say("Stopping...")
    run.stop()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # What run.stop() kept is on disk. Invocations still running are left to die with
    # the process, as Lambda stops them: finalising the interpreter under them took a
    # second more, and would meet a daemon thread inside a native engine.
    os._exit(code)
