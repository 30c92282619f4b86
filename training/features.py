"""Text → features for the linear models: lemma n-grams, character n-grams and cue columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from training import text as textproc
from training.charngrams import WordCharNgramCounts
from training.cues import cue_presence
from training.fast import (
    CsrRows,
    WordTfidf,
    classifier_proba,
    count_rows,
    hstack_rows,
    tfidf_transform,
    tfidf_weights,
    tfidf_weights_rows,
)


def check_texts(texts: object) -> list[str]:
    """Validate a batch of texts the way scikit-learn validates arrays: clear errors, no coercion."""
    if isinstance(texts, str) or not isinstance(texts, Sequence | np.ndarray):
        raise TypeError(f"expected a sequence of strings, got {type(texts).__name__}")
    out = list(texts)
    for k, item in enumerate(out):
        if not isinstance(item, str):
            raise TypeError(f"text {k} is {type(item).__name__}, expected str")
        if not item.strip():
            raise ValueError(f"text {k} is empty")
    return out


def cue_vector(stream: Sequence[str], raw: str, table: str = "signals") -> list[float]:
    """One 0/1 column per label of a cue table; the signal table adds a capped repeat-contact count."""
    columns = cue_presence(stream, table)
    if table == "signals":
        columns.append(min(len(textproc.repeat_contact_spans(raw)), 3) / 3.0)
    return columns


def split_on_spaces(doc: str) -> list[str]:
    return doc.split(" ")


class TextFeatures(BaseEstimator, TransformerMixin):
    """TF-IDF over lemma n-grams (negation-aware) and within-word character n-grams, plus cue columns.

    Char n-grams catch typos, translit leftovers and unseen inflections that lemmas miss; the cue
    columns (`training.cues`: table `cue_table`, weighted by `cues`, 0 = off) carry what a small
    corpus cannot teach.
    """

    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 2,
        cues: float = 0.0,
        cue_table: str = "signals",
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.cues = cues
        self.cue_table = cue_table

    def fit(self, texts: Sequence[str], y: object = None) -> TextFeatures:
        analyses = [textproc.analyse(t) for t in check_texts(texts)]
        self.word_ = TfidfVectorizer(
            analyzer="word",
            tokenizer=split_on_spaces,
            token_pattern=None,
            lowercase=False,
            ngram_range=self.word_ngrams,
            min_df=self.min_df,
            sublinear_tf=True,
        ).fit([a.lemma_text for a in analyses])
        self.char_ = None
        if self.char_ngrams is not None:
            counts = WordCharNgramCounts(self.char_ngrams, min_df=self.min_df)
            self.char_ = (counts, TfidfTransformer(sublinear_tf=True))
            self.char_[1].fit(counts.fit_transform([a.norms for a in analyses]))
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        check_is_fitted(self, "word_")
        texts = check_texts(texts)
        analyses = [textproc.analyse(t) for t in texts]
        blocks = [tfidf_transform(self.word_, [a.lemma_text for a in analyses])]
        if self.cues:
            cues = [
                [self.cues * v for v in cue_vector(a.stream, t, self.cue_table)]
                for a, t in zip(analyses, texts, strict=True)
            ]
            blocks.append(sparse.csr_matrix(np.array(cues)))
        if self.char_ is not None:
            counts, weights = self.char_
            blocks.append(tfidf_weights(counts.transform([a.norms for a in analyses]), weights))
        return sparse.hstack(blocks, format="csr")


def pipeline_proba(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """`predict_proba` of a fitted (TextFeatures, linear classifier) pipeline via `training.fast`."""
    return classifier_proba(pipeline[-1], pipeline[0].transform(texts))


def char_rows(counts: WordCharNgramCounts, transformer: TfidfTransformer, docs: Sequence[Sequence[str]]) -> CsrRows:
    """`tfidf_weights(counts.transform(docs), transformer)` as CSR arrays, all rows in one `np.unique`."""
    check_is_fitted(counts, "vocabulary_")
    if not hasattr(counts, "_columns"):
        counts._columns = {}
    cache, lookup = counts._columns, counts._word_columns
    words = [word for doc in docs for word in doc]
    parts = [cache.get(word) for word in words]
    for k, part in enumerate(parts):
        if part is None:
            parts[k] = lookup(words[k])
    doc_of_word = np.repeat(np.arange(len(docs)), [len(doc) for doc in docs])
    sizes = np.array([len(part) for part in parts], dtype=np.int64)
    lengths = np.bincount(doc_of_word, weights=sizes, minlength=len(docs)).astype(np.int64)
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    out = count_rows(flat, lengths, len(counts.vocabulary_))
    tfidf_weights_rows(out.data, out.indices, out.indptr, transformer)
    return out


class FeatureSpace:
    """`TextFeatures.transform` from analyses already made, as CSR arrays (see `training.fast`).

    Each document is given by its lemma stream, its normalised words and its raw text, so a clause's
    features can be computed from its slice of the whole draft's tokens instead of a new analysis."""

    def __init__(self, features: TextFeatures):
        check_is_fitted(features, "word_")
        self.word = WordTfidf(features.word_)
        self.cues, self.cue_table = features.cues, features.cue_table
        self.n_cues = len(cue_vector((), "", self.cue_table))
        self.char = features.char_

    def rows(
        self,
        streams: Sequence[Sequence[str]],
        norms: Sequence[Sequence[str]],
        raws: Sequence[str],
        grams: Sequence[Sequence[str]] | None = None,
    ) -> CsrRows:
        if grams is None:
            grams = [self.word.analyzer(" ".join(stream)) for stream in streams]
        blocks = [self.word.rows(grams=grams)]
        if self.cues:
            indptr, indices, values = [0], [], []
            for stream, raw in zip(streams, raws, strict=True):
                vector = [self.cues * v for v in cue_vector(stream, raw, self.cue_table)]
                for column, value in enumerate(vector):
                    if value != 0:
                        indices.append(column)
                        values.append(value)
                indptr.append(len(indices))
            values_array = np.array(values, dtype=np.float64)
            blocks.append(CsrRows(values_array, np.array(indices, dtype=np.int32), np.array(indptr), self.n_cues))
        if self.char is not None:
            blocks.append(char_rows(*self.char, norms))
        return hstack_rows(blocks)
