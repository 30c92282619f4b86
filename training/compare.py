"""Champion against challenger on the same frozen test split: paired bootstrap and McNemar's test.

Both models are scored on the same records, so their figures are compared *per resample*: each
bootstrap draw picks test records with replacement and computes both models' figures on that
draw; the 2.5th and 97.5th percentiles of the difference bound what the data can tell apart.
McNemar's exact test looks only at records where exactly one of the two models is right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import binomtest

from training.evaluate import spans_overlap


@dataclass
class Outcomes:
    """What one model got right and wrong on each record of a labeled split."""

    labels: tuple[str, ...]
    ids: list[str]
    texts: list[str]
    y_true: np.ndarray
    y_pred: np.ndarray
    span_gold: np.ndarray | None = None
    span_found: np.ndarray | None = None
    span_predicted: np.ndarray | None = None
    span_correct: np.ndarray | None = None

    @property
    def correct(self) -> np.ndarray:
        return self.y_true == self.y_pred


def ticket_outcomes(records: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]]) -> Outcomes:
    from training.labels import SEVERITIES

    index = {name: k for k, name in enumerate(SEVERITIES)}
    return Outcomes(
        SEVERITIES,
        [r["id"] for r in records],
        [r["text"] for r in records],
        np.array([index[r["severity"]] for r in records]),
        np.array([index[p["severity"]] for p in predictions]),
    )


def reply_outcomes(records: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]]) -> Outcomes:
    """Tone per record, plus per-record span counts (gold, gold found, predicted, predicted right)."""
    from training.labels import TONES

    index = {name: k for k, name in enumerate(TONES)}
    gold = [r.get("spans") or [] for r in records]
    pred = [p["spans"] for p in predictions]
    return Outcomes(
        TONES,
        [r["id"] for r in records],
        [r["text"] for r in records],
        np.array([index[r["tone"]] for r in records]),
        np.array([index[p["tone"]] for p in predictions]),
        span_gold=np.array([len(g) for g in gold]),
        span_found=np.array(
            [sum(any(spans_overlap(s, q) for q in p) for s in g) for g, p in zip(gold, pred, strict=True)]
        ),
        span_predicted=np.array([len(p) for p in pred]),
        span_correct=np.array(
            [sum(any(spans_overlap(q, s) for s in g) for q in p) for g, p in zip(gold, pred, strict=True)]
        ),
    )


def macro_f1(o: Outcomes, idx: np.ndarray) -> float:
    """Macro-F1 over the label set from a confusion matrix built with bincount (fast enough to bootstrap)."""
    n = len(o.labels)
    cm = np.bincount(o.y_true[idx] * n + o.y_pred[idx], minlength=n * n).reshape(n, n)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    f1 = np.divide(2 * tp, denom, out=np.zeros(n), where=denom > 0)
    return float(f1.mean())


def recall_of(label: str) -> Callable[[Outcomes, np.ndarray], float]:
    def recall(o: Outcomes, idx: np.ndarray) -> float:
        k = o.labels.index(label)
        mask = o.y_true[idx] == k
        return float((o.y_pred[idx][mask] == k).mean()) if mask.any() else 0.0

    recall.__name__ = f"{label}_recall"
    return recall


def span_f1(o: Outcomes, idx: np.ndarray) -> float:
    assert o.span_gold is not None and o.span_found is not None
    assert o.span_predicted is not None and o.span_correct is not None
    gold, predicted = o.span_gold[idx].sum(), o.span_predicted[idx].sum()
    recall = o.span_found[idx].sum() / gold if gold else 0.0
    precision = o.span_correct[idx].sum() / predicted if predicted else 0.0
    return float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0


Figure = Callable[[Outcomes, np.ndarray], float]
FIGURES: dict[str, dict[str, Figure]] = {
    "tickets": {"macro_f1": macro_f1, "critical_recall": recall_of("critical")},
    "replies": {"macro_f1": macro_f1, "blame_shifting_recall": recall_of("blame_shifting"), "span_f1": span_f1},
}
"""Per task: macro-F1 first, then the key figures that may not go down."""


def bootstrap_interval(
    o: Outcomes, figure: Figure, n_boot: int = 1000, seed: int = 0, level: float = 0.95
) -> tuple[float, float, float]:
    """A figure on the whole split and its percentile bootstrap interval."""
    rng = np.random.default_rng(seed)
    n = len(o.y_true)
    draws = [figure(o, rng.integers(0, n, n)) for _ in range(n_boot)]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return figure(o, np.arange(n)), float(low), float(high)


def paired_difference(
    champion: Outcomes, challenger: Outcomes, figure: Figure, n_boot: int = 1000, seed: int = 0
) -> dict[str, float]:
    """challenger − champion on the split, with a paired percentile bootstrap 95 % interval."""
    rng = np.random.default_rng(seed)
    n = len(champion.y_true)
    everything = np.arange(n)
    diffs = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        diffs.append(figure(challenger, idx) - figure(champion, idx))
    low, high = np.percentile(diffs, [2.5, 97.5])
    a, b = figure(champion, everything), figure(challenger, everything)
    return {"champion": a, "challenger": b, "difference": b - a, "ci_low": float(low), "ci_high": float(high)}


def mcnemar(champion: Outcomes, challenger: Outcomes) -> dict[str, float]:
    """Exact McNemar: of the records only one model gets right, is either side more than chance?"""
    only_champion = int((champion.correct & ~challenger.correct).sum())
    only_challenger = int((~champion.correct & challenger.correct).sum())
    discordant = only_champion + only_challenger
    p = binomtest(min(only_champion, only_challenger), discordant, 0.5).pvalue if discordant else 1.0
    return {"only_champion_right": only_champion, "only_challenger_right": only_challenger, "p_value": float(p)}


def critical_predicted_low(o: Outcomes) -> set[str]:
    critical, low = o.labels.index("critical"), o.labels.index("low")
    return {i for i, t, p in zip(o.ids, o.y_true, o.y_pred, strict=True) if t == critical and p == low}


def compare(task: str, champion: Outcomes, challenger: Outcomes, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Every figure of the task side by side, McNemar, and the promotion decision with its reasons.

    The rule (issue 7): macro-F1 not worse beyond the interval (the interval of the difference
    reaches zero or above), no key figure lower, and for tickets no critical ticket newly called low.
    """
    if champion.ids != challenger.ids:
        raise ValueError("champion and challenger must be scored on the same records in the same order")
    figures = {
        name: paired_difference(champion, challenger, figure, n_boot, seed) for name, figure in FIGURES[task].items()
    }
    reasons = []
    f1 = figures["macro_f1"]
    if f1["ci_high"] < 0:
        reasons.append(
            f"macro-F1 is worse beyond the interval: {f1['difference']:+.3f} "
            f"(95 % CI {f1['ci_low']:+.3f} … {f1['ci_high']:+.3f})"
        )
    for name, row in figures.items():
        if name != "macro_f1" and row["challenger"] < row["champion"] - 1e-12:
            reasons.append(f"{name} is lower: {row['champion']:.3f} → {row['challenger']:.3f}")
    new_critical_low: list[str] = []
    if task == "tickets":
        new_critical_low = sorted(critical_predicted_low(challenger) - critical_predicted_low(champion))
        if new_critical_low:
            named = ", ".join(new_critical_low)
            reasons.append(f"{len(new_critical_low)} critical ticket(s) newly called low: {named}")
    return {
        "task": task,
        "records": len(champion.ids),
        "bootstrap_resamples": n_boot,
        "figures": figures,
        "mcnemar": mcnemar(champion, challenger),
        "new_critical_predicted_low": new_critical_low,
        "promote": not reasons,
        "reasons": reasons,
    }


