"""What the intake page shows about the case on the desk, decided by the core (no Qt).

- :func:`start_intake` — a new case for the chosen item (the ticket called to this window onto it) and
  :func:`open_desk` — a case put on the desk: its state, its item's questions, who pre-reviewed it.
- :func:`desk_state` — after every change: the case, which decisions are allowed (and why not), what the
  summary says is still missing, deferred or unconfirmed, and whether the case is past the window (the
  outcome replaces the summary). Read in one go on a worker thread; the page only renders it.
- :func:`plan_decision` — before a decision: allowed or why not, the due date the deferred lines already
  give (asked for only when they do not), the catalogue's legal basis (the default of a rejection) and
  what the confirmation preview lists (the one-time notice, or the materials received).
- :func:`line_forms` — Ctrl+B on a line: its 样表 (else its blank form) to show, and what 打印 prints
  (the blank form to fill in, or what is shown when there is none).
- The page's texts chosen from that state: :func:`summary` (the line under the checklist, or the
  outcome), :func:`line_cells` (a checklist row), :func:`matters_text` (the applicant's earlier cases),
  :meth:`DecisionPlan.preview` (the confirmation), :func:`current_step` (the step strip); for the
  applicant panel :data:`DOCUMENT_TYPES`, :func:`number_check` (live validation) and
  :func:`record_source` (chip or typed, with the chip's passive authentication).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clerk_app import i18n
from clerk_app.cases import CaseService, CaseView, LineView
from clerk_app.catalogue.loader import form_file
from clerk_app.catalogue.model import Catalogue, ServiceItem
from clerk_app.catalogue.store import CatalogueStore
from clerk_app.customer import CustomerService
from clerk_app.errors import ClerkAppError, DomainError, NotFound
from clerk_app.guardrails import check_storage
from clerk_app.identity import validate_resident_id, validate_uscc
from clerk_app.identity_check import MATCH
from clerk_app.item_search import ItemIndex
from clerk_app.lifecycle import (
    DECISION_LABELS,
    LINE_STATUS_LABELS,
    STATUS_LABELS,
    CaseStatus,
    Decision,
    DecisionCheck,
    LineStatus,
)
from clerk_app.persons import PersonData, PersonView
from clerk_app.queue import BuiltinQueue
from clerk_app.roles import Actor, Permission
from clerk_app.search import OpenMatter
from clerk_app.users import UserService
from clerk_app.workdays import promised_text

DECISIONS = (Decision.ACCEPT, Decision.ACCEPT_WITH_DEFICIENCIES, Decision.RETURN_WITH_NOTICE, Decision.REJECT)
EDITABLE = (CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW)

_r = i18n.register
_MISSING = _r("intake.missing", "尚缺或有缺陷的材料（{n} 项）：{names}", "Still missing or defective ({n}): {names}")
_DEFERRED = _r("intake.deferred", "容缺后补：{names}", "Deferred: {names}")
_NO_APPLICANT = _r("intake.no_applicant", "尚未登记申请人", "No applicant recorded yet")
_UNCONFIRMED = _r(
    "intake.unconfirmed",
    "申请人尚未在群众端屏幕确认本材料清单",
    "The applicant has not confirmed this list on their screen yet",
)
_COMPLETE = _r("intake.complete", "材料已齐全 ✓", "All materials received ✓")
_CONFIRMED = _r("intake.confirmed", "申请人已确认材料清单 ✓", "Confirmed by the applicant ✓")
_CASE_NUMBER = _r("intake.case_number", "受理编号：{number}", "Case number: {number}")
_PROMISED = _r("intake.promised", "承诺办结日期：{date}", "Promised completion: {date}")
_BRING_BY = _r("intake.bring_by", "请于 {date} 前补交", "Bring them by {date}")
_NEXT = _r("intake.next", "按 F5 叫下一位", "F5: next applicant")
_REASON = _r("intake.reason", "理由：{reason}", "Reason: {reason}")
_BASIS = _r("intake.legal_basis", "法律依据：{basis}", "Legal basis: {basis}")
_RECEIVED = _r("intake.received", "已收材料（原件/复印件）：", "Materials received (originals/copies):")
_MATTERS = _r("intake.matters", "该申请人有在办件：{list}", "This applicant has earlier cases: {list}")
_MORE = _r("intake.matters_more", "，另有 {n} 件", " and {n} more")
_CTRL_O = _r("intake.matters_open", "—— 按 Ctrl+O 打开第一件", "— Ctrl+O opens the first")
_FORMS = {
    "original": _r("intake.form.original", "原件", "Original"),
    "copy": _r("intake.form.copy", "复印件", "Copy"),
    "original_and_copy": _r("intake.form.both", "原件及复印件", "Original + copy"),
    "electronic": _r("intake.form.electronic", "电子文件", "Electronic"),
}
_OPTIONAL = _r("intake.line.optional", "（可选）", "(optional)")
_DUE = _r("intake.line.due", "限 {date} 前补交", "due {date}")
_DEFERRABLE = _r("intake.line.deferrable", "可容缺", "deferrable")
# What a clerk usually says when a material is defective, or why an optional one is not needed (the
# clerk may type another reason).
DEFECT_REASONS = (
    "未签字或未盖章",
    "复印件不清晰",
    "证件已过期",
    "信息与申请表不一致",
    "材料不完整（缺页）",
    "非原件",
    "格式不符合要求",
)
WAIVE_REASONS = (
    "申请人无此情形",
    "已通过数据共享获取",
    "申请人自愿不提交（选择性材料）",
)
DOCUMENT_TYPES = {
    "resident_id": _r("intake.doc.resident_id", "居民身份证", "Resident ID card"),
    "passport": _r("intake.doc.passport", "护照", "Passport"),
    "hk_macau_permit": _r("intake.doc.hk_macau_permit", "往来港澳通行证", "HK/Macau travel permit"),
    "taiwan_permit": _r("intake.doc.taiwan_permit", "往来台湾通行证", "Taiwan travel permit"),
    "foreign_prc": _r("intake.doc.foreign_prc", "外国人永久居留身份证", "Foreign permanent residence ID"),
    "hmt_residence_permit": _r(
        "intake.doc.hmt_residence_permit", "港澳台居民居住证", "HK/Macao/Taiwan residence permit"
    ),
    "uscc": _r("intake.doc.uscc", "统一社会信用代码", "Unified social credit code"),
}
_CHECK_DIGITS: dict[str, Callable[[str], str]] = {"resident_id": validate_resident_id, "uscc": validate_uscc}
_NUMBER_VALID = _r("intake.number_valid", "✓ 号码校验通过", "✓ number is valid")
# Passive authentication outcomes (ICAO 9303-11 §5.1) as the clerk reads them.
_PASSIVE_AUTH = {
    "verified": _r("intake.pa.verified", "芯片数据验证通过", "chip data verified"),
    "data_altered": _r("intake.pa.data_altered", "数据被篡改！", "DATA ALTERED"),
    "issuer_not_trusted": _r("intake.pa.issuer_not_trusted", "签发机构不受信任", "issuer not trusted"),
    "not_checked": _r("intake.pa.not_checked", "未验签", "signature not checked"),
}
_FROM_CHIP = _r("intake.from_chip", "芯片读取（{outcome}）", "Read from chip ({outcome})")
_TYPED = _r("intake.typed", "手工录入（未经芯片核验）", "Manually entered")
_PREREVIEWED = _r(
    "intake.prereviewed",
    "已由帮办 {name} 预审，以下核验结果由其录入",
    "Pre-reviewed by {name}; checks below were made by them",
)
_LOOK = _r(
    "intake.identity.look",
    "请核对本人与证件照片，一致按 F10，不一致按 Shift+F10。",
    "Look at the person, then press F10 or Shift+F10.",
)
_MATCHES = _r("intake.identity.match", "已记录：人证一致。", "Recorded: the person matches the document.")
_DIFFERS = _r("intake.identity.mismatch", "已记录：人证不一致！", "Recorded: the person does NOT match the document.")
_SAMPLE = _r("intake.sample", "样表：{name}", "Sample: {name}")
_BLANK = _r("intake.blank_form", "空白表：{name}", "Blank form: {name}")


@dataclass(frozen=True)
class DeskState:
    view: CaseView
    checks: Mapping[Decision, DecisionCheck]  # empty when the case is no longer editable
    missing: tuple[str, ...]  # required lines still pending or defective
    deferred: tuple[str, ...]  # 容缺 lines
    confirmed: bool  # the applicant confirmed the current list on their screen
    confirmation_missing: bool  # the hall requires that confirmation and it is not there

    @property
    def editable(self) -> bool:
        return self.view.status in EDITABLE

    @property
    def decided(self) -> bool:
        """Past the window: the page shows the outcome instead of what is missing."""
        return bool(self.view.case_number) and not self.editable

    @property
    def complete(self) -> bool:
        """Nothing to point out: every material in, an applicant, confirmed when that is required."""
        return not (self.missing or self.deferred or self.view.applicant is None or self.confirmation_missing)


def missing_lines(lines: Sequence[LineView]) -> tuple[str, ...]:
    return tuple(
        ln.name
        for ln in lines
        if ln.necessity == "required" and ln.status in (LineStatus.PENDING, LineStatus.DEFECTIVE)
    )


def desk_state(cases: CaseService, customer: CustomerService, actor: Actor, case_id: str) -> DeskState:
    view = cases.get(actor, case_id)
    editable = view.status in EDITABLE
    checks = {}
    if editable and actor.can(Permission.CASE_DECIDE):
        checks = {d: cases.check_decision(case_id, d) for d in DECISIONS}
    decided = bool(view.case_number) and not editable
    confirmation = None if decided else customer.confirmation(case_id)
    confirmed = confirmation is not None and confirmation.current
    return DeskState(
        view=view,
        checks=checks,
        missing=missing_lines(view.lines),
        deferred=tuple(ln.name for ln in view.lines if ln.status is LineStatus.DEFERRED),
        confirmed=confirmed,
        confirmation_missing=cases.confirmation_required and not confirmed,
    )


def start_intake(
    cases: CaseService, queue: BuiltinQueue, data_dir: Path, actor: Actor, item_code: str, ticket: str | None
) -> str:
    """A new case for the item (refused while the disk is nearly full); when the ticket typed is the
    one called to this window, the ticket and its call time go onto the case."""
    check_storage(data_dir)
    case_id = cases.start_case(actor, item_code, ticket_no=ticket)
    called = queue.current()
    if called is not None and called.number == ticket:
        queue.start(actor, case_id)
    return case_id


@dataclass(frozen=True)
class OpenedDesk:
    state: DeskState
    item: ServiceItem | None  # its intake questions
    prereviewer: str | None  # who pre-reviewed the draft, named to the clerk who decides on it

    @property
    def prereview_note(self) -> str:
        return i18n.text(_PREREVIEWED, name=self.prereviewer) if self.prereviewer else ""


def open_desk(
    cases: CaseService,
    customer: CustomerService,
    catalogue: CatalogueStore,
    users: UserService,
    actor: Actor,
    case_id: str,
) -> OpenedDesk:
    state = desk_state(cases, customer, actor, case_id)
    by = state.view.prereviewed_by
    prereviewer = users.display_name(by) if by and actor.can(Permission.CASE_DECIDE) else None
    return OpenedDesk(state, catalogue.active().items.get(state.view.item_code), prereviewer)


def case_title(view: CaseView) -> str:
    """The case's line above the desk: the item, its status and, once it has one, its case number."""
    number = f" · {view.case_number}" if view.case_number else ""
    return f"{view.item_name}  [{i18n.text(STATUS_LABELS[view.status])}{number}]"


