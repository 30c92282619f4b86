"""Model tests: quality floors on the separately written test split and behavioural invariances."""

from pathlib import Path

import numpy as np
import pytest

from training.artifacts import ArtifactError, load_artifact, save_artifact
from training.labels import SEVERITIES
from training.severity import SeverityClassifier
from training.tickets import TicketTriager
from training.train import evaluate_tickets

RANK = {name: k for k, name in enumerate(SEVERITIES)}

SEED_001_STORY = (
    "Здравствуйте. Пятый день без интернета. Пропал в четверг, я сразу позвонил в техподдержку, обещали "
    "починить за сутки. В пятницу звоню снова — оператор говорит, что информации нет и узнать неоткуда. "
    "В субботу интернета нет, в воскресенье опять звоню: «ничего не знаем, заявка отправлена, когда будет "
    "интернет — сказать не можем». Сегодня понедельник, пятый день без связи, без информации и без объяснений."
)


def severity_of(triager: TicketTriager, text: str) -> str:
    return triager.predict([text])[0]["severity"]


@pytest.fixture(scope="module")
def metrics(triager: TicketTriager, ticket_test_records: list[dict]) -> dict:
    return evaluate_tickets(triager, ticket_test_records, "test")


def test_severity_quality_floors_on_test_split(metrics: dict) -> None:
    assert metrics["macro_f1"] >= 0.75
    assert metrics["critical_recall"] >= 0.90
    assert metrics["critical_predicted_low"] == 0
    assert metrics["ece"] <= 0.08


def test_scores_are_probabilities_that_sum_to_one(triager: TicketTriager, ticket_test_records: list[dict]) -> None:
    predictions = triager.predict([r["text"] for r in ticket_test_records[:50]])
    for prediction in predictions:
        assert list(prediction["scores"]) == list(SEVERITIES)
        assert sum(prediction["scores"].values()) == pytest.approx(1.0, abs=1e-6)
        assert all(0.0 <= v <= 1.0 for v in prediction["scores"].values())


def shout(text: str) -> str:
    return text.upper().rstrip(".?! ") + "!!! ВЫ ТАМ ВООБЩЕ ИДИОТЫ?! ПОЗОРИЩЕ, КОШМАР!!!"


@pytest.mark.parametrize(
    "calm",
    [
        "В чеке опечатка: написано «Малако» вместо «Молоко».",
        "У вас на сайте логотип съехал влево на главной странице.",
        "Подскажите, можно ли поменять цвет обложки в приложении?",
    ],
)
def test_anger_alone_does_not_raise_a_trivial_ticket_to_high(triager: TicketTriager, calm: str) -> None:
    assert RANK[severity_of(triager, shout(calm))] < RANK["high"]


def test_anger_does_not_raise_the_test_splits_low_tickets(triager: TicketTriager, ticket_test_records) -> None:
    low = [r["text"] for r in ticket_test_records if r["severity"] == "low"]
    calm = triager.predict(low)
    angry = triager.predict([shout(t) for t in low])
    raised = [
        t for t, a, c in zip(low, angry, calm, strict=True) if RANK[a["severity"]] >= RANK["high"] > RANK[c["severity"]]
    ]
    assert len(raised) <= 0.05 * len(low), raised[:5]


@pytest.mark.parametrize("danger", ["В подъезде сильно пахнет газом.", "Искрит розетка на кухне, запахло гарью."])
@pytest.mark.parametrize(
    "ticket",
    [
        "Мастер пришёл на час позже, чем обещали.",
        "Счётчик показывает странные цифры, проверьте пожалуйста.",
    ],
)
def test_danger_makes_a_ticket_critical(triager: TicketTriager, ticket: str, danger: str) -> None:
    text = f"{ticket} {danger}"
    prediction = triager.predict([text])[0]
    assert prediction["severity"] == "critical"
    safety = [s for s in prediction["signals"] if s["label"] == "safety"]
    assert safety
    assert all(text[e["start"] : e["end"]] == e["text"] for e in safety[0]["spans"])


@pytest.mark.parametrize(
    "fault",
    [
        "Интернет стал медленный по вечерам, видео тормозит.",
        "Курьер привёз помятую коробку, одна чашка из набора треснула.",
    ],
)
def test_third_contact_raises_a_medium_fault_to_at_least_high(triager: TicketTriager, fault: str) -> None:
    first = severity_of(triager, fault)
    third = triager.predict([f"Пишу уже третий раз! {fault} Никто ничего не делает."])[0]
    assert RANK[first] <= RANK["medium"]
    assert RANK[third["severity"]] >= RANK["high"]
    assert "repeat_contact" in [s["label"] for s in third["signals"]]


@pytest.mark.parametrize(
    "threat",
    ["Если не вернёте деньги, пишу жалобу в Роспотребнадзор.", "Буду обращаться в суд."],
)
def test_legal_threat_is_signalled(triager: TicketTriager, threat: str) -> None:
    prediction = triager.predict([f"Списали 1200 рублей за подписку, которую я отменил. {threat}"])[0]
    labels = [s["label"] for s in prediction["signals"]]
    assert "legal_threat" in labels


def test_seed_001_story_is_critical_with_outage_and_repeat_contact(triager: TicketTriager) -> None:
    prediction = triager.predict([SEED_001_STORY])[0]
    assert prediction["severity"] == "critical"
    labels = [s["label"] for s in prediction["signals"]]
    assert "outage" in labels
    assert "repeat_contact" in labels


def test_signal_evidence_spans_point_into_the_text(triager: TicketTriager) -> None:
    text = "Добрый день. В подъезде пахнет газом, соседи волнуются."
    prediction = triager.predict([text])[0]
    safety = [s for s in prediction["signals"] if s["label"] == "safety"]
    assert safety
    for span in safety[0]["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert any("газ" in span["text"] for span in safety[0]["spans"])


def test_save_load_gives_identical_predictions(triager: TicketTriager, tmp_path: Path, ticket_test_records) -> None:
    texts = [r["text"] for r in ticket_test_records[:40]]
    artifact = save_artifact(triager, tmp_path / "severity", {"task": "tickets"}, version="v-test")
    loaded = load_artifact(artifact.path)
    assert loaded.model.predict(texts, "v") == triager.predict(texts, "v")


def test_tampered_artifact_is_refused(triager: TicketTriager, tmp_path: Path) -> None:
    artifact = save_artifact(triager, tmp_path / "severity", {"task": "tickets"}, version="v-test")
    model_file = artifact.path / "model.joblib"
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    model_file.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="does not match its metadata"):
        load_artifact(artifact.path)


def test_fit_rejects_bad_input_with_clear_errors() -> None:
    with pytest.raises(TypeError, match="expected a sequence of strings"):
        SeverityClassifier().fit("одна строка", ["low"])
    with pytest.raises(ValueError, match="text 1 is empty"):
        SeverityClassifier().fit(["текст", "  "], ["low", "high"])
    with pytest.raises(ValueError, match="unknown severity label"):
        SeverityClassifier().fit(["а", "б"], ["low", "urgent"])
    with pytest.raises(ValueError, match="no example of"):
        SeverityClassifier().fit(["а", "б"], ["low", "high"])


def test_decision_rule_never_calls_a_likely_critical_ticket_low() -> None:
    model = SeverityClassifier()
    proba = np.array([[0.70, 0.10, 0.10, 0.10], [0.90, 0.05, 0.02, 0.03], [0.5, 0.1, 0.1, 0.3]])
    assert [SEVERITIES[k] for k in model.decide(proba)] == ["medium", "low", "critical"]
