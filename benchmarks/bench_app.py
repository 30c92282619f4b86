"""The app as served, plus `GET/POST /bench/noop` returning `{}`: the framework's floor, for benchmarks only.

The no-op is a plain `def` like the real routes, so it takes the same path (uvicorn, the measuring
middleware, routing, the thread pool, JSON response) and a route's distance to it is the route's own
work: validation, the model, the database, the response model. A POST body is sent but not read.

`BENCH_TCP_NODELAY=1` (server_load.py `--nodelay`) sets TCP_NODELAY on every accepted TCP connection:
uvicorn 0.54 with `--workers N` > 1 binds the listener with proto 0, asyncio then skips TCP_NODELAY,
and each keep-alive response waits ~40 ms for the client's delayed ACK (Kludex/uvicorn#3149, open).
Benchmark-only, to show what the app gives once that is fixed; 1 worker is not affected.

    PYTHONPATH=benchmarks uvicorn bench_app:create_app --factory   # what the benchmarks start
"""

from __future__ import annotations

import asyncio.base_events
import os
import socket

from fastapi import FastAPI

from serve.app import create_app as create_triage_app


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


if os.environ.get("BENCH_TCP_NODELAY") == "1":
    asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]


def noop() -> dict[str, str]:
    return {}


def create_app() -> FastAPI:
    app = create_triage_app()
    app.add_api_route("/bench/noop", noop, methods=["GET", "POST"], include_in_schema=False)
    return app
