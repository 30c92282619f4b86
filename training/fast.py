"""Inference without scikit-learn's per-call validation, for single drafts on a keystroke pause.

scikit-learn re-validates inputs on every call (dtype checks, dataframe detection, parameter
validation), about a millisecond per estimator: negligible for a batch, most of the time for one
draft through a dozen fitted estimators. These functions compute exactly what the fitted objects
compute — the same arithmetic on the same fitted attributes — and tests compare the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

try:  # the kernel behind `csr_matrix @ dense`, called directly to skip scipy's per-call checks
    from scipy.sparse._sparsetools import csr_matvecs as _csr_matvecs
except ImportError:  # pragma: no cover
    _csr_matvecs = None


def l2_normalise_rows(data: np.ndarray, indptr: np.ndarray) -> None:
    """CSR rows (given by their arrays) scaled to unit length in place; empty rows stay empty."""
    lengths = np.diff(indptr)
    if data.size:
        squares = np.zeros(len(lengths))
        filled = lengths > 0
        squares[filled] = np.add.reduceat(data * data, indptr[:-1][filled])
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lengths)


def l2_normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length, in place on the CSR arrays (empty rows stay empty)."""
    l2_normalise_rows(matrix.data, matrix.indptr)
    return matrix


def tfidf_weights_rows(
    data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, transformer: TfidfTransformer
) -> None:
    """`tfidf_weights` on the arrays of a float64 CSR count matrix, in place."""
    if transformer.sublinear_tf:
        np.log(data, data)
        data += 1.0
    if transformer.use_idf:
        data *= transformer.idf_[indices]
    if transformer.norm == "l2":
        l2_normalise_rows(data, indptr)


def tfidf_weights(counts: sparse.csr_matrix, transformer: TfidfTransformer) -> sparse.csr_matrix:
    """`TfidfTransformer.transform` for sublinear tf, idf weighting and l2 norm."""
    weighted = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    tfidf_weights_rows(weighted.data, weighted.indices, weighted.indptr, transformer)
    return weighted


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
        total += member_proba(columns, positions, member.calibrators, n_classes)
    return total / len(model.calibrated_classifiers_)


def member_proba(columns: np.ndarray, positions: np.ndarray, calibrators: Sequence, n_classes: int) -> np.ndarray:
    """One calibration fold's probabilities from its estimator's decision columns (as scikit-learn)."""
    proba = np.zeros((columns.shape[0], n_classes))
    for position, column, calibrator in zip(positions, columns.T, calibrators, strict=False):
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
    return proba


def classifier_proba(model: LogisticRegression | CalibratedClassifierCV, features: sparse.spmatrix) -> np.ndarray:
    if isinstance(model, CalibratedClassifierCV):
        return calibrated_proba(model, features)
    return logistic_proba(model, features)


# --- Compiled inference: one feature pass and one product per feature space -----------------------
#
# A tone check reads three feature spaces (the tone model's, the clause model's, the elements'),
# and a dozen linear models read them: five calibration folds of three classes, a detector and a
# categoriser, seven element detectors. The helpers below build each space's rows as plain CSR
# arrays (no scipy objects, no validation) and score every model reading one space in a single
# sparse × dense product over their weights stacked column-wise at load time. The arithmetic per
# output column is the one scipy does for `features @ coef_.T` (scipy's own `csr_matvecs` kernel,
# rows in the same column order), so the results are the same to the last bit; tests compare them.


class CsrRows(NamedTuple):
    """The arrays of a CSR matrix: what a feature pass produces and a product consumes."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_columns: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def tocsr(self) -> sparse.csr_matrix:
        return sparse.csr_matrix((self.data, self.indices, self.indptr), shape=(self.n_rows, self.n_columns))


def hstack_rows(blocks: Sequence[CsrRows]) -> CsrRows:
    """`sparse.hstack(blocks, format="csr")`: each row's entries block by block, columns offset."""
    if len(blocks) == 1:
        return blocks[0]
    n_rows = blocks[0].n_rows
    offset, datas, indices, rows = 0, [], [], []
    for block in blocks:
        datas.append(block.data)
        indices.append(block.indices.astype(np.int64) + offset)
        rows.append(np.repeat(np.arange(n_rows), np.diff(block.indptr)))
        offset += block.n_columns
    order = np.argsort(np.concatenate(rows), kind="stable")  # stable: block order kept within a row
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(sum(np.diff(b.indptr) for b in blocks), out=indptr[1:])
    return CsrRows(np.concatenate(datas)[order], np.concatenate(indices)[order].astype(np.int32), indptr, offset)


