"""Residents' 👍 / 👎 on answers, and the optional "哪里不对？" comment after a 👎."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import col, select

from knowledge.db.engine import open_session
from knowledge.db.models import AnswerVote


def record(
    engine: Engine,
    *,
    chat_id: int,
    message_id: int,
    helpful: bool,
    answer: str,
    question: str | None,
    entry: str | None,
    aspect: str | None,
) -> int:
    """Store one vote with the question and the answer it was about; returns its id."""
    with open_session(engine) as session:
        row = AnswerVote(
            chat_id=chat_id,
            message_id=message_id,
            helpful=helpful,
            answer=answer,
            question=question,
            entry=entry,
            aspect=aspect,
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def await_comment(engine: Engine, feedback_id: int, prompt_message_id: int) -> None:
    """Remember which prompt message a comment for this vote will reply to."""
    with open_session(engine) as session:
        row = session.get(AnswerVote, feedback_id)
        if row is not None:
            row.prompt_message_id = prompt_message_id
            session.commit()


def add_comment(engine: Engine, chat_id: int, prompt_message_id: int, comment: str) -> bool:
    """Attach a resident's reply to the prompt it answers; False if no vote waits on it."""
    with open_session(engine) as session:
        row = session.exec(
            select(AnswerVote).where(
                AnswerVote.chat_id == chat_id,
                AnswerVote.prompt_message_id == prompt_message_id,
            )
        ).first()
        if row is None:
            return False
        row.comment = comment
        session.commit()
        return True


def recent(engine: Engine, *, limit: int = 50, unhelpful_only: bool = False) -> list[AnswerVote]:
    """The newest votes first, for staff."""
    with open_session(engine) as session:
        query = select(AnswerVote).order_by(col(AnswerVote.id).desc()).limit(limit)
        if unhelpful_only:
            query = query.where(col(AnswerVote.helpful).is_(False))
        return list(session.exec(query).all())
