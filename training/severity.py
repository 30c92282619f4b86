"""The severity estimator: calibrated probabilities for four ordered levels and a safety-first decision.

Calibration: `CalibratedClassifierCV` (isotonic by default) over a class-balanced logistic
regression, so scores can be read as probabilities. Decision rule, chosen by cross-validation on
train only (`training/select_severity.py`):

1. a ticket whose critical probability reaches `critical_threshold` (0.25) is `critical` — missing a
   critical ticket is the worst error, so we accept some false alarms;
2. otherwise the most probable level, except that `low` is never returned while the critical
   probability is at least `low_guard` (0.1): such a ticket is raised to `medium`. Together the two
   rules make critical → low need a model that is at once confident in `low` and near-certain the
   ticket is not critical.

The choice: the highest out-of-fold macro-F1 among rules with out-of-fold critical recall ≥ 0.95 and
no critical ticket called `low`. The signal cue columns (`training.cues`) are off here: they lowered
out-of-fold macro-F1 (0.812 → 0.800 at weight 0.3); the signal detector uses them instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.validation import check_is_fitted

from training import text as textproc
from training.fast import CalibratedBank
from training.features import FeatureSpace, TextFeatures, check_texts, pipeline_proba
from training.labels import SEVERITIES

LOW, MEDIUM, CRITICAL = SEVERITIES.index("low"), SEVERITIES.index("medium"), SEVERITIES.index("critical")


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
    """Four-level severity with calibrated `predict_proba` and a critical-first `predict`."""

    def __init__(
        self,
        C: float = 16.0,
        char_ngrams: tuple[int, int] | None = (2, 5),
        cues: float = 0.0,
        calibration: str | None = "isotonic",
        cv: int = 5,
        critical_threshold: float = 0.25,
        low_guard: float = 0.1,
        random_state: int = 0,
    ):
        self.C = C
        self.char_ngrams = char_ngrams
        self.cues = cues
        self.calibration = calibration
        self.cv = cv
        self.critical_threshold = critical_threshold
        self.low_guard = low_guard
        self.random_state = random_state

    def _make_pipeline(self) -> Pipeline:
        if self.calibration not in (None, "sigmoid", "isotonic"):
            raise ValueError(f"calibration must be None, 'sigmoid' or 'isotonic', got {self.calibration!r}")
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)
        if self.calibration is not None:
            model = CalibratedClassifierCV(model, method=self.calibration, cv=self.cv, ensemble=True)
        return make_pipeline(TextFeatures(char_ngrams=self.char_ngrams, cues=self.cues), model)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SeverityClassifier:
        texts = check_texts(texts)
        y = check_severities(labels, len(texts))
        self.pipeline_ = self._make_pipeline().fit(texts, y)
        self.classes_ = np.array(SEVERITIES)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Rows sum to 1; columns in `SEVERITIES` order."""
        check_is_fitted(self, "pipeline_")
        texts = check_texts(texts)
        compiled = self._compiled()
        if compiled is None:
            return pipeline_proba(self.pipeline_, texts)
        space, bank = compiled
        analyses = [textproc.analyse(t) for t in texts]
        return bank.proba(space.rows([a.stream for a in analyses], [a.norms for a in analyses], texts))

    def _compiled(self) -> tuple[FeatureSpace, CalibratedBank] | None:
        """The feature rows and calibrated folds as `training.fast` arrays (the tone check's path, the
        same arithmetic without scipy's per-call checks); built once per fitted pipeline, not pickled."""
        cached = self.__dict__.get("_compiled_for")
        if cached is not None and cached[0] is self.pipeline_:
            return cached[1]
        features, classifier = self.pipeline_[0], self.pipeline_[-1]
        compiled = None
        if (
            len(self.pipeline_) == 2
            and isinstance(features, TextFeatures)
            and isinstance(classifier, CalibratedClassifierCV)
        ):
            compiled = (FeatureSpace(features), CalibratedBank(classifier))
        self.__dict__["_compiled_for"] = (self.pipeline_, compiled)
        return compiled

    def __getstate__(self) -> dict:
        return {k: v for k, v in super().__getstate__().items() if k != "_compiled_for"}  # a cache

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Indices of the chosen levels for rows of probabilities (the rule in the module docstring)."""
        chosen = proba.argmax(axis=1)
        chosen[(chosen == LOW) & (proba[:, CRITICAL] >= self.low_guard)] = MEDIUM
        chosen[proba[:, CRITICAL] >= self.critical_threshold] = CRITICAL
        return chosen

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[self.decide(self.predict_proba(texts))]
