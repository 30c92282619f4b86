"""What routes receive by injection: the loaded models, a database session, the settings.

The dependencies that only read memory are `async`: FastAPI runs a sync dependency in its thread
pool, and for these the hop would be pure overhead on every request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from serve.auth import GRANTS, KeyRing, RateLimiter, digest, retry_after
from serve.metrics import Metrics
from serve.settings import Settings
from training.artifacts import Artifact


@dataclass
class AppState:
    settings: Settings
    sessions: sessionmaker[Session]
    metrics: Metrics
    keys: KeyRing = field(default_factory=lambda: KeyRing({}))
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0, 0))
    models: dict[str, Artifact] = field(default_factory=dict)
    load_errors: dict[str, str] = field(default_factory=dict)


async def get_state(request: Request) -> AppState:
    return request.app.state.triage


def get_session(state: Annotated[AppState, Depends(get_state)]) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


def model_for(task: str) -> Any:
    """A dependency giving the loaded artifact of a task, or a 503 saying why it is missing."""

    async def dependency(state: Annotated[AppState, Depends(get_state)]) -> Artifact:
        artifact = state.models.get(task)
        if artifact is None:
            reason = state.load_errors.get(task, "not loaded")
            raise HTTPException(status_code=503, detail=f"{task} model unavailable: {reason}")
        return artifact

    return dependency


def require(role: str) -> Any:
    """A dependency admitting a `Bearer` key whose role grants `role`, within the key's rate limit."""

    async def dependency(request: Request, state: Annotated[AppState, Depends(get_state)]) -> str:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        granted = state.keys.role_of(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
        if granted is None:
            raise HTTPException(
                status_code=401, detail="missing or invalid API key", headers={"WWW-Authenticate": "Bearer"}
            )
        if role not in GRANTS[granted]:
            raise HTTPException(status_code=403, detail=f"this endpoint needs an {role} key")
        wait = state.limiter.wait_for(digest(key.strip()))
        if wait:
            raise HTTPException(
                status_code=429,
                detail="rate limit of this API key exceeded",
                headers={"Retry-After": retry_after(wait)},
            )
        return granted

    return dependency


AgentKey = Depends(require("agent"))
AdminKey = Depends(require("admin"))
StateDep = Annotated[AppState, Depends(get_state)]
SessionDep = Annotated[Session, Depends(get_session)]
SeverityModel = Annotated[Artifact, Depends(model_for("severity"))]
ToneModel = Annotated[Artifact, Depends(model_for("tone"))]
