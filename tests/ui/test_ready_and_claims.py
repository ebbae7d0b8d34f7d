"""The 待领取 list (Shift+F4) and claims in the window, with two actors on one hall store: the clerk signs
in through the login dialog, finds the results ready, opens one another window is handing out (read-only,
the holder's name, station and since when, the confirm button off); the supervisor releases the stale
claim from the case view with a reason (audited); a claim lapses by itself after claim_expiry_minutes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from sqlalchemy import select

from clerk_app.store.models import AuditEvent
from tests.core.test_hall_cases import other_window, second_clerk
from tests.helpers.case_factory import decided_case, person, to_result_ready
from tests.helpers.core import make_world
from testsupport.ui import settle
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.operations import busy
from ui.search.case_view import CaseViewDialog


def login_through_dialog(qtbot, ctx, translations, username: str, password: str) -> MainWindow:
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


def press(qtbot, window, keys: str) -> None:
    seq = QKeySequence(keys)[0]
    qtbot.keyClick(window.focusWidget() or window, seq.key(), seq.keyboardModifiers())
    qtbot.waitUntil(lambda: not busy(window.pages["ready"]), timeout=5000)  # the list is read off the GUI thread


def test_ready_list_claims_read_only_release_and_expiry(qtbot, tmp_path, translations):
    world = make_world(tmp_path, claim_expiry_minutes=60, print_policy="receipt=never, materials_received=never")
    ctx = world.ctx
    try:
        clerk = world.login("clerk")
        zhao = second_clerk(world)  # 赵敏 at window station WH02
        held, held_number = decided_case(ctx, clerk, person("王芳", 5), answer_print=True)
        free, free_number = decided_case(ctx, clerk, person("李四", 6), answer_print=True)
        for cid in (held, free):
            to_result_ready(ctx, cid)
        wh02 = other_window(world)
        wh02.claim_expiry = ctx.cases.claim_expiry
        wh02.claim(zhao, held)

        window = login_through_dialog(qtbot, ctx, translations, "clerk", "Clerk2026")
        ready = window.pages["ready"]
        assert window.tabs.tabText(window.tabs.indexOf(ready)).startswith("待领取")
        press(qtbot, window, "Shift+F4")
        assert window.tabs.currentWidget() is ready
        numbers = [ready.table.item(r, 0).text() for r in range(ready.table.rowCount())]
        assert sorted(numbers) == sorted([held_number, free_number])
        row = numbers.index(held_number)
        assert "赵敏" in ready.table.item(row, 7).text() and "WH02" in ready.table.item(row, 7).text()
        assert ready.table.item(row, 6).text() == "未收到"  # no result document from the back office here
        assert ready.count.text() == "共 2 件待领取"

        # Opening the held case: the delivery page shows it read-only with the holder.
        ready.select_case(held_number)
        qtbot.keyClick(ready.table, Qt.Key.Key_Return)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        delivery = window.pages["delivery"]
        assert window.tabs.currentWidget() is delivery
        assert delivery.case is not None and delivery.case.id == held
        banner = delivery.claim_banner
        assert banner.isVisible() and "赵敏" in banner.label.text() and "WH02" in banner.label.text()
        assert "09:30" in banner.label.text() and "10:30" in banner.label.text()  # since, lapses at
        assert not delivery.confirm_button.isEnabled() and not banner.release_button.isVisible()
        assert "只能查看" in delivery.message.text()

        # The free case is claimed for this clerk on opening it; the next case gives it back.
        press(qtbot, window, "Shift+F4")
        ready.select_case(free_number)
        qtbot.keyClick(ready.table, Qt.Key.Key_Return)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        assert delivery.confirm_button.isEnabled() and not banner.isVisible()
        assert ctx.cases.claim_of(free).user_id == clerk.user_id
        delivery.reset()
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        assert ctx.cases.claim_of(free) is None

        # The supervisor releases 赵敏's stale claim from the case view, with a reason (audited).
        supervisor = world.login("supervisor")
        view = CaseViewDialog(ctx.cases, ctx.search, supervisor, held, results=ctx.results)
        qtbot.addWidget(view)
        view.show()
        settle(qtbot, view)  # the case is read off the GUI thread
        assert view.claim_banner.isVisible() and view.claim_banner.release_button.isVisible()
        view.claim_banner.ask_reason = lambda _parent, claim: "工作站死机，经办人已下班"
        with qtbot.waitSignal(view.claim_banner.released, timeout=5000):  # released off the GUI thread
            view.claim_banner.release_button.click()
        assert not view.claim_banner.isVisible() and ctx.cases.claim_of(held) is None
        with ctx.sessions() as s:
            released = s.scalars(
                select(AuditEvent).where(AuditEvent.action == "case.claim_release", AuditEvent.case_id == held)
            ).all()
        assert released[-1].detail["reason"] == "工作站死机，经办人已下班"
        assert released[-1].detail["holder"] == zhao.user_id and released[-1].actor == supervisor.username
        view.close()  # the supervisor is done; the clerk's window is the active one again
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)

        # Now the clerk may hand it out …
        delivery.open_case_number(held_number)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        assert delivery.confirm_button.isEnabled() and ctx.cases.claim_of(held).user_id == clerk.user_id
        # … and a claim left behind (a station that crashed) lapses after claim_expiry_minutes.
        world.clock.advance(minutes=61)
        assert ctx.cases.claim_of(held) is None
        wh02.claim(zhao, held)  # taken over, audited as an expired release
        press(qtbot, window, "Shift+F4")
        assert "赵敏" in ready.table.item(numbers.index(held_number), 7).text()
        ready.rows = []
        ready._fill()
        ready.table.setFocus()
        press(qtbot, window, "Ctrl+R")  # refresh (F5 is the window's 下一位, not ambiguous here)
        assert ready.table.rowCount() == 2
        from testsupport.ui import ScriptedPrompts

        window.pages["intake"].prompts = ScriptedPrompts()  # 下一位 with no queue says so, without a modal
        press(qtbot, window, "F5")
        assert window.tabs.currentWidget() is window.pages["intake"]
    finally:
        ctx.close()


def test_result_document_named_previewed_and_audited(qtbot, tmp_path, translations, monkeypatch):
    """The department's result document on the 出件 page (Ctrl+P) and in the case view (Alt+R): named
    without opening it, opened as a full view audited with the purpose 查看."""
    import json

    from clerk_app.result_documents import RESULT_KEY
    from clerk_app.sync import state as sync_state
    from tests.backoffice.workbench_helpers import pdf_bytes
    from testsupport.gui_io import pdf_render_threads
    from ui.printing_ui import PreviewDialog

    rendered_on = pdf_render_threads(monkeypatch)
    world = make_world(tmp_path, print_policy="receipt=never, materials_received=never", customer_window=False)
    ctx = world.ctx
    try:
        clerk = world.login("clerk")
        cid, number = decided_case(ctx, clerk, person("王芳", 5), answer_print=True)
        to_result_ready(ctx, cid)
        pdf = pdf_bytes(2, "result")
        stored = ctx.pages.store.put(pdf, "application/pdf")
        with ctx.sessions.begin() as s:
            ref = {"id": 3, "sha256": stored.sha256, "size": len(pdf), "filename": "准予登记通知书.pdf"}
            sync_state.set_value(s, RESULT_KEY + cid, json.dumps(ref))

        window = login_through_dialog(qtbot, ctx, translations, "clerk", "Clerk2026")
        press(qtbot, window, "Shift+F4")
        ready = window.pages["ready"]
        assert ready.table.item(0, 6).text() == "已收到"
        qtbot.keyClick(ready.table, Qt.Key.Key_Return)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        delivery = window.pages["delivery"]
        assert "准予登记通知书.pdf" in delivery.result_label.text()
        assert delivery.result_preview.isEnabled()
        delivery.lookup.setFocus()
        press(qtbot, window, "Ctrl+P")
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        assert isinstance(delivery.result_dialog, PreviewDialog) and len(delivery.result_dialog.pages) == 2
        delivery.result_dialog.close()

        view = CaseViewDialog(ctx.cases, ctx.search, clerk, cid, window, results=ctx.results)
        qtbot.addWidget(view)
        view.show()
        settle(qtbot, view)  # the case is read off the GUI thread
        assert "准予登记通知书.pdf" in view.findChild(type(view.error), "caseResultDocument").text()
        view.result_open.click()
        settle(qtbot, view)  # and so is the document
        assert isinstance(view.result_dialog, PreviewDialog)
        assert rendered_on == [False, False]  # both rendered by PDFium on a worker, not on the GUI thread
        with ctx.sessions() as s:
            seen = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.result_document")).all()
        assert [(e.case_id, e.detail["purpose"]) for e in seen] == [(cid, "view"), (cid, "view")]
    finally:
        ctx.close()
