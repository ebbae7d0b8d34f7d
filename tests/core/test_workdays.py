from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.workdays import CalendarFileError, UnknownCalendarYear, WorkingDayCalendar, parse_holiday_file
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


def test_a_year_nobody_knows_is_an_error_not_a_guess():
    cal = WorkingDayCalendar.from_file(RESOURCES / "calendar" / "holidays.toml")
    with pytest.raises(UnknownCalendarYear) as info:
        cal.add_working_days(D(2026, 12, 28), 10)
    assert "2027" in info.value.user_message("zh_CN")
    assert not cal.knows(2027) and cal.knows(2026)


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
