from fastapi import APIRouter

from serve.dependencies import StateDep
from serve.schemas import ModelPublic

router = APIRouter(prefix="/v1", tags=["models"])


@router.get("/models", response_model=list[ModelPublic])
def list_models(state: StateDep) -> list[ModelPublic]:
    """The loaded model versions with their test metrics."""
    out = []
    for task, artifact in sorted(state.models.items()):
        meta = artifact.metadata
        metrics = {k: v for k, v in meta.get("metrics_test", {}).items() if isinstance(v, int | float)}
        out.append(ModelPublic(task=task, version=artifact.version, created_at=meta.get("created_at"), metrics=metrics))
    return out
