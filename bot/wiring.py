"""The domain's objects built from the settings: shared by the bot and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot.config import Settings
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.policy import Bureau, Staff, load_policy
from knowledge.db.engine import make_engine

if TYPE_CHECKING:
    from knowledge.answering.desk import LiveDesk
    from knowledge.matching.model import LearnedModel

MODEL_FILE = "model.npz"


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


def model_path(settings: Settings) -> Path:
    """Where `sunshine train` writes a model trained on this installation's knowledge."""
    return settings.data_dir / MODEL_FILE


def model(settings: Settings, *, shipped: bool = False) -> LearnedModel | None:
    """The model trained on this installation's knowledge if there is one, else the shipped one
    (trained on the shipped knowledge); `shipped` skips the local one."""
    from knowledge.matching.model import load_model

    local = model_path(settings)
    if not shipped and local.is_file():
        return load_model(local)
    return load_model()


def live_desk(settings: Settings, engine: Engine) -> LiveDesk:
    """The desk over the published knowledge, rebuilt when it changes (bot and web share one)."""
    from knowledge.answering.desk import Desk, LiveDesk, prepare_database
    from knowledge.base.catalogue import Catalogue

    prepare_database(engine)
    learned = model(settings)

    def build(entries: Catalogue) -> Desk:
        return Desk(entries, engine=engine, cache_dir=settings.cache_dir, model=learned)

    return LiveDesk.start(engine, build)
