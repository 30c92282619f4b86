"""The app as served, plus `GET/POST /bench/noop` returning `{}`: the framework's floor, for benchmarks only.

The no-op goes the same way as the real routes (uvicorn, the measuring middleware, routing, JSON
response) and a route's distance to it is the route's own work: authentication, validation, the
model, the database, the response model. It is `async` like the check route, so no thread-pool hop
either (the ticket route, which writes to the database, is a plain `def` and takes that hop). A POST
body is sent but not read.

    PYTHONPATH=benchmarks python -m serve.runner bench_app:create_app   # what the benchmarks start
"""

from __future__ import annotations

from fastapi import FastAPI

from serve.app import create_app as create_triage_app


async def noop() -> dict[str, str]:
    return {}


def create_app() -> FastAPI:
    app = create_triage_app()
    app.add_api_route("/bench/noop", noop, methods=["GET", "POST"], include_in_schema=False)
    return app
