"""Near-duplicate detection for hand-written corpora.

Writers repeat themselves without noticing; a near-copy in train and test inflates scores, and a
shared long run of words between splits leaks the test set. Both checks stay cheap enough for the
test suite: character 5-gram Jaccard through one sparse product, word runs through a hash index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

_WORD = re.compile(r"\w+")


def _canonical(text: str) -> str:
    return " ".join(text.lower().split())


def near_duplicate_pairs(texts: Sequence[str], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) with i < j whose character 5-gram sets overlap at least `threshold`."""
    if len(texts) < 2:
        return []
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(5, 5), binary=True, lowercase=False)
    grams = vectorizer.fit_transform([_canonical(t) for t in texts]).astype("int32")
    sizes = grams.sum(axis=1).A1
    inter = sparse.triu(grams @ grams.T, k=1).tocoo()
    pairs = []
    for i, j, shared in zip(inter.row, inter.col, inter.data, strict=True):
        union = sizes[i] + sizes[j] - shared
        score = shared / union if union else 0.0
        if score >= threshold:
            pairs.append((int(i), int(j), float(score)))
    return pairs


def word_runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[k : k + n]) for k in range(len(words) - n + 1)}


def shared_runs(texts: Sequence[str], n: int, others: Sequence[str] | None = None) -> list[tuple[int, int, str]]:
    """Pairs sharing a run of `n` words: within `texts` (i < j), or between `texts` and `others`."""
    index: dict[tuple[str, ...], int] = {}
    found: list[tuple[int, int, str]] = []
    reference = texts if others is None else others
    for j, text in enumerate(reference):
        for run in word_runs(text, n):
            index.setdefault(run, j)
    for i, text in enumerate(texts):
        hits: dict[int, str] = {}
        for run in word_runs(text, n):
            j = index.get(run)
            if j is not None and (others is not None or j != i):
                hits.setdefault(j, " ".join(run))
        found.extend((min(i, j), max(i, j), run) if others is None else (i, j, run) for j, run in hits.items())
    return sorted(set(found))
