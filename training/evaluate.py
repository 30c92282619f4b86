"""Metrics, calibration and reports for the trained models."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from training.labels import ELEMENTS, SEVERITIES, SIGNALS, SPAN_CATEGORIES, TONES


def expected_calibration_error(proba: np.ndarray, y_true: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: the gap between confidence and accuracy, averaged over equal-width bins."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y_true
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in itertools.pairwise(edges):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            ece += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(ece)


def reliability_curve(proba: np.ndarray, y_true: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y_true
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in itertools.pairwise(edges):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            rows.append(
                {
                    "bin_low": float(low),
                    "bin_high": float(high),
                    "confidence": float(confidence[mask].mean()),
                    "accuracy": float(correct[mask].mean()),
                    "count": int(mask.sum()),
                }
            )
    return rows


def classification_summary(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Records, accuracy, macro-F1, the per-class table and the confusion matrix (rows true)."""
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0
    )
    return {
        "records": len(y_true),
        "accuracy": float(np.mean(np.array(y_true) == np.array(y_pred))),
        "macro_f1": float(f1_score(y_true, y_pred, labels=list(labels), average="macro", zero_division=0)),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist(),
    }


def severity_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    proba: np.ndarray,
    signals_true: Sequence[Sequence[str]],
    signals_pred: Sequence[Sequence[str]],
) -> dict[str, Any]:
    labels = list(SEVERITIES)
    true_idx = np.array([labels.index(v) for v in y_true])
    summary = classification_summary(y_true, y_pred, labels)
    per_signal = {}
    for signal in SIGNALS:
        t = np.array([signal in row for row in signals_true])
        p = np.array([signal in row for row in signals_pred])
        tp = int((t & p).sum())
        per_signal[signal] = {
            "support": int(t.sum()),
            "precision": tp / p.sum() if p.sum() else 0.0,
            "recall": tp / t.sum() if t.sum() else 0.0,
        }
        ps, rs = per_signal[signal]["precision"], per_signal[signal]["recall"]
        per_signal[signal]["f1"] = 2 * ps * rs / (ps + rs) if ps + rs else 0.0
    tp_all = sum(len(set(a) & set(b)) for a, b in zip(signals_true, signals_pred, strict=True))
    n_pred = sum(len(b) for b in signals_pred)
    n_true = sum(len(a) for a in signals_true)
    micro_p = tp_all / n_pred if n_pred else 0.0
    micro_r = tp_all / n_true if n_true else 0.0
    return {
        **summary,
        "critical_recall": summary["per_class"]["critical"]["recall"],
        "critical_predicted_low": summary["confusion_matrix"][labels.index("critical")][labels.index("low")],
        "ece": expected_calibration_error(proba, true_idx),
        "reliability": reliability_curve(proba, true_idx),
        "signals": {
            "micro_precision": micro_p,
            "micro_recall": micro_r,
            "micro_f1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
            "per_signal": per_signal,
        },
    }


