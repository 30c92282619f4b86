"""Choose the span detector's regularisation by cross-validation on train only.

Out-of-fold over the training split (folds by record), for each candidate: span recall and
precision by overlap and the share of gold spans found with the right category, at the checker's
span threshold. The test split is not read. Run:

    .venv/bin/python -m training.select_spans [--data-dir data] [--folds 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sklearn.model_selection import KFold

from training.data import dataset_path, load_records
from training.evaluate import span_scores
from training.tone import SpanDetector, ToneChecker

CANDIDATES = [
    {"C": 4.0, "category_C": 4.0, "cues": 1.0},
    {"C": 4.0, "category_C": 1.0, "cues": 1.0},
    {"C": 4.0, "category_C": 16.0, "cues": 1.0},
    {"C": 1.0, "category_C": 4.0, "cues": 1.0},
    {"C": 16.0, "category_C": 4.0, "cues": 1.0},
    {"C": 4.0, "category_C": 4.0, "cues": 2.0},
    {"C": 4.0, "category_C": 4.0, "cues": 0.5},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    train = load_records(dataset_path(args.data_dir, "replies", "train"), "replies")
    threshold = ToneChecker().span_threshold
    folds = list(KFold(args.folds, shuffle=True, random_state=0).split(train))
    print(f"{'candidate':<44} | {'span R':>6} {'span P':>6} {'categ':>6}")
    for params in CANDIDATES:
        gold_spans, predicted_spans = [], []
        for fit_idx, held_idx in folds:
            fit = [train[i] for i in fit_idx]
            model = SpanDetector(**params).fit([r["text"] for r in fit], [r.get("spans") or [] for r in fit])
            held = [train[i] for i in held_idx]
            for record, (units, proba) in zip(held, model.clause_proba([r["text"] for r in held]), strict=True):
                predicted_spans.append(model.spans_from(record["text"], units, proba, threshold))
                gold_spans.append(record.get("spans") or [])
        scores = span_scores(gold_spans, predicted_spans)
        name = ", ".join(f"{k}={v}" for k, v in params.items())
        print(
            f"{name:<44} | {scores['recall']:>6.3f} {scores['precision']:>6.3f} {scores['category_recall']:>6.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
