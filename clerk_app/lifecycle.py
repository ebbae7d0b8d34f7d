"""Case lifecycle and the intake rules, as pure data and functions (no database, no Qt).

Statuses and transitions follow DESIGN.md §3:
``draft → ready_for_window → accepted | accepted_with_deficiencies | returned_with_notice | rejected``,
``accepted* → synced → in_approval → approved | disapproved → result_ready → delivered``,
``accepted_with_deficiencies → supplements_received``, ``void`` by a supervisor with a reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clerk_app import i18n
from clerk_app.catalogue.model import MaterialForm, MaterialRequirement, MaterialSource, Necessity, ServiceItem
from clerk_app.errors import DomainError
from clerk_app.roles import Permission


class CaseStatus(str, enum.Enum):
    DRAFT = "draft"
    READY_FOR_WINDOW = "ready_for_window"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_DEFICIENCIES = "accepted_with_deficiencies"
    RETURNED_WITH_NOTICE = "returned_with_notice"
    REJECTED = "rejected"
    SUPPLEMENTS_RECEIVED = "supplements_received"
    SYNCED = "synced"
    IN_APPROVAL = "in_approval"
    APPROVED = "approved"
    DISAPPROVED = "disapproved"
    RESULT_READY = "result_ready"
    DELIVERED = "delivered"
    VOID = "void"


class LineStatus(str, enum.Enum):
    PENDING = "pending"
    RECEIVED = "received"
    VERIFIED = "verified"
    DEFECTIVE = "defective"
    DEFERRED = "deferred"
    NOT_REQUIRED = "not_required"


class Decision(str, enum.Enum):
    ACCEPT = "accept"
    ACCEPT_WITH_DEFICIENCIES = "accept_with_deficiencies"
    RETURN_WITH_NOTICE = "return_with_notice"
    REJECT = "reject"


S = CaseStatus
DECISION_STATUS = {
    Decision.ACCEPT: S.ACCEPTED,
    Decision.ACCEPT_WITH_DEFICIENCIES: S.ACCEPTED_WITH_DEFICIENCIES,
    Decision.RETURN_WITH_NOTICE: S.RETURNED_WITH_NOTICE,
    Decision.REJECT: S.REJECTED,
}
_DECIDABLE = (S.DRAFT, S.READY_FOR_WINDOW)
_VOIDABLE = tuple(s for s in S if s not in (S.VOID, S.DELIVERED))

# (from, to) → the permission the actor needs. Anything not listed is forbidden.
TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Permission] = {
    (S.DRAFT, S.READY_FOR_WINDOW): Permission.CASE_HAND_OVER,
    **{(f, DECISION_STATUS[d]): Permission.CASE_DECIDE for f in _DECIDABLE for d in Decision},
    (S.ACCEPTED, S.SYNCED): Permission.CASE_APPLY_SERVER_STATUS,
    (S.ACCEPTED_WITH_DEFICIENCIES, S.SYNCED): Permission.CASE_APPLY_SERVER_STATUS,
    (S.SUPPLEMENTS_RECEIVED, S.SYNCED): Permission.CASE_APPLY_SERVER_STATUS,
    (S.ACCEPTED_WITH_DEFICIENCIES, S.SUPPLEMENTS_RECEIVED): Permission.CASE_SUPPLEMENT,
    (S.SYNCED, S.IN_APPROVAL): Permission.CASE_APPLY_SERVER_STATUS,
    (S.IN_APPROVAL, S.APPROVED): Permission.CASE_APPLY_SERVER_STATUS,
    (S.IN_APPROVAL, S.DISAPPROVED): Permission.CASE_APPLY_SERVER_STATUS,
    (S.APPROVED, S.RESULT_READY): Permission.CASE_APPLY_SERVER_STATUS,
    (S.DISAPPROVED, S.RESULT_READY): Permission.CASE_APPLY_SERVER_STATUS,
    (S.RESULT_READY, S.DELIVERED): Permission.CASE_DELIVER,
    **{(f, S.VOID): Permission.CASE_VOID for f in _VOIDABLE},
}

STATUS_LABELS = {
    s: i18n.register(f"status.{s.value}", zh, en)
    for s, zh, en in (
        (S.DRAFT, "草稿", "Draft"),
        (S.READY_FOR_WINDOW, "待窗口受理", "Ready for window"),
        (S.ACCEPTED, "已受理", "Accepted"),
        (S.ACCEPTED_WITH_DEFICIENCIES, "容缺受理", "Accepted with deficiencies"),
        (S.RETURNED_WITH_NOTICE, "一次性告知退回", "Returned with notice"),
        (S.REJECTED, "不予受理", "Rejected"),
        (S.SUPPLEMENTS_RECEIVED, "已补齐材料", "Supplements received"),
        (S.SYNCED, "已推送", "Sent to back office"),
        (S.IN_APPROVAL, "审批中", "In approval"),
        (S.APPROVED, "准予许可", "Approved"),
        (S.DISAPPROVED, "不予许可", "Disapproved"),
        (S.RESULT_READY, "待出件", "Result ready"),
        (S.DELIVERED, "已出件", "Delivered"),
        (S.VOID, "已作废", "Void"),
    )
}
_MATERIAL_REQUESTED = i18n.register("status.material_requested", "部门要求补正", "Material requested by the department")


def status_label(value: str | None) -> str:
    """A stored case status as people read it: "—" for none; the back office's 补正 request (no local
    counterpart); an unknown code as it is."""
    if not value:
        return "—"
    if value == "material_requested":
        return i18n.text(_MATERIAL_REQUESTED)
    try:
        return i18n.text(STATUS_LABELS[CaseStatus(value)])
    except ValueError:
        return value


LINE_STATUS_LABELS = {
    s: i18n.register(f"line.{s.value}", zh, en)
    for s, zh, en in (
        (LineStatus.PENDING, "待收取", "Pending"),
        (LineStatus.RECEIVED, "已收取", "Received"),
        (LineStatus.VERIFIED, "已核验", "Verified"),
        (LineStatus.DEFECTIVE, "有缺陷", "Defective"),
        (LineStatus.DEFERRED, "容缺后补", "Deferred"),
        (LineStatus.NOT_REQUIRED, "无需提交", "Not required"),
    )
}
DECISION_LABELS = {
    d: i18n.register(f"decision.{d.value}", zh, en)
    for d, zh, en in (
        (Decision.ACCEPT, "受理", "Accept"),
        (Decision.ACCEPT_WITH_DEFICIENCIES, "容缺受理", "Accept with deficiencies"),
        (Decision.RETURN_WITH_NOTICE, "一次性告知", "Return with one-time notice"),
        (Decision.REJECT, "不予受理", "Reject"),
    )
}


class TransitionForbidden(DomainError):
    key = i18n.register(
        "error.transition",
        "案件状态为“{current}”，不能变更为“{target}”",
        "A case in status “{current}” cannot become “{target}”",
    )


class DecisionNotAllowed(DomainError):
    key = i18n.register("error.decision", "不能作出“{decision}”决定：{why}", "Cannot decide “{decision}”: {why}")


def check_transition(current: CaseStatus, target: CaseStatus) -> Permission:
    try:
        return TRANSITIONS[(current, target)]
    except KeyError:
        raise TransitionForbidden(
            current=i18n.Msg(STATUS_LABELS[current]),
            target=i18n.Msg(STATUS_LABELS[target]),
            detail=f"{current.value} -> {target.value}",
        ) from None


# -- checklist -------------------------------------------------------------------------------
E_LICENCE_REASON = i18n.register(
    "reason.e_licence",
    "通过电子证照共享获取（{licence}），窗口不再收取",
    "Obtained from shared e-licences ({licence}); not collected at the window",
)


@dataclass
class LineState:
    """A checklist line as the rules see it (the store's CaseLine maps onto this)."""

    code: str
    name: str
    form: str
    originals_required: int
    copies_required: int
    necessity: str  # required | optional
    key_material: bool
    deferrable: bool
    status: LineStatus = LineStatus.PENDING
    originals_received: int = 0
    copies_received: int = 0
    reason: str | None = None
    due_date: dt.date | None = None
    notes: str = ""

    @property
    def counts(self) -> bool:
        """True when the line takes part in the decision (required and not waived)."""
        return self.necessity == "required" and self.status is not LineStatus.NOT_REQUIRED


def derive_lines(item: ServiceItem, answers: Mapping[str, Any]) -> list[LineState]:
    """The checklist of ``item`` for these intake answers, in catalogue order."""
    lines = []
    for req in item.materials:
        if not req.applies(answers):
            continue
        lines.append(_line_for(req))
    return lines


def _line_for(req: MaterialRequirement) -> LineState:
    necessity = "optional" if req.necessity is Necessity.OPTIONAL else "required"
    line = LineState(
        code=req.code,
        name=req.name,
        form=req.form.value,
        originals_required=req.originals,
        copies_required=req.copies,
        necessity=necessity,
        key_material=req.key,
        deferrable=req.deferrable and not req.key,
        notes=req.notes,
    )
    if req.source is MaterialSource.E_LICENCE:
        line.status = LineStatus.NOT_REQUIRED
        line.reason = i18n.text(E_LICENCE_REASON, licence=req.e_licence_type)
    return line


def counts_complete(line: LineState) -> bool:
    return line.originals_received >= line.originals_required and line.copies_received >= line.copies_required


# -- decisions -------------------------------------------------------------------------------
_W_NO_APPLICANT = i18n.register("why.no_applicant", "尚未登记申请人", "no applicant recorded")
_W_MISSING = i18n.register("why.missing", "还有 {n} 项材料未收齐：{names}", "{n} material(s) missing: {names}")
_W_DEFECTIVE = i18n.register("why.defective", "有 {n} 项材料有缺陷：{names}", "{n} material(s) defective: {names}")
_W_DEFERRED = i18n.register(
    "why.deferred", "有容缺后补的材料，应选择容缺受理", "materials are deferred: accept with deficiencies instead"
)
_W_NO_DEFERRED = i18n.register("why.no_deferred", "没有标记为容缺后补的材料", "no material is marked deferred")
_W_NOT_DEFERRABLE = i18n.register(
    "why.not_deferrable", "关键材料不能容缺：{names}", "key materials cannot be deferred: {names}"
)
_W_DUE = i18n.register("why.due", "需要一个晚于今天的补交期限", "needs a due date after today")
_W_UNCONFIRMED = i18n.register(
    "why.unconfirmed",
    "申请人尚未在群众端屏幕确认当前材料清单（本大厅要求受理前确认）",
    "the applicant has not confirmed the current checklist on the customer screen (required here)",
)
_W_NOTHING_MISSING = i18n.register(
    "why.nothing_missing", "材料齐全，无需一次性告知", "nothing is missing or defective: no notice needed"
)
_W_REASON = i18n.register("why.reason", "必须填写不予受理的理由", "a reason is required")
_W_STATUS = i18n.register("why.status", "案件当前状态不能作出决定", "the case is not open for a decision")


@dataclass(frozen=True)
class DecisionCheck:
    allowed: bool
    reason: i18n.Msg | None = None  # why not, translated when shown

    @property
    def why(self) -> str:
        return self.reason.render() if self.reason else ""


def _names(lines: Iterable[LineState]) -> str:
    return "、".join(line.name for line in lines)


def evaluate_decision(
    decision: Decision,
    status: CaseStatus,
    lines: Sequence[LineState],
    has_applicant: bool,
    *,
    reason: str | None = None,
    due_date: dt.date | None = None,
    today: dt.date | None = None,
    unconfirmed: bool = False,
) -> DecisionCheck:
    """Whether ``decision`` is allowed now, and if not, why (for the decision bar and the service).
    ``unconfirmed``: the hall requires the applicant's confirmation of the checklist before an
    acceptance and the current list is not confirmed (checked last: the materials come first)."""
    if status not in _DECIDABLE:
        return DecisionCheck(False, i18n.Msg(_W_STATUS))
    counted = [line for line in lines if line.counts]
    missing = [line for line in counted if line.status is LineStatus.PENDING]
    defective = [line for line in lines if line.status is LineStatus.DEFECTIVE]
    deferred = [line for line in counted if line.status is LineStatus.DEFERRED]
    if decision is Decision.REJECT:
        if reason is not None and not reason.strip():
            return DecisionCheck(False, i18n.Msg(_W_REASON))
        return DecisionCheck(True)
    if decision is Decision.RETURN_WITH_NOTICE:
        if not (missing or defective or deferred):
            return DecisionCheck(False, i18n.Msg(_W_NOTHING_MISSING))
        return DecisionCheck(True)
    if not has_applicant:
        return DecisionCheck(False, i18n.Msg(_W_NO_APPLICANT))
    if missing:
        return DecisionCheck(False, i18n.Msg(_W_MISSING, n=len(missing), names=_names(missing)))
    if defective:
        return DecisionCheck(False, i18n.Msg(_W_DEFECTIVE, n=len(defective), names=_names(defective)))
    if decision is Decision.ACCEPT:
        if deferred:
            return DecisionCheck(False, i18n.Msg(_W_DEFERRED))
        return DecisionCheck(False, i18n.Msg(_W_UNCONFIRMED)) if unconfirmed else DecisionCheck(True)
    # accept with deficiencies
    if not deferred:
        return DecisionCheck(False, i18n.Msg(_W_NO_DEFERRED))
    bad = [line for line in deferred if not line.deferrable or line.key_material]
    if bad:
        return DecisionCheck(False, i18n.Msg(_W_NOT_DEFERRABLE, names=_names(bad)))
    if due_date is not None and today is not None and due_date <= today:
        return DecisionCheck(False, i18n.Msg(_W_DUE))
    return DecisionCheck(False, i18n.Msg(_W_UNCONFIRMED)) if unconfirmed else DecisionCheck(True)


# -- one-time notice (一次性告知) -------------------------------------------------------------
class NoticeProblem(str, enum.Enum):
    MISSING = "missing"
    INCOMPLETE = "incomplete"
    DEFECTIVE = "defective"


@dataclass(frozen=True)
class NoticeEntry:
    code: str
    name: str
    problem: NoticeProblem
    reason: str
    what_to_bring: str


@dataclass(frozen=True)
class OneTimeNotice:
    item_code: str
    item_name: str
    entries: tuple[NoticeEntry, ...] = field(default_factory=tuple)

    def text(self) -> str:
        head = f"一次性告知：办理“{self.item_name}”还需补齐或更正以下 {len(self.entries)} 项材料："
        rows = [f"{i}. {e.name}：{e.reason}。请提交：{e.what_to_bring}" for i, e in enumerate(self.entries, 1)]
        return "\n".join([head, *rows])


_FORM_TEXT = {
    MaterialForm.ORIGINAL.value: "原件",
    MaterialForm.COPY.value: "复印件",
    MaterialForm.ORIGINAL_AND_COPY.value: "原件及复印件",
    MaterialForm.ELECTRONIC.value: "电子文件",
}


def what_to_bring(line: LineState) -> str:
    parts = []
    if line.originals_required:
        parts.append(f"原件 {line.originals_required} 份")
    if line.copies_required:
        parts.append(f"复印件 {line.copies_required} 份")
    text = "，".join(parts) or _FORM_TEXT.get(line.form, line.form)
    return f"{text}（{line.notes}）" if line.notes else text


def build_notice(item: ServiceItem, lines: Sequence[LineState]) -> OneTimeNotice:
    """Every missing, incomplete or defective line at once — so one more visit suffices."""
    notes = {m.code: m.notes for m in item.materials}
    entries = []
    for line in lines:
        if not line.notes and notes.get(line.code):
            line = dataclasses.replace(line, notes=notes[line.code])
        if line.status is LineStatus.DEFECTIVE:
            entries.append(
                NoticeEntry(
                    line.code, line.name, NoticeProblem.DEFECTIVE, line.reason or "材料不符合要求", what_to_bring(line)
                )
            )
        elif line.counts and line.status in (LineStatus.PENDING, LineStatus.DEFERRED):
            partial = line.originals_received or line.copies_received
            problem = NoticeProblem.INCOMPLETE if partial else NoticeProblem.MISSING
            reason = (
                f"份数不足（已收原件 {line.originals_received} 份、复印件 {line.copies_received} 份）"
                if partial
                else "未提交"
            )
            entries.append(NoticeEntry(line.code, line.name, problem, reason, what_to_bring(line)))
    return OneTimeNotice(item.code, item.name, tuple(entries))