def plot_confusion(matrix: list[list[int]], labels: Sequence[str], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4.2))
    data = np.array(matrix)
    ax.imshow(data, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            ax.text(
                j,
                i,
                str(data[i, j]),
                ha="center",
                va="center",
                color="white" if data[i, j] > data.max() / 2 else "black",
            )
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reliability(rows: list[dict[str, float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    ax.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], marker="o", label="model")
    for r in rows:
        ax.annotate(
            str(r["count"]), (r["confidence"], r["accuracy"]), fontsize=7, xytext=(3, -9), textcoords="offset points"
        )
    ax.set_xlabel("confidence (top-label probability)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def class_tables(metrics: dict[str, Any], labels: Sequence[str], kind: str) -> list[str]:
    """Markdown lines: the per-class precision/recall/F1 table, then the confusion matrix."""
    lines = [f"| {kind} | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name in labels:
        row = metrics["per_class"][name]
        lines.append(f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |")
    lines += [
        "",
        "Confusion matrix (rows true, columns predicted):",
        "",
        "| true \\ pred | " + " | ".join(labels) + " |",
    ]
    lines.append("|---" * (len(labels) + 1) + "|")
    for name, row in zip(labels, metrics["confusion_matrix"], strict=True):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def severity_report_markdown(metrics: dict[str, Any], data_path: str, model_version: str) -> str:
    labels = list(SEVERITIES)
    lines = [
        "# Severity model — evaluation",
        "",
        f"Model `{model_version}` on `{data_path}` ({metrics['records']} records).",
        "",
        f"- macro-F1: **{metrics['macro_f1']:.3f}**, accuracy {metrics['accuracy']:.3f}",
        f"- critical recall: **{metrics['critical_recall']:.3f}**; critical predicted `low`: "
        f"**{metrics['critical_predicted_low']}**",
        f"- expected calibration error (top label, 10 bins): **{metrics['ece']:.3f}**",
        "",
        *class_tables(metrics, labels, "level"),
    ]
    sig = metrics["signals"]
    lines += [
        "",
        "![confusion matrix](severity_confusion.png) ![reliability diagram](severity_reliability.png)",
        "",
        f"## Signals (micro P {sig['micro_precision']:.3f}, R {sig['micro_recall']:.3f}, F1 {sig['micro_f1']:.3f})",
        "",
        "| signal | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for name, row in sig["per_signal"].items():
        lines.append(f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |")
    return "\n".join(lines) + "\n"


def spans_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return min(a["end"], b["end"]) > max(a["start"], b["start"])


def span_scores(
    gold_spans: Sequence[Sequence[dict[str, Any]]], predicted_spans: Sequence[Sequence[dict[str, Any]]]
) -> dict[str, Any]:
    """Span detection by overlap, from each text's gold and predicted spans: recall (a gold span any
    predicted span overlaps), precision, category recall (overlapped by one of its category), and
    recall and precision per category."""
    gold = [(k, s) for k, r in enumerate(gold_spans) for s in r]
    pred = [(k, s) for k, p in enumerate(predicted_spans) for s in p]
    by_text: dict[int, list[dict[str, Any]]] = {}
    for k, s in pred:
        by_text.setdefault(k, []).append(s)
    gold_by_text: dict[int, list[dict[str, Any]]] = {}
    for k, s in gold:
        gold_by_text.setdefault(k, []).append(s)
    found = [any(spans_overlap(s, q) for q in by_text.get(k, [])) for k, s in gold]
    right = [any(spans_overlap(s, q) and q["label"] == s["label"] for q in by_text.get(k, [])) for k, s in gold]
    correct_pred = [any(spans_overlap(q, s) for s in gold_by_text.get(k, [])) for k, q in pred]
    per_category = {}
    for category in SPAN_CATEGORIES:
        g = [(k, s) for k, s in gold if s["label"] == category]
        p = [(k, q) for k, q in pred if q["label"] == category]
        hit_g = sum(any(spans_overlap(s, q) and q["label"] == category for q in by_text.get(k, [])) for k, s in g)
        hit_p = sum(any(spans_overlap(q, s) and s["label"] == category for s in gold_by_text.get(k, [])) for k, q in p)
        per_category[category] = {
            "gold": len(g),
            "predicted": len(p),
            "recall": hit_g / len(g) if g else 0.0,
            "precision": hit_p / len(p) if p else 0.0,
        }
    return {
        "gold": len(gold),
        "predicted": len(pred),
        "recall": float(np.mean(found)) if gold else 0.0,
        "precision": float(np.mean(correct_pred)) if pred else 0.0,
        "category_recall": float(np.mean(right)) if gold else 0.0,
        "per_category": per_category,
    }


def tone_metrics(records: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Tone classification, span detection by overlap (any category, same category, per category),
    and element detection accuracy, from gold records and `ToneChecker.check` outputs."""
    labels = list(TONES)
    y_true = [r["tone"] for r in records]
    y_pred = [p["tone"] for p in predictions]
    summary = classification_summary(y_true, y_pred, labels)
    true_idx = np.array([labels.index(v) for v in y_true])
    proba = np.array([[p["scores"][t] for t in labels] for p in predictions])
    elements = {}
    for element in ELEMENTS:
        t = np.array([element in r.get("elements", []) for r in records])
        q = np.array([element in p["elements"]["present"] for p in predictions])
        elements[element] = {"accuracy": float((t == q).mean()), "support": int(t.sum())}
    return {
        **summary,
        "blame_recall": summary["per_class"]["blame_shifting"]["recall"],
        "ece": expected_calibration_error(proba, true_idx),
        "reliability": reliability_curve(proba, true_idx),
        "spans": span_scores([r.get("spans") or [] for r in records], [p["spans"] for p in predictions]),
        "elements": elements,
    }


def tone_report_markdown(metrics: dict[str, Any], data_path: str, model_version: str) -> str:
    labels = list(TONES)
    spans = metrics["spans"]
    lines = [
        "# Tone checker — evaluation",
        "",
        f"Model `{model_version}` on `{data_path}` ({metrics['records']} replies).",
        "",
        f"- macro-F1: **{metrics['macro_f1']:.3f}**, accuracy {metrics['accuracy']:.3f}, "
        f"`blame_shifting` recall **{metrics['blame_recall']:.3f}**, ECE {metrics['ece']:.3f}",
        f"- spans (overlap): recall **{spans['recall']:.3f}**, precision **{spans['precision']:.3f}**; "
        f"gold spans found with the right category **{spans['category_recall']:.3f}** "
        f"({spans['gold']} gold, {spans['predicted']} predicted)",
        "",
        *class_tables(metrics, labels, "tone"),
    ]
    lines += [
        "",
        "![confusion matrix](tone_confusion.png) ![reliability diagram](tone_reliability.png)",
        "",
        "## Spans by category (overlap with the same category)",
        "",
        "| category | gold | predicted | recall | precision |",
        "|---|---|---|---|---|",
    ]
    for name, row in spans["per_category"].items():
        lines.append(f"| {name} | {row['gold']} | {row['predicted']} | {row['recall']:.3f} | {row['precision']:.3f} |")
    lines += [
        "",
        "## Good-practice elements (present/missing accuracy)",
        "",
        "| element | accuracy | present in gold |",
    ]
    lines.append("|---|---|---|")
    for name, row in metrics["elements"].items():
        lines.append(f"| {name} | {row['accuracy']:.3f} | {row['support']} |")
    return "\n".join(lines) + "\n"
