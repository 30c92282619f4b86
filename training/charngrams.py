"""Character n-gram counts within words, computed once per distinct word.

scikit-learn's `char_wb` analyzer rebuilds every n-gram of every word of every text; ticket words
repeat endlessly, so this vectoriser maps each normalised word to the column indices of its n-grams
once (cached) and builds the count matrix from those. Same features as `char_wb`, several times
faster; tf-idf weighting is left to `TfidfTransformer`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted


def word_ngrams(word: str, low: int, high: int) -> list[str]:
    """The n-grams `char_wb` takes from one word: padded with spaces, a short word counted once."""
    padded = f" {word} "
    grams = []
    for n in range(low, high + 1):
        if len(padded) <= n:
            grams.append(padded)
            break
        grams.extend(padded[k : k + n] for k in range(len(padded) - n + 1))
    return grams


class WordCharNgramCounts(BaseEstimator, TransformerMixin):
    """Counts of within-word character n-grams over documents given as sequences of words."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, max_features: int | None = 60000):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, docs: Sequence[Sequence[str]], y: object = None) -> WordCharNgramCounts:
        low, high = self.ngram_range
        df: Counter[str] = Counter()
        for doc in docs:
            df.update({g for word in set(doc) for g in word_ngrams(word, low, high)})
        kept = [g for g, c in df.items() if c >= self.min_df]
        kept.sort(key=lambda g: (-df[g], g))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        if not kept:
            raise ValueError("empty vocabulary; perhaps the documents are too few or too short for min_df")
        self.vocabulary_ = {g: k for k, g in enumerate(sorted(kept))}
        self._columns: dict[str, np.ndarray] = {}
        return self

    def _word_columns(self, word: str) -> np.ndarray:
        columns = self._columns.get(word)
        if columns is None:
            low, high = self.ngram_range
            found = [self.vocabulary_.get(g) for g in word_ngrams(word, low, high)]
            columns = np.array([c for c in found if c is not None], dtype=np.int32)
            if len(self._columns) < 500_000:
                self._columns[word] = columns
        return columns

    def transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        check_is_fitted(self, "vocabulary_")
        if not hasattr(self, "_columns"):
            self._columns = {}
        indptr = [0]
        indices: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        for doc in docs:
            parts = [self._word_columns(w) for w in doc]
            cols = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
            unique, freq = np.unique(cols, return_counts=True)
            indices.append(unique)
            counts.append(freq)
            indptr.append(indptr[-1] + len(unique))
        data = np.concatenate(counts).astype(np.float64) if counts else np.zeros(0)
        index = np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32)
        return sparse.csr_matrix((data, index, np.array(indptr)), shape=(len(docs), len(self.vocabulary_)))

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_columns"] = {}  # a cache, rebuilt on demand; keeps model files small
        return state


class WordColumns:
    """Each word's n-gram columns in several fitted `WordCharNgramCounts` at once, cached per word.

    The tone check counts a draft's character n-grams in two vocabularies (the tone model's and the
    clause model's); one cache look-up per word gives both. Each is kept as the bytes of an array of
    the narrowest integer type its vocabulary fits (`dtypes`): a draft's columns are then one
    `b"".join` and one `np.frombuffer` instead of concatenating ~100 small arrays, and a cached word
    is two compact objects rather than two arrays with separate buffers (fewer cache misses on a
    server that sees new drafts all the time). uint16 columns are what `training.fast.sorted_counts`
    sorts fastest. The n-grams of a word are made once when the vocabularies share an n-gram range."""

    MAX_WORDS = 500_000
    """Cache bound: a server sees new words (names, typos) forever; the cached entries are small."""

    def __init__(self, counts: Sequence[WordCharNgramCounts]):
        for fitted in counts:
            check_is_fitted(fitted, "vocabulary_")
        self.dtypes = [np.dtype(np.uint16 if len(c.vocabulary_) <= 1 << 16 else np.int32) for c in counts]
        self.spaces = [(c.vocabulary_, tuple(c.ngram_range)) for c in counts]
        self.cache: dict[str, tuple[bytes, ...]] = {}

    def __call__(self, word: str) -> tuple[bytes, ...]:
        columns = self.cache.get(word)
        if columns is None:
            grams: dict[tuple[int, int], list[str]] = {}
            parts = []
            for (vocabulary, ngram_range), dtype in zip(self.spaces, self.dtypes, strict=True):
                if ngram_range not in grams:
                    grams[ngram_range] = word_ngrams(word, *ngram_range)
                found = [vocabulary.get(g) for g in grams[ngram_range]]
                parts.append(np.array([c for c in found if c is not None], dtype=dtype).tobytes())
            columns = tuple(parts)
            if len(self.cache) < self.MAX_WORDS:
                self.cache[word] = columns
        return columns
