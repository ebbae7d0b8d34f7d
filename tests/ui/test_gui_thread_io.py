"""No database work on the GUI thread (issue 13: every core write and every long read goes through
``ui.operations.CoreOp``), walked from the real login dialog for every role.

A recorder (testsupport/gui_io.py) notes every SQL statement run on the main thread while the app is
used: signing in, every page the role has (by its key), the lists on those pages, a case opened from
them, and for the clerk a whole intake by keyboard. A hit names the ui/ frames that caused it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QLineEdit

from clerk_app.demo import seed_demo_cases
from testsupport.gui_io import describe, gui_thread_queries
from testsupport.ui import ScriptedPrompts, login_through_dialog, settle_all, type_into

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def hall_ctx(demo_ctx):
    seed_demo_cases(demo_ctx)  # lists with rows in every state
    return demo_ctx


def _ready_case_number(ctx):
    """Read before the recorder starts (the test's own reads run on the main thread too)."""
    from clerk_app.roles import Actor

    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    assert isinstance(clerk, Actor)
    ready = ctx.cases.results_ready(clerk)
    assert ready, "the demo has a result ready for pickup"
    return ready[0].case_number


def _window(qtbot, ctx, translations, username):
    from ui.main_window import MainWindow

    dialog = login_through_dialog(qtbot, ctx, translations, username)
    window = MainWindow(dialog.ctx, dialog.actor, translations)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    settle_all(qtbot)
    return window


def _close_dialogs(qtbot):
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
    settle_all(qtbot)


def _enter(qtbot, widget, name, text):
    field = widget.findChild(QLineEdit, name)
    assert field is not None, name
    type_into(qtbot, field, text)
    qtbot.keyClick(field, K.Key_Return)
    settle_all(qtbot)


def _visit_every_page(qtbot, window, ready_number):
    """Each page by its key; on each, the first row of each list opened as a clerk would (Enter); on the
    search page a name searched for first, on the delivery page a ready result looked up."""
    from ui.pages import PAGES

    for page in PAGES:
        if page.key not in window.pages:
            continue
        widget = window.pages[page.key]
        window.show_page(widget)
        settle_all(qtbot)
        if page.key == "search":
            _enter(qtbot, widget, "searchName", "张明")
        elif page.key == "delivery":
            _enter(qtbot, widget, "deliveryLookup", ready_number)
        for view in widget.findChildren(QAbstractItemView):
            if not view.isVisible() or view.model() is None or view.model().rowCount() == 0:
                continue
            view.setCurrentIndex(view.model().index(0, 0))
            view.activated.emit(view.model().index(0, 0))
            settle_all(qtbot)
            _close_dialogs(qtbot)
            window.show_page(widget)
            settle_all(qtbot)


def _intake_by_keyboard(qtbot, window):
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    window.show_page(page)
    qtbot.keyClick(page, K.Key_N, CTRL)
    type_into(qtbot, page.picker.query, "高龄津贴")
    qtbot.keyClick(page.picker.query, K.Key_Return)
    settle_all(qtbot)
    assert page.case_id is not None
    panel = page.applicant
    for field, text in ((panel.name, "王奶奶"), (panel.number, "11010519491231002X"), (panel.address, "胜利街100号")):
        type_into(qtbot, field, text)
        qtbot.keyClick(field, K.Key_Return)
    qtbot.keyClick(panel.phone, K.Key_Return)
    settle_all(qtbot)
    page.table.setFocus()
    for row in range(page.model.rowCount()):
        page.table.selectRow(row)
        qtbot.keyClick(page.table, K.Key_R, CTRL)
        settle_all(qtbot)
    qtbot.keyClick(page, K.Key_1, CTRL)  # accept: the decision, its receipt job, the customer screen
    settle_all(qtbot)
    assert page.prompts.errors == []


@pytest.mark.parametrize("username", ["clerk", "prereview", "supervisor", "admin"])
def test_no_database_work_on_the_gui_thread(qtbot, hall_ctx, translations, username):
    ready_number = _ready_case_number(hall_ctx)
    with gui_thread_queries(hall_ctx.engine) as hits:
        window = _window(qtbot, hall_ctx, translations, username)
        if username == "clerk":
            _intake_by_keyboard(qtbot, window)
        _visit_every_page(qtbot, window, ready_number)
        settle_all(qtbot)
    assert not hits, f"{len(hits)} statements on the GUI thread:\n{describe(hits)}"
