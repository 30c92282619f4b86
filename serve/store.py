"""The ticket store: SQLAlchemy 2 models and the queries the routes need.

SQLite by default (WAL mode, so readers never block the writer), PostgreSQL by URL. Every stored
prediction keeps the model version that made it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from training.filelock import exclusive

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
THREAD_SEPARATOR = "\n\n"
STATUSES = ("open", "in_progress", "resolved", "closed")


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if value is not None and dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def now() -> datetime:
    return datetime.now(UTC)


class Message(Base):
    """A customer's follow-up on a ticket; the ticket is re-scored on the whole thread."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, index=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(50))
    customer: Mapped[str | None] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(20), index=True)
    severity_rank: Mapped[int] = mapped_column(Integer, index=True)
    scores: Mapped[dict[str, float]] = mapped_column(JSON)
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    model_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    messages: Mapped[list[Message]] = relationship(order_by=Message.id, lazy="selectin")

    @property
    def thread(self) -> str:
        """The first message and every follow-up, joined by blank lines: what the model scores."""
        return THREAD_SEPARATOR.join([self.text, *(m.text for m in self.messages)])


class Correction(Base):
    """An agent's correction of a ticket's labels or of a checked draft; retraining reads these."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(10), index=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    text: Mapped[str] = mapped_column(Text)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(40))
    agent: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)


def make_engine(url: str) -> Engine:
    """An engine for the URL; for SQLite the folder is created and WAL mode switched on."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


MIGRATIONS = Path(__file__).parent / "migrations"


MIGRATION_LOCK = 7_302_011  # pg_advisory_xact_lock key: any constant the app uses for nothing else


def migrate(engine: Engine) -> None:
    """Apply the Alembic migrations up to head (a database made before migrations existed is
    stamped at the first revision, whose tables it already has).

    Serialised: N workers started together on a new database would otherwise each run the same
    `CREATE TABLE` and all but one fail. PostgreSQL takes an advisory lock held until the migration
    commits; a SQLite file is guarded by an exclusive lock on a file beside it (one machine).
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with migration_file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sqlalchemy.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if "tickets" in tables and "alembic_version" not in tables:
            command.stamp(config, "0001")
        command.upgrade(config, "head")


def migration_file_lock(engine: Engine) -> AbstractContextManager[None]:
    """An exclusive lock on `<database file>.migrate-lock` for a SQLite file; nothing otherwise."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return nullcontext()
    return exclusive(Path(f"{database}.migrate-lock"))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def add_ticket(session: Session, values: dict[str, Any]) -> tuple[Ticket, bool]:
    """Store a scored ticket; with an `external_id` already stored, return that one instead.

    Returns (ticket, created). Idempotency holds under concurrency through the unique index: a
    racing duplicate insert fails and the stored row is returned.
    """
    external_id = values.get("external_id")
    if external_id is not None:
        existing = session.scalar(select(Ticket).where(Ticket.external_id == external_id))
        if existing is not None:
            return existing, False
    ticket = Ticket(**values, severity_rank=SEVERITY_RANK[values["severity"]])
    session.add(ticket)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(Ticket).where(Ticket.external_id == external_id))
        if existing is None:
            raise
        return existing, False
    return ticket, True


def add_message(session: Session, ticket: Ticket, text: str) -> Message:
    message = Message(ticket_id=ticket.id, text=text)
    session.add(message)
    session.flush()
    session.refresh(ticket, ["messages"])
    return message


def rescore(ticket: Ticket, prediction: dict[str, Any]) -> None:
    ticket.severity = prediction["severity"]
    ticket.severity_rank = SEVERITY_RANK[prediction["severity"]]
    ticket.scores = prediction["scores"]
    ticket.signals = prediction["signals"]
    ticket.model_version = prediction["model_version"]


def encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.severity_rank, ticket.created_at.isoformat(), ticket.id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    """Raises ValueError for anything that is not a cursor this server issued."""
    try:
        rank, created, ident = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        rank, created, ident = int(rank), datetime.fromisoformat(created), int(ident)
    except (ValueError, TypeError, json.JSONDecodeError) as err:
        raise ValueError("invalid cursor") from err
    if rank not in SEVERITY_RANK.values() or not 0 <= ident < 2**63:  # out of range would fail in the database
        raise ValueError("invalid cursor")
    return rank, created, ident


def queue(
    session: Session,
    limit: int,
    cursor: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    signal: str | None = None,
) -> tuple[list[Ticket], str | None]:
    """The queue: most severe first, then oldest first; keyset pagination on (rank, created, id)."""
    query = select(Ticket)
    if severity:
        query = query.where(Ticket.severity == severity)
    if status:
        query = query.where(Ticket.status == status)
    if cursor:
        rank, created, ident = decode_cursor(cursor)
        query = query.where(
            (Ticket.severity_rank < rank)
            | ((Ticket.severity_rank == rank) & (Ticket.created_at > created))
            | ((Ticket.severity_rank == rank) & (Ticket.created_at == created) & (Ticket.id > ident))
        )
    query = query.order_by(Ticket.severity_rank.desc(), Ticket.created_at.asc(), Ticket.id.asc())
    items: list[Ticket] = []
    for ticket in _stream(session, query, signal):
        items.append(ticket)
        if len(items) > limit:
            break
    more = len(items) > limit
    items = items[:limit]
    return items, encode_cursor(items[-1]) if more and items else None


def _stream(session: Session, query: Any, signal: str | None) -> Iterator[Ticket]:
    """Rows in order, filtered by signal in Python (signals live in a JSON column on both databases)."""
    for ticket in session.scalars(query.execution_options(yield_per=500)):
        if signal is None or any(s.get("label") == signal for s in ticket.signals or []):
            yield ticket


def corrections_for_export(session: Session, target: str) -> list[dict[str, Any]]:
    """Every stored correction of one target, oldest first, as plain dicts for `training.corrections`.

    A ticket correction carries the ticket's stored prediction, which stands for the label an agent
    did not correct.
    """
    rows = session.scalars(select(Correction).where(Correction.target == target).order_by(Correction.id)).all()
    tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_({r.ticket_id for r in rows})))}
    out = []
    for row in rows:
        ticket = tickets.get(row.ticket_id) if row.ticket_id is not None else None
        predicted = (
            {"severity": ticket.severity, "signals": [s["label"] for s in ticket.signals or []]} if ticket else None
        )
        out.append(
            {
                "id": row.id,
                "text": row.text,
                "labels": row.labels,
                "agent": row.agent,
                "created_at": row.created_at.isoformat(),
                "predicted": predicted,
            }
        )
    return out


def stored_ticket_texts(session: Session) -> list[dict[str, Any]]:
    """Every stored ticket as `{id, text}` (the whole thread, as it was scored), oldest first."""
    return [{"id": f"ticket-{t.id}", "text": t.thread} for t in session.scalars(select(Ticket).order_by(Ticket.id))]


def stored_reply_texts(session: Session) -> list[dict[str, Any]]:
    """Every distinct draft text agents sent corrections for, as `{id, text}`."""
    seen: dict[str, dict[str, Any]] = {}
    for row in session.scalars(select(Correction).where(Correction.target == "reply").order_by(Correction.id)):
        seen.setdefault(row.text, {"id": f"correction-{row.id}", "text": row.text})
    return list(seen.values())
