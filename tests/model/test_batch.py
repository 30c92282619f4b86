"""Batch scoring with Dask (`training.batch`, `docs/examples/dask_batch.py`) writes what `triage predict` writes."""

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from training.artifacts import ArtifactError
from training.batch import jsonl_blocks, read_block, score_partition
from training.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

BAD_LINES = [
    json.dumps({"id": "empty", "text": ""}),
    json.dumps({"id": "spaces", "text": "   "}),
    json.dumps({"id": "english", "text": "The internet has been down since Monday, please fix it"}),
    json.dumps({"id": "translit", "text": "zdravstvuite, internet ne rabotaet uzhe tretii den, pishu vtoroi raz"}),
    json.dumps({"id": 7, "text": 42}),
    json.dumps({"id": None, "text": None}),
    json.dumps({"id": "no-text"}),
    json.dumps({"text": "без id"}, ensure_ascii=False),
    "{not json",
    '{"id": "cut", "text": "обрыв"',
    "[1, 2]",
    "",
    "   ",
    json.dumps({"id": 8, "text": "Опечатка в чеке, исправьте пожалуйста"}, ensure_ascii=False),
]


def example():
    """docs/examples/dask_batch.py as a module (not registered in sys.modules, so workers get it by value)."""
    spec = importlib.util.spec_from_file_location("dask_batch_example", ROOT / "docs/examples/dask_batch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mixed_file(path: Path, data_file: Path, good: int) -> Path:
    """`good` real records with the bad lines spread among them, a non-UTF-8 line and a CRLF line."""
    real = data_file.read_text(encoding="utf-8").splitlines()[:good]
    lines: list[str] = []
    for k, line in enumerate(real):
        lines.append(line)
        if k % 3 == 0 and k // 3 < len(BAD_LINES):
            lines.append(BAD_LINES[k // 3])
    lines.extend(BAD_LINES[len(lines) - len(real) :])
    body = ("\n".join(lines) + "\n").encode("utf-8")
    body += b'{"id": "latin1", "text": "\xe9t\xe9"}\n' + real[0].encode("utf-8") + b"\r\n"
    path.write_bytes(body)
    return path


def cli_output(task: str, models_dir: Path, source: Path, target: Path) -> list[str]:
    args = ["predict", task, "--input", str(source), "--output", str(target), "--models-dir", str(models_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return target.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def models_dir(served_models: Path) -> Path:
    """The suite's saved models (batch scoring only reads them)."""
    return served_models


@pytest.mark.parametrize(
    ("task", "folder", "data_file", "scheduler"),
    [
        ("tickets", "severity", "data/tickets/test.jsonl", "processes"),
        ("replies", "tone", "data/replies/test.jsonl", "threads"),
    ],
)
def test_dask_example_writes_the_cli_lines(
    models_dir: Path, tmp_path: Path, task: str, folder: str, data_file: str, scheduler: str
) -> None:
    source = mixed_file(tmp_path / "in.jsonl", ROOT / data_file, good=40)
    expected = cli_output(task, models_dir, source, tmp_path / "cli.jsonl")
    errors = [json.loads(line) for line in expected if "prediction" not in json.loads(line)]
    assert len(errors) == 11  # 10 of BAD_LINES (2 are blank, 2 scorable) and the latin-1 line
    assert {"id": "empty", "error": "line 2: 'text' is empty"} in errors
    assert any(e["id"] == "english" and "no Russian" in e["error"] for e in errors)

    target = tmp_path / "dask.jsonl"
    model = models_dir / folder / ("20260101-000000" if task == "tickets" else "20260101-000001")
    counts = example().run(source, target, model, task, partitions=3, workers=2, scheduler=scheduler)

    assert counts["partitions"] == 3
    assert target.read_text(encoding="utf-8").splitlines() == expected
    assert counts["scored"] + counts["errors"] == len(expected)
    assert counts["errors"] == len(errors)


def test_blocks_keep_line_numbers_across_partitions(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": 1, "text": "a"}\n\n{bad\n{"id": 2, "text": "b"}\n{"id": 3}')
    blocks = jsonl_blocks(source, 2)
    assert [(b.first_line, b.length) for b in blocks] == [(1, 24), (3, 28), (5, 9)]
    frame = pd.concat([read_block(b) for b in blocks], ignore_index=True)
    assert frame["line"].tolist() == [1, 3, 4, 5]
    assert frame["id"].tolist() == [1, None, 2, 3]
    assert frame["error"].tolist()[1].startswith("line 3: bad JSON")
    assert frame["error"].tolist()[3] == "line 5: missing field 'text'"


def test_score_partition_on_a_plain_frame(models_dir: Path) -> None:
    """An archive frame without `line`: numpy ids come back as plain ids, errors are the bare reason."""
    frame = pd.DataFrame({"id": [10, 11, 12], "text": ["В подъезде пахнет газом", "", "hello there"]})
    result = score_partition(frame, models_dir / "severity" / "20260101-000000", "tickets")
    rows = [json.loads(line) for line in result["json"]]
    assert result["id"].tolist() == [10, 11, 12]
    assert result["scored"].tolist() == [True, False, False]
    assert rows[0]["prediction"]["model_version"] == "20260101-000000"
    assert rows[1] == {"id": 11, "error": "'text' is empty"}
    assert rows[2]["error"].startswith("no Russian found")
    with pytest.raises(ArtifactError, match="not a replies model"):
        score_partition(frame, models_dir / "severity" / "20260101-000000", "replies")
