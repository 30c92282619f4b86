"""Batch prediction over JSON Lines: one output line per input line, in order, errors included."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from training.text import looks_russian

BATCH = 256
MAX_TEXT_CHARS = 20_000


def unscorable_reason(text: object, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """Why a text cannot be scored, in words a caller can act on; None when it can."""
    if not isinstance(text, str):
        return f"'text' must be a string, got {type(text).__name__}"
    if not text.strip():
        return "'text' is empty"
    if len(text) > max_chars:
        return f"'text' is {len(text)} characters; the limit is {max_chars}"
    if not looks_russian(text):
        return "no Russian found in 'text' (Cyrillic or transliterated Russian is required)"
    return None


Scorer = Callable[[list[str]], list[dict[str, Any]]]
Check = Callable[[object], str | None]
Pending = tuple[Any, object, str | None]
"""(id, text, error) of one record; a record with an error is not scored."""


def scorer(task: str, artifact: Any) -> Scorer:
    """The function that scores a list of texts with a loaded artifact: severity for tickets, tone for replies."""
    if task == "tickets":
        return lambda texts: artifact.model.predict(texts, artifact.version)
    if task == "replies":
        return lambda texts: artifact.model.check(texts, artifact.version)
    raise ValueError(f"unknown task {task!r} (tickets or replies)")


def parse_line(number: int, raw: bytes) -> tuple[Any, Any, str | None]:
    """(id, text, error) for one input line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, None, f"line {number}: not valid UTF-8"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return None, None, f"line {number}: bad JSON ({err.msg} at column {err.colno})"
    if not isinstance(record, dict):
        return None, None, f"line {number}: expected a JSON object with 'id' and 'text'"
    if "id" not in record:
        return None, None, f"line {number}: missing field 'id'"
    if "text" not in record:
        return record["id"], None, f"line {number}: missing field 'text'"
    return record["id"], record["text"], None


def checked(number: int | None, record_id: Any, text: object, check: Check) -> Pending:
    """A parsed record with the reason it cannot be scored, if any (prefixed by its line number when known)."""
    reason = check(text)
    if reason and number is not None:
        reason = f"line {number}: {reason}"
    return record_id, text, reason or None


def score_pending(pending: list[Pending], score: Scorer) -> list[dict[str, Any]]:
    """One output row per record, in order: {"id", "prediction"} or {"id", "error"}; texts scored in one call."""
    texts = [text for _, text, error in pending if error is None]
    results = iter(score(texts)) if texts else iter(())
    return [
        {"id": record_id, "prediction": next(results)} if error is None else {"id": record_id, "error": error}
        for record_id, _, error in pending
    ]


def output_line(row: dict[str, Any]) -> str:
    """How a row is written: one JSON object per line, non-ASCII kept as is."""
    return json.dumps(row, ensure_ascii=False)


def predict_lines(
    lines: Iterator[bytes], score: Scorer, check: Check, out: IO[str], progress: Callable[[int], None]
) -> dict[str, int]:
    """Score lines in batches; every non-blank input line yields exactly one output line."""
    counts = {"scored": 0, "errors": 0}
    pending: list[Pending] = []

    def flush() -> None:
        for row in score_pending(pending, score):
            counts["scored" if "prediction" in row else "errors"] += 1
            out.write(output_line(row) + "\n")
        progress(len(pending))
        pending.clear()

    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        record_id, text, error = parse_line(number, raw)
        pending.append((record_id, text, error) if error else checked(number, record_id, text, check))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    return counts


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())
