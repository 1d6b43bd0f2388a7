"""Every error the domain raises on purpose, in one hierarchy::

    SunshineError                 base: a problem the user can fix, with a message that says how
    ├── NotFound                  an entry, revision or file that does not exist
    ├── ImportRejected            a knowledge file failed validation; nothing was changed
    │                             (carries one `Problem` per sheet/row/column or field)
    ├── InputError                command-line input that cannot be read (bad UTF-8 in --batch)
    └── ChartError                a chart cannot be drawn: no CJK font, or nothing to draw

The command line turns these into a message and a non-zero exit status; any
other exception is a bug and is reported as one.
"""

from __future__ import annotations

from dataclasses import dataclass


class SunshineError(Exception):
    """A problem the user can fix; `str()` is the message to show."""


class NotFound(SunshineError):
    """Something named by the user does not exist."""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located precisely enough to fix it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRejected(SunshineError):
    """A knowledge file did not validate; the database was not touched."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ……另有 {len(problems) - 50} 处" if len(problems) > 50 else ""
        super().__init__(
            f"导入被拒绝，数据库未作任何改动（共 {len(problems)} 处问题）：\n{shown}{more}"
        )


class InputError(SunshineError):
    """Input that cannot be read as given."""


class ChartError(SunshineError):
    """A chart cannot be drawn: no CJK font, or the entry has nothing to draw."""
