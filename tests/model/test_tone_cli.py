"""`triage predict replies`, `triage evaluate replies` and `triage check` contracts."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from training.artifacts import save_artifact
from training.cli import app
from training.labels import ELEMENTS, TONES

runner = CliRunner()


@pytest.fixture(scope="module")
def models_dir(tone_checker, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    save_artifact(tone_checker, root / "tone", {"task": "replies"}, version="20260101-000000")
    return root


def test_predict_replies_writes_one_line_per_input_line(models_dir: Path, tmp_path: Path) -> None:
    draft = "Приносим извинения, но у нас нет информации о сроках. Обратитесь в управляющую компанию."
    lines = [
        json.dumps({"id": "a", "text": draft, "complaint": "Нет воды третий день"}, ensure_ascii=False),
        json.dumps({"id": "b", "text": "   "}),
        "[1, 2",
        json.dumps({"id": "c", "text": "Sorry, we cannot help with that."}),
        json.dumps({"id": "d", "text": "Спасибо, что написали! Вернём деньги до пятницы."}, ensure_ascii=False),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["predict", "replies", "--input", str(source), "--output", str(target), "--models-dir", str(models_dir)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in rows] == ["a", "b", None, "c", "d"]
    first = rows[0]["prediction"]
    assert first["tone"] == "blame_shifting"
    assert set(first["scores"]) == set(TONES)
    assert sorted(first["elements"]["present"] + first["elements"]["missing"]) == sorted(ELEMENTS)
    assert first["model_version"] == "20260101-000000"
    for span in first["spans"]:
        assert draft[span["start"] : span["end"]] == span["text"]
        assert span["label"] and span["message"] and span["suggestion"]
    assert rows[1]["error"] == "line 2: 'text' is empty"
    assert rows[2]["error"].startswith("line 3: bad JSON")
    assert "no Russian" in rows[3]["error"]
    assert "prediction" in rows[4]


def test_check_prints_the_verdict_spans_and_missing_elements(models_dir: Path) -> None:
    result = runner.invoke(
        app, ["check", "--models-dir", str(models_dir)], input="Извините, но вы сами виноваты. Это политика компании."
    )
    assert result.exit_code == 0, result.output
    assert "verdict: blame_shifting" in result.output
    assert "better:" in result.output
    assert "missing:" in result.output


def test_check_refuses_an_empty_draft(models_dir: Path) -> None:
    result = runner.invoke(app, ["check", "--models-dir", str(models_dir), "  "])
    assert result.exit_code == 2
    assert "'text' is empty" in result.output


def test_evaluate_replies_writes_the_report(models_dir: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = runner.invoke(app, ["evaluate", "replies", "--models-dir", str(models_dir), "--reports-dir", str(reports)])
    assert result.exit_code == 0, result.output
    report = (reports / "tone.md").read_text(encoding="utf-8")
    for needle in ("macro-F1", "blame_shifting", "Spans by category", "Good-practice elements", "| policy_shield |"):
        assert needle in report
    assert (reports / "tone_confusion.png").stat().st_size > 1000
