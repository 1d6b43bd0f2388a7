"""The fixed names of the complaint domain, one enum each.

The values are what the database stores and what `sunshine complaints … --json`
prints, so they never change; where a value reads oddly beside its name (a 举报 is
stored as "report", a rating as "feedback", a 复核 as "review"), the name is the
one to use in code and `docs/glossary.md` says why the value is older.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    RECEIVED = "received"  # 已受理: in the queue, nobody has claimed it
    CLAIMED = "claimed"  # 办理中: an office and officer have it
    REPLY_REVIEW = "reply_review"  # 答复审核中: a public reply waits for the supervision group
    REPLIED = "replied"  # 已答复: the resident has the reply; waiting for their rating
    REOPENED = "reopened"  # 重新办理: unsolved, unsatisfied or reconsidered (复核)
    CLOSED = "closed"  # 已办结
    WITHDRAWN = "withdrawn"  # 已撤回


OPEN_STATES = frozenset({State.RECEIVED, State.CLAIMED, State.REPLY_REVIEW, State.REOPENED})
ENDED_STATES = frozenset({State.CLOSED, State.WITHDRAWN})


class Role(StrEnum):
    RESIDENT = "resident"
    HOTLINE = "hotline"  # 监督咨询电话 officers: take phone complaints, claim, transfer
    HANDLER = "handler"  # 承办 officers: claim, reply, ask for more time
    SUPERVISOR = "supervisor"  # 督查小组: review replies, approve extensions, see sealed identities
    LEADER = "leader"  # 督查小组组长: all a supervisor may, and is told of every escalation
    SYSTEM = "system"  # timers and the bot itself


OFFICERS = frozenset({Role.HOTLINE, Role.HANDLER, Role.SUPERVISOR, Role.LEADER})
SUPERVISION = frozenset({Role.SUPERVISOR, Role.LEADER})


class Action(StrEnum):
    """A step of the lifecycle; `SUBMIT` is not one (a complaint is created, not acted on)."""

    CLAIM = "claim"
    TRANSFER = "transfer"
    NOTE = "note"
    DRAFT_REPLY = "draft_reply"
    APPROVE_REPLY = "approve_reply"  # 审核通过: the reply review
    RETURN_REPLY = "return_reply"  # 退回
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    RATE = "feedback"  # the resident's (or a phone 回访's) 解决/满意 answers
    REOPEN = "reopen"  # unsolved or unsatisfied: back to the officers, once
    RECONSIDER = "review"  # 复核: the resident reopens a closed complaint, once, in the window
    CLOSE = "close"  # 办结 with a result
    WITHDRAW = "withdraw"


SUBMIT = "submit"  # the audit trail's name for the creation of a complaint


class Identity(StrEnum):
    PUBLIC = "public"  # officers see the resident's name
    ANONYMOUS = "anonymous"  # no name is kept
    SEALED = "sealed"  # 保密身份举报: the name and number only for the supervision group


class Kind(StrEnum):
    COMPLAINT = "complaint"  # 投诉
    WHISTLEBLOWING = "report"  # 举报 of misconduct, filed with a sealed identity


class Channel(StrEnum):
    TELEGRAM = "telegram"
    PHONE = "phone"  # registered by a hotline officer with /intake
    IN_PERSON = "in_person"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    UNSATISFIED = "unsatisfied"


SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY})


class Deadline(StrEnum):
    """What a complaint is waiting for."""

    CLAIM = "claim"
    REPLY = "reply"
    RATING = "feedback"  # the resident's rating, before the hotline calls (回访)


class Reminder(StrEnum):
    """The reminders and escalations the deadline watcher raises."""

    AT_HALF = "remind-50"
    AT_FOUR_FIFTHS = "remind-80"
    ESCALATION = "duban"  # 督办: to the supervision group, each working day past the grace day
    FOLLOW_UP = "follow-up"  # 回访: the hotline calls the resident for their rating


class Message(StrEnum):
    """What a queued outgoing message is, for the sender's pacing and bookkeeping."""

    ACK = "ack"  # the ticket number, to the resident
    STATUS = "status"  # the resident's status card (edited at every step)
    CARD = "card"  # the officers' card (edited at every step; never merged into a digest)
    NOTICE = "notice"  # a step told to someone
    REMINDER = "reminder"  # a reminder or 督办 (merged into a digest in a busy group)
    FOLLOW_UP = "follow-up"  # the hotline's 回访 task
    PROMPT = "prompt"  # a question to an officer, awaiting their reply to it
    INTAKE = "intake"  # the next question of the resident's intake


DIGESTIBLE = frozenset({Message.NOTICE, Message.REMINDER})


class Place(StrEnum):
    """A message that is edited in place rather than sent anew."""

    STATUS_CARD = "status"
    OFFICER_CARD = "card"


class Press(StrEnum):
    """What a button on a complaint message does (the adapters encode these)."""

    OFFICER = "officer"  # an action of the lifecycle, on the card (value: the Action)
    RATE_SOLVED = "solved"  # value "1" or "0"
    RATE_SATISFIED = "satisfied"  # value: a Satisfaction
    RECONSIDER = "reconsider"  # 申请复核
    SHOW_PHONE = "phone"  # the number, to the hotline officer who calls
    INTAKE = "intake"  # a button of the intake (value: an intake `Choice`)
