"""Supervisor audit page (F7): the audit trail with filters, chain verification (the first broken
event shown and selected), audited CSV/PDF export; a case tab with the case's timeline, the
applicant (masked, full value on request with a reason — supervisors see full values only here),
corrections and void; accounts (unlock); retention (due cases, purge, purged list).

Core: clerk_app.audit_queries, clerk_app.corrections, clerk_app.retention, UserService.unlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.audit_labels import action_label, actor_label
from clerk_app.audit_queries import AuditFilter, AuditRow, ExportFailed, day_range
from clerk_app.clock import CHINA_TZ
from clerk_app.corrections import CORRECTABLE
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import STATUS_LABELS, CaseStatus
from clerk_app.roles import ROLE_LABELS, Permission, Role
from ui.operations import CoreOp, error_text, show_error
from ui.typed_qt import to_date
from ui.widgets.reveal import RevealLabel

if TYPE_CHECKING:
    from ui.pages import PageHost

PAGE_SIZE = 500
BROKEN = QColor("#f8d7da")


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _role(value: str) -> str:
    try:
        return i18n.text(ROLE_LABELS[Role(value)])
    except ValueError:
        return value


def _status(value: str) -> str:
    try:
        return i18n.text(STATUS_LABELS[CaseStatus(value)])
    except ValueError:
        return value


def _table(name: str, columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    t.setObjectName(name)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    # Interactive + one resizeColumnsToContents() after filling: ResizeToContents would re-measure
    # every row on each setItem (seconds for a few hundred rows).
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill_events(table: QTableWidget, rows: list[AuditRow], *, append: bool = False) -> None:
    start = table.rowCount() if append else 0
    table.setRowCount(start + len(rows))
    for i, r in enumerate(rows, start):
        values = (
            str(r.seq),
            _when(r.at),
            actor_label(r.actor),
            _role(r.role),
            r.station,
            r.action_label(),
            r.case_label(),
            r.detail_label(),
        )
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            if col == 0:
                item.setData(Qt.ItemDataRole.UserRole, r.seq)
            elif col == 5:
                item.setToolTip(r.action)  # the stored code, for the technically minded
            elif col == 6:
                item.setData(Qt.ItemDataRole.UserRole, r.case_id)
            table.setItem(i, col, item)
    table.resizeColumnsToContents()
    table.setColumnWidth(7, max(table.columnWidth(7), 200))


class ReasonDialog(QDialog):
    """A value (optional) and a mandatory reason, for void and corrections."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        value_label: str | None = None,
        value: str = "",
        fields: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.field = QComboBox()
        self.field.setObjectName("correctionField")
        for key, label in fields or []:
            self.field.addItem(label, key)
        if fields:
            form.addRow(self.tr("Field"), self.field)
        self.value = QLineEdit(value)
        self.value.setObjectName("correctionValue")
        if value_label:
            form.addRow(value_label, self.value)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        form.addRow(self.tr("Reason (required)"), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class AuditPage(QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        ctx, self.actor = window.ctx, window.actor
        self.ctx = ctx
        self.queries = ctx.audit_queries
        self.corrections = ctx.corrections
        self.retention = ctx.retention
        # Overridable in tests: where an export is written, and how a dialog is answered.
        self.choose_export_path: Callable[[str, str], str | None] = self._ask_path
        self.ask: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.inform: Callable[[str], None] = self._inform_box

        self.tabs = QTabWidget()
        self.tabs.setObjectName("auditTabs")
        self.tabs.addTab(self._trail_tab(), "")
        self.tabs.addTab(self._case_tab(), "")
        self.tabs.addTab(self._accounts_tab(), "")
        self.tabs.addTab(self._retention_tab(), "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.retranslate()
        self.reload_choices()
        self.apply_filter()

    # -- trail --------------------------------------------------------------------------------
    def _trail_tab(self) -> QWidget:
        w = QWidget()
        self.f_user, self.f_role, self.f_action = QComboBox(), QComboBox(), QComboBox()
        for name, combo in (("filterUser", self.f_user), ("filterRole", self.f_role), ("filterAction", self.f_action)):
            combo.setObjectName(name)
            combo.setEditable(name != "filterRole")
            combo.setMinimumWidth(120)
        self.f_case = QLineEdit()
        self.f_case.setObjectName("filterCase")
        today = self.ctx.clock.now().astimezone(CHINA_TZ).date()
        self.f_from, self.f_to = QDateEdit(), QDateEdit()
        for name, edit, day in (
            ("filterFrom", self.f_from, today - dt.timedelta(days=30)),
            ("filterTo", self.f_to, today),
        ):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("applyFilter")
        self.apply_button.clicked.connect(self.apply_filter)
        self.f_case.returnPressed.connect(self.apply_filter)
        self.filter_labels = [QLabel() for _ in range(6)]
        top = QHBoxLayout()
        for label, widget in zip(
            self.filter_labels, (self.f_user, self.f_role, self.f_action, self.f_case, self.f_from, self.f_to)
        ):
            label.setBuddy(widget)
            top.addWidget(label)
            top.addWidget(widget)
        top.addWidget(self.apply_button)
        top.addStretch(1)
        self.chain_label = QLabel()
        self.chain_label.setObjectName("chainStatus")
        self.chain_label.setWordWrap(True)
        self.verify_button = QPushButton()
        self.verify_button.setObjectName("verifyChain")
        self.verify_button.clicked.connect(self.verify_chain)
        self.csv_button, self.pdf_button, self.more_button = QPushButton(), QPushButton(), QPushButton()
        self.csv_button.setObjectName("exportCsv")
        self.pdf_button.setObjectName("exportPdf")
        self.more_button.setObjectName("loadMore")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.more_button.clicked.connect(self.load_more)
        self.count_label = QLabel()
        self.count_label.setObjectName("eventCount")
        self.events = _table("auditEvents", 8)
        self.events.itemActivated.connect(self._open_event_case)
        bar = QHBoxLayout()
        bar.addWidget(self.verify_button)
        bar.addWidget(self.chain_label, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.more_button)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)
        layout = QVBoxLayout(w)
        layout.addLayout(top)
        layout.addWidget(self.events, 1)
        layout.addLayout(bar)
        self._broken_seq: int | None = None
        return w

    def reload_choices(self) -> None:
        users, roles, actions = self.queries.choices(self.actor)
        for combo, values, label in (
            (self.f_user, users, actor_label),
            (self.f_role, roles, _role),
            (self.f_action, actions, action_label),
        ):
            current = combo.currentData()
            combo.clear()
            combo.addItem(self.tr("(all)"), "")
            for v in values:
                combo.addItem(label(v) if label else v, v)
            idx = combo.findData(current)
            combo.setCurrentIndex(max(0, idx))

    def current_filter(self) -> AuditFilter:
        def value(combo: QComboBox) -> str | None:
            text = combo.currentText().strip()
            data = combo.currentData()
            if combo.isEditable() and text and combo.itemText(combo.currentIndex()) != text:
                return text  # typed by hand (e.g. an action prefix "case.")
            return data or None

        start, end = day_range(to_date(self.f_from.date()), to_date(self.f_to.date()))
        case_id = None
        if self.f_case.text().strip():
            try:
                case_id = self.queries.find_case(self.actor, self.f_case.text())
            except ClerkAppError:
                case_id = self.f_case.text().strip()
        return AuditFilter(
            actor=value(self.f_user),
            role=value(self.f_role),
            action=value(self.f_action),
            case_id=case_id,
            start=start,
            end=end,
        )

    def apply_filter(self) -> None:
        flt = self.current_filter()
        rows = self.queries.search(self.actor, flt, limit=PAGE_SIZE)
        _fill_events(self.events, rows)
        total = self.queries.count(self.actor, flt)
        self.count_label.setText(self.tr("%1 of %2 events").replace("%1", str(len(rows))).replace("%2", str(total)))
        self.more_button.setEnabled(len(rows) < total)
        self._mark_broken()

    def load_more(self) -> None:
        if self.events.rowCount() == 0:
            return
        last = self._cell(self.events, self.events.rowCount() - 1, 0).data(Qt.ItemDataRole.UserRole)
        flt = self.current_filter()
        rows = self.queries.search(self.actor, flt, limit=PAGE_SIZE, before_seq=last)
        _fill_events(self.events, rows, append=True)
        total = self.queries.count(self.actor, flt)
        self.count_label.setText(
            self.tr("%1 of %2 events").replace("%1", str(self.events.rowCount())).replace("%2", str(total))
        )
        self.more_button.setEnabled(self.events.rowCount() < total)
        self._mark_broken()

    def verify_chain(self) -> None:
        """Walk the whole chain off the GUI thread (it reads every event), with progress."""
        self.verify_button.setEnabled(False)

        def shown(status: Any) -> None:
            self.verify_button.setEnabled(True)
            self._show_verification(status)

        def failed(exc: BaseException) -> None:
            self.verify_button.setEnabled(True)
            show_error(self, self.tr("Verify hash chain"), exc)

        self.op = CoreOp(
            self,
            lambda report, cancel: self.queries.verify(self.actor),
            shown,
            title=self.tr("Verify hash chain"),
            on_failure=failed,
        ).run()

    def _show_verification(self, status: Any) -> None:
        if status.intact:
            self._broken_seq = None
            self.chain_label.setStyleSheet("color: #1e6b34; font-weight: bold;")
            self.chain_label.setText(
                self.tr("Hash chain intact: %1 events verified.").replace("%1", str(status.events))
            )
            self.apply_filter()
            return
        assert status.broken is not None
        self._broken_seq = status.broken.seq
        reason = {
            "hash mismatch": self.tr("the event was altered"),
            "link mismatch": self.tr("the link to the previous event is wrong"),
            "sequence gap": self.tr("an event is missing"),
            "head mismatch": self.tr("events were removed at the end"),
        }.get(status.broken.reason, status.broken.reason)
        row = status.broken_row
        where = f" — {_when(row.at)} · {row.actor} · {row.action_label()}" if row else ""
        self.chain_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.chain_label.setText(
            self.tr("Hash chain BROKEN at event %1 (%2)%3")
            .replace("%1", str(status.broken.seq))
            .replace("%2", reason)
            .replace("%3", where)
        )
        # Show the broken event: clear the filters that would hide it, then select it.
        self.f_user.setCurrentIndex(0)
        self.f_role.setCurrentIndex(0)
        self.f_action.setCurrentIndex(0)
        self.f_case.clear()
        if row is not None:
            day = row.at.astimezone(CHINA_TZ).date()
            if day < to_date(self.f_from.date()):
                self.f_from.setDate(QDate(day.year, day.month, day.day))
        self.apply_filter()

    @staticmethod
    def _cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
        item = table.item(row, column)
        assert item is not None, f"no item at {row},{column}"  # every cell is filled when a row is added
        return item

    def _mark_broken(self) -> None:
        for i in range(self.events.rowCount()):
            item = self._cell(self.events, i, 0)
            if self._broken_seq is not None and item.data(Qt.ItemDataRole.UserRole) == self._broken_seq:
                for col in range(self.events.columnCount()):
                    self._cell(self.events, i, col).setBackground(QBrush(BROKEN))
                self.events.selectRow(i)
                self.events.scrollToItem(item)

    def broken_row_index(self) -> int | None:
        for i in range(self.events.rowCount()):
            if self._cell(self.events, i, 0).data(Qt.ItemDataRole.UserRole) == self._broken_seq:
                return i
        return None

    def export(self, fmt: str) -> Path | None:
        """Write the filtered trail as CSV or PDF off the GUI thread (progress, Cancel); returns the
        path it will be written to (``self.last_export`` once done), or None when no path was chosen."""
        stamp = self.ctx.clock.now().astimezone(CHINA_TZ).strftime("%Y%m%d-%H%M")
        path = self.choose_export_path(f"audit-{stamp}.{fmt}", fmt)
        if not path:
            return None
        flt = self.current_filter()
        title = self.tr("Audit report")

        def work(report: Any, cancel: Any) -> Path:
            if fmt == "csv":
                data = self.queries.export_csv(self.actor, flt)
            else:
                from printing.audit_report import render_audit_pdf

                data = self.queries.export_pdf(self.actor, flt, render_audit_pdf, title=title)
            try:
                Path(path).write_bytes(data)
            except OSError as exc:
                raise ExportFailed(detail=type(exc).__name__) from exc
            return Path(path)

        def done(written: Path) -> None:
            self.last_export = written
            self.apply_filter()

        self.op = CoreOp(self, work, done, title=title, on_failure=lambda exc: self.inform(error_text(exc))).run()
        return Path(path)

    def _inform_box(self, text: str) -> None:
        QMessageBox.information(self, self.tr("Audit"), text)

    def _ask_path(self, suggested: str, fmt: str) -> str | None:
        filt = self.tr("CSV files (*.csv)") if fmt == "csv" else self.tr("PDF files (*.pdf)")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export audit report"), suggested, filt)
        return path or None

    def _open_event_case(self, item: QTableWidgetItem) -> None:
        case_id = self._cell(self.events, item.row(), 6).data(Qt.ItemDataRole.UserRole)
        if case_id:
            self.open_case(case_id)

    # -- case ---------------------------------------------------------------------------------
    def _case_tab(self) -> QWidget:
        w = QWidget()
        self.case_input = QLineEdit()
        self.case_input.setObjectName("caseInput")
        self.case_input.returnPressed.connect(lambda: self.open_case(self.case_input.text()))
        self.case_open = QPushButton()
        self.case_open.setObjectName("caseOpen")
        self.case_open.clicked.connect(lambda: self.open_case(self.case_input.text()))
        self.case_label = QLabel()
        self.case_label.setBuddy(self.case_input)
        top = QHBoxLayout()
        top.addWidget(self.case_label)
        top.addWidget(self.case_input, 1)
        top.addWidget(self.case_open)
        self.case_header = QLabel()
        self.case_header.setObjectName("caseHeader")
        self.case_header.setWordWrap(True)
        self.applicant_label = QLabel()
        self.applicant_name = RevealLabel()
        self.applicant_name.setObjectName("revealName")
        self.applicant_id = RevealLabel()
        self.applicant_id.setObjectName("revealId")
        self.applicant_address = RevealLabel()
        self.applicant_address.setObjectName("revealAddress")
        person = QHBoxLayout()
        person.addWidget(self.applicant_label)
        person.addWidget(self.applicant_name, 1)
        person.addWidget(self.applicant_id, 1)
        person.addWidget(self.applicant_address, 2)
        self.timeline = _table("caseTimeline", 8)
        self.corrections_table = _table("caseCorrections", 6)
        self.void_button, self.correct_button = QPushButton(), QPushButton()
        self.void_button.setObjectName("voidCase")
        self.correct_button.setObjectName("correctCase")
        self.void_button.clicked.connect(self.void_case)
        self.correct_button.clicked.connect(self.correct_case)
        self.case_error = QLabel()
        self.case_error.setObjectName("caseError")
        self.case_error.setStyleSheet("color: #b3261e;")
        actions = QHBoxLayout()
        actions.addWidget(self.case_error, 1)
        actions.addWidget(self.correct_button)
        actions.addWidget(self.void_button)
        self.timeline_title, self.corrections_title = QLabel(), QLabel()
        layout = QVBoxLayout(w)
        layout.addLayout(top)
        layout.addWidget(self.case_header)
        layout.addLayout(person)
        layout.addWidget(self.timeline_title)
        layout.addWidget(self.timeline, 3)
        layout.addWidget(self.corrections_title)
        layout.addWidget(self.corrections_table, 1)
        layout.addLayout(actions)
        self.case_id: str | None = None
        self._set_case_enabled(False)
        return w

    def _set_case_enabled(self, on: bool) -> None:
        self.void_button.setEnabled(on and self.actor.can(Permission.CASE_VOID))
        self.correct_button.setEnabled(on and self.actor.can(Permission.CASE_CORRECT))

    def open_case(self, text: str) -> bool:
        self.case_error.clear()
        try:
            case_id = self.queries.find_case(self.actor, text)
            tl = self.queries.case_timeline(self.actor, case_id)
            view = self.ctx.cases.get(self.actor, case_id)
        except ClerkAppError as exc:
            self.case_error.setText(exc.user_message())
            return False
        self.case_id = case_id
        self.case_input.setText(tl.case.case_number or case_id)
        c = tl.case
        header = (
            self.tr("Case %1 · %2 (%3) · status %4 · window %5")
            .replace("%1", c.case_number or "—")
            .replace("%2", c.item_name)
            .replace("%3", c.item_code)
            .replace("%4", _status(c.status))
            .replace("%5", c.window_no)
        )
        if c.void_reason:
            header += "\n" + self.tr("Voided: %1").replace("%1", c.void_reason)
        self.case_header.setText(header)
        app = view.applicant
        allowed = self.actor.can(Permission.PII_VIEW_FULL) and app is not None

        def reveal(attr: str) -> Callable[[str], str]:
            return lambda reason: getattr(self.ctx.cases.reveal_applicant(self.actor, case_id, reason), attr)

        self.applicant_name.set_value(app.name if app else "—", reveal("name") if app else None, allowed=allowed)
        self.applicant_id.set_value(
            app.document_number if app else "—", reveal("document_number") if app else None, allowed=allowed
        )
        self.applicant_address.set_value(
            app.address if app else "—", reveal("address") if app else None, allowed=allowed
        )
        _fill_events(self.timeline, tl.events)
        self.corrections_table.setRowCount(len(tl.corrections))
        for i, k in enumerate(tl.corrections):
            label = i18n.text(CORRECTABLE[k.field][1]) if k.field in CORRECTABLE else k.field
            for col, value in enumerate(
                (_when(k.at), k.actor, label, k.old_value or "—", k.new_value or "—", k.reason)
            ):
                self.corrections_table.setItem(i, col, QTableWidgetItem(value))
        self.corrections_table.resizeColumnsToContents()
        self._set_case_enabled(c.status != CaseStatus.VOID.value)
        self.tabs.setCurrentIndex(1)
        return True

    def void_case(self) -> None:
        if not self.case_id:
            return
        dialog = ReasonDialog(self, self.tr("Void case"))
        if not self.ask(dialog):
            return
        try:
            self.ctx.cases.void(self.actor, self.case_id, dialog.reason.text())
        except ClerkAppError as exc:
            self.case_error.setText(exc.user_message())
            return
        self.open_case(self.case_id)

    def correct_case(self) -> None:
        if not self.case_id:
            return
        fields = [(key, i18n.text(label)) for key, (_, label) in CORRECTABLE.items()]
        dialog = ReasonDialog(self, self.tr("Correct a field"), self.tr("New value"), "", fields)
        dialog.field.currentIndexChanged.connect(
            lambda _: dialog.value.setText(
                self.corrections.current_value(self.actor, self.case_id or "", dialog.field.currentData()) or ""
            )
        )
        dialog.value.setText(self.corrections.current_value(self.actor, self.case_id, fields[0][0]) or "")
        if not self.ask(dialog):
            return
        try:
            self.corrections.correct(
                self.actor, self.case_id, dialog.field.currentData(), dialog.value.text(), dialog.reason.text()
            )
        except ClerkAppError as exc:
            self.case_error.setText(exc.user_message())
            return
        self.open_case(self.case_id)

    # -- accounts -----------------------------------------------------------------------------
    def _accounts_tab(self) -> QWidget:
        w = QWidget()
        self.accounts = _table("accounts", 5)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlockAccount")
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.accounts_note = QLabel()
        self.accounts_note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.accounts_note, 1)
        bar.addWidget(self.unlock_button)
        layout = QVBoxLayout(w)
        layout.addWidget(self.accounts, 1)
        layout.addLayout(bar)
        return w

    def refresh_accounts(self) -> None:
        now = self.ctx.clock.now()
        users = self.ctx.users.list_users()
        self.accounts.setRowCount(len(users))
        for i, u in enumerate(users):
            locked = u.locked_until is not None and u.locked_until > now
            values = (
                u.username,
                u.display_name,
                _role(u.role),
                self.tr("locked until %1").replace("%1", _when(u.locked_until)) if locked else self.tr("active"),
                str(u.failed_attempts),
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if locked:
                    item.setBackground(QBrush(BROKEN))
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, u.username)
                self.accounts.setItem(i, col, item)
        self.accounts.resizeColumnsToContents()

    def unlock_selected(self) -> None:
        row = self.accounts.currentRow()
        if row < 0:
            return
        username = self._cell(self.accounts, row, 0).data(Qt.ItemDataRole.UserRole)
        try:
            self.ctx.users.unlock(self.actor, username)
        except ClerkAppError as exc:
            self.inform(exc.user_message())
            return
        self.refresh_accounts()

    # -- retention ----------------------------------------------------------------------------
    def _retention_tab(self) -> QWidget:
        w = QWidget()
        self.retention_info = QLabel()
        self.retention_info.setObjectName("retentionInfo")
        self.retention_info.setWordWrap(True)
        self.purge_button = QPushButton()
        self.purge_button.setObjectName("purgeNow")
        self.purge_button.clicked.connect(self.purge_now)
        self.purged_table = _table("purgedCases", 5)
        top = QHBoxLayout()
        top.addWidget(self.retention_info, 1)
        top.addWidget(self.purge_button)
        layout = QVBoxLayout(w)
        layout.addLayout(top)
        layout.addWidget(self.purged_table, 1)
        return w

    def refresh_retention(self) -> None:
        days = self.ctx.settings.retention_days
        due = self.retention.due(self.actor, days)
        self.retention_info.setText(
            self.tr(
                "Personal data and page images of cases handed out more than %1 days ago "
                "are purged; the case record and the audit trail stay. Due now: %2 cases."
            )
            .replace("%1", str(days))
            .replace("%2", str(len(due)))
        )
        self.purge_button.setEnabled(bool(due) and self.actor.can(Permission.DATA_PURGE))
        purged = self.retention.purged(self.actor)
        self.purged_table.setRowCount(len(purged))
        numbers = {}
        if purged:
            from sqlalchemy import select

            from clerk_app.store.models import Case

            with self.ctx.sessions() as s:
                numbers = dict(
                    s.execute(select(Case.id, Case.case_number).where(Case.id.in_([p.case_id for p in purged]))).all()
                )
        for i, p in enumerate(purged):
            for col, value in enumerate(
                (_when(p.purged_at), numbers.get(p.case_id) or p.case_id, p.actor, str(p.persons), str(p.files))
            ):
                self.purged_table.setItem(i, col, QTableWidgetItem(value))
        self.purged_table.resizeColumnsToContents()

    def purge_now(self) -> None:
        """Purge off the GUI thread (one short transaction per case), with progress."""
        self.purge_button.setEnabled(False)
        self.op = CoreOp(
            self,
            lambda report, cancel: self.retention.purge(self.actor, self.ctx.settings.retention_days),
            self._purged,
            title=self.tr("Purge now"),
            on_failure=self._purge_failed,
        ).run()

    def _purge_failed(self, exc: BaseException) -> None:
        self.inform(error_text(exc))
        self.refresh_retention()

    def _purged(self, result: Any) -> None:
        self.inform(
            self.tr("Purged %1 cases (%2 personal records, %3 files).")
            .replace("%1", str(result.cases))
            .replace("%2", str(result.persons))
            .replace("%3", str(result.files))
        )
        self.refresh_retention()

    # -- common -------------------------------------------------------------------------------
    def hide_full_values(self) -> None:
        """Revealed personal data goes back to masked (on screen lock)."""
        for label in (self.applicant_name, self.applicant_id, self.applicant_address):
            label.hide_full()

    def showEvent(self, event) -> None:
        lock = getattr(self.window_, "idle_lock", None)  # created after the pages
        if lock is not None and not getattr(self, "_lock_connected", False):
            lock.locked.connect(self.hide_full_values)
            self._lock_connected = True
        self.refresh_accounts()
        self.refresh_retention()
        super().showEvent(event)

    def retranslate(self) -> None:
        for i, text in enumerate((self.tr("Audit trail"), self.tr("Case"), self.tr("Accounts"), self.tr("Retention"))):
            self.tabs.setTabText(i, text)
        for label, text in zip(
            self.filter_labels,
            (
                self.tr("&User"),
                self.tr("&Role"),
                self.tr("&Action"),
                self.tr("Ca&se"),
                self.tr("&From"),
                self.tr("&To"),
            ),
        ):
            label.setText(text)
        self.f_case.setPlaceholderText(self.tr("case number"))
        self.apply_button.setText(self.tr("&Filter"))
        self.verify_button.setText(self.tr("&Verify chain"))
        self.csv_button.setText(self.tr("Export &CSV"))
        self.pdf_button.setText(self.tr("Export &PDF"))
        self.more_button.setText(self.tr("Load &more"))
        headers = [
            self.tr("No."),
            self.tr("Time"),
            self.tr("User"),
            self.tr("Role"),
            self.tr("Station"),
            self.tr("Action"),
            self.tr("Case"),
            self.tr("Detail"),
        ]
        self.events.setHorizontalHeaderLabels(headers)
        self.timeline.setHorizontalHeaderLabels(headers)
        self.case_label.setText(self.tr("Case &number"))
        self.case_open.setText(self.tr("&Open"))
        self.applicant_label.setText(self.tr("Applicant:"))
        self.timeline_title.setText(self.tr("Timeline"))
        self.corrections_title.setText(self.tr("Corrections (original values kept)"))
        self.corrections_table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("User"),
                self.tr("Field"),
                self.tr("Original value"),
                self.tr("Corrected"),
                self.tr("Reason"),
            ]
        )
        self.void_button.setText(self.tr("&Void case…"))
        self.correct_button.setText(self.tr("Co&rrect a field…"))
        self.accounts.setHorizontalHeaderLabels(
            [self.tr("User"), self.tr("Name"), self.tr("Role"), self.tr("State"), self.tr("Failed attempts")]
        )
        self.unlock_button.setText(self.tr("&Unlock account"))
        self.accounts_note.setText(
            self.tr("Accounts lock after repeated wrong passwords; unlocking is recorded in the audit trail.")
        )
        self.purge_button.setText(self.tr("&Purge now"))
        self.purged_table.setHorizontalHeaderLabels(
            [self.tr("Purged at"), self.tr("Case"), self.tr("By"), self.tr("Personal records"), self.tr("Files")]
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
