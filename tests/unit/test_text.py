import pytest
from sklearn.feature_extraction.text import CountVectorizer

from training import text as textproc
from training.charngrams import WordCharNgramCounts
from training.cues import cue_matches


def test_tokens_keep_offsets_into_the_original_text() -> None:
    text = "Ёлки, «ИНТЕРНЕТ» не работает!"
    for token in textproc.tokenize(text):
        assert text[token.start : token.end] == token.text
    assert [t.norm for t in textproc.tokenize(text)] == ["елки", "интернет", "не", "работает"]


def test_lemma_stream_glues_negation_but_not_absence() -> None:
    stream = textproc.analyse("Интернет не работает, связи нет").stream
    assert stream == ("интернет", "не", "не_работать", "связь", "нет")


def test_translit_is_read_as_russian() -> None:
    assert textproc.normalise_word("rabotaet") == "работает"
    assert textproc.lemma(textproc.normalise_word("internet")) == "интернет"
    assert textproc.looks_russian("zdravstvuite, internet ne rabotaet uzhe nedelyu")


@pytest.mark.parametrize(
    ("text", "russian"),
    [
        ("Интернет не работает", True),
        ("The internet has been down since Monday, please fix it", False),
        ("我的网络坏了三天了", False),
        ("12345 !!!", False),
        ("privet, u menya ne prohodit oplata kartoj", True),
    ],
)
def test_looks_russian(text: str, russian: bool) -> None:
    assert textproc.looks_russian(text) is russian


def test_repeat_contact_phrases_are_found() -> None:
    text = "Пишу уже третий раз, в очередной раз обещают"
    found = [text[s:e] for s, e in textproc.repeat_contact_spans(text)]
    assert "третий раз" in " ".join(found)
    assert "в очередной раз" in found


def test_sentences_split_on_punctuation_and_lines() -> None:
    assert textproc.sentences("Мастер опоздал. Искрит розетка!\nПомогите") == [
        "Мастер опоздал.",
        "Искрит розетка!",
        "Помогите",
    ]


def test_cue_matches_find_phrases_on_lemmas() -> None:
    stream = textproc.analyse("В подъезде пахнет газом, подам в суд").stream
    found = cue_matches(stream)
    assert (2, 4) in found["safety"]
    assert found["legal_threat"]
    assert not found["staff_rudeness"]


def test_word_char_ngrams_match_scikit_learn_char_wb() -> None:
    docs = [["привет", "мир", "а"], ["мир", "мирный", "привет", "ок"], ["а", "я"]]
    ours = WordCharNgramCounts((2, 5), min_df=1, max_features=None).fit(docs)
    theirs = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).fit([" ".join(d) for d in docs])
    assert set(ours.vocabulary_) == set(theirs.vocabulary_)
    order = [ours.vocabulary_[g] for g in theirs.get_feature_names_out()]
    left = ours.transform(docs)[:, order].toarray()
    right = theirs.transform([" ".join(d) for d in docs]).toarray()
    assert (left == right).all()


def test_word_char_ngrams_refuse_an_empty_vocabulary() -> None:
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordCharNgramCounts(min_df=5).fit([["а"], ["б"]])
