"""Every error the domain raises on purpose, in one hierarchy::

    SunshineError                 base: a problem the user can fix, with a message that says how
    ├── NotFound                  an entry, revision or file that does not exist
    │   └── ComplaintNotFound     no complaint has this ticket number (a typo, or forged data)
    ├── ImportRejected            a knowledge file failed validation; nothing was changed
    │                             (carries one `Problem` per sheet/row/column or field)
    ├── InputError                command-line input that cannot be read (bad UTF-8 in --batch)
    ├── SettingsError             a setting (environment, .env, a limits file) cannot be used
    ├── CalendarError             the holiday file is wrong, or a year is not published yet
    ├── ChartError                a chart cannot be drawn: no CJK font, or nothing to draw
    └── Refused                   the complaint rules do not allow this action now, or for you

The adapters (command line, Telegram, web) turn these into a message for the person
and, at the command line, a non-zero exit status; any other exception is a bug
and is reported as one. `str()` of each is the message to show, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.texts import staff


class SunshineError(Exception):
    """A problem the user can fix; `str()` is the message to show."""


class NotFound(SunshineError):
    """Something named by the user does not exist."""


class ComplaintNotFound(NotFound):
    """No complaint has this ticket number: a typo, or callback data made up by a client."""

    def __init__(self, ticket: str) -> None:
        super().__init__(staff.REFUSED_NOT_FOUND.format(ticket=ticket))
        self.ticket = ticket


@dataclass(frozen=True)
class Problem:
    """One validation problem, located precisely enough to fix it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRejected(SunshineError):
    """A knowledge file did not validate; the database was not touched."""

    SHOWN = 50

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[: self.SHOWN])
        more = len(problems) - self.SHOWN
        tail = staff.IMPORT_MORE.format(count=more) if more > 0 else ""
        super().__init__(staff.IMPORT_REJECTED.format(count=len(problems), problems=shown) + tail)


class InputError(SunshineError):
    """Input that cannot be read as given."""


class SettingsError(SunshineError):
    """A setting that cannot be used; the message names the variable and says what it needs."""


class CalendarError(SunshineError):
    """The holiday file is wrong, or a strict calendar was asked about an unpublished year."""


class ChartError(SunshineError):
    """A chart cannot be drawn: no CJK font, or the entry has nothing to draw."""


class Refused(SunshineError):
    """An action the complaint rules do not allow now, or not to this person; says why."""
