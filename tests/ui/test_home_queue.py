"""The home queue is the hall's (通办, issue 14 item 3): Ctrl+1 / Ctrl+2 / Ctrl+3 show mine / this
window / the whole hall, and a case someone else is working on names them. From the login dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import update

from clerk_app.demo import DEMO_USERS
from clerk_app.store.models import Case
from testsupport.ui import open_window, settle

CTRL = Qt.KeyboardModifier.ControlModifier


def _login(ctx, name: str):
    password = next(p for u, p, *_ in DEMO_USERS if u == name)
    return ctx.users.authenticate(name, password)


def _rows(qtbot, page) -> list[str]:
    settle(qtbot, page)  # the queue is read off the GUI thread
    return [page.queue.item(i).text() for i in range(page.queue.count())]


def test_queue_scopes_and_claim_holder(qtbot, demo_ctx, translations):
    helper = _login(demo_ctx, "prereview")
    clerk = _login(demo_ctx, "clerk")
    own_draft = demo_ctx.cases.start_case(clerk, "SH-JSZG-RD")  # clerk's own draft
    handed = demo_ctx.cases.start_case(helper, "SC-GTGSH-SL", {"premises": "rented"})
    demo_ctx.cases.hand_over(helper, handed)
    elsewhere = demo_ctx.cases.start_case(helper, "SC-GTGSH-SL", {"premises": "owned"})
    with demo_ctx.sessions.begin() as s:  # a draft another station of the hall started (shared database)
        s.execute(update(Case).where(Case.id == elsewhere).values(station_code="WH02"))
    demo_ctx.cases.claim(helper, handed)  # the 帮办 still has it open

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    window.show_page("home")
    page = window.pages["home"]
    page.queue.setFocus()
    assert len(_rows(qtbot, page)) == 3  # the whole hall by default
    assert page.scope_buttons["all"].text() == "全大厅（Ctrl+3）"
    holder = [r for r in _rows(qtbot, page) if "正在办理" in r]
    assert len(holder) == 1 and "WH01" in holder[0]

    qtbot.keyClick(page.queue, Qt.Key.Key_1, CTRL)
    assert page.scope == "mine" and len(_rows(qtbot, page)) == 1  # only the clerk's own draft
    assert page.scope_buttons["mine"].isChecked() and not page.scope_buttons["all"].isChecked()
    qtbot.keyClick(page.queue, Qt.Key.Key_2, CTRL)
    assert page.scope == "window" and len(_rows(qtbot, page)) == 2  # not the WH02 draft
    qtbot.keyClick(page.queue, Qt.Key.Key_3, CTRL)
    assert page.scope == "all" and len(_rows(qtbot, page)) == 3
    assert own_draft and elsewhere
