"""The customer-facing window (the applicant's screen): idle welcome, the checklist as the clerk
records it with page counts and thumbnails to confirm, the one-time notice, and the 好差评 rating.

It only follows CurrentCase and re-reads the case through CaseService (masked personal data), so it
can never show more than the clerk's own masked view; it forgets everything on ``closed`` and on
``clear()`` (the idle lock calls that, or emits ``MainWindow.locked`` which is connected to it).
What it says and which screen follows which event come from ``clerk_app.customer_screen``; reads
and the applicant's confirmation and rating run off the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage, QImageReader, QPixmap, QTransform
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.app_context import RESOURCES
from clerk_app.customer import LOW_RATING_REASONS, RATING_LABELS, Rating
from clerk_app.customer_placement import Placement, ScreenInfo, choose_placement
from clerk_app.customer_screen import Checklist, Flow, Kind, Phase, Screen, ShownLine, large_type, read_screen
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import Decision
from clerk_app.roles import Actor
from ui.current_case import CurrentCase
from ui.operations import CoreOp, error_text
from ui.widgets.common import ListReader, Retranslating, add, button, label, shortcut

if TYPE_CHECKING:
    from clerk_app.app_context import AppContext
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

THUMBS_PER_LINE = 4
THUMB_HEIGHT = 72
THANKS_MS = 6000

STYLE = (RESOURCES / "styles" / "customer.qss").read_text(encoding="utf-8")


class CustomerWindow(Retranslating, QWidget):
    """Top-level window for the applicant's screen. ``pages`` is an optional PageService-like object
    (``pages(case_id, line_code)`` and ``image(actor, page_id)``) for thumbnails; without it only page
    counts are shown."""

    confirmed = Signal(str)  # case id: the applicant confirmed the material list
    rated = Signal(str, int)  # case id, rating 1–5 (0 = timed out, not rated)

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        current_case: CurrentCase,
        *,
        pages: Any = None,
        rating_timeout_ms: int | None = None,
        thanks_ms: int = THANKS_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.actor = actor
        self.pages = pages
        self.customer = ctx.customer
        self.rating_timeout_ms = (
            rating_timeout_ms if rating_timeout_ms is not None else ctx.settings.customer_rating_timeout * 1000
        )
        self.thanks_ms = thanks_ms
        self.setObjectName("customerWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Showing or refreshing must never pull the clerk's keyboard focus to this screen.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.large_type = ctx.settings.customer_large_type
        self.setStyleSheet(large_type(STYLE) if self.large_type else STYLE)

        self.flow = Flow()
        self.shown: Screen | None = None  # the latest read of the case on the desk
        self.serving_ticket: str | None = None
        self._thumbs: dict[str, list[QImage]] = {}  # line code → its first pages, decoded small
        self._decoded: dict[tuple[str, int], QImage] = {}  # (sha256, rotation) → thumbnail
        self._rating: Rating | None = None
        self.op: CoreOp | None = None  # the confirmation or rating being stored
        self.reader = ListReader(self, self._read, self._not_read)
        self.toggle_action: QAction | None = None  # on the clerk's main window (attach_customer_window)

        self._rating_timer = QTimer(self, singleShot=True)
        self._rating_timer.timeout.connect(self._rating_timed_out)
        self._tick = QTimer(self, interval=1000)  # the countdown under the rating
        self._tick.timeout.connect(self._update_countdown)
        self._thanks_timer = QTimer(self, singleShot=True)
        self._thanks_timer.timeout.connect(self._thanks_over)
        self._build()
        current_case.opened.connect(self._on_opened)
        current_case.changed.connect(self._on_changed)
        current_case.decided.connect(self._on_decided)
        current_case.closed.connect(self.clear)
        self.retranslate()
        self._show_phase()

    @property
    def case_id(self) -> str | None:
        return self.flow.case_id

    @property
    def phase(self) -> Phase:
        return self.flow.phase

    # -- building ---------------------------------------------------------------------------------
    def _page(
        self, *items: QWidget | QLayout | int | tuple[QWidget, int] | None, margins: bool = True, spacing: int = -1
    ) -> QWidget:
        """A page of the stack, its items laid out top to bottom as ``add`` does."""
        page = QWidget()
        layout = add(QVBoxLayout(page), *items)
        layout.setContentsMargins(*((28, 18, 28, 18) if margins else (0, 0, 0, 0)))
        layout.setSpacing(spacing)
        self.stack.addWidget(page)
        return page

    def _build(self) -> None:
        center = Qt.AlignmentFlag.AlignCenter
        self.header = QFrame()
        self.header.setObjectName("header")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.header_hall = label(name="headerHall")
        self.header_window, self.header_staff = label(), label()
        self.header_ticket = label(name="headerTicket")
        header = add(QHBoxLayout(self.header), self.header_hall, None, self.header_ticket)
        header.setContentsMargins(28, 12, 52, 12)
        header.setSpacing(24)
        add(header, self.header_window, self.header_staff)
        self.stack = QStackedWidget()
        outer = add(QVBoxLayout(self), self.header, (self.stack, 1))
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        idle = [label(name=name, align=center) for name in ("idleHall", "idleWindow", "idleServing", "idleWelcome")]
        self.idle_hall, self.idle_window, self.idle_serving, self.idle_welcome = idle
        self.idle_page = self._page(2, *idle, 3, margins=False, spacing=18)

        self.item_name = label(name="itemName", wrap=True)
        self.applicant = label(name="applicant")
        self.summary = label(name="summary")
        self.lines_box = QWidget()  # a new one, with a row per line, on each render
        self.lines_scroll = _scroll(self.lines_box)
        self.lines_scroll.viewport().setAutoFillBackground(False)
        self.confirm_state = label(name="confirmState", wrap=True)
        self.confirm_error = label(name="confirmError", wrap=True)
        self.confirm_button = button("bigButton", self.confirm)
        state = add(QVBoxLayout(), self.confirm_state, self.confirm_error)
        bottom = add(QHBoxLayout(), (state, 1), self.confirm_button)
        self.checklist_page = self._page(self.item_name, self.applicant, self.summary, (self.lines_scroll, 1), bottom)

        # the notice (return with notice / accept with deficiencies)
        self.notice_title = label(name="noticeTitle")
        self.notice_text = label(
            name="noticeText", wrap=True, align=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        )
        self.notice_text.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_due = label(name="noticeDue", wrap=True)
        self.notice_next = button("bigButton", self.start_rating)
        next_row = add(QHBoxLayout(), None, self.notice_next)
        self.notice_page = self._page(self.notice_title, (_scroll(self.notice_text), 1), self.notice_due, next_row)

        self.decision_summary = label(name="decisionSummary", wrap=True)
        self.rating_title = label(name="ratingTitle", align=center)
        self.rating_buttons = {r: button(f"rate{r.value}", partial(self.choose_rating, r)) for r in Rating}
        for b in self.rating_buttons.values():
            b.setMinimumHeight(140)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.reason_title = label(name="reasonTitle")
        grid = QGridLayout()
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, code in enumerate(LOW_RATING_REASONS):
            b = self.reason_buttons[code] = button("reason")
            b.setCheckable(True)
            b.toggled.connect(self._reasons_changed)
            grid.addWidget(b, i // 4, i % 4)
        self.comment = QLineEdit()
        self.comment.setMaxLength(200)
        self.comment.textEdited.connect(lambda _t: self._restart_rating_timer())
        self.submit_low = button("bigButton", self.submit_low_rating)
        self.reasons_box = QWidget()
        reasons = add(QVBoxLayout(self.reasons_box), self.reason_title, grid, self.comment)
        add(reasons, add(QHBoxLayout(), None, self.submit_low)).setContentsMargins(0, 12, 0, 0)
        self.countdown = label(name="countdown", align=Qt.AlignmentFlag.AlignRight)
        stars = add(QHBoxLayout(), *self.rating_buttons.values())
        self.rating_page = self._page(
            self.decision_summary, 1, self.rating_title, stars, self.reasons_box, 2, self.countdown
        )

        self.thanks = label(name="thanks", wrap=True, align=center)
        self.thanks_page = self._page(1, self.thanks, 1, margins=False)

        # a 样表 the clerk shows while explaining how to fill in a form (over the current page)
        self.sample_title = label(name="noticeTitle", align=center)
        self.sample_image = label(name="sampleImage", align=center)
        self.sample_page = self._page(self.sample_title, (self.sample_image, 1), margins=False)
        self._before_sample: QWidget | None = None

    # -- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        s = self.ctx.settings
        self.setWindowTitle(self.tr("Applicant screen — %1").replace("%1", s.hall_name))
        self.header_hall.setText(s.hall_name)
        self.header_window.setText(self.tr("Window %1").replace("%1", s.window_no))
        self.header_staff.setText(self.tr("Staff No. %1").replace("%1", self.actor.staff_no))
        self.idle_hall.setText(s.hall_name)
        self.idle_window.setText(self.tr("Window %1").replace("%1", s.window_no))
        self.idle_welcome.setText(self.tr("Welcome. The clerk will be with you shortly."))
        self.confirm_button.setText(self.tr("Confirm the material list"))
        self.notice_next.setText(self.tr("I have read it — rate our service"))
        self.rating_title.setText(self.tr("Please rate our service"))
        for r, b in self.rating_buttons.items():
            b.setText("★" * r.value + "\n" + i18n.text(RATING_LABELS[r]))
        self.reason_title.setText(self.tr("Sorry. What went wrong? (choose at least one)"))
        for code, b in self.reason_buttons.items():
            b.setText(i18n.text(LOW_RATING_REASONS[code]))
        self.comment.setPlaceholderText(self.tr("Anything else you would like to tell us (optional)"))
        self.submit_low.setText(self.tr("Submit"))
        if self.toggle_action is not None:
            self.toggle_action.setText(self.tr("Show or hide the applicant's screen (Ctrl+Shift+C)"))
        self._render()
        self.refresh()  # the case's texts come from the core, in the new language

    # -- following the clerk's window ---------------------------------------------------------------
    def place(self) -> Placement:
        """Where ``choose_placement`` says: frameless full screen on the applicant's screen (not the one
        the main window is on), or a normal movable window when there is only one screen."""
        main = self.parentWidget()
        handle = main.windowHandle() if main is not None else None
        clerk = handle.screen().name() if handle is not None and handle.screen() is not None else None
        primary, screens, infos = QGuiApplication.primaryScreen(), QGuiApplication.screens(), []
        for s in screens:
            g = s.geometry()
            infos.append(ScreenInfo(s.name(), g.x(), g.y(), g.width(), g.height(), s is primary))
        placement = choose_placement(infos, self.ctx.settings.customer_screen, clerk)
        screen = next((s for s in screens if s.name() == placement.screen), None)
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, placement.fullscreen)
        if placement.fullscreen:
            if screen is not None:
                self.setScreen(screen)
            self.setGeometry(*placement.geometry)
            self.showFullScreen()
        else:
            self.showNormal()  # also leaves full screen when the applicant's screen went away
            self.setGeometry(*placement.geometry)
            # Large type can make the window wider or taller than asked for: keep it on the screen.
            if screen is not None:
                avail, frame = screen.availableGeometry(), self.frameGeometry()
                x = max(avail.left(), min(frame.left(), avail.right() - frame.width()))
                y = max(avail.top(), min(frame.top(), avail.bottom() - frame.height()))
                if (x, y) != (frame.left(), frame.top()):
                    self.move(x, y)
            if not placement.shown:  # one screen: not over the clerk's window until asked for (Ctrl+Shift+C)
                self.hide()
        log.info("customer window on %s (%s, full screen: %s)", placement.screen, placement.note, placement.fullscreen)
        return placement

    def screens_changed(self, _screen: object) -> None:
        QTimer.singleShot(0, self, self.place)  # after Qt has finished moving windows

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The main window closes (logout, quit): this one goes with it, forgetting the applicant."""
        if watched is self.parentWidget() and event.type() == QEvent.Type.Close:
            self.clear()
            self.close()
        return False

    # -- following the desk -----------------------------------------------------------------------
    def _on_opened(self, case_id: str) -> None:
        self._forget()
        self.flow.open(case_id)
        self._show_phase()
        self.refresh()

    def _on_changed(self, case_id: str) -> None:
        if case_id != self.case_id:
            # A case we were not told about (or one after clear()): start afresh, never mix two.
            self._on_opened(case_id)
        elif self.flow.follows_changes:
            self.refresh()

    def _on_decided(self, case_id: str, decision: str) -> None:
        if case_id != self.case_id:
            self._on_opened(case_id)
        try:
            self.flow.decided(Decision(decision))
        except ValueError:
            log.warning("unknown decision %r", decision)
            return
        self.refresh()
        self._show_phase()

    def clear(self) -> None:
        """Forget the applicant and show the idle screen (next applicant, logout, screen lock)."""
        self.serving_ticket = None
        self._forget()
        self._show_phase()

    def show_serving(self, ticket_no: str | None) -> None:
        """The queue number now called to this window (a queue system may call this)."""
        self.serving_ticket = ticket_no
        self._render()

    def _forget(self) -> None:
        for t in (self._rating_timer, self._tick, self._thanks_timer):
            t.stop()
        self.flow.open(None)
        self.shown, self._thumbs, self._decoded = None, {}, {}
        self._reset_rating_widgets()
        self.confirm_error.clear()
        self._render()  # nothing of the applicant stays on any page

    def refresh(self) -> None:
        """Re-read the case (masked) and its thumbnails off the GUI thread, then redraw; when reads
        overlap only the latest is shown."""
        case_id, decision = self.case_id, self.flow.decision
        if case_id is None:
            return
        cases, customer, actor, pages, decoded = self.ctx.cases, self.customer, self.actor, self.pages, self._decoded

        def work() -> tuple[Screen, dict[str, list[QImage]], dict[tuple[str, int], QImage]]:
            screen = read_screen(cases, customer, actor, case_id, decision)
            return screen, *_read_thumbnails(pages, actor, screen, decoded)

        self.reader.read(work, self.windowTitle())

    def _read(self, result: tuple[Screen, dict[str, list[QImage]], dict[tuple[str, int], QImage]]) -> None:
        screen, thumbs, decoded = result
        if screen.case_id != self.case_id:
            return  # the desk moved on (or was cleared) while it was read
        self.shown, self._thumbs, self._decoded = screen, thumbs, decoded
        self.serving_ticket = screen.ticket_no
        self._render()
        if self.flow.skip_rating(screen):
            self._finish(rated=True, announce=False)

    def _not_read(self, exc: BaseException) -> None:
        log.warning("customer window cannot read the case: %s", exc)
        if self.case_id is not None:
            self.clear()

    # -- drawing ----------------------------------------------------------------------------------
    def show_sample(self, title: str, image: QImage) -> None:
        """Show a 样表 (or blank form) page over whatever the applicant sees, until ``hide_sample`` or
        the next change of phase."""
        if self.stack.currentWidget() is not self.sample_page:
            self._before_sample = self.stack.currentWidget()
        self.sample_title.setText(title)
        height = max(300, self.height() - 160)
        self.sample_image.setPixmap(
            QPixmap.fromImage(image.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation))
        )
        self.stack.setCurrentWidget(self.sample_page)

    def hide_sample(self) -> None:
        if self.stack.currentWidget() is self.sample_page and self._before_sample is not None:
            self.stack.setCurrentWidget(self._before_sample)

    def _show_phase(self) -> None:
        phase = self.phase
        if phase is Phase.RATING and self.stack.currentWidget() is not self.rating_page:
            self._reset_rating_widgets()
            self._restart_rating_timer()
        page = {
            Phase.IDLE: self.idle_page,
            Phase.DONE: self.idle_page,
            Phase.CHECKLIST: self.checklist_page,
            Phase.NOTICE: self.notice_page,
            Phase.RATING: self.rating_page,
            Phase.THANKS: self.thanks_page,
        }[phase]
        self.stack.setCurrentWidget(page)
        self.header.setVisible(phase not in (Phase.IDLE, Phase.DONE))

    def _render(self) -> None:
        ticket = self.serving_ticket
        self.idle_serving.setText(self.tr("Now serving No. %1").replace("%1", ticket) if ticket else "")
        self.idle_serving.setVisible(bool(ticket))
        self.header_ticket.setText(self.tr("No. %1").replace("%1", ticket) if ticket else "")
        screen = self.shown or NOTHING
        self.item_name.setText(screen.item_name)
        self.applicant.setText(screen.parties)
        self.summary.setText(screen.checklist.summary)
        self.lines_box = QWidget()
        self.lines_box.setObjectName("linesBox")
        rows = QVBoxLayout(self.lines_box)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(8)
        for line in screen.checklist.lines:
            rows.addWidget(self._line_row(line, self._thumbs.get(line.code, [])))
        rows.addStretch(1)
        self.lines_scroll.setWidget(self.lines_box)  # deletes the rows shown before
        self.confirm_state.setText(screen.confirmation)
        _restyle(self.confirm_state, CONFIRM_STYLE[screen.confirmed])
        self.confirm_button.setVisible(not screen.confirmed)
        self.confirm_button.setEnabled(bool(screen.checklist.lines))
        self.notice_title.setText(screen.notice_title)
        self.notice_text.setText(screen.notice)
        self.notice_due.setText(screen.notice_footer)
        self.decision_summary.setText(screen.decision_summary)

    def _line_row(self, line: ShownLine, images: list[QImage]) -> QWidget:
        row = QFrame()
        row.setObjectName("lineRow")
        row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row.setProperty("lineCode", line.code)
        status = label(line.status_text, name=STATUS_STYLE[line.kind])
        status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status.setProperty("status", line.status.value)
        details = add(QHBoxLayout(), label(line.needed, name="lineNeed"))
        details.addSpacing(24)
        add(details, label(line.received, name="lineGot"), None)
        pages = label(line.pages, name="pages")
        pages.setProperty("pageCount", line.page_count)
        thumbs = QHBoxLayout()
        thumbs.setSpacing(6)
        for image in images:
            thumb = label(name="thumb")
            thumb.setPixmap(QPixmap.fromImage(image))
            thumbs.addWidget(thumb)
        if line.page_count > len(images) and images:
            thumbs.addWidget(label(f"+{line.page_count - len(images)}", name="pages"))
        row.setProperty("thumbnails", len(images))
        box = QVBoxLayout()
        box.addWidget(pages, 0, Qt.AlignmentFlag.AlignRight)
        box.addLayout(thumbs)
        grid = QGridLayout(row)
        grid.setContentsMargins(16, 10, 16, 10)
        grid.setHorizontalSpacing(18)
        grid.addWidget(label(line.title, name="lineName", wrap=True), 0, 0)
        grid.addWidget(status, 0, 2, 2, 1)
        grid.addLayout(details, 1, 0)
        if line.reason:
            grid.addWidget(label(line.reason, name="lineReason", wrap=True), 2, 0)
        grid.addLayout(box, 0, 1, 3, 1)
        grid.setColumnStretch(0, 1)
        return row

    # -- the applicant acts -----------------------------------------------------------------------
    def _store(
        self, work: Callable[[str], Any], done: Callable[[str], None], failed: Callable[[str, BaseException], None]
    ) -> None:
        """Store what the applicant did, off the GUI thread; one thing at a time. ``done``/``failed``
        get the case id it was for (the desk may have moved on meanwhile)."""
        case_id = self.case_id
        if case_id is None or (self.op is not None and self.op.busy):
            return
        self.op = CoreOp(
            self,
            lambda _report, _cancel: work(case_id),
            lambda _result: done(case_id),
            title=self.tr("Saving…"),
            on_failure=lambda exc: failed(case_id, exc),
            ordered=True,
            progress=False,  # no progress dialog on the applicant's screen
        ).run()

    def confirm(self) -> None:
        screen = self.shown
        if self.phase is not Phase.CHECKLIST or screen is None:
            return
        self.confirm_error.clear()
        self._store(
            lambda case_id: self.customer.confirm_materials(self.actor, case_id, screen.lines_hash),
            self._confirmed,
            self._not_confirmed,
        )

    def _confirmed(self, case_id: str) -> None:
        if case_id == self.case_id:
            self.refresh()
        self.confirmed.emit(case_id)

    def _not_confirmed(self, case_id: str, exc: BaseException) -> None:
        if case_id != self.case_id:
            return
        self.refresh()
        self.confirm_error.setText(error_text(exc))

    def start_rating(self) -> None:
        """After the notice: the applicant read it."""
        self.flow.start_rating()
        if self.shown is not None and self.flow.skip_rating(self.shown):
            self._finish(rated=True, announce=False)
        else:
            self._show_phase()

    def choose_rating(self, rating: Rating) -> None:
        if self.phase is not Phase.RATING:
            return
        self._mark_chosen(rating)
        if rating.low:
            self.reasons_box.show()
            self._reasons_changed()
        else:
            self._store_rating(rating)

    def submit_low_rating(self) -> None:
        reasons = [c for c, b in self.reason_buttons.items() if b.isChecked()]
        if self._rating is not None and self._rating.low and reasons:  # (the button is disabled otherwise)
            self._store_rating(self._rating, reasons, self.comment.text())

    def _rating_timed_out(self) -> None:
        if self.phase is Phase.RATING:
            self._store_rating(None)

    def _store_rating(self, rating: Rating | None, reasons: Sequence[str] = (), comment: str = "") -> None:
        """Store the rating, or None: not rated in time. Never argue with the applicant: thank them
        whatever happens; the clerk's log has the reason when it was not stored."""
        self._rating_timer.stop()
        customer, actor, value = self.customer, self.actor, rating.value if rating is not None else 0

        def work(case_id: str) -> None:
            if rating is None:
                customer.record_unrated(actor, case_id)
            else:
                customer.rate(actor, case_id, rating, list(reasons), comment)

        self._store(
            work,
            lambda case_id: self._rated(case_id, value),
            lambda case_id, exc: self._rated(case_id, value, exc),
        )

    def _rated(self, case_id: str, value: int, exc: BaseException | None = None) -> None:
        if exc is not None:
            log.warning("rating %s not stored: %s", value, exc)
        self.rated.emit(case_id, value)
        if case_id == self.case_id:
            self._finish(rated=value > 0)

    def _reasons_changed(self, *_: object) -> None:
        self.submit_low.setEnabled(any(b.isChecked() for b in self.reason_buttons.values()))
        if self.phase is Phase.RATING:
            self._restart_rating_timer()

    def _mark_chosen(self, rating: Rating | None) -> None:
        self._rating = rating
        for r, b in self.rating_buttons.items():
            b.setProperty("chosen", r is rating)
            _restyle(b, b.objectName())

    def _reset_rating_widgets(self) -> None:
        self._mark_chosen(None)
        self.reasons_box.hide()
        for b in self.reason_buttons.values():
            b.setChecked(False)
        self.comment.clear()
        self.submit_low.setEnabled(False)

    def _restart_rating_timer(self) -> None:
        self._rating_timer.start(self.rating_timeout_ms)
        self._tick.start()
        self._update_countdown()

    def _update_countdown(self) -> None:
        left = (
            min(round(self._rating_timer.remainingTime() / 1000), -(-self.rating_timeout_ms // 1000))
            if self._rating_timer.isActive()
            else 0
        )
        self.countdown.setText(self.tr("Returns to the start in %1 s").replace("%1", str(left)))

    def _finish(self, *, rated: bool, announce: bool = True) -> None:
        self._rating_timer.stop()
        self._tick.stop()
        self.thanks.setText(
            self.tr("Thank you for your feedback!") if rated else self.tr("Not rated. Thank you for your patience!")
        )
        self.flow.finished()
        self._show_phase()
        self._thanks_timer.start(self.thanks_ms if announce else 0)

    def _thanks_over(self) -> None:
        self.flow.thanks_over()
        self._show_phase()


STATUS_STYLE = {
    Kind.OK: "statusOk",
    Kind.BAD: "statusBad",
    Kind.WAIT: "statusWait",
    Kind.NONE: "statusNone",
}
CONFIRM_STYLE = {True: "confirmState", False: "confirmError", None: "confirmPrompt"}
NOTHING = Screen("", "", "", Checklist((), ""), "", "", None, None, False)  # no case on the desk


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _restyle(widget: QWidget, object_name: str) -> None:
    """Change the style-sheet selector of a widget (object name or dynamic property) and apply it."""
    widget.setObjectName(object_name)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _read_thumbnails(
    pages: Any, actor: Actor, screen: Screen, decoded: dict[tuple[str, int], QImage]
) -> tuple[dict[str, list[QImage]], dict[tuple[str, int], QImage]]:
    """On the worker thread: the first pages of each line, decoded small (a QImage; the QPixmap is
    made on the GUI thread). ``decoded`` holds what earlier reads decoded: a page is decoded once."""
    by_line: dict[str, list[QImage]] = {}
    cache: dict[tuple[str, int], QImage] = {}
    if pages is None:
        return by_line, cache
    for line in screen.checklist.lines:
        if not line.page_count:
            continue
        images = by_line[line.code] = []
        try:
            for page in pages.pages(screen.case_id, line.code)[:THUMBS_PER_LINE]:
                key = (page.sha256, page.rotation)
                if key in decoded:
                    cache[key] = decoded[key]
                elif key not in cache:
                    data, _mime, rotation = pages.image(actor, page.id)
                    cache[key] = _thumbnail(data, rotation)
                images.append(cache[key])
        except ClerkAppError as exc:
            # A missing or damaged image must not hide the checklist; the count still shows.
            log.warning("thumbnail unavailable for line %s: %s", line.code, exc)
    return by_line, cache


def _thumbnail(data: bytes, rotation: int) -> QImage:
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        # A bilevel text page (TIFF G4, what the pipeline stores for text): QImageReader over a QBuffer
        # crashed the process in Qt's TIFF handler; QImage.fromData decodes it (1 bit per pixel, small).
        image = QImage.fromData(data)
    else:
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        size = reader.size()
        if size.isValid() and size.height() > 0:
            # Decode small directly (JPEG scales while decoding): no full-size image in memory.
            reader.setScaledSize(QSize(max(1, size.width() * THUMB_HEIGHT * 2 // size.height()), THUMB_HEIGHT * 2))
        image = reader.read()
    if image.isNull():
        return image
    if rotation:
        image = image.transformed(QTransform().rotate(rotation))
    return image.scaledToHeight(THUMB_HEIGHT, Qt.TransformationMode.SmoothTransformation)


# -- placement and wiring -------------------------------------------------------------------------
def attach_customer_window(
    main: MainWindow, *, show: bool = True, rating_timeout_ms: int | None = None
) -> CustomerWindow:
    """Create the customer window for a clerk's main window, place it and keep it in step:
    ``main.customer_window`` is the window; the screen lock (``main.locked`` or the idle lock's
    ``locked``) clears it; it closes with the main window (logout, quit: it must not outlive it) and,
    when ``show``, is placed again whenever screens come and go (a cable, a tablet), so a full-screen
    window never ends up covering the clerk's screen."""
    ctx = main.ctx
    customer = CustomerWindow(
        ctx, main.actor, main.current_case, pages=ctx.pages, rating_timeout_ms=rating_timeout_ms, parent=main
    )
    main.customer_window = customer  # type: ignore[attr-defined]
    locked = getattr(main, "locked", None) or getattr(getattr(main, "idle_lock", None), "locked", None)
    if locked is not None:
        locked.connect(customer.clear)
    main.installEventFilter(customer)  # CustomerWindow.eventFilter: closes with it
    # The applicant confirmed the list: the desk re-reads the case (the clerk sees it, and an
    # acceptance that needs the confirmation becomes possible).
    customer.confirmed.connect(lambda _case_id: main.current_case.touch())
    # Show or hide the applicant's screen by hand: on one screen it starts hidden (it would cover the
    # clerk's own window); the clerk shows it to turn the screen to the applicant, and hides it again.
    customer.toggle_action = shortcut(
        main, "Ctrl+Shift+C", partial(toggle_customer_window, customer), context=Qt.ShortcutContext.WindowShortcut
    )
    customer.toggle_action.setObjectName("toggleCustomerWindow")
    main.customer_window_action = customer.toggle_action  # type: ignore[attr-defined]
    customer.retranslate()
    app = QGuiApplication.instance()
    if show and isinstance(app, QGuiApplication):
        app.screenAdded.connect(customer.screens_changed)
        app.screenRemoved.connect(customer.screens_changed)
        customer.place()
    return customer


def toggle_customer_window(customer: CustomerWindow) -> None:
    customer.setVisible(not customer.isVisible())  # full screen or not, as it was placed
    customer.raise_()
