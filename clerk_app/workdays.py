"""Working days (工作日) for promised completion dates, with public holidays and adjusted working
weekends (调休).

Sources, in order: the holiday file in resources/calendar (updatable from the back office; it wins
for the years it lists), then the ``chinesecalendar`` package's data (the State Council notices it
transcribes). A year that neither source knows yet (next year, until the State Council publishes its
schedule in late autumn) gets a **provisional** schedule computed from the rules of the national
holiday regulation (《全国年节及纪念日放假办法》) — the statutory days, lunar dates computed, with the
make-up day (补假) the regulation gives when a holiday falls on a weekend — plus weekends, but without
the adjusted working weekends (调休) that only the published schedule has. A date computed with it is
marked provisional (``PromisedDate.provisional``) and recomputed once the official schedule arrives
(``clerk_app.promised_dates``). The intake never blocks on an unknown year.
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


# 《全国年节及纪念日放假办法》 as amended (State Council decrees 513 of 2007, 644 of 2013, 795 of 2024).
# Each era: (first year, Spring Festival days relative to 正月初一, Labour Day days in May).
_REGULATION_ERAS = (
    (2025, (-1, 0, 1, 2), (1, 2)),  # 除夕 + 初一..初三; 5-1, 5-2 (in force since 2025-01-01)
    (2014, (0, 1, 2), (1,)),  # 初一..初三; 5-1
    (2008, (-1, 0, 1), (1,)),  # 除夕, 初一, 初二; 5-1 (清明/端午/中秋 added in 2008)
)
FIRST_RULE_YEAR = _REGULATION_ERAS[-1][0]


def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The days off for all citizens that the regulation itself fixes for ``year`` (no 补假, no 调休):
    元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆. Lunar dates and the 清明 solar term are computed with
    ``lunar_python`` (astronomical algorithms, 6tail/lunar-python); tests check every year the package
    knows against the published schedules."""
    from lunar_python import Lunar, Solar

    era = next((e for e in _REGULATION_ERAS if year >= e[0]), None)
    if era is None:
        raise UnknownCalendarYear(year=year)
    _, spring_offsets, labour_days = era

    def lunar(month: int, day: int) -> dt.date:
        s = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    new_year = lunar(1, 1)
    qm = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    qingming = dt.date(qm.getYear(), qm.getMonth(), qm.getDay())
    if qingming.year != year or qingming.month != 4:  # the table of that lunar year always holds it
        raise UnknownCalendarYear(year=year, detail=f"qingming {qingming} out of place")
    days = {dt.date(year, 1, 1), qingming, lunar(5, 5), lunar(8, 15)}
    days |= {new_year + dt.timedelta(days=o) for o in spring_offsets}
    days |= {dt.date(year, 5, d) for d in labour_days}
    days |= {dt.date(year, 10, d) for d in (1, 2, 3)}
    return frozenset(d for d in days if d.year == year)  # 除夕 of a late-January new year stays in its year


def provisional_schedule(year: int) -> YearSchedule:
    """Statutory days plus, for each that falls on a Saturday or Sunday, the make-up day the regulation
    prescribes (第六条: 全体公民放假的假日，如果适逢周六、周日，应当在工作日补假) — taken here as the next
    weekday that is not already a holiday. No adjusted working weekends: only the published schedule
    has those."""
    statutory = statutory_holidays(year)
    holidays = set(statutory)
    for day in sorted(statutory):
        if day.weekday() >= 5:
            make_up = day + dt.timedelta(days=1)
            while make_up.weekday() >= 5 or make_up in holidays:
                make_up += dt.timedelta(days=1)
            holidays.add(make_up)
    return YearSchedule(frozenset(holidays), frozenset(), source="provisional")


@dataclass(frozen=True)
class PromisedDate:
    """A promised completion date; ``provisional`` when a year on the way had no published schedule."""

    date: dt.date
    provisional: bool


PROVISIONAL_NOTE = i18n.register("calendar.provisional", "按法定节假日暂定", "provisional, from the statutory holidays")


def promised_text(date: dt.date | None, provisional: bool) -> str:
    """A promised date as a clerk reads it: ``2027-01-18（按法定节假日暂定）`` when provisional."""
    if date is None:
        return "—"
    return f"{date.isoformat()}（{i18n.text(PROVISIONAL_NOTE)}）" if provisional else date.isoformat()


@dataclass
class WorkingDayCalendar:
    file_years: dict[int, YearSchedule] = field(default_factory=dict)
    use_package: bool = True
    _provisional: dict[int, YearSchedule] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_file(cls, path: str | Path | None, use_package: bool = True) -> WorkingDayCalendar:
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
        """From the published schedule where one is known, else from the provisional one (never
        raises for a year the regulation covers: the window must not stop in December)."""
        return self._workday(day)[0]

    def is_provisional(self, day: dt.date) -> bool:
        return self._workday(day)[1]

    def _workday(self, day: dt.date) -> tuple[bool, bool]:
        sched = self.file_years.get(day.year)
        if sched is not None:
            return _in_schedule(sched, day), False
        if self.use_package:
            import chinese_calendar

            try:
                return bool(chinese_calendar.is_workday(day)), False
            except NotImplementedError:
                pass
        prov = self._provisional.get(day.year)
        if prov is None:
            prov = self._provisional[day.year] = provisional_schedule(day.year)
        return _in_schedule(prov, day), True

    def promised_date(self, start: dt.date, days: int) -> PromisedDate:
        """``days`` working days after ``start`` (``start`` itself does not count), and whether any
        day on the way came from a provisional schedule."""
        if days < 0:
            raise ValueError("days must be ≥ 0")
        current = start
        remaining = days
        provisional = False
        while remaining:
            current += dt.timedelta(days=1)
            workday, prov = self._workday(current)
            provisional |= prov
            if workday:
                remaining -= 1
        return PromisedDate(current, provisional)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
        return self.promised_date(start, days).date

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (for overdue counts)."""
        n, d = 0, start
        while d < end:
            d += dt.timedelta(days=1)
            n += self.is_workday(d)
        return n

    def missing_next_year(self, today: dt.date) -> int | None:
        """The coming year when its published schedule is still missing from 1 November on (when the
        State Council usually publishes it), else None: supervisors and admins are warned."""
        if (today.month, today.day) < (11, 1):
            return None
        year = today.year + 1
        return None if self.knows(year) else year


def _in_schedule(sched: YearSchedule, day: dt.date) -> bool:
    if day in sched.workdays:
        return True
    if day in sched.holidays:
        return False
    return day.weekday() < 5


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
