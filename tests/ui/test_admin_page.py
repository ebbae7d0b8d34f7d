"""The administrator's page (F10): signed in through the real login dialog, the admin imports a new
catalogue version, activates it, rolls back; a malformed catalogue is refused with nothing changed;
accounts are created, reset, disabled, unlocked and re-roled. A clerk never sees the page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from clerk_app.roles import Role
from testsupport.ui import settle
from ui.login import LoginDialog
from ui.main_window import MainWindow

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "catalogue"


def _login(qtbot, ctx, translations, username: str, password: str) -> MainWindow:
    dialog = LoginDialog(ctx, translations)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    window = MainWindow(ctx, dialog.actor, translations)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _catalogue_copy(tmp_path: Path, version: str, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(SHIPPED, folder)
    head = folder / "catalogue.toml"
    head.write_text(re.sub(r'version = "[^"]*"', f'version = "{version}"', head.read_text("utf-8")), "utf-8")
    return folder


def _done(qtbot, panel) -> None:
    """Every change and every read of the lists runs off the GUI thread (CoreOp): wait for them."""
    settle(qtbot, panel)


def _actions(ctx, actor) -> list[str]:
    return [e.action for e in ctx.auditor.events(actor)]


def test_admin_imports_activates_and_rolls_back_a_catalogue(qtbot, demo_ctx, translations, tmp_path):
    window = _login(qtbot, demo_ctx, translations, "admin", "Admin2026")
    assert "admin" in window.pages
    assert window.tabs.tabText(window.tabs.indexOf(window.pages["admin"])) == "系统管理  F10"
    qtbot.keyClick(window, Qt.Key.Key_F10)
    page = window.pages["admin"]
    assert window.tabs.currentWidget() is page
    panel = page.catalogue
    assert page.tabs.tabText(0) == "事项清单版本"
    shipped = demo_ctx.catalogue.active().version
    _done(qtbot, panel)  # the list is read off the GUI thread
    assert panel.active_version() == shipped and panel.table.rowCount() == 1
    assert panel.table.item(0, 1).text() == "当前启用"
    asked: list[str] = []
    panel.confirm = lambda title, text: asked.append(text) or True

    # Import a new version: stored, not active yet.
    new = _catalogue_copy(tmp_path, "2026.12-test", "new")
    panel.path.setText(str(new / "catalogue.toml"))  # the folder or its catalogue.toml
    qtbot.keyClick(panel.path, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    _done(qtbot, panel)
    assert "2026.12-test" in panel.result.text() and "已导入" in panel.result.text()
    assert panel.table.rowCount() == 2 and panel.selected_version() == "2026.12-test"
    assert demo_ctx.catalogue.active().version == shipped
    # Activate it (Ctrl+E on the selected row).
    qtbot.keyClick(panel.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    _done(qtbot, panel)
    assert demo_ctx.catalogue.active().version == "2026.12-test"
    assert panel.active_version() == "2026.12-test" and "2026.12-test" in asked[-1]
    # Roll back (Ctrl+Shift+Z): the shipped version again.
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    _done(qtbot, panel)
    assert demo_ctx.catalogue.active().version == shipped and panel.active_version() == shipped
    assert "回退" in panel.result.text()

    # A malformed catalogue: refused, every problem listed, nothing changed.
    bad = _catalogue_copy(tmp_path, "2027.1-bad", "bad")
    item = sorted((bad / "items").glob("*.toml"))[0]
    item.write_text(item.read_text("utf-8") + "\nno_such_field = 1\n", "utf-8")
    (bad / "items" / "broken.toml").write_text("this is = = not toml", "utf-8")
    before = demo_ctx.catalogue.versions(window.actor)
    panel.path.setText(str(bad))
    panel.import_button.click()
    _done(qtbot, panel)
    assert "未作任何更改" in panel.result.text()
    assert panel.problems.isVisible() and "no_such_field" in panel.problems.toPlainText()
    assert "broken.toml" in panel.problems.toPlainText()
    assert "未知字段" in panel.problems.toPlainText() and "unknown field" not in panel.problems.toPlainText()
    assert demo_ctx.catalogue.versions(window.actor) == before
    assert demo_ctx.catalogue.active().version == shipped
    # Not a catalogue folder at all, and the same version again: refused, clearly.
    panel.path.setText(str(tmp_path / "nowhere"))
    panel.import_button.click()
    _done(qtbot, panel)
    assert "catalogue.toml" in panel.result.text()
    panel.path.setText(str(new))
    panel.import_button.click()
    _done(qtbot, panel)
    assert "已导入" in panel.result.text() and "无需再次导入" in panel.result.text()
    changed = _catalogue_copy(tmp_path, "2026.12-test", "clash")
    (changed / "items" / sorted(p.name for p in (changed / "items").iterdir())[0]).unlink()
    panel.path.setText(str(changed))
    panel.import_button.click()
    _done(qtbot, panel)
    assert "内容不同" in panel.result.text()
    assert demo_ctx.catalogue.versions(window.actor) == before

    trail = _actions(demo_ctx, window.actor)
    assert {"catalogue.import", "catalogue.activate", "catalogue.rollback", "catalogue.import_refused"} <= set(trail)
    assert trail.count("catalogue.import_refused") == 4


def test_a_clerk_cannot_reach_the_admin_page(qtbot, demo_ctx, translations):
    window = _login(qtbot, demo_ctx, translations, "clerk", "Clerk2026")
    assert "admin" not in window.pages
    before = window.tabs.currentWidget()
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert window.tabs.currentWidget() is before
    assert not any("系统管理" in window.tabs.tabText(i) for i in range(window.tabs.count()))
    supervisor = _login(qtbot, demo_ctx, translations, "supervisor", "Audit2026")
    assert "admin" not in supervisor.pages


def _row(panel, username: str) -> int:
    return next(i for i, a in enumerate(panel.accounts) if a.username == username)


def _fill(qtbot, dialog, **fields) -> None:
    for name, value in fields.items():
        widget = getattr(dialog, name)
        if name == "role":
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.clear()
            if value.isascii():
                qtbot.keyClicks(widget, value)
            else:  # QTest types only what a keyboard has: an input method gives the Chinese name
                widget.setText(value)
    panel = dialog.parent()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    _done(qtbot, panel)
    if not shiboken6.isValid(dialog) or not dialog.isVisible():  # accepted: the keys go to the window again
        qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=3000)
        panel.window().activateWindow()
        qtbot.waitUntil(panel.window().isActiveWindow, timeout=3000)


def test_admin_manages_user_accounts(qtbot, demo_ctx, translations):
    window = _login(qtbot, demo_ctx, translations, "admin", "Admin2026")
    window.show_page("admin")
    page = window.pages["admin"]
    page.tabs.setCurrentWidget(page.users)
    panel = page.users
    _done(qtbot, panel)
    assert panel.table.rowCount() == 4
    panel.confirm = lambda title, text: True

    # New account: a weak password is explained in the dialog, nothing created; then it works.
    qtbot.keyClick(panel.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    _fill(qtbot, dialog, username="zhang", display_name="张伟", staff_no="0102", password="short", password2="short")
    assert "密码不符合要求" in dialog.error.text() and dialog.isVisible()
    _fill(qtbot, dialog, role=Role.CLERK, password="Window2026", password2="Window2026")
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed (and deleted)
    assert panel.selected().username == "zhang" and panel.selected().role is Role.CLERK
    assert demo_ctx.users.authenticate("zhang", "Window2026").role is Role.CLERK

    # Locked out by wrong passwords, then unlocked (Ctrl+U).
    for _ in range(5):
        try:
            demo_ctx.users.authenticate("zhang", "wrong-pass1")
        except Exception:
            pass
    panel.refresh(select="zhang")
    _done(qtbot, panel)
    assert panel.selected().locked and re.fullmatch(
        r"已锁定至 \S+ \S+（密码错误次数过多）", panel.table.item(_row(panel, "zhang"), 4).text()
    )
    qtbot.keyClick(panel.table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    _done(qtbot, panel)
    assert not panel.selected().locked

    # Reset the password (Ctrl+P): the old one no longer works.
    qtbot.keyClick(panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    _fill(qtbot, panel.dialog, password="Reset2027x", password2="Reset2027x")
    assert demo_ctx.users.authenticate("zhang", "Reset2027x").username == "zhang"

    # Change the role (Ctrl+R), then disable (Ctrl+D): no more sign-in.
    qtbot.keyClick(panel.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    _fill(qtbot, panel.dialog, role=Role.SUPERVISOR)
    assert panel.selected().role is Role.SUPERVISOR
    qtbot.keyClick(panel.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    _done(qtbot, panel)
    assert not panel.selected().active and panel.table.item(_row(panel, "zhang"), 4).text() == "已停用"
    dialog = LoginDialog(demo_ctx, translations)
    qtbot.addWidget(dialog)
    dialog.username.setText("zhang")
    dialog.password.setText("Reset2027x")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    _done(qtbot, dialog)
    assert dialog.actor is None and "用户名或密码错误" in dialog.error.text()

    # The admin cannot disable themself (nor leave the station without an admin).
    panel.select("admin")
    qtbot.keyClick(panel.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    _done(qtbot, panel)
    assert "不能停用自己的账户" in panel.result.text() and panel.selected().active

    trail = _actions(demo_ctx, window.actor)
    for action in ("user.create", "user.unlock", "user.password_reset", "user.role", "user.disable"):
        assert action in trail
    assert not any("Reset2027x" in str(e.detail) for e in demo_ctx.auditor.events(window.actor))


def test_admin_changes_settings_checked_saved_and_audited(qtbot, demo_ctx, translations, tmp_path, monkeypatch):
    from clerk_app.settings import load_settings

    path = tmp_path / "settings.toml"
    monkeypatch.setenv("CLERK_APP_SETTINGS", str(path))
    window = _login(qtbot, demo_ctx, translations, "admin", "Admin2026")
    window.show_page("admin")
    page = window.pages["admin"]
    panel = page.settings
    page.tabs.setCurrentWidget(panel)
    assert page.tabs.tabText(page.tabs.indexOf(panel)) == "设置"
    row = panel.names.index("window_no")
    assert panel.table.item(row, 0).text() == "窗口号"
    assert panel.editors["printer_backend"].currentText() == "PDF 文件夹"

    # A bad value: said in Chinese, the row marked, nothing saved.
    panel.editors["window_no"].setText("窗口!!")
    qtbot.keyClick(panel.editors["window_no"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "未保存" in panel.result.text() and "窗口号：值不符合要求" in panel.result.text()
    assert not path.exists()
    # Good values: saved, audited, said to take effect at the next start.
    panel.editors["window_no"].setText("07")
    panel.editors["idle_lock_minutes"].setValue(15)
    panel.editors["card_read_on_placement"].setChecked(True)
    combo = panel.editors["printer_backend"]
    combo.setCurrentIndex(combo.findData("none"))
    qtbot.keyClick(panel.editors["window_no"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    _done(qtbot, panel)
    assert "已保存" in panel.result.text() and "重新启动" in panel.result.text()
    saved = load_settings(path)
    assert (saved.window_no, saved.idle_lock_minutes, saved.card_read_on_placement, saved.printer_backend) == (
        "07",
        15,
        True,
        "none",
    )
    qtbot.keyClick(panel.editors["window_no"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert panel.result.text() == "没有修改。"
    events = [e for e in demo_ctx.auditor.events(window.actor) if e.action == "settings.change"]
    assert len(events) == 1 and set(events[0].detail["changed"]) == {
        "window_no",
        "idle_lock_minutes",
        "card_read_on_placement",
        "printer_backend",
    }


def test_admin_sees_the_devices_checks_the_printer_and_finds_the_keys_in_f12(qtbot, demo_ctx, translations):
    window = _login(qtbot, demo_ctx, translations, "admin", "Admin2026")
    window.show_page("admin")
    page = window.pages["admin"]
    panel = page.devices
    page.tabs.setCurrentWidget(panel)
    assert page.tabs.tabText(page.tabs.indexOf(panel)) == "设备"
    assert panel.card.text() == "模拟设备（演示）" and panel.printer.text().startswith("PDF 文件夹")
    qtbot.keyClick(panel, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.printer_state.text() == "打印机就绪。", timeout=5000)
    panel.diagnose_button.click()
    assert panel.diagnostics.isVisible() and panel.diagnostics.windowTitle() == "读卡器诊断"
    panel.diagnostics.close()

    window.show_shortcuts()
    rows = {
        (window.shortcuts_dialog.table.item(i, 0).text(), window.shortcuts_dialog.table.item(i, 1).text())
        for i in range(window.shortcuts_dialog.table.rowCount())
    }
    window.shortcuts_dialog.close()
    assert ("F10", "系统管理") in rows
    for keys, text in (
        ("Ctrl+I", "系统管理 · 导入事项清单版本"),
        ("Ctrl+E", "系统管理 · 启用所选事项清单版本"),
        ("Ctrl+N", "系统管理 · 新建用户账户"),
        ("Ctrl+S", "系统管理 · 保存设置"),
        ("Ctrl+T", "系统管理 · 检查打印机"),
    ):
        assert (keys, text) in rows


def test_admin_prints_a_test_page_with_ctrl_p(qtbot, demo_ctx, translations):
    """The devices tab's printer test page (issue 17: 'printer with a test button'): printed at once
    through the station's printer, Chinese text and a 100 mm ruler, audited as a direct print."""
    from pathlib import Path

    import pypdfium2 as pdfium

    window = _login(qtbot, demo_ctx, translations, "admin", "Admin2026")
    window.show_page("admin")
    page = window.pages["admin"]
    panel = page.devices
    page.tabs.setCurrentWidget(panel)
    assert panel.test_page_button.text() == "打印测试页（Ctrl+P）"
    folder = Path(demo_ctx.settings.resolved_data_dir())
    before = set(folder.rglob("*.pdf"))
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "测试页已送打印机" in panel.printer_state.text(), timeout=10000)
    [printed] = set(folder.rglob("*.pdf")) - before
    doc = pdfium.PdfDocument(printed.read_bytes())
    try:
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    assert "打印测试页" in text and demo_ctx.settings.hall_name in text and "100" in text
    events = [e for e in demo_ctx.auditor.events(window.actor) if e.action == "print.direct"]
    assert events and events[0].detail["kind"] == "test_page"


