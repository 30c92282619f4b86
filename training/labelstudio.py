"""Label Studio in and out: the least-confident texts as pre-annotated tasks, annotations back as records.

Label configs for both tasks are in `training/label_studio/` (`tickets.xml`, `replies.xml`); their
control names (`severity`, `signals`, `tone`, `spans`, `elements`) are the guide's field names, so
a result maps to a field by its `from_name`.

Offsets: we write code points (Python `str` indices, what Label Studio stores since its emoji
fix). Exports have been seen with UTF-16 offsets (JavaScript's count) after an emoji, so import
trusts the span's `text`: code points first, then UTF-16, then the occurrence of the text nearest
to the given start; a span none of these explains is reported, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.data import Task, validate_record
from training.labels import ELEMENTS, SEVERITIES, SIGNALS, SPAN_CATEGORIES, TONES

CONFIG_DIR = Path(__file__).parent / "label_studio"
CONFIG_FILES: dict[str, Path] = {"tickets": CONFIG_DIR / "tickets.xml", "replies": CONFIG_DIR / "replies.xml"}
STRATEGIES = ("uncertainty", "margin", "entropy")
SCORE_LABELS: dict[str, tuple[str, ...]] = {"tickets": SEVERITIES, "replies": TONES}
LABEL_NAME: dict[str, str] = {"tickets": "severity", "replies": "tone"}


def uncertainty(scores: dict[str, float], strategy: str) -> float:
    """How unsure a prediction is (higher = less sure): 1 − top score, 1 − margin, or entropy."""
    values = sorted(scores.values(), reverse=True)
    if strategy == "uncertainty":
        return 1.0 - values[0]
    if strategy == "margin":
        return 1.0 - (values[0] - (values[1] if len(values) > 1 else 0.0))
    if strategy == "entropy":
        return -sum(v * math.log(v) for v in values if v > 0)
    raise ValueError(f"unknown strategy '{strategy}' (expected one of: {', '.join(STRATEGIES)})")


def prediction_results(task: Task, prediction: dict[str, Any]) -> list[dict[str, Any]]:
    """A model's prediction as Label Studio result items (its pre-annotation)."""
    label = LABEL_NAME[task]
    results: list[dict[str, Any]] = [
        {"from_name": label, "to_name": "text", "type": "choices", "value": {"choices": [prediction[label]]}}
    ]
    if task == "tickets":
        signals = [s["label"] for s in prediction.get("signals", [])]
        if signals:
            results.append(
                {"from_name": "signals", "to_name": "text", "type": "choices", "value": {"choices": signals}}
            )
        return results
    for k, span in enumerate(prediction.get("spans", [])):
        results.append(
            {
                "id": f"span-{k}",
                "from_name": "spans",
                "to_name": "text",
                "type": "labels",
                "value": {"start": span["start"], "end": span["end"], "text": span["text"], "labels": [span["label"]]},
                "score": span.get("score"),
            }
        )
    present = prediction.get("elements", {}).get("present", [])
    if present:
        results.append({"from_name": "elements", "to_name": "text", "type": "choices", "value": {"choices": present}})
    return results


