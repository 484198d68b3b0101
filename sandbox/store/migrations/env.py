"""Alembic environment: runs on the connection handed over by the engine."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called programmatically
    raise RuntimeError("sandbox migrations run through sandbox.store.get_engine()")

context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