def test_the_admin_screens_and_the_lock_run_no_sql_on_the_gui_thread(qtbot, demo_ctx, translations):
    """Issue 13: signing in, the account and catalogue lists, an account change, a language switch
    (the lists are shown again), locking, a wrong and a right unlock password and signing out all
    reach the store off the GUI thread."""
    from testsupport.gui_io import describe, gui_thread_queries
    from testsupport.ui import open_window

    with gui_thread_queries(demo_ctx.engine) as hits:
        window = open_window(qtbot, demo_ctx, translations, "admin")
        window.show_page("admin")
        page = window.pages["admin"]
        page.tabs.setCurrentWidget(page.users)
        _done(qtbot, page)
        assert page.users.table.rowCount() == 4 and page.catalogue.table.rowCount() == 1
        page.users.select("clerk")
        qtbot.keyClick(page.users.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
        _fill(qtbot, page.users.dialog, password="Reset2027x", password2="Reset2027x")
        assert "clerk" in page.users.result.text() and page.users.selected().username == "clerk"
        window.set_language("en")
        qtbot.waitUntil(lambda: page.tabs.tabText(0) == "Catalogue versions", timeout=2000)
        window.set_language("zh_CN")
        qtbot.waitUntil(lambda: page.tabs.tabText(0) == "事项清单版本", timeout=2000)
        lock = window.idle_lock
        with qtbot.waitSignal(lock.locked, timeout=2000):
            window.lock_action.trigger()
        lock.unlock("wrong-pass1")
        qtbot.waitUntil(lambda: "还可尝试" in lock.overlay.error.text(), timeout=5000)
        with qtbot.waitSignal(lock.unlocked, timeout=5000):
            lock.unlock("Admin2026")
        lock.lock("manual")
        with qtbot.waitSignal(window.logged_out, timeout=5000):
            lock.overlay.sign_out_button.click()
    assert not hits, describe(hits)
    assert "logout" in _actions(demo_ctx, window.actor)
