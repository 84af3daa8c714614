"""An EventBridge rule target's InputTransformer, as the service applies it."""

from __future__ import annotations

import json
import re
from typing import Any

from bedtime.local.pipe import select_path


def transform_input(transformer: dict, event: dict) -> str:
    values = {
        name: select_path(event, path)
        for name, path in transformer.get("InputPathsMap", {}).items()
    }
    template = transformer["InputTemplate"]

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return _text(values[name])

    return re.sub(r"<([A-Za-z0-9_.-]+)>", fill, template)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
