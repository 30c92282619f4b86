"""The severity estimator: calibrated probabilities for four ordered levels and a cost-aware decision.

Calibration: sigmoid `CalibratedClassifierCV` over a class-balanced logistic regression, so the
scores can be read as probabilities. Decision: the level with the lowest expected cost under
`COST`, where under-rating costs more than over-rating and rating a critical ticket `low` costs most;
on top, any ticket whose critical probability reaches `critical_threshold` is raised to critical.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.validation import check_is_fitted

from training.features import TextFeatures, check_texts
from training.labels import SEVERITIES

# COST[true][predicted]; rows and columns in SEVERITIES order (low, medium, high, critical).
COST = np.array(
    [
        [0.0, 1.0, 2.0, 3.0],
        [1.5, 0.0, 1.0, 2.0],
        [3.0, 1.5, 0.0, 1.0],
        [20.0, 6.0, 2.0, 0.0],
    ]
)


def check_severities(labels: Sequence[str], n: int) -> np.ndarray:
    values = list(labels)
    if len(values) != n:
        raise ValueError(f"got {n} texts but {len(values)} labels")
    unknown = sorted({v for v in values if v not in SEVERITIES})
    if unknown:
        raise ValueError(f"unknown severity label(s) {unknown}; expected {list(SEVERITIES)}")
    missing = [s for s in SEVERITIES if s not in values]
    if missing:
        raise ValueError(f"training data has no example of {missing}; every level is needed")
    return np.array([SEVERITIES.index(v) for v in values])


class SeverityClassifier(BaseEstimator, ClassifierMixin):
    """Four-level severity with calibrated `predict_proba` and a cost-aware `predict`."""

    def __init__(
        self,
        C: float = 8.0,
        calibration: str = "sigmoid",
        cv: int = 5,
        critical_threshold: float = 0.35,
        use_cost: bool = True,
        random_state: int = 0,
    ):
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.critical_threshold = critical_threshold
        self.use_cost = use_cost
        self.random_state = random_state

    def _make_pipeline(self) -> Pipeline:
        base = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)
        calibrated = CalibratedClassifierCV(base, method=self.calibration, cv=self.cv, ensemble=True)
        return make_pipeline(TextFeatures(), calibrated)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SeverityClassifier:
        texts = check_texts(texts)
        y = check_severities(labels, len(texts))
        self.pipeline_ = self._make_pipeline().fit(texts, y)
        self.classes_ = np.array(SEVERITIES)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Rows sum to 1; columns in `SEVERITIES` order."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(check_texts(texts))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Indices of the chosen levels for rows of probabilities."""
        chosen = (proba @ COST).argmin(axis=1) if self.use_cost else proba.argmax(axis=1)
        critical = SEVERITIES.index("critical")
        chosen[proba[:, critical] >= self.critical_threshold] = critical
        return chosen

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[self.decide(self.predict_proba(texts))]
