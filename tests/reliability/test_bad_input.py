"""Bad input, one row per case: its precise status, a message naming the problem, nothing stored changed.

The rows run against one app per database (SQLite, and PostgreSQL when TRIAGE_TEST_POSTGRES_URL
is set) whose store holds tickets, a follow-up and corrections; every row of every table is
compared before and after each case. Rows that are accepted (translit Russian) must add exactly the
tickets they say and leave the rest untouched. (Moved here and extended from tests/api/test_api.py.)
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from serve.store import Correction, Message, Ticket

LATE = "Курьер опоздал на час, но заказ привёз целым."
GAS = "Добрый день. В подъезде сильно пахнет газом, соседи волнуются."
DRAFT = "Извините, но это не к нам."
TRANSLIT = "zdravstvuite, internet ne rabotaet uzhe tretii den"
ENGLISH = "The internet is down, please help"
CHINESE = "我的网络坏了，请帮忙"
MEGABYTE = "ж" * 524_288  # 1 MiB in UTF-8
OVER_LIMIT = "а" * 20_001  # the client fixture keeps the default TRIAGE_MAX_TEXT_CHARS of 20,000
JSON_HEADERS = {"content-type": "application/json"}
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # an image: NUL, control bytes, bytes never in UTF-8
INVALID_UTF8 = b'{"text": "\xd0\xbf\xd1\x80\xd0\xb8\xff\xfe \xd0\xbc\xd0\xb8\xd1\x80"}'
MALFORMED = '{"text": "привет", '.encode()
NESTED = {"text": {"a": [{"b": {"c": [None, {"d": float("1e308")}]}}]}, "channel": [[[]]]}
TINY = [{"text": "а"}] * 10_000  # batch_limit is 5 in the client fixture

REASON_EMPTY = "'text' is empty"
NO_RUSSIAN = "no Russian found in 'text'"
NOT_UTF8 = "the request body is not valid UTF-8"
BODY_TOO_LARGE = "body larger than 1000000 bytes"
TEXT_TOO_LONG = "'text' is 20001 characters; the limit is 20000"


def raw(body: bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": content_type}}


def reply(text: object, **extra: Any) -> dict[str, Any]:
    return {"json": {"target": "reply", "text": text, "tone": "neutral", "agent": "anna", **extra}}


def form(**fields: str) -> dict[str, Any]:
    return {"data": fields}


# (path, request kwargs, status, words the message must contain, tickets it adds)
CASES = [
    # POST /v1/tickets
    ("/v1/tickets", {"json": {"text": ""}}, 422, REASON_EMPTY, 0),
    ("/v1/tickets", {"json": {"text": " \n\t\u00a0 "}}, 422, REASON_EMPTY, 0),
    ("/v1/tickets", {"json": {"text": MEGABYTE}}, 413, BODY_TOO_LARGE, 0),
    ("/v1/tickets", {"json": {"text": OVER_LIMIT}}, 413, TEXT_TOO_LONG, 0),
    ("/v1/tickets", raw(BINARY), 400, NOT_UTF8, 0),
    ("/v1/tickets", raw(INVALID_UTF8), 400, NOT_UTF8, 0),
    ("/v1/tickets", {"json": {"text": "привет\x00мир"}}, 422, "NUL character", 0),
    (
        "/v1/tickets",
        raw(b'{"text": "\\ud800 \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"}'),
        422,
        "unpaired surrogate",
        0,
    ),
    ("/v1/tickets", raw(MALFORMED), 422, "JSON decode error", 0),
    ("/v1/tickets", raw(b""), 422, "Field required", 0),
    ("/v1/tickets", {"json": {"text": 42}}, 422, "valid string", 0),
    ("/v1/tickets", {"json": {"text": LATE, "external_id": 7}}, 422, "valid string", 0),
    ("/v1/tickets", {"json": {"text": LATE, "external_id": "zd-1", "customer": 5}}, 422, "valid string", 0),
    ("/v1/tickets", {"json": {"text": LATE, "external_id": "x" * 201}}, 422, "at most 200 characters", 0),
    ("/v1/tickets", {"json": {"txt": LATE}}, 422, "Field required", 0),
    ("/v1/tickets", {"json": {"text": LATE, "extra": 1}}, 422, "Extra inputs are not permitted", 0),
    ("/v1/tickets", {"json": [1, 2, 3]}, 422, "valid dictionary", 0),
    ("/v1/tickets", {"json": NESTED}, 422, "valid string", 0),
    ("/v1/tickets", {"json": {"text": ENGLISH}}, 422, NO_RUSSIAN, 0),
    ("/v1/tickets", {"json": {"text": CHINESE}}, 422, NO_RUSSIAN, 0),
    ("/v1/tickets", {"json": {"text": TRANSLIT}}, 201, None, 1),
    # POST /v1/tickets/batch
    ("/v1/tickets/batch", {"json": {"tickets": []}}, 422, "at least 1 item", 0),
    (
        "/v1/tickets/batch",
        {"json": {"tickets": [{"text": LATE}, {"text": "  "}]}},
        422,
        f"tickets[1]: {REASON_EMPTY}",
        0,
    ),
    (
        "/v1/tickets/batch",
        {"json": {"tickets": [{"text": ENGLISH}, {"text": LATE}]}},
        422,
        f"tickets[0]: {NO_RUSSIAN}",
        0,
    ),
    ("/v1/tickets/batch", {"json": {"tickets": [{"text": LATE}, {"text": OVER_LIMIT}]}}, 413, "tickets[1]:", 0),
    ("/v1/tickets/batch", {"json": {"tickets": [{"text": MEGABYTE}]}}, 413, BODY_TOO_LARGE, 0),
    ("/v1/tickets/batch", {"json": {"tickets": TINY}}, 413, "at most 5 tickets per batch", 0),
    ("/v1/tickets/batch", raw(BINARY), 400, NOT_UTF8, 0),
    ("/v1/tickets/batch", raw(INVALID_UTF8), 400, NOT_UTF8, 0),
    ("/v1/tickets/batch", raw(MALFORMED), 422, "JSON decode error", 0),
    ("/v1/tickets/batch", {"json": {"tickets": "привет"}}, 422, "valid list", 0),
    ("/v1/tickets/batch", {"json": {"tickets": [NESTED]}}, 422, "valid string", 0),
    ("/v1/tickets/batch", {"json": {"tickets": [{"text": CHINESE}]}}, 422, NO_RUSSIAN, 0),
    ("/v1/tickets/batch", {"json": {"tickets": [{"text": TRANSLIT}, {"text": LATE}]}}, 201, None, 2),
    # POST /v1/replies/check (stores nothing, even when it answers 200)
    ("/v1/replies/check", {"json": {"text": ""}}, 422, REASON_EMPTY, 0),
    ("/v1/replies/check", {"json": {"text": "\n\n"}}, 422, REASON_EMPTY, 0),
    ("/v1/replies/check", {"json": {"text": MEGABYTE}}, 413, BODY_TOO_LARGE, 0),
    ("/v1/replies/check", {"json": {"text": OVER_LIMIT}}, 413, TEXT_TOO_LONG, 0),
    ("/v1/replies/check", raw(BINARY), 400, NOT_UTF8, 0),
    ("/v1/replies/check", raw(INVALID_UTF8), 400, NOT_UTF8, 0),
    ("/v1/replies/check", raw(MALFORMED), 422, "JSON decode error", 0),
    ("/v1/replies/check", {"json": {"text": ["Извините"]}}, 422, "valid string", 0),
    ("/v1/replies/check", {"json": {"text": DRAFT, "complaint": 3}}, 422, "valid string", 0),
    ("/v1/replies/check", {"json": NESTED}, 422, "valid string", 0),
    ("/v1/replies/check", {"json": {"text": ENGLISH}}, 422, NO_RUSSIAN, 0),
    ("/v1/replies/check", {"json": {"text": CHINESE}}, 422, NO_RUSSIAN, 0),
    ("/v1/replies/check", {"json": {"text": "izvinite, no eto ne k nam"}}, 200, None, 0),
    # POST /v1/corrections
    ("/v1/corrections", reply(""), 422, "at least 1 character", 0),
    ("/v1/corrections", reply("   "), 422, REASON_EMPTY, 0),
    ("/v1/corrections", reply(MEGABYTE), 413, BODY_TOO_LARGE, 0),
    ("/v1/corrections", reply(OVER_LIMIT), 413, TEXT_TOO_LONG, 0),
    ("/v1/corrections", reply(ENGLISH), 422, NO_RUSSIAN, 0),
    ("/v1/corrections", reply(CHINESE), 422, NO_RUSSIAN, 0),
    ("/v1/corrections", reply(DRAFT, note="\x00"), 422, "NUL character", 0),
    ("/v1/corrections", raw(BINARY), 400, NOT_UTF8, 0),
    ("/v1/corrections", raw(INVALID_UTF8), 400, NOT_UTF8, 0),
    ("/v1/corrections", raw(MALFORMED), 422, "JSON decode error", 0),
    ("/v1/corrections", reply(DRAFT, tone=1), 422, "tone", 0),
    ("/v1/corrections", reply(NESTED), 422, "valid string", 0),
    (
        "/v1/corrections",
        {"json": {"target": "ticket", "ticket_id": "1", "severity": "low", "agent": "a"}},
        422,
        "valid integer",
        0,
    ),
    (
        "/v1/corrections",
        {"json": {"target": "ticket", "ticket_id": 2**70, "severity": "low", "agent": "a"}},
        422,
        "less than or equal",
        0,
    ),
    (
        "/v1/corrections",
        {"json": {"target": "ticket", "ticket_id": 99_999, "severity": "low", "agent": "a"}},
        404,
        "ticket 99999 not found",
        0,
    ),
    ("/v1/corrections", {"json": {"target": "email", "agent": "a"}}, 422, "union_tag_invalid", 0),
    # POST /v2/check (LanguageTool-compatible: form fields; 400 for what it cannot check, as LanguageTool)
    ("/v2/check", form(text="", language="ru"), 422, "Field required", 0),  # an empty form field is absent
    ("/v2/check", form(text="   ", language="ru"), 400, REASON_EMPTY, 0),
    ("/v2/check", form(text=ENGLISH, language="auto"), 400, NO_RUSSIAN, 0),
    ("/v2/check", form(text=CHINESE, language="ru-RU"), 400, NO_RUSSIAN, 0),
    ("/v2/check", form(text=DRAFT, language="en-US"), 400, "language 'en-US' is not supported", 0),
    ("/v2/check", form(text=OVER_LIMIT, language="ru"), 413, TEXT_TOO_LONG, 0),
    ("/v2/check", form(text=MEGABYTE, language="ru"), 413, BODY_TOO_LARGE, 0),
    ("/v2/check", raw(b"text=%FF%FE%FD&language=ru", "application/x-www-form-urlencoded"), 400, NO_RUSSIAN, 0),
    ("/v2/check", raw(BINARY, "application/x-www-form-urlencoded"), 422, "Field required", 0),
    ("/v2/check", form(language="ru"), 422, "Field required", 0),
    ("/v2/check", {"json": {"text": DRAFT}}, 422, "Field required", 0),
    ("/v2/check", form(text="izvinite, no eto ne k nam", language="ru"), 200, None, 0),
]


def case_id(case: tuple) -> str:
    path, kwargs, status = case[:3]
    body = kwargs.get("json", kwargs.get("data", kwargs.get("content")))
    shown = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, default=str)
    return f"{path}-{status}-{shown[:40]!r}"


def snapshot(client: TestClient) -> dict[str, list[dict[str, Any]]]:
    """Every stored row of every table, column by column."""
    with client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        return {
            model.__tablename__: [
                {column.key: getattr(row, column.key) for column in model.__table__.columns}
                for row in session.scalars(select(model).order_by(model.id))
            ]
            for model in (Ticket, Message, Correction)
        }


@pytest.fixture(scope="module")
def client(shared_client: TestClient) -> TestClient:
    """The module's app, seeded once with what bad input must not change."""
    seed(shared_client)
    return shared_client


