"""Model tests for the tone checker: floors on the separately written test split, seeds, invariances."""

import re
from pathlib import Path

import pytest

from training.artifacts import load_artifact, save_artifact
from training.labels import ELEMENTS, TONES
from training.tone import ToneChecker
from training.train import evaluate_replies

SEED_MOVES = [
    ("Здравствуйте. У нас аварийные ремонтные работы.", "third_party"),
    ("У нас нет информации о сроках.", "stonewalling"),
    ("Когда починят — сказать не можем.", "stonewalling"),
    ("Придите лично и напишите заявление.", "customer_burden"),
    ("Это политика нашей компании.", "policy_shield"),
    ("Вы неправы.", "blames_customer"),
    ("А вы включили прибор в розетку?", "condescension"),
]
SEED_SOFT = [
    "Судя по документам, оплата поступила третьего числа, поэтому пени начислены не были.",
    "По-видимому, письмо с кодом попало в папку «Спам».",
    "Возможно, всё дело в розетке, не могли бы вы проверить, горит ли индикатор на роутере?",
]


@pytest.fixture(scope="module")
def metrics(tone_checker: ToneChecker, reply_test_records: list[dict]) -> dict:
    return evaluate_replies(tone_checker, reply_test_records, "test")


def test_tone_quality_floors_on_test_split(metrics: dict) -> None:
    assert metrics["macro_f1"] >= 0.80
    assert metrics["blame_recall"] >= 0.85
    assert metrics["spans"]["recall"] >= 0.70
    assert metrics["spans"]["precision"] >= 0.70


def test_span_category_meets_the_issue_floor(metrics: dict) -> None:
    assert metrics["spans"]["category_recall"] >= 0.60


def test_scores_are_probabilities(tone_checker: ToneChecker, reply_test_records: list[dict]) -> None:
    for result in tone_checker.check([r["text"] for r in reply_test_records[:30]]):
        assert list(result["scores"]) == list(TONES)
        assert sum(result["scores"].values()) == pytest.approx(1.0, abs=1e-6)
        assert sorted(result["elements"]["present"] + result["elements"]["missing"]) == sorted(ELEMENTS)


@pytest.mark.parametrize(("draft", "category"), SEED_MOVES)
def test_every_seed_move_is_caught_with_its_category(tone_checker: ToneChecker, draft: str, category: str) -> None:
    result = tone_checker.check([draft])[0]
    assert result["tone"] == "blame_shifting"
    assert category in [s["label"] for s in result["spans"]], result["spans"]


@pytest.mark.parametrize("draft", SEED_SOFT)
def test_seed_002_soft_wording_is_not_flagged(tone_checker: ToneChecker, draft: str) -> None:
    result = tone_checker.check([draft])[0]
    assert result["tone"] != "blame_shifting"
    assert result["spans"] == []


def test_an_apology_does_not_hide_blame(tone_checker: ToneChecker, reply_test_records: list[dict]) -> None:
    blaming = [r["text"] for r in reply_test_records if r["tone"] == "blame_shifting"]
    plain = tone_checker.check(blaming)
    sorry = tone_checker.check([f"Извините за неудобства. {t}" for t in blaming])
    kept = [a["tone"] == b["tone"] for a, b in zip(plain, sorry, strict=True) if a["tone"] == "blame_shifting"]
    assert sum(kept) >= 0.95 * len(kept)
    assert tone_checker.check(["Извините, но вы сами виноваты."])[0]["tone"] == "blame_shifting"


def test_company_names_and_order_numbers_change_nothing(tone_checker: ToneChecker, reply_test_records) -> None:
    texts = [r["text"] for r in reply_test_records[:80]]
    swapped = [re.sub(r"\d", "7", t).replace("«", "«Ромашка ").replace("»", "»") for t in texts]
    before = tone_checker.check(texts)
    after = tone_checker.check(swapped)
    same = [a["tone"] == b["tone"] for a, b in zip(before, after, strict=True)]
    assert sum(same) >= 0.95 * len(same)
    # spans the checker is sure of (the ones that decide the verdict) keep their categories; a clause
    # sitting at the 0.3 span threshold may come and go with a name, as any thresholded score can
    confident = tone_checker.confident_span

    def sure(result: dict) -> list[str]:
        return sorted(s["label"] for s in result["spans"] if s["score"] >= confident)

    kept = [sure(a) == sure(b) for a, b in zip(before, after, strict=True)]
    assert sum(kept) >= 0.95 * len(kept)
    draft = "По заказу №{} в ООО «{}» мы не можем вернуть деньги: такова политика компании."
    variants = [(12345, "Вектор"), (99001, "Лотос"), (8, "Альфа"), (4410, "Север")]
    results = [tone_checker.check([draft.format(n, c)])[0] for n, c in variants]
    assert {r["tone"] for r in results} == {"blame_shifting"}
    assert {tuple(sure(r)) for r in results} == {("policy_shield",)}


def test_spans_are_exact_substrings_with_messages(tone_checker: ToneChecker, reply_test_records) -> None:
    texts = [r["text"] for r in reply_test_records if r["tone"] == "blame_shifting"][:40]
    for text, result in zip(texts, tone_checker.check(texts), strict=True):
        for span in result["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert span["text"] == span["text"].strip()
            assert span["message"] and span["suggestion"]


def test_tone_save_load_gives_identical_checks(tone_checker: ToneChecker, tmp_path: Path, reply_test_records) -> None:
    texts = [r["text"] for r in reply_test_records[:40]]
    artifact = save_artifact(tone_checker, tmp_path / "tone", {"task": "replies"}, version="v-test")
    assert load_artifact(artifact.path).model.check(texts, "v") == tone_checker.check(texts, "v")


def test_fast_check_equals_the_reference_path(tone_checker: ToneChecker, tmp_path: Path, reply_test_records) -> None:
    """The compiled check (`FastCheck`) gives exactly what the fitted estimators give one by one,
    in a batch and one draft at a time, before and after save → load."""
    texts = [r["text"] for r in reply_test_records]
    texts += [" ".join(texts[k : k + 12]) for k in range(0, 120, 12)]  # long drafts
    reference = tone_checker.check(texts, "v", fast=False)
    assert tone_checker.check(texts, "v") == reference
    loaded = load_artifact(save_artifact(tone_checker, tmp_path / "tone", {}, version="v-fast").path).model
    assert "_fast" not in loaded.__dict__  # the compiled path is a cache, not part of the file
    assert [loaded.check([t], "v")[0] for t in texts[::7]] == reference[::7]


def test_fit_rejects_unknown_tones() -> None:
    with pytest.raises(ValueError, match="unknown tone label"):
        ToneChecker().fit([{"text": "Здравствуйте", "tone": "rude"}])