def csr_dot(rows: CsrRows, weights: np.ndarray) -> np.ndarray:
    """`csr_matrix(rows) @ weights` for a C-contiguous (n_columns × k) float64 array."""
    out = np.zeros((rows.n_rows, weights.shape[1]))
    if _csr_matvecs is None or rows.n_rows == 0:  # pragma: no cover - scipy without the kernel
        return np.asarray(rows.tocsr() @ weights)
    indptr = rows.indptr.astype(np.int32, copy=False)
    indices = rows.indices.astype(np.int32, copy=False)
    data = rows.data.astype(np.float64, copy=False)
    _csr_matvecs(rows.n_rows, rows.n_columns, weights.shape[1], indptr, indices, data, weights.ravel(), out.ravel())
    return out


def unigrams_and_bigrams(tokens: list[str]) -> list[str]:
    """scikit-learn's `_word_ngrams` for `ngram_range=(1, 2)` and no stop words: tokens, then pairs."""
    return [*tokens, *map(" ".join, pairwise(tokens))]


class WordTfidf:
    """`tfidf_transform` for one fitted word vectoriser, with the vocabulary look-ups kept at hand."""

    def __init__(self, vectorizer: TfidfVectorizer):
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.transformer: TfidfTransformer = vectorizer._tfidf
        self.n_columns = len(self.vocabulary)
        plain = (
            vectorizer.analyzer == "word"
            and vectorizer.input == "content"
            and not vectorizer.lowercase
            and vectorizer.preprocessor is None
            and vectorizer.strip_accents is None
            and vectorizer.stop_words is None
            and callable(vectorizer.tokenizer)
        )
        # the analyser of such a vectoriser is exactly its n-grams of its tokenizer's tokens
        self.plain = (tuple(vectorizer.ngram_range), vectorizer.tokenizer) if plain else None
        """What alone decides the n-grams of a plain vectoriser (two equal ones make the same)."""
        if plain and tuple(vectorizer.ngram_range) == (1, 2):
            tokenizer = vectorizer.tokenizer
            self.analyzer = lambda doc: unigrams_and_bigrams(tokenizer(doc))
        elif plain:
            tokenizer, ngrams = vectorizer.tokenizer, vectorizer._word_ngrams
            self.analyzer = lambda doc: ngrams(tokenizer(doc))
        else:
            self.analyzer = vectorizer.build_analyzer()

    def rows(self, docs: Sequence[str] | None = None, grams: Sequence[Sequence[str]] | None = None) -> CsrRows:
        """Weighted rows of documents (or of their n-gram lists, when already made)."""
        if grams is None:
            grams = [self.analyzer(doc) for doc in docs or ()]
        get = self.vocabulary.get
        flat = [get(gram, -1) for doc_grams in grams for gram in doc_grams]
        rows = count_rows(flat, [len(doc_grams) for doc_grams in grams], self.n_columns)
        tfidf_weights_rows(rows.data, rows.indices, rows.indptr, self.transformer)
        return rows


class GramColumns:
    """The columns of lemma n-grams in several word vocabularies, found with one dict look-up per n-gram.

    A tone check reads the draft's lemma n-grams in three vocabularies (the tone model's, the clause
    model's, the elements'), and its clauses' n-grams are the draft's again: each n-gram is looked up
    once here, to an id whose column in every vocabulary is a row of `table` (-1: not a feature)."""

    def __init__(self, vocabularies: Sequence[dict[str, int]]):
        ids: dict[str, int] = {}
        for vocabulary in vocabularies:
            for gram in vocabulary:
                ids.setdefault(gram, len(ids))
        # one column per id and a last one, -1 everywhere, which id -1 (an unknown n-gram) reads
        self.table = np.full((len(vocabularies), len(ids) + 1), -1, dtype=np.int32)
        for row, vocabulary in enumerate(vocabularies):
            self.table[row, [ids[gram] for gram in vocabulary]] = list(vocabulary.values())
        self.ids = ids

    def lookup(self, grams: Sequence[str]) -> list[int]:
        """The id of each n-gram, -1 for one in no vocabulary."""
        get = self.ids.get
        return [get(gram, -1) for gram in grams]


