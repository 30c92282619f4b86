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


def _parse(number: int, raw: bytes) -> tuple[Any, str | None, str | None]:
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


def predict_lines(
    lines: Iterator[bytes], score: Scorer, check: Check, out: IO[str], progress: Callable[[int], None]
) -> dict[str, int]:
    """Score lines in batches; every non-blank input line yields exactly one output line."""
    counts = {"scored": 0, "errors": 0}
    pending: list[tuple[Any, str | None, str | None]] = []

    def flush() -> None:
        texts = [text for _, text, error in pending if error is None]
        results = iter(score(texts)) if texts else iter(())
        for record_id, _, error in pending:
            if error is None:
                row = {"id": record_id, "prediction": next(results)}
                counts["scored"] += 1
            else:
                row = {"id": record_id, "error": error}
                counts["errors"] += 1
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        progress(len(pending))
        pending.clear()

    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        record_id, text, error = _parse(number, raw)
        if error is None:
            reason = check(text)
            if reason:
                error = f"line {number}: {reason}"
        pending.append((record_id, text, error))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    return counts


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())
