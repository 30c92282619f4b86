"""Alembic migrations of the ticket store; `serve.store.migrate` applies them at start-up."""
