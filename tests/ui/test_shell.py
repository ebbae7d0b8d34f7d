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
    assert dialog.actor is None
    assert "用户名或密码错误" in dialog.error.text()
    assert "4" in dialog.error.text()  # attempts left before lockout
    assert dialog.password.text() == ""


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
    assert "数据库无法打开" in dialog.error.text() and dialog.actor is None
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
