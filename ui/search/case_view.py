"""One case's history: summary, checklist lines, documents printed, status changes and audit
events (as far as the signed-in role may read them). Read-only; personal data masked.

When another window works on the case the banner on top says who, where and since when (a supervisor
releases a stale claim from it, ui/claims.py). The department's result document, once it has arrived,
is named in the summary; opening it (Alt+R) is a full view, audited by the core."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.audit_labels import action_label, detail_text, print_status_label
from clerk_app.cases import CaseService, CaseView
from clerk_app.clock import CHINA_TZ
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import LINE_STATUS_LABELS, STATUS_LABELS, CaseStatus
from clerk_app.result_documents import ResultDocumentInfo, ResultDocumentService
from clerk_app.roles import ROLE_LABELS, Actor, Permission, Role
from clerk_app.search import AuditRow, CaseSearch, DocumentRow
from clerk_app.workdays import promised_text

log = logging.getLogger(__name__)


def _when(value) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _status(value: str | None) -> str:
    if not value:
        return "—"
    if value == "material_requested":  # a back-office status with no local counterpart (补正)
        return QCoreApplication.translate("CaseView", "material requested by the department")
    try:
        return i18n.text(STATUS_LABELS[CaseStatus(value)])
    except ValueError:
        return value


def _role(value: str) -> str:
    try:
        return i18n.text(ROLE_LABELS[Role(value)])
    except ValueError:
        return value


class CaseViewDialog(QDialog):
    def __init__(
        self,
        cases: CaseService,
        search: CaseSearch,
        actor: Actor,
        case_id: str,
        parent: QWidget | None = None,
        results: ResultDocumentService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseViewDialog")
        self.resize(980, 620)
        self._cases, self._search, self._actor, self.case_id = cases, search, actor, case_id
        self._results = results
        self.result_document: ResultDocumentInfo | None = None
        from ui.claims import ClaimBanner

        self.claim_banner = ClaimBanner(cases, actor, self)
        self.claim_banner.released.connect(lambda _cid: self.load())
        self.tabs = QTabWidget()
        self.summary = QWidget()
        self.form = QFormLayout(self.summary)
        self.lines = self._table("lines", 8)
        self.documents = self._table("documents", 5)
        self.history = self._table("history", 5)
        self.audit = self._table("audit", 5)
        self.error = QLabel()
        self.error.setObjectName("caseViewError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        from ui.printing_ui import add_reprint_button  # "Reprint…" (补打) when this window prints

        add_reprint_button(self, case_id, self.buttons)
        from ui.supplements.dialog import add_supplement_button  # a case that owes materials

        add_supplement_button(self, cases, actor, case_id, self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.claim_banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.view: CaseView | None = None
        self.load()

    def _table(self, name: str, columns: int) -> QTableWidget:
        t = QTableWidget(0, columns)
        t.setObjectName(f"case_{name}")
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.verticalHeader().setVisible(False)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)
        return t

    @staticmethod
    def _fill(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        table.setHorizontalHeaderLabels(list(headers))
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))

    def load(self) -> None:
        try:
            self.view = self._cases.get(self._actor, self.case_id)
            docs = self._search.documents(self._actor, self.case_id)
            events = self._search.audit_events(self._actor, self.case_id)
            if self._results is not None:
                self.result_document = self._results.info(self._actor, self.case_id)
        except ClerkAppError as exc:
            log.warning("case view: %s", exc)
            self.error.setText(exc.user_message())
            self.error.setVisible(True)
            return
        self.claim_banner.set_claim(self.view.claim)  # someone else's: read-only, with who and since when
        self._show(self.view, docs, events)

    def _show(self, v: CaseView, docs: list[DocumentRow], events: list[AuditRow]) -> None:
        self.setWindowTitle(self.tr("Case %1").replace("%1", v.case_number or self.tr("(draft)")))
        while self.form.rowCount():
            self.form.removeRow(0)
        applicant = f"{v.applicant.name}  {v.applicant.document_number}" if v.applicant else "—"
        agent = f"{v.agent.name}  {v.agent.document_number}" if v.agent else "—"
        for label, value in (
            (self.tr("Case number"), v.case_number or self.tr("(draft)")),
            (self.tr("Item"), f"{v.item_name}（{v.item_code}）"),
            # Local status and what the back office last said (Case.server_status), side by side.
            (
                self.tr("Status"),
                self.tr("%1  ·  back office: %2")
                .replace("%1", i18n.text(STATUS_LABELS[v.status]))
                .replace("%2", _status(v.server_status) if v.server_status else self.tr("not reported yet")),
            ),
            (self.tr("Applicant"), applicant),
            (self.tr("Agent"), agent),
            (self.tr("Window"), v.window_no),
            (self.tr("Started at"), _when(v.started_at)),
            (self.tr("Decided at"), _when(v.decided_at)),
            (self.tr("Promised by"), promised_text(v.promised_date, v.promised_provisional)),
            (self.tr("Reason"), v.decision_reason or "—"),
            (self.tr("First visit"), self.tr("yes") if v.first_visit else self.tr("no")),
        ):
            value_label = QLabel(value)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label, value_label)
        if self._results is not None:
            self._result_row()
        self._fill(
            self.lines,
            (
                self.tr("Material"),
                self.tr("Form"),
                self.tr("Originals (received/required)"),
                self.tr("Copies (received/required)"),
                self.tr("Status"),
                self.tr("Reason"),
                self.tr("Due"),
                self.tr("Pages"),
            ),
            [
                (
                    ln.name,
                    self._form(ln.form),
                    f"{ln.originals_received}/{ln.originals_required}",
                    f"{ln.copies_received}/{ln.copies_required}",
                    i18n.text(LINE_STATUS_LABELS[ln.status]),
                    ln.reason or "",
                    ln.due_date.isoformat() if ln.due_date else "",
                    str(ln.page_count),
                )
                for ln in v.lines
            ],
        )
        self._fill(
            self.documents,
            (
                self.tr("Printed document"),
                self.tr("Printer"),
                self.tr("Print status"),
                self.tr("Reprint"),
                self.tr("Time"),
            ),
            [
                (
                    self._document(d.document_kind),
                    d.printer,
                    print_status_label(d.status),
                    self.tr("reprint") if d.is_reprint else "",
                    _when(d.created_at),
                )
                for d in docs
            ],
        )
        self._fill(
            self.history,
            (self.tr("Time"), self.tr("From"), self.tr("To"), self.tr("Role"), self.tr("Reason")),
            [
                (
                    _when(t.at),
                    _status(t.from_status),
                    _status(t.to_status),
                    _role(t.actor_role),
                    self._reason(t.to_status, t.reason),
                )
                for t in v.transitions
            ],
        )
        self._fill(
            self.audit,
            (self.tr("Time"), self.tr("User"), self.tr("Role"), self.tr("Action"), self.tr("Detail")),
            [
                (
                    _when(e.at),
                    e.actor,
                    _role(e.role),
                    action_label(e.action),
                    detail_text(e.detail),
                )
                for e in events
            ],
        )
        # Mnemonics &1 … &5: Alt+1 … Alt+5 pick a tab.
        titles = (
            self.tr("&1 Summary"),
            self.tr("&2 Materials (%1)").replace("%1", str(len(v.lines))),
            self.tr("&3 Documents (%1)").replace("%1", str(len(docs))),
            self.tr("&4 Status history (%1)").replace("%1", str(len(v.transitions))),
            self.tr("&5 Audit events (%1)").replace("%1", str(len(events))),
        )
        if not self.tabs.count():
            for page, title in zip((self.summary, self.lines, self.documents, self.history, self.audit), titles):
                self.tabs.addTab(page, title)
        else:
            for i, title in enumerate(titles):
                self.tabs.setTabText(i, title)

    def _result_row(self) -> None:
        """The department's result document: its name and size, and Open (a full view, audited)."""
        doc = self.result_document
        row = QHBoxLayout()
        text = QLabel()
        text.setObjectName("caseResultDocument")
        row.addWidget(text, 1)
        self.result_open = QPushButton(self.tr("&Read the result document"))
        self.result_open.setObjectName("caseResultOpen")
        self.result_open.clicked.connect(self.open_result_document)
        row.addWidget(self.result_open)
        if doc is None:
            text.setText(self.tr("not received from the department"))
            self.result_open.setVisible(False)
        else:
            text.setText(
                self.tr("%1 (%2 KB)").replace("%1", doc.name).replace("%2", str(max(1, round(doc.size / 1024))))
            )
            self.result_open.setEnabled(self._actor.can(Permission.PII_VIEW_FULL))
        self.form.addRow(self.tr("Result document"), row)

    def open_result_document(self) -> None:
        if self._results is None or self.result_document is None:
            return
        from ui.printing_ui import PreviewDialog

        try:
            data = self._results.pdf(self._actor, self.case_id, "view")  # audited: case.result_document
        except ClerkAppError as exc:
            self.error.setText(exc.user_message())
            self.error.setVisible(True)
            return
        title = self.result_document.name
        if self.view is not None and self.view.case_number:
            title += f" — {self.view.case_number}"
        self.result_dialog = PreviewDialog(data, title, self)
        self.result_dialog.show()

    def _reason(self, to_status: str, reason: str | None) -> str:
        if to_status == CaseStatus.DELIVERED.value:  # the reason of a handover is its method
            return {"window": self.tr("collected at the window"), "express": self.tr("sent by express")}.get(
                reason or "", reason or ""
            )
        return reason or ""

    def _form(self, form: str) -> str:
        return {
            "original": self.tr("original"),
            "copy": self.tr("copy"),
            "original_and_copy": self.tr("original and copy"),
            "electronic": self.tr("electronic"),
        }.get(form, form)

    def _document(self, kind: str) -> str:
        return {
            "receipt": self.tr("Acceptance receipt"),
            "one_time_notice": self.tr("One-time notice"),
            "deficiency_commitment": self.tr("Deficiency commitment"),
            "rejection_notice": self.tr("Rejection notice"),
            "materials_received": self.tr("Materials received"),
            "delivery_receipt": self.tr("Delivery receipt"),
            "supplement_receipt": self.tr("Supplement receipt"),
            "material_request_notice": self.tr("Material request notice"),
            "result_document": self.tr("Result document"),
        }.get(kind, kind)
