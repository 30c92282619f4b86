"""`create_app()`: settings, lifespan (migrate, load models once), routers, body-size limit."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException

from serve.auth import KeyRing, RateLimiter, SharedRateLimiter, digest, load_keyring, new_key
from serve.dependencies import AgentKey, AppState
from serve.metrics import Metrics, exposition
from serve.middleware import LimitAndMeasure
from serve.routes import corrections, health, languagetool, models, replies, tickets, webhooks
from serve.schemas import error_responses
from serve.settings import Settings, get_settings
from serve.store import make_engine, migrate, session_factory

STATIC = Path(__file__).parent / "static"


async def watch_registry(state: AppState, interval: float) -> None:
    """Poll the registry files; a loading error is kept in `load_errors` and retried next time."""
    while True:
        await asyncio.sleep(interval)
        await asyncio.to_thread(state.load_models)


def development_keys() -> tuple[KeyRing, str, str]:
    """Fresh agent and admin keys for a server started without any: printed once, valid for this run."""
    agent, admin = new_key(), new_key()
    return KeyRing({digest(agent): "agent", digest(admin): "admin"}), agent, admin


class EscapingJSONResponse(JSONResponse):
    """JSON as usual; a string with an unpaired surrogate (valid in JSON, not in UTF-8) is sent \\u-escaped."""

    def render(self, content: object) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics()
    keys = load_keyring(settings.api_keys, settings.api_keys_file)
    if not keys:
        keys, agent, admin = development_keys()
        print(f"no TRIAGE_API_KEYS: keys for this run only — agent {agent}  admin {admin}", flush=True)
    limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    if settings.rate_limit_dir is not None:
        settings.rate_limit_dir.mkdir(parents=True, exist_ok=True)
        limiter = SharedRateLimiter(
            settings.rate_limit_per_second, settings.rate_limit_burst, directory=settings.rate_limit_dir
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        migrate(engine)
        state = AppState(
            settings=settings, sessions=session_factory(engine), metrics=metrics, keys=keys, limiter=limiter
        )
        state.load_models()
        app.state.triage = state
        watcher = None
        if settings.model_poll_seconds > 0:
            watcher = asyncio.create_task(watch_registry(state, settings.model_poll_seconds))
        yield
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        engine.dispose()

    app = FastAPI(
        title="complaint-triage",
        version="0.1.0",
        summary="Severity triage for complaint tickets and a blame-shifting checker for agents' replies.",
        lifespan=lifespan,
    )

    app.state.metrics = metrics

    @app.exception_handler(HTTPException)
    async def explain_unreadable_body(request: Request, exc: HTTPException) -> Response:
        """FastAPI's 400 for a body it cannot decode says only 'error parsing the body'; say it is not UTF-8."""
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError):
            exc = HTTPException(400, detail="the request body is not valid UTF-8")
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_failed(request: Request, exc: RequestValidationError) -> Response:
        """FastAPI's own 422, rendered so that an echoed input that is not Unicode cannot turn it into a 500."""
        return EscapingJSONResponse(status_code=422, content={"detail": jsonable_encoder(exc.errors())})

    app.add_middleware(LimitAndMeasure, metrics=metrics, max_body_bytes=settings.max_body_bytes)

    @app.get("/metrics", include_in_schema=False, dependencies=[AgentKey])
    def prometheus() -> Response:
        return Response(exposition(metrics), media_type=CONTENT_TYPE_LATEST)

    app.include_router(health.router)
    for module in (tickets, replies, corrections, webhooks, models, languagetool):
        app.include_router(module.router, dependencies=[AgentKey], responses=error_responses(401, 429))
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "PATCH"], allow_headers=["*"]
        )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def agent_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
