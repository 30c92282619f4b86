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
from training.evaluate import spans_overlap
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
        found = right = gold_n = correct = predicted_n = 0
        for fit_idx, held_idx in folds:
            fit = [train[i] for i in fit_idx]
            model = SpanDetector(**params).fit([r["text"] for r in fit], [r.get("spans") or [] for r in fit])
            held = [train[i] for i in held_idx]
            for record, (units, proba) in zip(held, model.clause_proba([r["text"] for r in held]), strict=True):
                spans = model.spans_from(record["text"], units, proba, threshold)
                gold = record.get("spans") or []
                gold_n += len(gold)
                predicted_n += len(spans)
                found += sum(any(spans_overlap(g, s) for s in spans) for g in gold)
                right += sum(any(spans_overlap(g, s) and s["label"] == g["label"] for s in spans) for g in gold)
                correct += sum(any(spans_overlap(s, g) for g in gold) for s in spans)
        name = ", ".join(f"{k}={v}" for k, v in params.items())
        print(
            f"{name:<44} | {found / gold_n:>6.3f} {correct / max(predicted_n, 1):>6.3f} {right / gold_n:>6.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
