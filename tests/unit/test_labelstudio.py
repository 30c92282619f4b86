"""Label Studio: uncertainty export with pre-annotations, import with offsets checked (emoji included)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from training.cli import app
from training.labelstudio import (
    CONFIG_FILES,
    export_tasks,
    import_export,
    resolve_span,
    uncertainty,
    utf16_to_code_points,
)

TEXT = "Здравствуйте 😊🙏. Это не к нам, обращайтесь в банк. Ждите 😤 ответа, сроков нет."


def check_result(text: str) -> dict:
    first = text.index("Это не к нам")
    second = text.index("сроков нет")
    return {
        "tone": "blame_shifting",
        "scores": {"accountable": 0.05, "neutral": 0.35, "blame_shifting": 0.6},
        "spans": [
            {"start": first, "end": first + 12, "label": "deflection", "text": "Это не к нам", "score": 0.9},
            {"start": second, "end": second + 10, "label": "stonewalling", "text": "сроков нет", "score": 0.8},
        ],
        "elements": {"present": [], "missing": ["apology"]},
        "model_version": "v1",
    }


def as_annotated(tasks: list[dict], utf16: bool = False) -> list[dict]:
    """What Label Studio exports when the annotator accepts the pre-annotation (optionally with the
    UTF-16 offsets older versions wrote after an emoji)."""
    out = []
    for k, task in enumerate(tasks, 1):
        result = json.loads(json.dumps(task["predictions"][0]["result"]))
        if utf16:
            text = task["data"]["text"]
            for item in result:
                if item["type"] == "labels":
                    for key in ("start", "end"):
                        item["value"][key] += sum(1 for c in text[: item["value"][key]] if ord(c) > 0xFFFF)
        out.append({"id": k, "data": task["data"], "annotations": [{"id": 100 + k, "result": result}]})
    return out


def test_uncertainty_strategies_rank_the_unsure_first() -> None:
    sure, unsure = {"a": 0.9, "b": 0.1}, {"a": 0.5, "b": 0.5}
    for strategy in ("uncertainty", "margin", "entropy"):
        assert uncertainty(unsure, strategy) > uncertainty(sure, strategy)
    items = [{"id": "1", "text": "x"}, {"id": "2", "text": "y"}]
    preds = [{**check_result(TEXT), "scores": sure}, {**check_result(TEXT), "scores": unsure}]
    tasks = export_tasks("replies", items, preds, "uncertainty", limit=1)
    assert [t["data"]["ref_id"] for t in tasks] == ["2"]


@pytest.mark.parametrize("utf16", [False, True])
def test_round_trip_keeps_every_span_with_emoji(utf16: bool) -> None:
    tasks = export_tasks("replies", [{"id": "d-1", "text": TEXT}], [check_result(TEXT)], "uncertainty", 10)
    report = import_export(as_annotated(tasks, utf16=utf16))
    assert report.problems == []
    record = report.records[0]
    assert record["id"] == "d-1" and record["tone"] == "blame_shifting"
    assert [(s["label"], TEXT[s["start"] : s["end"]]) for s in record["spans"]] == [
        ("deflection", "Это не к нам"),
        ("stonewalling", "сроков нет"),
    ]
    assert report.offsets == ({"utf-16": 2} if utf16 else {"code points": 2})


def test_ticket_round_trip_keeps_severity_and_signals() -> None:
    prediction = {"severity": "critical", "scores": {"low": 0.1, "critical": 0.9}, "signals": [{"label": "safety"}]}
    tasks = export_tasks("tickets", [{"id": "ticket-7", "text": "Искрит розетка 🔥"}], [prediction])
    record = import_export(as_annotated(tasks)).records[0]
    assert (record["id"], record["severity"], record["signals"]) == ("ticket-7", "critical", ["safety"])


def test_offsets_helpers() -> None:
    assert utf16_to_code_points("😊a", 2) == 1
    assert utf16_to_code_points("😊a", 1) is None
    assert resolve_span(TEXT, 0, 3, "Это не к нам")[2] == "relocated by its text"
    assert resolve_span("ab  cd ", 2, 7, "  cd ")[:2] == (4, 6)
    with pytest.raises(ValueError, match="does not occur"):
        resolve_span(TEXT, 0, 5, "нет такого")


def test_bad_annotations_are_reported_one_by_one() -> None:
    good = as_annotated(export_tasks("replies", [{"id": "d-1", "text": TEXT}], [check_result(TEXT)]))[0]
    cancelled = {**good, "id": 2, "annotations": [{"id": 5, "was_cancelled": True, "result": []}]}
    wrong_label = json.loads(json.dumps(good))
    wrong_label["id"] = 3
    wrong_label["annotations"][0]["result"][1]["value"]["labels"] = ["rudeness"]
    wrong_text = json.loads(json.dumps(good))
    wrong_text["id"] = 4
    wrong_text["annotations"][0]["result"][1]["value"]["text"] = "не из этого текста"
    report = import_export([good, cancelled, wrong_label, wrong_text, "garbage"])
    assert len(report.records) == 1
    assert [p.split(":")[0] for p in report.problems] == ["task 2", "task 3", "task 4", "task ?"]
    assert "one of the 8 categories" in report.problems[1]
    assert "does not occur" in report.problems[2]
    assert import_export({"not": "a list"}).problems == ["a Label Studio JSON export is a list of tasks"]


def test_label_configs_name_the_guide_fields() -> None:
    tickets, replies = CONFIG_FILES["tickets"].read_text(), CONFIG_FILES["replies"].read_text()
    assert 'name="severity"' in tickets and 'name="signals"' in tickets and "critical" in tickets
    for name in ('name="tone"', 'name="spans"', 'name="elements"', "customer_burden", "compensation"):
        assert name in replies


def test_import_cli_writes_records_and_fails_loudly_on_problems(tmp_path: Path) -> None:
    runner = CliRunner()
    good = as_annotated(export_tasks("replies", [{"id": "d-1", "text": TEXT}], [check_result(TEXT)]))
    path = tmp_path / "export.json"
    path.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["label", "import", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["spans"][0]["label"] == "deflection"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["label", "import", str(path), "--output", str(out)])
    assert result.exit_code == 1 and "is not a JSON file" in result.output and "Traceback" not in result.output
