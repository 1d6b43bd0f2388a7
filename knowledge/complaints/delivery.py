"""What it means when Telegram refuses a complaint message for good.

A resident who blocked the bot cannot be told anything more: their complaint is
flagged as unreachable, and the hotline gets a phone follow-up task (for a reply
awaiting their rating, the 回访 task with the buttons to record it). A reminder
to an officer who never opened a chat with the bot goes to the group instead.
The bot removed from the officers' group is for the operator to mend.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import select

from knowledge.complaints import deadlines, notices, outbox
from knowledge.complaints.outbox import Queued
from knowledge.complaints.policy import Bureau
from knowledge.complaints.vocabulary import Message, State
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, utcnow


class Refusal(StrEnum):
    """What a refusal for good turned out to be."""

    BAD_REQUEST = "bad-request"  # the message itself was refused: kept for the operator
    GROUP_LOST = "group-lost"  # the bot can no longer post to the officers' group
    REDIRECTED = "redirected"  # an officer's private reminder, posted to the group instead
    UNREACHABLE = "unreachable"  # a resident blocked the bot: the hotline will call


def refused(
    engine: Engine, batch: list[Queued], error: str, *, blocked: bool, bureau: Bureau
) -> Refusal:
    """Give the batch up, and do what its refusal calls for, in one transaction."""
    group = bureau.staff.officers_chat_id
    first = batch[0].message
    with open_session(engine) as session:
        outbox.give_up(session, [q.id for q in batch], error=error)
        if not blocked:
            verdict = Refusal.BAD_REQUEST
        elif first.chat_id == group:
            verdict = Refusal.GROUP_LOST
        elif first.kind is Message.REMINDER:
            verdict = Refusal.REDIRECTED
            if group is not None:
                outbox.enqueue(
                    session,
                    [
                        outbox.Outgoing(
                            group,
                            q.message.text,
                            Message.REMINDER,
                            q.message.ticket,
                            f"group:{q.message.key}" if q.message.key else None,
                            mention=q.message.mention,
                        )
                        for q in batch
                    ],
                )
        else:
            verdict = Refusal.UNREACHABLE
            for ticket in sorted({q.message.ticket for q in batch if q.message.ticket}):
                complaint = session.exec(
                    select(Complaint).where(Complaint.ticket == ticket)
                ).first()
                if complaint is None or complaint.unreachable:
                    continue
                complaint.unreachable = complaint.flagged = True
                if State(complaint.state) is State.REPLIED:
                    deadlines.follow_up_now(session, complaint, bureau, utcnow())
                else:
                    outbox.enqueue(session, notices.phone_follow_up_notice(complaint, bureau))
        session.commit()
    return verdict
