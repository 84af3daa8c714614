"""The command lines of `make run` and the laptop tools: a mistake is one line that
names the fix, not argparse's usage dump."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class Arguments(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def port_number(text: str) -> int:
    """PORT as a TCP port, or an error that says what to set."""
    if text.isascii() and text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    raise argparse.ArgumentTypeError(
        f"PORT={text} is not a port number; use one from 1 to 65535, such as PORT=3001"
    )
