"""Working days (工作日) for promised completion dates, with public holidays and adjusted working
weekends (调休).

Sources, in order: the holiday file in resources/calendar (updatable from the back office; it wins
for the years it lists), then the ``chinesecalendar`` package's data (the State Council notices it
transcribes). A year that neither source knows is an explicit error — never a weekday-only guess.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from clerk_app import i18n
from clerk_app.errors import ClerkAppError


class UnknownCalendarYear(ClerkAppError):
    key = i18n.register(
        "error.calendar_year",
        "{year} 年的法定节假日安排尚未发布或未导入，无法计算承诺办结日期",
        "The public-holiday schedule for {year} is not known yet; the promised date cannot be computed",
    )


class CalendarFileError(ClerkAppError):
    key = i18n.register("error.calendar_file", "节假日文件有误：{problem}", "Holiday file is invalid: {problem}")


@dataclass(frozen=True)
class YearSchedule:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # adjusted working weekends (调休上班)
    source: str = ""


@dataclass
class WorkingDayCalendar:
    file_years: dict[int, YearSchedule] = field(default_factory=dict)
    use_package: bool = True

    @classmethod
    def from_file(cls, path: str | Path | None, use_package: bool = True) -> "WorkingDayCalendar":
        years: dict[int, YearSchedule] = {}
        if path is not None and Path(path).exists():
            years = parse_holiday_file(Path(path).read_text(encoding="utf-8"), str(path))
        return cls(years, use_package)

    def knows(self, year: int) -> bool:
        if year in self.file_years:
            return True
        if not self.use_package:
            return False
        import chinese_calendar

        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
            return True
        except NotImplementedError:
            return False

    def is_workday(self, day: dt.date) -> bool:
        sched = self.file_years.get(day.year)
        if sched is not None:
            if day in sched.workdays:
                return True
            if day in sched.holidays:
                return False
            return day.weekday() < 5
        if self.use_package:
            import chinese_calendar

            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                pass
        raise UnknownCalendarYear(year=day.year)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
        if days < 0:
            raise ValueError("days must be ≥ 0")
        current = start
        remaining = days
        while remaining:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (for overdue counts)."""
        n, d = 0, start
        while d < end:
            d += dt.timedelta(days=1)
            n += self.is_workday(d)
        return n


def parse_holiday_file(text: str, name: str = "holidays.toml") -> dict[int, YearSchedule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(problem=f"{name}: {exc}") from exc
    years: dict[int, YearSchedule] = {}
    for key, entry in (data.get("years") or {}).items():
        try:
            year = int(key)
            holidays = frozenset(_as_date(d) for d in entry.get("holidays", []))
            workdays = frozenset(_as_date(d) for d in entry.get("workdays", []))
        except (ValueError, TypeError, AttributeError) as exc:
            raise CalendarFileError(problem=f"{name} [years.{key}]: {exc}") from exc
        wrong = [d for d in holidays | workdays if d.year != year]
        if wrong:
            raise CalendarFileError(problem=f"{name} [years.{key}]: {wrong[0].isoformat()} is not in {year}")
        if holidays & workdays:
            raise CalendarFileError(problem=f"{name} [years.{key}]: a day is both holiday and workday")
        years[year] = YearSchedule(holidays, workdays, str(entry.get("source", "")))
    return years


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
