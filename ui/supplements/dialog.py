"""登记补交材料: a decided case that owes 容缺 or requested (补正) materials, opened for supplements.

Opening it claims the case (``CaseService.open_for_work``); when another station holds the claim the
case shows read-only with the holder's name. The clerk ticks what came, scans pages onto the owed lines
with the scanning panel (F9, as on the intake page), and records them (Ctrl+S) — which writes the
back-office outbox entry and the 补正材料收件凭证 print job in one transaction. Ctrl+P prints the
补正材料一次性告知书 (every owed material with the department's reason and the due date). Closing the
dialog gives the claim back.

Bad input is refused by the core with a message in the dialog, and nothing is lost: nothing ticked,
the case claimed by someone else, or changed since it was opened (the view is read again, the ticks
and the scanned pages stay).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clerk_app.cases import CaseClaimed, CaseConflict, CaseView, LineView
from clerk_app.errors import ClerkAppError
from clerk_app.worklists import case_status, department_requests, offers_supplements, owed_line, owed_lines
from ui.current_case import CurrentCase
from ui.operations import CoreOp, error_text
from ui.widgets.common import ResultLine
from ui.widgets.slim_b import NOTE_STYLE, Retranslating, add, button, label, shortcut

if TYPE_CHECKING:
    from ui.pages import PageHost

log = logging.getLogger(__name__)


class SupplementDialog(Retranslating, QDialog):
    recorded = Signal(str, int)  # case id, lines recorded

    def __init__(self, window: PageHost, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supplementDialog")
        self.resize(1100, 720)
        self.window_ = window
        self.ctx = window.ctx
        self.actor = window.actor
        self.case_id = case_id
        self.view: CaseView | None = None
        self.read_only = False
        self._claimed = False
        self._ticked: set[str] = set()
        self._closed = False

        self.form = QFormLayout()
        self.fields = {k: QLabel() for k in ("number", "item", "applicant", "status")}
        self.field_labels = {k: QLabel() for k in self.fields}
        for key, field in self.fields.items():
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(self.field_labels[key], field)
        self.claim_banner = label(name="supplementClaim", style=NOTE_STYLE, wrap=True, visible=False)
        self.request_box = QGroupBox()
        self.request_text = label(name="supplementRequest", wrap=True)
        add(QVBoxLayout(self.request_box), self.request_text)
        self.request_box.setVisible(False)

        self.owed_box = QGroupBox()
        self.owed = QListWidget()
        self.owed.setObjectName("owedLines")
        self.owed.currentItemChanged.connect(self._line_focused)
        self.owed.itemChanged.connect(self._tick_changed)
        self.owed_hint = label(wrap=True)
        add(QVBoxLayout(self.owed_box), self.owed_hint, (self.owed, 1))

        # Pages onto the owed lines: the intake page's scanning panel, on a desk of its own (its case
        # is this dialog's, not the intake page's).
        from ui.scanning.panel import ScanningPanel

        self.desk = CurrentCase()
        self.scanning = ScanningPanel(SimpleNamespace(ctx=self.ctx, actor=self.actor, current_case=self.desk))
        self.scanning.setObjectName("supplementScanning")
        self.desk.changed.connect(lambda _cid: self._reload())

        self.message = ResultLine("supplementMessage")  # what the last action did, or why it did not
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.record_action = shortcut(self, "Ctrl+S", self.record)
        self.notice_action = shortcut(self, "Ctrl+P", self.print_notice)
        self.record_button = button("recordSupplements", self.record_action.trigger)
        self.notice_button = button("printRequestNotice", self.notice_action.trigger)
        for b in (self.record_button, self.notice_button):
            self.buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        left = add(QVBoxLayout(), self.form, self.claim_banner, self.request_box, (self.owed_box, 1))
        body = add(QHBoxLayout(), (left, 3), (self.scanning, 2))
        add(QVBoxLayout(self), (body, 1), self.message, self.buttons)
        self.retranslate()
        self._set_enabled()
        self.open_case()

    # -- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        for key, text in (
            ("number", self.tr("Case number")),
            ("item", self.tr("Item")),
            ("applicant", self.tr("Applicant")),
            ("status", self.tr("Status")),
        ):
            self.field_labels[key].setText(text)
        self.request_box.setTitle(self.tr("The department asks for"))
        self.owed_box.setTitle(self.tr("Owed materials: tick what came"))
        self.owed_hint.setText(
            self.tr(
                "Space ticks the line; scan its pages with F9 on the right. Ctrl+S records, Ctrl+P prints the notice."
            )
        )
        self.record_button.setText(self.tr("Record supplements (Ctrl+S)"))
        self.notice_button.setText(self.tr("Print the one-time notice (Ctrl+P)"))
        self.record_action.setText(self.tr("Record the ticked supplements"))
        self.notice_action.setText(self.tr("Print the one-time notice for the owed materials"))
        self._show()

    # -- the case ---------------------------------------------------------------------------------
    def open_case(self) -> None:
        """Claim the case (or show it read-only with the holder's name) and put it on this desk."""
        self._op(lambda: self.ctx.cases.open_for_work(self.actor, self.case_id), self._opened, self.tr("Opening…"))

    def _opened(self, view: CaseView) -> None:
        self.view = view
        self.read_only = view.read_only_for(self.actor)
        if self._closed and not self.read_only:  # closed while it was being claimed: give it back
            self._claimed = True
            self._release()
            return
        self._claimed = not self.read_only
        self._ticked = set()
        self.desk.open(self.case_id)
        self._show()

    def _reload(self) -> None:
        """Read the case again (after a write, or pages were scanned: line counts and version change)."""
        try:
            self.view = self.ctx.cases.get(self.actor, self.case_id)
        except ClerkAppError as exc:
            self.message.say(exc.user_message(), error=True)
            return
        if self.view.read_only_for(self.actor):
            self.read_only, self._claimed = True, False
        self._show()

    def owed_lines(self) -> list[LineView]:
        return owed_lines(self.view) if self.view is not None else []

    def _show(self) -> None:
        v = self.view
        if v is None:
            return
        self.setWindowTitle(self.tr("Supplements for case %1").replace("%1", v.case_number or "—"))
        self.fields["number"].setText(v.case_number or "—")
        self.fields["item"].setText(v.item_name)
        self.fields["applicant"].setText(v.applicant.name if v.applicant else "—")
        self.fields["status"].setText(case_status(v))
        if self.read_only and v.claim is not None:
            self.claim_banner.setText(CaseClaimed(v.claim).user_message())
            self.claim_banner.setVisible(True)
        else:
            self.claim_banner.setVisible(False)
        owed = self.owed_lines()
        requests = department_requests(v)
        self.request_text.setText("\n".join(requests))
        self.request_box.setVisible(bool(requests))
        current = self.owed.currentItem()
        current_code = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.owed.blockSignals(True)
        self.owed.clear()
        for ln in owed:
            item = QListWidgetItem(owed_line(ln))
            item.setData(Qt.ItemDataRole.UserRole, ln.code)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not self.read_only:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if ln.code in self._ticked else Qt.CheckState.Unchecked)
            self.owed.addItem(item)
            if ln.code == current_code:
                self.owed.setCurrentItem(item)
        self.owed.blockSignals(False)
        if self.owed.currentItem() is None and self.owed.count():
            self.owed.setCurrentRow(0)
        self._line_focused(self.owed.currentItem(), None)
        if not owed:
            self.owed_hint.setText(self.tr("Nothing is owed any more."))
        self._set_enabled()

    def _set_enabled(self) -> None:
        writable = self.view is not None and not self.read_only and bool(self.owed_lines())
        self.record_button.setEnabled(writable)
        self.record_action.setEnabled(writable)
        self.notice_button.setEnabled(self.view is not None and bool(self.owed_lines()))
        self.notice_action.setEnabled(self.notice_button.isEnabled())
        self.scanning.setEnabled(writable)

    def _line_focused(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.scanning.set_target_line(item.data(Qt.ItemDataRole.UserRole))

    def _tick_changed(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._ticked.add(code)
        else:
            self._ticked.discard(code)

    def tick(self, code: str, on: bool = True) -> None:
        """Tick (or untick) the owed line ``code`` (what Space does on the focused line)."""
        for i in range(self.owed.count()):
            item = self.owed.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # -- actions ----------------------------------------------------------------------------------
    def _op(self, work: Callable[[], Any], done: Callable[[Any], None], title: str) -> None:
        """Core work off the GUI thread, in the order started; a refusal is said in the dialog."""
        CoreOp(self, lambda _report, _cancel: work(), done, title=title, on_failure=self._refused, ordered=True).run()

    def _refused(self, exc: BaseException) -> None:
        self.message.say(error_text(exc), error=True)
        if isinstance(exc, CaseConflict | CaseClaimed):
            self._reload()  # the ticks and the pages stay; the clerk records again
        self._set_enabled()

    def record(self) -> bool:
        """Record the ticked lines as received (off the GUI thread); on a refusal say why and keep
        everything. False when there is nothing this window may record."""
        if self.view is None or self.read_only:
            return False
        codes = [c for c in (ln.code for ln in self.owed_lines()) if c in self._ticked]
        version = self.view.row_version
        self._op(
            lambda: self.ctx.cases.record_supplements(self.actor, self.case_id, codes, expected_version=version),
            lambda _result: self._recorded(codes),
            self.tr("Record the ticked supplements"),
        )
        return True

    def _recorded(self, codes: list[str]) -> None:
        self._ticked -= set(codes)
        printing = self.ctx.settings.printer_backend != "none"
        text = self.tr("%1 material(s) recorded.").replace("%1", str(len(codes)))
        if printing:
            text += " " + self.tr("The supplement receipt is being printed.")
        self.message.say(text)
        self.recorded.emit(self.case_id, len(codes))
        self.window_.show_status(text, 8000)
        self._reload()

    def print_notice(self) -> None:
        self._op(
            lambda: self.ctx.cases.print_request_notice(self.actor, self.case_id),
            self._notice_queued,
            self.tr("Print the one-time notice for the owed materials"),
        )

    def _notice_queued(self, jobs: int) -> None:
        if jobs:
            self.message.say(self.tr("The one-time notice is being printed."))
        else:
            self.message.say(self.tr("This window has no printer: the notice was not printed."), error=True)

    def done(self, result: int) -> None:
        """Closing gives the claim back (and stops a scan in progress)."""
        self.scanning.cancel_scan()
        self._closed = True
        self._release()
        self.desk.close()
        super().done(result)

    def _release(self) -> None:
        if self._claimed:
            self._claimed = False
            CoreOp(
                self,
                lambda _report, _cancel: self.ctx.cases.release(self.actor, self.case_id),
                lambda _result: None,
                title=self.tr("Release the claim"),
                on_failure=lambda exc: log.info("claim not given back: %s", exc),  # it lapses by itself
                ordered=True,
                progress=False,
            ).run()


def add_supplement_button(
    dialog: QDialog, cases: object, actor: object, case_id: str, buttons: QDialogButtonBox
) -> QPushButton | None:
    """A "Record supplements…" button in the case view (search, F3) when the case owes materials
    and the signed-in role records supplements; it opens the case for supplements (claiming it)."""
    from clerk_app.roles import Permission

    host = getattr(dialog.parentWidget(), "window_", None)  # the page's PageHost
    if host is None or not host.actor.can(Permission.CASE_SUPPLEMENT):
        return None
    try:
        view = host.ctx.cases.get(host.actor, case_id)
    except ClerkAppError:
        return None
    if not offers_supplements(view):
        return None
    button = buttons.addButton(
        QCoreApplication.translate("SupplementDialog", "Record supplements…"), QDialogButtonBox.ButtonRole.ActionRole
    )
    button.setObjectName("supplementButton")

    def open_it() -> None:
        dialog.supplement_dialog = SupplementDialog(host, case_id, dialog)  # type: ignore[attr-defined]
        dialog.supplement_dialog.finished.connect(lambda _r: getattr(dialog, "load", lambda: None)())  # type: ignore[attr-defined]
        dialog.supplement_dialog.open()  # type: ignore[attr-defined]

    button.clicked.connect(open_it)
    return button
