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

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app.cases import CaseClaimed, CaseConflict, CaseView
from clerk_app.roles import Permission
from clerk_app.worklists import SupplementDesk, offers_supplements, supplement_desk
from ui.current_case import CurrentCase
from ui.operations import BackgroundOp, CoreOp, error_text
from ui.widgets.common import NOTE_STYLE, ResultLine, Retranslating, add, arg, button, label, shortcut, show_facts

if TYPE_CHECKING:
    from ui.pages import PageHost

log = logging.getLogger(__name__)


class SupplementDialog(Retranslating, QDialog):
    def __init__(self, window: PageHost, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supplementDialog")
        self.resize(1100, 720)
        self.window_ = window
        self.ctx = window.ctx
        self.actor = window.actor
        self.case_id = case_id
        self.view: CaseView | None = None
        self.state: SupplementDesk | None = None  # what the core says the dialog shows (clerk_app/worklists.py)
        self.read_only = False  # once someone else holds the case, it stays read-only here
        self._claimed = False
        self._closed = False

        self.form = QFormLayout()
        self.claim_banner = label(name="supplementClaim", style=NOTE_STYLE, wrap=True, visible=False)
        self.request_box = QGroupBox()
        self.request_text = label(name="supplementRequest", wrap=True)
        add(QVBoxLayout(self.request_box), self.request_text)
        self.request_box.setVisible(False)

        self.owed_box = QGroupBox()
        self.owed = QListWidget()
        self.owed.setObjectName("owedLines")
        self.owed.currentItemChanged.connect(self._line_focused)
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
        self.open_case()

    # -- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.request_box.setTitle(self.tr("The department asks for"))
        self.owed_box.setTitle(self.tr("Owed materials: tick what came"))
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
        self._claimed = not view.read_only_for(self.actor)
        if self._closed:  # closed while it was being claimed: give it back
            self._release()
            return
        self.desk.open(self.case_id)
        self._read(view)

    def _reload(self) -> None:
        """Read the case again off the GUI thread (after a write, or pages were scanned: line counts and
        version change); in the order of the writes before it."""
        cases, actor, case_id = self.ctx.cases, self.actor, self.case_id
        self._op(lambda: cases.get(actor, case_id), self._read, self.tr("Opening…"), self._say_error, progress=False)

    def _read(self, view: CaseView) -> None:
        self.view = view
        if view.read_only_for(self.actor):
            self.read_only, self._claimed = True, False
        self._show()

    def _show(self) -> None:
        self.state = state = supplement_desk(self.view, self.read_only) if self.view is not None else None
        self.record_button.setEnabled(state is not None and state.can_record)
        self.record_action.setEnabled(self.record_button.isEnabled())
        self.notice_button.setEnabled(state is not None and bool(state.owed))
        self.notice_action.setEnabled(self.notice_button.isEnabled())
        self.scanning.setEnabled(self.record_button.isEnabled())
        if state is None:
            return
        self.setWindowTitle(state.title)
        show_facts(self.form, state.facts)
        self.claim_banner.setText(state.claim_notice or "")
        self.claim_banner.setVisible(state.claim_notice is not None)
        self.request_text.setText("\n".join(state.requests))
        self.request_box.setVisible(bool(state.requests))
        self.owed_hint.setText(
            self.tr(
                "Space ticks the line; scan its pages with F9 on the right. Ctrl+S records, Ctrl+P prints the notice."
            )
            if state.owed
            else self.tr("Nothing is owed any more.")
        )
        current = self.owed.currentItem()
        current_code = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        ticked = self.ticked()  # the ticks stay when the case is read again
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not state.read_only:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        self.owed.blockSignals(True)
        self.owed.clear()
        for code, text in state.owed:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if code in ticked else Qt.CheckState.Unchecked)
            self.owed.addItem(item)
            if code == current_code:
                self.owed.setCurrentItem(item)
        self.owed.blockSignals(False)
        if self.owed.currentItem() is None and self.owed.count():
            self.owed.setCurrentRow(0)
        self._line_focused(self.owed.currentItem(), None)

    def _line_focused(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.scanning.set_target_line(item.data(Qt.ItemDataRole.UserRole))

    def ticked(self) -> list[str]:
        """The codes of the owed lines ticked now."""
        items = [self.owed.item(i) for i in range(self.owed.count())]
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item.checkState() == Qt.CheckState.Checked]

    def tick(self, code: str, on: bool = True) -> None:
        """Tick (or untick) the owed line ``code`` (what Space does on the focused line)."""
        for i in range(self.owed.count()):
            item = self.owed.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # -- actions ----------------------------------------------------------------------------------
    def _op(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        title: str,
        failed: Callable[[BaseException], None] | None = None,
        *,
        progress: bool = True,
    ) -> None:
        """Core work off the GUI thread, in the order started; a refusal is said in the dialog."""
        failed = failed or self._refused
        CoreOp(self, lambda _r, _c: work(), done, title=title, on_failure=failed, ordered=True, progress=progress).run()

    def _say_error(self, exc: BaseException) -> None:
        self.message.say(error_text(exc), error=True)

    def _refused(self, exc: BaseException) -> None:
        self._say_error(exc)
        if isinstance(exc, CaseConflict | CaseClaimed):
            self._reload()  # the ticks and the pages stay; the clerk records again

    def record(self) -> bool:
        """Record the ticked lines as received (off the GUI thread); on a refusal say why and keep
        everything. False when there is nothing this window may record."""
        if self.view is None or self.state is None or self.read_only:
            return False
        codes = self.ticked()
        cases, actor, case_id, version = self.ctx.cases, self.actor, self.case_id, self.view.row_version
        self._op(
            lambda: cases.record_supplements(actor, case_id, codes, expected_version=version),
            lambda _result: self._recorded(codes),
            self.tr("Record the ticked supplements"),
        )
        return True

    def _recorded(self, codes: list[str]) -> None:
        text = arg(self.tr("%1 material(s) recorded."), len(codes))
        if self.ctx.settings.printer_backend != "none":
            text += " " + self.tr("The supplement receipt is being printed.")
        self.message.say(text)
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
            self._op(
                lambda: self.ctx.cases.release(self.actor, self.case_id),
                lambda _result: None,
                self.tr("Release the claim"),
                lambda exc: log.info("claim not given back: %s", exc),  # it lapses by itself
                progress=False,
            )


