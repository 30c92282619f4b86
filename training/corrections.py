"""Agents' corrections → guide-format records, and those records merged into a training split.

A correction overrides the labels of the same text (the latest correction of a text wins); a text
the data does not hold yet becomes a new record. Texts of the frozen test split are never turned
into training records: a model trained on them could no longer be judged on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from training.data import Task, dataset_path, load_records, validate_record

LABEL_FIELDS: dict[str, tuple[str, ...]] = {
    "tickets": ("severity", "signals"),
    "replies": ("tone", "spans", "elements"),
}
TARGET: dict[str, str] = {"tickets": "ticket", "replies": "reply"}


def text_key(text: str) -> str:
    """Texts equal up to case and spacing are the same text."""
    return " ".join(text.split()).casefold()


@dataclass
class ExportCounts:
    read: int = 0
    superseded: int = 0
    overrides_changed: int = 0
    overrides_unchanged: int = 0
    new_records: int = 0
    in_test_split: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.read} correction(s) read: {self.overrides_changed} train record(s) relabelled, "
            f"{self.overrides_unchanged} confirming their label, {self.new_records} new record(s), "
            f"{self.superseded} superseded by a later correction of the same text, "
            f"{self.in_test_split} on test-split texts (excluded), {len(self.skipped)} skipped"
        )


def export_records(
    task: Task, corrections: Sequence[dict[str, Any]], train: Sequence[dict[str, Any]], test: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], ExportCounts]:
    """Turn stored corrections (oldest first) into records ready for `retrain --with-corrections`.

    Each correction is a dict with `id`, `text`, `labels`, `agent`, `created_at` and, for tickets,
    `predicted` (the stored prediction, used for a field the agent did not correct on a new text).
    """
    counts = ExportCounts()
    train_by_text = {text_key(r["text"]): r for r in train}
    test_texts = {text_key(r["text"]) for r in test}
    latest: dict[str, dict[str, Any]] = {}
    for correction in corrections:
        counts.read += 1
        key = text_key(correction["text"])
        if key in latest:
            counts.superseded += 1
            merged_labels = {**latest[key]["labels"], **correction["labels"]}
            correction = {**correction, "labels": merged_labels}
        latest[key] = correction
    records = []
    for key, correction in latest.items():
        if key in test_texts:
            counts.in_test_split += 1
            continue
        labels = {k: v for k, v in correction["labels"].items() if k in LABEL_FIELDS[task]}
        existing = train_by_text.get(key)
        if existing is not None:
            record = {**existing, **labels}
            if task == "replies" and record.get("tone") != "blame_shifting":
                record["spans"] = []
            same = all(existing.get(k) == record.get(k) for k in LABEL_FIELDS[task])
            if same:
                counts.overrides_unchanged += 1
            else:
                counts.overrides_changed += 1
        else:
            record = {"id": f"c-{task}-{correction['id']:06d}", "text": correction["text"]}
            record.update(correction.get("predicted") or {})
            record.update(labels)
            if task == "replies" and "tone" not in record and record.get("spans"):
                record["tone"] = "blame_shifting"
            if task == "replies" and record.get("tone") in ("accountable", "neutral"):
                record["spans"] = []
            counts.new_records += 1
        record["correction"] = {"id": correction["id"], "agent": correction["agent"], "at": correction["created_at"]}
        problems = validate_record(record, task)
        if problems:
            counts.skipped.append(f"correction {correction['id']}: {'; '.join(problems)}")
            if existing is not None:
                counts.overrides_changed -= not same
                counts.overrides_unchanged -= same
            else:
                counts.new_records -= 1
            continue
        records.append(record)
    return records, counts


def export_for_task(
    task: Task, corrections: Sequence[dict[str, Any]], data_dir: Path
) -> tuple[list[dict[str, Any]], ExportCounts]:
    """`export_records` against the task's train and test splits under `data_dir` (CLI and API alike).

    Raises `DataError` when a split cannot be read: without the test split nothing would keep its
    texts out of training.
    """
    train = load_records(dataset_path(data_dir, task, "train"), task)
    test = load_records(dataset_path(data_dir, task, "test"), task)
    return export_records(task, corrections, train, test)


@dataclass
class MergeCounts:
    relabelled: int = 0
    appended: int = 0
    refused_test: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.relabelled} train record(s) relabelled, {self.appended} appended, "
            f"{self.refused_test} refused (text of the test split)"
        )


def merge_into_train(
    task: Task, train: Sequence[dict[str, Any]], test: Sequence[dict[str, Any]], extra: Iterable[dict[str, Any]]
) -> tuple[list[dict[str, Any]], MergeCounts]:
    """Train with the extra records applied: same id or same text replaces, anything else is appended."""
    counts = MergeCounts()
    merged = [dict(r) for r in train]
    by_id = {r["id"]: k for k, r in enumerate(merged)}
    by_text = {text_key(r["text"]): k for k, r in enumerate(merged)}
    test_texts = {text_key(r["text"]) for r in test}
    for record in extra:
        key = text_key(record["text"])
        if key in test_texts:
            counts.refused_test += 1
            continue
        position = by_id.get(record["id"], by_text.get(key))
        if position is None:
            by_text[key] = len(merged)
            merged.append(dict(record))
            counts.appended += 1
        else:
            merged[position] = {**merged[position], **{k: record[k] for k in LABEL_FIELDS[task] if k in record}}
            counts.relabelled += 1
    return merged, counts
