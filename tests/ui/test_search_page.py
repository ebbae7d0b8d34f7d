"""Case search page: the lazy result model (qtmodeltester, paging, small cache), searching from the
keyboard, a receipt scan, the case view dialog, and which roles get the page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from clerk_app.case_numbers import case_lookup_string
from clerk_app.errors import NotFound
from clerk_app.lifecycle import CaseStatus
from clerk_app.search import CaseSearch, SearchCriteria
from tests.helpers.case_factory import ITEM, decided_case, person, resident_id, to_result_ready
from testsupport.gui_io import describe, gui_thread_queries
from testsupport.ui import open_window, settle, settle_all, timed_keys
from ui.main_window import MainWindow
from ui.operations import busy
from ui.search.case_view import CaseViewDialog
from ui.search.model import CaseResultModel
from ui.search.page import SearchPage
from ui.shortcuts_help import collect_shortcuts


@pytest.fixture
def clerk(demo_ctx):
    return demo_ctx.users.authenticate("clerk", "Clerk2026")


@pytest.fixture
def cases(demo_ctx, clerk):
    made = [
        decided_case(demo_ctx, clerk, person(name, i), answer_print=True)
        for i, name in enumerate(("张三丰", "李四", "王五", "赵六", "钱七", "孙八", "周九"), start=1)
    ]
    made.append(decided_case(demo_ctx, clerk, person("吴十", 8), agent=person("李四", 2), answer_print=True))
    to_result_ready(demo_ctx, made[0][0])
    return made


def _first(model, criteria):
    model.show_first(criteria, model.read_first(criteria))


def _fetched(qtbot, model):
    """Later pages are read off the GUI thread: wait for the one on its way."""
    qtbot.waitUntil(lambda: not busy(model), timeout=10000)


def test_model_pages_lazily_and_passes_the_model_tester(qtbot, qtmodeltester, demo_ctx, clerk, cases):
    search = CaseSearch(demo_ctx.sessions, demo_ctx.persons, demo_ctx.auditor)
    model = CaseResultModel(search, clerk, page_size=3)
    _first(model, SearchCriteria(item_code=ITEM))
    assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)  # asks for more as the tester walks it
    _fetched(qtbot, model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        assert not model.canFetchMore(QModelIndex())  # one page at a time: the next is on its way
        _fetched(qtbot, model)
    assert model.rowCount() == len(cases)
    ids = [model.case_id(r) for r in range(model.rowCount())]
    assert sorted(ids) == sorted(cid for cid, _ in cases)  # keyset paging: never a row twice
    first = model.index(0, 0)
    assert model.data(first) == sorted(((cid, n) for cid, n in cases), key=lambda x: x[1])[-1][1]
    assert model.data(model.index(0, 3)) == "吴*"
    assert model.data(first, Qt.ItemDataRole.UserRole) == model.case_id(0)
    qtmodeltester.check(model)
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_a_later_page_that_fails_says_why_and_keeps_the_list(qtbot, demo_ctx, clerk, cases):
    search = CaseSearch(demo_ctx.sessions, demo_ctx.persons, demo_ctx.auditor)
    model = CaseResultModel(search, clerk, page_size=3)
    _first(model, SearchCriteria(item_code=ITEM))

    def refused(*_args, **_kwargs):
        raise NotFound(what="下一页")

    search.search = refused
    with qtbot.waitSignal(model.failed, timeout=10000) as said:
        model.fetchMore(QModelIndex())
    assert said.args == ["未找到：下一页"]
    assert model.rowCount() == 3 and not model.has_more()


def test_a_page_of_an_earlier_search_is_dropped(qtbot, demo_ctx, clerk, cases):
    search = CaseSearch(demo_ctx.sessions, demo_ctx.persons, demo_ctx.auditor)
    model = CaseResultModel(search, clerk, page_size=3)
    _first(model, SearchCriteria(item_code=ITEM))
    model.fetchMore(QModelIndex())  # on its way when a new search is shown
    li = SearchCriteria(name="李四")
    _first(model, li)
    _fetched(qtbot, model)
    assert [model.case_id(r) for r in range(model.rowCount())] == [r.id for r in model.read_first(li).rows]


def _searched(qtbot, page):
    """The search runs off the GUI thread (CoreOp): wait for its answer."""
    qtbot.waitUntil(lambda: not busy(page), timeout=10000)


def _page(qtbot, ctx, actor):
    page = SearchPage(SimpleNamespace(ctx=ctx, actor=actor))
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # key events reach only the active window's focus widget, as with a real keyboard
    qtbot.waitUntil(page.isActiveWindow, timeout=3000)
    page.setFocus()
    return page


def test_search_by_id_number_from_the_keyboard_and_open_the_case(qtbot, demo_ctx, translations, clerk, cases):
    """From the login dialog: F3, an ID number typed, Enter, the list scrolled to its end, Enter on a result,
    the case view — no SQL on the GUI thread on the way (issue 13)."""
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    settle_all(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    page = window.pages["search"]
    assert window.tabs.currentWidget() is page and page.labels["id_number"].text() == "证件号码(&I)"
    page.model._page_size = 3  # later pages are read as the view asks for them (fetchMore)
    with gui_thread_queries(demo_ctx.engine) as hits:
        page.name.setFocus()
        page.name.setText("李四")
        qtbot.keyClick(page.name, Qt.Key.Key_Return)
        _searched(qtbot, page)
        assert page.model.rowCount() == 2  # applicant of one case, agent of another
        page.clear()
        page.status.setCurrentIndex(page.status.findData(CaseStatus.ACCEPTED.value))
        page.run_search()
        _searched(qtbot, page)
        # the view asks for more while its last row shows (fetchMore, read off the GUI thread)
        qtbot.waitUntil(lambda: not page.model.has_more(), timeout=10000)
        _searched(qtbot, page)
        assert page.model.rowCount() == len(cases) - 1  # all but the result-ready one
        page.clear()
        page.id_number.setFocus()
        qtbot.keyClicks(page.id_number, resident_id(2), delay=60)  # typed by a person
        qtbot.keyClick(page.id_number, Qt.Key.Key_Return)
        _searched(qtbot, page)
        assert page.model.rowCount() == 2
        assert page.focusWidget() is page.table  # the list has the focus (of the page: activation is the WM's)
        assert "2" in page.summary.text()
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
        dialog = page.dialog
        assert isinstance(dialog, CaseViewDialog) and dialog.isVisible()
        if busy(dialog):  # until the read comes back (it may already have, on a quick machine)
            assert dialog.windowTitle() == "正在读取案件…"
        settle(qtbot, dialog)  # read off the GUI thread, then shown
    assert not hits, describe(hits)  # the Reprint and Record supplements buttons too
    assert dialog.windowTitle().startswith("案件 ")
    assert dialog.tabs.count() == 5 and dialog.tabs.tabText(1).startswith("&2 材料（")
    assert dialog.lines.rowCount() >= 3
    assert dialog.lines.horizontalHeaderItem(0).text() == "材料名称"
    assert dialog.history.rowCount() == 2  # draft, accepted
    assert dialog.history.item(1, 2).text() == "已受理"
    actions = [dialog.audit.item(r, 3).text() for r in range(dialog.audit.rowCount())]
    assert actions[0] == "新建案件" and "状态变更：已受理" in actions
    details = [dialog.audit.item(r, 4).text() for r in range(dialog.audit.rowCount())]
    assert not any("{" in d for d in details) and any("事项：" in d for d in details)
    assert "*" in dialog.form.itemAt(3, dialog.form.ItemRole.FieldRole).widget().text()  # masked applicant
    dialog.reject()


def test_status_and_date_criteria_and_a_clear_message_for_a_bad_number(qtbot, demo_ctx, translations, clerk, cases):
    page = _page(qtbot, demo_ctx, clerk)
    page.status.setCurrentIndex(page.status.findData(CaseStatus.RESULT_READY.value))
    page.run_search()
    _searched(qtbot, page)
    assert page.model.rowCount() == 1 and page.model.case_id(0) == cases[0][0]
    page.clear()
    page.case_number.setText(cases[1][1][:-1] + ("0" if cases[1][1][-1] != "0" else "1"))
    qtbot.keyClick(page.case_number, Qt.Key.Key_Return)
    _searched(qtbot, page)
    assert page.error.isVisible() and "校验位" in page.error.text()
    page.clear()
    qtbot.keyClick(page.case_number, Qt.Key.Key_Return)
    _searched(qtbot, page)
    assert "至少填写一个查询条件" in page.error.text()
    # a search that finds nothing says so — not like an input error (issue 17)
    page.clear()
    assert "请填写" in page.summary.text()
    page.name.setText("欧阳无此人")
    page.run_search()
    _searched(qtbot, page)
    assert page.model.rowCount() == 0 and not page.error.isVisible()
    assert page.summary.text().startswith("没有符合条件的案件。")


def test_a_scanned_receipt_finds_its_case(qtbot, demo_ctx, translations, clerk, cases):
    page = _page(qtbot, demo_ctx, clerk)
    page.name.setFocus()
    assert QApplication.focusWidget() is page.name
    timed_keys(page.name, case_lookup_string(cases[3][1]), 2, enter=True)  # wedge: ~2 ms per key
    _searched(qtbot, page)
    assert page.name.text() == ""  # the scan did not end up in the name field
    assert page.model.rowCount() == 1 and page.model.case_id(0) == cases[3][0]


def test_pages_per_role(qtbot, demo_ctx, translations):
    for user, password, has_search, has_delivery in (
        ("clerk", "Clerk2026", True, True),
        ("supervisor", "Audit2026", True, False),
        ("prereview", "Helper2026", False, False),
    ):
        actor = demo_ctx.users.authenticate(user, password)
        window = MainWindow(demo_ctx, actor, translations)
        qtbot.addWidget(window)
        assert ("search" in window.pages) is has_search, user
        assert ("delivery" in window.pages) is has_delivery, user
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        if has_search:
            assert "案件查询  F3" in titles
        if has_delivery:
            assert "办结出件  F4" in titles
        listed = {text for _, text in collect_shortcuts(window)}  # what the F12 overlay shows
        assert ("重新查询" in listed) is has_search
        assert ({"确认出件", "下一件"} <= listed) is has_delivery
