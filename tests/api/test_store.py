"""The store on its own: migrations build exactly the models' schema, on SQLite and PostgreSQL."""

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
