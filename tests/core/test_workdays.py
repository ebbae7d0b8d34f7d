from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.workdays import (
    CalendarFileError,
    PromisedDate,
    UnknownCalendarYear,
    WorkingDayCalendar,
    parse_holiday_file,
    provisional_schedule,
    statutory_holidays,
)
from tests.helpers.core import RESOURCES

D = dt.date


@pytest.fixture(params=["package", "file"])
def calendar(request):
    """The same expectations hold for the chinesecalendar data and for the shipped holiday file."""
    if request.param == "package":
        return WorkingDayCalendar(use_package=True)
    return WorkingDayCalendar.from_file(RESOURCES / "calendar" / "holidays.toml", use_package=False)


@pytest.mark.parametrize(
    "start,days,expected",
    [
        # 国庆 2026: 10-01..10-07 off, Saturday 10-10 is an adjusted working day (调休上班).
        (D(2026, 9, 28), 5, D(2026, 10, 10)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        # 春节 2026: Saturday 02-14 works, 02-15..02-23 off.
        (D(2026, 2, 13), 3, D(2026, 2, 25)),
        # 国庆 + 中秋 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 work.
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 10, 10), 1, D(2025, 10, 11)),
        # An ordinary week: Friday + 1 working day is Monday.
        (D(2026, 11, 20), 1, D(2026, 11, 23)),
        (D(2026, 11, 23), 0, D(2026, 11, 23)),
    ],
)
def test_promised_dates_across_holidays(calendar, start, days, expected):
    assert calendar.add_working_days(start, days) == expected


def test_a_year_nobody_knows_gives_a_provisional_date_not_an_error():
    cal = WorkingDayCalendar.from_file(RESOURCES / "calendar" / "holidays.toml")
    assert not cal.knows(2027) and cal.knows(2026)
    # 2026-12-20 + 20 working days: 元旦 2027-01-01 (Friday) off, no 调休 known → 2027-01-18.
    assert cal.promised_date(D(2026, 12, 20), 20) == PromisedDate(D(2027, 1, 18), provisional=True)
    assert cal.promised_date(D(2026, 12, 1), 5) == PromisedDate(D(2026, 12, 8), provisional=False)
    assert cal.is_provisional(D(2027, 3, 1)) and not cal.is_provisional(D(2026, 3, 1))
    # a year before the regulation's rules (and unknown to every source) is still an explicit error
    bare = WorkingDayCalendar(use_package=False)
    with pytest.raises(UnknownCalendarYear) as info:
        bare.add_working_days(D(2007, 12, 28), 10)
    assert "2007" in info.value.user_message("zh_CN")


def test_2027_statutory_days_computed_from_the_lunar_calendar():
    days = statutory_holidays(2027)
    # 除夕 02-05, 春节 02-06..08, 清明 04-05, 劳动节 05-01/02, 端午 06-09, 中秋 09-15, 国庆 10-01..03
    assert sorted(days) == sorted(
        [D(2027, 1, 1), D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8), D(2027, 4, 5)]
        + [D(2027, 5, 1), D(2027, 5, 2), D(2027, 6, 9), D(2027, 9, 15)]
        + [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)]
    )
    prov = provisional_schedule(2027)
    # 补假 for the statutory days on a weekend: 02-06 Sat, 02-07 Sun → 02-09, 02-10; 05-01 Sat, 05-02 Sun
    # → 05-03, 05-04; 10-02 Sat, 10-03 Sun → 10-04, 10-05.
    assert prov.holidays - days == {D(2027, 2, 9), D(2027, 2, 10), D(2027, 5, 3), D(2027, 5, 4)} | {
        D(2027, 10, 4),
        D(2027, 10, 5),
    }
    assert prov.workdays == frozenset()


PACKAGE_YEARS = range(2008, 2027)


@pytest.mark.parametrize("year", PACKAGE_YEARS)
def test_statutory_days_of_every_published_year_are_official_days_off(year):
    """Every year the published data knows (the rules of the era in force that year): the computed
    statutory days — lunar festivals, 清明, the fixed days — are all days off in the official schedule."""
    official = WorkingDayCalendar(use_package=True)
    assert official.knows(year)
    missing = sorted(d for d in statutory_holidays(year) if official.is_workday(d))
    assert missing == []


# Two published schedules placed a weekend holiday's make-up day elsewhere than "the next weekday":
# 2012 (端午 06-23 Saturday: make-up 06-22 Friday) and 2015 (中秋 09-27 Sunday: no weekday off, the
# 国庆 week absorbed it). Every other year agrees day for day.
_MAKE_UP_ELSEWHERE = {2012: {D(2012, 6, 25)}, 2015: {D(2015, 9, 28)}}


@pytest.mark.parametrize("year", PACKAGE_YEARS)
def test_provisional_days_off_are_official_days_off(year):
    official = WorkingDayCalendar(use_package=True)
    extra = {d for d in provisional_schedule(year).holidays if official.is_workday(d)}
    assert extra == _MAKE_UP_ELSEWHERE.get(year, set())


def test_supervisors_are_warned_from_november_when_next_year_is_missing():
    cal = WorkingDayCalendar.from_file(RESOURCES / "calendar" / "holidays.toml")
    assert cal.missing_next_year(D(2026, 10, 31)) is None
    assert cal.missing_next_year(D(2026, 11, 1)) == 2027
    assert cal.missing_next_year(D(2025, 12, 1)) is None  # 2026 is published
    from clerk_app.promised_dates import schedule_warning
    from clerk_app.roles import Role

    assert schedule_warning(cal, D(2026, 12, 3), Role.CLERK) is None
    for role in (Role.SUPERVISOR, Role.ADMIN):
        text = schedule_warning(cal, D(2026, 12, 3), role)
        assert text is not None and "2027" in text and "暂定" in text


def test_holiday_file_extends_to_a_new_year(tmp_path):
    f = tmp_path / "h.toml"
    f.write_text('[years.2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-02]\n')
    cal = WorkingDayCalendar.from_file(f)
    assert cal.knows(2027)
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 2)  # 01-01 off, Saturday 01-02 works


def test_shipped_file_agrees_with_the_package():
    from_file = WorkingDayCalendar.from_file(RESOURCES / "calendar" / "holidays.toml", use_package=False)
    package = WorkingDayCalendar(use_package=True)
    day = D(2025, 1, 1)
    while day.year < 2027:
        assert from_file.is_workday(day) == package.is_workday(day), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    "text,problem",
    [
        ("[years.2027\n", "h.toml"),
        ('[years.2027]\nholidays = ["2026-01-01"]\n', "is not in 2027"),
        ('[years.2027]\nholidays = ["2027-13-01"]\n', "years.2027"),
        ('[years.2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-01]\n', "both"),
    ],
)
def test_malformed_holiday_file(text, problem):
    with pytest.raises(CalendarFileError, match=problem):
        parse_holiday_file(text, "h.toml")