def export_tasks(
    task: Task,
    items: Sequence[dict[str, Any]],
    predictions: Sequence[dict[str, Any]],
    strategy: str = "uncertainty",
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The `limit` least-confident items as Label Studio tasks with the model's pre-annotations."""
    ranked = sorted(
        zip(items, predictions, strict=True), key=lambda pair: uncertainty(pair[1]["scores"], strategy), reverse=True
    )
    tasks = []
    for item, prediction in ranked[:limit]:
        tasks.append(
            {
                "data": {
                    "text": item["text"],
                    "ref_id": item["id"],
                    strategy: uncertainty(prediction["scores"], strategy),
                },
                "predictions": [
                    {
                        "model_version": prediction.get("model_version"),
                        "score": max(prediction["scores"].values()),
                        "result": prediction_results(task, prediction),
                    }
                ],
            }
        )
    return tasks


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code-point index of a UTF-16 offset, or None when it falls inside a surrogate pair."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def resolve_span(text: str, start: Any, end: Any, span_text: Any) -> tuple[int, int, str]:
    """Code-point offsets of an annotated span and how they were read; ValueError when nothing fits."""
    if not isinstance(span_text, str) or not span_text.strip():
        raise ValueError("span has no text")
    if not (isinstance(start, int) and isinstance(end, int)):
        raise ValueError(f"span offsets must be integers, got {start!r}, {end!r}")
    found: tuple[int, int, str] | None = None
    if text[start:end] == span_text:
        found = (start, end, "code points")
    else:
        s16, e16 = utf16_to_code_points(text, start), utf16_to_code_points(text, end)
        if s16 is not None and e16 is not None and text[s16:e16] == span_text:
            found = (s16, e16, "utf-16")
        else:
            places = []
            position = text.find(span_text)
            while position >= 0:
                places.append(position)
                position = text.find(span_text, position + 1)
            if not places:
                raise ValueError(f"span text {span_text!r} does not occur in the task's text")
            best = min(places, key=lambda p: abs(p - start))
            found = (best, best + len(span_text), "relocated by its text")
    s, e, how = found
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e, how


@dataclass
class ImportReport:
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    offsets: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        how = ", ".join(f"{n} by {k}" for k, n in sorted(self.offsets.items())) or "none"
        return f"{len(self.records)} record(s), {len(self.problems)} problem(s); span offsets read: {how}"


def detect_task(results: Sequence[dict[str, Any]]) -> Task | None:
    names = {r.get("from_name") for r in results}
    if names & {"tone", "spans", "elements"}:
        return "replies"
    if names & {"severity", "signals"}:
        return "tickets"
    return None


def pick_annotation(item: dict[str, Any]) -> dict[str, Any] | None:
    """The latest annotation that was not cancelled."""
    kept = [a for a in item.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    kept.sort(key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0))
    return kept[-1] if kept else None


def record_from_task(item: Any, task: Task | None, report: ImportReport) -> dict[str, Any] | None:
    where = f"task {item.get('id', '?')}" if isinstance(item, dict) else "task ?"
    if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
        report.problems.append(f"{where}: not a Label Studio task (no 'data' object)")
        return None
    text = item["data"].get("text")
    if not isinstance(text, str) or not text.strip():
        report.problems.append(f"{where}: data.text is missing or empty")
        return None
    annotation = pick_annotation(item)
    if annotation is None:
        report.problems.append(f"{where}: no annotation that was not cancelled")
        return None
    results = [r for r in annotation.get("result") or [] if isinstance(r, dict)]
    kind = task or detect_task(results)
    if kind is None:
        report.problems.append(f"{where}: the annotation has no severity/signals or tone/spans/elements result")
        return None
    record: dict[str, Any] = {"id": str(item["data"].get("ref_id") or f"ls-{item.get('id')}"), "text": text}
    allowed = {"severity": SEVERITIES, "signals": SIGNALS, "tone": TONES, "elements": ELEMENTS}
    spans = []
    for result in results:
        name, value = result.get("from_name"), result.get("value") or {}
        if result.get("type") == "choices" and name in allowed:
            choices = value.get("choices") or []
            unknown = [c for c in choices if c not in allowed[name]]
            if unknown:
                report.problems.append(f"{where}: unknown {name} {unknown}")
                return None
            record[name] = choices[0] if name in ("severity", "tone") and choices else choices
        elif result.get("type") == "labels" and name == "spans":
            labels = value.get("labels") or []
            if len(labels) != 1 or labels[0] not in SPAN_CATEGORIES:
                report.problems.append(f"{where}: a span needs exactly one of the 8 categories, got {labels}")
                return None
            try:
                start, end, how = resolve_span(text, value.get("start"), value.get("end"), value.get("text"))
            except ValueError as err:
                report.problems.append(f"{where}: {err}")
                return None
            report.offsets[how] = report.offsets.get(how, 0) + 1
            spans.append({"start": start, "end": end, "label": labels[0]})
    if kind == "replies":
        record["spans"] = sorted(spans, key=lambda s: s["start"])
        record.setdefault("elements", [])
    else:
        record.setdefault("signals", [])
    record["label_studio"] = {"task": item.get("id"), "annotation": annotation.get("id")}
    problems = validate_record(record, kind)
    if problems:
        report.problems.append(f"{where}: {'; '.join(problems)}")
        return None
    return record


def import_export(payload: Any, task: Task | None = None) -> ImportReport:
    """Guide-format records from a Label Studio JSON export (a list of tasks with annotations)."""
    report = ImportReport()
    if not isinstance(payload, list):
        report.problems.append("a Label Studio JSON export is a list of tasks")
        return report
    for item in payload:
        record = record_from_task(item, task, report)
        if record is not None:
            report.records.append(record)
    return report
