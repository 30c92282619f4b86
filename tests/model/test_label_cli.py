"""`triage label export` → Label Studio → `triage label import` with the real tone model: every span kept."""

import json
from pathlib import Path

from typer.testing import CliRunner

from training.artifacts import save_artifact
from training.cli import app

runner = CliRunner()
DRAFTS = [
    "Здравствуйте 🙏 Это не к нам, обращайтесь в управляющую компанию. Сроки ремонта нам неизвестны.",
    "Приносим извинения 😔 Ошибка наша: деньги вернём до пятницы и начислим 500 бонусов.",
    "Такова политика компании. Придите лично с паспортом и напишите заявление.",
    "Ваш заказ передан в доставку, трек-номер пришлём сегодня.",
]


def test_export_then_import_keeps_every_span_of_the_pre_annotation(tone_checker, tmp_path: Path) -> None:
    models = tmp_path / "models"
    save_artifact(tone_checker, models / "tone", {"task": "replies"}, version="20260101-000001")
    source = tmp_path / "drafts.jsonl"
    source.write_text(
        "".join(json.dumps({"id": f"d{k}", "text": t}, ensure_ascii=False) + "\n" for k, t in enumerate(DRAFTS)),
        encoding="utf-8",
    )
    tasks_path = tmp_path / "tasks.json"
    result = runner.invoke(
        app,
        [
            *("label", "export", "--task", "replies", "--strategy", "uncertainty", "--limit", "3"),
            *("--input", str(source), "--output", str(tasks_path), "--models-dir", str(models)),
        ],
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    assert len(tasks) == 3
    confidence = [t["predictions"][0]["score"] for t in tasks]
    assert confidence == sorted(confidence)
    spans_out = {
        t["data"]["ref_id"]: sorted(
            (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
            for r in t["predictions"][0]["result"]
            if r["type"] == "labels"
        )
        for t in tasks
    }
    assert sum(len(v) for v in spans_out.values()) > 0
    annotated = [
        {"id": k, "data": t["data"], "annotations": [{"id": k, "result": t["predictions"][0]["result"]}]}
        for k, t in enumerate(tasks, 1)
    ]
    export = tmp_path / "label-studio-export.json"
    export.write_text(json.dumps(annotated, ensure_ascii=False), encoding="utf-8")
    records = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["label", "import", str(export), "--output", str(records)])
    assert result.exit_code == 0, result.output
    back = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert {r["id"]: sorted((s["start"], s["end"], s["label"]) for s in r["spans"]) for r in back} == spans_out


def test_export_refuses_an_unknown_strategy_and_an_empty_source(tone_checker, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    out = tmp_path / "t.json"
    result = runner.invoke(app, ["label", "export", "--task", "replies", "--strategy", "vibes", "--output", str(out)])
    assert result.exit_code == 2 and "--strategy must be one of" in result.output
    result = runner.invoke(app, ["label", "export", "--task", "replies", "--input", str(empty), "--output", str(out)])
    assert result.exit_code == 1 and "nothing to export" in result.output
