"""The working-day calendar: the shipped 2026 schedule, deadlines, elapsed time, bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.complaints.calendar import CHINA, Holiday, WorkCalendar
from knowledge.errors import CalendarError

UTC = dt.UTC
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))

# From the shared holidays-facts.md (国办发明电〔2025〕7号), listed there day by day.
OFF_WEEKDAYS_2026 = [
    "01-01", "01-02",
    "02-16", "02-17", "02-18", "02-19", "02-20", "02-23",
    "04-06",
    "05-01", "05-04", "05-05",
    "06-19",
    "09-25",
    "10-01", "10-02", "10-05", "10-06", "10-07",
]  # fmt: skip
MAKEUP_DAYS_2026 = ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def china(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHINA)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


# --- the shipped schedule ---------------------------------------------------------------


def test_2026_off_weekdays_and_makeup_days_are_exactly_the_notices(cal: WorkCalendar) -> None:
    year = days_of(2026)
    off = [x.strftime("%m-%d") for x in year if x.weekday() < 5 and not cal.is_workday(x)]
    makeup = [x.strftime("%m-%d") for x in year if x.weekday() >= 5 and cal.is_workday(x)]
    assert off == OFF_WEEKDAYS_2026
    assert makeup == MAKEUP_DAYS_2026
    assert len(off) == 19 and len(makeup) == 6


def test_2026_examples(cal: WorkCalendar) -> None:
    assert cal.is_workday(d("2026-02-14"))  # Saturday, 调休上班
    assert not cal.is_workday(d("2026-02-16"))  # Monday in 春节
    assert cal.is_workday(d("2026-10-10"))  # Saturday, 调休上班
    assert not cal.is_workday(d("2026-02-15"))  # Sunday inside 春节 stays off
    assert cal.is_workday(d("2026-03-02"))  # ordinary Monday
    assert not cal.is_workday(d("2026-03-07"))  # ordinary Saturday
    assert cal.holiday_name(d("2026-02-15")) == "春节"
    assert cal.holiday_name(d("2026-10-07")) == "国庆节"
    assert cal.holiday_name(d("2026-10-10")) is None
    assert cal.holiday_name(d("2026-03-02")) is None


def test_shipped_years_and_coverage(cal: WorkCalendar) -> None:
    assert 2026 in cal.years and 2027 not in cal.years  # 2027 is not published yet
    assert cal.covers(d("2026-06-01"))
    assert not cal.covers(d("2027-06-01"))
    # Late December waits for the next year's notice (a New Year break can start then).
    assert cal.covers(d("2026-12-24")) and not cal.covers(d("2026-12-28"))
    assert all(isinstance(h, Holiday) for h in cal.holidays)
    assert next(h.name for h in cal.holidays if h.start.year == 2026) == "元旦"


def test_years_not_covered_fall_back_to_monday_to_friday(cal: WorkCalendar) -> None:
    for day in days_of(2030):
        assert not cal.covers(day)
        assert cal.is_workday(day) == (day.weekday() < 5)
    assert cal.holiday_name(d("2030-10-01")) is None


def test_strict_calendar_refuses_unknown_years() -> None:
    strict = WorkCalendar.load(strict=True)
    assert not strict.is_workday(d("2026-10-01"))
    with pytest.raises(CalendarError, match="2030-01-02"):
        strict.is_workday(d("2030-01-02"))
    with pytest.raises(CalendarError, match="no official holiday schedule"):
        strict.add_workdays(china("2026-12-20T09:00"), 10)


def test_next_workday(cal: WorkCalendar) -> None:
    assert cal.next_workday(d("2026-09-30")) == d("2026-10-08")
    assert cal.next_workday(d("2026-10-09")) == d("2026-10-10")  # Saturday, 调休上班
    assert cal.next_workday(d("2026-03-06")) == d("2026-03-09")  # Friday -> Monday


# --- deadlines --------------------------------------------------------------------------


def test_add_workdays_across_national_day(cal: WorkCalendar) -> None:
    # 10-08 WD1, 10-09 WD2, 10-10 (Sat, 调休) WD3, 10-12 WD4, 10-13 WD5: due at the end of 10-13.
    due = cal.add_workdays(china("2026-09-30T10:00"), 5)
    assert due == china("2026-10-14T00:00")


def test_add_workdays_across_spring_festival(cal: WorkCalendar) -> None:
    # 02-13 Fri received; 02-14 Sat (调休) WD1; 02-15..02-23 off; 02-24 WD2, 02-25 WD3.
    assert cal.add_workdays(china("2026-02-13T16:30"), 3) == china("2026-02-26T00:00")
    # 02-27 Fri WD1, 02-28 Sat (调休) WD2, 03-02 Mon WD3.
    assert cal.add_workdays(china("2026-02-26T09:00"), 3) == china("2026-03-03T00:00")


def test_friday_with_one_working_day_is_due_end_of_monday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(china("2026-03-06T17:45"), 1) == china("2026-03-10T00:00")


def test_received_day_is_the_china_date(cal: WorkCalendar) -> None:
    # 2026-03-05 20:00 UTC is Friday 2026-03-06 04:00 in China: counted from Friday.
    start = dt.datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    due = cal.add_workdays(start, 1)
    assert due == china("2026-03-10T00:00")
    assert due.tzinfo is UTC and due == dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    # Same wall-clock moment seen as Thursday in UTC would have been due end of Friday.
    assert due != china("2026-03-07T00:00")


def test_add_workdays_edge_arguments(cal: WorkCalendar) -> None:
    start = china("2026-03-06T10:00")
    assert cal.add_workdays(start, 0) == start
    with pytest.raises(ValueError, match="negative"):
        cal.add_workdays(start, -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_workdays(dt.datetime(2026, 3, 6, 10, 0), 1)


# --- elapsed working time ---------------------------------------------------------------


def test_workdays_between(cal: WorkCalendar) -> None:
    assert cal.workdays_between(china("2026-03-02T00:00"), china("2026-03-07T00:00")) == 5
    assert cal.workdays_between(china("2026-03-02T06:00"), china("2026-03-02T18:00")) == 0.5
    # Friday 18:00 to Monday 06:00: 6 h of Friday and 6 h of Monday; the weekend is free.
    assert cal.workdays_between(china("2026-03-06T18:00"), china("2026-03-09T06:00")) == 0.5
    # The whole 国庆 break costs nothing.
    assert cal.workdays_between(china("2026-10-01T00:00"), china("2026-10-08T00:00")) == 0
    # Timezones of the two ends do not matter, only the moments.
    start = china("2026-03-02T12:00").astimezone(NEW_YORK)
    assert cal.workdays_between(start, china("2026-03-03T12:00")) == 1
    assert cal.workdays_between(china("2026-03-03T12:00"), start) == -1


def test_fraction_elapsed(cal: WorkCalendar) -> None:
    start = china("2026-09-30T00:00")
    due = cal.add_workdays(start, 5)  # end of 10-13; 6 working days from the start of 09-30
    assert cal.workdays_between(start, due) == 6
    # Half-way after 09-30, 10-08 and 10-09; the seven days of 国庆 in between do not count.
    assert cal.fraction_elapsed(start, due, china("2026-10-10T00:00")) == 0.5
    assert cal.fraction_elapsed(start, due, china("2026-10-05T12:00")) == pytest.approx(1 / 6)
    assert cal.fraction_elapsed(start, due, due) == 1
    assert cal.fraction_elapsed(start, due, china("2026-10-15T00:00")) > 1
    assert cal.fraction_elapsed(start, due, china("2026-09-01T00:00")) == 0


# --- bad data files ---------------------------------------------------------------------


def year_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "test notice",
        "holidays": [{"name": "元旦", "start": "2026-01-01", "end": "2026-01-03"}],
        "workdays": ["2026-01-04"],
    }
    data.update(changes)
    return data


def test_from_mapping_accepts_json_style_data() -> None:
    cal = WorkCalendar.from_mapping({"2026": year_data()})
    assert cal.years == frozenset({2026})
    assert cal.is_workday(d("2026-01-04")) and not cal.is_workday(d("2026-01-02"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({2026: year_data(workdays=["2026-01-05"])}, r"year 2026, workdays\[0\].*Monday"),
        (
            {
                2026: year_data(
                    holidays=[{"name": "春节", "start": "2026-02-23", "end": "2026-02-15"}]
                )
            },
            r"year 2026, holidays\[0\] \(春节\): end 2026-02-15 is before start",
        ),
        ({2026: year_data(note="x")}, r"year 2026: note: Extra inputs are not permitted"),
        (
            {
                2026: year_data(
                    holidays=[{"nme": "元旦", "start": "2026-01-01", "end": "2026-01-01"}]
                )
            },
            r"year 2026: .*holidays\.0\.name: Field required",
        ),
        ({2026: year_data(workdays=["2026-02-30"])}, r"year 2026: workdays\.0"),
        ({2026: year_data(workdays=[20260104])}, r"year 2026: workdays\.0: .*YYYY-MM-DD"),
        ({2026: year_data(workdays=["2026-01-03"])}, r"2026-01-03 is inside the holiday 元旦"),
        ({2026: year_data(workdays=["2026-01-04", "2026-01-04"])}, "listed twice"),
        ({2026: year_data(workdays=["2027-01-02"])}, "outside the year 2026"),
        (
            {
                2026: year_data(
                    holidays=[
                        {"name": "A", "start": "2026-01-01", "end": "2026-01-03"},
                        {"name": "B", "start": "2026-01-03", "end": "2026-01-05"},
                    ],
                    workdays=[],
                )
            },
            "2026-01-03 is already in A",
        ),
        ({2026: year_data(source="")}, "year 2026: source"),
        ({"twenty": year_data()}, "'twenty' is not a year"),
        ({1900: year_data()}, "year 1900 is out of range"),
        ({2026: year_data(), "2026": year_data()}, "year 2026 is given twice"),
        (
            {
                2025: year_data(
                    holidays=[{"name": "X", "start": "2025-12-27", "end": "2025-12-27"}],
                    workdays=[],
                ),
                2026: year_data(holidays=[], workdays=["2025-12-27"]),
            },
            "2025-12-27 is both a holiday and a make-up workday",
        ),
    ],
)
def test_bad_data_is_rejected_with_the_problem_named(data: dict[Any, Any], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        WorkCalendar.from_mapping(data)


def test_load_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "holidays.yaml"
    bad.write_text(
        "2026:\n  source: x\n  holidays: []\n  workdays: [2026-01-05]\n", encoding="utf-8"
    )
    with pytest.raises(CalendarError, match=r"holidays\.yaml: year 2026, workdays\[0\]"):
        WorkCalendar.load(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="mapping of years"):
        WorkCalendar.load(bad)
    bad.write_text("2026: [unclosed\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="not valid YAML"):
        WorkCalendar.load(bad)


# --- properties -------------------------------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.sampled_from([CHINA, UTC, NEW_YORK]),
)


@settings(max_examples=150, deadline=None)
@given(start=moments, n=st.integers(min_value=1, max_value=40))
def test_add_workdays_lands_on_a_working_day_and_grows_with_n(
    cal: WorkCalendar, start: dt.datetime, n: int
) -> None:
    due = cal.add_workdays(start, n)
    last_day = (due.astimezone(CHINA) - dt.timedelta(microseconds=1)).date()
    assert cal.is_workday(last_day)
    assert due.astimezone(CHINA).time() == dt.time(0)
    assert due.tzinfo is start.tzinfo
    assert due > start
    assert cal.add_workdays(start, n + 1) > due
    # Exactly n working days after the China day of receipt, up to and including the last.
    received = start.astimezone(CHINA).date()
    counted = [
        received + dt.timedelta(days=i)
        for i in range(1, (last_day - received).days + 1)
        if cal.is_workday(received + dt.timedelta(days=i))
    ]
    assert len(counted) == n
