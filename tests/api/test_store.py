"""The store on its own: migrations build exactly the models' schema, on SQLite and PostgreSQL."""

import subprocess
import sys
import time

from sqlalchemy import inspect

from serve.store import Base, make_engine, migrate


def test_migrations_build_the_models_schema_and_rerun_cleanly(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    assert "alembic_version" in inspector.get_table_names()
    engine.dispose()


def test_a_database_made_before_migrations_is_adopted(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    Base.metadata.create_all(engine)
    migrate(engine)
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()


def test_workers_migrating_a_new_database_at_once_all_succeed(database_url: str, tmp_path) -> None:
    """N workers started together on a new database each migrate it; none may fail on a table another
    one is creating. Four processes, released together by a file, each run `migrate`."""
    go = tmp_path / "go"
    script = (
        "import os, sys, time\n"
        "from serve.store import make_engine, migrate\n"
        "while not os.path.exists(sys.argv[2]): time.sleep(0.001)\n"
        "migrate(make_engine(sys.argv[1]))\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, database_url, str(go)], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    time.sleep(1.5)  # let all four import and wait at the line
    go.touch()
    failures = [w.communicate(timeout=120)[1].decode()[-600:] for w in workers if w.wait(timeout=120) != 0]
    assert not failures, failures
    engine = make_engine(database_url)
    assert {"tickets", "corrections", "messages", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()
