"""Signals that explain a severity (outage, money, safety…), each with the words that triggered it.

One class-balanced logistic regression per signal over lemma n-grams plus the cue columns of
`training.cues`. Evidence is read off the linear model itself: the features whose weight × value
pushed the signal up the most are mapped back to the character offsets of their tokens (an n-gram
to its tokens, a cue column to the cue phrases found), so «пахнет газом» is highlighted as `safety`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from training import text as textproc
from training.cues import cue_matches
from training.fast import logistic_proba, tfidf_transform
from training.features import check_texts, split_on_spaces
from training.labels import SIGNALS

MIN_POSITIVES = 5


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Signal:
    label: str
    probability: float
    spans: tuple[Evidence, ...]


def _gram_positions(stream: Sequence[str]) -> dict[str, list[int]]:
    """Start indices of every lemma unigram and bigram (as the vectoriser spells them) in a stream."""
    positions: dict[str, list[int]] = {}
    for k, lemma in enumerate(stream):
        positions.setdefault(lemma, []).append(k)
        if k + 1 < len(stream):
            positions.setdefault(f"{lemma} {stream[k + 1]}", []).append(k)
    return positions


class _GramPositions:
    """`_gram_positions(stream)` read lazily, from the positions of each lemma.

    The evidence needs the positions of a few n-grams only; a key of `_gram_positions` is a lemma,
    or a lemma, a space and the next lemma, so a bigram's start is where its first part stands."""

    def __init__(self, stream: Sequence[str]):
        self.stream = stream
        self.lemmas: dict[str, list[int]] | None = None

    def get(self, gram: str, default: Sequence[int] = ()) -> Sequence[int]:
        if self.lemmas is None:
            self.lemmas = {}
            for k, lemma in enumerate(self.stream):
                self.lemmas.setdefault(lemma, []).append(k)
        cut = gram.find(" ")
        if cut < 0:  # a lemma: its own positions, in order
            return self.lemmas.get(gram) or default
        stream, last = self.stream, len(self.stream) - 1
        hits = [(k, 0) for k in self.lemmas.get(gram, ())]
        while cut >= 0:
            second = gram[cut + 1 :]
            hits.extend((k, 1) for k in self.lemmas.get(gram[:cut], ()) if k < last and stream[k + 1] == second)
            cut = gram.find(" ", cut + 1)
        # in `_gram_positions` order: by start, a lemma's own entry before its bigram's
        return [k for k, _ in sorted(hits)] or default


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class SignalDetector(BaseEstimator):
    """Multi-label detection with per-label evidence spans.

    Used for the ticket signals (`labels=SIGNALS`, with cue columns) and for the good-practice
    elements of replies (`labels=ELEMENTS`, `cues=False`).
    """

    def __init__(
        self,
        labels: tuple[str, ...] = SIGNALS,
        cues: bool = True,
        C: float = 4.0,
        threshold: float = 0.5,
        max_evidence: int = 3,
        random_state: int = 0,
    ):
        self.labels = labels
        self.cues = cues
        self.C = C
        self.threshold = threshold
        self.max_evidence = max_evidence
        self.random_state = random_state

    def fit(self, texts: Sequence[str], signal_lists: Sequence[Sequence[str]]) -> SignalDetector:
        texts = check_texts(texts)
        if len(signal_lists) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(signal_lists)} signal lists")
        unknown = sorted({s for row in signal_lists for s in row if s not in self.labels})
        if unknown:
            raise ValueError(f"unknown label(s) {unknown}; expected {list(self.labels)}")
        streams = [textproc.analyse(t).stream for t in texts]
        self.vectorizer_ = TfidfVectorizer(
            tokenizer=split_on_spaces,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
        )
        self.vectorizer_.fit([" ".join(s) for s in streams])
        self.vocabulary_ = np.array(self.vectorizer_.get_feature_names_out())
        features = self._features(streams)
        self.models_: dict[str, LogisticRegression] = {}
        self.skipped_: list[str] = []
        for signal in self.labels:
            y = np.array([signal in row for row in signal_lists])
            if y.sum() < MIN_POSITIVES or y.all():
                self.skipped_.append(signal)
                continue
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)
            self.models_[signal] = model.fit(features, y)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Column k is the probability of `labels[k]`; 0 for labels too rare to learn."""
        check_is_fitted(self, "models_")
        streams = [textproc.analyse(t).stream for t in check_texts(texts)]
        return self._proba(self._features(streams))

    def _features(self, streams: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Lemma n-gram tf-idf, then (with `cues`) one cue column per signal, in `SIGNALS` order."""
        words = tfidf_transform(self.vectorizer_, [" ".join(s) for s in streams])
        if not self.cues:
            return words.tocsr()
        cues = [[1.0 if m else 0.0 for m in cue_matches(s, "signals").values()] for s in streams]
        return sparse.hstack([words, sparse.csr_matrix(np.array(cues).reshape(len(streams), len(SIGNALS)))]).tocsr()

    def _proba(self, features: sparse.csr_matrix) -> np.ndarray:
        out = np.zeros((features.shape[0], len(self.labels)))
        for signal, model in self.models_.items():
            out[:, self.labels.index(signal)] = logistic_proba(model, features)[:, 1]
        return out

    def explain(self, texts: Sequence[str]) -> list[list[Signal]]:
        """Predicted signals per text, each with the character spans that carried it."""
        return self.explain_with_proba(texts)[0]

    def explain_with_proba(self, texts: Sequence[str]) -> tuple[list[list[Signal]], np.ndarray]:
        """`explain`, plus the full probability matrix it was read from (one pass for both)."""
        check_is_fitted(self, "models_")
        texts = check_texts(texts)
        analyses = [textproc.analyse(t) for t in texts]
        streams = [a.stream for a in analyses]
        features = self._features(streams)
        proba = self._proba(features)
        return self.explain_rows(texts, analyses, (features.indptr, features.indices, features.data), proba), proba

    def explain_rows(
        self,
        texts: Sequence[str],
        analyses: Sequence[textproc.Analysis],
        features: tuple[np.ndarray, np.ndarray, np.ndarray],
        proba: np.ndarray,
    ) -> list[list[Signal]]:
        """The signals of `explain` from features (CSR indptr, indices, data) and probabilities made."""
        tokens_all = [a.tokens for a in analyses]
        streams = [a.stream for a in analyses]
        results: list[list[Signal]] = []
        indptr, indices, values = features
        for row, item in enumerate(texts):
            tokens, stream = tokens_all[row], streams[row]
            x = (indices[indptr[row] : indptr[row + 1]], values[indptr[row] : indptr[row + 1]])
            positions = _GramPositions(stream)
            found = []
            for k, signal in enumerate(self.labels):
                if proba[row, k] < self.threshold:
                    continue
                spans = self._evidence(signal, x, tokens, stream, positions)
                if signal == "repeat_contact":
                    spans = _merge(spans + textproc.repeat_contact_spans(item))
                if spans:
                    evidence = tuple(Evidence(s, e, item[s:e]) for s, e in spans)
                    found.append(Signal(signal, float(proba[row, k]), evidence))
            results.append(found)
        return results

    def _evidence(
        self,
        signal: str,
        x: tuple[np.ndarray, np.ndarray],
        tokens: Sequence[textproc.Token],
        stream: Sequence[str],
        positions: dict[str, list[int]] | _GramPositions,
    ) -> list[tuple[int, int]]:
        """Spans of the features (column indices, values of one row) that pushed `signal` up the most."""
        coef = self.models_[signal].coef_[0]
        cols, values = x
        contributions = coef[cols] * values
        top = np.argsort(-contributions)[: self.max_evidence]
        n_words = len(self.vocabulary_)
        cue_hits = None
        spans: list[tuple[int, int]] = []
        for column, contribution in zip(cols[top].tolist(), contributions[top].tolist(), strict=True):
            if contribution <= 0:
                break
            if column >= n_words:
                cue_hits = cue_hits or cue_matches(stream, "signals")
                ranges = cue_hits[SIGNALS[column - n_words]]
            else:
                gram = self.vocabulary_[column]
                width = gram.count(" ") + 1
                ranges = [(k, k + width) for k in positions.get(gram, ())]
            spans.extend((tokens[i].start, tokens[j - 1].end) for i, j in ranges)
        return _merge(spans)
