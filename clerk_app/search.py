"""Case search and history: find cases by case number, ID number, name, date range, status and
item, page by page, and read one case's history (lines, documents, transitions, audit events).

Personal data is never decrypted here: the ID number and name are compared through the keyed
search tokens (``persons.id_token`` / ``name_token``), and rows carry only the masked name. Every
query walks an index and pages with a keyset cursor (created_at, id), so it stays fast with a
million cases in the local store (bench/bench_search.py, docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.case_numbers import draft_number, parse_case_lookup, parse_case_suffix
from clerk_app.clock import CHINA_TZ, local_time
from clerk_app.errors import DomainError
from clerk_app.identity import validate_resident_id
from clerk_app.lifecycle import CaseStatus, status_label
from clerk_app.persons import PersonRepository
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import AuditEvent, Case, CaseLine, Person, PrintJob

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class SearchError(DomainError):
    key = i18n.register("error.search", "无法查询：{why}", "Cannot search: {why}")


_W_CASE_NUMBER = i18n.register(
    "why.search_case_number",
    "受理编号不正确（请核对校验位），或输入编号的后 4–8 位",
    "the case number is not valid (check characters); or type its last 4–8 characters",
)
_W_DATES = i18n.register("why.search_dates", "起始日期晚于截止日期", "the start date is after the end date")
_W_NOTHING = i18n.register("why.search_empty", "请至少填写一个查询条件", "give at least one criterion")


@dataclass(frozen=True)
class SearchCriteria:
    """Every criterion is optional; they combine with AND. Exact matches only for the personal
    ones (ID number, name): a keyed token cannot answer a prefix or fuzzy query, by design."""

    case_number: str = ""
    id_number: str = ""
    name: str = ""
    date_from: dt.date | None = None  # registration date (China time), inclusive
    date_to: dt.date | None = None  # inclusive
    status: CaseStatus | None = None
    item_code: str = ""

    @property
    def uses_personal_data(self) -> bool:
        return bool(self.id_number.strip() or self.name.strip())

    def is_empty(self) -> bool:
        return not (
            self.case_number.strip()
            or self.uses_personal_data
            or self.date_from
            or self.date_to
            or self.status
            or self.item_code.strip()
        )


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts (exclusive): the last row's sort key."""

    created_at: dt.datetime
    case_id: str


@dataclass(frozen=True)
class CaseRow:
    """One line of the result list: nothing personal beyond the masked name."""

    id: str
    case_number: str | None
    item_name: str
    status: CaseStatus
    applicant_masked: str
    decided_at: dt.datetime | None
    created_at: dt.datetime

    def cells(self) -> tuple[str, ...]:
        """The row as the result list shows it: case number, item, status, applicant, decided at."""
        return (
            draft_number(self.case_number),
            self.item_name,
            status_label(self.status.value),
            self.applicant_masked or "—",
            local_time(self.decided_at),
        )


@dataclass(frozen=True)
class ResultPage:
    rows: tuple[CaseRow, ...]
    next: Cursor | None  # None: this was the last page


@dataclass(frozen=True)
class DocumentRow:
    document_kind: str
    printer: str
    status: str
    is_reprint: bool
    attempts: int
    created_at: dt.datetime


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    detail: dict[str, Any]


_Row = TypeVarTuple("_Row")  # the column types of a search statement, kept through _visible

_ROW_COLUMNS = (
    Case.id,
    Case.case_number,
    Case.item_name,
    Case.status,
    Person.name_masked,
    Case.decided_at,
    Case.created_at,
)


# Why an applicant's earlier case needs the clerk now (after a card read): key → Chinese label.
MATTER_NOTICE = "notice"
MATTER_DEFERRED = "deferred"
MATTER_RESULT = "result"
MATTER_LABELS = {
    MATTER_NOTICE: i18n.register("matter.notice", "已一次性告知，待补正后再办", "Returned with a notice"),
    MATTER_DEFERRED: i18n.register("matter.deferred", "有容缺材料待补交", "容缺 materials owed"),
    MATTER_RESULT: i18n.register("matter.result", "办理结果已出，可当场领取", "Result ready for pickup"),
}
# Statuses in which deferred lines are still owed (not yet supplemented, not closed).
_OWING = (
    CaseStatus.ACCEPTED_WITH_DEFICIENCIES.value,
    CaseStatus.SYNCED.value,
    CaseStatus.IN_APPROVAL.value,
    CaseStatus.APPROVED.value,
)


@dataclass(frozen=True)
class OpenMatter:
    """An earlier case of the applicant on the desk that needs something today (no personal data)."""

    id: str
    case_number: str | None
    item_name: str
    status: CaseStatus
    kind: str  # MATTER_NOTICE | MATTER_DEFERRED | MATTER_RESULT

    def label(self) -> str:
        return i18n.text(MATTER_LABELS[self.kind])


