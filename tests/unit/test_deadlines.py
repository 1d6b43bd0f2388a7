"""Reminders at 50 % and 80 % of a deadline, 督办 after it, each sent once — even across
a restart, since what was sent is in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from knowledge.complaints import deadlines, outbox
from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.policy import Bureau, Policy, Staff
from knowledge.complaints.vocabulary import Action, Channel, Message, Role, Satisfaction
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint
from knowledge.errors import Refused

CALENDAR = WorkCalendar.load()
BUREAU = Bureau(calendar=CALENDAR, policy=Policy(), staff=Staff(officers_chat_id=-9001))
CHINA = dt.timezone(dt.timedelta(hours=8))
# Monday 2026-11-23, 09:00 China time: claim due end of Tuesday, reply end of next Monday.
RECEIVED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CHINA)


def _submit(engine: Engine, key: str = "k") -> str:
    complaint, _ = cs.submit(
        engine,
        cs.Submission("窗口人员不在岗", chat_id=1, user_id=1),
        key=key,
        bureau=BUREAU,
        now=RECEIVED,
    )
    return complaint.ticket


def _kinds(engine: Engine, now: dt.datetime) -> list[str]:
    return [n.kind for n in deadlines.pending(engine, BUREAU, now)]


def test_the_ladder_for_an_unclaimed_complaint(engine: Engine) -> None:
    _submit(engine)
    assert _kinds(engine, RECEIVED + dt.timedelta(hours=1)) == []
    # Tuesday 12:00: half of the one working day (Tuesday) has gone.
    assert _kinds(engine, dt.datetime(2026, 11, 24, 12, 0, tzinfo=CHINA)) == ["remind-50"]
    assert _kinds(engine, dt.datetime(2026, 11, 24, 20, 0, tzinfo=CHINA)) == ["remind-80"]
    # Due end of Tuesday; the grace working day is Wednesday; 督办 from Thursday 00:00.
    assert _kinds(engine, dt.datetime(2026, 11, 25, 12, 0, tzinfo=CHINA)) == []
    assert _kinds(engine, dt.datetime(2026, 11, 26, 9, 0, tzinfo=CHINA)) == ["duban"]


def test_each_notice_is_sent_once_and_duban_repeats_each_working_day(engine: Engine) -> None:
    _submit(engine)
    thursday = dt.datetime(2026, 11, 26, 9, 0, tzinfo=CHINA)
    assert [n.kind for n in deadlines.pending(engine, BUREAU, thursday)] == ["duban"]
    assert deadlines.queue_due(engine, BUREAU, thursday) == 1
    assert deadlines.pending(engine, BUREAU, thursday + dt.timedelta(hours=3)) == []
    (friday,) = deadlines.pending(engine, BUREAU, thursday + dt.timedelta(days=1))
    assert friday.kind == "duban" and friday.days_overdue == 2
    # The weekend is not a working day: no new 督办 on Saturday once Friday's was sent.
    deadlines.queue_due(engine, BUREAU, thursday + dt.timedelta(days=1))
    assert deadlines.pending(engine, BUREAU, thursday + dt.timedelta(days=2)) == []


def test_an_eighty_percent_reminder_stands_for_the_fifty(engine: Engine) -> None:
    _submit(engine)
    late = dt.datetime(2026, 11, 24, 20, 0, tzinfo=CHINA)
    assert [n.kind for n in deadlines.pending(engine, BUREAU, late)] == ["remind-80"]
    assert deadlines.queue_due(engine, BUREAU, late) == 1
    assert deadlines.pending(engine, BUREAU, late + dt.timedelta(minutes=5)) == []


def test_claiming_switches_to_the_reply_deadline_and_closing_stops_it(engine: Engine) -> None:
    ticket = _submit(engine)
    actor = cs.Actor(Role.HANDLER, "5")
    cs.act(engine, ticket, Action.CLAIM, actor, bureau=BUREAU, now=RECEIVED)
    wednesday = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CHINA)
    assert deadlines.pending(engine, BUREAU, wednesday) == []  # the claim deadline is met
    friday = dt.datetime(2026, 11, 27, 12, 0, tzinfo=CHINA)
    (notice,) = deadlines.pending(engine, BUREAU, friday)
    assert (notice.deadline, notice.kind) == ("reply", "remind-50")
    cs.act(
        engine,
        ticket,
        Action.DRAFT_REPLY,
        actor,
        cs.Change(reply="已办理。"),
        bureau=BUREAU,
        now=wednesday,
    )
    cs.act(
        engine,
        ticket,
        Action.APPROVE_REPLY,
        cs.Actor(Role.SUPERVISOR, "6"),
        bureau=BUREAU,
        now=wednesday,
    )
    later = wednesday + dt.timedelta(days=30)
    assert _kinds(engine, later) == ["follow-up"]  # replied, but never rated
    resident = cs.Actor(Role.RESIDENT, "1")
    for change in (cs.Change(solved=True), cs.Change(satisfaction=Satisfaction.SATISFIED)):
        cs.act(engine, ticket, Action.RATE, resident, change, bureau=BUREAU)
    cs.act(engine, ticket, Action.CLOSE, cs.SYSTEM, bureau=BUREAU)
    assert deadlines.pending(engine, BUREAU, later) == []


def _reply(engine: Engine, ticket: str, now: dt.datetime) -> None:
    for action, actor, change in (
        (Action.CLAIM, cs.Actor(Role.HANDLER, "5"), cs.Change()),
        (Action.DRAFT_REPLY, cs.Actor(Role.HANDLER, "5"), cs.Change(reply="已办理。")),
        (Action.APPROVE_REPLY, cs.Actor(Role.SUPERVISOR, "6"), cs.Change()),
    ):
        cs.act(engine, ticket, action, actor, change, bureau=BUREAU, now=now)


def test_an_unrated_reply_becomes_a_phone_follow_up_after_three_working_days(
    engine: Engine,
) -> None:
    ticket = _submit(engine)
    # Replied Wednesday 2026-11-25; three working days: Thursday, Friday, Monday.
    _reply(engine, ticket, dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA))
    assert _kinds(engine, dt.datetime(2026, 11, 30, 23, 0, tzinfo=CHINA)) == []
    monday_night = dt.datetime(2026, 12, 1, 0, 0, tzinfo=CHINA)
    (notice,) = deadlines.pending(engine, BUREAU, monday_night)
    assert (notice.kind, notice.ticket) == ("follow-up", ticket)
    assert deadlines.queue_due(engine, BUREAU, monday_night) == 1
    assert _kinds(engine, dt.datetime(2026, 12, 9, tzinfo=CHINA)) == []  # once


def test_a_reply_nobody_can_rate_in_the_bot_is_followed_up_at_once(engine: Engine) -> None:
    phoned, _ = cs.submit(
        engine,
        cs.Submission("殡仪馆收费不公示", channel=Channel.PHONE, contact_phone="13912345678"),
        key="phone",
        bureau=BUREAU,
        now=RECEIVED,
    )
    blocked = _submit(engine, key="blocked")
    with open_session(engine) as session:  # the resident blocked the bot
        row = session.exec(select(Complaint).where(Complaint.ticket == blocked)).one()
        row.unreachable = True
        session.commit()
    replied = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)
    for ticket in (phoned.ticket, blocked):
        _reply(engine, ticket, replied)
    # Queued with the approval itself (no waiting for the next scan), and so never again.
    tasks = [q.message for q in outbox.due(engine) if q.message.kind is Message.FOLLOW_UP]
    assert sorted(m.ticket or "" for m in tasks) == sorted([phoned.ticket, blocked])
    assert deadlines.pending(engine, BUREAU, replied + dt.timedelta(minutes=1)) == []


def test_a_phone_follow_up_never_changes_what_the_resident_answered(engine: Engine) -> None:
    ticket = _submit(engine)
    _reply(engine, ticket, RECEIVED)
    resident, hotline = cs.Actor(Role.RESIDENT, "1"), cs.Actor(Role.HOTLINE, "401")
    cs.act(
        engine,
        ticket,
        Action.RATE,
        resident,
        cs.Change(solved=True),
        bureau=BUREAU,
    )
    with pytest.raises(Refused, match="回访不能更改"):
        cs.act(
            engine,
            ticket,
            Action.RATE,
            hotline,
            cs.Change(solved=False),
            bureau=BUREAU,
        )
    assert cs.get(engine, ticket).solved is True
