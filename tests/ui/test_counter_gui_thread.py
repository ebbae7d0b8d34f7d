"""Issue 13: the counter's pages run no SQL on the GUI thread. Signed in through the real login dialog,
the clerk walks the home page (scopes, a language switch of the page), the 待领取 list, the 出件 page
(lookup, collector check, handover), the 补齐材料 list and the supplement dialog (claim, tick, record,
close); every statement the store runs meanwhile on the GUI thread is recorded (testsupport/gui_io.py).
And the case view's supplement button, which the case view (not the counter's) asks for."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clerk_app.case_numbers import case_lookup_string
from tests.helpers.case_factory import decided_case, person, resident_id, to_result_ready
from tests.ui.test_owed_materials import deficient_synced_case
from testsupport.gui_io import describe, gui_thread_queries
from testsupport.ui import open_window, settle

CTRL = Qt.KeyboardModifier.ControlModifier


def test_counter_pages_leave_the_gui_thread_alone(qtbot, demo_ctx, translations):
    ctx = demo_ctx
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    ready_id, ready_number = decided_case(ctx, clerk, person("李四", 2), answer_print=True)
    to_result_ready(ctx, ready_id)
    owed_id, owed_number = deficient_synced_case(ctx, clerk, 31)
    assert ctx.printing.worker.wait_idle(60)
    window = open_window(qtbot, ctx, translations, "clerk")
    settle(qtbot, window)

    with gui_thread_queries(ctx.engine) as hits:
        home = window.pages["home"]
        window.show_page("home")
        home.queue.setFocus()
        qtbot.keyClick(home.queue, Qt.Key.Key_2, CTRL)
        home.retranslate()  # what a language switch does
        settle(qtbot, home)
        assert home.greeting.text().startswith("您好") and home.queue.count() >= 1

        qtbot.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
        ready = window.pages["ready"]
        settle(qtbot, ready)
        assert ready.select_case(ready_number)
        qtbot.keyClick(ready.table, Qt.Key.Key_Return)
        delivery = window.pages["delivery"]
        settle(qtbot, window)
        assert delivery.case is not None and delivery.case.id == ready_id
        delivery.collector_id.setText(resident_id(2))
        delivery.check_collector()
        settle(qtbot, delivery)
        delivery.confirm()
        settle(qtbot, delivery)
        assert f"已出件：案件 {ready_number}" in delivery.message.text()
        delivery.lookup.setText(case_lookup_string(ready_number))  # delivered now: shown, not handed out
        delivery.find_case()
        settle(qtbot, delivery)
        assert not delivery.confirm_button.isEnabled()

        qtbot.keyClick(window, Qt.Key.Key_F11)
        owed = window.pages["owed"]
        settle(qtbot, owed)
        owed.open_case(owed_id)
        dialog = owed.dialog
        settle(qtbot, dialog)
        assert dialog.state is not None and dialog.state.can_record
        dialog.tick("PREMISES")
        assert dialog.record()
        settle(qtbot, dialog)
        assert "已登记 1 项补交材料" in dialog.message.text()
        dialog.reject()
        settle(qtbot, dialog)
        settle(qtbot, owed)
    assert not hits, describe(hits)
    assert ctx.cases.claim_of(owed_id) is None and owed_number


def test_the_case_views_supplement_button_is_read_off_the_gui_thread(qtbot, demo_ctx, translations):
    """The case view (F3 → Enter, ui/search/case_view.py) asks ui/supplements/dialog.py for its
    "登记补交材料…" button: whether the case owes anything is read on a worker, the button follows; it
    opens the supplement dialog, which records, and closing it has the case view read the case again."""
    from PySide6.QtWidgets import QPushButton

    ctx = demo_ctx
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    _cid, number = deficient_synced_case(ctx, clerk, 32)
    window = open_window(qtbot, ctx, translations, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_F3)
    search = window.pages["search"]
    qtbot.keyClicks(search.case_number, number)
    qtbot.keyClick(search.case_number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=5000)
    search.table.selectRow(0)
    with gui_thread_queries(ctx.engine) as hits:
        search.open_current()
        view = search.dialog
        settle(qtbot, view)
        view.findChild(QPushButton, "supplementButton").click()
        dialog = view.supplement_dialog
        settle(qtbot, dialog)
        dialog.tick("PREMISES")
        assert dialog.record()
        settle(qtbot, dialog)
        dialog.reject()  # the case view reads the case again
        settle(qtbot, view)
    assert not hits, describe(hits)
    assert "已登记 1 项补交材料" in dialog.message.text()
