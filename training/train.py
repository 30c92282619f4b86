"""Train and evaluate the ticket model: data in, versioned artifact and report out."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.artifacts import Artifact, save_artifact
from training.data import dataset_path, load_records
from training.evaluate import (
    plot_confusion,
    plot_reliability,
    severity_metrics,
    severity_report_markdown,
    tone_metrics,
    tone_report_markdown,
)
from training.labels import SEVERITIES, TONES
from training.severity import SeverityClassifier
from training.signals import SignalDetector
from training.tickets import TicketTriager
from training.tone import ToneChecker


def sha256_path(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evaluate_tickets(model: TicketTriager, records: list[dict[str, Any]], version: str) -> dict[str, Any]:
    texts = [r["text"] for r in records]
    predictions = model.predict(texts, version)
    proba_rows = [[p["scores"][s] for s in SEVERITIES] for p in predictions]
    import numpy as np

    return severity_metrics(
        [r["severity"] for r in records],
        [p["severity"] for p in predictions],
        np.array(proba_rows),
        [r.get("signals", []) for r in records],
        [[s["label"] for s in p["signals"]] for p in predictions],
    )


def train_tickets(data_dir: Path, models_dir: Path) -> tuple[Artifact, dict[str, Any]]:
    """Fit on train, evaluate on the separately written test split, save a new version."""
    train_path = dataset_path(data_dir, "tickets", "train")
    test_path = dataset_path(data_dir, "tickets", "test")
    train = load_records(train_path, "tickets")
    test = load_records(test_path, "tickets")
    severity, signals = SeverityClassifier(), SignalDetector()
    started = time.perf_counter()
    model = TicketTriager(severity, signals).fit(
        [r["text"] for r in train], [r["severity"] for r in train], [r.get("signals", []) for r in train]
    )
    seconds = time.perf_counter() - started
    metrics = evaluate_tickets(model, test, "candidate")
    metadata = {
        **provenance("tickets", train_path, test_path, train, test),
        "labels": list(SEVERITIES),
        "hyperparameters": {
            "severity": severity.get_params(),
            "signals": signals.get_params(),
            "escalation": {"threshold": model.escalate_threshold, "recheck_from": model.recheck_from},
        },
        "metrics_test": {k: v for k, v in metrics.items() if k != "reliability"},
        "training_seconds": round(seconds, 2),
    }
    artifact = save_artifact(model, models_dir / "severity", metadata)
    return artifact, metrics


def write_severity_report(metrics: dict[str, Any], data_path: Path, version: str, reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    plot_confusion(metrics["confusion_matrix"], SEVERITIES, reports_dir / "severity_confusion.png", "Severity")
    plot_reliability(metrics["reliability"], reports_dir / "severity_reliability.png", "Severity calibration")
    path = reports_dir / "severity.md"
    path.write_text(severity_report_markdown(metrics, str(data_path), version), encoding="utf-8")
    (reports_dir / "severity.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return path


def provenance(task: str, train_path: Path, test_path: Path, train: list, test: list) -> dict[str, Any]:
    return {
        "task": task,
        "training_data": {"path": str(train_path), "sha256": sha256_path(train_path), "records": len(train)},
        "test_data": {"path": str(test_path), "sha256": sha256_path(test_path), "records": len(test)},
    }


def evaluate_replies(model: ToneChecker, records: list[dict[str, Any]], version: str) -> dict[str, Any]:
    return tone_metrics(records, model.check([r["text"] for r in records], version))


def train_replies(data_dir: Path, models_dir: Path) -> tuple[Artifact, dict[str, Any]]:
    """Fit the tone checker on train, evaluate on the separately written test split, save a version."""
    train_path = dataset_path(data_dir, "replies", "train")
    test_path = dataset_path(data_dir, "replies", "test")
    train = load_records(train_path, "replies")
    test = load_records(test_path, "replies")
    model = ToneChecker()
    started = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - started
    metrics = evaluate_replies(model, test, "candidate")
    metadata = {
        **provenance("replies", train_path, test_path, train, test),
        "labels": list(TONES),
        "hyperparameters": model.get_params(),
        "metrics_test": {k: v for k, v in metrics.items() if k != "reliability"},
        "training_seconds": round(seconds, 2),
    }
    return save_artifact(model, models_dir / "tone", metadata), metrics


def write_tone_report(metrics: dict[str, Any], data_path: Path, version: str, reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    plot_confusion(metrics["confusion_matrix"], TONES, reports_dir / "tone_confusion.png", "Tone")
    plot_reliability(metrics["reliability"], reports_dir / "tone_reliability.png", "Tone calibration")
    path = reports_dir / "tone.md"
    path.write_text(tone_report_markdown(metrics, str(data_path), version), encoding="utf-8")
    (reports_dir / "tone.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return path


def severity_summary(metrics: dict[str, Any]) -> str:
    return (
        f"test: macro-F1 {metrics['macro_f1']:.3f}, critical recall {metrics['critical_recall']:.3f}, "
        f"critical→low {metrics['critical_predicted_low']}, ECE {metrics['ece']:.3f}"
    )


def tone_summary(metrics: dict[str, Any]) -> str:
    spans = metrics["spans"]
    return (
        f"test: macro-F1 {metrics['macro_f1']:.3f}, blame_shifting recall {metrics['blame_recall']:.3f}, "
        f"span recall {spans['recall']:.3f}, span precision {spans['precision']:.3f}, "
        f"right category {spans['category_recall']:.3f}"
    )


@dataclass(frozen=True)
class TaskSpec:
    """What training, evaluating and reporting mean for one task; the CLI reads it by task name."""

    model_folder: str
    train: Callable[[Path, Path], tuple[Artifact, dict[str, Any]]]
    evaluate: Callable[[Any, list[dict[str, Any]], str], dict[str, Any]]
    write_report: Callable[[dict[str, Any], Path, str, Path], Path]
    summary: Callable[[dict[str, Any]], str]


TASK_SPECS: dict[str, TaskSpec] = {
    "tickets": TaskSpec("severity", train_tickets, evaluate_tickets, write_severity_report, severity_summary),
    "replies": TaskSpec("tone", train_replies, evaluate_replies, write_tone_report, tone_summary),
}
