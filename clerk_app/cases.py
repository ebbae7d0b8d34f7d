"""CaseService: the intake workflow over the store. One short transaction per user action, so a
draft survives a crash with every answer and tick; every transition writes an audit event.

Usable without a GUI: ``CaseService(...).decide(case_id, Decision.ACCEPT, actor)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n, stats_aggregates
from clerk_app.audit import Auditor
from clerk_app.case_numbers import allocate_case_number
from clerk_app.catalogue.model import Catalogue, ServiceItem
from clerk_app.clock import Clock
from clerk_app.errors import ClerkAppError, DomainError, NotFound
from clerk_app.lifecycle import (
    DECISION_LABELS,
    DECISION_STATUS,
    CaseStatus,
    Decision,
    DecisionCheck,
    DecisionNotAllowed,
    LineState,
    LineStatus,
    OneTimeNotice,
    build_notice,
    check_transition,
    counts_complete,
    derive_lines,
    evaluate_decision,
)
from clerk_app.persons import PersonData, PersonRepository, PersonView
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, CaseLine, CaseTransition, OutboxEntry, Person
from clerk_app.workdays import WorkingDayCalendar

_E_LINE = i18n.register("error.line_rule", "材料“{name}”：{why}", "Material “{name}”: {why}")
_W_KEY_DEFER = i18n.register(
    "why.key_defer", "关键材料或不可容缺材料不能容缺后补", "key or non-deferrable materials cannot be deferred"
)
_W_REASON_NEEDED = i18n.register("why.reason_needed", "请填写原因", "a reason is required")
_W_WAIVE = i18n.register(
    "why.waive",
    "只有可选材料或共享电子证照材料可以标记为无需提交",
    "only optional or shared e-licence materials can be waived",
)
_W_NOT_RECEIVED = i18n.register("why.not_received", "尚未收取，不能核验", "not received yet: cannot verify")
_W_DUE_PAST = i18n.register("why.due_past", "补交期限必须晚于今天", "the due date must be after today")
_E_LOCKED = i18n.register(
    "error.case_locked", "案件已作出决定，不能再修改材料或信息", "The case is decided: its intake can no longer change"
)
_E_VOID_REASON = i18n.register("error.void_reason", "作废必须填写原因", "Voiding needs a reason")
_E_ITEM_CHANGED = i18n.register(
    "error.item_gone", "事项 {code} 已不在当前事项清单中", "Item {code} is no longer in the active catalogue"
)


@dataclass(frozen=True)
class LineView:
    id: int
    code: str
    name: str
    form: str
    originals_required: int
    copies_required: int
    originals_received: int
    copies_received: int
    necessity: str
    key_material: bool
    deferrable: bool
    status: LineStatus
    reason: str | None
    due_date: dt.date | None
    page_count: int


@dataclass(frozen=True)
class TransitionView:
    from_status: str | None
    to_status: str
    actor_role: str
    reason: str | None
    at: dt.datetime


@dataclass(frozen=True)
class CaseView:
    id: str
    case_number: str | None
    status: CaseStatus
    item_code: str
    item_name: str
    catalogue_version: str
    answers: Mapping[str, Any]
    applicant: PersonView | None
    agent: PersonView | None
    lines: tuple[LineView, ...]
    transitions: tuple[TransitionView, ...]
    decision_reason: str | None
    legal_basis: str | None
    deficiency_due: dt.date | None
    promised_date: dt.date | None
    decided_at: dt.datetime | None
    started_at: dt.datetime
    first_visit: bool
    prereviewed_by: int | None
    window_no: str
    server_status: str | None
    rating: int | None
    promised_provisional: bool = False  # the promised date used a provisional holiday schedule


@dataclass(frozen=True)
class DecisionResult:
    case_number: str
    status: CaseStatus
    promised_date: dt.date | None
    notice: OneTimeNotice | None
    promised_provisional: bool = False  # computed with a provisional holiday schedule: say so


class PrintOutboxWriter(Protocol):
    """Writes the print jobs a decision or handover causes, in its transaction (clerk_app/wiring/print_jobs.py)."""

    def write(self, s: Session, case: Case, trigger: str, actor: Actor) -> Any: ...


class CaseService:
    # Set by the composition root (clerk_app/wiring/printing.py); None: no documents are queued.
    print_outbox: PrintOutboxWriter | None = None

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        catalogue: Callable[[], Catalogue],
        auditor: Auditor,
        calendar: WorkingDayCalendar,
        persons: PersonRepository,
        station: str,
        window_no: str,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._catalogue = catalogue
        self._auditor = auditor
        self._calendar = calendar
        self._persons = persons
        self.station = station
        self.window_no = window_no
        # Statistics: mark the decision day of every changed decided case in its own transaction.
        stats_aggregates.install(session_factory)

    # -- creating and editing drafts -----------------------------------------------------------
    def start_case(
        self,
        actor: Actor,
        item_code: str,
        answers: Mapping[str, Any] | None = None,
        ticket_no: str | None = None,
        ticket_at: dt.datetime | None = None,
    ) -> str:
        actor.require(Permission.CASE_CREATE)
        catalogue = self._catalogue()
        item = catalogue.item(item_code)
        answers = self._with_defaults(item, answers or {})
        now = self._clock.now()
        case_id = str(uuid.uuid4())
        with self._sessions.begin() as s:
            case = Case(
                id=case_id,
                station_code=self.station,
                window_no=self.window_no,
                item_code=item.code,
                item_name=item.name,
                catalogue_version=catalogue.version,
                status=CaseStatus.DRAFT.value,
                answers=dict(answers),
                created_by=actor.user_id or 0,
                first_visit=True,
                ticket_no=ticket_no,
                ticket_at=ticket_at,
                started_at=now,
                created_at=now,
                updated_at=now,
            )
            if actor.role.value == "prereview":
                case.prereviewed_by = actor.user_id
            for pos, line in enumerate(derive_lines(item, answers)):
                case.lines.append(_line_row(line, pos))
            case.transitions.append(
                CaseTransition(
                    from_status=None,
                    to_status=CaseStatus.DRAFT.value,
                    actor_id=actor.user_id,
                    actor_role=actor.role.value,
                    at=now,
                )
            )
            s.add(case)
            s.flush()
            self._auditor.record(s, actor, "case.create", case_id, item=item.code)
        return case_id

    def set_answers(self, actor: Actor, case_id: str, answers: Mapping[str, Any]) -> None:
        """Change intake answers; the checklist follows, keeping what was already recorded."""
        with self._sessions.begin() as s:
            case = self._editable(s, actor, case_id)
            item = self._item(case)
            merged = self._with_defaults(item, {**case.answers, **answers})
            wanted = {line.code: line for line in derive_lines(item, merged)}
            kept = []
            for row in list(case.lines):
                if row.requirement_code in wanted:
                    kept.append(row)
                elif row.page_count:
                    # A line that no longer applies but holds scanned pages is waived, not deleted.
                    row.status, row.reason = LineStatus.NOT_REQUIRED.value, "申请情形变更，不再需要"
                    row.necessity = "optional"
                    kept.append(row)
                else:
                    case.lines.remove(row)
            existing = {row.requirement_code for row in case.lines}
            order = list(wanted)
            for code in order:
                if code not in existing:
                    case.lines.append(_line_row(wanted[code], 0))
            for row in case.lines:
                row.position = order.index(row.requirement_code) if row.requirement_code in wanted else 1000 + row.id
            case.answers = dict(merged)
            self._touch(case)
            self._auditor.record(s, actor, "case.answers", case_id, questions=sorted(answers))

    def set_applicant(self, actor: Actor, case_id: str, data: PersonData, *, agent: bool = False) -> PersonView:
        with self._sessions.begin() as s:
            case = self._editable(s, actor, case_id)
            existing = case.agent_id if agent else case.applicant_id
            row = self._persons.save(s, data, existing)
            if agent:
                case.agent_id = row.id
            else:
                case.applicant_id = row.id
            self._touch(case)
            self._auditor.record(
                s,
                actor,
                "case.agent" if agent else "case.applicant",
                case_id,
                verified_by=data.verified_by,
                document_type=data.document_type,
            )
            s.flush()
            return self._persons.view(row, full=False)

    def update_line(
        self,
        actor: Actor,
        case_id: str,
        code: str,
        *,
        originals_received: int | None = None,
        copies_received: int | None = None,
        status: LineStatus | None = None,
        reason: str | None = None,
        due_date: dt.date | None = None,
    ) -> LineView:
        """Record what was received and how it checked out. Counts that reach the requirement mark
        the line received; ``status`` sets verified / defective(reason) / deferred(due) / waived."""
        with self._sessions.begin() as s:
            case = self._editable(s, actor, case_id)
            row = next((r for r in case.lines if r.requirement_code == code), None)
            if row is None:
                raise NotFound(what=code, detail=f"line {code} not in case")
            state = _line_state(row)
            if originals_received is not None:
                state.originals_received = max(0, originals_received)
            if copies_received is not None:
                state.copies_received = max(0, copies_received)
            if status is None and (originals_received is not None or copies_received is not None):
                if state.status in (LineStatus.PENDING, LineStatus.RECEIVED):
                    state.status = LineStatus.RECEIVED if counts_complete(state) else LineStatus.PENDING
            elif status is not None:
                self._apply_line_status(state, status, reason, due_date)
            _store_line(row, state)
            row.checked_by = actor.user_id
            self._touch(case)
            self._auditor.record(
                s,
                actor,
                "case.line",
                case_id,
                line=code,
                status=state.status.value,
                originals=state.originals_received,
                copies=state.copies_received,
            )
            s.flush()
            return _line_view(row)

    def _apply_line_status(
        self, state: LineState, status: LineStatus, reason: str | None, due_date: dt.date | None
    ) -> None:
        def refuse(why: str) -> DomainError:
            return DomainError(_E_LINE, name=state.name, why=i18n.Msg(why), detail=f"{state.code}: {why}")

        if status is LineStatus.VERIFIED and not (counts_complete(state) or state.form == "electronic"):
            raise refuse(_W_NOT_RECEIVED)
        if status is LineStatus.DEFECTIVE and not (reason and reason.strip()):
            raise refuse(_W_REASON_NEEDED)
        if status is LineStatus.DEFERRED:
            if not state.deferrable or state.key_material:
                raise refuse(_W_KEY_DEFER)
            if due_date is not None and due_date <= self._clock.now().date():
                raise refuse(_W_DUE_PAST)
        if (
            status is LineStatus.NOT_REQUIRED
            and state.necessity != "optional"
            and state.status is not LineStatus.NOT_REQUIRED
        ):
            raise refuse(_W_WAIVE)
        state.status = status
        state.reason = reason.strip() if reason else None
        state.due_date = due_date if status is LineStatus.DEFERRED else None

    def hand_over(self, actor: Actor, case_id: str) -> None:
        """Pre-review staff hand a prepared draft to the window queue (ready_for_window)."""
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            self._transition(s, actor, case, CaseStatus.READY_FOR_WINDOW)
            case.handed_over_at = self._clock.now()
            case.prereviewed_by = actor.user_id

    # -- deciding ------------------------------------------------------------------------------
    def check_decision(
        self, case_id: str, decision: Decision, *, reason: str | None = None, due_date: dt.date | None = None
    ) -> DecisionCheck:
        with self._sessions() as s:
            case = self._load(s, case_id)
            return evaluate_decision(
                decision,
                CaseStatus(case.status),
                [_line_state(r) for r in case.lines],
                case.applicant_id is not None,
                reason=reason,
                due_date=due_date,
                today=self._clock.now().date(),
            )

    def one_time_notice(self, case_id: str) -> OneTimeNotice:
        with self._sessions() as s:
            case = self._load(s, case_id)
            return build_notice(self._item(case), [_line_state(r) for r in case.lines])

    def decide(
        self,
        case_id: str,
        decision: Decision,
        actor: Actor,
        *,
        reason: str | None = None,
        legal_basis: str | None = None,
        due_date: dt.date | None = None,
    ) -> DecisionResult:
        """Accept / accept with deficiencies / return with notice / reject, atomically with the case
        number, the promised date, the audit event, the print jobs (receipt, notice ... — the print
        outbox) and (for accepted cases) the sync outbox entry."""
        now = self._clock.now()
        today = now.date()
        if decision is Decision.REJECT and not (reason and reason.strip()):
            raise DecisionNotAllowed(
                decision=i18n.Msg(DECISION_LABELS[decision]), why=i18n.Msg("why.reason"), detail="reject without reason"
            )
        if decision is Decision.ACCEPT_WITH_DEFICIENCIES and due_date is None:
            raise DecisionNotAllowed(
                decision=i18n.Msg(DECISION_LABELS[decision]), why=i18n.Msg("why.due"), detail="no due date"
            )
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            target = DECISION_STATUS[decision]
            actor.require(check_transition(CaseStatus(case.status), target))
            lines = [_line_state(r) for r in case.lines]
            check = evaluate_decision(
                decision,
                CaseStatus(case.status),
                lines,
                case.applicant_id is not None,
                reason=reason,
                due_date=due_date,
                today=today,
            )
            if not check.allowed:
                raise DecisionNotAllowed(
                    decision=i18n.Msg(DECISION_LABELS[decision]), why=check.reason, detail=f"{decision.value} refused"
                )
            item = self._item(case)
            promised = None
            provisional = False
            if decision in (Decision.ACCEPT, Decision.ACCEPT_WITH_DEFICIENCIES):
                # Never blocks: a year without a published schedule gives a provisional date.
                computed = self._calendar.promised_date(today, item.promised_days)
                promised, provisional = computed.date, computed.provisional
            case.first_visit = not self._returned_before(s, case)
            case.case_number = allocate_case_number(s, self.station, today)
            case.decided_by = actor.user_id
            case.decided_at = now
            case.promised_date = promised
            case.promised_date_provisional = provisional
            case.promised_days = item.promised_days if promised is not None else None
            case.decision_reason = reason.strip() if reason else None
            case.legal_basis = (legal_basis or item.legal_basis) if decision is Decision.REJECT else None
            if decision is Decision.ACCEPT_WITH_DEFICIENCIES:
                case.deficiency_due = due_date
                for row in case.lines:
                    if row.status == LineStatus.DEFERRED.value:
                        row.due_date = due_date
            self._transition(
                s,
                actor,
                case,
                target,
                reason=case.decision_reason,
                case_number=case.case_number,
                first_visit=case.first_visit,
                identity_check=self._face_match(s, case),  # 人证比对 at the time of the decision
            )
            if self.print_outbox is not None:  # the receipt / notice jobs commit with the decision
                self.print_outbox.write(s, case, decision.value, actor)
            if decision in (Decision.ACCEPT, Decision.ACCEPT_WITH_DEFICIENCIES):
                s.add(
                    OutboxEntry(
                        case_id=case.id,
                        kind="case_packet",
                        idempotency_key=f"{case.id}:packet",
                        payload={"case_id": case.id},
                        state="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
            notice = (
                build_notice(item, lines)
                if decision in (Decision.RETURN_WITH_NOTICE, Decision.ACCEPT_WITH_DEFICIENCIES)
                else None
            )
            return DecisionResult(case.case_number, target, promised, notice, provisional)

    def _returned_before(self, s: Session, case: Case) -> bool:
        """Whether this applicant was sent home with a notice for the same item before."""
        if case.applicant_id is None:
            return False
        token = s.get(Person, case.applicant_id)
        if token is None or token.id_token is None:
            return False
        earlier = s.scalar(
            select(Case.id)
            .join(Person, Person.id == Case.applicant_id)
            .where(
                Person.id_token == token.id_token,
                Case.item_code == case.item_code,
                Case.status == CaseStatus.RETURNED_WITH_NOTICE.value,
                Case.id != case.id,
            )
            .limit(1)
        )
        return earlier is not None

    # -- after the decision --------------------------------------------------------------------
    def record_supplements(self, actor: Actor, case_id: str, codes: list[str]) -> None:
        """容缺: the deferred materials arrived. When none is left deferred the case moves on.

        The lines that really moved from deferred to received go to the back office through the outbox
        (``kind="supplements"``, key ``<case id>:supplements:<n>``, n counting this case's supplement
        events), in the same transaction."""
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            actor.require(Permission.CASE_SUPPLEMENT)
            arrived: list[str] = []
            for row in case.lines:
                if row.requirement_code in codes and row.status == LineStatus.DEFERRED.value:
                    row.status, row.due_date = LineStatus.RECEIVED.value, None
                    row.originals_received = max(row.originals_received, row.originals_required)
                    row.copies_received = max(row.copies_received, row.copies_required)
                    arrived.append(row.requirement_code)
            self._auditor.record(s, actor, "case.supplements", case_id, lines=sorted(codes))
            if arrived:
                n = 1 + (
                    s.scalar(
                        select(func.count())
                        .select_from(OutboxEntry)
                        .where(OutboxEntry.case_id == case.id, OutboxEntry.kind == "supplements")
                    )
                    or 0
                )
                now = self._clock.now()
                s.add(
                    OutboxEntry(
                        case_id=case.id,
                        kind="supplements",
                        idempotency_key=f"{case.id}:supplements:{n}",
                        payload={"case_id": case.id, "lines": sorted(arrived)},
                        state="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
            if not any(r.status == LineStatus.DEFERRED.value for r in case.lines):
                self._transition(s, actor, case, CaseStatus.SUPPLEMENTS_RECEIVED)
            else:
                self._touch(case)

    def apply_server_status(self, actor: Actor, case_id: str, status: CaseStatus, reason: str | None = None) -> None:
        """A status change reported by the back office (synced, in_approval, approved, ...)."""
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            case.server_status = status.value
            if CaseStatus(case.status) is status:
                return
            self._transition(s, actor, case, status, reason=reason)

    def deliver(self, actor: Actor, case_id: str, method: str, handover: dict[str, Any] | None = None) -> dt.datetime:
        """Result handed out (出件). ``handover`` (collector role, courier, tracking number — no
        personal data) is audited in the same transaction as the transition: both or neither."""
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            self._transition(s, actor, case, CaseStatus.DELIVERED, reason=method, method=method)
            event = self._auditor.record(s, actor, "case.handover", case_id, **(handover or {"method": method}))
            if self.print_outbox is not None:  # the 送达回证 job commits with the handover
                self.print_outbox.write(s, case, CaseStatus.DELIVERED.value, actor)
            return event.at

    def void(self, actor: Actor, case_id: str, reason: str) -> None:
        if not reason or not reason.strip():
            raise DomainError(_E_VOID_REASON)
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            self._transition(s, actor, case, CaseStatus.VOID, reason=reason.strip())
            case.void_reason = reason.strip()

    # -- reading -------------------------------------------------------------------------------
    def get(self, actor: Actor, case_id: str) -> CaseView:
        """The case as ``actor`` may see it: personal data masked (use ``reveal_applicant``)."""
        with self._sessions() as s:
            case = self._load(s, case_id)
            return self._view(s, case)

    def reveal_applicant(self, actor: Actor, case_id: str, reason: str, *, agent: bool = False) -> PersonView:
        """The full personal record, for roles allowed to see it; always audited with the reason."""
        actor.require(Permission.PII_VIEW_FULL)
        if not reason or not reason.strip():
            raise DomainError(_E_LINE, name="—", why=i18n.Msg(_W_REASON_NEEDED))
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            pid = case.agent_id if agent else case.applicant_id
            if pid is None:
                raise NotFound(what="申请人", detail="no applicant")
            row = s.get(Person, pid)
            assert row is not None
            self._auditor.record(
                s, actor, "pii.view_full", case_id, reason=reason.strip(), subject="agent" if agent else "applicant"
            )
            return self._persons.view(row, full=True)

    def applicant_data(self, actor: Actor, case_id: str, purpose: str) -> PersonData | None:
        """Decrypted record for a document or a sync packet (audited with its purpose)."""
        actor.require(Permission.PII_VIEW_FULL) if actor.role.value != "system" else None
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            if case.applicant_id is None:
                return None
            row = s.get(Person, case.applicant_id)
            assert row is not None
            self._auditor.record(s, actor, "pii.use", case_id, purpose=purpose)
            return self._persons.load(row)

    def drafts(self, actor: Actor, *, ready_only: bool = False) -> list[CaseView]:
        """Open drafts at this station: the window queue (ready_for_window) first."""
        statuses = (
            [CaseStatus.READY_FOR_WINDOW.value]
            if ready_only
            else [CaseStatus.READY_FOR_WINDOW.value, CaseStatus.DRAFT.value]
        )
        with self._sessions() as s:
            rows = s.scalars(
                select(Case)
                .where(Case.status.in_(statuses), Case.station_code == self.station)
                .order_by(Case.status.desc(), Case.updated_at.desc())
                .limit(200)
            ).all()
            return [self._view(s, c) for c in rows]

    def recent_item_codes(self, actor: Actor, limit: int = 8) -> list[str]:
        """Items this user started most recently (the picker shows them first)."""
        with self._sessions() as s:
            rows = s.execute(
                select(Case.item_code, func.max(Case.created_at).label("last"))
                .where(Case.created_by == actor.user_id)
                .group_by(Case.item_code)
                .order_by(func.max(Case.created_at).desc())
                .limit(limit)
            ).all()
            return [r[0] for r in rows]

    # -- helpers -------------------------------------------------------------------------------
    def _view(self, s: Session, case: Case) -> CaseView:
        def person(pid: str | None) -> PersonView | None:
            try:
                row = s.get(Person, pid) if pid else None
                return self._persons.view(row, full=False) if row else None
            except ClerkAppError as exc:  # damaged record or page: only this row degrades, not the list
                logging.getLogger(__name__).warning("person record %s unreadable: %s", pid, exc)
                return _unreadable_person(pid or "")

        return CaseView(
            id=case.id,
            case_number=case.case_number,
            status=CaseStatus(case.status),
            item_code=case.item_code,
            item_name=case.item_name,
            catalogue_version=case.catalogue_version,
            answers=dict(case.answers),
            applicant=person(case.applicant_id),
            agent=person(case.agent_id),
            lines=tuple(_line_view(r) for r in case.lines),
            transitions=tuple(
                TransitionView(t.from_status, t.to_status, t.actor_role, t.reason, t.at) for t in case.transitions
            ),
            decision_reason=case.decision_reason,
            legal_basis=case.legal_basis,
            deficiency_due=case.deficiency_due,
            promised_date=case.promised_date,
            decided_at=case.decided_at,
            started_at=case.started_at,
            first_visit=case.first_visit,
            prereviewed_by=case.prereviewed_by,
            window_no=case.window_no,
            server_status=case.server_status,
            rating=case.rating,
            promised_provisional=bool(case.promised_date_provisional),
        )

    def _face_match(self, s: Session, case: Case) -> str | None:
        row = s.get(Person, case.applicant_id) if case.applicant_id else None
        return self._persons.load(row).face_match if row is not None else None

    def _load(self, s: Session, case_id: str) -> Case:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(what="案件", detail=f"case {case_id}")
        return case

    def _editable(self, s: Session, actor: Actor, case_id: str) -> Case:
        actor.require(Permission.CASE_EDIT_DRAFT)
        case = self._load(s, case_id)
        status = CaseStatus(case.status)
        if status not in (CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW):
            raise DomainError(_E_LOCKED, detail=f"case is {status.value}")
        if status is CaseStatus.READY_FOR_WINDOW and not actor.can(Permission.CASE_DECIDE):
            raise DomainError(_E_LOCKED, detail="handed over: only the window edits it now")
        return case

    def _item(self, case: Case) -> ServiceItem:
        catalogue = self._catalogue()
        if case.item_code not in catalogue.items:
            raise DomainError(_E_ITEM_CHANGED, code=case.item_code)
        return catalogue.items[case.item_code]

    def _transition(
        self, s: Session, actor: Actor, case: Case, target: CaseStatus, reason: str | None = None, **detail: Any
    ) -> None:
        current = CaseStatus(case.status)
        actor.require(check_transition(current, target))
        now = self._clock.now()
        case.status = target.value
        case.updated_at = now
        case.transitions.append(
            CaseTransition(
                from_status=current.value,
                to_status=target.value,
                actor_id=actor.user_id,
                actor_role=actor.role.value,
                reason=reason,
                at=now,
            )
        )
        self._auditor.record(
            s,
            actor,
            f"case.{target.value}",
            case.id,
            from_status=current.value,
            **({"reason": reason} if reason and target in (CaseStatus.VOID, CaseStatus.REJECTED) else {}),
            **detail,
        )

    def _touch(self, case: Case) -> None:
        case.updated_at = self._clock.now()

    @staticmethod
    def _with_defaults(item: ServiceItem, answers: Mapping[str, Any]) -> dict[str, Any]:
        merged = {q.id: q.default for q in item.questions if q.default is not None}
        merged.update({k: v for k, v in answers.items()})
        if "applicant_type" not in merged and len(item.applicant_types) == 1:
            merged["applicant_type"] = item.applicant_types[0]
        return merged


def _line_row(line: LineState, position: int) -> CaseLine:
    row = CaseLine(requirement_code=line.code, position=position, page_count=0)
    _store_line(row, line)
    return row


def _store_line(row: CaseLine, line: LineState) -> None:
    row.name, row.form = line.name, line.form
    row.originals_required, row.copies_required = line.originals_required, line.copies_required
    row.originals_received, row.copies_received = line.originals_received, line.copies_received
    row.necessity, row.key_material, row.deferrable = line.necessity, line.key_material, line.deferrable
    row.status, row.reason, row.due_date = line.status.value, line.reason, line.due_date


def _line_state(row: CaseLine) -> LineState:
    return LineState(
        code=row.requirement_code,
        name=row.name,
        form=row.form,
        originals_required=row.originals_required,
        copies_required=row.copies_required,
        necessity=row.necessity,
        key_material=row.key_material,
        deferrable=row.deferrable,
        status=LineStatus(row.status),
        originals_received=row.originals_received,
        copies_received=row.copies_received,
        reason=row.reason,
        due_date=row.due_date,
    )


def _line_view(row: CaseLine) -> LineView:
    return LineView(
        row.id,
        row.requirement_code,
        row.name,
        row.form,
        row.originals_required,
        row.copies_required,
        row.originals_received,
        row.copies_received,
        row.necessity,
        row.key_material,
        row.deferrable,
        LineStatus(row.status),
        row.reason,
        row.due_date,
        row.page_count,
    )


_UNREADABLE = i18n.register("person.unreadable", "（记录已损坏，无法读取）", "(record damaged, cannot be read)")


def _unreadable_person(pid: str) -> PersonView:
    """What a list shows for a person record that cannot be read (issue 16 item 5)."""
    return PersonView(pid, "person", i18n.text(_UNREADABLE), "", "", "", "", "", None, True)
