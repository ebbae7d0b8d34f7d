"""Case search page: the lazy result model (qtmodeltester, paging, small cache), searching from the
keyboard, a receipt scan, the case view dialog, and which roles get the page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from clerk_app.case_numbers import case_lookup_string
from clerk_app.lifecycle import CaseStatus
from clerk_app.search import CaseSearch, SearchCriteria
from tests.helpers.case_factory import ITEM, decided_case, person, resident_id, to_result_ready
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
        decided_case(demo_ctx, clerk, person(name, i))
        for i, name in enumerate(("张三丰", "李四", "王五", "赵六", "钱七", "孙八", "周九"), start=1)
    ]
    made.append(decided_case(demo_ctx, clerk, person("吴十", 8), agent=person("李四", 2)))
    to_result_ready(demo_ctx, made[0][0])
    return made


def test_model_pages_lazily_and_passes_the_model_tester(qtmodeltester, demo_ctx, clerk, cases):
    search = CaseSearch(demo_ctx.sessions, demo_ctx.persons, demo_ctx.auditor)
    model = CaseResultModel(search, clerk, page_size=3, cache_size=4, batch=2)
    model.set_criteria(SearchCriteria(item_code=ITEM))
    assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)  # fetches more as the tester walks it
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == len(cases)
    assert model.cached_rows() <= 4  # only a small cache of rows, ids for the rest
    ids = {model.case_id(r) for r in range(model.rowCount())}
    assert ids == {cid for cid, _ in cases}
    # a row evicted from the cache is read again in a batch around it
    first = model.index(0, 0)
    assert model.data(first) == sorted(((cid, n) for cid, n in cases), key=lambda x: x[1])[-1][1]
    assert model.data(model.index(0, 3)) == "吴*"
    assert model.data(first, Qt.ItemDataRole.UserRole) == model.case_id(0)
    qtmodeltester.check(model)
    model.clear()
    assert model.rowCount() == 0


def test_unreadable_row_is_disabled_not_an_exception(qtmodeltester, demo_ctx, clerk, cases):
    search = CaseSearch(demo_ctx.sessions, demo_ctx.persons, demo_ctx.auditor)
    model = CaseResultModel(search, clerk, page_size=100, cache_size=4, batch=2)
    model.set_criteria(SearchCriteria(item_code=ITEM))
    gone = model.case_id(len(cases) - 1)
    with demo_ctx.engine.begin() as c:  # the row vanished from under the list (e.g. an old backup restored)
        from sqlalchemy import text

        from clerk_app.store.models import Base

        # every row that points at the case (lines, transitions, outbox, print jobs, …), children first
        for table in reversed(Base.metadata.sorted_tables):
            if "case_id" in table.c and table.name != "audit_events":
                c.execute(text(f"DELETE FROM {table.name} WHERE case_id = :id"), {"id": gone})
        c.execute(text("DELETE FROM cases WHERE id = :id"), {"id": gone})
    for r in range(model.rowCount()):  # evict whatever was cached
        model.row_at(r)
    model._cache.pop(gone, None)
    index = model.index(len(cases) - 1, 0)
    assert model.data(index) == "(unavailable)"
    assert not model.flags(index) & Qt.ItemFlag.ItemIsEnabled
    qtmodeltester.check(model)


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
    page = _page(qtbot, demo_ctx, clerk)
    assert page.labels["id_number"].text() == "证件号码(&I)"
    page.id_number.setFocus()
    qtbot.keyClicks(page.id_number, resident_id(2), delay=60)  # typed by a person
    qtbot.keyClick(page.id_number, Qt.Key.Key_Return)
    _searched(qtbot, page)
    assert page.model.rowCount() == 2  # applicant of one case, agent of another
    assert QApplication.focusWidget() is page.table
    assert "2" in page.summary.text()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    qtbot.addWidget(dialog)
    assert isinstance(dialog, CaseViewDialog) and dialog.isVisible()
    assert dialog.tabs.count() == 5
    assert dialog.lines.rowCount() >= 3
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
    qtbot.keyClicks(page.name, case_lookup_string(cases[3][1]), delay=2)  # wedge: ~2 ms per key
    qtbot.keyClick(page.name, Qt.Key.Key_Return)
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
