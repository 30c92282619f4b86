"""Run an app factory under uvicorn: one process, or N worker processes sharing one listening socket.

`triage serve` and the benchmarks start the server through here rather than `uvicorn.run`:
- With `workers > 1` uvicorn 0.54 binds the shared socket with protocol 0, and the standard asyncio
  loop only sets TCP_NODELAY on connections whose socket says IPPROTO_TCP. Every keep-alive response
  then waits ~40 ms for the client's delayed ACK (Kludex/uvicorn#3149): two workers served fewer
  requests than one. The socket is bound as IPPROTO_TCP here; uvloop (installed, and picked by
  uvicorn when present) sets TCP_NODELAY itself, so either loop gets it.
- N workers get folders they share (`shared_worker_state`): `/metrics` then counts the whole server
  and the rate limit is one bucket per key, not one per worker.

    python -m serve.runner serve.app:create_app --workers 2 --port 8000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from serve.metrics import MULTIPROCESS_DIR

STARTUP_FAILURE = 3  # uvicorn's own exit status when the app did not start


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, but the socket shared by the workers is an IPPROTO_TCP socket."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            # same descriptor (bound, inheritable), re-wrapped so that asyncio recognises it as TCP
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


RATE_LIMIT_DIR = "TRIAGE_RATE_LIMIT_DIR"


@contextlib.contextmanager
def shared_worker_state() -> Iterator[None]:
    """Folders the workers of one server share, in a fresh temp dir removed at exit: their Prometheus
    values (serve/metrics.py) and their rate-limit buckets (serve/auth.py). The variables are set
    before the workers start, so each imports prometheus_client in multiprocess mode. A variable the
    caller set is kept as it is (a metrics folder must then be emptied between runs)."""
    root = Path(tempfile.mkdtemp(prefix="triage-workers-"))
    added = []
    for variable, folder in ((MULTIPROCESS_DIR, "metrics"), (RATE_LIMIT_DIR, "rate-limit")):
        if not os.environ.get(variable):
            (root / folder).mkdir()
            os.environ[variable] = str(root / folder)
            added.append(variable)
    try:
        yield
    finally:
        for variable in added:
            os.environ.pop(variable, None)
        shutil.rmtree(root, ignore_errors=True)


def serve(
    app: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    log_level: str = "info",
    access_log: bool = True,
    loop: str = "auto",
    http: str = "auto",
) -> None:
    """Serve the factory `app` ("module:function") until interrupted; exit 3 if it failed to start.

    `loop` and `http` are uvicorn's: "auto" takes uvloop and httptools (installed with the project).
    """
    config = TcpConfig(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        loop=loop,
        http=http,
    )
    if workers > 1:
        with shared_worker_state():
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("app", help="app factory as module:function, e.g. serve.app:create_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    parser.add_argument("--loop", choices=("auto", "asyncio", "uvloop"), default="auto")
    parser.add_argument("--http", choices=("auto", "h11", "httptools"), default="auto")
    args = parser.parse_args()
    serve(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
        loop=args.loop,
        http=args.http,
    )


if __name__ == "__main__":
    main()
