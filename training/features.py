"""Text → features for the linear models: lemma n-grams, character n-grams and cue counts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from training import text as textproc
from training.cues import cue_matches
from training.labels import SIGNALS


def cue_vector(stream: list[str], raw: str) -> list[float]:
    """One 0/1 column per signal's cue list, plus a capped count of repeat-contact phrases."""
    matches = cue_matches(stream)
    repeat = min(len(textproc.repeat_contact_spans(raw)), 3) / 3.0
    return [1.0 if matches[signal] else 0.0 for signal in SIGNALS] + [repeat]


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


class TextFeatures(BaseEstimator, TransformerMixin):
    """TF-IDF over lemma n-grams (negation-aware) and character n-grams, plus signal cue columns.

    Char n-grams catch typos, translit leftovers and unseen inflections that lemmas miss; the cue
    columns (`training.cues`) carry what a small corpus cannot teach.
    """

    def __init__(
        self, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] | None = (2, 5), min_df: int = 2
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df

    def _prepare(self, texts: list[str]) -> tuple[list[str], list[str], np.ndarray]:
        lemmas, norms, cues = [], [], []
        for item in texts:
            tokens = textproc.tokenize(item)
            stream = textproc.lemma_stream(tokens)
            lemmas.append(" ".join(stream))
            norms.append(" ".join(t.norm for t in tokens))
            cues.append(cue_vector(stream, item))
        return lemmas, norms, np.asarray(cues, dtype=float)

    def fit(self, texts: Sequence[str], y: object = None) -> TextFeatures:
        lemmas, norms, _ = self._prepare(check_texts(texts))
        self.word_ = TfidfVectorizer(
            analyzer="word", token_pattern=r"\S+", ngram_range=self.word_ngrams, min_df=self.min_df, sublinear_tf=True
        ).fit(lemmas)
        self.char_ = None
        if self.char_ngrams is not None:
            self.char_ = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=self.char_ngrams,
                min_df=self.min_df,
                sublinear_tf=True,
                max_features=60000,
            ).fit(norms)
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        check_is_fitted(self, "word_")
        lemmas, norms, cues = self._prepare(check_texts(texts))
        blocks = [self.word_.transform(lemmas), sparse.csr_matrix(cues)]
        if self.char_ is not None:
            blocks.append(self.char_.transform(norms))
        return sparse.hstack(blocks, format="csr")
