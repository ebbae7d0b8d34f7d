"""One case's history: summary, checklist lines, documents printed, status changes and audit
events (as far as the signed-in role may read them). Read-only; personal data masked. What it shows
comes from clerk_app.case_sheet (read off the GUI thread: the dialog says it is loading until then);
this dialog lays it out.

When another window works on the case the banner on top says who, where and since when (a supervisor
releases a stale claim from it, ui/claims.py). The department's result document, once it has arrived,
is named in the summary; opening it (Alt+R) is a full view, audited by the core."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from clerk_app.case_sheet import TABLES, CaseSheet, columns, read_case_sheet
from clerk_app.cases import CaseService
from clerk_app.result_documents import ResultDocumentService
from clerk_app.roles import Actor, Permission
from clerk_app.search import CaseSearch
from ui.operations import CoreOp, error_text
from ui.widgets.common import add, button, fill, label, set_headers, table


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
        self._read = lambda: read_case_sheet(cases, search, actor, case_id, results)
        self._results, self._actor, self.case_id = results, actor, case_id
        self.sheet: CaseSheet | None = None
        self.op: CoreOp | None = None
        from ui.claims import ClaimBanner

        self.claim_banner = ClaimBanner(cases, actor, self)
        self.claim_banner.released.connect(lambda _cid: self.load())
        self.tabs = QTabWidget()
        self.summary = QWidget()
        self.form = QFormLayout(self.summary)
        self.tables = {name: table(f"case_{name}", len(columns(name))) for name in TABLES}
        self.lines, self.documents, self.history, self.audit = self.tables.values()
        for page in (self.summary, *self.tables.values()):
            self.tabs.addTab(page, "")
        self.error = label(name="caseViewError", style="color: #b00020;", visible=False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        from ui.printing_ui import add_reprint_button  # "Reprint…" (补打) when this window prints

        add_reprint_button(self, case_id, self.buttons)
        from ui.supplements.dialog import add_supplement_button  # a case that owes materials

        add_supplement_button(self, cases, actor, case_id, self.buttons)
        add(QVBoxLayout(self), self.claim_banner, (self.tabs, 1), self.error, self.buttons)
        self.load()

    def load(self) -> None:
        """Read the case off the GUI thread; the title says so until it is shown (``_show``)."""
        self.setWindowTitle(self.tr("Loading the case…"))
        self.op = CoreOp(
            self, lambda _report, _cancel: self._read(), self._show, title=self.tr("Case"), on_failure=self._say
        ).run()

    def _show(self, sheet: CaseSheet) -> None:
        self.sheet = sheet
        self.error.setVisible(False)
        self.claim_banner.set_claim(sheet.view.claim)  # someone else's: read-only, with who and since when
        self.setWindowTitle(sheet.title)
        while self.form.rowCount():
            self.form.removeRow(0)
        for text, value in sheet.summary:
            value_label = label(value)
            value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(text, value_label)
        if sheet.result is not None:  # the department's result document: its name and size, and Open
            self.result_open = button("caseResultOpen", self.open_result_document)
            self.result_open.setText(self.tr("&Read the result document"))
            self.result_open.setVisible(sheet.result_document is not None)
            self.result_open.setEnabled(self._actor.can(Permission.PII_VIEW_FULL))
            document = label(sheet.result[1], name="caseResultDocument")
            self.form.addRow(sheet.result[0], add(QHBoxLayout(), (document, 1), self.result_open))
        for name, rows in sheet.tables().items():
            fill(self.tables[name], rows)
            set_headers(self.tables[name], *columns(name))
        for i, title in enumerate(sheet.tabs):
            self.tabs.setTabText(i, title)

    def open_result_document(self) -> None:
        """Read the document off the GUI thread (a full view, audited: case.result_document), then show it."""
        results, actor, case_id = self._results, self._actor, self.case_id
        if results is None or self.sheet is None or self.sheet.result_document is None:
            return
        number = self.sheet.view.case_number
        name = self.sheet.result_document.name
        title = name + (f" — {number}" if number else "")

        from ui.printing_ui import PreviewDialog, Rendered, render_pdf

        def show(rendered: Rendered) -> None:
            self.result_dialog = PreviewDialog.of(rendered, title, self)
            self.result_dialog.show()

        self.op = CoreOp(
            self,
            lambda _report, _cancel: render_pdf(results.pdf(actor, case_id, "view"), name),
            show,
            title=self.tr("Result document"),
            on_failure=self._say,
        ).run()

    def _say(self, exc: BaseException) -> None:
        if self.sheet is None:
            self.setWindowTitle(self.tr("Case"))
        self.error.setText(error_text(exc))
        self.error.setVisible(True)
