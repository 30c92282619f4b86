"""Loading and validating guide-format JSON Lines.

Every record that enters training or evaluation passes through `validate_lines`, so a bad line is
reported with its number and reason instead of being dropped or crashing a job halfway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from training.labels import ELEMENTS, SEVERITIES, SIGNALS, SPAN_CATEGORIES, TONES

Task = Literal["tickets", "replies"]
TASKS: tuple[Task, ...] = ("tickets", "replies")
LABEL_FIELD: dict[Task, str] = {"tickets": "severity", "replies": "tone"}
LABELS: dict[Task, tuple[str, ...]] = {"tickets": SEVERITIES, "replies": TONES}


class DataError(ValueError):
    """A dataset file has lines that do not follow the labeling guide."""


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Report:
    """What validating one file found: the good records and every bad line."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def detect_task(record: dict[str, Any]) -> Task | None:
    """Tell a ticket from a reply by its label field."""
    if "severity" in record:
        return "tickets"
    if "tone" in record:
        return "replies"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_label_list(record: dict[str, Any], name: str, allowed: tuple[str, ...]) -> list[str]:
    if name not in record:
        return []
    values = record[name]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return [f"'{name}' must be a list of strings, got {json.dumps(values, ensure_ascii=False)[:60]}"]
    reasons = [f"unknown {name[:-1]} '{v}' (expected one of: {', '.join(allowed)})" for v in values if v not in allowed]
    if len(set(values)) != len(values):
        reasons.append(f"'{name}' lists the same value twice")
    return reasons


def _check_spans(record: dict[str, Any], text: str) -> list[str]:
    spans = record.get("spans")
    if spans is None:
        return []
    if not isinstance(spans, list):
        return ["'spans' must be a list"]
    reasons: list[str] = []
    good: list[tuple[int, int]] = []
    for k, span in enumerate(spans):
        where = f"span {k}"
        if not isinstance(span, dict):
            reasons.append(f"{where} must be an object with start, end, label")
            continue
        missing = [key for key in ("start", "end", "label") if key not in span]
        if missing:
            reasons.append(f"{where} is missing field(s): {', '.join(missing)}")
            continue
        start, end, label = span["start"], span["end"], span["label"]
        if not (_is_int(start) and _is_int(end)):
            reasons.append(f"{where}: start and end must be integers")
            continue
        if label not in SPAN_CATEGORIES:
            reasons.append(f"{where}: unknown span label '{label}' (expected one of: {', '.join(SPAN_CATEGORIES)})")
        if not 0 <= start < end <= len(text):
            reasons.append(f"{where}: span off the text ({start}:{end} with text length {len(text)})")
            continue
        piece = text[start:end]
        if piece != piece.strip():
            reasons.append(f"{where}: span has leading or trailing whitespace ({piece!r})")
        good.append((start, end))
    good.sort()
    for (_, end_a), (start_b, _) in pairwise(good):
        if start_b < end_a:
            reasons.append("spans overlap")
            break
    if record.get("tone") in ("accountable", "neutral") and spans:
        reasons.append(f"a '{record['tone']}' reply must have \"spans\": [] (only blame_shifting marks spans)")
    return reasons


def validate_record(record: object, task: Task | None = None) -> list[str]:
    """Return every reason this record breaks the guide; an empty list means it is valid."""
    if not isinstance(record, dict):
        return [f"expected a JSON object, got {type(record).__name__}"]
    task = task or detect_task(record)
    if task is None:
        return ["missing field: 'severity' (ticket) or 'tone' (reply)"]
    reasons: list[str] = []
    for name in ("id", "text", LABEL_FIELD[task]):
        if name not in record:
            reasons.append(f"missing field: '{name}'")
    if reasons:
        return reasons
    if not isinstance(record["id"], str) or not record["id"].strip():
        reasons.append("'id' must be a non-empty string")
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        return [*reasons, "'text' must be a non-empty string"]
    label = record[LABEL_FIELD[task]]
    if label not in LABELS[task]:
        reasons.append(f"unknown {LABEL_FIELD[task]} '{label}' (expected one of: {', '.join(LABELS[task])})")
    if task == "tickets":
        reasons += _check_label_list(record, "signals", SIGNALS)
    else:
        reasons += _check_label_list(record, "elements", ELEMENTS)
        reasons += _check_spans(record, text)
        if "complaint" in record and not isinstance(record["complaint"], str):
            reasons.append("'complaint' must be a string when present")
    return reasons


def validate_lines(lines: Iterable[bytes | str], task: Task | None = None) -> Report:
    """Validate JSON Lines one by one; blank lines are skipped, everything else is kept or reported."""
    report = Report()
    seen_ids: dict[str, int] = {}
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                report.problems.append(Problem(number, f"not valid UTF-8 (byte {err.start})"))
                continue
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            report.problems.append(Problem(number, f"bad JSON: {err.msg} at column {err.colno}"))
            continue
        reasons = validate_record(record, task)
        if not reasons and record["id"] in seen_ids:
            reasons = [f"duplicate id '{record['id']}' (first on line {seen_ids[record['id']]})"]
        if reasons:
            report.problems.extend(Problem(number, reason) for reason in reasons)
            continue
        seen_ids[record["id"]] = number
        report.records.append(record)
    return report


def validate_file(path: Path, task: Task | None = None) -> Report:
    """Validate a JSONL file; a missing or unreadable file is one problem on line 0."""
    try:
        with path.open("rb") as handle:
            return validate_lines(handle, task)
    except OSError as err:
        return Report(problems=[Problem(0, f"cannot read {path}: {err.strerror}")])


def load_records(path: Path, task: Task) -> list[dict[str, Any]]:
    """Load a dataset for training or evaluation, refusing it whole if any line is bad."""
    report = validate_file(path, task)
    if not report.ok:
        shown = "\n".join(str(p) for p in report.problems[:20])
        more = len(report.problems) - 20
        tail = f"\n... and {more} more" if more > 0 else ""
        raise DataError(f"{path} has {len(report.problems)} problem(s):\n{shown}{tail}")
    if not report.records:
        raise DataError(f"{path} holds no records")
    return report.records


def dataset_path(data_dir: Path, task: Task, split: str) -> Path:
    return data_dir / task / f"{split}.jsonl"