def summary(state: DeskState) -> tuple[str, str]:
    """The text under the checklist and its tone: once decided the outcome (status, case number,
    promised date, owed materials; "decided"), else what is still missing, deferred or unconfirmed
    ("owed"), else that everything is in ("ok")."""
    view = state.view
    if state.decided:
        lines = [f"{i18n.text(STATUS_LABELS[view.status])} ✓", i18n.text(_CASE_NUMBER, number=view.case_number)]
        if view.promised_date:
            lines.append(i18n.text(_PROMISED, date=promised_text(view.promised_date, view.promised_provisional)))
        if view.deficiency_due:
            lines.append(i18n.text(_BRING_BY, date=view.deficiency_due.isoformat()))
        return "\n".join([*lines, i18n.text(_NEXT)]), "decided"
    parts = []
    if state.missing:
        parts.append(i18n.text(_MISSING, n=len(state.missing), names="、".join(state.missing)))
    if state.deferred:
        parts.append(i18n.text(_DEFERRED, names="、".join(state.deferred)))
    if view.applicant is None:
        parts.append(i18n.text(_NO_APPLICANT))
    if state.confirmation_missing:
        parts.append(i18n.text(_UNCONFIRMED))
    text = "\n".join(parts) or i18n.text(_COMPLETE)
    if state.confirmed:
        text += "\n" + i18n.text(_CONFIRMED)
    return text, "owed" if parts else "ok"


