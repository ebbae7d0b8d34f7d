"""What the hall's worklists show, cell by cell (the pages only draw it): the owed-materials list
(补齐材料, ``CaseService.owed_materials``), the results ready for pickup (待领取,
``CaseService.results_ready``) and who holds a case (a claim) in the words every list and banner uses.
And what the supplement dialog says about one owed case, and what the home page shows. Names are
masked as in every list; times are China time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.case_sheet import SUMMARY
from clerk_app.cases import (
    REQUEST_LINE_PREFIX,
    SUPPLEMENTABLE,
    CaseClaimed,
    CaseService,
    CaseView,
    ClaimView,
    LineView,
    OwedCase,
    QueueScope,
    ReadyCase,
)
from clerk_app.clock import CHINA_TZ
from clerk_app.lifecycle import STATUS_LABELS, LineStatus
from clerk_app.promised_dates import schedule_warning
from clerk_app.roles import ROLE_LABELS, Actor, Permission
from clerk_app.users import UserService
from clerk_app.workdays import WorkingDayCalendar

_r = i18n.register
_HOLDER = _r("worklist.holder", "{name}（{station} {window} 号窗口）", "{name} (station {station}, window {window})")
_HOLDER_SINCE = _r(
    "worklist.holder_since",
    "{name}（{station} {window} 号窗口，{since} 起）",
    "{name} (station {station}, window {window}) since {since}",
)
_DAYS = _r("worklist.days_overdue", "{n} 天", "{n} days")
_TODAY = _r("worklist.due_today", "今天", "today")
_OWED_SUMMARY = _r(
    "worklist.owed_summary", "{n} 件案件待补齐材料，其中 {late} 件已逾期", "{n} case(s) owe materials, {late} overdue"
)
_NOTHING_OWED = _r("worklist.nothing_owed", "没有待补齐材料的案件。", "No case owes materials in this list.")
_WINDOW = _r("worklist.window", "{station} {window} 号窗口", "{station} window {window}")
_ARRIVED = _r("worklist.document_arrived", "已收到", "arrived")
_NOT_RECEIVED = _r("worklist.document_missing", "未收到", "not received")
_READY_SUMMARY = _r("worklist.ready_summary", "共 {n} 件待领取", "{n} result(s) waiting for pickup")
_CLAIM_LAPSES = _r(
    "worklist.claim_lapses", "{claimed}；占用将于 {at} 自动失效。", "{claimed}. The claim lapses at {at}."
)
_NOTHING_READY = _r("worklist.nothing_ready", "目前没有待领取的办理结果。", "No results are waiting for pickup.")
_HOLDER_COLUMN = _r("worklist.column.holder", "办理人", "Being handled by")
_FIRST_COLUMNS = (SUMMARY["case_number"], SUMMARY["item"], SUMMARY["applicant"])
_OWED_COLUMNS = (
    *_FIRST_COLUMNS,
    _r("worklist.column.owed", "待补材料", "Materials owed"),
    _r("worklist.column.due", "补交期限", "Due"),
    _r("worklist.column.overdue", "已逾期", "Overdue"),
    _HOLDER_COLUMN,
    _r("worklist.column.request", "部门补正要求", "Department's request"),
)
_READY_COLUMNS = (
    *_FIRST_COLUMNS,
    _r("worklist.column.accepted_at", "受理窗口", "Accepted at"),
    _r("worklist.column.ready_since", "办结时间", "Result ready since"),
    SUMMARY["promised"],
    _r("worklist.column.result_document", "办理结果文书", "Result document"),
    _HOLDER_COLUMN,
)


def owed_headers() -> list[str]:
    """The owed list's column headers, in the order of ``owed_row``'s cells."""
    return [i18n.text(key) for key in _OWED_COLUMNS]


def ready_headers() -> list[str]:
    """The ready list's column headers, in the order of ``ready_cells``."""
    return [i18n.text(key) for key in _READY_COLUMNS]


