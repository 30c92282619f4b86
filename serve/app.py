"""`create_app()`: settings, lifespan (migrate, load models once), routers, body-size limit."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from serve.dependencies import AppState
from serve.metrics import Metrics
from serve.routes import corrections, health, languagetool, models, replies, tickets, webhooks
from serve.settings import Settings, get_settings
from serve.store import make_engine, migrate, session_factory
from training.artifacts import ArtifactError, latest_version, load_artifact

MODEL_FOLDERS = ("severity", "tone")
STATIC = Path(__file__).parent / "static"


def load_models(state: AppState) -> None:
    """Load the newest version of each model once; a missing or tampered one is recorded, not fatal."""
    for folder in MODEL_FOLDERS:
        try:
            state.models[folder] = load_artifact(latest_version(state.settings.models_dir / folder))
        except ArtifactError as err:
            state.load_errors[folder] = str(err)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate(engine)
        state = AppState(settings=settings, sessions=session_factory(engine), metrics=metrics)
        load_models(state)
        app.state.triage = state
        yield
        engine.dispose()

    app = FastAPI(
        title="complaint-triage",
        version="0.1.0",
        summary="Severity triage for complaint tickets and a blame-shifting checker for agents' replies.",
        lifespan=lifespan,
    )

    app.state.metrics = metrics

    @app.middleware("http")
    async def limit_and_measure(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            response = JSONResponse({"detail": f"body larger than {settings.max_body_bytes} bytes"}, status_code=413)
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        path = route.path if route is not None else "unmatched"
        metrics.requests.labels(request.method, path, str(response.status_code)).inc()
        metrics.latency.labels(request.method, path).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    for module in (health, tickets, replies, corrections, webhooks, models, languagetool):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def agent_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
