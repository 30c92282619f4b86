import json

import pytest

from training.data import DataError, load_records, validate_lines, validate_record

TICKET = {"id": "t-1", "text": "Нет интернета третий день", "severity": "high", "signals": ["outage"]}
REPLY_TEXT = "Извините, но вы сами виноваты."
REPLY = {
    "id": "r-1",
    "text": REPLY_TEXT,
    "tone": "blame_shifting",
    "spans": [{"start": 13, "end": 29, "label": "blames_customer"}],
}


def lines(*records: object) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]


def test_validate_accepts_guide_records() -> None:
    assert REPLY_TEXT[13:29] == "вы сами виноваты"
    report = validate_lines(lines(TICKET, REPLY))
    assert report.ok
    assert [r["id"] for r in report.records] == ["t-1", "r-1"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({**TICKET, "severity": "urgent"}, "unknown severity 'urgent'"),
        ({k: v for k, v in TICKET.items() if k != "text"}, "missing field: 'text'"),
        ({**TICKET, "text": "   "}, "'text' must be a non-empty string"),
        ({**TICKET, "signals": ["outage", "fire"]}, "unknown signal 'fire'"),
        ({**TICKET, "signals": "outage"}, "'signals' must be a list"),
        ({**REPLY, "tone": "rude"}, "unknown tone 'rude'"),
        ({**REPLY, "spans": [{"start": 13, "end": 99, "label": "blames_customer"}]}, "span off the text"),
        ({**REPLY, "spans": [{"start": 12, "end": 29, "label": "blames_customer"}]}, "leading or trailing whitespace"),
        ({**REPLY, "spans": [{"start": 13, "end": 29, "label": "rudeness"}]}, "unknown span label 'rudeness'"),
        ({**REPLY, "spans": [{"start": "13", "end": 29, "label": "blames_customer"}]}, "must be integers"),
        ({**REPLY, "spans": [{"start": 13, "label": "blames_customer"}]}, "missing field(s): end"),
        (
            {
                **REPLY,
                "spans": [
                    {"start": 13, "end": 29, "label": "blames_customer"},
                    {"start": 20, "end": 29, "label": "minimizing"},
                ],
            },
            "spans overlap",
        ),
        ({**REPLY, "tone": "neutral"}, 'must have "spans": []'),
        ({**REPLY, "elements": ["apology", "hug"]}, "unknown element 'hug'"),
        ({"id": "x", "text": "привет"}, "missing field: 'severity' (ticket) or 'tone' (reply)"),
        ([1, 2], "expected a JSON object, got list"),
    ],
)
def test_validate_record_reports_reason(record: object, reason: str) -> None:
    reasons = validate_record(record)
    assert any(reason in r for r in reasons), reasons


def test_validate_lines_numbers_every_bad_line_and_keeps_the_rest() -> None:
    raw = [
        json.dumps(TICKET).encode(),
        b"{not json",
        b"",
        "\xff\xfe".encode("latin-1"),
        json.dumps({**TICKET, "id": "t-2", "severity": "huge"}).encode(),
        json.dumps(TICKET).encode(),
    ]
    report = validate_lines(raw)
    assert [r["id"] for r in report.records] == ["t-1"]
    found = {p.line: p.reason for p in report.problems}
    assert found[2].startswith("bad JSON")
    assert "not valid UTF-8" in found[4]
    assert "unknown severity 'huge'" in found[5]
    assert "duplicate id 't-1'" in found[6]
    assert 3 not in found


def test_validate_lines_forced_task_rejects_the_other_kind() -> None:
    report = validate_lines(lines(REPLY), task="tickets")
    assert "missing field: 'severity'" in report.problems[0].reason


def test_load_records_refuses_a_file_with_bad_lines(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines(TICKET, "[]")), encoding="utf-8")
    with pytest.raises(DataError, match="line 2: expected a JSON object"):
        load_records(path, "tickets")


def test_load_records_refuses_an_empty_file(tmp_path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="holds no records"):
        load_records(path, "tickets")
