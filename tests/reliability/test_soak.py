"""Soak: a real server (`triage serve --workers 2`) in a subprocess under a bounded concurrent load of
ticket posts: two worker processes write to one database, as a deployment does.

`POSTS` posts from `THREADS` threads (httpx), about 30 % of them repeating an earlier `external_id`
with the same text, as a help desk retrying would. Afterwards the database is read directly:
- every `external_id` acknowledged with a 2xx is stored, with the text posted for it;
- no `external_id` is stored twice, and each got exactly one 201;
- without a crash, stored == acknowledged.
The second variant SIGKILLs the server (the supervisor and both workers) when a third of the posts
are acknowledged, restarts it on the same database and checks that every acknowledged ticket
survived and that the database is sound: SQLite `PRAGMA integrity_check` == ok; PostgreSQL has no
such pragma, so it checks that no `external_id` is stored twice (by GROUP BY, not trusting the
unique index), that every row of every table reads back (full scans, JSON columns decoded), and,
where the `amcheck` extension is installed, `bt_index_check` on every B-tree index of the tables.
Runs on SQLite, and on PostgreSQL when TRIAGE_TEST_POSTGRES_URL is set. Bounded by counts and by
timeouts on each wait; no assertion is about time.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import AGENT_KEY, POSTGRES_URL, fresh_postgres
from tests.reliability.served import Server

ROOT = Path(__file__).resolve().parents[2]
POSTS = 3_000
THREADS = 16
REPEAT_SHARE = 0.3
KILL_AFTER = POSTS // 3
TEXTS = [
    "Курьер опоздал на час, но заказ привёз целым.",
    "Третий день нет интернета, пишу уже второй раз.",
    "В подъезде сильно пахнет газом, соседи волнуются.",
    "Списали деньги дважды за одну подписку, верните.",
    "zdravstvuite, internet ne rabotaet uzhe tretii den",
]


def plan(seed: int) -> list[tuple[str, str]]:
    """(external_id, text) per post; about REPEAT_SHARE of them repeat an earlier id with its text."""
    rng = random.Random(seed)
    posts: list[tuple[str, str]] = []
    for k in range(POSTS):
        if posts and rng.random() < REPEAT_SHARE:
            posts.append(rng.choice(posts))
        else:
            posts.append((f"soak-{seed}-{k}", f"{rng.choice(TEXTS)} Заявка №{k}, клиент {rng.randint(1, 10**6)}."))
    return posts


@dataclass
class Tally:
    """What the clients saw, updated under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, str] = field(default_factory=dict)
    created: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int | str] = field(default_factory=Counter)
    in_flight: int = 0
    in_flight_at_kill: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)


def load(server: Server, posts: list[tuple[str, str]], tally: Tally, kill_after: int | None = None) -> None:
    """Post everything from THREADS threads; after a kill, posts fail fast and are only counted."""
    local = threading.local()

    def post(item: tuple[str, str]) -> None:
        external_id, body = item
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {AGENT_KEY}"})
        with tally.lock:
            tally.in_flight += 1
        try:
            response = local.client.post("/v1/tickets", json={"text": body, "external_id": external_id}, timeout=30)
        except httpx.HTTPError as err:
            with tally.lock:
                tally.in_flight -= 1
                tally.statuses[type(err).__name__] += 1
            return
        with tally.lock:
            tally.in_flight -= 1
            tally.statuses[response.status_code] += 1
            if response.is_success:
                tally.acknowledged[external_id] = body
                assert response.json()["external_id"] == external_id
                if response.status_code == 201:
                    tally.created[external_id] += 1
                if kill_after is not None and len(tally.acknowledged) >= kill_after and not tally.reached.is_set():
                    tally.reached.set()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(post, item) for item in posts]
        if kill_after is not None:
            assert tally.reached.wait(timeout=120), "the kill threshold was never reached"
            with tally.lock:
                tally.in_flight_at_kill = tally.in_flight
            server.kill()
        for future in futures:
            future.result()