def line_cells(line: LineView) -> tuple[str, ...]:
    """A checklist row: the material (★ a key material, optional ones marked), its form, required
    originals / copies, originals and copies received, status, note (the due date of a deferred line,
    the reason given, or that it may be deferred), pages scanned."""
    name = line.name + (" ★" if line.key_material else "")
    if line.necessity == "optional":
        name += " " + i18n.text(_OPTIONAL)
    if line.status is LineStatus.DEFERRED and line.due_date:
        note = i18n.text(_DUE, date=line.due_date.isoformat())
    else:
        note = line.reason or (i18n.text(_DEFERRABLE) if line.deferrable else "")
    return (
        name,
        i18n.text(_FORMS[line.form]) if line.form in _FORMS else line.form,
        f"{line.originals_required} / {line.copies_required}",
        str(line.originals_received),
        str(line.copies_received),
        i18n.text(LINE_STATUS_LABELS[line.status]),
        note,
        str(line.page_count),
    )


def matters_text(matters: Sequence[OpenMatter]) -> str:
    """After a card read, the applicant's earlier cases that need something today (a notice to answer,
    容缺 materials owed, a result ready): the first three named; "" when there are none."""
    if not matters:
        return ""
    listed = "；".join(f"{m.case_number or m.item_name}（{m.item_name}）：{m.label()}" for m in matters[:3])
    more = i18n.text(_MORE, n=len(matters) - 3) if len(matters) > 3 else ""
    return f"{i18n.text(_MATTERS, list=listed)}{more} {i18n.text(_CTRL_O)}"


