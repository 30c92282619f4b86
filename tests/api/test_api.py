"""API tests with `TestClient` against a real SQLite file and the real trained models."""

from fastapi.testclient import TestClient

GAS = "Добрый день. В подъезде сильно пахнет газом, соседи волнуются."
TYPO = "В чеке опечатка: «Малако» вместо «Молоко»."
LATE = "Курьер опоздал на час, но заказ привёз целым."


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready == {
        "status": "ready",
        "models": {"severity": "20260101-000000", "tone": "20260101-000001"},
        "database": True,
    }


def test_post_ticket_scores_and_stores_it(client: TestClient) -> None:
    response = client.post("/v1/tickets", json={"text": GAS, "channel": "web_form", "customer": "Ирина"})
    assert response.status_code == 201
    body = response.json()
    assert body["severity"] == "critical"
    assert abs(sum(body["scores"].values()) - 1) < 1e-6
    assert "safety" in [s["label"] for s in body["signals"]]
    assert body["model_version"] == "20260101-000000"
    assert body["status"] == "open"
    assert client.get(f"/v1/tickets/{body['id']}").json() == body


def test_posting_the_same_external_id_twice_stores_once(client: TestClient) -> None:
    first = client.post("/v1/tickets", json={"text": LATE, "external_id": "zd-1"})
    second = client.post("/v1/tickets", json={"text": "другой текст, тот же id", "external_id": "zd-1"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert len(client.get("/v1/tickets").json()["items"]) == 1


def test_queue_puts_the_calm_gas_leak_above_the_furious_typo(client: TestClient) -> None:
    client.post("/v1/tickets", json={"text": TYPO.upper() + " ПОЗОРИЩЕ!!!"})
    client.post("/v1/tickets", json={"text": LATE})
    client.post("/v1/tickets", json={"text": GAS})
    items = client.get("/v1/tickets").json()["items"]
    assert items[0]["text"] == GAS
    ranks = ["low", "medium", "high", "critical"]
    assert [ranks.index(i["severity"]) for i in items] == sorted(
        (ranks.index(i["severity"]) for i in items), reverse=True
    )


def test_queue_pages_with_a_cursor_and_filters(client: TestClient) -> None:
    texts = [f"{LATE} Заказ №{n}." for n in range(5)] + [GAS]
    for text in texts:
        client.post("/v1/tickets", json={"text": text})
    seen, cursor = [], None
    while True:
        page = client.get("/v1/tickets", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    critical = client.get("/v1/tickets", params={"severity": "critical"}).json()["items"]
    assert [i["text"] for i in critical] == [GAS]
    safety = client.get("/v1/tickets", params={"signal": "safety"}).json()["items"]
    assert GAS in [i["text"] for i in safety]


def test_patch_changes_status(client: TestClient) -> None:
    ident = client.post("/v1/tickets", json={"text": LATE}).json()["id"]
    assert client.patch(f"/v1/tickets/{ident}", json={"status": "resolved"}).json()["status"] == "resolved"
    assert client.get("/v1/tickets", params={"status": "resolved"}).json()["items"][0]["id"] == ident
    assert client.patch(f"/v1/tickets/{ident}", json={"status": "lost"}).status_code == 422
    assert client.patch("/v1/tickets/999999", json={"status": "closed"}).status_code == 404


def test_batch_scores_all_or_nothing(client: TestClient) -> None:
    ok = client.post("/v1/tickets/batch", json={"tickets": [{"text": LATE}, {"text": GAS}]})
    assert ok.status_code == 201
    assert [t["severity"] for t in ok.json()][1] == "critical"
    bad = client.post("/v1/tickets/batch", json={"tickets": [{"text": LATE}, {"text": ""}]})
    assert bad.status_code == 422
    assert "tickets[1]" in bad.json()["detail"]
    too_many = client.post("/v1/tickets/batch", json={"tickets": [{"text": LATE}] * 6})
    assert too_many.status_code == 413
    assert len(client.get("/v1/tickets").json()["items"]) == 2


def test_reply_check_returns_the_linter_contract(client: TestClient) -> None:
    response = client.post(
        "/v1/replies/check", json={"text": "Извините, но вы сами виноваты. Такова политика компании."}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["tone"] == "blame_shifting"
    assert body["spans"] and all(s["message"] and s["suggestion"] for s in body["spans"])
    assert body["model_version"] == "20260101-000001"
    assert len(client.get("/v1/tickets").json()["items"]) == 0


def test_models_lists_versions_and_metrics(client: TestClient) -> None:
    models = {m["task"]: m for m in client.get("/v1/models").json()}
    assert set(models) == {"severity", "tone"}


def test_corrections_are_stored_with_who_and_what(client: TestClient) -> None:
    ticket = client.post("/v1/tickets", json={"text": LATE}).json()
    fixed = client.post(
        "/v1/corrections",
        json={
            "target": "ticket",
            "ticket_id": ticket["id"],
            "severity": "high",
            "signals": ["deadline"],
            "agent": "anna",
        },
    )
    assert fixed.status_code == 201
    body = fixed.json()
    assert body["labels"] == {"severity": "high", "signals": ["deadline"]}
    assert (body["agent"], body["ticket_id"], body["text"]) == ("anna", ticket["id"], LATE)
    assert body["model_version"] == ticket["model_version"]
    draft = "Извините, но это не к нам."
    reply = client.post(
        "/v1/corrections",
        json={
            "target": "reply",
            "text": draft,
            "tone": "blame_shifting",
            "spans": [{"start": 13, "end": 25, "label": "deflection"}],
            "agent": "boris",
        },
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["labels"]["spans"] == [{"start": 13, "end": 25, "label": "deflection"}]


def test_bad_corrections_are_refused(client: TestClient) -> None:
    ticket = client.post("/v1/tickets", json={"text": LATE}).json()
    cases = [
        ({"target": "ticket", "ticket_id": ticket["id"], "agent": "a"}, 422),
        ({"target": "ticket", "ticket_id": 99999, "severity": "low", "agent": "a"}, 404),
        ({"target": "ticket", "ticket_id": ticket["id"], "severity": "urgent", "agent": "a"}, 422),
        ({"target": "ticket", "ticket_id": ticket["id"], "signals": ["weather"], "agent": "a"}, 422),
        ({"target": "email", "agent": "a"}, 422),
        (
            {
                "target": "reply",
                "text": "Это не к нам.",
                "spans": [{"start": 0, "end": 99, "label": "deflection"}],
                "agent": "a",
            },
            422,
        ),
        (
            {
                "target": "reply",
                "text": "Это не к нам.",
                "tone": "neutral",
                "spans": [{"start": 0, "end": 4, "label": "deflection"}],
                "agent": "a",
            },
            422,
        ),
        ({"target": "reply", "text": "Это не к нам.", "tone": "rude", "agent": "a"}, 422),
        ({"target": "reply", "text": "Это не к нам.", "tone": "neutral"}, 422),
    ]
    for payload, code in cases:
        assert client.post("/v1/corrections", json=payload).status_code == code, payload


def test_languagetool_check_counts_utf16_while_v1_counts_code_points(client: TestClient) -> None:
    draft = "Здравствуйте 😊🙏. Это не к нам, обратитесь в банк 🏦 сами."
    v1 = client.post("/v1/replies/check", json={"text": draft}).json()
    lt = client.post("/v2/check", data={"text": draft, "language": "ru-RU"})
    assert lt.status_code == 200, lt.text
    body = lt.json()
    assert body["language"]["code"] == "ru-RU"
    assert body["software"]["name"] == "complaint-triage"
    assert v1["spans"] and len(body["matches"]) == len(v1["spans"])
    utf16 = draft.encode("utf-16-le")
    for match, span in zip(body["matches"], v1["spans"], strict=True):
        assert draft[span["start"] : span["end"]] == span["text"]
        astral_before = sum(ord(c) > 0xFFFF for c in draft[: span["start"]])
        assert astral_before >= 2
        assert match["offset"] == span["start"] + astral_before  # each emoji is two UTF-16 units
        assert utf16[2 * match["offset"] : 2 * (match["offset"] + match["length"])].decode("utf-16-le") == span["text"]
        context = match["context"]
        piece = context["text"].encode("utf-16-le")[2 * context["offset"] : 2 * (context["offset"] + context["length"])]
        assert piece.decode("utf-16-le") == span["text"]
        assert match["rule"]["category"]["id"] == "BLAME_SHIFTING"
        assert match["replacements"][0]["value"]


def test_languagetool_check_refuses_what_it_cannot_check(client: TestClient) -> None:
    assert client.post("/v2/check", data={"text": "Это не к нам.", "language": "en-US"}).status_code == 400
    assert client.post("/v2/check", data={"text": "", "language": "ru"}).status_code in (400, 422)
    assert client.post("/v2/check", data={"language": "ru"}).status_code == 422
    clean = client.post("/v2/check", data={"text": "Спасибо! Вернём деньги до пятницы.", "language": "auto"}).json()
    assert clean["matches"] == []


def test_a_follow_up_rescores_the_thread_and_raises_an_unresolved_ticket(client: TestClient) -> None:
    ticket = client.post("/v1/tickets", json={"text": "Интернет стал медленный по вечерам, видео тормозит."}).json()
    assert ticket["severity"] in ("low", "medium")
    follow_up = "Пишу снова: вечером опять всё тормозит, никто так и не позвонил."
    response = client.post(f"/v1/tickets/{ticket['id']}/messages", json={"text": follow_up})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["severity"] in ("high", "critical")
    assert [m["text"] for m in body["messages"]] == [follow_up]
    thread = "\n\n".join([ticket["text"], follow_up])
    repeat = [s for s in body["signals"] if s["label"] == "repeat_contact"]
    assert repeat
    for signal in body["signals"]:
        for span in signal["spans"]:
            assert thread[span["start"] : span["end"]] == span["text"]
    assert client.get(f"/v1/tickets/{ticket['id']}").json()["severity"] == body["severity"]
    assert client.get("/v1/tickets").json()["items"][0]["id"] == ticket["id"]


def test_follow_ups_are_validated(client: TestClient) -> None:
    ident = client.post("/v1/tickets", json={"text": LATE}).json()["id"]
    assert client.post(f"/v1/tickets/{ident}/messages", json={"text": ""}).status_code == 422
    assert client.post("/v1/tickets/424242/messages", json={"text": "ещё раз пишу"}).status_code == 404
    assert client.get(f"/v1/tickets/{ident}").json()["messages"] == []


def test_helpdesk_webhooks_in_zendesk_and_zammad_shapes(client: TestClient) -> None:
    zendesk = {
        "ticket": {
            "id": 4711,
            "subject": "Запах газа",
            "description": GAS,
            "via": {"channel": "web"},
            "requester": {"name": "Ирина", "email": "irina@example.ru"},
            "tags": ["new"],
        }
    }
    first = client.post("/v1/webhooks/helpdesk", json=zendesk)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["external_id"] == "zendesk:4711"
    assert body["severity"] == "critical"
    assert "severity_critical" in body["tags"] and "signal_safety" in body["tags"]
    assert client.post("/v1/webhooks/helpdesk", json=zendesk).json()["ticket_id"] == body["ticket_id"]
    zammad = {
        "ticket": {"id": 88, "number": "31088", "title": "Опечатка в чеке", "state": "new"},
        "article": {"body": TYPO, "type": "email", "from": "client@example.ru"},
    }
    second = client.post("/v1/webhooks/helpdesk", json=zammad).json()
    assert second["external_id"] == "zammad:88"
    assert second["severity"] in ("low", "medium")
    assert len(client.get("/v1/tickets").json()["items"]) == 2


def test_helpdesk_webhook_rejects_other_shapes(client: TestClient) -> None:
    for payload in ({"event": "created"}, {"ticket": {"id": 1}}, {"ticket": {"id": 1}, "article": {}}):
        response = client.post("/v1/webhooks/helpdesk", json=payload)
        assert response.status_code == 422
        assert "Zendesk- or Zammad-style" in response.json()["detail"]
    english = {"ticket": {"id": 2, "description": "My internet is down"}}
    assert "no Russian" in client.post("/v1/webhooks/helpdesk", json=english).json()["detail"]


def test_prometheus_metrics_count_requests_and_predictions(client: TestClient) -> None:
    client.post("/v1/tickets", json={"text": GAS})
    client.post("/v1/replies/check", json={"text": "Это не к нам."})
    assert client.post("/v1/tickets", json={"text": 5}).status_code == 422
    assert client.post("/v1/nowhere", json={}).status_code == 404
    text = client.get("/metrics").text
    assert 'triage_requests_total{method="POST",route="/v1/tickets",status="201"} 1.0' in text
    assert 'triage_requests_total{method="POST",route="/v1/tickets",status="422"} 1.0' in text
    assert 'triage_requests_total{method="POST",route="unmatched",status="404"} 1.0' in text
    assert 'triage_ticket_predictions_total{severity="critical"} 1.0' in text
    assert "triage_reply_checks_total" in text
    assert "triage_request_seconds_bucket" in text
