"""Random secrets made once per database (the reports' pseudonym key, the web's key).

In the database rather than a file, so every process that reaches the database —
the bot, the web, the command line, on any machine — uses the same one.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from knowledge.db.engine import open_session
from knowledge.db.models import AppSecret


def database_secret(engine: Engine, name: str) -> bytes:
    """The secret called `name`, made on first use (by whichever process comes first)."""
    with open_session(engine) as session:
        row = session.get(AppSecret, name)
        if row is not None:
            return bytes.fromhex(row.value)
        session.add(AppSecret(name=name, value=secrets.token_hex(32)))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # made at the same moment elsewhere: use that one
    with open_session(engine) as session:
        made = session.get(AppSecret, name)
        assert made is not None
        return bytes.fromhex(made.value)
