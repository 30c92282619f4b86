"""Inference without scikit-learn's per-call validation, for single drafts on a keystroke pause.

scikit-learn re-validates inputs on every call (dtype checks, dataframe detection, parameter
validation), about a millisecond per estimator: negligible for a batch, most of the time for one
draft through a dozen fitted estimators. These functions compute exactly what the fitted objects
compute — the same arithmetic on the same fitted attributes — and tests compare the two.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression


def l2_normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length, in place on the CSR arrays (empty rows stay empty)."""
    data, indptr = matrix.data, matrix.indptr
    lengths = np.diff(indptr)
    if data.size:
        squares = np.zeros(len(lengths))
        filled = lengths > 0
        squares[filled] = np.add.reduceat(data * data, indptr[:-1][filled])
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lengths)
    return matrix


def tfidf_weights(counts: sparse.csr_matrix, transformer: TfidfTransformer) -> sparse.csr_matrix:
    """`TfidfTransformer.transform` for sublinear tf, idf weighting and l2 norm."""
    weighted = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    if transformer.sublinear_tf:
        np.log(weighted.data, weighted.data)
        weighted.data += 1.0
    if transformer.use_idf:
        weighted.data *= transformer.idf_[weighted.indices]
    return l2_normalise(weighted) if transformer.norm == "l2" else weighted


def tfidf_transform(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sparse.csr_matrix:
    """`TfidfVectorizer.transform` for word analysers over a fixed vocabulary."""
    analyzer = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    indptr, indices, values = [0], [], []
    for doc in docs:
        counts: dict[int, int] = {}
        for feature in analyzer(doc):
            column = vocabulary.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        indices.extend(counts)
        values.extend(counts.values())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int32), np.array(indptr)),
        shape=(len(docs), len(vocabulary)),
    )
    matrix.sort_indices()
    return tfidf_weights(matrix, vectorizer._tfidf)


def logistic_proba(model: LogisticRegression, features: sparse.spmatrix) -> np.ndarray:
    """`LogisticRegression.predict_proba` (binary sigmoid or multinomial softmax)."""
    scores = np.asarray(features @ model.coef_.T) + model.intercept_
    if scores.shape[1] == 1:
        positive = expit(scores[:, 0])
        return np.column_stack([1.0 - positive, positive])
    return softmax(scores, axis=1)


def _decision(model: LogisticRegression, features: sparse.spmatrix) -> np.ndarray:
    scores = np.asarray(features @ model.coef_.T) + model.intercept_
    return scores[:, 0] if scores.shape[1] == 1 else scores


def calibrated_proba(model: CalibratedClassifierCV, features: sparse.spmatrix) -> np.ndarray:
    """`CalibratedClassifierCV.predict_proba` for isotonic or sigmoid calibration of a linear model."""
    n_classes = len(model.classes_)
    total = np.zeros((features.shape[0], n_classes))
    for member in model.calibrated_classifiers_:
        decision = _decision(member.estimator, features)
        columns = decision.reshape(-1, 1) if decision.ndim == 1 else decision
        positions = np.searchsorted(member.classes, member.estimator.classes_)
        proba = np.zeros((features.shape[0], n_classes))
        for position, column, calibrator in zip(positions, columns.T, member.calibrators, strict=False):
            target = position + 1 if n_classes == 2 else position
            if isinstance(calibrator, IsotonicRegression):
                proba[:, target] = np.interp(column, calibrator.X_thresholds_, calibrator.y_thresholds_)
            else:
                proba[:, target] = expit(-(calibrator.a_ * column + calibrator.b_))
        if n_classes == 2:
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            denominator = proba.sum(axis=1, keepdims=True)
            proba = np.divide(proba, denominator, out=np.full_like(proba, 1.0 / n_classes), where=denominator != 0)
        total += proba
    return total / len(model.calibrated_classifiers_)


def classifier_proba(model: LogisticRegression | CalibratedClassifierCV, features: sparse.spmatrix) -> np.ndarray:
    if isinstance(model, CalibratedClassifierCV):
        return calibrated_proba(model, features)
    return logistic_proba(model, features)
