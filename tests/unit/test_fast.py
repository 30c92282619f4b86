"""The fast inference path computes what scikit-learn computes."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from training.fast import calibrated_proba, logistic_proba, tfidf_transform
from training.features import TextFeatures, split_on_spaces

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
