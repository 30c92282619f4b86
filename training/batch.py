"""Batch scoring on a cluster engine (Dask, Spark): the `triage predict` contract, one DataFrame partition at a time.

`score_partition(frame, model_folder, task)` takes a pandas DataFrame with `id` and `text` and returns
one row per input row with `id`, `json` (exactly the line `triage predict tickets|replies` writes for
that record: the same parsing, checks, error texts and JSON encoding, `training.predict`) and `scored`
(False for an error line). Two optional input columns make the lines identical to the CLI's for a
JSONL file:

- `line`: the record's 1-based line number; errors are then prefixed `line N: ` as the CLI does
  (without it an error is the bare reason, e.g. `'text' is empty`);
- `error`: a reason the record could not be parsed at all (bad JSON, no `id`…), written as is.

`jsonl_blocks` + `read_block` cut a JSONL file into such partitions (line numbers and parse errors
included). The model is loaded once per worker process and folder, checksum first
(`training.artifacts.load_artifact`). Pass a version folder (`models/severity/<version>`), resolved
once on the driver (`champion`), so a promotion in the middle of a job cannot mix two versions.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from training.artifacts import Artifact, ArtifactError, load_artifact
from training.predict import BATCH, Pending, checked, output_line, parse_line, score_pending, scorer, unscorable_reason
from training.registry import TASK_FOLDERS, champion_folder

OUTPUT_COLUMNS = ("id", "json", "scored")
BLOCK_COLUMNS = ("line", "id", "text", "error")

_models: dict[str, Artifact] = {}
_lock = threading.Lock()


def champion(models_dir: str | Path, task: str) -> Path:
    """The version folder the CLI would use for a task (the registry's champion)."""
    if task not in TASK_FOLDERS:
        raise ValueError(f"unknown task {task!r} (tickets or replies)")
    return champion_folder(Path(models_dir) / TASK_FOLDERS[task])


def load_model(model_folder: str | Path, task: str) -> Artifact:
    """The artifact in a version folder, loaded (checksum verified) once per process and cached by path."""
    key = str(Path(model_folder).resolve())
    with _lock:  # threads of one worker share the model and load it once
        artifact = _models.get(key)
        if artifact is None:
            artifact = _models[key] = load_artifact(Path(key))
    declared = artifact.metadata.get("task")
    if declared is not None and declared != task:
        raise ArtifactError(f"{key} holds a {declared} model, not a {task} model")
    return artifact


def _plain(value: Any) -> Any:
    """A cell as the JSON value it came from: numpy scalars to Python, pandas' missing markers to None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def score_partition(frame: pd.DataFrame, model_folder: str | Path, task: str = "tickets") -> pd.DataFrame:
    """`id`, `json` (a prediction or an error, as `triage predict` writes it) and `scored` for every row, in order."""
    score = scorer(task, load_model(model_folder, task))
    n = len(frame)
    ids = [_plain(v) for v in frame["id"].tolist()]
    texts = [_plain(v) for v in frame["text"].tolist()]
    lines = [_plain(v) for v in frame["line"].tolist()] if "line" in frame else [None] * n
    errors = [_plain(v) for v in frame["error"].tolist()] if "error" in frame else [None] * n
    pending: list[Pending] = [
        (record_id, text, error) if error else checked(line, record_id, text, unscorable_reason)
        for record_id, text, line, error in zip(ids, texts, lines, errors, strict=True)
    ]
    rows = [row for start in range(0, n, BATCH) for row in score_pending(pending[start : start + BATCH], score)]
    return pd.DataFrame(
        {
            "id": pd.Series(ids, index=frame.index, dtype=object),
            "json": pd.Series([output_line(row) for row in rows], index=frame.index, dtype=object),
            "scored": pd.Series(["prediction" in row for row in rows], index=frame.index, dtype=bool),
        }
    )


def output_meta() -> pd.DataFrame:
    """The empty frame describing `score_partition`'s result (Dask's `meta`)."""
    return pd.DataFrame(
        {"id": pd.Series(dtype=object), "json": pd.Series(dtype=object), "scored": pd.Series(dtype=bool)}
    )


class Block(NamedTuple):
    """A run of whole lines of a JSONL file: where it starts, how many bytes, the number of its first line."""

    path: str
    offset: int
    length: int
    first_line: int


def jsonl_blocks(path: str | Path, lines_per_block: int) -> list[Block]:
    """Cut a JSONL file into blocks of `lines_per_block` lines (one sequential pass, nothing parsed)."""
    if lines_per_block < 1:
        raise ValueError("lines_per_block must be at least 1")
    blocks: list[Block] = []
    offset = start = 0
    count = 0
    with Path(path).open("rb") as handle:
        for raw in handle:
            offset += len(raw)
            count += 1
            if count % lines_per_block == 0:
                blocks.append(Block(str(path), start, offset - start, count - lines_per_block + 1))
                start = offset
    if offset > start:
        blocks.append(Block(str(path), start, offset - start, count - (count % lines_per_block) + 1))
    return blocks


def block_meta() -> pd.DataFrame:
    """The empty frame describing `read_block`'s result (Dask's `meta`)."""
    return pd.DataFrame({name: pd.Series(dtype=object) for name in BLOCK_COLUMNS})


def read_block(block: Block) -> pd.DataFrame:
    """`line`, `id`, `text`, `error` for every non-blank line of a block, parsed as `triage predict` parses."""
    with Path(block.path).open("rb") as handle:
        handle.seek(block.offset)
        data = handle.read(block.length)
    rows = []
    # split after each b"\n" only, ends kept: the bytes a file iterator gives the CLI (JSON error columns count them)
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    for number, raw in enumerate(lines, block.first_line):
        if raw.strip():
            record_id, text, error = parse_line(number, raw)
            rows.append((number, record_id, text, error))
    return pd.DataFrame(
        {name: pd.Series([row[k] for row in rows], dtype=object) for k, name in enumerate(BLOCK_COLUMNS)}
    )
