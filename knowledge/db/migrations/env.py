"""Alembic environment: runs on the connection `knowledge.db.engine.upgrade` passes in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import knowledge.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `sunshine db upgrade`")

# render_as_batch lets later migrations alter columns on SQLite as well.
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
