"""Are the models a deploy (or a deployed stack) names still served? Asked from a laptop by
`make deploy`'s first step and by `make smoke`, with whatever key and credentials are here."""

from __future__ import annotations

import shlex
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from bedtime.providers.lifecycle import ModelStatus, check_models, configured_models
from bedtime_local.template import TEMPLATE, load_template, parameter_values

SAMCONFIG = TEMPLATE.parent / "samconfig.toml"


def deploy_parameters(samconfig: Path = SAMCONFIG, template: Path = TEMPLATE) -> dict[str, str]:
    """The parameters `sam deploy` will use: the template's defaults, then samconfig.toml's
    parameter_overrides."""
    overrides: dict[str, str] = {}
    if samconfig.exists():
        deploy = tomllib.loads(samconfig.read_text()).get("default", {}).get("deploy", {})
        for word in shlex.split(deploy.get("parameters", {}).get("parameter_overrides", "")):
            name, _, value = word.partition("=")
            overrides[name] = value
    return parameter_values(load_template(template), overrides)


def openai_client_here(parameters: Mapping[str, str], environ: Mapping[str, str]) -> Any:
    """A client with this machine's OPENAI_API_KEY, or None without one."""
    key = environ.get("OPENAI_API_KEY")
    if not key:
        return None
    import openai

    base_url = environ.get("OPENAI_BASE_URL") or parameters.get("OpenAIBaseUrl") or None
    return openai.OpenAI(api_key=key, base_url=base_url)


def model_report(
    parameters: Mapping[str, str],
    openai_client: Any,
    bedrock: Callable[[], Any] | None,
    today: date,
) -> tuple[list[ModelStatus], list[str]]:
    return check_models(configured_models(dict(parameters)), openai_client, bedrock, today)


def verdict(statuses: list[ModelStatus], skipped: list[str]) -> tuple[list[str], bool]:
    """Lines to print, and False when a model is gone (the deploy must stop)."""
    lines = [
        ("REFUSED: " if s.state == "gone" else "WARNING: " if s.state == "retiring" else "ok: ")
        + s.message
        for s in statuses
    ]
    lines += [f"Model check skipped for {reason}." for reason in skipped]
    return lines, all(status.state != "gone" for status in statuses)
