"""CaseService: the intake workflow over the store. One short transaction per user action, so a
draft survives a crash with every answer and tick; every transition writes an audit event.

Usable without a GUI: ``CaseService(...).decide(case_id, Decision.ACCEPT, actor)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from clerk_app import i18n, stats_aggregates
from clerk_app.audit import Auditor
from clerk_app.case_access import may_read_case, require_case_readable
from clerk_app.case_numbers import allocate_case_number
from clerk_app.catalogue.model import Catalogue, ServiceItem
from clerk_app.clock import CHINA_TZ, Clock
from clerk_app.errors import ClerkAppError, DomainError, NotFound
from clerk_app.identity import mask_address
from clerk_app.lifecycle import (
    DECISION_LABELS,
    DECISION_STATUS,
    STATUS_LABELS,
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
from clerk_app.outcomes import enqueue_outcome
from clerk_app.persons import PersonData, PersonRepository, PersonView
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, CaseClaim, CaseLine, CaseTransition, OutboxEntry, Person, User
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
_E_SUPPLEMENT_STATE = i18n.register(
    "error.supplement_state",
    "案件状态为“{status}”，不能登记补交材料（只有容缺受理、已推送或审批中的案件可以）",
    "A case in status “{status}” takes no supplements (only accepted with deficiencies, sent or in approval)",
)
_E_SUPPLEMENT_LINE = i18n.register(
    "error.supplement_line", "材料“{code}”不是本案的材料", "Material “{code}” is not a line of this case"
)
_E_ADDRESS = i18n.register(
    "error.delivery_address", "邮寄送达须填写收件地址", "Express delivery needs the delivery address"
)
_E_QUEUE_SCOPE = i18n.register("error.queue_scope", "未知的队列范围：{scope}", "Unknown queue scope: {scope}")
_E_SUPPLEMENT_NONE = i18n.register(
    "error.supplement_none", "请勾选本次补交的材料", "Tick the materials that came this time"
)
_E_SUPPLEMENT_NOT_OWED = i18n.register(
    "error.supplement_not_owed",
    "所勾选的材料已经补交或不需补交，本次没有登记",
    "The ticked materials are not owed (already supplied or not required): nothing recorded",
)
_E_NOTHING_REQUESTED = i18n.register(
    "error.nothing_requested",
    "本案没有待补交的材料，无需打印补正告知书",
    "The case owes no material: no notice to print",
)
# 补正 requested by the department (feed event material_requested): each requested material becomes an
# owed line of the case, code BZ<event seq>-<n>, due this many working days after the request arrives.
REQUEST_LINE_PREFIX = "BZ"
REQUEST_DUE_WORKDAYS = 10


def request_line_code(seq: int, n: int) -> str:
    """The line code of the ``n``-th (1-based) material of the back office's event ``seq``."""
    return f"{REQUEST_LINE_PREFIX}{seq}-{n}"


class CaseClaimed(DomainError):
    """Someone else works on the case now: open it read-only (``holder`` says who)."""

    key = i18n.register(
        "error.case_claimed",
        "案件正由 {name}（{station} {window} 号窗口，自 {since} 起）办理，只能查看",
        "The case is being handled by {name} ({station}, window {window}, since {since}): read-only",
    )

    def __init__(self, holder: ClaimView) -> None:
        super().__init__(
            name=holder.user_name,
            station=holder.station_code,
            window=holder.window_no,
            since=holder.since.astimezone(CHINA_TZ).strftime("%H:%M"),
            detail=f"claimed by user {holder.user_id} at {holder.station_code}",
        )
        self.holder = holder


class CaseConflict(DomainError):
    """An optimistic-version conflict: someone saved the case first. Nothing was written; the other
    change stands; reopen the case and do it again."""

    key = i18n.register(
        "error.case_conflict",
        "案件刚被其他人修改，您的这次操作没有保存（对方的修改已保留）。请重新打开案件后再操作",
        "Someone else changed the case just now: this action was not saved (theirs is kept). Reopen the case and retry",
    )


