"""Counts per split and label, and the floors data v1 promises (issue 3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.data import LABEL_FIELD, LABELS, TASKS, Task, dataset_path, validate_file
from training.labels import SIGNALS, SPAN_CATEGORIES

SPLITS: tuple[str, ...] = ("train", "test")
MIN_RECORDS: dict[tuple[Task, str], int] = {
    ("tickets", "train"): 1000,
    ("tickets", "test"): 300,
    ("replies", "train"): 800,
    ("replies", "test"): 250,
}
MIN_LABEL_SHARE: dict[Task, float] = {"tickets": 0.20, "replies": 0.25}
MIN_TRAIN_SPANS_PER_CATEGORY = 40


@dataclass
class SplitStats:
    task: Task
    split: str
    records: int
    labels: Counter[str]
    signals: Counter[str]
    spans: Counter[str]
    channels: Counter[str]
    industries: Counter[str]
    problems: int


def split_stats(task: Task, split: str, records: list[dict[str, Any]], problems: int = 0) -> SplitStats:
    return SplitStats(
        task=task,
        split=split,
        records=len(records),
        labels=Counter(r[LABEL_FIELD[task]] for r in records),
        signals=Counter(s for r in records for s in r.get("signals", [])),
        spans=Counter(s["label"] for r in records for s in r.get("spans") or []),
        channels=Counter(r["channel"] for r in records if "channel" in r),
        industries=Counter(r["industry"] for r in records if "industry" in r),
        problems=problems,
    )


def collect(data_dir: Path) -> list[SplitStats]:
    out = []
    for task in TASKS:
        for split in SPLITS:
            path = dataset_path(data_dir, task, split)
            report = validate_file(path, task)
            out.append(split_stats(task, split, report.records, len(report.problems)))
    return out


def floor_failures(stats: SplitStats) -> list[str]:
    """Every data-v1 floor this split misses, as a sentence; empty when all hold."""
    failures = []
    if stats.problems:
        failures.append(f"{stats.task}/{stats.split}: {stats.problems} invalid line(s)")
    minimum = MIN_RECORDS.get((stats.task, stats.split))
    if minimum and stats.records < minimum:
        failures.append(f"{stats.task}/{stats.split}: {stats.records} records < {minimum}")
    share = MIN_LABEL_SHARE[stats.task]
    for label in LABELS[stats.task]:
        got = stats.labels[label] / stats.records if stats.records else 0.0
        if got < share:
            failures.append(f"{stats.task}/{stats.split}: '{label}' is {got:.1%} < {share:.0%}")
    if stats.task == "replies" and stats.split == "train":
        for category in SPAN_CATEGORIES:
            if stats.spans[category] < MIN_TRAIN_SPANS_PER_CATEGORY:
                failures.append(
                    f"replies/train: {stats.spans[category]} '{category}' spans < {MIN_TRAIN_SPANS_PER_CATEGORY}"
                )
    return failures


def _row(name: str, values: list[str]) -> str:
    return f"{name:<18}" + "".join(f"{v:>16}" for v in values)


def render(all_stats: list[SplitStats]) -> str:
    """A plain-text counts table, one block per task, splits side by side."""
    lines: list[str] = []
    for task in TASKS:
        blocks = [s for s in all_stats if s.task == task]
        lines.append(f"== {task} ==")
        lines.append(_row("", [s.split for s in blocks]))
        lines.append(_row("records", [str(s.records) for s in blocks]))
        for label in LABELS[task]:
            lines.append(
                _row(
                    f"  {label}",
                    [f"{s.labels[label]} ({s.labels[label] / s.records:.1%})" if s.records else "0" for s in blocks],
                )
            )
        extra = SIGNALS if task == "tickets" else SPAN_CATEGORIES
        title = "signals" if task == "tickets" else "spans"
        lines.append(title)
        for name in extra:
            counter = "signals" if task == "tickets" else "spans"
            lines.append(_row(f"  {name}", [str(getattr(s, counter)[name]) for s in blocks]))
        lines.append(_row("channels", [str(len(s.channels)) for s in blocks]))
        lines.append(_row("industries", [str(len(s.industries)) for s in blocks]))
        lines.append(_row("invalid lines", [str(s.problems) for s in blocks]))
        lines.append("")
    return "\n".join(lines)
