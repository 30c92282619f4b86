"""`triage retrain`: train a challenger, judge it against the champion, promote only a better one.

Champion and challenger are scored on the same frozen test split (the champion is re-scored now,
not read from its metadata, so both see exactly the same records with the same code). The
decision rule lives in `training.compare.compare`; this module wires data, training, registry
and the written report together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from training.artifacts import load_artifact
from training.compare import compare, comparison_markdown
from training.corrections import merge_into_train
from training.data import Task, dataset_path, load_records
from training.registry import champion_folder, promote, register_trained
from training.train import TASK_SPECS, Trained, sha256_path, train_task_model

REPORT_FILE = "RETRAIN.md"


@dataclass
class RetrainResult:
    champion: str
    challenger: str
    comparison: dict[str, Any]
    promoted: bool
    report: str
    report_path: Path


def retrain(
    task: Task,
    data_dir: Path,
    models_dir: Path,
    corrections_path: Path | None = None,
    dry_run: bool = False,
    by: str | None = None,
    n_boot: int = 1000,
) -> RetrainResult:
    spec = TASK_SPECS[task]
    task_dir = models_dir / spec.model_folder
    champion = load_artifact(champion_folder(task_dir))
    train = load_records(dataset_path(data_dir, task, "train"), task)
    test = load_records(dataset_path(data_dir, task, "test"), task)
    corrections = None
    if corrections_path is not None:
        extra = load_records(corrections_path, task)
        train, counts = merge_into_train(task, train, test, extra)
        corrections = {
            "path": str(corrections_path),
            "sha256": sha256_path(corrections_path),
            "records": len(extra),
            "summary": counts.summary(),
        }
    trained: Trained = train_task_model(task, data_dir, models_dir, train_records=train, corrections=corrections)
    challenger = trained.artifact
    champion_predictions = spec.predict(champion.model, [r["text"] for r in test], champion.version)
    result = compare(
        task, spec.outcomes(test, champion_predictions), spec.outcomes(test, trained.predictions), n_boot=n_boot
    )
    register_trained(task_dir, challenger.version, by=by)
    promoted = False
    if result["promote"] and not dry_run:
        promote(
            task_dir, challenger.version, by=by, reason="retrain: the promotion rule holds", comparison=summary(result)
        )
        promoted = True
    report = comparison_markdown(result, champion.version, challenger.version)
    if corrections:
        report += f"\nCorrections applied to train: {corrections['summary']}.\n"
    if dry_run:
        report += "\nDry run: nothing promoted; the challenger stays registered as `challenger`.\n"
    elif not promoted:
        report += f"\nThe champion `{champion.version}` stays; `{challenger.version}` is kept as `challenger`.\n"
    else:
        report += f"\nPromoted: `{challenger.version}` is the champion; `triage models rollback` undoes it.\n"
    report_path = challenger.path / REPORT_FILE
    report_path.write_text(report, encoding="utf-8")
    (challenger.path / "retrain.json").write_text(
        json.dumps({"champion": champion.version, **result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return RetrainResult(champion.version, challenger.version, result, promoted, report, report_path)


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of a comparison, compact enough for the registry's history."""
    return {name: {k: round(v, 4) for k, v in row.items()} for name, row in result["figures"].items()} | {
        "mcnemar_p": round(result["mcnemar"]["p_value"], 4)
    }