@dataclass(frozen=True)
class ClaimView:
    case_id: str
    user_id: int
    user_name: str
    station_code: str
    window_no: str
    since: dt.datetime
    expires_at: dt.datetime | None = None  # when the claim lapses by itself (claim_expiry_minutes, end of day)


DEFAULT_CLAIM_EXPIRY = dt.timedelta(hours=8)


def claim_expires_at(since: dt.datetime, expiry: dt.timedelta) -> dt.datetime:
    """When a claim taken at ``since`` lapses: ``expiry`` later, and at the latest at the end of that
    hall day (midnight, China time), so a station that crashed or was switched off does not hold a case
    beyond the day."""
    local = since.astimezone(CHINA_TZ)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=CHINA_TZ)
    return min(since + expiry, midnight)


def live_claim_view(row: CaseClaim | None, now: dt.datetime, expiry: dt.timedelta) -> ClaimView | None:
    """The claim ``row`` as a view, or None when there is none or it has lapsed at ``now``."""
    if row is None:
        return None
    expires = claim_expires_at(row.since, expiry)
    if now >= expires:
        return None
    return ClaimView(row.case_id, row.user_id, row.user_name, row.station_code, row.window_no, row.since, expires)


@dataclass(frozen=True)
class OwedCase:
    """A decided case that still owes deferred (容缺) materials: the earliest due date of its owed lines."""

    case_id: str
    case_number: str | None
    status: CaseStatus
    item_code: str
    item_name: str
    station_code: str
    window_no: str
    due: dt.date
    days_overdue: int  # 0: due today, < 0: due in that many days
    owed: tuple[str, ...]  # requirement codes still deferred
    owed_names: tuple[str, ...] = ()  # their material names, in the same order
    applicant_name: str = ""  # masked, as every list shows it
    requests: tuple[str, ...] = ()  # the department's request texts (补正, material_requested)
    claim: ClaimView | None = None  # who works on it now


@dataclass(frozen=True)
class SupplementRecord:
    """The last supplement of a case (what the 补正材料收件凭证 lists): when and which lines."""

    at: dt.datetime
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ReadyCase:
    case_id: str
    case_number: str | None
    item_code: str
    item_name: str
    station_code: str
    window_no: str
    applicant_name: str  # masked
    promised_date: dt.date | None
    ready_since: dt.datetime
    claim: ClaimView | None = None  # someone at a window works on it now (a live claim)


