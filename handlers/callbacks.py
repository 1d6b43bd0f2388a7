"""Inline-button callback data: one compact, validated format for every button.

Telegram returns callback data exactly as the bot sent it, but a client can send
anything, so `parse` accepts only what `encode` writes, for entries and aspects
that exist; everything else is `None` (a stale or forged button) and the caller
answers it politely.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from knowledge.vocabulary import MENU_ORDER, Aspect, Category

MAX_BYTES = 64  # Telegram's limit on callback data


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


Action = Menu | OpenCategory | OpenEntry | ShowAspect | Vote | NoneOfThese


def encode(action: Action) -> str:
    match action:
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
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def _aspect(value: str) -> Aspect | None:
    try:
        return Aspect(value)
    except ValueError:
        return None


def parse(data: str | None, entries: Collection[str]) -> Action | None:
    """The action a button stands for, or None for data this bot did not write."""
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
    return None
