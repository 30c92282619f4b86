"""Model files the server loads: a tampered or unloadable champion is refused, and never replaces a good one.

tests/model/test_severity.py checks `load_artifact` alone; here the same holds through the server:
at start-up (not ready, 503 with the reason, the reason in GET /v1/models) and on a hot reload
(the previous good version keeps being served, the reason is shown, a rollback clears it).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.settings import Settings
from tests.api.conftest import ADMIN_KEY, AGENT_KEY, KEYS
from training.artifacts import SIGNING_KEY_ENV, sign_artifact
from training.registry import promote, rollback, write_registry

GOOD = "20260101-000000"  # the severity version of the `served_models` fixture
BAD = "20260301-000000"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
TICKET = {"text": "Третий день нет интернета, пишу уже второй раз."}
NOT_MATCHING = "does not match its metadata"


class Payload:
    """Unpickling this creates `marker`: what a forged model file could do with any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


def add_version(models: Path, version: str, *, tamper: str) -> Path:
    """A copy of the good severity version under a newer name, then damaged as `tamper` says."""
    folder = models / "severity" / version
    shutil.copytree(models / "severity" / GOOD, folder)
    meta_path, model_path = folder / "metadata.json", folder / "model.joblib"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = version
    if tamper == "flipped byte":  # the checksum no longer matches: refused before unpickling
        data = bytearray(model_path.read_bytes())
        data[len(data) // 2] ^= 0x01
        model_path.write_bytes(bytes(data))
    elif tamper == "unloadable":  # checksum updated to match, but the file is not a model
        model_path.write_bytes(b"this is not a joblib file")
        meta["model_sha256"] = hashlib.sha256(model_path.read_bytes()).hexdigest()
    elif tamper.startswith("forged:"):  # a pickle that runs code when loaded, its checksum rewritten to match
        model_path.write_bytes(pickle.dumps(Payload(Path(tamper.removeprefix("forged:")))))
        meta["model_sha256"] = hashlib.sha256(model_path.read_bytes()).hexdigest()
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return folder


@pytest.fixture
def models(served_models: Path, tmp_path: Path) -> Path:
    root = tmp_path / "models"
    shutil.copytree(served_models, root)
    write_registry(root / "severity", {"champion": GOOD, "challenger": None, "history": []})
    return root


def app_for(models: Path, tmp_path: Path) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'triage.db'}", models_dir=models, api_keys=KEYS, model_poll_seconds=0
    )
    return TestClient(create_app(settings), headers={"Authorization": f"Bearer {AGENT_KEY}"})


@pytest.mark.parametrize(("tamper", "reason"), [("flipped byte", NOT_MATCHING), ("unloadable", "cannot be loaded")])
def test_a_damaged_champion_at_start_up_is_not_served(models: Path, tmp_path: Path, tamper: str, reason: str) -> None:
    add_version(models, BAD, tamper=tamper)
    shutil.rmtree(models / "severity" / GOOD)
    (models / "severity" / "registry.json").unlink()  # no registry: the newest version is the champion
    with app_for(models, tmp_path) as client:
        ready = client.get("/readyz").json()
        assert ready["status"] == "not_ready" and ready["models"]["severity"] is None
        listed = {m["task"]: m for m in client.get("/v1/models").json()}
        assert listed["severity"]["version"] is None and reason in listed["severity"]["load_error"]
        refused = client.post("/v1/tickets", json=TICKET)
        assert refused.status_code == 503 and reason in refused.json()["detail"]
        assert client.post("/v1/replies/check", json={"text": "Это не к нам."}).status_code == 200  # tone is fine
        assert client.get("/v1/tickets").json()["items"] == []


@pytest.mark.parametrize(("tamper", "reason"), [("flipped byte", NOT_MATCHING), ("unloadable", "cannot be loaded")])
def test_a_damaged_champion_on_reload_keeps_the_good_one(
    models: Path, tmp_path: Path, tamper: str, reason: str
) -> None:
    with app_for(models, tmp_path) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        add_version(models, BAD, tamper=tamper)
        promote(models / "severity", BAD, by="test", reason="a damaged file promoted")

        reloaded = client.post("/v1/models/reload", headers=ADMIN)
        assert reloaded.status_code == 200, reloaded.text
        severity = {m["task"]: m for m in reloaded.json()}["severity"]
        assert (severity["version"], severity["champion"]) == (GOOD, BAD)
        assert reason in severity["load_error"] and BAD in severity["load_error"]
        assert client.get("/readyz").json() == {
            "status": "ready",
            "models": {"severity": GOOD, "tone": "20260101-000001"},
            "database": True,
        }
        scored = client.post("/v1/tickets", json=TICKET)
        assert scored.status_code == 201 and scored.json()["model_version"] == GOOD

        rollback(models / "severity", by="test")
        severity = {m["task"]: m for m in client.post("/v1/models/reload", headers=ADMIN).json()}["severity"]
        assert (severity["version"], severity["champion"], severity["load_error"]) == (GOOD, GOOD, None)


def test_a_registry_that_is_not_json_keeps_the_good_one(models: Path, tmp_path: Path) -> None:
    with app_for(models, tmp_path) as client:
        (models / "severity" / "registry.json").write_text("{half a registry", encoding="utf-8")
        reloaded = client.post("/v1/models/reload", headers=ADMIN)
        assert reloaded.status_code == 200, reloaded.text
        severity = {m["task"]: m for m in reloaded.json()}["severity"]
        assert severity["version"] == GOOD and "not valid JSON" in severity["load_error"]
        assert client.post("/v1/tickets", json=TICKET).json()["model_version"] == GOOD


def test_with_a_signing_key_only_signed_model_files_are_unpickled(
    models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checksum beside the file stops damage, not an attacker who rewrites both; the signing key
    (which never sits with the models) does: a forged file is refused before it is unpickled."""
    marker = tmp_path / "code-ran"
    monkeypatch.setenv(SIGNING_KEY_ENV, "a secret shared by the training and the serving machines")
    with app_for(models, tmp_path) as client:  # the fixture's versions were saved without the key
        listed = {m["task"]: m for m in client.get("/v1/models").json()}
        assert listed["severity"]["version"] is None and "is not signed" in listed["severity"]["load_error"]
        assert client.get("/readyz").json()["status"] == "not_ready"

        for task, version in (("severity", GOOD), ("tone", "20260101-000001")):
            sign_artifact(models / task / version)  # an admin vouches for the versions they trained
        assert client.post("/v1/models/reload", headers=ADMIN).status_code == 200
        assert client.get("/readyz").json()["status"] == "ready"

        add_version(models, BAD, tamper=f"forged:{marker}")
        promote(models / "severity", BAD, by="attacker", reason="a forged file with a matching sha256")
        severity = {m["task"]: m for m in client.post("/v1/models/reload", headers=ADMIN).json()}["severity"]
        assert (severity["version"], severity["champion"]) == (GOOD, BAD)
        assert "signature that does not match" in severity["load_error"]  # it kept the copied HMAC
        assert not marker.exists()  # refused before unpickling: the payload never ran

        # a signature made with another key is refused the same way
        monkeypatch.setenv(SIGNING_KEY_ENV, "the attacker's own key")
        sign_artifact(models / "severity" / BAD)
        monkeypatch.setenv(SIGNING_KEY_ENV, "a secret shared by the training and the serving machines")
        severity = {m["task"]: m for m in client.post("/v1/models/reload", headers=ADMIN).json()}["severity"]
        assert severity["version"] == GOOD and "does not match" in severity["load_error"]
        assert not marker.exists()