def stored(database_url: str) -> tuple[dict[str, str], int, int]:
    """(external_id → text, rows, external_ids stored more than once), read past the server."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT external_id, text FROM tickets")).all()
            duplicated = connection.execute(
                text(
                    "SELECT count(*) FROM (SELECT external_id FROM tickets GROUP BY external_id HAVING count(*) > 1) d"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return {external_id: body for external_id, body in rows}, len(rows), duplicated


def integrity(database_url: str) -> str:
    """SQLite: PRAGMA integrity_check. PostgreSQL: every row readable, amcheck on the B-tree indexes."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            assert result == ["ok"], result
            assert list(connection.execute("PRAGMA foreign_key_check")) == []
        return "PRAGMA integrity_check: ok; foreign_key_check: none"
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            read = {
                table: len(connection.execute(text(f"SELECT * FROM {table}")).all())
                for table in ("tickets", "messages", "corrections", "alembic_version")
            }
            for scores, signals in connection.execute(text("SELECT scores, signals FROM tickets")):
                assert isinstance(scores, dict) and isinstance(signals, list)
            available = connection.execute(
                text("SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'")
            ).scalar_one()
            checked = 0
            if available:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                indexes = connection.execute(
                    text(
                        "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_am a ON a.oid = c.relam JOIN pg_class t ON t.oid = i.indrelid "
                        "WHERE a.amname = 'btree' AND t.relname IN ('tickets', 'messages', 'corrections')"
                    )
                ).scalars()
                for oid in list(indexes):
                    connection.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
                    checked += 1
    finally:
        engine.dispose()
    amcheck = f"bt_index_check(heapallindexed) ok on {checked} indexes" if available else "amcheck not installed"
    return f"rows read {read}; {amcheck}"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL"))]
)
def soak_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'soak.db'}"
    return fresh_postgres(POSTGRES_URL)


def test_concurrent_posts_are_stored_once_each(soak_database: str, served_models: Path, tmp_path: Path) -> None:
    server = Server(soak_database, served_models, tmp_path / "uvicorn.log")
    posts, tally = plan(seed=1), Tally()
    try:
        server.start()
        load(server, posts, tally)
    finally:
        server.stop()
    rows, count, duplicated = stored(soak_database)
    report = integrity(soak_database)
    print(
        f"\nsoak {soak_database.split(':')[0]}: {len(posts)} posts ({len(posts) - len(set(posts))} repeats), "
        f"statuses {dict(tally.statuses)}; acknowledged {len(tally.acknowledged)}, stored {count}, "
        f"duplicates {duplicated}; {report}"
    )
    assert set(tally.statuses) <= {200, 201}, tally.statuses
    assert rows == tally.acknowledged  # same ids, and each stored text is the one posted
    assert count == len(rows) == len(set(posts))
    assert duplicated == 0
    assert all(n == 1 for n in tally.created.values()) and len(tally.created) == len(rows)


def test_acknowledged_posts_survive_a_sigkill(soak_database: str, served_models: Path, tmp_path: Path) -> None:
    server = Server(soak_database, served_models, tmp_path / "uvicorn.log")
    posts, tally = plan(seed=2), Tally()
    try:
        server.start()
        load(server, posts, tally, kill_after=KILL_AFTER)
        killed_rows, _, _ = stored(soak_database)
        server.start()  # the same database, after a crash
        after = httpx.get(f"{server.url}/readyz", timeout=10).json()
        listed = httpx.get(
            f"{server.url}/v1/tickets", params={"limit": 1000}, headers={"Authorization": f"Bearer {AGENT_KEY}"}
        )
    finally:
        server.stop()
    rows, count, duplicated = stored(soak_database)
    report = integrity(soak_database)
    lost = set(tally.acknowledged) - set(rows)
    unacknowledged = set(rows) - set(tally.acknowledged)
    print(
        f"\nsoak+SIGKILL {soak_database.split(':')[0]}: {len(posts)} posts, statuses {dict(tally.statuses)}; "
        f"in flight at the kill {tally.in_flight_at_kill}; acknowledged {len(tally.acknowledged)}, stored {count} "
        f"(stored but never acknowledged {len(unacknowledged)}), lost {len(lost)}, duplicates {duplicated}; {report}"
    )
    assert after["status"] == "ready" and listed.status_code == 200
    assert len(tally.acknowledged) >= KILL_AFTER
    assert not lost
    assert all(rows[external_id] == body for external_id, body in tally.acknowledged.items())
    assert duplicated == 0 and count == len(rows)
    assert rows == killed_rows  # what was on disk at the kill is what the restarted server has
    assert set(rows) <= {external_id for external_id, _ in posts}
    assert len(unacknowledged) <= THREADS  # only requests cut off mid-way, at most one per client thread
