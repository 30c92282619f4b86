import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from serve.app import create_app
from serve.settings import Settings

POSTGRES_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL", "")


def fresh_postgres(url: str) -> str:
    """Empty the test database's public schema, so each test starts from a migration on nothing."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not POSTGRES_URL, reason="TRIAGE_TEST_POSTGRES_URL is not set (make test starts a PostgreSQL)"
            ),
        ),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'triage.db'}"
    return fresh_postgres(POSTGRES_URL)


AGENT_KEY = "test-agent-key"
ADMIN_KEY = "test-admin-key"
KEYS = f"agent:{AGENT_KEY},admin:{ADMIN_KEY}"


@pytest.fixture
def client(served_models: Path, database_url: str) -> Iterator[TestClient]:
    """A client of a fresh app, sending the agent key on every request (tests of auth override it)."""
    settings = Settings(database_url=database_url, models_dir=served_models, batch_limit=5, api_keys=KEYS)
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {AGENT_KEY}"}) as test_client:
        yield test_client
