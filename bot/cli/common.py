"""What every command group needs: a ready database, the desk, the complaint rules.

Imports of the heavier parts happen inside the functions, so `sunshine ask`
starts without loading what only other commands use.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session

from bot import wiring
from bot.config import Settings

if TYPE_CHECKING:
    from typing import TypeAlias

    from knowledge.answering.desk import Desk
    from knowledge.complaints.policy import Bureau

    # What `add_subparsers()` returns: each command group registers its commands on it.
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

Command = Callable[[argparse.Namespace, Settings], int]


def ready_engine(settings: Settings) -> Engine:
    """The engine, with the database created and the shipped knowledge loaded if new."""
    from knowledge.answering.desk import prepare_database

    found = wiring.engine(settings)
    prepare_database(found)
    return found


def session(settings: Settings) -> Session:
    from knowledge.db.engine import open_session

    return open_session(ready_engine(settings))


def desk(settings: Settings, *, shipped: bool = False, learned: bool = True) -> Desk:
    """The desk over the database, or over the shipped files (for developers tuning them);
    `learned=False` leaves the model out (the lexical engine alone)."""
    from knowledge.answering.desk import Desk

    model = wiring.model(settings, shipped=shipped) if learned else None
    if shipped:
        from knowledge.base.store import shipped_entries

        return Desk(shipped_entries(), cache_dir=settings.cache_dir, model=model)
    return Desk.from_database(wiring.engine(settings), cache_dir=settings.cache_dir, model=model)


def bureau(settings: Settings) -> Bureau:
    return wiring.bureau(settings)
