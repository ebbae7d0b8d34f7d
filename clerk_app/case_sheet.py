"""What the case view (ui/search/case_view.py) shows of one case, as rows of text (no Qt): the
summary (label, value; personal data masked as CaseView holds it), the checklist lines, the documents
printed, the status history and the audit events the reader may see, the tables' column titles and
the tabs' titles with their counts. ``read_case_sheet`` reads all of it in one call (the view runs it
off the GUI thread); the page only lays it out. The search list's column titles are here too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from clerk_app import i18n
from clerk_app.audit_labels import action_label, detail_text, print_status_label
from clerk_app.case_numbers import draft_number
from clerk_app.cases import CaseService, CaseView
from clerk_app.clock import local_time
from clerk_app.lifecycle import LINE_STATUS_LABELS, CaseStatus, status_label
from clerk_app.result_documents import ResultDocumentInfo, ResultDocumentService
from clerk_app.roles import Actor, role_label
from clerk_app.search import AuditRow, CaseSearch, DocumentRow
from clerk_app.workdays import promised_text


def _labels(prefix: str, rows: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    return {key: i18n.register(f"{prefix}.{key}", zh, en) for key, zh, en in rows}


SUMMARY = _labels(
    "case_sheet",
    (
        ("case_number", "受理编号", "Case number"),
        ("item", "事项", "Item"),
        ("status", "状态", "Status"),
        ("applicant", "申请人", "Applicant"),
        ("agent", "代理人", "Agent"),
        ("window", "窗口", "Window"),
        ("started_at", "开始办理", "Started at"),
        ("decided_at", "受理时间", "Decided at"),
        ("promised", "承诺办结日期", "Promised by"),
        ("reason", "理由", "Reason"),
        ("first_visit", "首次提交", "First visit"),
        ("result_document", "办理结果文书", "Result document"),
    ),
)
_WORDS = _labels(
    "case_sheet",
    (
        ("yes", "是", "yes"),
        ("no", "否", "no"),
        ("reprint", "补打", "reprint"),
        ("back_office", "{status}  ·  后台：{server}", "{status}  ·  back office: {server}"),
        ("not_reported", "尚未反馈", "not reported yet"),
        ("title", "案件 {number}", "Case {number}"),
        ("no_result", "尚未收到部门的办理结果", "not received from the department"),
        ("result", "{name}（{kb} KB）", "{name} ({kb} KB)"),
    ),
)
# The case view's tabs (mnemonics &1 … &5: Alt+1 … Alt+5 pick a tab) and its tables' columns.
_TABS = _labels(
    "case_sheet.tab",
    (
        ("summary", "&1 概况", "&1 Summary"),
        ("lines", "&2 材料（{n}）", "&2 Materials ({n})"),
        ("documents", "&3 文书（{n}）", "&3 Documents ({n})"),
        ("history", "&4 状态记录（{n}）", "&4 Status history ({n})"),
        ("audit", "&5 审计记录（{n}）", "&5 Audit events ({n})"),
    ),
)
_COLUMNS = {
    table: _labels(f"case_sheet.{table}", rows)
    for table, rows in (
        (
            "lines",
            (
                ("material", "材料名称", "Material"),
                ("form", "形式", "Form"),
                ("originals", "原件（已收/应收）", "Originals (received/required)"),
                ("copies", "复印件（已收/应收）", "Copies (received/required)"),
                ("status", "状态", "Status"),
                ("reason", "理由", "Reason"),
                ("due", "补交期限", "Due"),
                ("pages", "页数", "Pages"),
            ),
        ),
        (
            "documents",
            (
                ("document", "文书", "Printed document"),
                ("printer", "打印机", "Printer"),
                ("status", "打印状态", "Print status"),
                ("reprint", "补打", "Reprint"),
                ("time", "时间", "Time"),
            ),
        ),
        (
            "history",
            (
                ("time", "时间", "Time"),
                ("from", "原状态", "From"),
                ("to", "新状态", "To"),
                ("role", "角色", "Role"),
                ("reason", "理由", "Reason"),
            ),
        ),
        (
            "audit",
            (
                ("time", "时间", "Time"),
                ("user", "用户", "User"),
                ("role", "角色", "Role"),
                ("action", "操作", "Action"),
                ("detail", "详情", "Detail"),
            ),
        ),
        (  # the audit page (ui/supervisor/audit_view.py): the trail and a case's timeline (AuditRow.cells)
            "events",
            (
                ("seq", "序号", "No."),
                ("time", "时间", "Time"),
                ("user", "用户", "User"),
                ("role", "角色", "Role"),
                ("station", "站点", "Station"),
                ("action", "操作", "Action"),
                ("case", "案件", "Case"),
                ("detail", "详情", "Detail"),
            ),
        ),
        (  # … a case's corrections (CorrectionEntry.cells)
            "corrections",
            (
                ("time", "时间", "Time"),
                ("user", "用户", "User"),
                ("field", "字段", "Field"),
                ("original", "原值", "Original value"),
                ("corrected", "更正为", "Corrected"),
                ("reason", "理由", "Reason"),
            ),
        ),
        (  # … the purged cases (PurgedCase.cells)
            "purged",
            (
                ("at", "清除时间", "Purged at"),
                ("case", "案件", "Case"),
                ("by", "操作人", "By"),
                ("persons", "个人信息记录", "Personal records"),
                ("files", "文件", "Files"),
            ),
        ),
        (  # the search page's result list (CaseRow.cells)
            "results",
            (
                ("case_number", "受理编号", "Case number"),
                ("item", "事项", "Item"),
                ("status", "状态", "Status"),
                ("applicant", "申请人", "Applicant"),
                ("decided_at", "受理时间", "Decided at"),
            ),
        ),
    )
}
TABLES = ("lines", "documents", "history", "audit")  # the case view's tables, in tab order
_LIST = _labels(
    "case_sheet.list",
    (
        ("no_match", "没有符合条件的案件。", "No case matches these criteria."),
        (
            "empty",
            "暂无结果。请填写一个或多个查询条件后按回车。",
            "No cases listed. Give one or more criteria and press Enter.",
        ),
        ("more", "已显示 {n} 件，还有更多（向下滚动继续加载）", "{n} cases shown, more below (scroll down to load)"),
        ("found", "共找到 {n} 件", "{n} case(s) found"),
        ("keys", "回车：查看 · Ctrl+L：重新查询", "Enter: open · Ctrl+L: new search"),
    ),
)


def list_summary(shown: int, searched: bool, more: bool) -> str:
    """The line under the search page's list: how many cases it shows (or why none), and its keys."""
    if shown:
        text = i18n.text(_LIST["more" if more else "found"], n=shown)
    else:
        text = i18n.text(_LIST["no_match" if searched else "empty"])
    return f"{text}    {i18n.text(_LIST['keys'])}"


