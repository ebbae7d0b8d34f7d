"""One case's history: summary, checklist lines, documents printed, status changes and audit
events (as far as the signed-in role may read them). Read-only; personal data masked. What it shows
comes from clerk_app.case_sheet; this dialog lays it out.

When another window works on the case the banner on top says who, where and since when (a supervisor
releases a stale claim from it, ui/claims.py). The department's result document, once it has arrived,
is named in the summary; opening it (Alt+R) is a full view, audited by the core."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from clerk_app.case_numbers import draft_number
from clerk_app.case_sheet import case_sheet
from clerk_app.cases import CaseService, CaseView
from clerk_app.errors import ClerkAppError
from clerk_app.result_documents import ResultDocumentInfo, ResultDocumentService
from clerk_app.roles import Actor, Permission
from clerk_app.search import CaseSearch
from ui.widgets.common import arg, fill, set_headers
from ui.widgets.slim_b import add, button, label, readonly_table

log = logging.getLogger(__name__)


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
        self.lines, self.documents, self.history, self.audit = (
            readonly_table(f"case_{name}", columns)
            for name, columns in (("lines", 8), ("documents", 5), ("history", 5), ("audit", 5))
        )
        for page in (self.summary, self.lines, self.documents, self.history, self.audit):
            self.tabs.addTab(page, "")
        self.error = label(name="caseViewError", style="color: #b00020;", visible=False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        from ui.printing_ui import add_reprint_button  # "Reprint…" (补打) when this window prints

        add_reprint_button(self, case_id, self.buttons)
        from ui.supplements.dialog import add_supplement_button  # a case that owes materials

        add_supplement_button(self, cases, actor, case_id, self.buttons)
        add(QVBoxLayout(self), self.claim_banner, (self.tabs, 1), self.error, self.buttons)
        self.view: CaseView | None = None
        self.load()

    def load(self) -> None:
        try:
            self.view = self._cases.get(self._actor, self.case_id)
            docs = self._search.documents(self._actor, self.case_id)
            events = self._search.audit_events(self._actor, self.case_id)
            if self._results is not None:
                self.result_document = self._results.info(self._actor, self.case_id)
        except ClerkAppError as exc:
            log.warning("case view: %s", exc)
            self._say(exc.user_message())
            return
        self.claim_banner.set_claim(self.view.claim)  # someone else's: read-only, with who and since when
        v, sheet = self.view, case_sheet(self.view, docs, events)
        self.setWindowTitle(arg(self.tr("Case %1"), draft_number(v.case_number)))
        while self.form.rowCount():
            self.form.removeRow(0)
        for text, value in sheet.summary:
            value_label = label(value)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(text, value_label)
        if self._results is not None:
            self._result_row()
        fill(self.lines, sheet.lines)
        fill(self.documents, sheet.documents)
        fill(self.history, sheet.history)
        fill(self.audit, sheet.audit)
        self._retranslate(len(v.lines), len(docs), len(v.transitions), len(events))

    def _retranslate(self, lines: int, docs: int, transitions: int, events: int) -> None:
        set_headers(
            self.lines,
            self.tr("Material"),
            self.tr("Form"),
            self.tr("Originals (received/required)"),
            self.tr("Copies (received/required)"),
            self.tr("Status"),
            self.tr("Reason"),
            self.tr("Due"),
            self.tr("Pages"),
        )
        set_headers(
            self.documents,
            self.tr("Printed document"),
            self.tr("Printer"),
            self.tr("Print status"),
            self.tr("Reprint"),
            self.tr("Time"),
        )
        set_headers(self.history, self.tr("Time"), self.tr("From"), self.tr("To"), self.tr("Role"), self.tr("Reason"))
        set_headers(self.audit, self.tr("Time"), self.tr("User"), self.tr("Role"), self.tr("Action"), self.tr("Detail"))
        # Mnemonics &1 … &5: Alt+1 … Alt+5 pick a tab.
        for i, title in enumerate(
            (
                self.tr("&1 Summary"),
                arg(self.tr("&2 Materials (%1)"), str(lines)),
                arg(self.tr("&3 Documents (%1)"), str(docs)),
                arg(self.tr("&4 Status history (%1)"), str(transitions)),
                arg(self.tr("&5 Audit events (%1)"), str(events)),
            )
        ):
            self.tabs.setTabText(i, title)

    def _result_row(self) -> None:
        """The department's result document: its name and size, and Open (a full view, audited)."""
        doc = self.result_document
        text = label(name="caseResultDocument")
        self.result_open = button("caseResultOpen", self.open_result_document)
        self.result_open.setText(self.tr("&Read the result document"))
        if doc is None:
            text.setText(self.tr("not received from the department"))
            self.result_open.setVisible(False)
        else:
            size = str(max(1, round(doc.size / 1024)))
            text.setText(arg(self.tr("%1 (%2 KB)"), doc.name, size))
            self.result_open.setEnabled(self._actor.can(Permission.PII_VIEW_FULL))
        self.form.addRow(self.tr("Result document"), add(QHBoxLayout(), (text, 1), self.result_open))

    def open_result_document(self) -> None:
        if self._results is None or self.result_document is None:
            return
        from ui.printing_ui import PreviewDialog

        try:
            data = self._results.pdf(self._actor, self.case_id, "view")  # audited: case.result_document
        except ClerkAppError as exc:
            self._say(exc.user_message())
            return
        title = self.result_document.name
        if self.view is not None and self.view.case_number:
            title += f" — {self.view.case_number}"
        self.result_dialog = PreviewDialog(data, title, self)
        self.result_dialog.show()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
