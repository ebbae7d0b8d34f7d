"""叫号 at the intake page: F5 下一位, Shift+F5 重呼, Ctrl+F5 过号, Ctrl+Shift+F5 转窗口 — each one key,
after a language switch too; the customer screen shows the number being served; the case gets the
ticket and call times."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from clerk_app.store.models import Case, QueueTicket
from testsupport.ui import ScriptedPrompts, open_window, settle

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_queue_keys_drive_the_builtin_queue(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    translations.apply("en")
    translations.apply("zh_CN")  # shortcuts must survive a language switch
    qtbot.keyClick(window, K.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts(windows=["7"])
    assert page.call_next_action.text() == "下一位（F5）"
    for _ in range(4):
        demo_ctx.queue.issue()

    qtbot.keyClick(page, K.Key_F5)
    settle(qtbot, page)
    assert page.ticket.text() == "A001"
    assert QApplication.focusWidget() is page.picker.query  # cursor in the item search
    assert window.customer_window.serving_ticket == "A001"  # the customer screen shows the number
    qtbot.keyClick(page, K.Key_F5, SHIFT)  # 重呼
    settle(qtbot, page)
    assert demo_ctx.queue.current().calls == 2
    qtbot.keyClick(page, K.Key_F5, CTRL)  # 过号
    settle(qtbot, page)
    assert page.ticket.text() == ""
    qtbot.keyClick(page, K.Key_F5)
    settle(qtbot, page)
    assert page.ticket.text() == "A002"
    qtbot.keyClick(page, K.Key_F5, CTRL | SHIFT)  # 转窗口 7
    settle(qtbot, page)
    assert page.prompts.errors == []
    qtbot.keyClick(page, K.Key_F5)
    settle(qtbot, page)
    assert page.ticket.text() == "A003"

    # picking the item starts the case with the ticket's times
    item = next(iter(demo_ctx.catalogue.active().items))
    page.start_case(item)
    settle(qtbot, page)
    with demo_ctx.sessions() as s:
        case = s.get(Case, page.case_id)
        assert case.ticket_no == "A003" and case.ticket_at is not None and case.called_at is not None
        statuses = {t.number: (t.status, t.window_no) for t in s.query(QueueTicket)}
    assert statuses["A001"][0] == "no_show"
    assert statuses["A002"] == ("waiting", "7")
    assert statuses["A003"][0] == "started"

    # 下一位 from a case in progress: the case stays saved, the desk is cleared, A004 is called
    case_id = page.case_id
    qtbot.keyClick(page, K.Key_F5)
    settle(qtbot, page)
    assert page.case_id is None and page.ticket.text() == "A004"
    assert demo_ctx.cases.get(window.actor, case_id).id == case_id
    # nobody left for this window (A002 waits for window 7): a clear Chinese message, nothing lost
    qtbot.keyClick(page, K.Key_F5)
    settle(qtbot, page)
    assert page.prompts.errors == ["当前没有等候的号"]
