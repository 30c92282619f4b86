"""Corrections → guide records: overrides, new texts, the test split kept out, nothing dropped silently."""

from training.corrections import export_records, merge_into_train

TRAIN = [
    {"id": "t-1", "text": "Интернет  не работает третий день", "severity": "high", "signals": ["outage"]},
    {"id": "t-2", "text": "Опечатка в чеке", "severity": "low", "signals": []},
]
TEST = [{"id": "x-1", "text": "Пахнет газом в подъезде", "severity": "critical", "signals": ["safety"]}]


def correction(ident: int, text: str, labels: dict, predicted: dict | None = None) -> dict:
    return {
        "id": ident,
        "text": text,
        "labels": labels,
        "agent": "anna",
        "created_at": f"2026-12-0{ident}T10:00:00+00:00",
        "predicted": predicted,
    }


def test_export_overrides_appends_and_keeps_the_test_split_out() -> None:
    corrections = [
        correction(1, "интернет не работает ТРЕТИЙ день", {"severity": "critical"}),
        correction(2, "Опечатка в чеке", {"signals": []}),
        correction(3, "Новый текст про двойное списание", {"signals": ["money"]}, {"severity": "high", "signals": []}),
        correction(4, "Пахнет газом в подъезде", {"severity": "low"}),
        correction(5, "Новый текст про двойное списание", {"severity": "critical"}),
    ]
    records, counts = export_records("tickets", corrections, TRAIN, TEST)
    by_id = {r["id"]: r for r in records}
    assert by_id["t-1"]["severity"] == "critical" and by_id["t-1"]["text"] == TRAIN[0]["text"]
    assert by_id["t-2"]["severity"] == "low"
    new = by_id["c-tickets-000005"]
    assert (new["severity"], new["signals"]) == ("critical", ["money"])
    assert new["correction"]["agent"] == "anna"
    assert (counts.read, counts.superseded, counts.overrides_changed, counts.overrides_unchanged) == (5, 1, 1, 1)
    assert (counts.new_records, counts.in_test_split, counts.skipped) == (1, 1, [])
    assert "1 on test-split texts (excluded)" in counts.summary()


def test_a_new_reply_without_a_tone_is_reported_not_dropped_silently() -> None:
    corrections = [correction(1, "Обратитесь в банк.", {"elements": ["remedy"]})]
    records, counts = export_records("replies", corrections, [], [])
    assert records == []
    assert counts.new_records == 0
    assert len(counts.skipped) == 1 and "correction 1" in counts.skipped[0] and "tone" in counts.skipped[0]


def test_a_reply_relabelled_accountable_loses_its_spans() -> None:
    train = [
        {
            "id": "r-1",
            "text": "Это не к нам.",
            "tone": "blame_shifting",
            "spans": [{"start": 0, "end": 12, "label": "deflection"}],
        }
    ]
    records, _ = export_records("replies", [correction(1, "Это не к нам.", {"tone": "neutral"})], train, [])
    assert records[0]["tone"] == "neutral" and records[0]["spans"] == []


def test_merge_relabels_by_id_or_text_appends_new_and_refuses_test_texts() -> None:
    extra = [
        {"id": "t-2", "text": "Опечатка в чеке", "severity": "medium", "signals": []},
        {"id": "c-9", "text": "интернет не работает третий день", "severity": "critical"},
        {"id": "c-10", "text": "Совсем новый тикет", "severity": "low"},
        {"id": "c-11", "text": "пахнет газом в подъезде", "severity": "low"},
    ]
    merged, counts = merge_into_train("tickets", TRAIN, TEST, extra)
    assert [r["severity"] for r in merged] == ["critical", "medium", "low"]
    assert merged[0]["id"] == "t-1"
    assert (counts.relabelled, counts.appended, counts.refused_test) == (2, 1, 1)
    assert TRAIN[0]["severity"] == "high"
