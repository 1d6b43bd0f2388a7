"""The staff audit log: append-only, one row per action, written in the action's transaction."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.db.engine import open_session
from knowledge.db.models import AuditRecord


def record(
    session: Session,
    username: str,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
) -> None:
    """Add a row to the caller's transaction (it commits with the change it records)."""
    session.add(
        AuditRecord(username=username, action=action, target=target, detail=detail, address=address)
    )


def recent(engine: Engine, *, limit: int = 200, username: str | None = None) -> list[AuditRecord]:
    with open_session(engine) as session:
        query = select(AuditRecord).order_by(col(AuditRecord.id).desc()).limit(limit)
        if username:
            query = query.where(AuditRecord.username == username)
        return list(session.exec(query).all())
