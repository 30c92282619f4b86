"""Choose the severity model by cross-validation on train only, then show what each step buys.

Every candidate is scored on out-of-fold predictions over the training split (that is what the
choice uses) and, for the record only, on the separately written test split. Run:

    .venv/bin/python -m training.select_severity [--data-dir data] [--folds 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import StratifiedKFold

from training.data import dataset_path, load_records
from training.evaluate import expected_calibration_error
from training.labels import SEVERITIES
from training.severity import CRITICAL, LOW, SeverityClassifier

OFF = 1.01  # a threshold no probability reaches: the rule is switched off
BASELINE = {"char_ngrams": None, "cues": 0.0, "calibration": None, "critical_threshold": OFF, "low_guard": OFF}
CANDIDATES: list[tuple[str, dict]] = [
    ("baseline: lemma tf-idf + LR, argmax", BASELINE),
    ("+ char 2-5-grams", {"calibration": None, "critical_threshold": OFF, "low_guard": OFF}),
    ("+ cue columns (weight 1)", {"cues": 1.0, "calibration": None, "critical_threshold": OFF, "low_guard": OFF}),
    ("+ isotonic calibration (no cues)", {"critical_threshold": OFF, "low_guard": OFF}),
    ("+ sigmoid instead of isotonic", {"calibration": "sigmoid", "critical_threshold": OFF, "low_guard": OFF}),
    ("+ critical if P(critical) >= 0.30", {"critical_threshold": 0.30, "low_guard": OFF}),
    ("+ critical if P(critical) >= 0.25", {"critical_threshold": 0.25, "low_guard": OFF}),
    ("+ critical >= 0.25, no low if P(critical) >= 0.05", {"critical_threshold": 0.25, "low_guard": 0.05}),
    ("+ critical >= 0.25, no low if P(critical) >= 0.10", {"critical_threshold": 0.25, "low_guard": 0.10}),
    ("+ critical >= 0.30, no low if P(critical) >= 0.10", {"critical_threshold": 0.30, "low_guard": 0.10}),
]  # fmt: skip
DECISION = ("critical_threshold", "low_guard")


def scores(y: np.ndarray, proba: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "macro_f1": f1_score(y, pred, average="macro"),
        "critical_recall": recall_score(y, pred, labels=[CRITICAL], average="macro"),
        "critical_as_low": int(((y == CRITICAL) & (pred == LOW)).sum()),
        "ece": expected_calibration_error(proba, y),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    train = load_records(dataset_path(args.data_dir, "tickets", "train"), "tickets")
    test = load_records(dataset_path(args.data_dir, "tickets", "test"), "tickets")
    x = np.array([r["text"] for r in train], dtype=object)
    y = np.array([SEVERITIES.index(r["severity"]) for r in train])
    x_test = [r["text"] for r in test]
    y_test = np.array([SEVERITIES.index(r["severity"]) for r in test])
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(x, y))
    cache: dict[tuple, tuple[np.ndarray, np.ndarray, float, float]] = {}
    print(f"{'candidate':<52} {'OOF F1':>7} {'critR':>6} {'c→low':>5} {'ECE':>6} | {'test F1':>7} {'critR':>6} "
          f"{'c→low':>5} {'ECE':>6} | {'fit s':>6} {'tickets/s':>9}")  # fmt: skip
    for name, params in CANDIDATES:
        model = SeverityClassifier(**params)
        key = tuple(sorted((k, str(v)) for k, v in model.get_params().items() if k not in DECISION))
        if key not in cache:
            oof = np.zeros((len(y), len(SEVERITIES)))
            for fit_idx, held_idx in folds:
                fold_model = SeverityClassifier(**params).fit(list(x[fit_idx]), [SEVERITIES[i] for i in y[fit_idx]])
                oof[held_idx] = fold_model.predict_proba(list(x[held_idx]))
            started = time.perf_counter()
            full = SeverityClassifier(**params).fit(list(x), [SEVERITIES[i] for i in y])
            fit_seconds = time.perf_counter() - started
            started = time.perf_counter()
            proba_test = full.predict_proba(x_test)
            rate = len(x_test) / (time.perf_counter() - started)
            cache[key] = (oof, proba_test, fit_seconds, rate)
        oof, proba_test, fit_seconds, rate = cache[key]
        a = scores(y, oof, model.decide(oof))
        b = scores(y_test, proba_test, model.decide(proba_test))
        print(
            f"{name:<52} {a['macro_f1']:>7.3f} {a['critical_recall']:>6.3f} "
            f"{a['critical_as_low']:>5} {a['ece']:>6.3f} | "
            f"{b['macro_f1']:>7.3f} {b['critical_recall']:>6.3f} {b['critical_as_low']:>5} {b['ece']:>6.3f} | "
            f"{fit_seconds:>6.1f} {rate:>9.0f}",
            flush=True,
        )
    escalation_table(x, y, [r.get("signals", []) for r in train], folds)


ESCALATION = [(None, 0.0), (0.85, 1.01), (0.85, 0.3), (0.7, 1.01), (0.7, 0.3), (0.6, 0.3)]


def escalation_table(x: np.ndarray, y: np.ndarray, signals: list[list[str]], folds: list) -> None:
    """Out-of-fold effect of escalating on safety/legal/security signals, on top of the chosen rule."""
    from training.tickets import TicketTriager

    decided = {key: np.zeros(len(y), dtype=int) for key in ESCALATION}
    for fit_idx, held_idx in folds:
        triager = TicketTriager().fit(
            list(x[fit_idx]), [SEVERITIES[i] for i in y[fit_idx]], [signals[i] for i in fit_idx]
        )
        held = list(x[held_idx])
        base = triager.severity_.decide(triager.severity_.predict_proba(held))
        proba = triager.signals_.predict_proba(held)
        for threshold, recheck in ESCALATION:
            pred = base.copy()
            if threshold is not None:
                triager.set_params(escalate_threshold=threshold, recheck_from=recheck)
                pred[triager.escalate(held, proba)[0]] = CRITICAL
            decided[(threshold, recheck)][held_idx] = pred
    print("\nescalation (out of fold)                              OOF F1  critR c→low")
    for (threshold, recheck), pred in decided.items():
        name = (
            "none"
            if threshold is None
            else f"signal >= {threshold}" + (f", sentence recheck from {recheck}" if recheck <= 1 else "")
        )
        a = scores(y, np.eye(len(SEVERITIES))[pred], pred)
        print(f"{name:<52} {a['macro_f1']:>7.3f} {a['critical_recall']:>6.3f} {a['critical_as_low']:>5}", flush=True)


if __name__ == "__main__":
    main()