def comparison_markdown(result: dict[str, Any], champion: str, challenger: str) -> str:
    lines = [
        f"# Retrain report — {result['task']}",
        "",
        f"Champion `{champion}` against challenger `{challenger}` on the same frozen test split "
        f"({result['records']} records); paired bootstrap, {result['bootstrap_resamples']} resamples.",
        "",
        "| figure | champion | challenger | difference | 95 % CI of the difference |",
        "|---|---|---|---|---|",
    ]
    for name, row in result["figures"].items():
        lines.append(
            f"| {name} | {row['champion']:.3f} | {row['challenger']:.3f} | {row['difference']:+.3f} | "
            f"{row['ci_low']:+.3f} … {row['ci_high']:+.3f} |"
        )
    m = result["mcnemar"]
    lines += [
        "",
        f"McNemar (exact): only the champion right on {m['only_champion_right']}, only the challenger right on "
        f"{m['only_challenger_right']}; p = {m['p_value']:.3f}.",
    ]
    if result["task"] == "tickets":
        lines.append(f"Critical tickets newly called low: {len(result['new_critical_predicted_low'])}.")
    lines.append("")
    if result["promote"]:
        lines.append("**Decision: promote** — macro-F1 not worse beyond the interval, no key figure lower.")
    else:
        lines.append("**Decision: keep the champion** — " + "; ".join(result["reasons"]) + ".")
    return "\n".join(lines) + "\n"
