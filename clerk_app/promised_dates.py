"""Provisional promised dates made final: when the official holiday schedule of a year arrives
(pushed by the back office, a newer package or holidays.toml at start), every open case whose promised
date was computed with the provisional schedule is recomputed once, in one transaction per case, with
an audit event giving the old and the new date (so a date that moves earlier is never silent)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import CHINA_TZ
from clerk_app.lifecycle import CaseStatus
from clerk_app.roles import Role, system_actor
from clerk_app.store.models import Case
from clerk_app.workdays import WorkingDayCalendar

log = logging.getLogger(__name__)
_CLOSED = (CaseStatus.DELIVERED.value, CaseStatus.VOID.value)


def recompute_provisional_dates(
    sessions: sessionmaker[Session], calendar: WorkingDayCalendar, auditor: Auditor, station_code: str
) -> int:
    """Recompute the provisional promised dates that the calendar can now give exactly; returns how
    many cases changed. Cases whose years are still unpublished stay provisional (cheap: an indexed
    query on the flag, normally empty)."""
    actor = system_actor(station_code)
    changed = 0
    with sessions() as s:
        ids = s.scalars(
            select(Case.id).where(Case.promised_date_provisional.is_(True), Case.status.not_in(_CLOSED))
        ).all()
    for case_id in ids:
        with sessions.begin() as s:
            case = s.get(Case, case_id, with_for_update=True)
            if case is None or not case.promised_date_provisional or case.decided_at is None:
                continue
            if case.promised_days is None or case.promised_date is None:
                continue
            decided_day = case.decided_at.astimezone(CHINA_TZ).date()
            result = calendar.promised_date(decided_day, case.promised_days)
            if result.provisional:
                continue  # that year's schedule is still unknown
            old = case.promised_date
            new = result.date
            if case.deficiency_due is not None and new < case.deficiency_due:
                new = case.deficiency_due  # never before the 容缺 due date (CaseService.decide)
            case.promised_date = new
            case.promised_date_provisional = False
            direction = "same" if new == old else ("earlier" if new < old else "later")
            auditor.record(
                s,
                actor,
                "case.promised_date_recomputed",
                case.id,
                old=old.isoformat(),
                new=new.isoformat(),
                direction=direction,
                working_days=case.promised_days,
            )
            changed += 1
    if changed:
        log.info("promised dates recomputed with the official holiday schedule: %d case(s)", changed)
    return changed


_W_SCHEDULE_MISSING = i18n.register(
    "calendar.next_year_missing",
    "{year} 年法定节假日安排尚未导入：跨入 {year} 年的承诺办结日期按法定节假日暂定，"
    "收到正式安排（后台推送或更新节假日文件）后自动重算并记录审计。",
    "The {year} public-holiday schedule is not loaded yet: promised dates reaching into {year} are provisional "
    "(statutory holidays only) and are recomputed, audited, once the schedule arrives (pushed by the back office "
    "or an updated holiday file).",
)
_WARNED_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def schedule_warning(calendar: WorkingDayCalendar, today: dt.date, role: Role) -> str | None:
    """From 1 November, supervisors and admins are told when next year's schedule is still missing."""
    if role not in _WARNED_ROLES:
        return None
    year = calendar.missing_next_year(today)
    return None if year is None else i18n.text(_W_SCHEDULE_MISSING, year=year)
