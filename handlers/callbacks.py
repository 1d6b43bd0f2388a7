"""Callback data: one compact, validated format for every button the bot sends.

Telegram returns callback data exactly as the bot sent it, but a client can send
anything, so `parse` accepts only what `encode` writes — for entries, aspects,
actions and tickets that can exist — and everything else is `None` (a stale or
forged button), which the caller refuses politely without touching the message.

The formats (at most 64 bytes)::

    m                       the main menu          n              都不是
    c:<index>               a menu category        e:<entry>      an entry's page
    a:<entry>:<aspect>      an aspect of an entry  v:<0|1>:<entry>:<aspect|->  👍 / 👎
    o:<action>:<ticket>     an officer's action on a complaint card
    f:s:<0|1>:<ticket>      解决 / 未解决          f:m:<satisfaction>:<ticket>  满意吗
    f:r:1:<ticket>          申请复核               p:<ticket>     📞 查看电话
    k:<choice>              a button of the complaint intake
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from knowledge.complaints import intake
from knowledge.complaints.outbox import Button
from knowledge.complaints.vocabulary import Action, Press, Satisfaction
from knowledge.vocabulary import MENU_ORDER, Aspect, Category

MAX_BYTES = 64  # Telegram's limit on callback data
TICKET = re.compile(r"TS\d{8}-\d{4}")


@dataclass(frozen=True)
class Menu:
    """The main menu."""


@dataclass(frozen=True)
class OpenCategory:
    category: Category


@dataclass(frozen=True)
class OpenEntry:
    """An entry's page: which aspects it can show."""

    entry: str


@dataclass(frozen=True)
class ShowAspect:
    entry: str
    aspect: Aspect


@dataclass(frozen=True)
class Vote:
    helpful: bool
    entry: str
    aspect: Aspect | None


@dataclass(frozen=True)
class NoneOfThese:
    """ "都不是": none of the "did you mean" choices fits."""


@dataclass(frozen=True)
class OnComplaint:
    """A button of a complaint message: what the domain's `Button` means, validated."""

    press: Press
    ticket: str = ""
    value: str = ""


Navigation = Menu | OpenCategory | OpenEntry | ShowAspect | Vote | NoneOfThese
Pressed = Navigation | OnComplaint

_FEEDBACK = {Press.RATE_SOLVED: "s", Press.RATE_SATISFIED: "m", Press.RECONSIDER: "r"}


def _complaint_data(press: OnComplaint) -> str:
    match press.press:
        case Press.OFFICER:
            return f"o:{press.value}:{press.ticket}"
        case Press.RATE_SOLVED | Press.RATE_SATISFIED | Press.RECONSIDER:
            return f"f:{_FEEDBACK[press.press]}:{press.value or '1'}:{press.ticket}"
        case Press.SHOW_PHONE:
            return f"p:{press.ticket}"
        case Press.INTAKE:
            return f"k:{press.value}"


def encode(pressed: Pressed) -> str:
    match pressed:
        case Menu():
            data = "m"
        case OpenCategory(category):
            data = f"c:{MENU_ORDER.index(category)}"
        case OpenEntry(entry):
            data = f"e:{entry}"
        case ShowAspect(entry, aspect):
            data = f"a:{entry}:{aspect.value}"
        case Vote(helpful, entry, aspect):
            data = f"v:{int(helpful)}:{entry}:{aspect.value if aspect else '-'}"
        case NoneOfThese():
            data = "n"
        case OnComplaint():
            data = _complaint_data(pressed)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def of_button(button: Button) -> str:
    """The callback data of a domain button."""
    return encode(OnComplaint(button.press, button.ticket, button.value))


def _aspect(value: str) -> Aspect | None:
    try:
        return Aspect(value)
    except ValueError:
        return None


def _ticket(value: str) -> str | None:
    return value if TICKET.fullmatch(value) else None


def _complaint(kind: str, parts: list[str]) -> OnComplaint | None:
    if kind == "o" and len(parts) == 2 and _ticket(parts[1]):
        if parts[0] in {a.value for a in Action}:
            return OnComplaint(Press.OFFICER, parts[1], parts[0])
        return None
    if kind == "f" and len(parts) == 3 and _ticket(parts[2]):
        question, value, ticket = parts
        if question == "s" and value in ("0", "1"):
            return OnComplaint(Press.RATE_SOLVED, ticket, value)
        if question == "m" and value in {s.value for s in Satisfaction}:
            return OnComplaint(Press.RATE_SATISFIED, ticket, value)
        if question == "r" and value == "1":
            return OnComplaint(Press.RECONSIDER, ticket, value)
        return None
    if kind == "p" and len(parts) == 1 and _ticket(parts[0]):
        return OnComplaint(Press.SHOW_PHONE, parts[0])
    if kind == "k":
        choice = ":".join(parts)
        return OnComplaint(Press.INTAKE, value=choice) if choice in intake.CHOICES else None
    return None


def parse(data: str | None, entries: Collection[str]) -> Pressed | None:
    """What a button stands for, or None for data this bot did not write."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    kind, _, rest = data.partition(":")
    parts = rest.split(":") if rest else []
    if kind == "m" and not parts:
        return Menu()
    if kind == "n" and not parts:
        return NoneOfThese()
    if kind == "c" and len(parts) == 1 and parts[0].isdigit():
        index = int(parts[0])
        return OpenCategory(MENU_ORDER[index]) if index < len(MENU_ORDER) else None
    if kind == "e" and len(parts) == 1 and parts[0] in entries:
        return OpenEntry(parts[0])
    if kind == "a" and len(parts) == 2 and parts[0] in entries:
        aspect = _aspect(parts[1])
        return ShowAspect(parts[0], aspect) if aspect else None
    if kind == "v" and len(parts) == 3 and parts[0] in ("0", "1") and parts[1] in entries:
        aspect = None if parts[2] == "-" else _aspect(parts[2])
        if aspect is None and parts[2] != "-":
            return None
        return Vote(parts[0] == "1", parts[1], aspect)
    return _complaint(kind, parts)
