"""What routes receive by injection: the loaded models, a database session, the settings.

The dependencies that only read memory are `async`: FastAPI runs a sync dependency in its thread
pool, and for these the hop would be pure overhead on every request."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from serve.auth import GRANTS, KeyRing, RateLimiter, digest, retry_after
from serve.metrics import Metrics
from serve.settings import Settings
from training.artifacts import Artifact, ArtifactError, load_artifact
from training.registry import champion_folder

MODEL_FOLDERS = ("severity", "tone")


@dataclass
class AppState:
    settings: Settings
    sessions: sessionmaker[Session]
    metrics: Metrics
    keys: KeyRing = field(default_factory=lambda: KeyRing({}))
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0, 0))
    models: dict[str, Artifact] = field(default_factory=dict)
    load_errors: dict[str, str] = field(default_factory=dict)

    def load_models(self) -> list[str]:
        """Load each task's champion when it is not the version already served; return what changed.

        Called at start-up, by the registry watcher and by `POST /v1/models/reload`: a promotion or a
        rollback reaches the server without a restart. The new artifact is loaded (checksum first)
        before it replaces the old one in a single assignment, so a request sees one model or the other.
        A missing or tampered champion is recorded and the version already served stays.
        """
        changed = []
        for folder in MODEL_FOLDERS:
            target = None
            try:
                target = champion_folder(self.settings.models_dir / folder)
                current = self.models.get(folder)
                if current is not None and current.path.resolve() == target.resolve():
                    self.load_errors.pop(folder, None)  # e.g. a rollback to the version still served
                    continue
                self.models[folder] = load_artifact(target)
                self.load_errors.pop(folder, None)
                changed.append(f"{folder} {self.models[folder].version}")
            except ArtifactError as err:
                self.load_errors[folder] = str(err)
            except Exception as err:  # a file that passes its checksum but will not unpickle, a mangled metadata.json…
                self.load_errors[folder] = f"{target or folder} cannot be loaded: {type(err).__name__}: {err}"
        if changed:
            # The models are long-lived: keep their ~10^5 objects out of the collector's full passes,
            # which otherwise cost 45–60 ms at random requests (benchmarks/RESULTS.md, tone latency).
            gc.freeze()
        return changed


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
        hashed = digest(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
        granted = state.keys.role_for(hashed) if hashed else None
        if granted is None:
            raise HTTPException(
                status_code=401, detail="missing or invalid API key", headers={"WWW-Authenticate": "Bearer"}
            )
        if role not in GRANTS[granted]:
            raise HTTPException(status_code=403, detail=f"this endpoint needs an {role} key")
        # an admin route also passes the router's agent check: one request spends one token
        wait = 0.0 if getattr(request.state, "charged", None) == hashed else state.limiter.wait_for(hashed)
        request.state.charged = hashed
        if wait:
            raise HTTPException(
                status_code=429,
                detail="rate limit of this API key exceeded",
                headers={"Retry-After": retry_after(wait)},
            )
        return granted

    return dependency


async def caller(request: Request) -> str:
    """Who made an admin change, for the registry's history: the key's digest, never the key."""
    _, _, key = request.headers.get("authorization", "").partition(" ")
    return f"api key sha256:{digest(key.strip())[:12]}"


AgentKey = Depends(require("agent"))
AdminKey = Depends(require("admin"))
StateDep = Annotated[AppState, Depends(get_state)]
CallerDep = Annotated[str, Depends(caller)]
SessionDep = Annotated[Session, Depends(get_session)]
SeverityModel = Annotated[Artifact, Depends(model_for("severity"))]
ToneModel = Annotated[Artifact, Depends(model_for("tone"))]
