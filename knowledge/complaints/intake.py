"""The resident's guided intake: a step machine over a typed draft, kept in the database.

What happened → which office or person → when → photos → a phone number →
public, anonymous or sealed identity → a summary to confirm, edit or cancel.
`advance` is the machine, a pure function from a draft and what the resident
did to the next draft and what to tell them. `handle` runs it in one
transaction with the draft's row and the messages it causes, and submits the
complaint when it is confirmed.

Every update a resident sends has a number that only grows; the draft keeps the
newest one it applied, so an update replayed after a crash (already applied,
its messages already queued) changes nothing a second time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from knowledge.complaints import outbox, store
from knowledge.complaints.outbox import Button, Keyboard, Outgoing
from knowledge.complaints.policy import Bureau
from knowledge.complaints.vocabulary import Channel, Identity, Kind, Message, Press
from knowledge.db.engine import open_session
from knowledge.db.models import ComplaintDraft, utcnow
from knowledge.texts import complaints as texts

PHOTO_LIMIT = 3
WHAT_LIMIT = 2000
FIELD_LIMIT = 200
MIN_WHAT = 5  # characters
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_PHONE_NOISE = re.compile(r"[\s()（）]")


def phone_number(text: str) -> str | None:
    """A mobile or landline number as typed (spaces and brackets allowed), or None."""
    number = _PHONE_NOISE.sub("", text)
    return number if _PHONE.match(number) else None


class Step(StrEnum):
    WHAT = "what"
    OFFICE = "office"
    WHEN = "when"
    PHOTOS = "photos"
    PHONE = "phone"
    IDENTITY = "identity"
    CONFIRM = "confirm"


ORDER = (Step.WHAT, Step.OFFICE, Step.WHEN, Step.PHOTOS, Step.PHONE, Step.IDENTITY)
OPTIONAL = frozenset({Step.OFFICE, Step.WHEN, Step.PHONE})

# The intake's buttons (the value of a `Press.INTAKE` button).
START, NOT_A_COMPLAINT, SKIP, CONFIRM, EDIT, CANCEL = (
    "start",
    "no",
    "skip",
    "confirm",
    "edit",
    "cancel",
)
IDENTITY_PREFIX, EDIT_PREFIX = "id:", "edit:"
CHOICES = frozenset(
    {
        START,
        NOT_A_COMPLAINT,
        SKIP,
        CONFIRM,
        EDIT,
        CANCEL,
        *(IDENTITY_PREFIX + i.value for i in Identity),
        *(EDIT_PREFIX + s.value for s in ORDER),
    }
)  # every button value the intake writes, and so the only ones it accepts back


@dataclass(frozen=True)
class Draft:
    """A complaint being written."""

    step: Step = Step.WHAT
    what: str = ""
    office: str | None = None
    when: str | None = None
    photos: tuple[str, ...] = ()
    phone: str | None = None
    identity: Identity | None = None
    editing: bool = False  # back to the summary after the step being edited
    last_update: int = 0  # the newest update applied to this draft

    def data(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "office": self.office,
            "when": self.when,
            "photos": list(self.photos),
            "phone": self.phone,
            "identity": self.identity.value if self.identity else None,
            "editing": self.editing,
            "last_update": self.last_update,
        }

    @classmethod
    def of(cls, row: ComplaintDraft) -> Draft:
        data = row.data
        identity = data.get("identity")
        return cls(
            step=Step(row.step),
            what=str(data.get("what") or ""),
            office=data.get("office"),
            when=data.get("when"),
            photos=tuple(data.get("photos") or ()),
            phone=data.get("phone"),
            identity=Identity(identity) if identity else None,
            editing=bool(data.get("editing")),
            last_update=int(data.get("last_update") or 0),
        )


# What the resident did.


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Photo:
    file_id: str
    caption: str = ""


@dataclass(frozen=True)
class Chosen:
    """A button of the intake, or /complain (START) and /cancel (CANCEL)."""

    value: str


Event = Typed | Photo | Chosen


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Result:
    """The machine's answer: the draft after, what to say, whether to submit."""

    consumed: bool  # False: not for the intake (a question typed while photos are awaited)
    draft: Draft | None = None  # None: no draft (discarded, submitted or never begun)
    say: tuple[Prompt, ...] = ()
    submit: bool = False
    stale: bool = False  # a button from an earlier step: the draft has moved on


def _button(label: str, value: str) -> Button:
    return Button(label, Press.INTAKE, value=value)


