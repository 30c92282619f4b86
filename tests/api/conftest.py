from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import Settings
from training.artifacts import save_artifact


@pytest.fixture(scope="session")
def served_models(triager, tone_checker, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("served-models")
    save_artifact(triager, root / "severity", {"task": "tickets"}, version="20260101-000000")
    save_artifact(tone_checker, root / "tone", {"task": "replies"}, version="20260101-000001")
    return root


@pytest.fixture
def client(served_models: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'triage.db'}", models_dir=served_models, batch_limit=5)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
