"""What a multi-worker server (`triage serve --workers 2`) must share: `/metrics` counts the
server's requests whichever worker answers the scrape, and a key's rate limit is one bucket."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.api.conftest import AGENT_KEY
from tests.reliability.served import Server

CHECKS = 40
DRAFTS = [f"Здравствуйте. Это не к нам, обращайтесь к курьеру. Заказ №{k} мы не проверяли." for k in range(CHECKS)]


def counted(scrape: str, route: str) -> float:
    pattern = rf'triage_requests_total\{{method="POST",route="{re.escape(route)}",status="200"\}} (\S+)'
    found = re.search(pattern, scrape)
    return float(found.group(1)) if found else 0.0


def test_metrics_add_up_every_worker(served_models: Path, tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'workers.db'}", served_models, tmp_path / "uvicorn.log")
    headers = {"Authorization": f"Bearer {AGENT_KEY}"}
    try:
        server.start()
        for draft in DRAFTS:  # a new connection each: the two workers take turns accepting them
            assert httpx.post(f"{server.url}/v1/replies/check", json={"text": draft}, headers=headers).is_success
        scrapes = [httpx.get(f"{server.url}/metrics", headers=headers).text for _ in range(8)]
    finally:
        server.stop()
    assert [counted(s, "/v1/replies/check") for s in scrapes] == [CHECKS] * len(scrapes)
    verdicts = [
        sum(float(v) for v in re.findall(r"triage_reply_checks_total\{tone=\"\w+\"\} (\S+)", s)) for s in scrapes
    ]
    assert verdicts == [CHECKS] * len(scrapes)


def test_one_rate_limit_bucket_per_key_across_workers(served_models: Path, tmp_path: Path) -> None:
    burst = 6
    server = Server(
        f"sqlite:///{tmp_path / 'limit.db'}",
        served_models,
        tmp_path / "uvicorn.log",
        TRIAGE_RATE_LIMIT_PER_SECOND="0.001",  # no refill within the test
        TRIAGE_RATE_LIMIT_BURST=str(burst),
    )
    headers = {"Authorization": f"Bearer {AGENT_KEY}"}
    try:
        server.start()
        # a new connection each, so both workers answer some: per-worker buckets would let 2 × burst through
        codes = [httpx.get(f"{server.url}/v1/models", headers=headers).status_code for _ in range(3 * burst)]
    finally:
        server.stop()
    assert codes.count(200) == burst and codes.count(429) == 2 * burst, codes