def holder(claim: ClaimView | None, *, since: bool = False) -> str:
    """Who works on the case now, where (and since when): "" when nobody does."""
    if claim is None:
        return ""
    where = {"name": claim.user_name, "station": claim.station_code, "window": claim.window_no}
    if since:
        return i18n.text(_HOLDER_SINCE, since=claim.since.astimezone(CHINA_TZ).strftime("%H:%M"), **where)
    return i18n.text(_HOLDER, **where)


def claim_notice(claim: ClaimView) -> str:
    """Over a case someone else holds: who, where, since when, read-only, and when the claim lapses."""
    claimed = CaseClaimed(claim).user_message()
    if claim.expires_at is None:
        return claimed
    return i18n.text(_CLAIM_LAPSES, claimed=claimed, at=claim.expires_at.astimezone(CHINA_TZ).strftime("%H:%M"))


@dataclass(frozen=True)
class OwedRow:
    cells: tuple[str, ...]
    case_id: str
    overdue: bool
    due_today: bool


def owed_row(owed: OwedCase) -> OwedRow:
    late = owed.days_overdue
    cells = (
        owed.case_number or "—",
        owed.item_name,
        owed.applicant_name or "—",
        "、".join(owed.owed_names or owed.owed),
        owed.due.isoformat(),
        i18n.text(_DAYS, n=late) if late > 0 else (i18n.text(_TODAY) if late == 0 else ""),
        holder(owed.claim),
        "；".join(owed.requests) or "—",
    )
    return OwedRow(cells, owed.case_id, late > 0, late == 0)


def owed_summary(rows: list[OwedCase]) -> str:
    if not rows:
        return i18n.text(_NOTHING_OWED)
    return i18n.text(_OWED_SUMMARY, n=len(rows), late=sum(1 for o in rows if o.days_overdue > 0))


def ready_cells(row: ReadyCase, document_arrived: bool) -> tuple[str, ...]:
    return (
        row.case_number or "",
        row.item_name,
        row.applicant_name or "—",
        i18n.text(_WINDOW, station=row.station_code, window=row.window_no),
        row.ready_since.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
        row.promised_date.isoformat() if row.promised_date else "—",
        i18n.text(_ARRIVED if document_arrived else _NOT_RECEIVED),
        holder(row.claim, since=True),
    )


def ready_matches(row: ReadyCase, text: str) -> bool:
    """The filter of the ready list: case number, item (name or code) or the masked name."""
    needle = text.strip().lower()
    haystack = " ".join((row.case_number or "", row.item_name, row.item_code, row.applicant_name)).lower()
    return needle in haystack


def ready_summary(rows: list[ReadyCase]) -> str:
    return i18n.text(_READY_SUMMARY, n=len(rows)) if rows else i18n.text(_NOTHING_READY)


# -- one owed case, opened for supplements (ui/supplements/dialog.py) --------------------------------
_MATERIAL_REQUESTED = _r("worklist.material_requested", "审批部门：要求补正", "back office: material requested")
_SUPPLEMENTS_FOR = _r("worklist.supplements_for", "登记补交材料 — 案件 {number}", "Supplements for case {number}")
_OWED_LINE = _r(
    "worklist.owed_line", "{name} — {due} 前补交 — 已扫描 {pages} 页", "{name} — due {due} — {pages} page(s) scanned"
)


def owed_lines(view: CaseView) -> list[LineView]:
    """The lines the case still owes (deferred, or requested by the department)."""
    return [line for line in view.lines if line.status is LineStatus.DEFERRED]


def offers_supplements(view: CaseView) -> bool:
    """Whether supplements can be recorded on the case now (decided, and it owes something)."""
    return view.status in SUPPLEMENTABLE and bool(owed_lines(view))


def department_requests(view: CaseView) -> list[str]:
    """What the department asked for (补正), each request once, in the order of the lines."""
    out: list[str] = []
    for line in owed_lines(view):
        if line.code.startswith(REQUEST_LINE_PREFIX) and line.reason and line.reason not in out:
            out.append(line.reason)
    return out


