"""No English where a clerk looks (issue 17 item 6): sign in through the real login dialog as every
demo user in zh_CN, open every page and every dialog the app has — the intake page's questions through
its real Prompts (modal: swept while open, then closed), the print question, preview and reprint, the
case view, the lock screen, the shortcut list, the card diagnostics, the customer window — and fail on
any visible text with an English word in it (tests/helpers/english.py says what counts)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from clerk_app.demo import DEMO_USERS, seed_demo_cases
from clerk_app.lifecycle import Decision, LineStatus
from tests.helpers.case_factory import person
from tests.helpers.english import english_leaks
from testsupport.ui import settle, settle_all
from ui.login import LoginDialog
from ui.main_window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
USERNAMES = {u[0] for u in DEMO_USERS}  # data, not interface text (the status bar names the user)


def sign_in(qtbot, ctx, translations, username: str, leaks: list[str]) -> MainWindow:
    password = next(p for u, p, *_ in DEMO_USERS if u == username)
    dialog = LoginDialog(ctx, translations)
    qtbot.addWidget(dialog)
    dialog.show()
    leaks += [f"login: {x}" for x in english_leaks(dialog)]
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, K.Key_Return)
    window = MainWindow(ctx, dialog.actor, translations)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def sweep(where: str, widget: QWidget, leaks: list[str]) -> None:
    QApplication.processEvents()
    leaks += [f"{where}: {x}" for x in english_leaks(widget, USERNAMES)]


def sweep_modal(qtbot, where: str, trigger: Callable[[], object], leaks: list[str], *, accept: bool = False) -> str:
    """Run ``trigger`` (which opens a modal dialog with exec()), sweep the dialog while it is open,
    then close it (Cancel, or OK with ``accept``). Returns the dialog's title; fails if none opened."""
    seen: list[str] = []

    def check(tries: int = 100) -> None:
        w = QApplication.activeModalWidget()
        if w is None:
            if tries:
                QTimer.singleShot(20, lambda: check(tries - 1))
            return
        seen.append(w.windowTitle())
        sweep(f"{where} [{w.windowTitle()}]", w, leaks)
        if isinstance(w, QMessageBox):
            w.done(0)
        elif isinstance(w, QDialog):
            w.accept() if accept else w.reject()

    QTimer.singleShot(0, check)
    trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    settle_all(qtbot)  # what the answer started (a write off the GUI thread) has come back
    return seen[0]


def visit_pages(qtbot, window: MainWindow, leaks: list[str], who: str) -> None:
    for key in window.pages:
        window.show_page(key)
        sweep(f"{who} page {key}", window, leaks)
    customer = getattr(window, "customer_window", None)
    if customer is not None:
        sweep(f"{who} customer window", customer, leaks)
    qtbot.keyClick(window, K.Key_F12)
    sweep(f"{who} shortcut list", window.shortcuts_dialog, leaks)
    window.shortcuts_dialog.close()
    reactivate(qtbot, window)


def reactivate(qtbot, window: MainWindow) -> None:
    """A closed dialog leaves no active window offscreen; shortcuts reach only the active one."""
    with qtbot.waitActive(window):
        window.activateWindow()


@pytest.fixture
def demo_world(demo_ctx):
    seed_demo_cases(demo_ctx)  # cases in every state: every page and table has rows to read
    return demo_ctx


