"""Issue 7 end to end: agents correct through the API, corrections are exported, a challenger is
retrained and judged on the frozen test split; a better one is promoted and served without a
restart, one trained on corrupted labels is refused with the reason."""

import json
import time
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from serve.app import create_app
from serve.settings import Settings
from tests.api.conftest import ADMIN_KEY, AGENT_KEY, KEYS
from training.cli import app as cli
from training.data import dataset_path, load_records
from training.registry import read_registry, register_trained
from training.train import train_task_model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
runner = CliRunner()


def served_version(client: TestClient, task: str = "severity", wait: float = 20.0) -> str:
    deadline = time.monotonic() + wait
    target = read_registry(Path(client.app.state.triage.settings.models_dir) / task)["champion"]
    while True:
        versions = {m["task"]: m["version"] for m in client.get("/v1/models").json()}
        if versions.get(task) == target or time.monotonic() > deadline:
            return versions[task]
        time.sleep(0.2)


def corrupted(records: list[dict]) -> list[dict]:
    """Labels an annotator in a hurry might produce: every critical ticket called low, the rest shifted."""
    shift = {"critical": "low", "high": "critical", "medium": "high", "low": "medium"}
    return [{**r, "severity": shift[r["severity"]], "signals": []} for r in records]


def test_corrections_flow_back_and_only_a_better_model_is_promoted(tmp_path: Path) -> None:
    models = tmp_path / "models"
    train = load_records(dataset_path(DATA, "tickets", "train"), "tickets")
    weak = train_task_model("tickets", DATA, models, train_records=train[::6])
    register_trained(models / "severity", weak.artifact.version, by="test")
    database = f"sqlite:///{tmp_path / 'triage.db'}"
    settings = Settings(database_url=database, models_dir=models, model_poll_seconds=0.2, api_keys=KEYS)
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {AGENT_KEY}"}) as client:
        assert served_version(client) == weak.artifact.version

        # agents correct what the weak model got wrong, through the API
        posted = client.post("/v1/tickets", json={"text": "Из розетки на кухне пошёл дым и запахло горелым"})
        assert posted.status_code == 201
        ticket_id = posted.json()["id"]
        fixed = client.post(
            "/v1/corrections",
            json={
                "target": "ticket",
                "ticket_id": ticket_id,
                "severity": "critical",
                "signals": ["safety"],
                "agent": "a",
            },
        )
        assert fixed.status_code == 201
        relabelled = next(r for r in train if r["severity"] == "medium")
        other = client.post("/v1/tickets", json={"text": relabelled["text"]}).json()["id"]
        assert (
            client.post(
                "/v1/corrections", json={"target": "ticket", "ticket_id": other, "severity": "high", "agent": "b"}
            ).status_code
            == 201
        )

        exported = tmp_path / "corrections.jsonl"
        result = runner.invoke(
            cli,
            ["corrections", "export", "--task", "tickets", "--output", str(exported), "--database-url", database],
        )
        assert result.exit_code == 0, result.output
        assert "1 train record(s) relabelled" in result.output and "1 new record(s)" in result.output
        rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
        assert {(r["id"].startswith("c-tickets-"), r["severity"]) for r in rows} == {
            (True, "critical"),
            (False, "high"),
        }

        # a challenger trained on all of train plus the corrections is better: promoted, served without restart
        args = ["retrain", "tickets", "--models-dir", str(models), "--data-dir", str(DATA), "--resamples", "300"]
        result = runner.invoke(cli, [*args, "--with-corrections", str(exported), "--by", "ds"])
        assert result.exit_code == 0, result.output
        assert "**Decision: promote**" in result.output and "McNemar" in result.output
        registry = read_registry(models / "severity")
        better = registry["champion"]
        assert better != weak.artifact.version
        assert registry["history"][-1]["by"] == "ds" and "comparison" in registry["history"][-1]
        assert (models / "severity" / better / "CARD.md").read_text(encoding="utf-8").count("1 appended") == 1
        assert served_version(client) == better
        assert (
            client.post("/v1/tickets", json={"text": "Новый тикет: списали деньги дважды"}).json()["model_version"]
            == better
        )

        # a challenger trained on corrupted labels is refused with the reason; the champion stays
        bad = tmp_path / "corrupted.jsonl"
        bad.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corrupted(train[::2])), encoding="utf-8"
        )
        result = runner.invoke(cli, [*args, "--with-corrections", str(bad)])
        assert result.exit_code == 0, result.output
        assert "**Decision: keep the champion**" in result.output
        assert "critical_recall is lower" in result.output and "newly called low" in result.output
        registry = read_registry(models / "severity")
        assert registry["champion"] == better and registry["challenger"] not in (None, better)
        assert served_version(client, wait=1.0) == better

        # rollback reaches the server too, through the admin reload
        result = runner.invoke(cli, ["models", "rollback", "--task", "tickets", "--models-dir", str(models)])
        assert result.exit_code == 0, result.output
        assert client.post("/v1/models/reload").status_code == 403
        reloaded = client.post("/v1/models/reload", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
        assert {m["task"]: m["version"] for m in reloaded}["severity"] == weak.artifact.version