def summary(draft: Draft) -> str:
    """The summary the resident confirms."""
    values: dict[Step, str | None] = {
        Step.WHAT: draft.what,
        Step.OFFICE: draft.office,
        Step.WHEN: draft.when,
        Step.PHOTOS: texts.SUMMARY_PHOTOS.format(count=len(draft.photos)) if draft.photos else None,
        Step.PHONE: draft.phone,
        Step.IDENTITY: texts.IDENTITY_LABELS[draft.identity] if draft.identity else None,
    }
    lines = [texts.INTAKE_SUMMARY]
    lines += [
        texts.SUMMARY_ROW.format(field=texts.FIELD_LABELS[s], value=v or texts.SUMMARY_EMPTY)
        for s, v in values.items()
    ]
    return "\n".join(lines)


def ask(draft: Draft) -> Prompt:
    """The question of the draft's step, with its buttons."""
    step = draft.step
    cancel = _button(texts.BUTTON_CANCEL, CANCEL)
    if step is Step.CONFIRM:
        return Prompt(
            summary(draft),
            (
                (_button(texts.BUTTON_SUBMIT, CONFIRM),),
                (_button(texts.BUTTON_EDIT, EDIT), cancel),
            ),
        )
    if step is Step.IDENTITY:
        rows = tuple(
            (_button(texts.IDENTITY_LABELS[i], IDENTITY_PREFIX + i.value),) for i in Identity
        )
        return Prompt(texts.INTAKE_IDENTITY, (*rows, (cancel,)))
    row: list[Button] = []
    if step in OPTIONAL:
        row.append(_button(texts.BUTTON_SKIP, SKIP))
    if step is Step.PHOTOS:
        row.append(_button(texts.BUTTON_PHOTOS_DONE, SKIP))
    row.append(cancel)
    question = {
        Step.WHAT: texts.INTAKE_WHAT,
        Step.OFFICE: texts.INTAKE_OFFICE,
        Step.WHEN: texts.INTAKE_WHEN,
        Step.PHOTOS: texts.INTAKE_PHOTOS.format(limit=PHOTO_LIMIT),
        Step.PHONE: texts.INTAKE_PHONE,
    }[step]
    return Prompt(question, (tuple(row),))


def _next(draft: Draft) -> Draft:
    """After a step: the next one, or back to the summary when the resident was editing."""
    if draft.editing or draft.step is Step.IDENTITY:
        return replace(draft, step=Step.CONFIRM, editing=False)
    return replace(draft, step=ORDER[ORDER.index(draft.step) + 1])


def _moved(draft: Draft) -> Result:
    after = _next(draft)
    return Result(True, after, (ask(after),))


def advance(draft: Draft | None, event: Event) -> Result:
    """The intake's next state and what to tell the resident."""
    if isinstance(event, Chosen) and event.value == START:
        fresh = Draft()
        return Result(True, fresh, (ask(fresh),))
    if isinstance(event, Chosen) and event.value == NOT_A_COMPLAINT:
        return Result(True, draft, (Prompt(texts.NOT_A_COMPLAINT),))
    if isinstance(event, Chosen) and event.value == CANCEL:
        said = texts.INTAKE_CANCELLED if draft else texts.INTAKE_NOTHING_TO_CANCEL
        return Result(True, None, (Prompt(said),))
    if draft is None:
        return Result(False, stale=isinstance(event, Chosen))
    if isinstance(event, Chosen):
        return _chosen(draft, event.value)
    if isinstance(event, Photo) and draft.step is Step.PHOTOS:
        photos = (*draft.photos, event.file_id)[:PHOTO_LIMIT]
        kept = replace(draft, photos=photos)
        if len(photos) < PHOTO_LIMIT:
            saved = Prompt(texts.INTAKE_PHOTO_SAVED.format(count=len(photos)), ask(kept).buttons)
            return Result(True, kept, (saved,))
        return _moved(kept)
    text = (event.text if isinstance(event, Typed) else event.caption).strip()
    return _typed(draft, text)


def _typed(draft: Draft, text: str) -> Result:
    match draft.step:
        case Step.WHAT:
            if len(text) < MIN_WHAT:
                return Result(True, draft, (Prompt(texts.INTAKE_WHAT_TOO_SHORT),))
            return _moved(replace(draft, what=text[:WHAT_LIMIT]))
        case Step.PHONE:
            number = phone_number(text)
            if number is None:
                return Result(
                    True, draft, (Prompt(texts.INTAKE_PHONE_INVALID, ask(draft).buttons),)
                )
            return _moved(replace(draft, phone=number))
        case Step.OFFICE if text:
            return _moved(replace(draft, office=text[:FIELD_LIMIT]))
        case Step.WHEN if text:
            return _moved(replace(draft, when=text[:FIELD_LIMIT]))
        case _:  # photos awaited, a choice of buttons awaited, or nothing typed: a question
            return Result(False)