def count_rows(columns: Sequence[int] | np.ndarray, lengths: Sequence[int], n_columns: int) -> CsrRows:
    """Float64 CSR count rows from column occurrences, row after row (`lengths` of them per row;
    negative columns dropped): each row's distinct columns in increasing order with their counts,
    all rows in one sort (what `np.unique(..., return_counts=True)` gives, see `sorted_counts`)."""
    flat = columns if isinstance(columns, np.ndarray) else np.asarray(columns, dtype=np.int64)
    n_rows = len(lengths)
    kept = flat >= 0
    if n_rows == 1:  # one draft: its columns are the keys
        unique, freq = sorted_counts(flat[kept], n_columns)
        indptr = np.array([0, len(unique)])
        indices = unique.astype(np.int32)
    else:
        row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
        unique, freq = sorted_counts(flat[kept] + row_of[kept] * n_columns, n_rows * n_columns)
        row_of = unique // n_columns
        indptr = np.searchsorted(row_of, np.arange(n_rows + 1))
        indices = (unique - row_of * n_columns).astype(np.int32)
    return CsrRows(freq.astype(np.float64), indices, indptr, n_columns)


def sorted_counts(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(keys, return_counts=True)` for non-negative integer keys below `bound`.

    Sorting is most of the cost: a 600-character draft has ~2,500 character n-gram occurrences. Keys
    below 2**16 (one draft's columns of a vocabulary of up to 65,536 features) are sorted as uint16,
    which numpy sorts by radix with `kind="stable"` (~6 µs instead of ~45 µs as int64); others as
    int32 when they fit (half the int64 time). The distinct keys and counts are the same either way."""
    if bound <= 1 << 16:
        ordered = np.sort(keys.astype(np.uint16), kind="stable")
    elif bound <= 1 << 31:
        ordered = np.sort(keys.astype(np.int32))
    else:
        ordered = np.sort(keys.astype(np.int64))
    n = len(ordered)
    edges = np.empty(n + 1, dtype=bool)
    edges[0] = edges[n] = True
    np.not_equal(ordered[1:], ordered[:-1], out=edges[1:n])
    starts = np.flatnonzero(edges)
    return ordered[starts[:-1]].astype(np.int64), np.diff(starts)


def tfidf_blocks(blocks: Sequence[tuple[CsrRows, TfidfTransformer]]) -> list[CsrRows]:
    """`tfidf_weights_rows` of several count blocks, each with its transformer, in one numpy pass.

    Every step is elementwise or per row (log, idf product, each row's l2 norm over its own entries),
    so weighting the blocks' arrays end to end gives each block what weighting it alone gives; one
    pass saves the ~15 small numpy calls per block that dominate for a single draft. The blocks come
    back as views into one array. Transformers that weigh differently are applied block by block."""
    transformers = [transformer for _, transformer in blocks]
    settings = {(t.sublinear_tf, t.use_idf, t.norm) for t in transformers}
    if len(settings) != 1 or transformers[0].norm not in ("l2", None):
        for rows, transformer in blocks:
            tfidf_weights_rows(rows.data, rows.indices, rows.indptr, transformer)
        return [rows for rows, _ in blocks]
    sublinear, use_idf, norm = settings.pop()
    data = np.concatenate([rows.data for rows, _ in blocks])
    if sublinear:
        np.log(data, data)
        data += 1.0
    if use_idf:
        data *= np.concatenate([t.idf_[rows.indices] for rows, t in blocks])
    offsets = np.cumsum([0, *(len(rows.data) for rows, _ in blocks)])
    if norm == "l2":
        starts = [rows.indptr[:-1] + start for (rows, _), start in zip(blocks, offsets[:-1], strict=True)]
        indptr = np.concatenate([*starts, offsets[-1:]])
        l2_normalise_rows(data, indptr)
    return [
        CsrRows(data[start:stop], rows.indices, rows.indptr, rows.n_columns)
        for (rows, _), start, stop in zip(blocks, offsets[:-1], offsets[1:], strict=True)
    ]


def add_products(rows: CsrRows, weights: np.ndarray, out: np.ndarray) -> None:
    """`out += csr_matrix(rows) @ weights` for C-contiguous float64 `weights` and `out`.

    scipy's kernel adds each entry's product into `out` in turn, so calling it on the blocks of a
    row one after the other (word columns, cue columns, character columns) adds exactly what one call
    on the horizontally stacked row adds, in the same order: no stacking needed."""
    if rows.n_rows == 0:
        return
    if _csr_matvecs is None:  # pragma: no cover - scipy without the kernel
        out += np.asarray(rows.tocsr() @ weights)
        return
    _csr_matvecs(
        rows.n_rows,
        rows.n_columns,
        weights.shape[1],
        rows.indptr.astype(np.int32, copy=False),
        rows.indices.astype(np.int32, copy=False),
        rows.data,
        weights.ravel(),
        out.ravel(),
    )


class LinearBank:
    """The weights of several linear models reading one feature space, stacked as one matrix.

    `scores(rows)` gives every model's decision columns at once; `part(k)` is model k's slice."""

    def __init__(self, models: Sequence[LogisticRegression]):
        self.slices: list[slice] = []
        start = 0
        for model in models:
            self.slices.append(slice(start, start + model.coef_.shape[0]))
            start += model.coef_.shape[0]
        self.weights = np.ascontiguousarray(np.vstack([m.coef_ for m in models]).T, dtype=np.float64)
        self.intercepts = np.concatenate([np.asarray(m.intercept_, dtype=np.float64) for m in models])

    def scores(self, rows: CsrRows) -> np.ndarray:
        return csr_dot(rows, self.weights) + self.intercepts

    def scores_of_blocks(self, blocks: Sequence[CsrRows]) -> np.ndarray:
        """`scores(hstack_rows(blocks))` without stacking (see `add_products`)."""
        out = np.zeros((blocks[0].n_rows, self.weights.shape[1]))
        start = 0
        for block in blocks:
            add_products(block, self.weights[start : start + block.n_columns], out)
            start += block.n_columns
        return out + self.intercepts


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """`scipy.special.softmax(scores, axis=1)`: the same numpy operations, without its array-API dispatch."""
    shifted = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)


def logistic_from_scores(scores: np.ndarray) -> np.ndarray:
    """`logistic_proba` given the model's decision columns."""
    if scores.shape[1] == 1:
        positive = expit(scores[:, 0])
        return np.column_stack([1.0 - positive, positive])
    return softmax(scores, axis=1)


class CalibratedBank:
    """`calibrated_proba` for one fitted `CalibratedClassifierCV`, its folds scored in one product."""

    def __init__(self, model: CalibratedClassifierCV):
        self.n_classes = len(model.classes_)
        members = model.calibrated_classifiers_
        self.bank = LinearBank([member.estimator for member in members])
        self.members = [
            (np.searchsorted(member.classes, member.estimator.classes_), member.calibrators) for member in members
        ]
        isotonic = all(isinstance(c, IsotonicRegression) for _, calibrators in self.members for c in calibrators)
        self.curves: list[tuple[int, int, int, np.ndarray, np.ndarray]] | None = None
        """(fold, decision column, class, thresholds, values) of every isotonic calibrator."""
        if isotonic and self.n_classes > 2:
            folds = enumerate(zip(self.bank.slices, self.members, strict=True))
            self.curves = [
                (fold, part.start + k, int(position), calibrator.X_thresholds_, calibrator.y_thresholds_)
                for fold, (part, (positions, calibrators)) in folds
                for k, (position, calibrator) in enumerate(zip(positions, calibrators, strict=False))
            ]

    def proba(self, rows: CsrRows) -> np.ndarray:
        return self.proba_from_scores(self.bank.scores(rows))

    def proba_from_scores(self, scores: np.ndarray) -> np.ndarray:
        """The calibrated probabilities from the folds' decision columns (`bank.scores`)."""
        n_rows, n_classes = scores.shape[0], self.n_classes
        if self.curves is not None:
            return self._isotonic_proba(scores)
        total = np.zeros((n_rows, n_classes))
        for part, (positions, calibrators) in zip(self.bank.slices, self.members, strict=True):
            total += member_proba(scores[:, part], positions, calibrators, n_classes)
        return total / len(self.members)

    def _isotonic_proba(self, scores: np.ndarray) -> np.ndarray:
        """`member_proba` of every fold at once for isotonic multi-class calibration.

        The same numpy operations on the same values as fold by fold (an interpolation per class, each
        row normalised by its sum over the last axis, folds added one after another), with a dozen
        numpy calls fewer per draft."""
        n_folds, n_classes = len(self.members), self.n_classes
        proba = np.zeros((n_folds, scores.shape[0], n_classes))
        for fold, column, position, thresholds, values in self.curves or ():
            proba[fold, :, position] = np.interp(scores[:, column], thresholds, values)
        denominator = proba.sum(axis=2, keepdims=True)
        proba = np.divide(proba, denominator, out=np.full_like(proba, 1.0 / n_classes), where=denominator != 0)
        total = np.zeros((scores.shape[0], n_classes))
        for fold in range(n_folds):
            total += proba[fold]
        return total / n_folds
