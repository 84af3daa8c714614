"""What counts as one email address: what a mail system would take, and nothing a
family file, a parameter or a table item could smuggle past it (a second address after a
comma, markup, control or invisible characters).

RFC 5321, section 4.5.3.1: a local part of at most 64 octets and a path of at most 256,
so an address of at most 254 characters. RFC 5322's dot-atom for the local part; RFC
6531 lets both parts hold letters beyond ASCII.
"""

from __future__ import annotations

import re

MAX_ADDRESS = 254
MAX_LOCAL_PART = 64
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_]+(?:-+[^\W_]+)*"
_ADDRESS = re.compile(rf"(?P<local>{_ATOM}(?:\.{_ATOM})*)@{_LABEL}(?:\.{_LABEL})+")


def is_email_address(text: object) -> bool:
    """One address, no spaces or controls, a domain with a dot, at most 254 characters."""
    if not isinstance(text, str) or len(text) > MAX_ADDRESS:
        return False
    match = _ADDRESS.fullmatch(text)
    return match is not None and len(match["local"].encode()) <= MAX_LOCAL_PART
