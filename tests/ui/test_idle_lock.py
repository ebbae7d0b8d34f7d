"""Idle lock under pytest-qt with a fake clock: warning, lock (draft kept, `locked` emitted,
shortcuts disabled), wrong password counted, unlock by the same user's password, sign-out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow

from clerk_app.store.models import AuditEvent
from tests.helpers.core import make_world
from ui.current_case import CurrentCase
from ui.operations import CoreOp, busy
from ui.session_lock import IdleLock


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class DeskWindow(QMainWindow):
    """The parts of MainWindow the lock uses (so the test does not depend on every page)."""

    logged_out = Signal()

    def __init__(self, ctx, actor) -> None:
        super().__init__()
        self.ctx, self.actor = ctx, actor
        self.current_case = CurrentCase()
        self.setCentralWidget(QLabel("申请人 张三丰 · 草稿"))
        self.page_action = QAction(self)
        self.page_action.setShortcut(QKeySequence("F2"))
        self.addAction(self.page_action)
        self.menuBar().addMenu("会话")
        self.resize(900, 600)

    def logout(self) -> None:
        """As MainWindow.logout: the sign-out is written off the GUI thread, then ``logged_out``."""
        self.current_case.close()
        users, actor = self.ctx.users, self.actor
        CoreOp(
            self, lambda _r, _c: users.logout(actor), lambda _none: self.logged_out.emit(), title="", ordered=True
        ).run()


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path, customer_window=False, idle_lock_minutes=5)
    yield w
    w.ctx.close()


@pytest.fixture
def desk(qtbot, world, translations):
    window = DeskWindow(world.ctx, world.login("clerk"))
    qtbot.addWidget(window)
    window.show()
    clock = FakeClock()
    lock = IdleLock(window, clock=clock, poll_ms=10)
    yield window, lock, clock
    lock.stop()


def _actions(world):
    with world.ctx.sessions() as s:
        return [e.action for e in s.query(AuditEvent).order_by(AuditEvent.seq)]


def unlock(qtbot, lock, password: str) -> bool:
    """Type the password and wait for the check (off the GUI thread): unlocked?"""
    lock.unlock(password)
    qtbot.waitUntil(lambda: not busy(lock.overlay))
    return not lock.is_locked


def test_warning_then_lock_keeps_the_draft(qtbot, world, desk):
    window, lock, clock = desk
    assert lock.idle_seconds == 300 and lock.warn_seconds == 60
    window.current_case.open("case-1")
    closed = []
    window.current_case.closed.connect(lambda: closed.append(True))
    clock.t += 200
    qtbot.wait(30)
    assert not lock.banner.isVisible() and not lock.is_locked
    clock.t += 50  # 250 s idle: inside the last minute
    with qtbot.waitSignal(lock.warning, timeout=1000) as warned:
        pass
    assert warned.args[0] == 50 and lock.banner.isVisible()
    assert "50 秒后将锁定屏幕" in lock.banner.text()
    qtbot.mouseMove(window.centralWidget(), QPoint(10, 10))  # activity resets the timer
    lock.touch()  # (offscreen mouse moves are not always delivered; touch() is what the filter calls)
    assert not lock.banner.isVisible()
    clock.t += 299
    qtbot.wait(30)
    assert not lock.is_locked
    clock.t += 2
    with qtbot.waitSignal(lock.locked, timeout=1000):
        pass
    assert lock.is_locked and lock.overlay.isVisible() and lock.overlay.geometry() == window.rect()
    assert lock.overlay.title.text() == "屏幕已锁定"
    assert not window.page_action.isEnabled() and not window.menuBar().isEnabled()
    assert window.current_case.case_id == "case-1" and not closed  # the draft stays
    qtbot.waitUntil(lambda: "session.lock" in _actions(world))  # written off the GUI thread


def test_key_press_resets_idle_time(qtbot, world, desk):
    window, lock, clock = desk
    clock.t += 290
    qtbot.keyClick(window.centralWidget(), Qt.Key.Key_Shift)
    clock.t += 20
    qtbot.wait(30)
    assert not lock.is_locked


def test_unlock_needs_the_same_users_password(qtbot, world, desk):
    window, lock, clock = desk
    lock.lock("manual")
    # input while locked does not count as activity
    qtbot.keyClicks(lock.overlay.password, "wrong-pass1")
    qtbot.keyClick(lock.overlay.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "还可尝试 4 次" in lock.overlay.error.text())
    assert lock.is_locked and lock.overlay.password.text() == ""
    assert not unlock(qtbot, lock, "Audit2026")  # another user's password
    with qtbot.waitSignal(lock.unlocked, timeout=1000):
        qtbot.keyClicks(lock.overlay.password, "Clerk2026")
        qtbot.keyClick(lock.overlay.password, Qt.Key.Key_Return)
    assert not lock.is_locked and not lock.overlay.isVisible()
    assert window.page_action.isEnabled() and window.menuBar().isEnabled()
    actions = _actions(world)
    assert actions.index("session.lock") < actions.index("login.failed") < actions.index("session.unlock")


def test_repeated_failures_lock_the_account_and_sign_out_works(qtbot, world, desk):
    window, lock, clock = desk
    lock.lock("idle")
    for _ in range(5):
        unlock(qtbot, lock, "wrong-pass1")
    assert "账号已锁定" in lock.overlay.error.text()
    assert not unlock(qtbot, lock, "Clerk2026")  # locked out even with the right password now
    with qtbot.waitSignal(window.logged_out, timeout=1000):
        lock.overlay.sign_out_button.click()
    assert "logout" in _actions(world) and "login.lockout" in _actions(world)


def test_main_window_has_the_lock(qtbot, world, translations):
    from ui.main_window import MainWindow

    window = MainWindow(world.ctx, world.login("supervisor"), translations)
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.idle_lock.idle_seconds == 300
        with qtbot.waitSignal(window.idle_lock.locked, timeout=1000):
            window.lock_action.trigger()
        assert window.lock_action.text() == "锁定屏幕(&L)"
        assert unlock(qtbot, window.idle_lock, "Audit2026")
    finally:
        window.idle_lock.stop()


def test_lock_hides_revealed_values_in_the_audit_page(qtbot, world, translations):
    from tests.helpers.supervision import ID_NUMBER, accepted_case
    from ui.main_window import MainWindow

    cid = accepted_case(world, world.login("clerk"))
    window = MainWindow(world.ctx, world.login("supervisor"), translations)
    qtbot.addWidget(window)
    window.show()
    try:
        audit = window.pages["audit"]
        window.show_page(audit)
        audit.open_case(cid)  # the case and the revealed value are read off the GUI thread
        qtbot.waitUntil(lambda: not busy(audit), timeout=10000)
        assert audit.case_id == cid
        audit.applicant_id._prompt = lambda parent: "核对"
        audit.applicant_id.button.click()
        qtbot.waitUntil(lambda: audit.applicant_id.value.text() == ID_NUMBER, timeout=10000)
        window.idle_lock.lock("manual")
        assert ID_NUMBER not in audit.applicant_id.value.text()
    finally:
        window.idle_lock.stop()
