"""moto's AWS stand-in on a server that keeps connections alive, as AWS's endpoints do.

moto's own ThreadedMotoServer runs on werkzeug's development server, which closes the
connection after every response. Then every call of every local function opens a new
TCP connection, and the web function's page is measured paying for a connect that it
never pays in Lambda, where its connection to DynamoDB is kept warm. waitress (the
Pylons project's production WSGI server) speaks HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from waitress import wasyncore
from waitress.server import create_server

# The local run's functions call moto from many threads at once (fifty families' stories,
# pictures and narrations); werkzeug gave each request its own thread.
THREADS = 16
STOP_SECONDS = 1.0


class KeptAliveMotoServer:
    """ThreadedMotoServer's start / get_host_and_port / stop, on waitress."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        logging.getLogger("waitress").setLevel(logging.ERROR)  # "task queue depth" notes
        self._server = create_server(
            DomainDispatcherApplication(create_backend_app),
            host=host,
            port=port,
            threads=THREADS,
            clear_untrusted_proxy_headers=True,
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._stopping = False

    def start(self) -> None:
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        return str(self._server.effective_host), int(self._server.effective_port)

    def stop(self) -> None:
        """Close the listening socket and every kept-alive connection, so the loop ends.
        They are closed by the loop's own thread (its trigger), not under its select().
        Once only: on a busy machine the loop may outlive the join, and its trigger is
        then already closed (a second pull was `Bad file descriptor`)."""
        if self._stopping or not self._thread.is_alive():
            return
        self._stopping = True
        self._server.task_dispatcher.shutdown(timeout=STOP_SECONDS)
        with contextlib.suppress(OSError):  # the loop closed itself already
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
        self._thread.join(STOP_SECONDS)
