"""Complaints being written, and officers' pending answers: kept in the database.

A resident's half-written complaint survives a restart, and so does the bot's
question to an officer ("转办给哪个科室？") while it waits for the reply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from knowledge.db.engine import open_session
from knowledge.db.models import ComplaintDraft, OfficerPrompt, utcnow


def get(engine: Engine, chat_id: int) -> ComplaintDraft | None:
    with open_session(engine) as session:
        return session.get(ComplaintDraft, chat_id)


def chats_with_drafts(engine: Engine) -> set[int]:
    """Chats with a complaint being written (loaded at start-up, kept in memory after)."""
    with open_session(engine) as session:
        return set(session.exec(select(ComplaintDraft.chat_id)).all())


def save(engine: Engine, chat_id: int, user_id: int, step: str, data: dict[str, Any]) -> None:
    """Create or replace the chat's draft at `step`."""
    with open_session(engine) as session:
        draft = session.get(ComplaintDraft, chat_id)
        if draft is None:
            draft = ComplaintDraft(chat_id=chat_id, user_id=user_id, step=step, data=dict(data))
        else:
            draft.step, draft.data, draft.updated_at = step, dict(data), utcnow()
        session.add(draft)
        session.commit()


def discard(engine: Engine, chat_id: int) -> bool:
    with open_session(engine) as session:
        draft = session.get(ComplaintDraft, chat_id)
        if draft is None:
            return False
        session.delete(draft)
        session.commit()
        return True


def ask_officer(
    engine: Engine, chat_id: int, message_id: int, user_id: int, ticket: str, action: str
) -> None:
    with open_session(engine) as session:
        prompt = OfficerPrompt(
            chat_id=chat_id, message_id=message_id, user_id=user_id, ticket=ticket, action=action
        )
        session.add(prompt)
        session.commit()


def officer_prompt(engine: Engine, chat_id: int, message_id: int) -> OfficerPrompt | None:
    """The prompt a reply answers, if it still waits for one."""
    with open_session(engine) as session:
        return session.get(OfficerPrompt, (chat_id, message_id))


def answered(engine: Engine, chat_id: int, message_id: int) -> None:
    """The prompt's answer was applied: a second reply to it finds nothing."""
    with open_session(engine) as session:
        prompt = session.get(OfficerPrompt, (chat_id, message_id))
        if prompt is not None:
            session.delete(prompt)
            session.commit()
