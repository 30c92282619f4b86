"""The shipped ticket model: severity and signals together, and the prediction record both the CLI
and the server return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from training.labels import SEVERITIES
from training.severity import SeverityClassifier
from training.signals import SignalDetector
from training.text import looks_russian

MAX_TEXT_CHARS = 20_000


def unscorable_reason(text: object) -> str | None:
    """Why a text cannot be scored, in words a caller can act on; None when it can."""
    if not isinstance(text, str):
        return f"'text' must be a string, got {type(text).__name__}"
    if not text.strip():
        return "'text' is empty"
    if len(text) > MAX_TEXT_CHARS:
        return f"'text' is {len(text)} characters; the limit is {MAX_TEXT_CHARS}"
    if not looks_russian(text):
        return "no Russian found in 'text' (Cyrillic or transliterated Russian is required)"
    return None


class TicketTriager(BaseEstimator):
    """Severity with calibrated scores plus explained signals, fitted from guide-format records."""

    def __init__(self, severity: SeverityClassifier | None = None, signals: SignalDetector | None = None):
        self.severity = severity
        self.signals = signals

    def fit(
        self, texts: Sequence[str], severities: Sequence[str], signal_lists: Sequence[Sequence[str]]
    ) -> TicketTriager:
        self.severity_ = (self.severity or SeverityClassifier()).fit(texts, severities)
        self.signals_ = (self.signals or SignalDetector()).fit(texts, signal_lists)
        return self

    def predict(self, texts: Sequence[str], model_version: str = "unversioned") -> list[dict[str, Any]]:
        """One prediction per text: severity, per-level scores summing to 1, signals with spans."""
        check_is_fitted(self, "severity_")
        proba = self.severity_.predict_proba(texts)
        chosen = self.severity_.decide(proba)
        explained = self.signals_.explain(texts)
        out = []
        for row, level in enumerate(chosen):
            out.append(
                {
                    "severity": SEVERITIES[level],
                    "scores": {name: float(p) for name, p in zip(SEVERITIES, proba[row], strict=True)},
                    "signals": [
                        {
                            "label": signal.label,
                            "spans": [{"start": e.start, "end": e.end, "text": e.text} for e in signal.spans],
                        }
                        for signal in explained[row]
                    ],
                    "model_version": model_version,
                }
            )
        return out
