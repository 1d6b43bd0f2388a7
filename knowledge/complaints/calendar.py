"""Working-day calendar for complaint time limits counted in 工作日.

Time limits in the complaint rules are counted in working days, which in China
are not simply Monday to Friday: public holidays take weekdays off and the
State Council moves weekend days into working days (调休上班). The schedule is
published once a year, so it lives in a data file (`knowledge/data/holidays.yaml`)
that staff extend, not in code.

The rule, applied to every date:

1. a weekend day listed as 调休上班 is a working day;
2. a Monday-Friday inside a holiday range is not;
3. otherwise Monday-Friday work and Saturday/Sunday rest (weekends inside a
   holiday range therefore stay rest days).

Days are judged in China time (UTC+8): a complaint sent at 23:00 UTC arrives
on the next Chinese calendar day, and that is the day the staff see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from knowledge.errors import CalendarError

try:
    CHINA: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # pragma: no cover - only without system tz data or tzdata
    CHINA = dt.timezone(dt.timedelta(hours=8), "CST")

# A New Year break or its make-up day can fall in the last days of December, and it is
# published with the *next* year's notice; from this day of December on, a date is only
# known for certain when the next year is in the file too.
_NEW_YEAR_SPILL_DAY = 25
_FIRST_YEAR, _LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class Holiday:
    """One break as the notice states it: first and last day off, inclusive."""

    name: str
    start: dt.date
    end: dt.date


def _plain_date(value: object) -> object:
    # Pydantic would read integers as Unix timestamps and accept datetimes; a holiday file
    # should only hold calendar dates (YAML gives `date`, JSON gives ISO strings).
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise ValueError("expected a date written as YYYY-MM-DD")
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    return value


Day = Annotated[dt.date, BeforeValidator(_plain_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _HolidayModel(_Model):
    name: Annotated[str, Field(min_length=1)]
    start: Day
    end: Day


class _YearModel(_Model):
    source: Annotated[str, Field(min_length=1)]
    url: str = ""
    holidays: list[_HolidayModel]
    workdays: list[Day] = Field(default_factory=list)


def _year_key(key: object) -> int:
    # YAML reads `2026:` as an int, JSON only has string keys; accept both, nothing else.
    if isinstance(key, int) and not isinstance(key, bool):
        year = key
    elif isinstance(key, str) and key.strip().isdigit():
        year = int(key)
    else:
        raise CalendarError(f"holiday file: {key!r} is not a year")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise CalendarError(f"holiday file: year {year} is out of range")
    return year


def _check_year(year: int, model: _YearModel) -> None:
    """Catch the slips a copy from the notice can make; the message points at the line."""
    earliest, latest = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    taken: dict[dt.date, str] = {}
    for i, h in enumerate(model.holidays):
        where = f"year {year}, holidays[{i}] ({h.name})"
        if h.end < h.start:
            raise CalendarError(f"{where}: end {h.end} is before start {h.start}")
        if h.start < earliest or h.end > latest:
            raise CalendarError(f"{where}: {h.start}..{h.end} is outside the year {year}")
        day = h.start
        while day <= h.end:
            if day in taken:
                raise CalendarError(f"{where}: {day} is already in {taken[day]}")
            taken[day] = h.name
            day += dt.timedelta(days=1)
    seen: set[dt.date] = set()
    for i, day in enumerate(model.workdays):
        where = f"year {year}, workdays[{i}]"
        if day.weekday() < 5:
            raise CalendarError(
                f"{where}: {day} is a {day:%A}; make-up workdays must be Saturdays or Sundays"
            )
        if not earliest <= day <= latest:
            raise CalendarError(f"{where}: {day} is outside the year {year}")
        if day in taken:
            raise CalendarError(f"{where}: {day} is inside the holiday {taken[day]}")
        if day in seen:
            raise CalendarError(f"{where}: {day} is listed twice")
        seen.add(day)


def _validation_message(year: int, error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{loc}: {e['msg']}")
    return f"year {year}: " + "; ".join(parts)


def last_day(due: dt.datetime) -> dt.date:
    """The last day (China time) a deadline allows: limits end at the midnight after it."""
    return (due - dt.timedelta(microseconds=1)).astimezone(CHINA).date()


def month_of(moment: dt.datetime) -> str:
    """The China-time month `moment` falls in, as "YYYY-MM" (reports are by China-time month)."""
    return _aware(moment, "moment").astimezone(CHINA).strftime("%Y-%m")


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment


def _china_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=CHINA)


class WorkCalendar:
    """The official schedules of the years in the file, with Monday-Friday for other years.

    Outside the covered years the answer is a guess; `covers()` says which answers are
    official, and a `strict` calendar raises `CalendarError` instead of guessing.
    """

    def __init__(
        self,
        holidays: Mapping[int, list[Holiday]],
        workdays: Mapping[int, set[dt.date]],
        *,
        strict: bool = False,
    ) -> None:
        self.years: frozenset[int] = frozenset(holidays) | frozenset(workdays)
        self.strict = strict
        self.holidays: tuple[Holiday, ...] = tuple(
            sorted((h for hs in holidays.values() for h in hs), key=lambda h: h.start)
        )
        self._names: dict[dt.date, str] = {}
        for h in self.holidays:
            day = h.start
            while day <= h.end:
                self._names[day] = h.name
                day += dt.timedelta(days=1)
        self._off = frozenset(d for d in self._names if d.weekday() < 5)
        self._makeup = frozenset(d for ds in workdays.values() for d in ds)
        clash = self._makeup & self._names.keys()
        if clash:
            raise CalendarError(
                f"holiday file: {min(clash)} is both a holiday and a make-up workday"
            )

    @classmethod
    def load(cls, path: Path | None = None, *, strict: bool = False) -> WorkCalendar:
        """The shipped schedules, or a staff copy being checked before it is installed."""
        if path is None:
            resource = resources.files("knowledge").joinpath("data/holidays.yaml")
            text, label = resource.read_text("utf-8"), "holidays.yaml"
        else:
            text, label = path.read_text("utf-8"), str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CalendarError(f"{label}: not valid YAML: {exc}") from exc
        if not isinstance(data, Mapping):
            raise CalendarError(f"{label}: expected a mapping of years to schedules")
        try:
            return cls.from_mapping(data, strict=strict)
        except CalendarError as exc:
            raise CalendarError(f"{label}: {exc}") from exc

    @classmethod
    def from_mapping(cls, data: Mapping[Any, Any], *, strict: bool = False) -> WorkCalendar:
        """Validate a parsed holiday file; keys are years (YAML ints or JSON strings)."""
        holidays: dict[int, list[Holiday]] = {}
        workdays: dict[int, set[dt.date]] = {}
        for key, value in data.items():
            year = _year_key(key)
            if year in holidays:
                raise CalendarError(f"year {year} is given twice")
            try:
                model = _YearModel.model_validate(value)
            except ValidationError as exc:
                raise CalendarError(_validation_message(year, exc)) from None
            _check_year(year, model)
            holidays[year] = [Holiday(h.name, h.start, h.end) for h in model.holidays]
            workdays[year] = set(model.workdays)
        return cls(holidays, workdays, strict=strict)

    def covers(self, day: dt.date) -> bool:
        """Whether the answer for `day` comes from a published notice rather than a guess."""
        if day.year not in self.years:
            return False
        return not (day.month == 12 and day.day >= _NEW_YEAR_SPILL_DAY) or (
            day.year + 1 in self.years
        )

    def is_workday(self, day: dt.date) -> bool:
        """Whether a time limit counts this day (a date in China time)."""
        if day in self._makeup:
            return True
        if day in self._off:
            return False
        if self.strict and not self.covers(day):
            raise CalendarError(
                f"no official holiday schedule for {day} (years known: "
                f"{', '.join(map(str, sorted(self.years))) or 'none'}); add it to holidays.yaml"
            )
        return day.weekday() < 5

    def holiday_name(self, day: dt.date) -> str | None:
        """The break `day` belongs to, weekends inside it included, for messages to users."""
        return self._names.get(day)

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_workdays(self, start: dt.datetime, days: int) -> dt.datetime:
        """The deadline of a limit of `days` working days counted from `start`.

        The day of receipt does not count: the limit ends with the `days`-th working day
        after it, at the end of that day, returned as the next midnight in China time
        (so `now < due` means "still in time"). The result is in `start`'s timezone.
        `days == 0` gives `start` itself.
        """
        _aware(start, "start")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return start
        day = start.astimezone(CHINA).date()
        for _ in range(days):
            day = self.next_workday(day)
        return _china_midnight(day + dt.timedelta(days=1)).astimezone(start.tzinfo)

    def workdays_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working time from `start` to `end`, in working days, for handling-time reports.

        Only the parts of working days count, so a case received on Friday evening and
        answered on Monday morning took a fraction of a day, not three. Negative when
        `end` is before `start`.
        """
        _aware(start, "start")
        _aware(end, "end")
        if end < start:
            return -self.workdays_between(end, start)
        # Subtract in UTC: aware datetimes sharing a tzinfo subtract as wall-clock times.
        t0, t1 = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        day, last = start.astimezone(CHINA).date(), end.astimezone(CHINA).date()
        total = 0.0
        while day <= last:
            if self.is_workday(day):
                lo = _china_midnight(day).astimezone(dt.UTC)
                hi = _china_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC)
                overlap = min(hi, t1) - max(lo, t0)
                total += overlap / (hi - lo)
            day += dt.timedelta(days=1)
        return total

    def fraction_elapsed(self, start: dt.datetime, due: dt.datetime, now: dt.datetime) -> float:
        """How much of a time limit is used up, for reminders at 50 % and 80 %.

        Measured in working time, so a weekend or a holiday does not bring a reminder
        closer. 0 before `start`, 1 at `due`, above 1 when overdue.
        """
        total = self.workdays_between(start, due)
        if total <= 0:
            return 1.0 if now >= due else 0.0
        return max(0.0, self.workdays_between(start, now) / total)