def number_check(document_type: str, number: str) -> tuple[str, bool]:
    """Live validation while a number is typed: what to say and whether it is fine (only the resident
    ID and the unified social credit code have a check digit to test; nothing is said for the others)."""
    validate = _CHECK_DIGITS.get(document_type)
    if not number.strip() or validate is None:
        return "", True
    try:
        validate(number.strip())
    except ClerkAppError as exc:
        return exc.user_message(), False
    return i18n.text(_NUMBER_VALID), True


class ApplicantIncomplete(DomainError):
    key = _r("intake.applicant_incomplete", "请填写姓名/名称和证件号码", "Name and document number are required")


def entered_person(record: PersonData) -> PersonData:
    """An applicant typed at the window, checked before it is saved: a name and a document number,
    the number valid for its type (normalised); raises ApplicantIncomplete or the number's error."""
    if not record.name or not record.document_number:
        raise ApplicantIncomplete()
    return record.validated()


def record_source(person: PersonData | PersonView | None) -> tuple[str, str]:
    """Where an applicant's record comes from and its tone: typed ("typed"), or a chip read with its
    passive authentication ("ok"; "bad" when the data was altered or the issuer is not trusted)."""
    if person is None or person.verified_by != "chip":
        return i18n.text(_TYPED), "typed"
    outcome = person.passive_auth or "not_checked"
    shown = i18n.text(_PASSIVE_AUTH[outcome]) if outcome in _PASSIVE_AUTH else outcome
    return i18n.text(_FROM_CHIP, outcome=shown), "ok" if outcome in ("verified", "not_checked") else "bad"


