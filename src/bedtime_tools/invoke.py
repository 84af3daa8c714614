"""`make invoke`: `sam local invoke` of one function, in Docker, against the `make run` on
PORT or the deployed STACK, with the template's environment variables given real values.

SAM passes a `!Ref` environment value as the logical id, and only the variables the
template declares reach the container: so the values come from the run's state file (or
the deployed function), and the local template declares AWS_ENDPOINT_URL too.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import platform
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bedtime.core.clients import new_client
from bedtime_local.state import STATE_DIR, run_state_file
from bedtime_tools.preflight import check_aws

LOCAL_TEMPLATE = "template-local.yaml"
REGION = "us-east-1"  # the local endpoint's (moto's) region


class CannotInvoke(RuntimeError):
    """Nothing to invoke against; the message says what to do."""


def local_architecture() -> str:
    """The Lambda architecture this machine runs natively (no emulator)."""
    return "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "x86_64"


def local_template(build_dir: Path, architecture: str, endpoint: bool) -> Path:
    """The built template, for this machine's architecture and (for a local endpoint)
    declaring AWS_ENDPOINT_URL, written beside it so each CodeUri still points home."""
    template = yaml.safe_load((build_dir / "template.yaml").read_text())
    function = template["Globals"]["Function"]
    function["Architectures"] = [architecture]
    if endpoint:
        function["Environment"]["Variables"]["AWS_ENDPOINT_URL"] = ""
    path = build_dir / LOCAL_TEMPLATE
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    return path


def run_values(port: int, state_dir: Path = STATE_DIR) -> tuple[dict[str, str], str]:
    """The `make run` on PORT: its functions' environment and its AWS endpoint."""
    path = run_state_file(port, state_dir)
    if not path.exists():
        raise CannotInvoke(
            f"No `make run` is up on port {port}: start one (`make run`, or set PORT to its "
            "port), or name a deployed stack with STACK=name."
        )
    state = json.loads(path.read_text())
    return state["environment"], state["endpoint"]


def stack_values(stack: str, function: str) -> dict[str, str]:
    """The deployed function's own environment variables."""
    check_aws()
    physical = new_client("cloudformation").describe_stack_resource(
        StackName=stack, LogicalResourceId=function
    )["StackResourceDetail"]["PhysicalResourceId"]
    configuration = new_client("lambda").get_function_configuration(FunctionName=physical)
    return dict(configuration.get("Environment", {}).get("Variables", {}))


def docker_gateway() -> str:
    """The host's address on Docker's default bridge, where a container finds the host
    (the bridge's gateway; Docker leaves it unnamed when it is the subnet's first host)."""
    found = subprocess.run(
        [docker(), "network", "inspect", "bridge", "--format", "{{json .IPAM.Config}}"],
        capture_output=True,
        text=True,
        check=True,
    )
    [config, *_] = json.loads(found.stdout)
    return config.get("Gateway") or str(next(ipaddress.ip_network(config["Subnet"]).hosts()))


def docker() -> str:
    found = shutil.which("docker")
    if not found:
        raise CannotInvoke("`sam local invoke` needs Docker: no `docker` on PATH.")
    return found


class _Relay(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        super().__init__(listen, _Forward)
        self.target = target


class _Forward(socketserver.BaseRequestHandler):
    server: _Relay

    def handle(self) -> None:
        with socket.create_connection(self.server.target) as upstream:
            back = threading.Thread(target=_copy, args=(upstream, self.request), daemon=True)
            back.start()
            _copy(self.request, upstream)
            back.join()


def _copy(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):  # the other side has gone
        while chunk := source.recv(65536):
            sink.sendall(chunk)
        sink.shutdown(socket.SHUT_WR)


@contextmanager
def relay(endpoint: str, host: str) -> Iterator[str]:
    """The local endpoint, which listens on 127.0.0.1 only, also reachable at host (where
    containers find this machine) for as long as the block runs: gives that address."""
    target = urlsplit(endpoint)
    server = _Relay((host, 0), (target.hostname or "127.0.0.1", target.port or 80))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def env_vars_file(values: dict[str, str], directory: Path) -> Path:
    """sam's --env-vars file: every function gets these values for what it declares."""
    path = directory / "env-vars.json"
    path.write_text(json.dumps({"Parameters": values}))
    return path


def sam_local(
    command: str, template: Path, env_vars: Path, region: str, *arguments: str
) -> list[str]:
    """`sam local invoke|start-lambda` on the locally built image, never pulling one."""
    sam = str(Path(sys.executable).with_name("sam"))
    return [
        sam,
        "local",
        command,
        *arguments,
        "--template",
        str(template),
        "--env-vars",
        str(env_vars),
        "--skip-pull-image",
        "--region",
        region,
    ]


def invoke(function: str, event: Path, build_dir: Path, port: int, stack: str | None) -> int:
    endpoint = None
    if stack:
        values = stack_values(stack, function)
    else:
        values, endpoint = run_values(port)
    template = local_template(build_dir, local_architecture(), endpoint is not None)
    reachable = relay(endpoint, docker_gateway()) if endpoint else nullcontext(None)
    with reachable as relayed, tempfile.TemporaryDirectory() as scratch:
        if relayed:
            values = values | {"AWS_ENDPOINT_URL": relayed}
        env_vars = env_vars_file(values, Path(scratch))
        region = check_aws() if stack else REGION
        command = sam_local("invoke", template, env_vars, region, function, "--event", str(event))
        return subprocess.call(command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make invoke", description=__doc__)
    parser.add_argument("function", help="the template's logical id, e.g. WebFunction")
    parser.add_argument("event", type=Path, help="an event file, e.g. events/web-home.json")
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--stack")
    args = parser.parse_args(argv)
    try:
        return invoke(args.function, args.event, args.build_dir, args.port, args.stack)
    except CannotInvoke as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
