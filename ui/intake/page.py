"""The intake page — where a clerk lives all day. Pick the item, identify the applicant (chip or
typed), answer the intake questions, receive and check each material on the checklist, decide.

Every change is saved by the core as it happens (one short transaction per action), so a crash
loses nothing; the rules (what may be deferred, which decision is allowed) come from the core and the
buttons only reflect them. Keyboard: see the shortcut table in ``IntakePage.SHORTCUTS``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.card_workflow import AccessKeyNeeded, ApplicantRead
from clerk_app.cases import CaseService, DecisionResult, LineView
from clerk_app.intake_desk import (
    DecisionPlan,
    DeskState,
    OpenedDesk,
    case_title,
    current_step,
    desk_state,
    line_forms,
    matters_text,
    open_desk,
    plan_decision,
    start_intake,
    summary,
)
from clerk_app.item_search import ItemIndex
from clerk_app.lifecycle import DECISION_LABELS, CaseStatus, Decision, LineStatus
from clerk_app.persons import PersonData, PersonView
from clerk_app.roles import Actor, Permission
from clerk_app.search import MATTER_RESULT, OpenMatter
from ui.intake.applicant_panel import ApplicantPanel
from ui.intake.checklist_model import ChecklistModel
from ui.intake.identity_check import IdentityCheckPanel
from ui.intake.item_picker import ItemPicker
from ui.intake.prompts import Prompts
from ui.intake.questions import QuestionsPanel
from ui.intake.step_strip import StepStrip
from ui.operations import CoreOp, error_text
from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.common import Retranslating, add, button, label, line_edit, shortcut

if TYPE_CHECKING:
    from ui.pages import PageHost

# The decision actions with their decision.
DECISION_ACTIONS = {
    Decision.ACCEPT: "accept_action",
    Decision.ACCEPT_WITH_DEFICIENCIES: "accept_deficient_action",
    Decision.RETURN_WITH_NOTICE: "notice_action",
    Decision.REJECT: "reject_action",
}
CaseCall = Callable[[CaseService, Actor, str], Any]  # a core call on the case on the desk
SUMMARY_STYLES = {"decided": "color: #1e7e34; font-weight: bold;", "owed": "color: #b3261e;", "ok": "color: #1e7e34;"}

# The page's actions: (attribute, shortcut, text) — the text is the button's and the help overlay's.
ACTIONS = (
    ("new_action", "Ctrl+N", QT_TRANSLATE_NOOP("IntakePage", "New intake")),
    ("call_next_action", "F5", QT_TRANSLATE_NOOP("IntakePage", "Next applicant (F5)")),
    ("recall_action", "Shift+F5", QT_TRANSLATE_NOOP("IntakePage", "Call again (Shift+F5)")),
    ("skip_action", "Ctrl+F5", QT_TRANSLATE_NOOP("IntakePage", "No-show (Ctrl+F5)")),
    ("transfer_action", "Ctrl+Shift+F5", QT_TRANSLATE_NOOP("IntakePage", "Transfer to another window (Ctrl+Shift+F5)")),
    ("find_item_action", "Ctrl+K", QT_TRANSLATE_NOOP("IntakePage", "Find item")),
    ("read_card_action", "F6", QT_TRANSLATE_NOOP("IntakePage", "Read identity card")),
    ("identity_match_action", "F10", QT_TRANSLATE_NOOP("IntakePage", "Person matches the document")),
    ("identity_mismatch_action", "Shift+F10", QT_TRANSLATE_NOOP("IntakePage", "Person does not match the document")),
    ("cancel_read_action", "Esc", QT_TRANSLATE_NOOP("IntakePage", "Cancel the card read")),
    ("receive_action", "Ctrl+R", QT_TRANSLATE_NOOP("IntakePage", "Received (Ctrl+R)")),
    ("counts_action", "Ctrl+G", QT_TRANSLATE_NOOP("IntakePage", "Counts… (Ctrl+G)")),
    ("waive_action", "Ctrl+W", QT_TRANSLATE_NOOP("IntakePage", "Waive… (Ctrl+W)")),
    ("verify_action", "Ctrl+E", QT_TRANSLATE_NOOP("IntakePage", "Verified (Ctrl+E)")),
    ("defect_action", "Ctrl+D", QT_TRANSLATE_NOOP("IntakePage", "Defective… (Ctrl+D)")),
    ("defer_action", "Ctrl+T", QT_TRANSLATE_NOOP("IntakePage", "Defer 容缺… (Ctrl+T)")),
    ("reset_line_action", "Ctrl+Backspace", QT_TRANSLATE_NOOP("IntakePage", "Reset line")),
    ("accept_action", "Ctrl+1", QT_TRANSLATE_NOOP("IntakePage", "Accept (Ctrl+1)")),
    ("accept_deficient_action", "Ctrl+2", QT_TRANSLATE_NOOP("IntakePage", "Accept with deficiencies (Ctrl+2)")),
    ("notice_action", "Ctrl+3", QT_TRANSLATE_NOOP("IntakePage", "One-time notice (Ctrl+3)")),
    ("reject_action", "Ctrl+4", QT_TRANSLATE_NOOP("IntakePage", "Reject (Ctrl+4)")),
    ("hand_over_action", "Ctrl+H", QT_TRANSLATE_NOOP("IntakePage", "Hand over to window (Ctrl+H)")),
    ("checklist_focus_action", "Ctrl+L", QT_TRANSLATE_NOOP("IntakePage", "Go to checklist")),
    ("open_matter_action", "Ctrl+O", QT_TRANSLATE_NOOP("IntakePage", "Open the applicant's earlier case (Ctrl+O)")),
    ("form_action", "Ctrl+B", QT_TRANSLATE_NOOP("IntakePage", "Sample or blank form of the line (Ctrl+B)")),
)


class IntakePage(Retranslating, QWidget):
    SHORTCUTS = tuple((name, key) for name, key, _text in ACTIONS)  # also listed in the help overlay

    def __init__(self, window: PageHost) -> None:
        super().__init__()
        self.main = window
        self.ctx = window.ctx
        self.actor = window.actor
        self.prompts = Prompts(self)
        self.case_id: str | None = None
        self.clerk_actions = 0  # key presses + clicks that changed something, for the bench figure
        self._refreshing = False
        self._card_op: CoreOp | None = None  # a chip read in progress (Esc cancels it)
        self.state: DeskState | None = None  # the case on the desk as last read (clerk_app/intake_desk.py)

        # -- left: item, applicant, agent, questions --
        self.ticket = line_edit("ticketNo")
        self.ticket.setMaximumWidth(120)
        self._ticket_label = label()
        self._ticket_label.setBuddy(self.ticket)
        self.case_label = label(name="caseLabel", style="font-size: 15px; font-weight: bold;")
        self.picker = ItemPicker()  # the catalogue's items and the clerk's recent ones follow (load_items)
        self.picker.picked.connect(self.start_case)
        self.applicant = ApplicantPanel()
        self.applicant.submitted.connect(self.save_applicant)
        self.applicant.read_card_requested.connect(self.read_card)
        self.agent = ApplicantPanel(agent=True)
        self.agent.submitted.connect(lambda data: self.save_applicant(data, agent=True))
        self.agent.read_card_requested.connect(lambda: self.read_card(agent=True))
        self.identity_check = IdentityCheckPanel()  # 人证比对 after a chip read (clerks only)
        self.identity_check.decided.connect(self.record_identity_check)
        self.questions = QuestionsPanel()
        self.questions.answered.connect(self.answer)
        self.prereview_note = label(name="prereviewNote", style="color: #0b57d0;")
        self.matters: list[OpenMatter] = []  # the applicant's earlier cases that need something today
        self.matters_note = label(name="openMatters", style="color: #b3261e; font-weight: bold;", wrap=True)
        self.matters_note.setVisible(False)
        left_w = QWidget()
        add(
            QVBoxLayout(left_w),
            add(QHBoxLayout(), self._ticket_label, self.ticket, (self.case_label, 1)),
            self.prereview_note,
            self.matters_note,
            (self.picker, 2),
            self.applicant,
            self.identity_check,
            self.agent,
            self.questions,
            0,
        )

        # -- right: checklist, summary, decisions --
        self.model = ChecklistModel()
        self.table = QTableView()
        self.table.setObjectName("checklist")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.receive_line())
        self.table.selectionModel().currentRowChanged.connect(self._line_focused)
        self.summary = label(name="missingSummary", wrap=True)
        self.line_buttons, self.decision_bar = QHBoxLayout(), QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        checklist_w = QWidget()
        checklist = add(QVBoxLayout(checklist_w), (self.table, 1), self.line_buttons, self.summary, self.decision_bar)
        checklist.setContentsMargins(0, 0, 0, 0)
        # Pages are scanned into the checklist line that has focus (ui/scanning, devices/scanners).
        from ui.scanning.panel import ScanningPanel

        self.scanning = ScanningPanel(window)
        self.scanning.setObjectName("scanningPanel")
        self.scanning.status_changed.connect(lambda text: self.main.show_device_status("scanner", text))
        right_w = QSplitter(Qt.Orientation.Vertical)
        right_w.addWidget(checklist_w)
        right_w.addWidget(self.scanning)
        right_w.setStretchFactor(0, 3)
        right_w.setStretchFactor(1, 2)
        splitter = QSplitter()
        splitter.addWidget(left_w)
        splitter.addWidget(right_w)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.steps = StepStrip()  # 事项 → 读证 → 材料 → 扫描 → 决定, from the case on the desk
        add(QVBoxLayout(self), self.steps, splitter)

        self._make_actions()
        self.retranslate()
        self.main.current_case.closed.connect(self._on_desk_cleared)
        self.main.current_case.changed.connect(self._changed_elsewhere)
        self.show_case(None)
        self.load_items()

    # -- actions -------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        self.line_actions: dict[str, Callable[[], Any]] = {  # the focused line's, a button each
            "receive_action": self.receive_line,
            "counts_action": self.receive_counts,
            "waive_action": self.waive_line,
            "verify_action": lambda: self.set_line_status(LineStatus.VERIFIED),
            "defect_action": self.mark_defective,
            "defer_action": self.defer_line,
            "reset_line_action": lambda: self.set_line_status(LineStatus.PENDING),
        }
        decision_actions = {name: partial(self.decide, decision) for decision, name in DECISION_ACTIONS.items()}
        handlers: dict[str, Callable[[], Any]] = {
            "new_action": self.new_intake,
            "call_next_action": self.call_next,
            "recall_action": self.recall_ticket,
            "skip_action": self.skip_ticket,
            "transfer_action": self.transfer_ticket,
            "find_item_action": self.picker.focus_search,
            "read_card_action": self.read_card,
            "identity_match_action": lambda: self.record_identity_check(True),
            "identity_mismatch_action": lambda: self.record_identity_check(False),
            "cancel_read_action": self.cancel_card_read,
            **self.line_actions,
            **decision_actions,
            "hand_over_action": self.hand_over,
            "checklist_focus_action": self.table.setFocus,
            "open_matter_action": self.open_matter,
            "form_action": self.show_form,
        }
        for name, key in self.SHORTCUTS:
            action = shortcut(self, key, partial(self._count, handlers[name]))
            setattr(self, name, action)
            if name in self.line_actions or name in decision_actions or name == "hand_over_action":
                self.buttons[name] = button(name.replace("_action", "Button"), action.trigger)
                (self.line_buttons if name in self.line_actions else self.decision_bar).addWidget(self.buttons[name])
        # Actions the role may never use are hidden and disabled (their shortcuts do nothing).
        self._forbidden: set[str] = set()
        if not self.actor.can(Permission.CASE_DECIDE):
            self._forbidden.update(decision_actions)
        if not self.actor.can(Permission.CASE_HAND_OVER):
            self._forbidden.add("hand_over_action")
        for name in self._forbidden:
            self.buttons[name].setVisible(False)
            getattr(self, name).setEnabled(False)

    def _count(self, handler: Callable[[], Any]) -> None:
        self.clerk_actions += 1
        handler()

    def retranslate(self) -> None:
        for name, _key, source in ACTIONS:
            text = self.tr(source)
            getattr(self, name).setText(text)
            if name in self.buttons:
                self.buttons[name].setText(text)
        self._ticket_label.setText(self.tr("Ticket"))
        if self.state is not None:
            self._render(self.state)

    def load_items(self) -> None:
        """The item picker's index (built again only when another catalogue version is active) and the
        clerk's recent items, read off the GUI thread."""
        catalogue, cases, actor, index = self.ctx.catalogue, self.ctx.cases, self.actor, self.picker.index

        def read() -> tuple[ItemIndex, list[str]]:
            active = catalogue.active()
            fresh = index if index is not None and index.version == active.version else ItemIndex(active)
            return fresh, cases.recent_item_codes(actor)

        self._run(read, lambda loaded: self.picker.set_index(*loaded), refresh=False)

    # -- case lifecycle on the desk -----------------------------------------------------------
    def focus_first(self) -> None:
        """Where the cursor goes when the page is shown (F2): the item search with no case on the
        desk, else the checklist."""
        if self.case_id is None:
            self.picker.focus_search()
        else:
            self.table.setFocus()

    def new_intake(self) -> None:
        """Clear the desk for the next applicant (the previous draft stays saved)."""
        self.main.current_case.close()
        self.ticket.clear()
        self._show_matters(())
        self.picker.query.clear()
        self.picker.focus_search()
        self.load_items()

    # -- the queue at the window (叫号) ---------------------------------------------------------
    def call_next(self) -> None:
        """下一位: the current case stays saved (every change already is), the desk is cleared, the
        next ticket is called to this window and the cursor is in the item search."""
        self.new_intake()
        queue, actor = self.ctx.queue, self.actor
        self._run(lambda: queue.call_next(actor).number, self._show_ticket)

    def _show_ticket(self, number: str | None) -> None:
        self.ticket.setText(number or "")
        customer = getattr(self.main, "customer_window", None)
        if customer is not None:
            customer.show_serving(number)
        self.picker.focus_search()

    def recall_ticket(self) -> None:
        queue, actor = self.ctx.queue, self.actor
        self._run(lambda: queue.recall(actor).number, self._show_ticket)

    def skip_ticket(self) -> None:
        queue, actor = self.ctx.queue, self.actor
        self._run(lambda: queue.skip(actor), lambda _r: self._show_ticket(None))

    def transfer_ticket(self) -> None:
        window = self.prompts.window_no()
        if window is not None:
            queue, actor = self.ctx.queue, self.actor
            self._run(lambda: queue.transfer(actor, window), lambda _r: self._show_ticket(None))

    def _line_focused(self) -> None:
        line = self.current_line()
        if line is not None:
            self.scanning.set_target_line(line.code)

    def _changed_elsewhere(self, case_id: str) -> None:
        # e.g. a page scanned into a line: page counts and the decision bar follow
        if case_id == self.case_id and not self._refreshing:
            self.refresh()

    def _on_desk_cleared(self) -> None:
        if self.case_id is not None:
            self.show_case(None)

    def start_case(self, item_code: str) -> None:
        ctx, actor, ticket = self.ctx, self.actor, self.ticket.text().strip() or None
        data_dir = ctx.settings.resolved_data_dir()

        def started(case_id: str) -> None:
            self.open_case(case_id)
            self.applicant.name.setFocus()

        self._run(lambda: start_intake(ctx.cases, ctx.queue, data_dir, actor, item_code, ticket), started)

    def open_case(self, case_id: str) -> None:
        self.show_case(case_id)
        self.main.current_case.open(case_id)

    def show_case(self, case_id: str | None) -> None:
        """Put ``case_id`` on the desk (None: an empty desk). The case is read off the GUI thread and
        shown when it arrives; the panels are usable at once."""
        self.case_id = case_id
        self.state = None
        has_case = case_id is not None
        self.picker.setVisible(not has_case)
        for w in (self.applicant, self.agent, self.questions, self.table):
            w.setEnabled(has_case)
        self.identity_check.clear()
        if case_id is None:
            self.applicant.clear()
            self.agent.clear()
            self.agent.setVisible(False)
            self.questions.set_item(None, {})
            self.model.set_lines([])
            self.case_label.setText(self.tr("New intake: choose the service item"))
            self.steps.set_step(0)
            self.prereview_note.clear()
            self._update_buttons(None)
            self.summary.clear()
            return
        ctx, actor = self.ctx, self.actor
        load = partial(open_desk, ctx.cases, ctx.customer, ctx.catalogue, ctx.users, actor, case_id)
        self._run(load, self._show_opened, refresh=False)

    def _show_opened(self, opened: OpenedDesk) -> None:
        view = opened.state.view
        if view.id != self.case_id:  # another case was put on the desk meanwhile
            return
        self.questions.set_item(opened.item, dict(view.answers))
        for panel, person in ((self.applicant, view.applicant), (self.agent, view.agent)):
            if person:
                panel.show_saved(person)
            else:
                panel.clear()
        self.prereview_note.setText(opened.prereview_note)
        self._render(opened.state)

    def refresh(self) -> None:
        """Read the case on the desk again (after the writes started before) and show it."""
        if self.case_id is not None:
            self._run(lambda: None)

    def _render(self, state: DeskState) -> None:
        if state.view.id != self.case_id:
            return
        self.state = state
        self._refreshing = True
        try:
            self._render_state(state)
        finally:
            self._refreshing = False

    def _render_state(self, state: DeskState) -> None:
        view = state.view
        self.steps.set_step(current_step(view))
        self.agent.setVisible(bool(view.answers.get("via_agent")))
        self.questions.sync(dict(view.answers))
        self.case_label.setText(case_title(view))
        row = self.table.currentIndex().row()
        self.model.set_lines(view.lines)
        if self.model.rowCount():
            row = min(max(row, 0), self.model.rowCount() - 1)
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_buttons(state)
        text, tone = summary(state)
        self.summary.setText(text)
        self.summary.setStyleSheet(SUMMARY_STYLES[tone])

    def _set_enabled(self, name: str, enabled: bool, why: str = "") -> None:
        enabled = enabled and name not in self._forbidden
        self.buttons[name].setEnabled(enabled)
        self.buttons[name].setToolTip(why)
        getattr(self, name).setEnabled(enabled)

    def _update_buttons(self, state: DeskState | None) -> None:
        editable = state is not None and state.editable
        for name in self.line_actions:
            self._set_enabled(name, editable)
        for decision, name in DECISION_ACTIONS.items():
            check = state.checks.get(decision) if state is not None and editable else None
            self._set_enabled(name, check is not None and check.allowed, check.why if check else "")
        self._set_enabled("hand_over_action", state is not None and state.view.status is CaseStatus.DRAFT)

    # -- editing (every core call off the GUI thread, in order) ----------------------------------
    def _run(self, work: Callable[[], Any], then: Callable[[Any], None] | None = None, *, refresh: bool = True) -> None:
        """Run a core call through CoreOp on the core-writes thread (in the order the clerk acted), then
        read the case on the desk again (``desk_state``) in the same worker call and show it, then
        ``then(result)``. A refusal is shown in the clerk's words and nothing else changes."""
        ctx, actor, case_id = self.ctx, self.actor, self.case_id

        def job(_report: Callable[[int, int, str], None], _cancel: threading.Event) -> tuple[Any, DeskState | None]:
            result = work()
            state = desk_state(ctx.cases, ctx.customer, actor, case_id) if refresh and case_id else None
            return result, state

        def done(outcome: tuple[Any, DeskState | None]) -> None:
            result, state = outcome
            if state is not None:
                self._render(state)
                self._refreshing = True  # our own change: the desk was just read, do not read it again
                try:
                    self.main.current_case.touch()
                finally:
                    self._refreshing = False
            if then is not None:
                then(result)

        CoreOp(self, job, done, title=self.tr("Intake"), on_failure=self._refused, ordered=True, progress=False).run()

    def _refused(self, exc: BaseException) -> None:
        self.prompts.error(error_text(exc))

    def _on_case(self, call: CaseCall, then: Callable[[Any], None] | None = None) -> None:
        """A core write on the case on the desk (none without one), through ``_run``."""
        cases, actor, case_id = self.ctx.cases, self.actor, self.case_id
        if case_id is not None:
            self._run(lambda: call(cases, actor, case_id), then)

    def answer(self, answers: dict[str, Any]) -> None:
        self.clerk_actions += 1
        self._on_case(lambda cases, actor, case_id: cases.set_answers(actor, case_id, answers))

    def save_applicant(self, data: PersonData, agent: bool = False) -> None:
        self.clerk_actions += 1
        self._on_case(
            lambda cases, actor, case_id: cases.set_applicant(actor, case_id, data, agent=agent),
            lambda view: self._applicant_saved(view, agent),
        )

    def _applicant_saved(self, view: PersonView, agent: bool) -> None:
        (self.agent if agent else self.applicant).show_saved(view)
        first = self.questions.first_widget()
        (first or self.table).setFocus()

    def current_line(self) -> LineView | None:
        """The checklist line that has focus (None with no case on the desk or no line chosen)."""
        index = self.table.currentIndex()
        return self.model.line(index.row()) if self.case_id is not None and index.isValid() else None

    def _update_line(self, line: LineView, **change: Any) -> None:
        self._on_case(lambda cases, actor, case_id: cases.update_line(actor, case_id, line.code, **change))

    def receive_line(self) -> None:
        """Received in full: the counts the catalogue asks for."""
        line = self.current_line()
        if line is not None:
            self._update_line(line, originals_received=line.originals_required, copies_received=line.copies_required)
            row = self.table.currentIndex().row()
            if row + 1 < self.model.rowCount():
                self.table.selectRow(row + 1)

    def receive_counts(self) -> None:
        """份数: fewer originals or copies than required stay owed (份数不足 on the notice)."""
        line = self.current_line()
        given = self.prompts.counts(line.name, line.originals_required, line.copies_required) if line else None
        if line is not None and given is not None:
            self._update_line(line, originals_received=given[0], copies_received=given[1])

    def waive_line(self) -> None:
        """免于提交 an optional material, with the reason (the core refuses a required one)."""
        line = self.current_line()
        reason = self.prompts.waive_reason(line.name) if line else None
        if reason:
            self.set_line_status(LineStatus.NOT_REQUIRED, reason=reason)

    def set_line_status(self, status: LineStatus, **extra: Any) -> None:
        line = self.current_line()
        if line is not None:
            self._update_line(line, status=status, **extra)

    def mark_defective(self) -> None:
        line = self.current_line()
        reason = self.prompts.defect_reason(line.name) if line else None
        if reason:
            self.set_line_status(LineStatus.DEFECTIVE, reason=reason)

    def defer_line(self) -> None:
        today = self.ctx.clock.now().date()
        due = self.prompts.due_date(self.tr("Defer material (容缺)"), today) if self.current_line() else None
        if due:
            self.set_line_status(LineStatus.DEFERRED, due_date=due)

    # -- samples and blank forms (样表) ------------------------------------------------------------
    def show_form(self) -> None:
        """The focused line's 样表 (a filled-in example), else its blank form (``line_forms``), in a
        preview the clerk can zoom and turn to the applicant; 打印 prints the blank form at once."""
        line = self.current_line()
        if self.state is None or line is None:
            return
        forms = line_forms(self.ctx.catalogue.active(), self.state.view.item_code, line.code)
        if forms is None:
            self.prompts.error(self.tr("This material has no sample or blank form"))
            return
        from ui.printing_ui import PreviewDialog, Rendered, render_pdf

        can_print = self.ctx.printing is not None and self.actor.can(Permission.PRINT)
        on_print = partial(self.print_form, forms.printed, forms.print_title) if can_print else None

        def show(rendered: Rendered) -> None:
            self.form_dialog = PreviewDialog.of(rendered, forms.title, self, on_print=on_print)
            self.form_dialog.show()
            customer = getattr(self.main, "customer_window", None)  # the applicant sees it too, while open
            if customer is not None and self.form_dialog.pages:
                customer.show_sample(forms.title, self.form_dialog.pages[0])
                self.form_dialog.finished.connect(lambda _code: customer.hide_sample())

        # the file read and its pages rendered off the GUI thread
        work = lambda _r, _c: render_pdf(forms.shown_bytes(), forms.shown.name)  # noqa: E731
        CoreOp(self, work, show, title=forms.title, progress=False).run()

    def print_form(self, form: Path, title: str) -> None:
        """Print the blank form (or sample) for the applicant at once, off the GUI thread."""
        printing, actor = self.ctx.printing, self.actor
        if printing is None:
            return
        self.form_print_op = CoreOp(
            self,
            lambda _report, _cancel: printing.print_form(actor, form.read_bytes(), form.name, title),
            lambda _job: self.main.show_status(self.tr("Sent to the printer: %1").replace("%1", title), 5000),
            title=self.tr("Printing %1").replace("%1", title),
        ).run()

    # -- the applicant's earlier cases ------------------------------------------------------------
    def _show_matters(self, matters: Sequence[OpenMatter]) -> None:
        """After a card read: does this applicant have a case returned with a notice, owing 容缺
        materials or with a result ready? Said on the page (``matters_text``); Ctrl+O opens the first."""
        self.matters = list(matters)
        self.matters_note.setText(matters_text(self.matters))
        self.matters_note.setVisible(bool(self.matters))

    def open_matter(self) -> None:
        """Open the first earlier case: a result ready goes to 出件 (F4) looked up; any other opens read
        only in the case view."""
        if not self.matters:
            return
        matter = self.matters[0]
        delivery = self.main.pages.get("delivery")
        if matter.kind == MATTER_RESULT and delivery is not None and matter.case_number:
            delivery.lookup.setText(matter.case_number)  # type: ignore[attr-defined]
            self.main.show_page(delivery)
            delivery.find_case()  # type: ignore[attr-defined]
            return
        from ui.search.case_view import CaseViewDialog

        self.matter_dialog = CaseViewDialog(
            self.ctx.cases, self.ctx.search, self.actor, matter.id, self, results=self.ctx.results
        )
        self.matter_dialog.open()

    # -- card reading (ctx.cards, off the GUI thread) ---------------------------------------------
    def read_card(self, agent: bool = False, access_key: object | None = None) -> None:
        """Read the document on the reader and file it on the case (``ctx.cards``: the chip read, the
        face kept, the person saved, 人证比对 and earlier matters fetched). A passport or travel permit
        needs its access key first: asked for, then the read is retried. Esc cancels."""
        if self.case_id is None:
            return
        panel = self.agent if agent else self.applicant
        panel.read_button.setEnabled(False)
        cards, actor, case_id = self.ctx.cards, self.actor, self.case_id

        def work(_report: Callable[[int, int, str], None], cancel: threading.Event) -> ApplicantRead:
            return cards.read_applicant(actor, case_id, agent=agent, access_key=access_key, cancel=cancel)

        def over(status: str = "") -> None:
            self._card_op = None
            panel.read_button.setEnabled(True)
            self.main.show_status(status, 3000)

        def done(read: ApplicantRead) -> None:
            over(self.tr("Card read"))
            if case_id != self.case_id:
                return
            panel.fill_from_chip(read.person)
            if read.saved is None:  # the case refused it: the chip's data stays in the panel
                self._refused(read.save_error or Exception())
                return
            self.clerk_actions += 1
            self._applicant_saved(read.saved, agent)
            if read.comparison is not None:
                self.identity_check.show_view(read.comparison)
            if not agent:
                self._show_matters(read.matters)
            self.refresh()

        def failed(exc: BaseException) -> None:
            over()
            if isinstance(exc, AccessKeyNeeded):
                if exc.refused is not None:
                    self.prompts.error(exc.refused.user_message())
                key = self.prompts.mrz_key()
                if key is not None:
                    self.read_card(agent, key)
            else:
                self._refused(exc)

        self.main.show_status(self.tr("Reading the card… (Esc cancels)"))
        self._card_op = CoreOp(
            self,
            work,
            done,
            title=self.tr("Read identity card"),
            on_failure=failed,
            on_cancelled=lambda: over(self.tr("Card read cancelled")),
            progress=False,  # the status line says it; Esc cancels (the page keeps the keyboard)
        ).run()

    def read_on_placement(self, reader: str) -> None:
        """A card was just placed and the station reads on placement (setting card_read_on_placement):
        the same read as F6, only when F6 would be allowed now and no read is running."""
        action = getattr(self, "read_card_action", None)  # created from ACTIONS in __init__
        if self.case_id is None or self._card_op is not None or action is None or not action.isEnabled():
            return
        self.main.show_status(self.tr("Card placed on %1: reading").replace("%1", reader), 3000)
        self.read_card()

    def cancel_card_read(self) -> None:
        """Esc while a card is being read: the reader stops at the next APDU/frame (UserCancelled)."""
        if self._card_op is not None:
            self._card_op.cancel()  # the read's cancel token

    # -- 人证比对 -------------------------------------------------------------------------------------
    def record_identity_check(self, matches: bool) -> None:
        if self.case_id is None or self.identity_check.view is None:
            return
        checks, actor, case_id = self.ctx.identity_checks, self.actor, self.case_id
        self._run(lambda: checks.record(actor, case_id, matches), lambda _r: self.identity_check.set_outcome(matches))

    # -- decisions -------------------------------------------------------------------------------
    def hand_over(self) -> None:
        def handed(_result: object) -> None:
            if self.state is not None and self.state.view.status is CaseStatus.READY_FOR_WINDOW:
                self.prompts.inform(self.tr("Handed over"), self.tr("The draft is now in the window's queue."))
                self.main.current_case.close()

        self._on_case(lambda cases, actor, case_id: cases.hand_over(actor, case_id), handed)

    def decide(self, decision: Decision) -> None:
        """The core plans the decision (allowed? which due date? what the preview lists), the page asks
        what only the clerk can say (due date, reason) and for the confirmation, the core decides."""
        if self.case_id is None:
            return
        ctx, actor, case_id = self.ctx, self.actor, self.case_id
        plan = partial(plan_decision, ctx.cases, ctx.catalogue, actor, case_id, decision)
        self._run(plan, lambda p: self._decide_with(case_id, p), refresh=False)

    def _decide_with(self, case_id: str, plan: DecisionPlan) -> None:
        if case_id != self.case_id:
            return
        if not plan.check.allowed:
            self.prompts.error(plan.check.why)
            return
        kwargs: dict[str, Any] = {}
        if plan.decision is Decision.ACCEPT_WITH_DEFICIENCIES:
            today = self.ctx.clock.now().date()
            due = plan.due_date or self.prompts.due_date(self.tr("Deadline for the deferred materials"), today)
            if due is None:
                return
            kwargs["due_date"] = due
        if plan.decision is Decision.REJECT:
            answer = self.prompts.reject(plan.legal_basis)
            if answer is None:
                return
            kwargs["reason"], kwargs["legal_basis"] = answer
        title = i18n.text(DECISION_LABELS[plan.decision])
        if not self.prompts.confirm(title, plan.preview(**kwargs)):
            return
        decision = plan.decision

        def decided(result: DecisionResult) -> None:
            self.main.current_case.decide(decision.value)
            # One confirmation per decision (issue 17): the outcome is said on the page, where the summary
            # was, and in the status line — not in a second dialog on top of the print question.
            self.main.show_status(f"{title} · {result.case_number}", 10000)

        self._on_case(lambda cases, actor, case_id: cases.decide(case_id, decision, actor, **kwargs), decided)