def columns(table: str) -> list[str]:
    """The column titles of one of ``TABLES``, of the search page's ``results`` or of the audit page's
    ``events``, ``corrections`` and ``purged``, in the UI language."""
    return [i18n.text(key) for key in _COLUMNS[table].values()]


FORMS = _labels(
    "material_form",
    (
        ("original", "原件", "original"),
        ("copy", "复印件", "copy"),
        ("original_and_copy", "原件及复印件", "original and copy"),
        ("electronic", "电子文件", "electronic"),
    ),
)
DOCUMENTS = _labels(
    "document_kind",
    (
        ("receipt", "受理回执", "Acceptance receipt"),
        ("one_time_notice", "一次性告知书", "One-time notice"),
        ("deficiency_commitment", "容缺受理承诺书", "Deficiency commitment"),
        ("rejection_notice", "不予受理通知书", "Rejection notice"),
        ("materials_received", "材料接收清单", "Materials received"),
        ("delivery_receipt", "领取凭证/送达回证", "Delivery receipt"),
        ("supplement_receipt", "补正材料收件凭证", "Supplement receipt"),
        ("material_request_notice", "补正材料一次性告知书", "Material request notice"),
        ("result_document", "办理结果文书", "Result document"),
    ),
)
HANDOVER = _labels(
    "handover_method",
    (("window", "窗口领取", "collected at the window"), ("express", "邮寄送达", "sent by express")),
)


def _text(table: dict[str, str], key: str) -> str:
    return i18n.text(table[key]) if key in table else key


