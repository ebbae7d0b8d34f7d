"""Result delivery page (出件, F4): find the case by typing its number or scanning the receipt's QR
code (or pick it in the 待领取 list, Shift+F4), check who collects it (ID typed or read from the chip,
compared by keyed token in the core), record the handover at the window or by express.

Finding a ready case claims it for this clerk (ui/claims.py); a case another window is handing out
shows read-only with the holder's name, station and since when. The department's result document, when
it has arrived, is named here and can be previewed (Ctrl+P, a full view: audited); the handover prints
it next to the 送达回证, each a job of the print outbox.

Keyboard: Enter advances (case number → collector ID / courier → tracking number → address → confirm);
F6 reads the collector's card; Ctrl+Return confirms; Alt+W / Alt+X pick window or express; Ctrl+L starts over.
A keyboard-wedge scan anywhere on the page looks the case up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clerk_app import delivery_desk as desk  # what the page says about the case is the core's
from clerk_app.case_numbers import parse_case_lookup
from clerk_app.delivery import CollectorCheck, DeliveryCase, DeliveryMethod, DeliveryReceipt, Handover
from clerk_app.delivery_desk import DeliveryLookup
from clerk_app.result_documents import ResultDocumentInfo
from clerk_app.roles import Permission
from ui.claims import ClaimBanner
from ui.operations import CoreOp, error_text
from ui.wedge import WedgeScanDetector
from ui.widgets.common import Retranslating, add, button, label, line_edit, shortcut, show_facts

if TYPE_CHECKING:
    from ui.pages import PageHost

log = logging.getLogger(__name__)
COURIERS = ("中国邮政EMS", "顺丰速运", "京东物流", "中通快递", "圆通速递", "韵达快递")
_OK = "color: #1b5e20;"
_BAD = "color: #b00020;"


class DeliveryPage(Retranslating, QWidget):
    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.window_ = window
        ctx = window.ctx
        self.case: DeliveryCase | None = None
        self._collector_source = "manual"
        self._claimed: str | None = None  # the case id this clerk claimed here (given back on the next case)
        self.result_document: ResultDocumentInfo | None = None

        self.lookup = line_edit("deliveryLookup", on_enter=self.find_case)
        self.find_button = button("deliveryFind", self.find_case)
        self.lookup_label = label()
        self.lookup_label.setBuddy(self.lookup)

        self.case_box = QGroupBox()
        self.case_form = QFormLayout()  # the case's facts, worded by the core (clerk_app/delivery_desk.py)
        self.fields: dict[str, QLabel] = {}
        # The department's result document (issue 18 item 2): its name, and a preview (a full view).
        self.result_label = label(name="deliveryResultDocument", wrap=True)
        self.result_preview = button("deliveryResultPreview", self.preview_result_document)
        self.result_title = label()
        result_row = add(QHBoxLayout(), self.result_title, (self.result_label, 1), self.result_preview)
        add(QVBoxLayout(self.case_box), self.case_form, result_row)
        self.claim_banner = ClaimBanner(ctx.cases, window.actor)
        self.claim_banner.released.connect(lambda _cid: self.find_case())

        self.method_box = QGroupBox()
        self.by_window = QRadioButton()
        self.by_window.setObjectName("deliveryByWindow")
        self.by_express = QRadioButton()
        self.by_express.setObjectName("deliveryByExpress")  # the two radio buttons exclude each other
        self.by_window.setChecked(True)

        self.collector_id = line_edit("deliveryCollectorId", on_enter=self.check_collector)
        self.collector_id.textEdited.connect(self._collector_edited)
        self.collector_label = label()
        self.collector_label.setBuddy(self.collector_id)
        self.collector_result = label(name="deliveryCollectorResult", wrap=True)
        self.read_card_button = button("deliveryReadCard", self.read_card)
        window_panel = QWidget()
        wl = QFormLayout(window_panel)
        wl.addRow(self.collector_label, add(QHBoxLayout(), (self.collector_id, 1), self.read_card_button))
        wl.addRow("", self.collector_result)

        self.courier = QComboBox()
        self.courier.setObjectName("deliveryCourier")
        self.courier.setEditable(True)
        self.courier.addItems(COURIERS)
        self.courier.setCurrentIndex(-1)
        self.tracking = line_edit("deliveryTracking")
        courier_edit = self.courier.lineEdit()
        assert courier_edit is not None  # the combo was made editable above
        courier_edit.returnPressed.connect(self.tracking.setFocus)
        self.address: QLineEdit = line_edit("deliveryAddress")  # kept encrypted on the case, masked in views
        self.tracking.returnPressed.connect(lambda: self.address.setFocus())
        self.courier_label, self.tracking_label, self.address_label = label(), label(), label()
        express_panel = QWidget()
        el = QFormLayout(express_panel)
        for row_label, field in (
            (self.courier_label, self.courier),
            (self.tracking_label, self.tracking),
            (self.address_label, self.address),
        ):
            row_label.setBuddy(field)
            el.addRow(row_label, field)
        self.panels = QStackedWidget()
        self.panels.addWidget(window_panel)
        self.panels.addWidget(express_panel)
        self.by_window.toggled.connect(lambda on: self.panels.setCurrentIndex(0 if on else 1))
        add(QVBoxLayout(self.method_box), add(QHBoxLayout(), self.by_window, self.by_express, None), self.panels)

        self.confirm_button = button("deliveryConfirm", self.confirm)
        self.confirm_button.setAutoDefault(True)  # Enter on the focused button confirms
        self.address.returnPressed.connect(self.confirm_button.setFocus)
        self.message = label(name="deliveryMessage", style="font-size: 15px; padding: 6px;", wrap=True)
        self.hint = label(style="color: #555;")
        add(
            QVBoxLayout(self),
            add(QHBoxLayout(), self.lookup_label, (self.lookup, 1), self.find_button),
            self.claim_banner,
            self.case_box,
            self.method_box,
            add(QHBoxLayout(), None, self.confirm_button),
            self.message,
            None,
            self.hint,
        )
        self.setFocusProxy(self.lookup)

        # Page actions (listed by the F12 overlay), active only while this page shows.
        self.confirm_action = shortcut(self, ["Ctrl+Return", "Ctrl+Enter"], self.confirm)
        self.next_case_action = shortcut(self, "Ctrl+L", self.reset)
        self.read_card_action = shortcut(self, "F6", self.read_card)  # as on the intake page
        self.preview_action = shortcut(self, "Ctrl+P", self.preview_result_document)
        self.wedge = WedgeScanDetector(self)
        self.wedge.scanned.connect(self.on_scan)
        self.retranslate()

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.lookup_label.setText(self.tr("Case &number"))
        self.lookup.setPlaceholderText(self.tr("type the case number or scan the receipt's QR code"))
        self.find_button.setText(self.tr("&Find"))
        self.case_box.setTitle(self.tr("Case"))
        self.method_box.setTitle(self.tr("Handover"))
        self.by_window.setText(self.tr("Collected at the &window"))
        self.by_express.setText(self.tr("Sent by e&xpress"))
        self.collector_label.setText(self.tr("Collector's &ID number"))
        self.collector_id.setPlaceholderText(self.tr("read the card, or type the number and press Enter"))
        self.courier_label.setText(self.tr("&Courier"))
        self.tracking_label.setText(self.tr("&Tracking number"))
        self.address_label.setText(self.tr("Delivery &address"))
        self.confirm_button.setText(self.tr("Confirm &delivery"))
        self.confirm_action.setText(self.tr("Confirm delivery"))
        self.next_case_action.setText(self.tr("Next case"))
        self.read_card_action.setText(self.tr("Read identity card"))
        self.read_card_button.setText(self.tr("Read card (F6)"))
        self.result_title.setText(self.tr("Result document"))
        self.result_preview.setText(self.tr("Preview (Ctrl+P)"))
        self.preview_action.setText(self.tr("Preview the result document"))
        self.hint.setText(
            self.tr(
                "Enter: next step · F6: read card · Ctrl+Enter: confirm · Ctrl+L: next case · "
                "Ctrl+P: result document · scan: look up · Shift+F4: results ready"
            )
        )
        self._show_case()

    # -- steps ---------------------------------------------------------------------------------
    def on_scan(self, text: str) -> None:
        """A keyboard-wedge scan anywhere on the page. A receipt code looks the case up; any other
        code scanned into a field (an express label's tracking number) fills that field and
        advances as Enter would."""
        focus = QApplication.focusWidget()
        if parse_case_lookup(text) is None and focus in (self.tracking, self.collector_id):
            assert isinstance(focus, QLineEdit)
            focus.setText(text.strip())
            focus.returnPressed.emit()
            return
        self.lookup.setText(text.strip())
        self.find_case()

    def open_case_number(self, number: str) -> None:
        """Look up ``number`` as if typed (the 待领取 list opens a case here)."""
        self.reset()
        self.lookup.setText(number)
        self.find_case()

    def find_case(self) -> None:
        """Look the typed or scanned number up off the GUI thread (clerk_app/delivery_desk.py): the
        case, its result document, and the claim for this clerk when it is ready."""
        self._clear()
        ctx, actor, text = self.window_.ctx, self.window_.actor, self.lookup.text()
        self._run(lambda: desk.look_up(ctx.delivery, ctx.cases, ctx.results, actor, text), self._found, self._not_found)

    def _not_found(self, exc: BaseException) -> None:
        log.info("delivery lookup refused: %s", type(exc).__name__)
        self._show_case()
        self._say(error_text(exc), ok=False)
        self._focus_lookup()

    def _found(self, found: DeliveryLookup) -> None:
        self.case, self.result_document = found.case, found.result_document
        if found.claimed:
            self._claimed = found.case.id
        self.claim_banner.set_claim(found.holder)
        self.lookup.setText(found.case.case_number)  # a scanned code shows as the plain number
        self._show_case()
        self._say(found.message, ok=found.can_hand_out)
        if found.can_hand_out:
            (self.collector_id if self.by_window.isChecked() else self.courier).setFocus()
        else:
            self._focus_lookup()

    def _focus_lookup(self) -> None:
        self.lookup.selectAll()
        self.lookup.setFocus()

    def _clear(self) -> None:
        """Forget the case on the page; give back this clerk's claim on it unless it was handed out."""
        case_id, self._claimed = self._claimed, None
        if case_id is not None:
            cases, actor = self.window_.ctx.cases, self.window_.actor
            # it lapses by itself (claim_expiry_minutes) when this fails: say nothing more
            self._run(lambda: cases.release(actor, case_id), on_failure=lambda exc: log.info("claim kept: %s", exc))
        self.case, self.result_document = None, None
        self._collector_source = "manual"
        self.claim_banner.set_claim(None)
        for edit in (self.collector_id, self.tracking, self.address):
            edit.clear()
        self.collector_result.clear()

    def preview_result_document(self) -> None:
        """The department's result document, on screen (a full view of a document naming the applicant:
        audited by the core)."""
        if self.case is None or self.result_document is None:
            return
        from ui.printing_ui import PreviewDialog, Rendered, render_pdf

        results, actor, case_id = self.window_.ctx.results, self.window_.actor, self.case.id
        name = self.result_document.name
        title = f"{name} — {self.case.case_number}"

        def show(rendered: Rendered) -> None:
            self.result_dialog = PreviewDialog.of(rendered, title, self)
            self.result_dialog.show()

        self._run(lambda: render_pdf(results.pdf(actor, case_id, "view"), name), show)

    def collector_from_card(self, document_number: str) -> None:
        """The card reader read a document: check it as the collector (source: chip)."""
        self.by_window.setChecked(True)
        self.collector_id.setText(document_number)
        self._collector_source = "chip"
        self.check_collector()

    def read_card(self) -> None:
        """Read the collector's document (``ctx.cards``, off the GUI thread); its number is then checked
        like a typed one (source: chip). Only the number leaves the core."""
        if self.case is None or not self.case.ready:
            return
        cards = self.window_.ctx.cards
        self.by_window.setChecked(True)
        self.read_card_button.setEnabled(False)
        self.collector_result.setStyleSheet("")
        self.collector_result.setText(self.tr("Reading the card…"))

        def done(number: str) -> None:
            self.read_card_button.setEnabled(True)
            self.collector_from_card(number)

        def failed(exc: BaseException) -> None:
            self.read_card_button.setEnabled(True)
            log.info("delivery card read failed: %s", type(exc).__name__)
            self._collector_problem(desk.card_problem(exc))
            self.collector_id.setFocus()

        self._run(lambda: cards.read_collector(), done, failed, ordered=False)

    def _collector_problem(self, text: str) -> None:
        self.collector_result.setStyleSheet(_BAD)
        self.collector_result.setText(text)

    def _collector_edited(self, _text: str) -> None:
        self._collector_source = "manual"
        self.collector_result.clear()

    def check_collector(self) -> None:
        if self.case is None:
            self.lookup.setFocus()
            return
        service, actor, case_id = self.window_.ctx.delivery, self.window_.actor, self.case.id
        number, source = self.collector_id.text(), self._collector_source
        self._run(
            lambda: service.check_collector(actor, case_id, number, source=source),
            self._collector_ok,
            self._collector_refused,
        )

    def _collector_refused(self, exc: BaseException) -> None:
        self._collector_problem(error_text(exc))
        self.collector_id.selectAll()

    def _collector_ok(self, collector: CollectorCheck) -> None:
        self.collector_result.setStyleSheet(_OK)
        self.collector_result.setText(desk.collector_text(collector))
        self.confirm_button.setFocus()

    def confirm(self) -> None:
        if self.case is None:
            self._say(self.tr("Find the case first."), ok=False)
            self.lookup.setFocus()
            return
        if self.by_window.isChecked():
            handover = Handover(
                DeliveryMethod.WINDOW,
                collector_id_number=self.collector_id.text(),
                collector_source=self._collector_source,
            )
        else:
            handover = Handover(
                DeliveryMethod.EXPRESS,
                courier=self.courier.currentText(),
                tracking_number=self.tracking.text(),
                address=self.address.text(),
            )
        service, actor, case_id = self.window_.ctx.delivery, self.window_.actor, self.case.id
        self._run(lambda: service.hand_over(actor, case_id, handover), self._done, self._refused)

    def _refused(self, exc: BaseException) -> None:
        """The handover was refused: say why where the clerk fixes it."""
        log.info("delivery refused: %s", type(exc).__name__)
        text = error_text(exc)
        self._say(text, ok=False)
        if self.by_window.isChecked():
            self._collector_problem(text)
            self.collector_id.setFocus()
            self.collector_id.selectAll()
        elif not self.courier.currentText().strip():
            self.courier.setFocus()
        elif self.tracking.text().strip() and not self.address.text().strip():
            self.address.setFocus()
        else:
            self.tracking.setFocus()

    def _run(
        self,
        work: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        ordered: bool = True,
    ) -> CoreOp:
        """A core call off the GUI thread (ui.operations.CoreOp); writes in the order they were made."""
        return CoreOp(
            self,
            lambda _report, _cancel: work(),
            then or (lambda _result: None),
            title=self.tr("Result delivery"),
            on_failure=on_failure or (lambda exc: self._say(error_text(exc), ok=False)),
            ordered=ordered,
            progress=False,
        ).run()

    def _done(self, receipt: DeliveryReceipt) -> None:
        text = desk.handover_text(receipt, printed=self.result_document is not None)
        self._claimed = None  # the handover ended the claim
        self.reset()
        self._say(text, ok=True)

    def reset(self) -> None:
        """Ready for the next applicant."""
        self._clear()
        self.lookup.clear()
        self.courier.setCurrentIndex(-1)
        self.by_window.setChecked(True)
        self.message.clear()
        self._show_case()
        self.lookup.setFocus()

    # -- display -------------------------------------------------------------------------------
    def _say(self, text: str, *, ok: bool) -> None:
        self.message.setStyleSheet("font-size: 15px; padding: 6px;" + (_OK if ok else _BAD))
        self.message.setText(text)

    def _show_case(self) -> None:
        c = self.case
        self.fields = show_facts(self.case_form, desk.case_facts(c))
        if c is not None:
            self.fields["status"].setStyleSheet(_OK if c.ready else _BAD)
        self.result_label.setText(desk.result_document_text(c, self.result_document))
        self.result_preview.setEnabled(
            self.result_document is not None and self.window_.actor.can(Permission.PII_VIEW_FULL)
        )
        can_hand_out = c is not None and c.ready and self.claim_banner.claim is None  # held elsewhere: read-only
        self.confirm_button.setEnabled(can_hand_out)
        self.method_box.setEnabled(can_hand_out)
