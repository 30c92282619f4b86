import json
from pathlib import Path

from typer.testing import CliRunner

from training.cli import app

runner = CliRunner()


def write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def ticket(i: int, severity: str) -> str:
    return json.dumps({"id": f"t-{i}", "text": f"жалоба номер {i}", "severity": severity}, ensure_ascii=False)


def test_validate_lists_each_bad_line_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", [ticket(1, "low"), "{oops", ticket(3, "apocalyptic")])
    result = runner.invoke(app, ["data", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:line 2: bad JSON" in result.output
    assert f"{path}:line 3: unknown severity 'apocalyptic'" in result.output
    assert "1 valid record(s), 2 problem(s)" in result.output
    assert "Traceback" not in result.output


def test_validate_passes_a_good_file(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", [ticket(1, "low"), ticket(2, "critical")])
    result = runner.invoke(app, ["data", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 valid record(s), ok" in result.output


def test_validate_reports_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "validate", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "line 0: cannot read" in result.output


def test_validate_rejects_an_unknown_task(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", [ticket(1, "low")])
    result = runner.invoke(app, ["data", "validate", "--task", "emails", str(path)])
    assert result.exit_code == 2
    assert "--task must be one of tickets, replies" in result.output


def test_stats_counts_and_checks_floors(tmp_path: Path) -> None:
    severities = ["low", "medium", "high", "critical"]
    write(tmp_path / "tickets" / "train.jsonl", [ticket(i, severities[i % 4]) for i in range(8)])
    result = runner.invoke(app, ["data", "stats", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "records" in result.output
    assert "2 (25.0%)" in result.output
    assert "tickets/train: 8 records < 1000" in result.output
    strict = runner.invoke(app, ["data", "stats", "--data-dir", str(tmp_path), "--check"])
    assert strict.exit_code == 1


def test_serve_migrates_once_and_prints_local_keys(tmp_path: Path, monkeypatch) -> None:
    """`triage serve` migrates before starting workers (N workers migrating a new database collide),
    generates keys only for a local bind, and refuses to serve beyond localhost without keys."""
    import sqlalchemy

    from serve import runner as serve_runner
    from training.artifacts import save_artifact

    for folder in ("severity", "tone"):
        save_artifact({"stub": folder}, tmp_path / "models" / folder, {"task": folder}, version="20260101-000000")
    database = tmp_path / "serve.db"
    calls = []
    monkeypatch.setattr(serve_runner, "serve", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{database}")
    # set (to empty) rather than deleted, so the keys `serve` writes into the environment are undone
    monkeypatch.setenv("TRIAGE_API_KEYS", "")
    monkeypatch.setenv("TRIAGE_API_KEYS_FILE", "")
    monkeypatch.setenv("TRIAGE_MODELS_DIR", str(tmp_path / "models"))
    args = ["serve", "--models-dir", str(tmp_path / "models"), "--workers", "2"]
    refused = runner.invoke(app, [*args, "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "without API keys" in refused.output and not calls
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["workers"] == 2
    assert "agent key: ct_" in result.output and "#key=ct_" in result.output
    tables = sqlalchemy.inspect(sqlalchemy.create_engine(f"sqlite:///{database}")).get_table_names()
    assert {"tickets", "corrections", "alembic_version"} <= set(tables)