@dataclass(frozen=True)
class CaseSheet:
    summary: list[tuple[str, str]]
    lines: list[tuple[str, ...]]
    documents: list[tuple[str, ...]]
    history: list[tuple[str, ...]]
    audit: list[tuple[str, ...]]
    view: CaseView
    title: str  # the window's title: 案件 <number>
    tabs: tuple[str, ...]  # the five tabs' titles, with their counts
    # the department's result document: (label, text) when the window receives them, its info once here
    result: tuple[str, str] | None = None
    result_document: ResultDocumentInfo | None = None

    def tables(self) -> dict[str, list[tuple[str, ...]]]:
        return {"lines": self.lines, "documents": self.documents, "history": self.history, "audit": self.audit}


def read_case_sheet(
    cases: CaseService,
    search: CaseSearch,
    actor: Actor,
    case_id: str,
    results: ResultDocumentService | None = None,
) -> CaseSheet:
    """Everything the case view shows of one case, read in one call (a worker thread runs it)."""
    view = cases.get(actor, case_id)
    sheet = case_sheet(view, search.documents(actor, case_id), search.audit_events(actor, case_id))
    if results is None:
        return sheet
    doc = results.info(actor, case_id)
    if doc is None:
        text = i18n.text(_WORDS["no_result"])
    else:
        text = i18n.text(_WORDS["result"], name=doc.name, kb=max(1, round(doc.size / 1024)))
    return replace(sheet, result=(i18n.text(SUMMARY["result_document"]), text), result_document=doc)


def case_sheet(v: CaseView, documents: Sequence[DocumentRow], events: Sequence[AuditRow]) -> CaseSheet:
    status = i18n.text(
        _WORDS["back_office"],
        status=status_label(v.status.value),
        server=status_label(v.server_status) if v.server_status else i18n.text(_WORDS["not_reported"]),
    )
    summary = {
        "case_number": draft_number(v.case_number),
        "item": f"{v.item_name}（{v.item_code}）",
        "status": status,  # the local status and what the back office last said (Case.server_status)
        "applicant": f"{v.applicant.name}  {v.applicant.document_number}" if v.applicant else "—",
        "agent": f"{v.agent.name}  {v.agent.document_number}" if v.agent else "—",
        "window": v.window_no,
        "started_at": local_time(v.started_at, seconds=True),
        "decided_at": local_time(v.decided_at, seconds=True),
        "promised": promised_text(v.promised_date, v.promised_provisional),
        "reason": v.decision_reason or "—",
        "first_visit": i18n.text(_WORDS["yes" if v.first_visit else "no"]),
    }
    counts = {"lines": len(v.lines), "documents": len(documents), "history": len(v.transitions), "audit": len(events)}
    return CaseSheet(
        view=v,
        title=i18n.text(_WORDS["title"], number=draft_number(v.case_number)),
        tabs=(i18n.text(_TABS["summary"]), *(i18n.text(_TABS[key], n=n) for key, n in counts.items())),
        summary=[(i18n.text(SUMMARY[key]), value) for key, value in summary.items()],
        lines=[
            (
                ln.name,
                _text(FORMS, ln.form),
                f"{ln.originals_received}/{ln.originals_required}",
                f"{ln.copies_received}/{ln.copies_required}",
                i18n.text(LINE_STATUS_LABELS[ln.status]),
                ln.reason or "",
                ln.due_date.isoformat() if ln.due_date else "",
                str(ln.page_count),
            )
            for ln in v.lines
        ],
        documents=[
            (
                _text(DOCUMENTS, d.document_kind),
                d.printer,
                print_status_label(d.status),
                i18n.text(_WORDS["reprint"]) if d.is_reprint else "",
                local_time(d.created_at, seconds=True),
            )
            for d in documents
        ],
        history=[
            (
                local_time(t.at, seconds=True),
                status_label(t.from_status),
                status_label(t.to_status),
                role_label(t.actor_role),
                # the reason of a handover is its method
                _text(HANDOVER, t.reason or "") if t.to_status == CaseStatus.DELIVERED.value else t.reason or "",
            )
            for t in v.transitions
        ],
        audit=[
            (local_time(e.at, seconds=True), e.actor, role_label(e.role), action_label(e.action), detail_text(e.detail))
            for e in events
        ],
    )
