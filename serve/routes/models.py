from fastapi import APIRouter

from serve.dependencies import AdminKey, StateDep
from serve.schemas import ModelPublic, error_responses
from training.artifacts import ArtifactError
from training.registry import read_registry

router = APIRouter(prefix="/v1", tags=["models"])


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