def _row(r: Sequence[Any]) -> CaseRow:
    return CaseRow(
        id=r[0],
        case_number=r[1],
        item_name=r[2],
        status=CaseStatus(r[3]),
        applicant_masked=r[4] or "",
        decided_at=r[5],
        created_at=r[6],
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ)


class CaseSearch:
    """Who may search what: roles with full personal-data access (clerks, supervisors) search every
    case at the station's store; pre-review staff only the cases they created or pre-checked;
    others not at all. A search by ID number or name is itself a personal-data lookup: audited
    (which criteria, never their values)."""

    def __init__(self, session_factory: sessionmaker[Session], persons: PersonRepository, auditor: Auditor) -> None:
        self._sessions = session_factory
        self._persons = persons
        self._auditor = auditor

    # -- searching -----------------------------------------------------------------------------
    def search(
        self, actor: Actor, criteria: SearchCriteria, after: Cursor | None = None, limit: int = PAGE_SIZE
    ) -> ResultPage:
        """One page of matching cases, newest first; pass ``page.next`` for the following one."""
        self._require(actor)
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        stmt = self._statement(actor, criteria)
        if after is not None:
            stmt = stmt.where(tuple_(Case.created_at, Case.id) < tuple_(after.created_at, after.case_id))
        stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit + 1)
        with self._sessions() as s:
            result = [_row(r) for r in s.execute(stmt).all()]
        more = len(result) > limit
        rows = tuple(result[:limit])
        nxt = Cursor(rows[-1].created_at, rows[-1].id) if more else None
        if criteria.uses_personal_data and after is None:
            self._auditor.record_now(
                actor,
                "case.search",
                None,
                criteria=self._criteria_names(criteria),
                found=len(rows) if not more else f">{limit}",
            )
        return ResultPage(rows, nxt)

    def rows(self, actor: Actor, ids: Sequence[str]) -> dict[str, CaseRow]:
        """Rows by id (the lazy table model refills its small cache with this)."""
        self._require(actor)
        if not ids:
            return {}
        stmt = select(*_ROW_COLUMNS).outerjoin(Person, Person.id == Case.applicant_id).where(Case.id.in_(list(ids)))
        stmt = self._visible(actor, stmt)
        with self._sessions() as s:
            return {r[0]: _row(r) for r in s.execute(stmt).all()}

    def find_number(self, actor: Actor, text: str) -> CaseRow | None:
        """The case with this number, typed or scanned from a receipt (``CASE:<number>``)."""
        number = parse_case_lookup(text)
        if number is None:
            raise SearchError(why=i18n.Msg(_W_CASE_NUMBER), detail="invalid case number")
        page = self.search(actor, SearchCriteria(case_number=number), limit=1)
        return page.rows[0] if page.rows else None

    def open_matters(self, actor: Actor, document_number: str, exclude: str | None = None) -> list[OpenMatter]:
        """The applicant's earlier cases (as applicant, by the hall-wide ID token) that were returned
        with a notice, still owe 容缺 materials or have a result ready — asked after a card read.
        Audited as a personal-data lookup (the criterion's name, never its value)."""
        self._require(actor)
        if not document_number.strip():
            return []
        token = self._persons.id_token(_normal_id(document_number))
        matching = select(Person.id).where(Person.id_token == token)
        deferred = select(CaseLine.case_id).where(CaseLine.status == "deferred")
        stmt = self._visible(
            actor,
            select(Case.id, Case.case_number, Case.item_name, Case.status, Case.id.in_(deferred)).where(
                Case.applicant_id.in_(matching),
                or_(
                    Case.status.in_([CaseStatus.RETURNED_WITH_NOTICE.value, CaseStatus.RESULT_READY.value]),
                    Case.status.in_(_OWING) & Case.id.in_(deferred),
                ),
            ),
        )
        if exclude:
            stmt = stmt.where(Case.id != exclude)
        with self._sessions() as s:
            rows = s.execute(stmt.order_by(Case.created_at.desc()).limit(20)).all()
        out = []
        for cid, number, item, status, owes in rows:
            st = CaseStatus(status)
            kind = (
                MATTER_RESULT
                if st is CaseStatus.RESULT_READY
                else MATTER_NOTICE
                if st is CaseStatus.RETURNED_WITH_NOTICE
                else MATTER_DEFERRED
            )
            if st is CaseStatus.RESULT_READY and owes:
                kind = MATTER_RESULT
            out.append(OpenMatter(cid, number, item, st, kind))
        self._auditor.record_now(actor, "case.open_matters", None, criteria=["id_number"], found=len(out))
        return out

    # -- a case's history ----------------------------------------------------------------------
    def documents(self, actor: Actor, case_id: str) -> list[DocumentRow]:
        """Every document printed (or queued) for the case, oldest first."""
        self._require(actor)
        self._require_visible(actor, case_id)
        with self._sessions() as s:
            jobs = s.scalars(select(PrintJob).where(PrintJob.case_id == case_id).order_by(PrintJob.id)).all()
            return [
                DocumentRow(j.document_kind, j.printer, j.status, j.is_reprint, j.attempts, j.created_at) for j in jobs
            ]

    def audit_events(self, actor: Actor, case_id: str, limit: int = 500) -> list[AuditRow]:
        """The case's audit events as far as the role may read them (Auditor.events decides),
        oldest first."""
        self._require(actor)
        self._require_visible(actor, case_id)
        events: list[AuditEvent] = list(self._auditor.events(actor, case_id=case_id, limit=limit))
        return [AuditRow(e.seq, e.at, e.actor, e.role, e.action, dict(e.detail)) for e in reversed(events)]

    # -- helpers -------------------------------------------------------------------------------
    def _require(self, actor: Actor) -> None:
        if not actor.can(Permission.PII_VIEW_FULL):
            actor.require(Permission.CASE_EDIT_DRAFT)

    def _require_visible(self, actor: Actor, case_id: str) -> None:
        if actor.can(Permission.PII_VIEW_FULL):
            return
        if not self.rows(actor, [case_id]):
            actor.require(Permission.PII_VIEW_FULL)  # raises PermissionDenied with a clear message

    @staticmethod
    def _visible(actor: Actor, stmt: Select[*_Row]) -> Select[*_Row]:
        if actor.can(Permission.PII_VIEW_FULL):
            return stmt
        uid = actor.user_id if actor.user_id is not None else -1
        return stmt.where(or_(Case.created_by == uid, Case.prereviewed_by == uid))

    def _statement(self, actor: Actor, c: SearchCriteria) -> Select[*tuple[Any, ...]]:
        if c.is_empty():
            raise SearchError(why=i18n.Msg(_W_NOTHING), detail="no criteria")
        if c.date_from and c.date_to and c.date_from > c.date_to:
            raise SearchError(why=i18n.Msg(_W_DATES), detail="date range reversed")
        stmt = select(*_ROW_COLUMNS).outerjoin(Person, Person.id == Case.applicant_id)
        if c.case_number.strip():
            number = parse_case_lookup(c.case_number)
            suffix = parse_case_suffix(c.case_number) if number is None else None
            if number is not None:
                stmt = stmt.where(Case.case_number == number)
            elif suffix is not None:
                # The last 4–8 characters, as a clerk reads them off a receipt over the phone.
                stmt = stmt.where(Case.case_number.like(f"%{suffix}"))
            else:
                raise SearchError(why=i18n.Msg(_W_CASE_NUMBER), detail="invalid case number")
        person_filters = []
        if c.id_number.strip():
            person_filters.append(Person.id_token == self._persons.id_token(_normal_id(c.id_number)))
        if c.name.strip():
            person_filters.append(Person.name_token == self._persons.name_token(c.name.strip()))
        if person_filters:
            # The applicant or the agent: persons matching the tokens (index on the token), then
            # the cases pointing at them (indexes on applicant_id and agent_id).
            matching = select(Person.id).where(*person_filters)
            stmt = stmt.where(or_(Case.applicant_id.in_(matching), Case.agent_id.in_(matching)))
        if c.date_from:
            stmt = stmt.where(Case.created_at >= _day_start(c.date_from))
        if c.date_to:
            stmt = stmt.where(Case.created_at < _day_start(c.date_to + dt.timedelta(days=1)))
        if c.status is not None:
            stmt = stmt.where(Case.status == c.status.value)
        if c.item_code.strip():
            stmt = stmt.where(Case.item_code == c.item_code.strip())
        return self._visible(actor, stmt)

    @staticmethod
    def _criteria_names(c: SearchCriteria) -> list[str]:
        names = [
            ("case_number", c.case_number.strip()),
            ("id_number", c.id_number.strip()),
            ("name", c.name.strip()),
            ("date_from", c.date_from),
            ("date_to", c.date_to),
            ("status", c.status),
            ("item", c.item_code.strip()),
        ]
        return [n for n, v in names if v]


def _normal_id(number: str) -> str:
    """Normalise an 18-character resident ID the way PersonRepository.save stored it (so the
    token matches); any other document number is used as typed (the token upper-cases it)."""
    n = number.strip().upper()
    if len(n) == 18 and n[:17].isdigit():
        try:
            return validate_resident_id(n)
        except DomainError:
            return n  # an invalid number simply matches nothing
    return n
