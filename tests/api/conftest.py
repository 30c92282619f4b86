from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import Settings


@pytest.fixture
def client(served_models: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'triage.db'}", models_dir=served_models, batch_limit=5)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
