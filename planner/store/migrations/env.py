"""Alembic environment of the job store: runs on the connection that :func:`planner.store.migrate` passes."""

from __future__ import annotations

from alembic import context

from planner.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI without a connection
    raise RuntimeError("run migrations through planner.store.migrate(), which passes a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
