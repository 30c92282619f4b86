from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam

from serve.dependencies import AdminKey, CallerDep, StateDep
from serve.schemas import ModelChange, ModelPublic, PromoteRequest, error_responses
from training.artifacts import ArtifactError
from training.registry import promote, read_registry, rollback, versions

router = APIRouter(prefix="/v1", tags=["models"])

ModelName = Annotated[Literal["severity", "tone"], PathParam(description="The model, as `GET /v1/models` names it.")]


def describe(state: StateDep) -> list[ModelPublic]:
    """Each task served or failing to load (then `version` is null and `load_error` says why)."""
    out = []
    for task in sorted(set(state.models) | set(state.load_errors)):
        artifact = state.models.get(task)
        meta = artifact.metadata if artifact is not None else {}
        metrics = {k: v for k, v in meta.get("metrics_test", {}).items() if isinstance(v, int | float)}
        try:
            registry = read_registry(state.settings.models_dir / task)
        except ArtifactError:  # a registry.json that is not JSON: AppState.load_models records why; no 500 here
            registry = {}
        out.append(
            ModelPublic(
                task=task,
                version=artifact.version if artifact is not None else None,
                created_at=meta.get("created_at"),
                metrics=metrics,
                champion=registry.get("champion"),
                challenger=registry.get("challenger"),
                load_error=state.load_errors.get(task),
            )
        )
    return out


@router.get("/models", response_model=list[ModelPublic])
def list_models(state: StateDep) -> list[ModelPublic]:
    """The served model versions with their test metrics, and what the registry names champion and challenger."""
    return describe(state)


@router.post(
    "/models/reload", response_model=list[ModelPublic], dependencies=[AdminKey], responses=error_responses(403)
)
def reload_models(state: StateDep) -> list[ModelPublic]:
    """Load the registry's champions now (the server also checks every `TRIAGE_MODEL_POLL_SECONDS`)."""
    state.load_models()
    return describe(state)


@router.post(
    "/models/{model}/promote",
    response_model=ModelChange,
    dependencies=[AdminKey],
    responses=error_responses(400, 403, 404, 409, 413, 422),
)
def promote_model(model: ModelName, body: PromoteRequest, state: StateDep, by: CallerDep) -> ModelChange:
    """Make a version the champion (`triage models promote`): this process serves it at once, the
    other workers at their next registry poll. The old champion stays on disk for a rollback."""
    task_dir = state.settings.models_dir / model
    known = versions(task_dir)
    if body.version not in known:
        raise HTTPException(status_code=404, detail=f"no version {body.version} of {model} (known: {', '.join(known)})")
    try:
        event = promote(task_dir, body.version, by=by, reason=body.reason)
    except ArtifactError as err:
        raise HTTPException(status_code=409, detail=str(err)) from err
    state.load_models()
    return ModelChange(event=event, models=describe(state))


@router.post(
    "/models/{model}/rollback",
    response_model=ModelChange,
    dependencies=[AdminKey],
    responses=error_responses(403, 409, 422),
)
def rollback_model(model: ModelName, state: StateDep, by: CallerDep) -> ModelChange:
    """Give the champion's place back to the version the current champion replaced (`triage models rollback`)."""
    try:
        event = rollback(state.settings.models_dir / model, by=by)
    except ArtifactError as err:
        raise HTTPException(status_code=409, detail=str(err)) from err
    state.load_models()
    return ModelChange(event=event, models=describe(state))
