"""`CARD.md` beside each model version: what it was trained on, how good it is, where it fails.

Written from the same test-split predictions the metadata's metrics come from, so the card and
`metadata.json` never disagree.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from training.compare import FIGURES, Outcomes, bootstrap_interval
from training.evaluate import class_tables

CARD_FILE = "CARD.md"
INTENDED_USE = {
    "tickets": (
        "Ranks incoming Russian complaint tickets for a help desk's queue (low, medium, high, critical) and names "
        "the signals behind the level. It assists a human queue: it does not close, refuse or answer tickets. "
        "Tuned to over-call critical rather than miss it, so expect high and medium tickets raised to critical. "
        "Trained on hand-written texts; check it on your own traffic before trusting its scores."
    ),
    "replies": (
        "Checks an agent's Russian draft reply before it is sent, like a linter: tone, blame-shifting passages with "
        "a message and a better wording, missing good-practice elements. Advice to a human writer, not a gate: it "
        "must not block sending or grade agents. Trained on hand-written texts."
    ),
}


def worst_confusions(outcomes: Outcomes, top: int = 3, examples: int = 2) -> list[dict[str, Any]]:
    """The most frequent (true, predicted) mistakes, each with a few test texts that show it."""
    truth_and_guess = zip(outcomes.y_true, outcomes.y_pred, strict=True)
    pairs = Counter((outcomes.labels[t], outcomes.labels[p]) for t, p in truth_and_guess if t != p)
    out = []
    for (true, predicted), count in pairs.most_common(top):
        shown = [
            text
            for text, t, p in zip(outcomes.texts, outcomes.y_true, outcomes.y_pred, strict=True)
            if outcomes.labels[t] == true and outcomes.labels[p] == predicted
        ][:examples]
        out.append({"true": true, "predicted": predicted, "count": count, "examples": shown})
    return out


def clip(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def card_markdown(task: str, metadata: dict[str, Any], metrics: dict[str, Any], outcomes: Outcomes) -> str:
    train, test = metadata["training_data"], metadata["test_data"]
    corrections = metadata.get("corrections")
    lines = [
        f"# Model card — {metadata.get('task', task)} `{metadata['version']}`",
        "",
        f"Created {metadata.get('created_at')} from commit `{metadata.get('git_commit')}`; "
        f"trained in {metadata.get('training_seconds')} s.",
        "",
        "## Data",
        "",
        f"- train: `{train['path']}`, {train['records']} records, sha256 `{train['sha256'][:16]}…`",
        f"- test (frozen, written separately): `{test['path']}`, {test['records']} records, "
        f"sha256 `{test['sha256'][:16]}…`",
    ]
    if corrections:
        lines.append(
            f"- agents' corrections: `{corrections['path']}` (sha256 `{corrections['sha256'][:16]}…`): "
            f"{corrections['summary']}"
        )
    else:
        lines.append("- agents' corrections: none")
    lines += ["", "## Test metrics (95 % bootstrap intervals, 1,000 resamples)", ""]
    lines += ["| figure | value | 95 % interval |", "|---|---|---|"]
    for name, figure in FIGURES[task].items():
        value, low, high = bootstrap_interval(outcomes, figure)
        lines.append(f"| {name} | {value:.3f} | {low:.3f} … {high:.3f} |")
    lines += ["", *class_tables(metrics, list(metrics["per_class"]), "class")]
    lines += [
        "",
        "## Calibration",
        "",
        f"Expected calibration error (top label, 10 bins): **{metrics['ece']:.3f}**. Reliability by bin "
        "(confidence → accuracy, count): "
        + ", ".join(f"{r['confidence']:.2f}→{r['accuracy']:.2f} ({r['count']})" for r in metrics["reliability"]),
        "",
        "## Known weaknesses (worst confusions on the test split)",
        "",
    ]
    for row in worst_confusions(outcomes):
        lines.append(f"- **{row['true']} → {row['predicted']}**: {row['count']} record(s), e.g.")
        lines += [f"  - «{clip(text)}»" for text in row["examples"]]
    if task == "replies":
        per_category = metrics["spans"]["per_category"]
        weakest = sorted(per_category.items(), key=lambda kv: kv[1]["recall"])[:3]
        lines.append(
            "- span categories found least often with the right label: "
            + ", ".join(f"{name} {row['recall']:.2f}" for name, row in weakest)
        )
    lines += ["", "## Intended use", "", INTENDED_USE[task], ""]
    return "\n".join(lines)


def write_card(folder: Path, task: str, metadata: dict[str, Any], metrics: dict[str, Any], outcomes: Outcomes) -> Path:
    path = folder / CARD_FILE
    path.write_text(card_markdown(task, metadata, metrics, outcomes), encoding="utf-8")
    return path
