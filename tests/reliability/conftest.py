"""Fixtures of the reliability tests: the API ones of tests/api, and one app per module and database."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import Settings
from tests.api.conftest import AGENT_KEY, KEYS, POSTGRES_URL, fresh_postgres

POSTGRES = pytest.mark.skipif(not POSTGRES_URL, reason="TRIAGE_TEST_POSTGRES_URL is not set")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=POSTGRES)])
def shared_client(
    request: pytest.FixtureRequest, served_models: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One app for a module's cases (each case compares the store before and after), agent key sent."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'triage.db'}"
    else:
        url = fresh_postgres(POSTGRES_URL)
    settings = Settings(database_url=url, models_dir=served_models, batch_limit=5, api_keys=KEYS, model_poll_seconds=0)
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {AGENT_KEY}"}) as client:
        yield client
