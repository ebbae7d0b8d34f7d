"""Supervisor audit page (F7): the audit trail with filters, chain verification (the first broken
event shown and selected), audited CSV/PDF export; a case tab with the case's timeline, the
applicant (masked, full value on request with a reason — supervisors see full values only here),
corrections and void; accounts (unlock); retention (due cases, purge, purged list).

Core: clerk_app.audit_queries (rows, chain message, case header, corrections as shown),
clerk_app.corrections, clerk_app.retention, UserService.accounts / unlock; column titles from
clerk_app.case_sheet.columns. Every core call runs off the GUI thread (CoreOp): the filter choices, the
trail, verifying, exporting, purging, opening a case (with the correctable fields' current values),
revealing a full value (the label says so until it comes) and every change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QMessageBox,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.audit_labels import action_label, actor_label
from clerk_app.audit_queries import AuditFilter, AuditRow, CaseTimeline, ChainStatus, day_range
from clerk_app.case_sheet import columns
from clerk_app.cases import CaseView
from clerk_app.clock import CHINA_TZ
from clerk_app.corrections import CORRECTABLE
from clerk_app.lifecycle import CaseStatus
from clerk_app.retention import PurgedCase
from clerk_app.roles import Permission, role_label
from ui.admin.users_panel import UsersPanel
from ui.operations import CoreOp, error_text, show_error
from ui.typed_qt import to_date
from ui.widgets.common import (
    ListReader,
    ReasonDialog,
    Retranslating,
    add,
    arg,
    buddies,
    button,
    cell,
    date_edit,
    fill,
    key_of,
    label,
    line_edit,
    set_day,
    set_headers,
    table,
)
from ui.widgets.reveal import RevealLabel

if TYPE_CHECKING:
    from ui.pages import PageHost

PAGE_SIZE = 500
LABELS_OF = (actor_label, role_label, action_label)  # what the user, role and action filters show of a value
APPLICANT = {"name": "revealName", "document_number": "revealId", "address": "revealAddress"}  # shown, object name
GOOD_STYLE, BAD_STYLE = "color: #1e6b34; font-weight: bold;", "color: #b3261e; font-weight: bold;"


class CorrectionDialog(ReasonDialog):
    """Which field, its new value (the current one filled in) and the mandatory reason."""

    def __init__(self, parent: QWidget, title: str, fields: list[tuple[str, str]], reason: str) -> None:
        super().__init__(parent, name="reasonDialog", field_name="reason", title=title, text=reason)
        self.field = QComboBox()
        self.field.setObjectName("correctionField")
        for key, text in fields:
            self.field.addItem(text, key)
        self.value = line_edit("correctionValue")
        form = QFormLayout()
        form.addRow(self.tr("Field"), self.field)
        form.addRow(self.tr("New value"), self.value)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(0, form)


class AuditPage(Retranslating, QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        self.ctx, self.actor = window.ctx, window.actor
        self.queries = self.ctx.audit_queries
        self.corrections = self.ctx.corrections
        self.retention = self.ctx.retention
        self.op: CoreOp | None = None
        # the trail's pages and the retention list: of overlapping reads (a filter changed meanwhile) the latest shows
        self.trail = ListReader(self, lambda got: self._show_events(*got), self._read_failed)
        self.retention_reader = ListReader(self, lambda got: self._show_retention(*got), self._read_failed)
        self.last_export: Path | None = None
        # Overridable in tests: where an export is written, and how a dialog is answered.
        self.choose_export_path: Callable[[str, str], str | None] = self._ask_path
        self.ask: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.inform: Callable[[str], object] = lambda text: QMessageBox.information(self, self.tr("Audit"), text)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("auditTabs")
        self.accounts = UsersPanel(window)  # the admin's account list: a supervisor only unlocks
        for tab in (self._trail_tab(), self._case_tab(), self.accounts, self._retention_tab()):
            self.tabs.addTab(tab, "")
        add(QVBoxLayout(self), self.tabs)
        self.retranslate()
        self._run(lambda: self.queries.choices(self.actor), self._show_choices, self.tr("Audit trail"))
        self.apply_filter()

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None], title: str, **kw: Any) -> None:
        """Core work off the GUI thread (the trail may hold millions of events)."""
        self.op = CoreOp(self, lambda _report, _cancel: work(), done, title=title, **kw).run()

    # -- trail --------------------------------------------------------------------------------
    def _trail_tab(self) -> QWidget:
        self.f_user, self.f_role, self.f_action = QComboBox(), QComboBox(), QComboBox()
        for name, combo in (("filterUser", self.f_user), ("filterRole", self.f_role), ("filterAction", self.f_action)):
            combo.setObjectName(name)
            combo.setEditable(name != "filterRole")
            combo.setMinimumWidth(120)
        self.f_case = line_edit("filterCase", on_enter=self.apply_filter)
        today = self.ctx.clock.now().astimezone(CHINA_TZ).date()
        self.f_from = date_edit("filterFrom", today - dt.timedelta(days=30))
        self.f_to = date_edit("filterTo", today)
        self.apply_button = button("applyFilter", self.apply_filter)
        self.filter_labels = [label() for _ in range(6)]
        fields = (self.f_user, self.f_role, self.f_action, self.f_case, self.f_from, self.f_to)
        top = add(QHBoxLayout(), *buddies(*zip(self.filter_labels, fields)), self.apply_button, 1)
        self.chain_label = label(name="chainStatus", wrap=True)
        self.verify_button = button("verifyChain", self.verify_chain)
        self.csv_button = button("exportCsv", lambda: self.export("csv"))
        self.pdf_button = button("exportPdf", lambda: self.export("pdf"))
        self.more_button = button("loadMore", self.load_more)
        self.count_label = label(name="eventCount")
        self.events = table("auditEvents", 8)
        self.events.itemActivated.connect(self._open_event_case)
        self._broken_seq: int | None = None
        buttons = (self.count_label, self.more_button, self.csv_button, self.pdf_button)
        bar = add(QHBoxLayout(), self.verify_button, (self.chain_label, 1), *buttons)
        return _tab(top, (self.events, 1), bar)

    def _show_choices(self, choices: tuple[list[str], list[str], list[str]]) -> None:
        for combo, values, text_of in zip((self.f_user, self.f_role, self.f_action), choices, LABELS_OF):
            current = combo.currentData()
            combo.clear()
            combo.addItem(self.tr("(all)"), "")
            for v in values:
                combo.addItem(text_of(v), v)
            combo.setCurrentIndex(max(0, combo.findData(current)))

    def current_filter(self) -> Callable[[], AuditFilter]:
        """The filter as set, for a worker: a typed case number becomes the case's id there (a read)."""

        def value(combo: QComboBox) -> str | None:
            text = combo.currentText().strip()
            if combo.isEditable() and text and combo.itemText(combo.currentIndex()) != text:
                return text  # typed by hand (e.g. an action prefix "case.")
            return combo.currentData() or None

        start, end = day_range(to_date(self.f_from.date()), to_date(self.f_to.date()))
        flt = AuditFilter(value(self.f_user), value(self.f_role), value(self.f_action), None, start, end)
        queries, actor, case = self.queries, self.actor, self.f_case.text()
        return lambda: replace(flt, case_id=queries.case_filter(actor, case))

    def apply_filter(self) -> None:
        self._read_events(None)

    def load_more(self) -> None:
        last = key_of(self.events, self.events.rowCount() - 1)
        if isinstance(last, int):
            self._read_events(last)

    def _read_events(self, before_seq: int | None) -> None:
        """A page of the filtered trail (and the count) off the GUI thread; appended after ``before_seq``."""
        read_filter, queries, actor = self.current_filter(), self.queries, self.actor

        def work() -> tuple[list[AuditRow], int, bool]:
            flt = read_filter()
            rows = queries.search(actor, flt, limit=PAGE_SIZE, before_seq=before_seq)
            return rows, queries.count(actor, flt), before_seq is not None

        self.trail.read(work, self.tr("Audit trail"))

    def _read_failed(self, exc: BaseException) -> None:
        show_error(self, self.tr("Audit"), exc)

    def _show_events(self, rows: list[AuditRow], total: int, append: bool) -> None:
        start = self.events.rowCount() if append else 0
        broken = [r.seq == self._broken_seq for r in rows]
        fill(self.events, [r.cells() for r in rows], keys=[r.seq for r in rows], marked=broken, append=append)
        for i, r in enumerate(rows, start):
            cell(self.events, i, 5).setToolTip(r.action)  # the stored code, for the technically minded
            cell(self.events, i, 6).setData(Qt.ItemDataRole.UserRole, r.case_id)
        self.events.setColumnWidth(7, max(self.events.columnWidth(7), 200))
        shown = self.events.rowCount()
        self.count_label.setText(arg(self.tr("%1 of %2 events"), str(shown), str(total)))
        self.more_button.setEnabled(shown < total)
        row = self.broken_row_index()
        if row is not None:  # shown marked, selected and scrolled to
            self.events.selectRow(row)
            self.events.scrollToItem(cell(self.events, row))

    def verify_chain(self) -> None:
        """Walk the whole chain off the GUI thread (it reads every event), with progress."""
        self.verify_button.setEnabled(False)
        title = self.tr("Verify hash chain")

        def failed(exc: BaseException) -> None:
            self.verify_button.setEnabled(True)
            show_error(self, title, exc)

        self._run(lambda: self.queries.verify(self.actor), self._show_verification, title, on_failure=failed)

    def _show_verification(self, status: ChainStatus) -> None:
        self.verify_button.setEnabled(True)
        self.chain_label.setStyleSheet(GOOD_STYLE if status.intact else BAD_STYLE)
        self.chain_label.setText(status.message())
        self._broken_seq = status.broken.seq if status.broken is not None else None
        if status.broken is not None:  # show the broken event: clear the filters that would hide it
            for combo in (self.f_user, self.f_role, self.f_action):
                combo.setCurrentIndex(0)
            self.f_case.clear()
            if status.broken_row is not None:
                day = status.broken_row.at.astimezone(CHINA_TZ).date()
                if day < to_date(self.f_from.date()):
                    set_day(self.f_from, day)
        self.apply_filter()

    def broken_row_index(self) -> int | None:
        if self._broken_seq is None:
            return None
        return next((i for i in range(self.events.rowCount()) if key_of(self.events, i) == self._broken_seq), None)

    def export(self, fmt: str) -> Path | None:
        """Write the filtered trail as CSV or PDF off the GUI thread (progress, Cancel); returns the
        path it will be written to (``self.last_export`` once done), or None when no path was chosen."""
        stamp = self.ctx.clock.now().astimezone(CHINA_TZ).strftime("%Y%m%d-%H%M")
        path = self.choose_export_path(f"audit-{stamp}.{fmt}", fmt)
        if not path:
            return None
        from printing.audit_report import render_audit_pdf

        read_filter, title = self.current_filter(), self.tr("Audit report")

        def done(written: Path) -> None:
            self.last_export = written
            self.apply_filter()

        self._run(
            lambda: self.queries.export_file(self.actor, read_filter(), path, fmt, render_audit_pdf, title=title),
            done,
            title,
            on_failure=lambda exc: self.inform(error_text(exc)),
        )
        return Path(path)

    def _ask_path(self, suggested: str, fmt: str) -> str | None:
        kinds = self.tr("CSV files (*.csv)") if fmt == "csv" else self.tr("PDF files (*.pdf)")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export audit report"), suggested, kinds)
        return path or None

    def _open_event_case(self, item: QTableWidgetItem) -> None:
        case_id = cell(self.events, item.row(), 6).data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case(case_id)

    # -- case ---------------------------------------------------------------------------------
    def _case_tab(self) -> QWidget:
        self.case_input = line_edit("caseInput", on_enter=lambda: self.open_case(self.case_input.text()))
        self.case_open = button("caseOpen", lambda: self.open_case(self.case_input.text()))
        self.case_label = label()
        self.case_label.setBuddy(self.case_input)
        self.case_header = label(name="caseHeader", wrap=True)
        self.applicant_label = label()
        self.reveals = {attr: RevealLabel() for attr in APPLICANT}  # masked; the full value on request
        for attr, widget in self.reveals.items():
            widget.setObjectName(APPLICANT[attr])
        self.applicant_name, self.applicant_id, self.applicant_address = self.reveals.values()
        self.timeline = table("caseTimeline", 8)
        self.corrections_table = table("caseCorrections", 6)
        self.void_button = button("voidCase", self.void_case)
        self.correct_button = button("correctCase", self.correct_case)
        self.case_error = label(name="caseError", style="color: #b3261e;")
        self.timeline_title, self.corrections_title = label(), label()
        self.case_id: str | None = None
        self.current_values: dict[str, str | None] = {}  # the correctable fields, as read with the case
        self._set_case_enabled(False)
        applicant = [(widget, 2 if attr == "address" else 1) for attr, widget in self.reveals.items()]
        return _tab(
            add(QHBoxLayout(), self.case_label, (self.case_input, 1), self.case_open),
            self.case_header,
            add(QHBoxLayout(), self.applicant_label, *applicant),
            self.timeline_title,
            (self.timeline, 3),
            self.corrections_title,
            (self.corrections_table, 1),
            add(QHBoxLayout(), (self.case_error, 1), self.correct_button, self.void_button),
        )

    def _set_case_enabled(self, on: bool) -> None:
        self.void_button.setEnabled(on and self.actor.can(Permission.CASE_VOID))
        self.correct_button.setEnabled(on and self.actor.can(Permission.CASE_CORRECT))

    def open_case(self, text: str) -> None:
        """Read the case (its timeline, the applicant masked, the correctable fields' current values)
        off the GUI thread, then show it on the case tab; a case that cannot be found says why."""
        self.case_error.clear()
        queries, cases, corrections, actor = self.queries, self.ctx.cases, self.corrections, self.actor

        def work() -> tuple[CaseTimeline, CaseView, dict[str, str | None]]:
            case_id = queries.find_case(actor, text)
            current = {}
            if actor.can(Permission.CASE_CORRECT):
                current = {key: corrections.current_value(actor, case_id, key) for key in CORRECTABLE}
            return queries.case_timeline(actor, case_id), cases.get(actor, case_id), current

        self._run(
            work,
            lambda got: self._show_case(*got),
            self.tr("Case"),
            on_failure=lambda exc: self.case_error.setText(error_text(exc)),
        )

    def _show_case(self, tl: CaseTimeline, view: CaseView, current: dict[str, str | None]) -> None:
        self.case_id, self.current_values = tl.case.case_id, current
        self.case_input.setText(tl.case.case_number or tl.case.case_id)
        self.case_header.setText(tl.case.describe())
        app = view.applicant
        for attr, widget in self.reveals.items():
            reveal = self._revealer(tl.case.case_id, attr) if app else None
            widget.set_value(
                getattr(app, attr) if app else "—", reveal, allowed=self.actor.can(Permission.PII_VIEW_FULL)
            )
        fill(self.timeline, [e.cells() for e in tl.events])
        fill(self.corrections_table, [k.cells() for k in tl.corrections])
        self._set_case_enabled(tl.case.status != CaseStatus.VOID.value)
        self.tabs.setCurrentIndex(1)

    def _revealer(self, case_id: str, attr: str) -> Callable[[str], str]:
        """The full value: read and audited by the core (the label runs it off the GUI thread)."""
        cases, actor = self.ctx.cases, self.actor
        return lambda reason: getattr(cases.reveal_applicant(actor, case_id, reason), attr)

    def void_case(self) -> None:
        case_id = self.case_id
        dialog = ReasonDialog(
            self,
            name="reasonDialog",
            field_name="reason",
            title=self.tr("Void case"),
            text=self.tr("Reason (required)"),
        )
        if case_id and self.ask(dialog):
            reason = dialog.reason.text()
            self._change_case(lambda: self.ctx.cases.void(self.actor, case_id, reason), dialog.windowTitle())

    def correct_case(self) -> None:
        case_id = self.case_id
        if not case_id:
            return
        fields = [(key, i18n.text(text)) for key, (_, text) in CORRECTABLE.items()]
        dialog = CorrectionDialog(self, self.tr("Correct a field"), fields, self.tr("Reason (required)"))

        def current(_index: int = 0) -> None:
            dialog.value.setText(self.current_values.get(dialog.field.currentData()) or "")

        dialog.field.currentIndexChanged.connect(current)
        current()
        if self.ask(dialog):
            field, value, reason = dialog.field.currentData(), dialog.value.text(), dialog.reason.text()
            self._change_case(
                lambda: self.corrections.correct(self.actor, case_id, field, value, reason), dialog.windowTitle()
            )

    def _change_case(self, change: Callable[[], object], title: str) -> None:
        """Void or correct off the GUI thread (one ordered core write), then show the case again."""
        case_id = self.case_id or ""
        self._run(
            change,
            lambda _none: self.open_case(case_id),
            title,
            on_failure=lambda exc: self.case_error.setText(error_text(exc)),
            ordered=True,
        )

    # -- retention ----------------------------------------------------------------------------
    def _retention_tab(self) -> QWidget:
        self.retention_info = label(name="retentionInfo", wrap=True)
        self.purge_button = button("purgeNow", self.purge_now)
        self.purged_table = table("purgedCases", 5)
        return _tab(add(QHBoxLayout(), (self.retention_info, 1), self.purge_button), (self.purged_table, 1))

    def refresh_retention(self) -> None:
        """How many cases are due and which were purged, read off the GUI thread (up to 10 000 cases);
        shown again each time the page shows: of overlapping reads only the latest is shown."""
        retention, actor, days = self.retention, self.actor, self.ctx.settings.retention_days
        self.retention_reader.read(
            lambda: (days, len(retention.due(actor, days)), retention.purged(actor)), self.tr("Retention")
        )

    def _show_retention(self, days: int, due: int, purged: list[PurgedCase]) -> None:
        text = self.tr(
            "Personal data and page images of cases handed out more than %1 days ago "
            "are purged; the case record and the audit trail stay. Due now: %2 cases."
        )
        self.retention_info.setText(arg(text, days, due))
        self.purge_button.setEnabled(bool(due) and self.actor.can(Permission.DATA_PURGE))
        fill(self.purged_table, [p.cells() for p in purged])

    def purge_now(self) -> None:
        """Purge off the GUI thread (one short transaction per case), with progress."""
        self.purge_button.setEnabled(False)
        self._run(
            lambda: self.retention.purge(self.actor, self.ctx.settings.retention_days),
            self._purged,
            self.tr("Purge now"),
            on_failure=self._purged,
            ordered=True,
        )

    def _purged(self, result: Any) -> None:
        if isinstance(result, BaseException):
            self.inform(error_text(result))
        else:
            text = self.tr("Purged %1 cases (%2 personal records, %3 files).")
            self.inform(arg(text, result.cases, result.persons, result.files))
        self.refresh_retention()

    # -- common -------------------------------------------------------------------------------
    def hide_full_values(self) -> None:
        """Revealed personal data goes back to masked (on screen lock)."""
        for widget in self.reveals.values():
            widget.hide_full()

    def showEvent(self, event) -> None:
        lock = getattr(self.window_, "idle_lock", None)  # created after the pages
        if lock is not None and not getattr(self, "_lock_connected", False):
            lock.locked.connect(self.hide_full_values)
            self._lock_connected = True
        self.accounts.refresh()
        self.refresh_retention()
        super().showEvent(event)

    def retranslate(self) -> None:
        for i, text in enumerate((self.tr("Audit trail"), self.tr("Case"), self.tr("Accounts"), self.tr("Retention"))):
            self.tabs.setTabText(i, text)
        texts = (
            self.tr("&User"),
            self.tr("&Role"),
            self.tr("&Action"),
            self.tr("Ca&se"),
            self.tr("&From"),
            self.tr("&To"),
        )
        for widget, text in zip(self.filter_labels, texts):
            widget.setText(text)
        self.f_case.setPlaceholderText(self.tr("case number"))
        self.apply_button.setText(self.tr("&Filter"))
        self.verify_button.setText(self.tr("&Verify chain"))
        self.csv_button.setText(self.tr("Export &CSV"))
        self.pdf_button.setText(self.tr("Export &PDF"))
        self.more_button.setText(self.tr("Load &more"))
        tables = (self.events, self.timeline, self.corrections_table, self.purged_table)
        for tbl, name in zip(tables, ("events", "events", "corrections", "purged")):
            set_headers(tbl, *columns(name))
        self.case_label.setText(self.tr("Case &number"))
        self.case_open.setText(self.tr("&Open"))
        self.applicant_label.setText(self.tr("Applicant:"))
        self.timeline_title.setText(self.tr("Timeline"))
        self.corrections_title.setText(self.tr("Corrections (original values kept)"))
        self.void_button.setText(self.tr("&Void case…"))
        self.correct_button.setText(self.tr("Co&rrect a field…"))
        self.purge_button.setText(self.tr("&Purge now"))


def _tab(*parts: Any) -> QWidget:
    widget = QWidget()
    add(QVBoxLayout(widget), *parts)
    return widget
