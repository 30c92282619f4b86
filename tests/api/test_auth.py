"""API keys (agent, admin), rate limit per key, closed CORS, no ticket text in INFO logs."""

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.auth import SharedRateLimiter, digest, load_keyring, parse_file
from serve.settings import Settings
from tests.api.conftest import ADMIN_KEY, AGENT_KEY, KEYS

TICKET = {"text": "Секретная история клиента: пахнет газом в подъезде на Лесной, 12"}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-key"}, 401),
        ({"Authorization": f"Basic {AGENT_KEY}"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": f"Bearer {AGENT_KEY}"}, 201),
        ({"Authorization": f"Bearer {ADMIN_KEY}"}, 201),
    ],
)
def test_scoring_needs_a_valid_key(client: TestClient, headers: dict, status: int) -> None:
    client.headers.pop("Authorization")
    response = client.post("/v1/tickets", json=TICKET, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"detail": "missing or invalid API key"}
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_refused_request_stores_nothing_and_leaks_nothing(client: TestClient) -> None:
    client.headers.pop("Authorization")
    assert client.post("/v1/tickets", json={"text": ""}).status_code == 401  # auth before validation
    assert client.get("/v1/tickets", headers={"Authorization": f"Bearer {AGENT_KEY}"}).json()["items"] == []
    for path in ("/v1/tickets", "/v1/models", "/metrics"):
        assert client.get(path).status_code == 401
    for path in ("/healthz", "/readyz", "/", "/openapi.json"):
        assert client.get(path).status_code == 200


def test_admin_routes_refuse_agent_keys(client: TestClient) -> None:
    refused = client.post("/v1/models/reload")
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert client.post("/v1/models/reload", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).status_code == 200


def test_rate_limit_per_key(served_models: Path, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'rl.db'}",
        models_dir=served_models,
        api_keys=KEYS,
        rate_limit_per_second=0.01,
        rate_limit_burst=3,
    )
    with TestClient(create_app(settings)) as client:
        agent = {"Authorization": f"Bearer {AGENT_KEY}"}
        codes = [client.get("/v1/tickets", headers=agent).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        limited = client.get("/v1/tickets", headers=agent)
        assert int(limited.headers["retry-after"]) >= 1
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        # an admin route checks the agent role (router) and the admin role (route): still one token each
        codes = [client.post("/v1/models/reload", headers=admin).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def test_cors_is_closed_by_default_and_opens_only_to_listed_origins(served_models: Path, tmp_path: Path) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    base = {"database_url": f"sqlite:///{tmp_path / 'c.db'}", "models_dir": served_models, "api_keys": KEYS}
    with TestClient(create_app(Settings(**base))) as client:
        response = client.options("/v1/tickets", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    with TestClient(create_app(Settings(**base, cors_origins="https://desk.example"))) as client:
        allowed = client.options("/v1/tickets", headers={**preflight, "Origin": "https://desk.example"}).headers.get(
            "access-control-allow-origin"
        )
        assert allowed == "https://desk.example"
        assert "access-control-allow-origin" not in client.options("/v1/tickets", headers=preflight).headers


def test_ticket_texts_never_reach_logs_at_info(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        assert client.post("/v1/tickets", json=TICKET).status_code == 201
        assert client.post("/v1/replies/check", json={"text": "Это не к нам, секретная история."}).status_code == 200
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Секретная" not in logged and "секретная" not in logged


def test_key_file_holds_digests_only(tmp_path: Path) -> None:
    path = tmp_path / "keys.txt"
    path.write_text(f"# help desk keys\nagent sha256:{digest('k1')}\nadmin sha256:{digest('k2')}  # ops\n")
    ring = load_keyring("", path)
    assert (ring.role_of("k1"), ring.role_of("k2"), ring.role_of("k3")) == ("agent", "admin", None)
    path.write_text("agent k1\n")
    with pytest.raises(ValueError, match=r"keys\.txt:1: expected 'role sha256"):
        parse_file(path)
    with pytest.raises(ValueError, match="role must be one of"):
        load_keyring("root:abc", None)
    with pytest.raises(ValueError, match="expected role:key"):
        load_keyring("agent", None)


def test_processes_sharing_a_rate_limit_folder_spend_from_one_bucket(tmp_path: Path) -> None:
    """What N workers of one server do (serve.runner gives them the folder): two limiters, one bucket."""
    first = SharedRateLimiter(rate=0.001, burst=3, directory=tmp_path)
    second = SharedRateLimiter(rate=0.001, burst=3, directory=tmp_path)
    waits = [limiter.wait_for("a" * 64) for limiter in (first, second, first, second, first)]
    assert waits[:3] == [0.0, 0.0, 0.0] and all(w > 0 for w in waits[3:])
    assert first.wait_for("b" * 64) == 0.0  # another key, its own bucket
