"""The fast inference path computes what scikit-learn computes."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from training import text as textproc
from training.charngrams import WordCharNgramCounts
from training.clauses import clauses
from training.fast import (
    CalibratedBank,
    CsrRows,
    LinearBank,
    WordTfidf,
    calibrated_proba,
    hstack_rows,
    logistic_from_scores,
    logistic_proba,
    tfidf_transform,
    tfidf_weights,
)
from training.features import FeatureSpace, TextFeatures, char_rows, split_on_spaces
from training.signals import _gram_positions, _GramPositions
from training.tone import clause_analyses

DOCS = [
    "интернет не работать третий день",
    "списать деньги дважды вернуть деньги",
    "пахнуть газ в подъезд",
    "опечатка в чек",
    "не работать приложение банк",
    "курьер опоздать на час",
    "газ пахнуть сильно соседи",
    "деньги не вернуть неделя",
] * 3
LABELS = [0, 1, 2, 0, 1, 0, 2, 1] * 3


def test_tfidf_transform_matches_scikit_learn() -> None:
    vectorizer = TfidfVectorizer(
        tokenizer=split_on_spaces, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True
    ).fit(DOCS)
    new = ["газ газ газ пахнуть", "совсем новый слово", "не работать интернет интернет"]
    assert np.allclose(tfidf_transform(vectorizer, new).toarray(), vectorizer.transform(new).toarray())


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibrated_and_plain_probabilities_match_scikit_learn(method: str) -> None:
    features = TextFeatures(min_df=1).fit(DOCS)
    x = features.transform(DOCS)
    plain = LogisticRegression(max_iter=1000).fit(x, LABELS)
    assert np.allclose(logistic_proba(plain, x), plain.predict_proba(x))
    binary = LogisticRegression(max_iter=1000).fit(x, [label == 2 for label in LABELS])
    assert np.allclose(logistic_proba(binary, x), binary.predict_proba(x))
    calibrated = CalibratedClassifierCV(LogisticRegression(max_iter=1000), method=method, cv=3).fit(x, LABELS)
    assert np.allclose(calibrated_proba(calibrated, x), calibrated.predict_proba(x))


def test_text_features_fast_transform_matches_the_fitted_vectorisers() -> None:
    features = TextFeatures(min_df=1).fit(["Интернет не работает", "Пахнет газом в подъезде"] * 2)
    fast = features.transform(["Интернет пахнет газом"]).toarray()
    analysis_words = features.word_.transform(["интернет пахнуть газ"]).toarray()
    assert np.allclose(fast[:, : analysis_words.shape[1]], analysis_words)


def test_feature_space_rows_match_text_features_transform() -> None:
    texts = [
        "Интернет не работает, вы сами виноваты: надо было читать договор.",
        "Пишу уже третий раз, пахнет газом в подъезде!",
        "Ваш платёж не прошёл; обратитесь в банк",
        "123",
    ]
    for cues, table in [(0.0, "signals"), (1.0, "signals"), (2.5, "blame")]:
        features = TextFeatures(min_df=1, cues=cues, cue_table=table).fit(DOCS + texts)
        analyses = [textproc.analyse(t) for t in texts]
        rows = FeatureSpace(features).rows([a.stream for a in analyses], [a.norms for a in analyses], texts)
        reference = features.transform(texts)
        fast = rows.tocsr()
        assert np.array_equal(fast.indptr, reference.indptr)
        assert np.array_equal(fast.indices, reference.indices)
        assert np.array_equal(fast.data, reference.data)


def test_word_and_char_rows_match_the_fitted_transformers() -> None:
    vectorizer = TfidfVectorizer(
        tokenizer=split_on_spaces, token_pattern=None, lowercase=False, ngram_range=(1, 3), sublinear_tf=True
    ).fit(DOCS)
    new = ["газ газ газ пахнуть", "совсем новый слово", "не работать интернет интернет", ""]
    for ngrams in [(1, 2), (1, 3)]:
        vectorizer.set_params(ngram_range=ngrams)
        assert np.array_equal(
            WordTfidf(vectorizer).rows(new).tocsr().toarray(), tfidf_transform(vectorizer, new).toarray()
        )
    counts = WordCharNgramCounts((2, 5), min_df=1)
    words = [doc.split() for doc in DOCS]
    transformer = TfidfTransformer(sublinear_tf=True).fit(counts.fit_transform(words))
    docs = [["газ", "пахнуть"], [], ["неизвестный", "газ", "газ"]]
    expected = tfidf_weights(counts.transform(docs), transformer).toarray()
    assert np.array_equal(char_rows(counts, transformer, docs).tocsr().toarray(), expected)


def test_banks_score_like_each_model_alone() -> None:
    features = TextFeatures(min_df=1).fit(DOCS)
    x = features.transform(DOCS)
    rows = CsrRows(x.data, x.indices, x.indptr, x.shape[1])
    plain = LogisticRegression(max_iter=1000).fit(x, LABELS)
    binary = LogisticRegression(max_iter=1000).fit(x, [label == 2 for label in LABELS])
    bank = LinearBank([binary, plain])
    scores = bank.scores(rows)
    assert np.array_equal(logistic_from_scores(scores[:, bank.slices[0]]), logistic_proba(binary, x))
    assert np.array_equal(logistic_from_scores(scores[:, bank.slices[1]]), logistic_proba(plain, x))
    for method in ("isotonic", "sigmoid"):
        calibrated = CalibratedClassifierCV(LogisticRegression(max_iter=1000), method=method, cv=3).fit(x, LABELS)
        assert np.array_equal(CalibratedBank(calibrated).proba(rows), calibrated_proba(calibrated, x))


def test_hstack_rows_matches_scipy() -> None:
    a = sparse.random(5, 7, density=0.4, format="csr", random_state=0)
    b = sparse.random(5, 3, density=0.5, format="csr", random_state=1)
    blocks = [CsrRows(m.data, m.indices, m.indptr, m.shape[1]) for m in (a, b)]
    stacked, reference = hstack_rows(blocks).tocsr(), sparse.hstack([a, b], format="csr")
    assert np.array_equal(stacked.indices, reference.indices)
    assert np.array_equal(stacked.data, reference.data)


def test_lazy_gram_positions_match_the_full_table() -> None:
    stream = ("не", "не_работать", "интернет", "не_работать", "интернет", "газ", "a b", "c", "a", "b c")
    table = _gram_positions(stream)
    lazy = _GramPositions(stream)
    for gram in [*table, "нет", "интернет газ", "a b c", "газ a"]:
        assert list(lazy.get(gram, ())) == table.get(gram, [])


def test_clause_analyses_match_analysing_each_clause() -> None:
    text = (
        "Извините, но вы сами не указали адрес, а курьер (наш партнёр) не дозвонился — ждите.\n"
        "Не, не знаю: по правилам,и так всё! Однако не-а, it's ne rabotaet... Да"
    )
    units = clauses(text)
    derived = clause_analyses(textproc.analyse(text), text, units)
    assert [(tuple(s), tuple(n)) for s, n in derived] == [
        (textproc.analyse(u.text).stream, textproc.analyse(u.text).norms) for u in units
    ]