def add_supplement_button(
    dialog: QDialog, cases: object, actor: object, case_id: str, buttons: QDialogButtonBox
) -> None:
    """A "Record supplements…" button in the case view (search, F3) when the case owes materials
    and the signed-in role records supplements; it opens the case for supplements (claiming it).
    Whether the case owes anything is read off the GUI thread: the button appears when it is known."""
    host = getattr(dialog.parentWidget(), "window_", None)  # the page's PageHost
    if host is None or not host.actor.can(Permission.CASE_SUPPLEMENT):
        return

    def read(_report: object, _cancel: object) -> bool:
        return offers_supplements(host.ctx.cases.get(host.actor, case_id))

    def add_button(offers: bool) -> None:
        if not offers:
            return
        button = buttons.addButton(
            QCoreApplication.translate("SupplementDialog", "Record supplements…"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        button.setObjectName("supplementButton")
        button.clicked.connect(open_it)

    def open_it() -> None:
        dialog.supplement_dialog = SupplementDialog(host, case_id, dialog)  # type: ignore[attr-defined]
        dialog.supplement_dialog.finished.connect(lambda _r: getattr(dialog, "load", lambda: None)())  # type: ignore[attr-defined]
        dialog.supplement_dialog.open()  # type: ignore[attr-defined]

    # a case the reader may not see, or gone: no button (the case view says why)
    BackgroundOp(read, add_button, lambda exc: log.info("no supplement button: %s", exc), owner=buttons).start()