def _chosen(draft: Draft, value: str) -> Result:
    step = draft.step
    if value == SKIP and (step in OPTIONAL or step is Step.PHOTOS):
        return _moved(draft)
    if value.startswith(IDENTITY_PREFIX) and step is Step.IDENTITY:
        try:
            identity = Identity(value.removeprefix(IDENTITY_PREFIX))
        except ValueError:
            return Result(True, stale=True, draft=draft)
        return _moved(replace(draft, identity=identity))
    if value == EDIT and step is Step.CONFIRM:
        fields = tuple((_button(texts.FIELD_LABELS[s], EDIT_PREFIX + s.value),) for s in ORDER)
        return Result(True, draft, (Prompt(texts.INTAKE_EDIT_WHICH, fields),))
    if value.startswith(EDIT_PREFIX) and step is Step.CONFIRM:
        try:
            chosen = Step(value.removeprefix(EDIT_PREFIX))
        except ValueError:
            return Result(True, stale=True, draft=draft)
        photos = () if chosen is Step.PHOTOS else draft.photos
        editing = replace(draft, step=chosen, editing=True, photos=photos)
        return Result(True, editing, (ask(editing),))
    if value == CONFIRM and step is Step.CONFIRM:
        return Result(True, None, submit=True)
    return Result(True, draft, stale=True)


def submission(draft: Draft, *, chat_id: int, user_id: int, name: str | None) -> store.Submission:
    """The confirmed draft as a complaint (a sealed identity makes it a 举报)."""
    identity = draft.identity or Identity.PUBLIC
    return store.Submission(
        summary=draft.what,
        channel=Channel.TELEGRAM,
        kind=Kind.WHISTLEBLOWING if identity is Identity.SEALED else Kind.COMPLAINT,
        named_office=draft.office,
        happened=draft.when,
        photos=draft.photos,
        contact_phone=draft.phone,
        identity=identity,
        chat_id=chat_id,
        user_id=user_id,
        resident_name=name,
    )


# --- in the database -----------------------------------------------------------------------


@dataclass(frozen=True)
class Handled:
    """What `handle` did with one update."""

    consumed: bool
    has_draft: bool  # the chat has a draft after this update
    stale: bool = False
    ticket: str | None = None  # the complaint submitted by this update
    replayed: bool = False
    said: tuple[str, ...] = field(default=())


def chats_with_drafts(engine: Engine) -> set[int]:
    """Chats with a complaint being written (loaded at start-up, kept in memory after)."""
    with open_session(engine) as session:
        return set(session.exec(select(ComplaintDraft.chat_id)).all())


def draft_of(engine: Engine, chat_id: int) -> Draft | None:
    with open_session(engine) as session:
        row = session.get(ComplaintDraft, chat_id)
        return Draft.of(row) if row is not None else None


def handle(
    engine: Engine,
    chat_id: int,
    user_id: int,
    event: Event,
    *,
    update: int,
    request: str,
    bureau: Bureau,
    name: str | None = None,
    now: dt.datetime | None = None,
) -> Handled:
    """Apply one update to the chat's intake, with its messages, in one transaction.

    `update` orders the resident's updates (a replay carries an old number);
    `request` is the idempotency key of a confirmation (the complaint it creates).
    """
    with open_session(engine) as session:
        row = session.exec(
            select(ComplaintDraft).where(ComplaintDraft.chat_id == chat_id).with_for_update()
        ).first()
        draft = Draft.of(row) if row is not None and row.user_id == user_id else None
        if draft is not None and update <= draft.last_update:
            return Handled(True, True, replayed=True)
        if isinstance(event, Chosen) and event.value == CONFIRM and draft is None:
            done = store.find_by_key(session, request)
            if done is not None and done.user_id == user_id:
                return Handled(True, False, ticket=done.ticket, replayed=True)
        result = advance(draft, event)
        if not result.consumed or result.stale:
            return Handled(result.consumed, draft is not None, stale=result.stale)
        messages = [
            Outgoing(
                chat_id, p.text, Message.INTAKE, None, f"intake:{chat_id}:{update}:{i}", p.buttons
            )
            for i, p in enumerate(result.say)
        ]
        outbox.enqueue(session, messages)
        ticket = None
        if result.submit and draft is not None:
            complaint = store.submit_in(
                session,
                submission(draft, chat_id=chat_id, user_id=user_id, name=name),
                key=request,
                bureau=bureau,
                now=now or utcnow(),
            )
            ticket = complaint.ticket
        if result.draft is None:
            if row is not None:
                session.delete(row)
        else:
            kept = replace(result.draft, last_update=update)
            if row is None:
                row = ComplaintDraft(chat_id=chat_id, user_id=user_id, step=kept.step.value)
            row.user_id, row.step, row.data, row.updated_at = (
                user_id,
                kept.step.value,
                kept.data(),
                utcnow(),
            )
            session.add(row)
        session.commit()
        return Handled(
            True, result.draft is not None, ticket=ticket, said=tuple(p.text for p in result.say)
        )