QueueScope = Literal["mine", "window", "all"]
SUPPLEMENTABLE = (
    CaseStatus.ACCEPTED_WITH_DEFICIENCIES,
    CaseStatus.SUPPLEMENTS_RECEIVED,
    CaseStatus.SYNCED,
    CaseStatus.IN_APPROVAL,
)
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
    station_code: str = ""
    claim: ClaimView | None = None  # who works on it now (None: nobody)
    delivery_address: str | None = None  # masked (express delivery)
    row_version: int = 0

    def read_only_for(self, actor: Actor) -> bool:
        """True when someone else holds the claim: show it read-only with the holder's name."""
        return self.claim is not None and self.claim.user_id != actor.user_id


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
        catalogue_version: Callable[[str], Catalogue | None] | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._catalogue = catalogue
        # The exact catalogue version a case was drafted under (None: fall back to the active one).
        self._catalogue_version = catalogue_version
        self._auditor = auditor
        self._calendar = calendar
        self._persons = persons
        self.station = station
        self.window_no = window_no
        # A claim lapses this long after it was taken, and at the end of its day at the latest
        # (settings.claim_expiry_minutes; the composition root sets it).
        self.claim_expiry = DEFAULT_CLAIM_EXPIRY
        # settings.customer_confirmation_required: an acceptance needs the applicant's confirmation of
        # the current checklist (customer window); the composition root sets it.
        self.confirmation_required = False
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
        with self._write() as s:
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
        with self._write() as s:
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
        with self._write() as s:
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
        with self._write() as s:
            case = self._load(s, case_id)
            self._check_claim(s, actor, case_id)
            self._transition(s, actor, case, CaseStatus.READY_FOR_WINDOW)
            self._drop_claim(s, case.id)
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
                unconfirmed=self._unconfirmed(case),
            )

    def _unconfirmed(self, case: Case) -> bool:
        """The hall requires the applicant's confirmation and the current checklist is not the one
        confirmed (never confirmed, or a line changed since)."""
        if not self.confirmation_required:
            return False
        from clerk_app.customer import lines_hash  # customer imports nothing of cases; kept lazy anyway

        return case.confirmed_lines_hash is None or case.confirmed_lines_hash != lines_hash(case.lines)

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
        with self._write() as s:
            case = self._load(s, case_id)
            self._check_claim(s, actor, case_id)
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
                unconfirmed=self._unconfirmed(case),
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
                if decision is Decision.ACCEPT_WITH_DEFICIENCIES and due_date is not None and promised < due_date:
                    # Extended, never refused: the office cannot finish before the owed material is
                    # due, so the promise is the 容缺 due date at the earliest (docs/intake.md).
                    promised = due_date
            case.first_visit = not self._returned_before(s, case)
            # 通办: the deciding window owns the case from now on (its worker sends the packet).
            case.station_code, case.window_no = self.station, self.window_no
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
            if decision is Decision.RETURN_WITH_NOTICE:
                assert notice is not None
                enqueue_outcome(
                    s,
                    case,
                    "return_with_notice",
                    actor,
                    now,
                    self.station,
                    reason=case.decision_reason,
                    notice=[{"requirement_code": e.code, "problem": e.problem.value} for e in notice.entries],
                )
            elif decision is Decision.REJECT:
                enqueue_outcome(
                    s,
                    case,
                    "rejection",
                    actor,
                    now,
                    self.station,
                    reason=case.decision_reason,
                    legal_basis=case.legal_basis,
                )
            self._drop_claim(s, case.id)
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
    def record_supplements(
        self, actor: Actor, case_id: str, codes: list[str], *, expected_version: int | None = None
    ) -> None:
        """容缺 / 补正: the owed (deferred) materials ``codes`` arrived. When none is left deferred the case
        moves on (before sync: supplements_received; after sync its status follows the back office).

        The lines that really moved from deferred to received go to the back office through the outbox
        (``kind="supplements"``, key ``<case id>:supplements:<n>``, n counting this case's supplement
        events), and the 补正材料收件凭证 job goes to the print outbox, in the same transaction.
        Nothing ticked, or nothing ticked that is owed, is refused (nothing written). ``expected_version``
        (the ``row_version`` the clerk's view was read at): a case changed since is ``CaseConflict``."""
        actor.require(Permission.CASE_SUPPLEMENT)
        if not codes:
            raise DomainError(_E_SUPPLEMENT_NONE, detail="no lines")
        with self._write() as s:
            case = self._load(s, case_id)
            self._check_claim(s, actor, case_id)
            if expected_version is not None and case.row_version != expected_version:
                raise CaseConflict(detail=f"version {case.row_version} != {expected_version}")
            status = CaseStatus(case.status)
            if status not in SUPPLEMENTABLE:
                raise DomainError(
                    _E_SUPPLEMENT_STATE, status=i18n.Msg(STATUS_LABELS[status]), detail=f"case is {status.value}"
                )
            known = {row.requirement_code for row in case.lines}
            for code in codes:
                if code not in known:
                    raise DomainError(_E_SUPPLEMENT_LINE, code=code, detail=f"line {code} not in case")
            arrived: list[str] = []
            for row in case.lines:
                if row.requirement_code in codes and row.status == LineStatus.DEFERRED.value:
                    row.status, row.due_date = LineStatus.RECEIVED.value, None
                    row.originals_received = max(row.originals_received, row.originals_required)
                    row.copies_received = max(row.copies_received, row.copies_required)
                    arrived.append(row.requirement_code)
            if not arrived:
                raise DomainError(_E_SUPPLEMENT_NOT_OWED, detail="no ticked line is deferred")
            self._auditor.record(s, actor, "case.supplements", case_id, lines=sorted(codes))
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
            # The owed materials are the deferred lines: after the case has synced its status follows
            # the back office, and only the lines say what is still owed.
            done = not any(r.status == LineStatus.DEFERRED.value for r in case.lines)
            if done and status is CaseStatus.ACCEPTED_WITH_DEFICIENCIES:
                self._transition(s, actor, case, CaseStatus.SUPPLEMENTS_RECEIVED)
            else:
                self._touch(case)
            if self.print_outbox is not None:  # the 补正材料收件凭证 commits with the record
                s.flush()
                self.print_outbox.write(s, case, "supplements", actor)

    def last_supplement(self, case_id: str) -> SupplementRecord | None:
        """The case's latest supplement (time and lines received), for its receipt."""
        with self._sessions() as s:
            row = s.scalar(
                select(OutboxEntry)
                .where(OutboxEntry.case_id == case_id, OutboxEntry.kind == "supplements")
                .order_by(OutboxEntry.id.desc())
                .limit(1)
            )
            if row is None:
                return None
            return SupplementRecord(row.created_at, tuple(row.payload.get("lines", ())))

    def record_material_request(
        self,
        actor: Actor,
        case_id: str,
        seq: int,
        reason: str | None,
        materials: list[tuple[str, str | None]],
    ) -> int:
        """补正 asked by the department (the back office's ``material_requested`` event ``seq``): each
        requested material (name, note) becomes an owed (deferred) line ``BZ<seq>-<n>`` named
        "name（note）" with the department's reason, due ``REQUEST_DUE_WORKDAYS`` working days from
        today, so it is on the owed-materials worklist, takes pages and is recorded like a 容缺
        material. Idempotent (the feed may be read again): lines already there are kept. Returns the
        number of lines added."""
        now = self._clock.now()
        today = now.astimezone(CHINA_TZ).date()
        due = self._calendar.add_working_days(today, REQUEST_DUE_WORKDAYS)
        text = (reason or "").strip()
        with self._write() as s:
            case = self._load(s, case_id)
            have = {row.requirement_code for row in case.lines}
            position = max((row.position for row in case.lines), default=-1) + 1
            added = []
            for n, (name, note) in enumerate(materials, 1):
                code = request_line_code(seq, n)
                if code in have or not name.strip():
                    continue
                label = f"{name.strip()}（{note.strip()}）" if note and note.strip() else name.strip()
                line = CaseLine(
                    requirement_code=code,
                    position=position,
                    page_count=0,
                    name=label[:200],
                    form="copy",
                    originals_required=0,
                    copies_required=0,
                    originals_received=0,
                    copies_received=0,
                    necessity="required",
                    key_material=False,
                    deferrable=True,
                    status=LineStatus.DEFERRED.value,
                    reason=text or None,
                    due_date=due,
                )
                case.lines.append(line)
                position += 1
                added.append(code)
            if added:
                self._touch(case)
                self._auditor.record(
                    s, actor, "case.material_requested", case_id, lines=added, due=due.isoformat(), seq=seq
                )
            return len(added)

    def print_request_notice(self, actor: Actor, case_id: str) -> int:
        """The 补正 one-time notice (补正材料一次性告知书: every owed material, with the department's
        reason and the due date) into the print outbox for this window. Returns the jobs written."""
        actor.require(Permission.CASE_SUPPLEMENT)
        with self._write() as s:
            case = self._load(s, case_id)
            if not any(r.status == LineStatus.DEFERRED.value for r in case.lines):
                raise DomainError(_E_NOTHING_REQUESTED, detail="no deferred line")
            if self.print_outbox is None:
                return 0
            return len(self.print_outbox.write(s, case, "material_request", actor))

    def apply_server_status(self, actor: Actor, case_id: str, status: CaseStatus, reason: str | None = None) -> None:
        """A status change reported by the back office (synced, in_approval, approved, ...)."""
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            case.server_status = status.value
            if CaseStatus(case.status) is status:
                return
            self._transition(s, actor, case, status, reason=reason)

    def deliver(
        self,
        actor: Actor,
        case_id: str,
        method: str,
        handover: dict[str, Any] | None = None,
        *,
        address: str | None = None,
    ) -> dt.datetime:
        """Result handed out (出件). ``handover`` (collector role, masked ID, courier, tracking number
        — no personal data in clear) is audited in the same transaction as the transition, with the
        back-office outcome entry: all or nothing. Express delivery records ``address`` encrypted on
        the case (masked in views, masked on the wire)."""
        if method == "express" and not (address and address.strip()):
            raise DomainError(_E_ADDRESS, detail="express without address")
        with self._write() as s:
            case = self._load(s, case_id)
            self._check_claim(s, actor, case_id)
            self._transition(s, actor, case, CaseStatus.DELIVERED, reason=method, method=method)
            details = dict(handover or {"method": method})
            if method == "express" and address:
                case.delivery_address = self._persons.seal(address.strip(), f"delivery:{case.id}")
                case.delivery_address_masked = mask_address(address.strip())
                details["address_masked"] = case.delivery_address_masked
            event = self._auditor.record(
                s, actor, "case.handover", case_id, **{k: v for k, v in details.items() if k != "address_masked"}
            )
            enqueue_outcome(s, case, "delivery", actor, event.at, self.station, **details)
            if self.print_outbox is not None:  # the 送达回证 job commits with the handover
                self.print_outbox.write(s, case, CaseStatus.DELIVERED.value, actor)
            self._drop_claim(s, case.id)
            return event.at

    def delivery_address(self, actor: Actor, case_id: str, reason: str) -> str | None:
        """The full express address (audited like every full view of personal data)."""
        actor.require(Permission.PII_VIEW_FULL)
        if not reason or not reason.strip():
            raise DomainError(_E_LINE, name="—", why=i18n.Msg(_W_REASON_NEEDED))
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            if case.delivery_address is None:
                return None
            self._auditor.record(s, actor, "pii.view_full", case_id, reason=reason.strip(), subject="delivery_address")
            return self._persons.unseal(case.delivery_address, f"delivery:{case.id}")

    def void(self, actor: Actor, case_id: str, reason: str) -> None:
        if not reason or not reason.strip():
            raise DomainError(_E_VOID_REASON)
        with self._write() as s:
            case = self._load(s, case_id)
            self._transition(s, actor, case, CaseStatus.VOID, reason=reason.strip())
            case.void_reason = reason.strip()
            if case.decided_at is not None:  # undecided drafts never reached the back office's view
                enqueue_outcome(s, case, "void", actor, self._clock.now(), self.station, reason=reason.strip())
            self._drop_claim(s, case.id)

    # -- reading -------------------------------------------------------------------------------
    def get(self, actor: Actor, case_id: str) -> CaseView:
        """The case as ``actor`` may see it: personal data masked (use ``reveal_applicant``). Who
        may read which case: ``clerk_app.case_access`` (pre-review: open drafts and their own cases;
        admin: none)."""
        with self._sessions() as s:
            case = self._load(s, case_id)
            require_case_readable(actor, case)
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

    def drafts(self, actor: Actor, *, ready_only: bool = False, scope: QueueScope = "all") -> list[CaseView]:
        """The hall's open drafts (通办: any window takes any draft handed over by any 帮办 desk or
        window), the window queue (ready_for_window) first. ``scope``: ``"mine"`` — started,
        pre-reviewed or claimed by ``actor``; ``"window"`` — started at or claimed from this station;
        ``"all"`` — the whole hall."""
        statuses = (
            [CaseStatus.READY_FOR_WINDOW.value]
            if ready_only
            else [CaseStatus.READY_FOR_WINDOW.value, CaseStatus.DRAFT.value]
        )
        stmt = select(Case).where(Case.status.in_(statuses))
        if scope == "mine":
            mine = select(CaseClaim.case_id).where(CaseClaim.user_id == actor.user_id)
            stmt = stmt.where(
                or_(Case.created_by == actor.user_id, Case.prereviewed_by == actor.user_id, Case.id.in_(mine))
            )
        elif scope == "window":
            here = select(CaseClaim.case_id).where(CaseClaim.station_code == self.station)
            stmt = stmt.where(or_(Case.station_code == self.station, Case.id.in_(here)))
        elif scope != "all":
            raise DomainError(_E_QUEUE_SCOPE, scope=str(scope))
        with self._sessions() as s:
            rows = s.scalars(stmt.order_by(Case.status.desc(), Case.updated_at.desc()).limit(200)).all()
            return [self._view(s, c) for c in rows if may_read_case(actor, c)]  # admin: none

    # -- hall-wide worklists -------------------------------------------------------------------
    def owed_materials(
        self, actor: Actor, *, when: Literal["today", "overdue", "due", "all"] = "due"
    ) -> list[OwedCase]:
        """Decided cases of the whole hall still owing deferred (容缺) or requested (补正) materials, by
        their owed lines (whatever the case status — synced or in approval too): ``"today"`` — due
        today, ``"overdue"`` — due before today, ``"due"`` — both, ``"all"`` — every owed case, also
        those not due yet. Earliest due first; the applicant's name masked."""
        actor.require(Permission.CASE_SUPPLEMENT) if not actor.can(Permission.STATS_VIEW) else None
        today = self._clock.now().astimezone(CHINA_TZ).date()
        due = func.min(CaseLine.due_date)
        stmt = (
            select(Case, due)
            .join(CaseLine, CaseLine.case_id == Case.id)
            .where(
                CaseLine.status == LineStatus.DEFERRED.value,
                CaseLine.due_date.is_not(None),
                Case.decided_at.is_not(None),
                Case.status != CaseStatus.VOID.value,
            )
            .group_by(Case.id)
        )
        if when == "today":
            stmt = stmt.having(due == today)
        elif when == "overdue":
            stmt = stmt.having(due < today)
        elif when == "due":
            stmt = stmt.having(due <= today)
        elif when != "all":
            raise DomainError(_E_QUEUE_SCOPE, scope=str(when))
        out = []
        with self._sessions() as s:
            for case, first in s.execute(stmt.order_by(due, Case.case_number).limit(500)).all():
                if first is None:  # not reached: the WHERE keeps dated lines only
                    continue
                owed_rows = [r for r in case.lines if r.status == LineStatus.DEFERRED.value]
                person = s.get(Person, case.applicant_id) if case.applicant_id else None
                requests = []
                for r in owed_rows:
                    if r.requirement_code.startswith(REQUEST_LINE_PREFIX) and r.reason and r.reason not in requests:
                        requests.append(r.reason)
                claim = self._live_claim(s, case.id)  # a lapsed claim holds nothing
                out.append(
                    OwedCase(
                        case.id,
                        case.case_number,
                        CaseStatus(case.status),
                        case.item_code,
                        case.item_name,
                        case.station_code,
                        case.window_no,
                        first,
                        (today - first).days,
                        tuple(r.requirement_code for r in owed_rows),
                        tuple(r.name for r in owed_rows),
                        (person.name_masked or "") if person is not None else "",
                        tuple(requests),
                        self._claim_view(claim) if claim is not None else None,
                    )
                )
        return out

    def results_ready(self, actor: Actor) -> list[ReadyCase]:
        """Results waiting for pickup anywhere in the hall (result_ready), oldest first: any window
        hands them out (DeliveryService)."""
        actor.require(Permission.CASE_DELIVER)
        ready_at = (
            select(func.max(CaseTransition.at))
            .where(CaseTransition.case_id == Case.id, CaseTransition.to_status == CaseStatus.RESULT_READY.value)
            .scalar_subquery()
        )
        with self._sessions() as s:
            rows = s.execute(
                select(Case, ready_at, Person.name_masked)
                .outerjoin(Person, Person.id == Case.applicant_id)
                .where(Case.status == CaseStatus.RESULT_READY.value)
                .order_by(ready_at, Case.case_number)
                .limit(500)
            ).all()
            held = {
                r.case_id: r
                for r in s.scalars(select(CaseClaim).where(CaseClaim.case_id.in_([c.id for c, _, _ in rows])))
                if not self._expired(r)
            }
            return [
                ReadyCase(
                    c.id,
                    c.case_number,
                    c.item_code,
                    c.item_name,
                    c.station_code,
                    c.window_no,
                    name or "",
                    c.promised_date,
                    at or c.updated_at,
                    self._claim_view(held[c.id]) if c.id in held else None,
                )
                for c, at, name in rows
            ]

    # -- claims (who works on a case now) -----------------------------------------------------
    def claim(self, actor: Actor, case_id: str) -> ClaimView:
        """Open a case for work: claim it for ``actor`` at this station. Raises ``CaseClaimed``
        (with the holder) when someone else holds a live claim; renewing one's own claim keeps ``since``.
        A lapsed claim (``claim_expiry``, end of its day) is taken over, audited with the old holder."""
        if actor.user_id is None:
            raise DomainError(detail="the system actor claims nothing")
        try:
            with self._sessions.begin() as s:
                self._load(s, case_id)
                row = s.get(CaseClaim, case_id, with_for_update=True)
                if row is not None and row.user_id != actor.user_id:
                    if not self._expired(row):
                        raise CaseClaimed(self._claim_view(row))
                    lapsed = self._claim_view(row)
                    s.delete(row)
                    s.flush()
                    self._auditor.record(
                        s,
                        actor,
                        "case.claim_release",
                        case_id,
                        holder=lapsed.user_id,
                        holder_station=lapsed.station_code,
                        expired=True,
                    )
                    row = None
                if row is None:
                    user = s.get(User, actor.user_id)
                    row = CaseClaim(
                        case_id=case_id,
                        user_id=actor.user_id,
                        user_name=(user.display_name if user is not None else actor.username)[:100],
                        station_code=self.station,
                        window_no=self.window_no,
                        since=self._clock.now(),
                    )
                    s.add(row)
                    s.flush()
                    self._auditor.record(s, actor, "case.claim", case_id, station=self.station)
                elif self._expired(row):  # one's own lapsed claim: a fresh one from now
                    row.since = self._clock.now()
                    row.station_code, row.window_no = self.station, self.window_no
                else:
                    row.station_code, row.window_no = self.station, self.window_no
                return self._claim_view(row)
        except IntegrityError:  # claimed by another station at the same moment
            holder = self.claim_of(case_id)
            if holder is None:
                raise
            raise CaseClaimed(holder) from None

    def open_for_work(self, actor: Actor, case_id: str) -> CaseView:
        """The case view, claimed for ``actor`` when free; when someone else holds it the view says so
        (``view.read_only_for(actor)``, ``view.claim`` names the holder) and nothing is claimed."""
        try:
            self.claim(actor, case_id)
        except CaseClaimed:
            pass
        return self.get(actor, case_id)

    def claim_of(self, case_id: str) -> ClaimView | None:
        """The live claim on the case (a lapsed one counts as none)."""
        with self._sessions() as s:
            row = self._live_claim(s, case_id)
            return self._claim_view(row) if row is not None else None

    def claims_of(self, case_ids: Sequence[str]) -> dict[str, ClaimView]:
        """The live claims on ``case_ids`` (for lists: one query)."""
        if not case_ids:
            return {}
        with self._sessions() as s:
            rows = s.scalars(select(CaseClaim).where(CaseClaim.case_id.in_(list(case_ids))))
            return {r.case_id: self._claim_view(r) for r in rows if not self._expired(r)}

    def claims(self, actor: Actor) -> list[ClaimView]:
        """Every live claim in the hall, oldest first (the supervisor's view of stale claims)."""
        with self._sessions() as s:
            rows = s.scalars(select(CaseClaim).order_by(CaseClaim.since))
            return [self._claim_view(r) for r in rows if not self._expired(r)]

    def release(self, actor: Actor, case_id: str, reason: str | None = None) -> None:
        """Give a claim back. One's own: always. Someone else's (a stale claim): supervisor only, with
        a reason, audited with the holder."""
        with self._sessions.begin() as s:
            row = s.get(CaseClaim, case_id, with_for_update=True)
            if row is None:
                return
            if row.user_id == actor.user_id:
                s.delete(row)
                self._auditor.record(s, actor, "case.claim_release", case_id)
                return
            actor.require(Permission.CASE_RELEASE_CLAIM)
            if not reason or not reason.strip():
                raise DomainError(_E_LINE, name="—", why=i18n.Msg(_W_REASON_NEEDED))
            held = (self._clock.now() - row.since).total_seconds()
            self._auditor.record(
                s,
                actor,
                "case.claim_release",
                case_id,
                holder=row.user_id,
                holder_station=row.station_code,
                held_seconds=int(held),
                reason=reason.strip(),
            )
            s.delete(row)

    def release_mine(self, actor: Actor) -> int:
        """Sign-out: give back every claim of ``actor``."""
        with self._sessions.begin() as s:
            rows = list(s.scalars(select(CaseClaim).where(CaseClaim.user_id == actor.user_id)))
            for row in rows:
                s.delete(row)
                self._auditor.record(s, actor, "case.claim_release", row.case_id)
            return len(rows)

    def _expired(self, row: CaseClaim) -> bool:
        return self._clock.now() >= claim_expires_at(row.since, self.claim_expiry)

    def _live_claim(self, s: Session, case_id: str) -> CaseClaim | None:
        row = s.get(CaseClaim, case_id)
        return row if row is not None and not self._expired(row) else None

    def _claim_view(self, row: CaseClaim) -> ClaimView:
        return ClaimView(
            row.case_id,
            row.user_id,
            row.user_name,
            row.station_code,
            row.window_no,
            row.since,
            claim_expires_at(row.since, self.claim_expiry),
        )

    def _check_claim(self, s: Session, actor: Actor, case_id: str) -> None:
        row = self._live_claim(s, case_id)
        if row is not None and row.user_id != actor.user_id and actor.user_id is not None:
            raise CaseClaimed(self._claim_view(row))

    @staticmethod
    def _drop_claim(s: Session, case_id: str) -> None:
        row = s.get(CaseClaim, case_id)
        if row is not None:
            s.delete(row)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A write transaction whose optimistic-version conflict becomes ``CaseConflict`` (rolled back:
        the other change stands, nothing half-written)."""
        try:
            with self._sessions.begin() as s:
                yield s
        except StaleDataError as exc:
            raise CaseConflict(detail="row version changed") from exc

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
            station_code=case.station_code,
            claim=self._claim_view(claim) if (claim := self._live_claim(s, case.id)) is not None else None,
            delivery_address=case.delivery_address_masked,
            row_version=case.row_version,
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
        self._check_claim(s, actor, case_id)
        status = CaseStatus(case.status)
        if status not in (CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW):
            raise DomainError(_E_LOCKED, detail=f"case is {status.value}")
        if status is CaseStatus.READY_FOR_WINDOW and not actor.can(Permission.CASE_DECIDE):
            raise DomainError(_E_LOCKED, detail="handed over: only the window edits it now")
        return case

    def _item(self, case: Case) -> ServiceItem:
        """The item as the catalogue version the case was drafted under defines it: its checklist
        never changes under it when another version is activated."""
        pinned = self._catalogue_version(case.catalogue_version) if self._catalogue_version else None
        catalogue = pinned if pinned is not None else self._catalogue()
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
