"""The domain's objects built from the settings: shared by the bot and the command line."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.config import Settings
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.policy import Bureau, Staff, load_policy
from knowledge.db.engine import make_engine


def engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def bureau(settings: Settings) -> Bureau:
    """The calendar, the complaint time limits and the staff, from the settings."""
    return Bureau(
        calendar=WorkCalendar.load(),
        policy=load_policy(settings.complaint_limits),
        staff=Staff(
            hotline=frozenset(settings.hotline_officers),
            handlers=tuple(settings.handling_officers.items()),
            supervisors=frozenset(settings.supervisors),
            leader=settings.supervision_leader,
            officers_chat_id=settings.officers_chat_id,
        ),
    )
