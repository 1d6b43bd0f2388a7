"""Moving an installation to another database (SQLite → PostgreSQL), every row as it is.

`sunshine db copy-to URL`: the target is migrated to the same schema, must hold no
data yet (the shipped knowledge is not loaded into it), and receives every table in
dependency order, in one transaction. Ids are kept — tickets, revisions, events and
the inbox refer to them — so PostgreSQL's sequences are moved past the largest id
afterwards, or the next insert would collide.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, Integer, func, select, text
from sqlmodel import SQLModel

from knowledge.db import models  # noqa: F401  (registers every table on the metadata)
from knowledge.db.engine import ensure_schema
from knowledge.errors import InputError
from knowledge.texts import staff

CHUNK = 1000


@dataclass(frozen=True)
class Copied:
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def copy_database(source: Engine, target: Engine) -> Copied:
    """Copy every row of `source` into the empty database `target` (migrated first)."""
    ensure_schema(source)
    ensure_schema(target)
    tables = SQLModel.metadata.sorted_tables
    with target.connect() as conn:
        for table in tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise InputError(staff.CLI_DB_COPY_NOT_EMPTY.format(table=table.name))
    counts: dict[str, int] = {}
    with source.connect() as reading, target.begin() as writing:
        for table in tables:
            rows = reading.execute(select(table)).mappings()
            counts[table.name] = 0
            while chunk := rows.fetchmany(CHUNK):
                writing.execute(table.insert(), [dict(row) for row in chunk])
                counts[table.name] += len(chunk)
        if target.dialect.name == "postgresql":
            for table in tables:
                keys = [c for c in table.primary_key.columns if isinstance(c.type, Integer)]
                if len(keys) == 1 and keys[0].autoincrement is not False:
                    column = keys[0].name
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                            f"COALESCE((SELECT MAX({column}) FROM {table.name}), 0) + 1, false) "
                            f"WHERE pg_get_serial_sequence('{table.name}', '{column}') IS NOT NULL"
                        )
                    )
    return Copied(counts)
