"""Locust users for `server_load.py`: one class per endpoint, no wait between requests (closed loop).

Every request carries `Authorization: Bearer bench-agent-key`. Tickets and drafts are new texts cut
from the test splits (`serverkit.cut`), tickets without `external_id`, so each request scores (and
stores). Each locust process appends every request (end time, latency, ok) to
`$BENCH_OUT/requests-<pid>.jsonl` when it quits; `server_load.py` computes its figures from those.

    BENCH_OUT=/tmp/x .venv/bin/locust -f benchmarks/locustfile.py --headless -H http://127.0.0.1:8000 \\
        -u 16 -r 1000 -t 20s CheckUser
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from locust import FastHttpUser, constant, events, task
from serverkit import DRAFT_CHARS, HEADERS, TICKET_CHARS, cut, load_texts

TICKETS = load_texts("tickets")
REPLIES = load_texts("replies")
RECORDS: list[tuple[float, float, bool]] = []


@events.request.add_listener
def record(response_time: float, exception: BaseException | None, **_: object) -> None:
    RECORDS.append((time.time(), response_time, exception is None))


@events.quitting.add_listener
def dump(**_: object) -> None:
    out = os.environ.get("BENCH_OUT")
    if out and RECORDS:
        with open(Path(out) / f"requests-{os.getpid()}.jsonl", "a") as f:
            f.writelines(json.dumps(r) + "\n" for r in RECORDS)
        RECORDS.clear()


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.rng = random.Random(f"{os.getpid()}-{id(self)}-{time.time_ns()}")


class NoopUser(BenchUser):
    """The framework's floor: POST /bench/noop with a draft-sized body it does not read."""

    @task
    def noop(self) -> None:
        self.client.post("/bench/noop", json={"text": cut(REPLIES, self.rng, *DRAFT_CHARS)}, headers=HEADERS)


class CheckUser(BenchUser):
    @task
    def check(self) -> None:
        self.client.post("/v1/replies/check", json={"text": cut(REPLIES, self.rng, *DRAFT_CHARS)}, headers=HEADERS)


class TicketUser(BenchUser):
    @task
    def ticket(self) -> None:
        self.client.post("/v1/tickets", json={"text": cut(TICKETS, self.rng, *TICKET_CHARS)}, headers=HEADERS)