def test_the_clerks_pages_and_dialogs_are_all_chinese(qtbot, demo_world, translations):
    ctx = demo_world
    leaks: list[str] = []
    window = sign_in(qtbot, ctx, translations, "clerk", leaks)
    visit_pages(qtbot, window, leaks, "clerk")
    qtbot.keyClick(window, K.Key_D, CTRL | SHIFT)
    sweep("card diagnostics", window.card_diagnostics, leaks)
    window.card_diagnostics.close()
    reactivate(qtbot, window)

    # the intake page with a case, and each question it asks through its real (modal) prompts
    qtbot.keyClick(window, K.Key_F2)
    page = window.pages["intake"]
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    assert page.case_id is not None
    ctx.cases.set_applicant(page.actor, page.case_id, person("张晓明", 7))
    page.show_case(page.case_id)
    settle(qtbot, page)
    sweep("intake with a case", window, leaks)
    page.table.setFocus()
    page.table.selectRow(0)
    titles = [
        sweep_modal(qtbot, "defect reason", lambda: qtbot.keyClick(page.table, K.Key_D, CTRL), leaks),
        sweep_modal(qtbot, "due date", lambda: page.defer_line(), leaks),
        sweep_modal(qtbot, "not allowed", lambda: page.decide(Decision.ACCEPT), leaks),
        sweep_modal(qtbot, "reject", lambda: page.decide(Decision.REJECT), leaks),
        sweep_modal(qtbot, "transfer", page.transfer_action.trigger, leaks),
        sweep_modal(qtbot, "MRZ key", page.prompts.mrz_key, leaks),
        sweep_modal(qtbot, "counts", page.counts_action.trigger, leaks),
        sweep_modal(qtbot, "waive", page.waive_action.trigger, leaks),
    ]
    assert titles[3] == "不予受理" and all(titles), titles  # the reason-and-basis question, not a refusal
    # every line received, then accept: the confirmation (OK), the print question, its preview
    for line in ctx.cases.get(page.actor, page.case_id).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                page.actor,
                page.case_id,
                line.code,
                originals_received=line.originals_required,
                copies_received=line.copies_required,
            )
    page.refresh()
    settle(qtbot, page)
    sweep_modal(qtbot, "accept confirmation", page.accept_action.trigger, leaks, accept=True)
    service = window.printing
    qtbot.waitUntil(lambda: service.ask_dialog is not None and service.ask_dialog.isVisible(), timeout=30_000)
    sweep("intake after the decision", window, leaks)
    sweep("print question", service.ask_dialog, leaks)
    service.ask_dialog.close()
    reactivate(qtbot, window)
    qtbot.keyClick(window, K.Key_R, CTRL | SHIFT)  # 补打
    qtbot.waitUntil(lambda: service.reprint_dialog is not None, timeout=10_000)  # read off the GUI thread
    reprint = service.reprint_dialog
    sweep("reprint", reprint, leaks)
    reprint.preview_button.click()  # rendered off the GUI thread, then shown
    qtbot.waitUntil(lambda: service.preview_dialog is not None, timeout=10_000)
    sweep("preview", service.preview_dialog, leaks)
    service.preview_dialog.close()
    reprint.close()

    # the case view of a demo case (search page), and the lock screen
    from ui.search.case_view import CaseViewDialog

    view = CaseViewDialog(ctx.cases, ctx.search, window.actor, page.case_id, window)  # the accepted case
    qtbot.addWidget(view)
    view.show()
    settle(qtbot, view)  # the case is read off the GUI thread
    for i in range(view.tabs.count()):
        view.tabs.setCurrentIndex(i)
        sweep(f"case view tab {i}", view, leaks)
    sweep("case view", view, leaks)
    view.close()
    window.lock_action.trigger()
    sweep("lock screen", window, leaks)
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("username", ["prereview", "supervisor", "admin"])
def test_every_other_roles_pages_are_all_chinese(qtbot, demo_world, translations, username):
    leaks: list[str] = []
    window = sign_in(qtbot, demo_world, translations, username, leaks)
    visit_pages(qtbot, window, leaks, username)
    assert leaks == [], "\n".join(leaks)


def test_the_sweep_finds_english(qtbot):
    """The check itself: an untranslated label, button or table header is caught; codes are not."""
    from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout

    w = QWidget()
    qtbot.addWidget(w)
    layout = QVBoxLayout(w)
    layout.addWidget(QLabel("受理编号 SC-GTGSH-SL · Ctrl+1 · PDF"))
    layout.addWidget(QPushButton("Retry"))
    layout.addWidget(QLabel("Materials received (originals/copies):"))
    w.show()
    leaks = english_leaks(w)
    assert len(leaks) == 2 and "Retry" in leaks[0] and "Materials" in leaks[1]


def test_paths_versions_and_file_names_are_data_not_words():
    from tests.helpers.english import english_words

    assert english_words("/work/wt/resources/catalogue · 2026.11-sample · 含 catalogue.toml 和 items/") == []
    assert {"Materials", "received"} <= set(english_words("Materials received (originals/copies):"))
