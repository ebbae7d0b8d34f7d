"""Supervisor corrections of a decided case: one field at a time, with a mandatory reason.

The original value stays in ``case_corrections`` (shown in the case history), the case row gets the
new value, and the audit event names the field and the correction id only — never the values, so
no personal data reaches the audit trail even if a free-text field held some. Only the fields in
``CORRECTABLE`` can change; personal data (names, ID numbers) is corrected by recapturing the
applicant on a new case, not here. Voiding is ``CaseService.void`` (also reason-bound and audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import CHINA_TZ, Clock
from clerk_app.errors import DomainError, NotFound
from clerk_app.lifecycle import CaseStatus
from clerk_app.outcomes import enqueue_outcome
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, CaseCorrection

_E_REASON = i18n.register("error.correction_reason", "更正必须填写原因", "A correction needs a reason")
_E_FIELD = i18n.register("error.correction_field", "字段“{field}”不能更正", "Field “{field}” cannot be corrected")
_E_VALUE = i18n.register(
    "error.correction_value", "“{field}”的新值无效：{why}", "Invalid new value for “{field}”: {why}"
)
_E_STATE = i18n.register(
    "error.correction_state", "已作废或尚未作出决定的案件不能更正", "A void or undecided case cannot be corrected"
)
_E_SAME = i18n.register("error.correction_same", "新值与原值相同", "The new value equals the old one")


def _text(limit: int) -> Callable[[str], Any]:
    def parse(raw: str) -> str | None:
        value = raw.strip()
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        return value or None

    return parse


def _date(raw: str) -> dt.date | None:
    raw = raw.strip()
    return dt.date.fromisoformat(raw) if raw else None


def _time(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    value = dt.datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def _rating(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    value = int(raw)
    if not 1 <= value <= 5:
        raise ValueError("1–5")
    return value


# field → (parser of the typed text, label key). Only non-personal case facts.
CORRECTABLE: dict[str, tuple[Callable[[str], Any], str]] = {
    "window_no": (_text(16), i18n.register("field.window_no", "窗口号", "Window number")),
    "ticket_no": (_text(16), i18n.register("field.ticket_no", "排队号", "Ticket number")),
    "ticket_at": (_time, i18n.register("field.ticket_at", "取号时间", "Ticket time")),
    "called_at": (_time, i18n.register("field.called_at", "叫号时间", "Call time")),
    "started_at": (_time, i18n.register("field.started_at", "开始办理时间", "Start time")),
    "deficiency_due": (_date, i18n.register("field.deficiency_due", "容缺补交期限", "Supplement due date")),
    "promised_date": (_date, i18n.register("field.promised_date", "承诺办结日期", "Promised completion date")),
    "decision_reason": (_text(2000), i18n.register("field.decision_reason", "决定理由", "Decision reason")),
    "legal_basis": (_text(2000), i18n.register("field.legal_basis", "法律依据", "Legal basis")),
    "rating": (_rating, i18n.register("field.rating", "评价", "Rating")),
}


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA_TZ).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class CorrectionView:
    id: int
    case_id: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    actor: str
    at: dt.datetime


class CorrectionService:
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock, auditor: Auditor) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor

    def current_value(self, actor: Actor, case_id: str, field: str) -> str | None:
        actor.require(Permission.CASE_CORRECT)
        if field not in CORRECTABLE:
            raise DomainError(_E_FIELD, field=field)
        with self._sessions() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(what="案件", detail=f"case {case_id}")
            return _show(getattr(case, field))

    def correct(self, actor: Actor, case_id: str, field: str, new_value: str, reason: str) -> CorrectionView:
        actor.require(Permission.CASE_CORRECT)
        if not reason or not reason.strip():
            raise DomainError(_E_REASON)
        if field not in CORRECTABLE:
            raise DomainError(_E_FIELD, field=field, detail=f"field {field!r} not correctable")
        parse, label = CORRECTABLE[field]
        try:
            value = parse(new_value)
        except ValueError as exc:
            raise DomainError(_E_VALUE, field=i18n.Msg(label), why=str(exc), detail=f"{field}: bad value") from exc
        now = self._clock.now()
        with self._sessions.begin() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(what="案件", detail=f"case {case_id}")
            if case.decided_at is None or case.status == CaseStatus.VOID.value:
                raise DomainError(_E_STATE, detail=f"case is {case.status}")
            old = getattr(case, field)
            if _show(old) == _show(value):
                raise DomainError(_E_SAME)
            row = CaseCorrection(
                case_id=case_id,
                field=field,
                old_value=_show(old),
                new_value=_show(value),
                reason=reason.strip(),
                actor_id=actor.user_id,
                actor=actor.username,
                at=now,
            )
            s.add(row)
            setattr(case, field, value)
            case.updated_at = now
            s.flush()
            # Values stay out of the trail (they are in case_corrections); the reason is the
            # supervisor's own text about the correction.
            self._auditor.record(
                s, actor, "case.correct", case_id, field=field, correction=row.id, reason=reason.strip()
            )
            # The back office learns the correction once (outbox, same transaction): the corrected
            # fields are case facts, never personal data.
            enqueue_outcome(
                s,
                case,
                "correction",
                actor,
                now,
                case.station_code,
                field=field,
                old_value=row.old_value,
                new_value=row.new_value,
                reason=reason.strip(),
                correction=row.id,
            )
            return _view(row)

    def history(self, actor: Actor, case_id: str) -> list[CorrectionView]:
        actor.require(Permission.AUDIT_READ_ALL)
        with self._sessions() as s:
            return [
                _view(r)
                for r in s.scalars(
                    select(CaseCorrection).where(CaseCorrection.case_id == case_id).order_by(CaseCorrection.id)
                )
            ]


def _view(r: CaseCorrection) -> CorrectionView:
    return CorrectionView(r.id, r.case_id, r.field, r.old_value, r.new_value, r.reason, r.actor, r.at)