def case_status(view: CaseView) -> str:
    text = i18n.text(STATUS_LABELS[view.status])
    if view.server_status == "material_requested":
        text += "  ·  " + i18n.text(_MATERIAL_REQUESTED)
    return text


def owed_line(line: LineView) -> str:
    due = line.due_date.isoformat() if line.due_date else "—"
    return i18n.text(_OWED_LINE, name=line.name, due=due, pages=line.page_count)


@dataclass(frozen=True)
class SupplementDesk:
    """What the supplement dialog shows of one owed case."""

    title: str
    facts: list[tuple[str, str, str]]  # (key, label, value)
    read_only: bool  # someone else holds the case
    claim_notice: str | None  # who holds it, where, since when
    requests: list[str]  # what the department asked for (补正)
    owed: list[tuple[str, str]]  # (line code, what the line says)

    @property
    def can_record(self) -> bool:
        return not self.read_only and bool(self.owed)


def supplement_desk(view: CaseView, read_only: bool) -> SupplementDesk:
    number = view.case_number or "—"
    facts = [
        ("case_number", number),
        ("item", view.item_name),
        ("applicant", view.applicant.name if view.applicant else "—"),
        ("status", case_status(view)),
    ]
    return SupplementDesk(
        title=i18n.text(_SUPPLEMENTS_FOR, number=number),
        facts=[(key, i18n.text(SUMMARY[key]), value) for key, value in facts],
        read_only=read_only,
        claim_notice=claim_notice(view.claim) if read_only and view.claim is not None else None,
        requests=department_requests(view),
        owed=[(line.code, owed_line(line)) for line in owed_lines(view)],
    )


# -- the home page: greeting, calendar warning, the queue of drafts and handed-over cases ----------
_WORKED_ON = _r("worklist.worked_on", "{name}（{station}）正在办理", "being worked on by {name} ({station})")
_WELCOME = _r("worklist.welcome", "您好，{name}（{role}）", "Welcome, {name} ({role})")
_NO_DRAFTS = _r("worklist.no_drafts", "（暂无草稿）", "(no open drafts)")
_NO_INTAKE = _r("worklist.no_intake", "（该角色无受理业务）", "(no intake work for this role)")


@dataclass(frozen=True)
class HomeView:
    greeting: str
    calendar_warning: str | None  # next year's holiday schedule is missing (supervisors, admins)
    queue: list[tuple[str | None, str]]  # (case id, line); a lone (None, text) says why the queue is empty


def home_view(
    users: UserService,
    cases: CaseService,
    calendar: WorkingDayCalendar,
    today: dt.date,
    actor: Actor,
    scope: QueueScope,
) -> HomeView:
    """Everything the home page shows, in one call the page runs off the GUI thread (three queries: the
    user's name, the hall's drafts, their claims)."""
    name = users.display_name(actor.user_id) if actor.user_id is not None else actor.username
    greeting = i18n.text(_WELCOME, name=name, role=i18n.text(ROLE_LABELS[actor.role]))
    warning = schedule_warning(calendar, today, actor.role)
    if not actor.can(Permission.CASE_EDIT_DRAFT):
        return HomeView(greeting, warning, [(None, i18n.text(_NO_INTAKE))])
    drafts = cases.drafts(actor, scope=scope)
    claims = cases.claims_of([c.id for c in drafts])  # one query for the whole list
    queue: list[tuple[str | None, str]] = [(c.id, queue_text(c, claims.get(c.id), actor.user_id)) for c in drafts]
    return HomeView(greeting, warning, queue or [(None, i18n.text(_NO_DRAFTS))])


def queue_text(case: CaseView, claim: ClaimView | None, reader_id: int | None) -> str:
    """One line of the home queue: status, item, masked applicant, and who else works on it now."""
    who = case.applicant.name if case.applicant else "—"
    text = f"{i18n.text(STATUS_LABELS[case.status])}  ·  {case.item_name}  ·  {who}"
    if claim is not None and claim.user_id != reader_id:
        text += "  ·  " + i18n.text(_WORKED_ON, name=claim.user_name, station=claim.station_code)
    return text