def identity_outcome(face_match: str | None) -> tuple[str, str]:
    """What the 人证比对 panel says and its tone: "ask" (nothing recorded yet), "match" or "mismatch"."""
    if face_match is None:
        return i18n.text(_LOOK), "ask"
    return (i18n.text(_MATCHES), "match") if face_match == MATCH else (i18n.text(_DIFFERS), "mismatch")


def item_entries(
    index: ItemIndex | None, query: str, theme: str | None, recent: Sequence[str]
) -> list[tuple[str, str]]:
    """The item picker's list, (text, item code): the items found (none before the index is read), and
    with an empty search the clerk's recent items first, marked ★ (a glyph every CJK font has; 🕘 needs
    an emoji font)."""
    items = index.search(query.strip(), theme) if index is not None else []
    first = [item for code in recent for item in items if item.code == code] if not query.strip() else []
    return [
        (f"{'★ ' if item in first else ''}{item.name}    [{item.theme} · {item.department} · {item.code}]", item.code)
        for item in first + [item for item in items if item not in first]
    ]


STEPS = (  # the step strip across the intake page, each with the key that does it
    (_r("intake.step.item", "事项", "Item"), "Ctrl+N"),
    (_r("intake.step.card", "读证", "ID card"), "F6"),
    (_r("intake.step.materials", "材料", "Materials"), "Ctrl+R"),
    (_r("intake.step.scan", "扫描", "Scan"), "F9"),
    (_r("intake.step.decide", "决定", "Decide"), "Ctrl+1"),
)
STEP_DONE = len(STEPS)  # 事项 → 读证 → 材料 → 扫描 → 决定 all done: the case is decided


def step_labels(step: int) -> list[tuple[str, str]]:
    """The strip's labels and their state ("done" ticked, "current" with its key, "todo" numbered)."""
    labels = []
    for i, (name, key) in enumerate(STEPS):
        if i < step:
            labels.append((f"✓ {i18n.text(name)}", "done"))
        elif i == step:
            labels.append((f"{i + 1} {i18n.text(name)}  {key}", "current"))
        else:
            labels.append((f"{i + 1} {i18n.text(name)}", "todo"))
    return labels


def current_step(view: CaseView | None) -> int:
    """Where the intake stands, for the step strip (from the case, never from what was clicked, so a
    case opened from the queue or after a crash shows where it really is): 0 事项 (no case) · 1 读证
    (no applicant) · 2 材料 (a required material neither received nor deferred) · 3 扫描 (nothing
    scanned yet) · 4 决定 · 5 decided."""
    if view is None:
        return 0
    if view.status not in EDITABLE:
        return STEP_DONE
    if view.applicant is None:
        return 1
    if missing_lines(view.lines):
        return 2
    if not any(line.page_count for line in view.lines):
        return 3
    return 4


def deferred_due_date(lines: Sequence[LineView]) -> dt.date | None:
    """The deadline of an acceptance with deficiencies when the deferred lines already give it (Ctrl+T
    line by line): the latest of their dates; None when a deferred line has no date (then it is asked)."""
    deferred = [ln for ln in lines if ln.status is LineStatus.DEFERRED]
    dues = [ln.due_date for ln in deferred if ln.due_date is not None]
    return max(dues) if deferred and len(dues) == len(deferred) else None


@dataclass(frozen=True)
class ReceivedLine:
    name: str
    originals: int
    copies: int


