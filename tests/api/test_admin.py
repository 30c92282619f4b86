"""The admin role's API: promote, roll back and export corrections — what `triage models promote`,
`triage models rollback` and `triage corrections export` do, for an admin who has no shell on the
server. An agent key gets 403 on all three."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import Settings
from tests.api.conftest import ADMIN_KEY, AGENT_KEY, KEYS
from training.artifacts import save_artifact
from training.data import dataset_path, load_records
from training.registry import read_registry, register_trained

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = "20260101-000000", "20260102-000000"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def models(triager, tone_checker, tmp_path: Path) -> Path:
    """Severity: OLD champion, NEW challenger. Tone: one version."""
    root = tmp_path / "models"
    for version in (OLD, NEW):
        save_artifact(triager, root / "severity", {"task": "tickets"}, version=version)
        register_trained(root / "severity", version, by="test")
    save_artifact(tone_checker, root / "tone", {"task": "replies"}, version=OLD)
    return root


def app_with(models: Path, database: Path, data_dir: Path) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{database}", models_dir=models, data_dir=data_dir, api_keys=KEYS, model_poll_seconds=0
    )
    return TestClient(create_app(settings), headers={"Authorization": f"Bearer {AGENT_KEY}"})


@pytest.fixture
def client(models: Path, tmp_path: Path) -> Iterator[TestClient]:
    with app_with(models, tmp_path / "admin.db", ROOT / "data") as test_client:
        yield test_client


def served(client: TestClient) -> dict[str, str]:
    return {m["task"]: m["version"] for m in client.get("/v1/models").json()}


def test_an_agent_key_cannot_change_models_or_export(client: TestClient, models: Path) -> None:
    assert client.post("/v1/models/severity/promote", json={"version": NEW}).status_code == 403
    assert client.post("/v1/models/severity/rollback").status_code == 403
    assert client.get("/v1/corrections/export", params={"task": "tickets"}).status_code == 403
    assert read_registry(models / "severity")["champion"] == OLD


def test_promote_then_roll_back_through_the_api(client: TestClient, models: Path) -> None:
    assert served(client)["severity"] == OLD
    promoted = client.post(
        "/v1/models/severity/promote", json={"version": NEW, "reason": "better on the new data"}, headers=ADMIN
    )
    assert promoted.status_code == 200, promoted.text
    event = promoted.json()["event"]
    assert (event["action"], event["version"], event["previous"]) == ("promote", NEW, OLD)
    assert event["by"].startswith("api key sha256:") and ADMIN_KEY not in event["by"]
    assert event["reason"] == "better on the new data"
    assert served(client)["severity"] == NEW  # this process at once, without waiting for a poll
    registry = read_registry(models / "severity")
    assert registry["champion"] == NEW and registry["challenger"] is None
    assert registry["history"][-1]["by"] == event["by"]

    again = client.post("/v1/models/severity/promote", json={"version": NEW}, headers=ADMIN)
    assert again.status_code == 409 and "already the champion" in again.json()["detail"]

    back = client.post("/v1/models/severity/rollback", headers=ADMIN)
    assert back.status_code == 200, back.text
    assert (back.json()["event"]["version"], back.json()["event"]["previous"]) == (OLD, NEW)
    assert served(client)["severity"] == OLD
    nothing = client.post("/v1/models/severity/rollback", headers=ADMIN)
    assert nothing.status_code == 409 and "nothing to roll back to" in nothing.json()["detail"]


def test_promotion_requests_that_name_nothing_real_are_refused(client: TestClient, models: Path) -> None:
    cases = [
        ("/v1/models/severity/promote", {"version": "20990101-000000"}, 404, "no version 20990101-000000"),
        ("/v1/models/severity/promote", {"version": "../tone/" + OLD}, 404, "no version"),
        ("/v1/models/severity/promote", {"version": ""}, 422, "version"),
        ("/v1/models/severity/promote", {"version": 20260102}, 422, "version"),
        ("/v1/models/severity/promote", {"version": NEW, "force": True}, 422, "force"),
        ("/v1/models/weather/promote", {"version": NEW}, 422, "model"),
    ]
    for path, body, status, words in cases:
        response = client.post(path, json=body, headers=ADMIN)
        assert response.status_code == status, (body, response.text)
        assert words in response.text, (body, response.text)
    assert client.post("/v1/models/weather/rollback", headers=ADMIN).status_code == 422
    assert read_registry(models / "severity")["champion"] == OLD


def test_export_gives_the_cli_records_and_keeps_test_texts_out(client: TestClient) -> None:
    ticket = client.post("/v1/tickets", json={"text": "Курьер опоздал на два часа, торт растаял."}).json()
    corrected = {"target": "ticket", "ticket_id": ticket["id"], "severity": "high", "agent": "anna"}
    assert client.post("/v1/corrections", json=corrected).status_code == 201
    test_text = load_records(dataset_path(ROOT / "data", "replies", "test"), "replies")[0]["text"]
    on_test = {"target": "reply", "text": test_text, "tone": "neutral", "agent": "boris"}
    assert client.post("/v1/corrections", json=on_test).status_code == 201

    tickets = client.get("/v1/corrections/export", params={"task": "tickets"}, headers=ADMIN)
    assert tickets.status_code == 200, tickets.text
    body = tickets.json()
    assert body["counts"]["new_records"] == 1 and len(body["records"]) == 1
    record = body["records"][0]
    assert record["severity"] == "high" and record["text"] == ticket["text"]
    assert record["correction"]["agent"] == "anna"

    replies = client.get("/v1/corrections/export", params={"task": "replies"}, headers=ADMIN).json()
    assert replies["records"] == [] and replies["counts"]["in_test_split"] == 1
    assert "on test-split texts (excluded)" in replies["summary"]
    assert client.get("/v1/corrections/export", params={"task": "weather"}, headers=ADMIN).status_code == 422


def test_export_without_the_datasets_is_a_503_not_a_guess(models: Path, tmp_path: Path) -> None:
    with app_with(models, tmp_path / "nodata.db", tmp_path / "nowhere") as client:
        response = client.get("/v1/corrections/export", params={"task": "tickets"}, headers=ADMIN)
        assert response.status_code == 503 and "datasets cannot be read" in response.json()["detail"]
