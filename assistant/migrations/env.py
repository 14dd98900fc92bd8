"""Alembic's entry point: run migrations on the connection ``assistant.database.upgrade`` passes in."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through assistant.database.upgrade (shortlist db upgrade).")
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
