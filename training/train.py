"""Train and evaluate both models: data in, a versioned artifact with its card and report out."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.artifacts import Artifact, save_artifact
from training.card import write_card
from training.compare import Outcomes, reply_outcomes, ticket_outcomes
from training.data import Task, dataset_path, load_records
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


def predict_tickets(model: TicketTriager, texts: list[str], version: str) -> list[dict[str, Any]]:
    return model.predict(texts, version)


def metrics_tickets(records: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    proba_rows = [[p["scores"][s] for s in SEVERITIES] for p in predictions]
    return severity_metrics(
        [r["severity"] for r in records],
        [p["severity"] for p in predictions],
        np.array(proba_rows),
        [r.get("signals", []) for r in records],
        [[s["label"] for s in p["signals"]] for p in predictions],
    )


def evaluate_tickets(model: TicketTriager, records: list[dict[str, Any]], version: str) -> dict[str, Any]:
    return metrics_tickets(records, predict_tickets(model, [r["text"] for r in records], version))


def fit_tickets(train: list[dict[str, Any]]) -> tuple[TicketTriager, dict[str, Any]]:
    severity, signals = SeverityClassifier(), SignalDetector()
    model = TicketTriager(severity, signals).fit(
        [r["text"] for r in train], [r["severity"] for r in train], [r.get("signals", []) for r in train]
    )
    hyperparameters = {
        "severity": severity.get_params(),
        "signals": signals.get_params(),
        "escalation": {"threshold": model.escalate_threshold, "recheck_from": model.recheck_from},
    }
    return model, hyperparameters


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


def predict_replies(model: ToneChecker, texts: list[str], version: str) -> list[dict[str, Any]]:
    return model.check(texts, version)


def evaluate_replies(model: ToneChecker, records: list[dict[str, Any]], version: str) -> dict[str, Any]:
    return tone_metrics(records, predict_replies(model, [r["text"] for r in records], version))


def fit_replies(train: list[dict[str, Any]]) -> tuple[ToneChecker, dict[str, Any]]:
    model = ToneChecker().fit(train)
    return model, model.get_params()


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
    labels: tuple[str, ...]
    fit: Callable[[list[dict[str, Any]]], tuple[Any, dict[str, Any]]]
    predict: Callable[[Any, list[str], str], list[dict[str, Any]]]
    metrics: Callable[[list[dict[str, Any]], list[dict[str, Any]]], dict[str, Any]]
    outcomes: Callable[[list[dict[str, Any]], list[dict[str, Any]]], Outcomes]
    write_report: Callable[[dict[str, Any], Path, str, Path], Path]
    summary: Callable[[dict[str, Any]], str]

    def evaluate(self, model: Any, records: list[dict[str, Any]], version: str) -> dict[str, Any]:
        return self.metrics(records, self.predict(model, [r["text"] for r in records], version))


TASK_SPECS: dict[str, TaskSpec] = {
    "tickets": TaskSpec(
        "severity",
        SEVERITIES,
        fit_tickets,
        predict_tickets,
        metrics_tickets,
        ticket_outcomes,
        write_severity_report,
        severity_summary,
    ),
    "replies": TaskSpec(
        "tone", TONES, fit_replies, predict_replies, tone_metrics, reply_outcomes, write_tone_report, tone_summary
    ),
}


@dataclass
class Trained:
    """A freshly saved version with its test-split predictions (for reports, cards and comparisons)."""

    artifact: Artifact
    metrics: dict[str, Any]
    test: list[dict[str, Any]]
    predictions: list[dict[str, Any]]


def train_task_model(
    task: Task,
    data_dir: Path,
    models_dir: Path,
    train_records: list[dict[str, Any]] | None = None,
    corrections: dict[str, Any] | None = None,
) -> Trained:
    """Fit on train (or the given records: train with corrections applied), evaluate on the separately
    written test split, save a new version with its metadata and model card."""
    spec = TASK_SPECS[task]
    train_path = dataset_path(data_dir, task, "train")
    test_path = dataset_path(data_dir, task, "test")
    train = train_records if train_records is not None else load_records(train_path, task)
    test = load_records(test_path, task)
    started = time.perf_counter()
    model, hyperparameters = spec.fit(train)
    seconds = time.perf_counter() - started
    predictions = spec.predict(model, [r["text"] for r in test], "candidate")
    metrics = spec.metrics(test, predictions)
    metadata = {
        **provenance(task, train_path, test_path, train, test),
        "corrections": corrections,
        "labels": list(spec.labels),
        "hyperparameters": hyperparameters,
        "metrics_test": {k: v for k, v in metrics.items() if k != "reliability"},
        "training_seconds": round(seconds, 2),
    }
    artifact = save_artifact(model, models_dir / spec.model_folder, metadata)
    for prediction in predictions:
        prediction["model_version"] = artifact.version
    write_card(artifact.path, task, artifact.metadata, metrics, spec.outcomes(test, predictions))
    return Trained(artifact, metrics, test, predictions)
