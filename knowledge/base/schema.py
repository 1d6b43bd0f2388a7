"""The knowledge-base document: one `Entry` per public service or disclosure.

This is both the domain model the matcher and the answers read and the
interchange format of `sunshine kb export/import` (JSON and YAML write it as
is; the workbook flattens it into sheets). Keeping a single model means a
field added here is exported, imported, versioned and validated everywhere.

Run ``python -m knowledge.base.schema FILE.yaml ...`` to validate entry files.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from knowledge.vocabulary import DEFAULT_FINANCE_UNIT, SAMPLE_MARK, Aspect, Category

ENTRY_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

NonEmpty = Annotated[str, Field(min_length=1)]
LEAD_LIMIT = 80  # characters: a lead is read at a glance, before the details
Lead = Annotated[str, Field(min_length=1, max_length=LEAD_LIMIT)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(_Model):
    """A document an entry relies on: a regulation, a notice, a news release."""

    title: NonEmpty
    url: str = ""


class Synonym(_Model):
    """An everyday word (`term`) and the word the knowledge base uses (`means`)."""

    term: NonEmpty
    means: NonEmpty


class Step(_Model):
    """One box of a procedure flow chart."""

    title: NonEmpty = Field(description="short label for the chart box, ideally <= 12 characters")
    detail: str = ""
    actor: str = Field("", description="who acts: the applicant, the township, the county bureau")
    time_limit: str = ""
    basis: str = ""


class Procedure(_Model):
    """An ordered flow; an entry may have several (结婚登记, 离婚登记, 补领)."""

    name: NonEmpty
    steps: list[Step] = Field(min_length=1)


class FinanceRow(_Model):
    """One line of a spending disclosure, in the unit of its `Finance` table."""

    period: NonEmpty
    item: NonEmpty
    budget: float = Field(ge=0)
    spent: float = Field(ge=0)
    note: str = ""


class Finance(_Model):
    """A disclosure table: rows can be totalled and charted."""

    unit: NonEmpty = DEFAULT_FINANCE_UNIT
    sample_data: bool = True
    rows: list[FinanceRow] = Field(min_length=1)


class Contact(_Model):
    """A phone line, office or address residents can use."""

    name: NonEmpty
    phone: str = ""
    hours: str = ""
    address: str = ""
    note: str = ""
    sample_data: bool = True


class Entry(_Model):
    """One public service or disclosure, with every aspect a resident can ask about.

    `aspects` maps an aspect to the text shown to residents; `leads` to the one
    sentence shown before it that answers the most common question directly (火化要花
    多少钱 → what is free and what is still paid); the fields after them carry what
    belongs to an aspect beyond its text (legal basis, example questions, whether it
    shows sample data).
    """

    id: Annotated[str, Field(pattern=ENTRY_ID_PATTERN)]
    title: NonEmpty
    category: Category
    menus: list[Category] = Field(default_factory=list)
    aliases: list[NonEmpty] = Field(default_factory=list)
    questions: list[NonEmpty] = Field(default_factory=list)
    aspects: dict[Aspect, NonEmpty] = Field(min_length=1)
    leads: dict[Aspect, Lead] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)
    last_reviewed: dt.date
    legal_basis: dict[Aspect, list[NonEmpty]] = Field(default_factory=dict)
    aspect_questions: dict[Aspect, list[NonEmpty]] = Field(default_factory=dict)
    sample_aspects: list[Aspect] = Field(default_factory=list)
    synonyms: list[Synonym] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    finance: Finance | None = None
    contacts: list[Contact] = Field(default_factory=list)
    review_notes: list[NonEmpty] = Field(default_factory=list)

    @field_validator("aliases", "questions")
    @classmethod
    def _no_duplicates(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    @field_validator("sample_aspects")
    @classmethod
    def _aspect_order(cls, values: list[Aspect]) -> list[Aspect]:
        return [a for a in Aspect if a in values]

    @model_validator(mode="after")
    def _aspect_keys_exist(self) -> Entry:
        for name in ("leads", "legal_basis", "aspect_questions"):
            extra = set(getattr(self, name)) - set(self.aspects)
            if extra:
                raise ValueError(f"{name} names aspects the entry does not have: {sorted(extra)}")
        extra_sample = set(self.sample_aspects) - set(self.aspects)
        if extra_sample:
            raise ValueError(f"sample_aspects names unknown aspects: {sorted(extra_sample)}")
        if not self.menus:
            self.menus = [self.category]
        return self

    def basis_for(self, aspect: Aspect) -> list[str]:
        """The legal basis of one aspect (empty when staff have not given one)."""
        return self.legal_basis.get(aspect, [])

    def shows_sample_data(self, aspect: Aspect) -> bool:
        """Whether the reply for this aspect shows local data nobody has confirmed."""
        shown = self.aspects.get(aspect, "") + self.leads.get(aspect, "")
        if aspect in self.sample_aspects or SAMPLE_MARK in shown:
            return True
        if aspect is Aspect.FINANCE and self.finance is not None:
            return self.finance.sample_data
        return False


def validate_entry_file(path: Path) -> list[str]:
    """Problems found in one YAML/JSON entry file, as readable lines (empty if fine)."""
    import json

    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return [f"{path}: cannot read: {exc}"]
    try:
        entry = Entry.model_validate(data)
    except ValidationError as exc:
        return [
            f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
    problems = []
    for aspect in entry.aspects:
        if not entry.basis_for(aspect):
            problems.append(f"{path}: aspect {aspect.value} has no legal_basis")
        if aspect not in entry.leads:
            problems.append(f"{path}: aspect {aspect.value} has no lead")
    if Aspect.PROCEDURE in entry.aspects and not entry.procedures:
        problems.append(f"{path}: has a procedure aspect but no procedures (ordered steps)")
    if Aspect.FINANCE in entry.aspects and entry.finance is None:
        problems.append(f"{path}: has a finance aspect but no finance rows")
    if re.search(r"UNVERIFIED", " ".join(entry.aspects.values())):
        problems.append(f"{path}: resident-facing text mentions UNVERIFIED; say it plainly")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Validate entry files given on the command line."""
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    problems = [line for path in paths for line in validate_entry_file(path)]
    for line in problems:
        print(line)
    print(f"{len(paths)} file(s), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
