"""The `triage predict tickets` contract: one output line per input line, in order, errors in place."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from training.artifacts import save_artifact
from training.cli import app
from training.labels import SEVERITIES

runner = CliRunner()


@pytest.fixture(scope="module")
def models_dir(triager, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    save_artifact(triager, root / "severity", {"task": "tickets"}, version="20260101-000000")
    return root


def test_predict_tickets_writes_one_line_per_input_line(models_dir: Path, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "text": "В подъезде пахнет газом, соседи волнуются"}, ensure_ascii=False),
        json.dumps({"id": "b", "text": ""}),
        "{not json",
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "The internet has been down since Monday, please fix it"}),
        json.dumps({"id": "e", "text": "zdravstvuite, internet ne rabotaet uzhe tretii den, pishu vtoroi raz"}),
        json.dumps({"text": "без id"}, ensure_ascii=False),
        "",
        json.dumps({"id": "f", "text": "Опечатка в чеке"}, ensure_ascii=False),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["predict", "tickets", "--input", str(source), "--output", str(target), "--models-dir", str(models_dir)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in rows] == [1, "b", None, "c", "d", "e", None, "f"]
    first = rows[0]["prediction"]
    assert first["severity"] in SEVERITIES
    assert set(first["scores"]) == set(SEVERITIES)
    assert first["model_version"] == "20260101-000000"
    for signal in first["signals"]:
        for span in signal["spans"]:
            assert lines[0].count(span["text"]) >= 1
    assert rows[1]["error"] == "line 2: 'text' is empty"
    assert rows[2]["error"].startswith("line 3: bad JSON")
    assert rows[3]["error"] == "line 4: 'text' must be a string, got int"
    assert "no Russian" in rows[4]["error"]
    assert "prediction" in rows[5]
    assert rows[6]["error"] == "line 7: missing field 'id'"
    assert "prediction" in rows[7]
    assert "3 scored, 5 error(s)" in result.output


def test_predict_tickets_reports_a_missing_model(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "привет"}\n', encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "predict",
            "tickets",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.jsonl"),
            "--models-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "no trained model under" in result.output
    assert "Traceback" not in result.output


def test_predict_tickets_reports_a_missing_input(models_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["predict", "tickets", "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o.jsonl"),
         "--models-dir", str(models_dir)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_evaluate_tickets_writes_the_report_and_plots(models_dir: Path, tmp_path: Path, data_dir: Path) -> None:
    reports = tmp_path / "reports"
    result = runner.invoke(app, ["evaluate", "tickets", "--models-dir", str(models_dir), "--reports-dir", str(reports)])
    assert result.exit_code == 0, result.output
    report = (reports / "severity.md").read_text(encoding="utf-8")
    for needle in ("macro-F1", "critical recall", "critical predicted `low`", "calibration error", "| critical |"):
        assert needle in report
    assert (reports / "severity_confusion.png").stat().st_size > 1000
    assert (reports / "severity_reliability.png").stat().st_size > 1000


def test_evaluate_tickets_reports_bad_data_without_traceback(models_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "привет", "severity": "urgent"}\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "tickets", "--models-dir", str(models_dir), "--data", str(bad)])
    assert result.exit_code == 1
    assert "line 1: unknown severity 'urgent'" in result.output
    assert "Traceback" not in result.output
