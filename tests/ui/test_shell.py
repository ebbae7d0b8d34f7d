"""The UI shell: log in as every demo user through the real dialog, see the main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from clerk_app import i18n
from clerk_app.demo import DEMO_USERS
from ui.login import LoginDialog
from ui.main_window import MainWindow


@pytest.mark.parametrize("username,password,role,name,staff", DEMO_USERS, ids=[u[0] for u in DEMO_USERS])
def test_each_demo_user_logs_in(qtbot, demo_ctx, translations, username, password, role, name, staff):
    dialog = LoginDialog(demo_ctx, translations)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "登录"  # Simplified Chinese by default
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.role is role

    window = MainWindow(demo_ctx, dialog.actor, translations)
    qtbot.addWidget(window)
    window.show()
    assert "一窗受理工作台" in window.windowTitle()
    assert staff in window.user_label.text()
    assert window.statusBar().isVisible()
    events = [e.action for e in demo_ctx.auditor.events(dialog.actor)]
    assert "login" in events


def test_wrong_password_is_explained_and_counted(qtbot, demo_ctx, translations):
    dialog = LoginDialog(demo_ctx, translations)
    qtbot.addWidget(dialog)
    dialog.username.setText("clerk")
    dialog.password.setText("wrong-password1")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.username.isEnabled()  # checked off the GUI thread, the dialog disabled meanwhile
    qtbot.waitUntil(dialog.username.isEnabled, timeout=5000)
    assert dialog.actor is None
    assert "用户名或密码错误" in dialog.error.text()
    assert "4" in dialog.error.text()  # attempts left before lockout
    assert dialog.password.text() == ""


def test_enter_in_the_user_name_moves_on_without_a_sign_in_attempt(qtbot, demo_ctx, translations):
    """Enter in the name field also presses the dialog's default button: nothing is tried (a failed
    attempt would count towards the lockout), the password field is next."""
    dialog = LoginDialog(demo_ctx, translations)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    qtbot.keyClicks(dialog.username, "clerk")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert dialog.op is None and dialog.error.text() == "" and dialog.focusWidget() is dialog.password
    qtbot.keyClicks(dialog.password, "Clerk2026")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "login.failed" not in [e.action for e in demo_ctx.auditor.events(dialog.actor)]


def test_language_switch_to_english_and_back(qtbot, demo_ctx, translations):
    actor = demo_ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(demo_ctx, actor, translations)
    qtbot.addWidget(window)
    assert window.file_menu.title() == "会话(&S)"
    window.set_language("en")
    qtbot.waitUntil(lambda: window.file_menu.title() == "&Session", timeout=2000)
    assert i18n.current_language() == "en"
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: window.file_menu.title() == "会话(&S)", timeout=2000)


def test_logout_is_audited_and_signalled(qtbot, demo_ctx, translations):
    actor = demo_ctx.users.authenticate("prereview", "Helper2026")
    window = MainWindow(demo_ctx, actor, translations)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.logged_out, timeout=2000):
        window.logout_action.trigger()
    assert [e.action for e in demo_ctx.auditor.events(actor)][0] == "logout"


def test_every_ui_string_is_translated():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(root / "scripts" / "translations.py"), "--check"], capture_output=True, text=True, cwd=root
    )
    assert out.returncode == 0, out.stdout


def test_background_result_after_the_window_closed_is_dropped(qtbot):
    from PySide6.QtWidgets import QLabel

    from ui.operations import BackgroundOp

    label = QLabel()
    seen = []
    gate = __import__("threading").Event()
    op = BackgroundOp(lambda report, cancel: gate.wait(5) and "done", seen.append, seen.append, owner=label).start()
    label.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(label))
    gate.set()
    qtbot.wait(200)
    assert seen == [] and op not in BackgroundOp._alive


def test_login_window_comes_before_the_store_and_waits_for_it(qtbot, demo_ctx, translations):
    """The login window is on screen while the context is still being built (issue 19); a clerk who
    signs in first waits for it, then is signed in without typing again."""
    import threading

    from clerk_app.startup import PendingContext

    gate = threading.Event()

    def slow_build(settings):
        gate.wait(10)
        return demo_ctx

    pending = PendingContext(demo_ctx.settings, slow_build).start()
    dialog = LoginDialog(pending, translations)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not pending.ready and dialog.windowTitle() == "登录"
    qtbot.keyClicks(dialog.username, "clerk")
    qtbot.keyClicks(dialog.password, "Clerk2026")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "正在打开数据库" in dialog.error.text() and dialog.actor is None
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        gate.set()
    assert dialog.actor is not None and dialog.actor.username == "clerk"


def test_a_store_that_cannot_open_is_explained_in_the_login_window(qtbot, demo_ctx, translations):
    from clerk_app.errors import ConfigurationError
    from clerk_app.startup import PendingContext

    def broken(settings):
        raise ConfigurationError(problem="数据库无法打开", detail="test")

    pending = PendingContext(demo_ctx.settings, broken).start()
    qtbot.waitUntil(lambda: pending.ready, timeout=5000)
    dialog = LoginDialog(pending, translations)
    qtbot.addWidget(dialog)
    dialog.username.setText("clerk")
    dialog.password.setText("Clerk2026")
    dialog.try_login()
    qtbot.waitUntil(lambda: "数据库无法打开" in dialog.error.text(), timeout=5000)
    assert dialog.actor is None
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_signing_out_returns_to_the_login_window_and_keeps_the_program(qtbot, demo_ctx, translations):
    actor = demo_ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(demo_ctx, actor, translations)
    qtbot.addWidget(window)
    window.show()
    closed = []
    window.closed_by_user.connect(lambda: closed.append(True))
    with qtbot.waitSignal(window.logged_out, timeout=2000):
        window.logout_action.trigger()
    assert closed == []  # signing out is not quitting
    window2 = MainWindow(demo_ctx, actor, translations)
    qtbot.addWidget(window2)
    window2.closed_by_user.connect(lambda: closed.append(True))
    window2.show()
    window2.close()  # Quit / the close button: the program ends (run() connects this to app.quit)
    assert closed == [True]


def test_every_shortcut_survives_a_language_switch_and_f9_scans(qtbot, demo_ctx, translations, monkeypatch):
    """Issue 17: a language switch used to wipe F9 (QPushButton.setText replaces a button's shortcut).
    Every action keeps its keys through zh_CN → en → zh_CN, and F9 reaches the scanner from the page."""
    from PySide6.QtGui import QAction

    from testsupport.ui import open_window

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    before = {id(a): a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    assert "F9" in before.values() and "F6" in before.values()
    window.set_language("en")
    qtbot.waitUntil(lambda: window.file_menu.title() == "&Session", timeout=2000)
    window.set_language("zh_CN")
    qtbot.waitUntil(lambda: window.file_menu.title() == "会话(&S)", timeout=2000)
    after = {id(a): a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    assert after == before
    intake = window.pages["intake"]
    window.show_page("intake")
    started = []
    monkeypatch.setattr(intake.scanning, "start_scan", lambda *a, **k: started.append(True))
    qtbot.keyClick(intake, Qt.Key.Key_F9)
    assert started == [True]


def test_f2_puts_the_cursor_in_the_item_search_and_ctrl_n_works_from_home(qtbot, demo_ctx, translations):
    from testsupport.ui import open_window

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    intake = window.pages["intake"]
    window.show_page("home")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is intake
    assert intake.picker.query.hasFocus() or window.focusWidget() is intake.picker.query
    window.show_page("home")
    window.show_page("intake")  # what F2 does
    assert window.focusWidget() is intake.picker.query


def test_the_shortcut_list_names_the_page_of_each_key(qtbot, demo_ctx, translations):
    from ui.shortcuts_help import ShortcutsHelp

    actor = demo_ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(demo_ctx, actor, translations)
    qtbot.addWidget(window)
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    assert isinstance(dialog, ShortcutsHelp)
    rows = [(dialog.table.item(i, 0).text(), dialog.table.item(i, 1).text()) for i in range(dialog.table.rowCount())]
    ctrl_l = [text for key, text in rows if key == "Ctrl+L"]
    assert len(ctrl_l) == len(set(ctrl_l)) and all(" · " in t for t in ctrl_l)  # one per page, named
    assert any(key == "F9" for key, _ in rows)
    assert [key for key, _ in rows[:4]] == ["F1", "F2", "F3", "F4"]  # the pages first
