"""Choose the tone checker's span and verdict thresholds by cross-validation on train only.

For each candidate (span threshold, confident-span threshold) the out-of-fold checks over the
training split give tone macro-F1, blame-shifting recall, span recall/precision by overlap, the
share of gold spans found with the right category, and how often prefixing «Извините за
неудобства.» turns a blame-shifting verdict into another one. Run:

    .venv/bin/python -m training.select_tone [--data-dir data] [--folds 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from training.data import dataset_path, load_records
from training.evaluate import tone_metrics
from training.tone import ToneChecker

SPAN_THRESHOLDS = (0.3, 0.4, 0.5)
CONFIDENT = (0.6, 0.7, 0.8, 0.9, 1.01)
APOLOGY = "Извините за неудобства. "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    train = load_records(dataset_path(args.data_dir, "replies", "train"), "replies")
    tones = np.array([r["tone"] for r in train])
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(tones, tones))
    models = []
    for fit_idx, held_idx in folds:
        models.append((ToneChecker().fit([train[i] for i in fit_idx]), held_idx))
    print(f"{'span thr':>8} {'confident':>9} | {'tone F1':>7} {'blameR':>6} | {'span R':>6} {'span P':>6} {'categ':>6} "
          f"| {'apology flips':>13}")  # fmt: skip
    for span_threshold in SPAN_THRESHOLDS:
        for confident in CONFIDENT:
            predictions: list = [None] * len(train)
            flips = blamed = 0
            for model, held_idx in models:
                model.set_params(span_threshold=span_threshold, confident_span=confident)
                texts = [train[i]["text"] for i in held_idx]
                plain = model.check(texts)
                sorry = model.check([APOLOGY + t for t in texts])
                for i, a, b in zip(held_idx, plain, sorry, strict=True):
                    predictions[i] = a
                    if a["tone"] == "blame_shifting":
                        blamed += 1
                        flips += b["tone"] != "blame_shifting"
            m = tone_metrics(train, predictions)
            s = m["spans"]
            print(
                f"{span_threshold:>8} {confident:>9} | {m['macro_f1']:>7.3f} {m['blame_recall']:>6.3f} | "
                f"{s['recall']:>6.3f} {s['precision']:>6.3f} {s['category_recall']:>6.3f} | "
                f"{flips:>5}/{blamed:<7}",
                flush=True,
            )


if __name__ == "__main__":
    main()
