"""The shipped ticket model: severity and signals together, and the prediction record both the CLI
and the server return."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from training.labels import SEVERITIES, SIGNALS
from training.severity import SeverityClassifier
from training.signals import Evidence, Signal, SignalDetector
from training.text import sentence_spans

ESCALATING_SIGNALS = ("safety", "legal_threat", "security")
"""The guide makes danger, threats of court/regulator/press, and fraud or leaks critical by themselves."""


class TicketTriager(BaseEstimator):
    """Severity with calibrated scores plus explained signals, fitted from guide-format records.

    Escalation: a ticket whose signal detector is confident (≥ `escalate_threshold`) in one of
    `ESCALATING_SIGNALS` is raised to critical whatever the severity model says. The guide lists those
    cases as critical, and the signal detector knows cue words («искрит», «угарный газ»,
    «прокуратура») that a thousand training tickets cannot all contain. When the whole text gives such a
    signal only `recheck_from` or more, each sentence is scored alone and the best sentence counts, so
    a calm line about gas inside a letter about a late technician is not averaged away. Thresholds are
    chosen by cross-validation on train (`training/select_severity.py`).
    """

    def __init__(
        self,
        severity: SeverityClassifier | None = None,
        signals: SignalDetector | None = None,
        escalate_threshold: float = 0.85,
        recheck_from: float = 0.3,
    ):
        self.severity = severity
        self.signals = signals
        self.escalate_threshold = escalate_threshold
        self.recheck_from = recheck_from

    def fit(
        self, texts: Sequence[str], severities: Sequence[str], signal_lists: Sequence[Sequence[str]]
    ) -> TicketTriager:
        self.severity_ = (self.severity or SeverityClassifier()).fit(texts, severities)
        self.signals_ = (self.signals or SignalDetector()).fit(texts, signal_lists)
        return self

    def escalate(self, texts: Sequence[str], signal_proba: np.ndarray) -> tuple[np.ndarray, dict[int, list[Signal]]]:
        """Mask of the texts that escalating signals make critical, and, for those found by the
        sentence recheck, the signals of the deciding sentence (offsets into the whole text)."""
        columns = [SIGNALS.index(s) for s in ESCALATING_SIGNALS]
        best = signal_proba[:, columns].max(axis=1)
        mask = best >= self.escalate_threshold
        recheck = np.flatnonzero((best >= self.recheck_from) & ~mask)
        parts = [(row, span) for row in recheck for span in sentence_spans(texts[row])]
        found: dict[int, list[Signal]] = {}
        if not parts:
            return mask, found
        pieces = [texts[row][a:b] for row, (a, b) in parts]
        local = self.signals_.predict_proba(pieces)[:, columns].max(axis=1)
        for (row, (start, _)), piece, score in zip(parts, pieces, local, strict=True):
            if score < self.escalate_threshold or mask[row]:
                continue
            mask[row] = True
            signals = [s for s in self.signals_.explain([piece])[0] if s.label in ESCALATING_SIGNALS]
            found[row] = [
                Signal(s.label, s.probability, tuple(Evidence(e.start + start, e.end + start, e.text) for e in s.spans))
                for s in signals
            ]
        return mask, found

    def predict(self, texts: Sequence[str], model_version: str = "unversioned") -> list[dict[str, Any]]:
        """One prediction per text: severity, per-level scores summing to 1, signals with spans."""
        check_is_fitted(self, "severity_")
        proba = self.severity_.predict_proba(texts)
        chosen = self.severity_.decide(proba)
        explained, signal_proba = self.signals_.explain_with_proba(texts)
        escalated, from_sentences = self.escalate(texts, signal_proba)
        chosen[escalated] = SEVERITIES.index("critical")
        for row, signals in from_sentences.items():
            listed = {s.label for s in explained[row]}
            explained[row] = explained[row] + [s for s in signals if s.label not in listed]
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
