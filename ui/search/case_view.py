"""One case's history: summary, checklist lines, documents printed, status changes and audit
events (as far as the signed-in role may read them). Read-only; personal data masked."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
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
from clerk_app.roles import ROLE_LABELS, Actor, Role
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
        self, cases: CaseService, search: CaseSearch, actor: Actor, case_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseViewDialog")
        self.resize(980, 620)
        self._cases, self._search, self._actor, self.case_id = cases, search, actor, case_id
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
        except ClerkAppError as exc:
            log.warning("case view: %s", exc)
            self.error.setText(exc.user_message())
            self.error.setVisible(True)
            return
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
        }.get(kind, kind)