def seed(client: TestClient) -> None:
    first = client.post("/v1/tickets", json={"text": LATE, "external_id": "zd-1", "customer": "Ирина"}).json()
    client.post("/v1/tickets", json={"text": GAS, "channel": "phone"})
    assert client.post(f"/v1/tickets/{first['id']}/messages", json={"text": "Пишу снова."}).status_code == 201
    ticket_fix = {"target": "ticket", "ticket_id": first["id"], "severity": "high", "agent": "anna"}
    assert client.post("/v1/corrections", json=ticket_fix).status_code == 201
    assert client.post("/v1/corrections", **reply(DRAFT)).status_code == 201


@pytest.mark.parametrize(("path", "kwargs", "status", "needle", "adds"), CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(client: TestClient, path: str, kwargs: dict, status: int, needle: str | None, adds: int) -> None:
    before = snapshot(client)
    response = client.post(path, **kwargs)
    assert response.status_code == status, response.text[:500]
    if needle is not None:
        assert needle in json.dumps(response.json()["detail"], ensure_ascii=False), response.text[:500]
    after = snapshot(client)
    assert after["tickets"][: len(before["tickets"])] == before["tickets"]
    assert len(after["tickets"]) == len(before["tickets"]) + adds
    assert (after["messages"], after["corrections"]) == (before["messages"], before["corrections"])


def test_bad_queue_parameters(client: TestClient) -> None:
    before = snapshot(client)
    foreign = json.dumps([10**30, "2026-01-01T00:00:00", 1]).encode()
    cases = [
        ({"cursor": "garbage"}, 400, "invalid cursor"),
        ({"cursor": base64.urlsafe_b64encode(foreign).decode()}, 400, "invalid cursor"),
        ({"limit": 5000}, 422, "less than or equal to 1000"),
        ({"limit": "many"}, 422, "valid integer"),
        ({"signal": "weather"}, 422, "unknown signal 'weather'"),
        ({"severity": "urgent"}, 422, "'low', 'medium', 'high' or 'critical'"),
    ]
    for params, status, needle in cases:
        response = client.get("/v1/tickets", params=params)
        assert response.status_code == status, (params, response.text[:300])
        assert needle in json.dumps(response.json()["detail"], ensure_ascii=False), response.text[:300]
    for path, status in (("/v1/tickets/0", 422), (f"/v1/tickets/{2**64}", 422), ("/v1/tickets/abc", 422)):
        assert client.get(path).status_code == status, path
    assert snapshot(client) == before
