from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from serve.dependencies import StateDep
from serve.schemas import Health, Ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready)
def readyz(state: StateDep) -> Ready:
    """Both models loaded and the database answering."""
    try:
        with state.sessions() as session:
            session.execute(text("SELECT 1"))
        database = True
    except SQLAlchemyError:
        database = False
    models = {task: (a.version if (a := state.models.get(task)) else None) for task in ("severity", "tone")}
    ready = database and all(models.values())
    return Ready(status="ready" if ready else "not_ready", models=models, database=database)