@dataclass(frozen=True)
class DecisionPlan:
    decision: Decision
    check: DecisionCheck
    item_name: str
    legal_basis: str  # the catalogue's, offered when rejecting
    due_date: dt.date | None  # ACCEPT_WITH_DEFICIENCIES: from the deferred lines, else asked
    notice: str | None  # the one-time notice's text (notice, deficiencies)
    received: tuple[ReceivedLine, ...]  # what the preview of an acceptance lists

    @property
    def needs_due_date(self) -> bool:
        return self.decision is Decision.ACCEPT_WITH_DEFICIENCIES and self.due_date is None

    def preview(self, due_date: dt.date | None = None, reason: str = "", legal_basis: str = "") -> str:
        """The confirmation's text: the one-time notice (with the deadline of an acceptance with
        deficiencies), a rejection's reason and basis, or the materials an acceptance received."""
        head = f"{i18n.text(DECISION_LABELS[self.decision])} — {self.item_name}"
        if self.notice is not None:
            due = "\n" + i18n.text(_BRING_BY, date=due_date.isoformat()) if due_date else ""
            return f"{head}\n\n{self.notice}{due}"
        if self.decision is Decision.REJECT:
            return f"{head}\n\n{i18n.text(_REASON, reason=reason)}\n{i18n.text(_BASIS, basis=legal_basis)}"
        received = "\n".join(f"· {ln.name}  {ln.originals}/{ln.copies}" for ln in self.received)
        return f"{head}\n\n{i18n.text(_RECEIVED)}\n{received}"


def plan_decision(
    cases: CaseService, catalogue: CatalogueStore, actor: Actor, case_id: str, decision: Decision
) -> DecisionPlan:
    check = cases.check_decision(case_id, decision)
    view = cases.get(actor, case_id)
    item = catalogue.active().items.get(view.item_code)
    notice = None
    if check.allowed and decision in (Decision.RETURN_WITH_NOTICE, Decision.ACCEPT_WITH_DEFICIENCIES):
        notice = cases.one_time_notice(case_id).text()
    return DecisionPlan(
        decision=decision,
        check=check,
        item_name=view.item_name,
        legal_basis=item.legal_basis if item else "",
        due_date=deferred_due_date(view.lines) if decision is Decision.ACCEPT_WITH_DEFICIENCIES else None,
        notice=notice,
        received=tuple(
            ReceivedLine(ln.name, ln.originals_received, ln.copies_received)
            for ln in view.lines
            if ln.status is not LineStatus.NOT_REQUIRED
        ),
    )


@dataclass(frozen=True)
class LineForms:
    material: str  # the material's name
    shown: Path  # the sample, else the blank form
    shown_is_sample: bool
    printed: Path  # the blank form, else what is shown
    printed_is_sample: bool

    @property
    def title(self) -> str:
        return i18n.text(_SAMPLE if self.shown_is_sample else _BLANK, name=self.material)

    @property
    def print_title(self) -> str:
        return i18n.text(_SAMPLE if self.printed_is_sample else _BLANK, name=self.material)

    def shown_bytes(self) -> bytes:
        """The file to show (read it off the GUI thread); a file the catalogue names but the folder
        lacks is ``NotFound`` naming it, in the clerk's words."""
        try:
            return self.shown.read_bytes()
        except OSError as exc:
            raise NotFound(what=self.shown.name) from exc


def line_forms(catalogue: Catalogue, item_code: str, line_code: str) -> LineForms | None:
    """The sample and blank form files of a checklist line (None: the line has neither, or the
    catalogue has no folder to take them from)."""
    item = catalogue.items.get(item_code)
    material = next((m for m in item.materials if m.code == line_code), None) if item else None
    if material is None:
        return None
    sample = form_file(catalogue.source, material.sample) if material.sample else None
    blank = form_file(catalogue.source, material.blank_form) if material.blank_form else None
    shown = sample or blank
    if shown is None:
        return None
    return LineForms(material.name, shown, sample is not None, blank or shown, blank is None)
