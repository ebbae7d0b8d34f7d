"""The customer-facing window: follows the desk live, stores confirmation and rating, forgets the
applicant on close and on lock, times out politely. The case is read off the GUI thread: each step
waits for the read (``settle``) before it looks."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget
from sqlalchemy import select

from clerk_app.attachments import AttachmentStore
from clerk_app.customer import CustomerService, Rating
from clerk_app.lifecycle import Decision, LineStatus
from clerk_app.pages import PageService
from clerk_app.persons import PersonData
from clerk_app.security.crypto import FieldCipher
from clerk_app.store.models import AuditEvent, OutboxEntry
from tests.helpers.core import make_world
from testsupport.ui import open_window, settle
from ui.current_case import CurrentCase
from ui.customer.window import CustomerWindow, Phase, attach_customer_window, toggle_customer_window

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记
ZHANG = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)
LI = PersonData(
    name="李四光",
    document_number="110105194912310038",
    address="北京市朝阳区建国路1号",
    phone="13900139000",
    verified_by="chip",
    passive_auth="verified",
)


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    w.ctx.close()


@pytest.fixture
def pages(world, tmp_path):
    store = AttachmentStore(tmp_path / "attachments", FieldCipher(world.ctx.keys, "attachments"))
    return PageService(world.ctx.sessions, world.ctx.clock, world.ctx.auditor, store)


@pytest.fixture
def desk(qtbot, world, pages, translations):
    clerk = world.login("clerk")
    current = CurrentCase()
    window = CustomerWindow(world.ctx, clerk, current, pages=pages, rating_timeout_ms=60_000, thanks_ms=50)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return clerk, current, window


def new_case(world, clerk, person=ZHANG, ticket_no=None):
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"}, ticket_no=ticket_no)
    world.ctx.cases.set_applicant(clerk, cid, person)
    return cid


def receive_all(world, clerk, cid):
    for line in world.ctx.cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            world.ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )


def texts(window: QWidget) -> str:
    """Every visible text on the window (what the applicant could read)."""
    QApplication.processEvents()  # rows added to a shown layout become visible on the next pass
    return "\n".join(label.text() for label in window.findChildren(QLabel) if label.isVisibleTo(window))


def line_rows(window: CustomerWindow) -> dict[str, QWidget]:
    return {w.property("lineCode"): w for w in window.lines_box.findChildren(QWidget) if w.property("lineCode")}


def status_of(window: CustomerWindow, code: str) -> str:
    row = line_rows(window)[code]
    return next(label.text() for label in row.findChildren(QLabel) if label.property("status"))


def png_page() -> bytes:
    out = io.BytesIO()
    Image.new("L", (827, 1169), 255).save(out, "PNG")
    return out.getvalue()


def test_idle_shows_hall_and_window_only(desk, world):
    _clerk, _current, window = desk
    assert window.phase is Phase.IDLE
    shown = texts(window)
    assert world.ctx.settings.hall_name in shown and "01 号窗口" in shown
    assert "张" not in shown


def test_follows_the_checklist_live_with_page_counts_and_thumbnails(qtbot, desk, world, pages):
    clerk, current, window = desk
    cid = new_case(world, clerk, ticket_no="A023")
    current.open(cid)
    settle(qtbot, window)
    assert window.phase is Phase.CHECKLIST
    shown = texts(window)
    assert "个体工商户" in shown and "工号 0101" in shown and "A023" in shown
    assert "*" in window.applicant.text()
    assert "11010519491231002X" not in shown and "张三丰" not in shown  # masked only
    assert status_of(window, "PREMISES") == "未提交"

    world.ctx.cases.update_line(clerk, cid, "PREMISES", copies_received=1)
    current.touch()
    settle(qtbot, window)
    assert status_of(window, "PREMISES") == "已收取"
    world.ctx.cases.update_line(clerk, cid, "APPLY", status=LineStatus.DEFECTIVE, reason="未签名")
    current.touch()
    settle(qtbot, window)
    assert status_of(window, "APPLY") == "需更正" and "未签名" in texts(window)

    for _ in range(2):
        pages.add(clerk, cid, "PREMISES", png_page(), "image/png", width=827, height=1169)
    current.touch()
    settle(qtbot, window)
    row = line_rows(window)["PREMISES"]
    assert "2 页" in "\n".join(label.text() for label in row.findChildren(QLabel))
    assert row.property("thumbnails") == 2


def test_confirmation_is_stored_and_asked_again_after_a_change(qtbot, desk, world):
    clerk, current, window = desk
    cid = new_case(world, clerk)
    current.open(cid)
    settle(qtbot, window)
    assert window.confirm_button.isVisible()
    with qtbot.waitSignal(window.confirmed, timeout=2000):
        qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)  # the case read again after the confirmation
    confirmation = CustomerService(world.ctx.sessions, world.ctx.clock, world.ctx.auditor).confirmation(cid)
    assert confirmation is not None and confirmation.current
    assert not window.confirm_button.isVisible() and "确认" in window.confirm_state.text()

    world.ctx.cases.update_line(clerk, cid, "PREMISES", copies_received=1)
    current.touch()
    settle(qtbot, window)
    assert window.confirm_button.isVisible() and "有变化" in window.confirm_state.text()


def test_notice_then_rating_is_stored_with_an_outbox_entry(qtbot, desk, world):
    clerk, current, window = desk
    cid = new_case(world, clerk)
    current.open(cid)
    settle(qtbot, window)
    world.ctx.cases.decide(cid, Decision.RETURN_WITH_NOTICE, clerk)
    current.decide(Decision.RETURN_WITH_NOTICE.value)
    settle(qtbot, window)
    assert window.phase is Phase.NOTICE
    assert window.notice_text.text().startswith("一次性告知")
    assert "个体工商户登记（备案）申请书" in window.notice_text.text()
    qtbot.mouseClick(window.notice_next, Qt.MouseButton.LeftButton)
    assert window.phase is Phase.RATING
    with qtbot.waitSignal(window.rated, timeout=2000) as rated:
        qtbot.mouseClick(window.rating_buttons[Rating.SATISFIED], Qt.MouseButton.LeftButton)
    assert rated.args == [cid, 4]
    assert world.ctx.cases.get(clerk, cid).rating == 4
    with world.ctx.sessions() as s:
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "rating")).one()
    assert entry.idempotency_key == f"{cid}:rating" and entry.payload["rating"] == 4
    assert window.phase is Phase.THANKS and "感谢" in window.thanks.text()
    qtbot.waitUntil(lambda: window.phase is Phase.DONE, timeout=2000)
    assert window.stack.currentWidget() is window.idle_page


def test_low_rating_requires_a_reason(qtbot, desk, world):
    clerk, current, window = desk
    cid = new_case(world, clerk)
    receive_all(world, clerk, cid)
    current.open(cid)
    settle(qtbot, window)
    world.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    current.decide(Decision.ACCEPT.value)
    settle(qtbot, window)
    assert window.phase is Phase.RATING and "已受理" in window.decision_summary.text()
    qtbot.mouseClick(window.rating_buttons[Rating.DISSATISFIED], Qt.MouseButton.LeftButton)
    assert window.phase is Phase.RATING and window.reasons_box.isVisible()
    assert not window.submit_low.isEnabled()
    qtbot.mouseClick(window.submit_low, Qt.MouseButton.LeftButton)
    assert world.ctx.cases.get(clerk, cid).rating is None
    qtbot.mouseClick(window.reason_buttons["wait_long"], Qt.MouseButton.LeftButton)
    assert window.submit_low.isEnabled()
    window.comment.setText("排队太久")  # (keyClicks takes ASCII only)
    with qtbot.waitSignal(window.rated, timeout=2000):  # stored off the GUI thread
        qtbot.mouseClick(window.submit_low, Qt.MouseButton.LeftButton)
    facts = CustomerService(world.ctx.sessions, world.ctx.clock, world.ctx.auditor).facts(cid)
    assert facts.rating is Rating.DISSATISFIED and facts.rating_reasons == ("wait_long",)


def test_rating_times_out_politely_and_returns_to_idle(qtbot, world, translations):
    clerk = world.login("clerk")
    current = CurrentCase()
    window = CustomerWindow(world.ctx, clerk, current, rating_timeout_ms=150, thanks_ms=150)
    qtbot.addWidget(window)
    window.show()
    cid = new_case(world, clerk, ticket_no="A031")
    receive_all(world, clerk, cid)
    current.open(cid)
    settle(qtbot, window)
    world.ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    current.decide(Decision.ACCEPT.value)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.phase is Phase.THANKS, timeout=2000)
    assert "未评价" in window.thanks.text()
    qtbot.waitUntil(lambda: window.phase is Phase.DONE, timeout=2000)
    assert window.stack.currentWidget() is window.idle_page
    assert "A031" in window.idle_serving.text()  # the number being served stays up until the next one
    assert world.ctx.cases.get(clerk, cid).rating is None
    with world.ctx.sessions() as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == cid)).all()[-1] == "case.rating_skipped"
    current.touch()  # a late refresh of the same decided case does not bring the rating back
    settle(qtbot, window)
    assert window.phase is Phase.DONE


def test_clears_on_next_applicant_and_never_mixes_two(qtbot, desk, world):
    clerk, current, window = desk
    first = new_case(world, clerk, ZHANG)
    current.open(first)
    settle(qtbot, window)
    zhang_masked = window.applicant.text()
    assert zhang_masked
    current.close()
    assert window.phase is Phase.IDLE and window.case_id is None
    assert window.applicant.text() == "" and not line_rows(window)
    second = new_case(world, clerk, LI)
    current.open(second)
    settle(qtbot, window)
    assert window.case_id == second and window.applicant.text() != zhang_masked
    assert "张" not in texts(window)
    # A change announced for a case the window was not told about replaces, never mixes.
    current.case_id = first
    current.touch()
    settle(qtbot, window)
    assert window.case_id == first and "李" not in texts(window)


class LockingMain(QMainWindow):
    """Stands in for the main window with the idle lock's ``locked`` signal."""

    locked = Signal()

    def __init__(self, ctx, actor) -> None:
        super().__init__()
        self.ctx, self.actor, self.current_case = ctx, actor, CurrentCase()


def test_clears_on_lock_and_closes_with_the_main_window(qtbot, world, translations):
    clerk = world.login("clerk")
    main = LockingMain(world.ctx, clerk)
    qtbot.addWidget(main)
    main.show()
    window = attach_customer_window(main)
    assert main.customer_window is window and not window.isVisible()  # one screen: hidden until asked for
    assert not window.isFullScreen()  # one (offscreen) screen: a normal movable window
    window.screens_changed(None)  # a screen came or went: placed again
    qtbot.wait(20)
    assert not window.isVisible() and not window.isFullScreen()
    toggle_customer_window(window)  # Ctrl+Shift+C
    assert window.isVisible() and not window.isFullScreen()
    cid = new_case(world, clerk)
    main.current_case.open(cid)
    settle(qtbot, window)
    assert window.phase is Phase.CHECKLIST
    main.locked.emit()
    assert window.phase is Phase.IDLE and window.case_id is None and "张" not in texts(window)
    main.current_case.touch()  # back from the lock: the case on the desk shows again
    settle(qtbot, window)
    assert window.case_id == cid and window.phase is Phase.CHECKLIST
    main.close()
    assert not window.isVisible() and window.case_id is None


def test_main_window_opens_it_for_clerks_only(qtbot, world, translations):
    from ui.main_window import MainWindow

    clerk = world.login("clerk")
    main = MainWindow(world.ctx, clerk, translations)
    qtbot.addWidget(main)
    assert isinstance(getattr(main, "customer_window", None), CustomerWindow)
    helper = MainWindow(world.ctx, world.login("prereview"), translations)
    qtbot.addWidget(helper)
    assert getattr(helper, "customer_window", None) is None


def test_the_real_idle_lock_clears_the_customer_window(qtbot, demo_ctx, translations):
    from testsupport.ui import open_window, settle

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    customer = window.customer_window
    qtbot.addWidget(customer)
    page = window.pages["intake"]
    window.show_page("intake")
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    qtbot.waitUntil(lambda: customer.case_id == page.case_id)
    window.idle_lock.lock("manual")
    qtbot.waitUntil(lambda: customer.case_id is None)
    assert page.case_id is not None  # the clerk's draft stays on the desk behind the lock


def test_single_screen_window_stays_on_the_screen(qtbot, demo_ctx, translations):
    from PySide6.QtGui import QGuiApplication

    from testsupport.ui import open_window

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    customer = window.customer_window
    qtbot.addWidget(customer)
    avail = QGuiApplication.primaryScreen().availableGeometry()
    frame = customer.frameGeometry()
    assert frame.left() >= avail.left() and frame.top() >= avail.top()
    # wider than the screen only when its large type cannot fit at all; then it starts at the left edge
    assert frame.right() <= avail.right() or frame.left() == avail.left()


def test_the_applicants_screen_runs_no_sql_on_the_gui_thread(qtbot, demo_ctx, translations):
    """Issue 13: the window reads the case, the notice and the thumbnails, and stores the confirmation
    and the rating, off the GUI thread. Walked from the login dialog; what the clerk does at the desk is
    made through the core outside the recording, and only SQL the window runs itself counts (the
    innermost ui/ frame in ``ui/customer/``: other pages following the desk have their own tests)."""
    from testsupport.gui_io import describe, gui_thread_queries

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    customer = window.customer_window
    qtbot.addWidget(customer)
    page, desk = window.pages["intake"], window.current_case
    window.show_page("intake")
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    cid = page.case_id
    demo_ctx.cases.set_applicant(page.actor, cid, ZHANG)
    demo_ctx.pages.add(page.actor, cid, "APPLY", png_page(), "image/png", width=827, height=1169)
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    with gui_thread_queries(demo_ctx.engine) as hits:
        desk.touch()
        settle(qtbot, customer)
        assert line_rows(customer)["APPLY"].property("thumbnails") == 1 and "*" in customer.applicant.text()
        with qtbot.waitSignal(customer.confirmed, timeout=5000):
            qtbot.mouseClick(customer.confirm_button, Qt.MouseButton.LeftButton)
        settle(qtbot, customer)
        assert not customer.confirm_button.isVisible()
    demo_ctx.cases.decide(cid, Decision.RETURN_WITH_NOTICE, page.actor)
    with gui_thread_queries(demo_ctx.engine) as later:
        desk.decide(Decision.RETURN_WITH_NOTICE.value)
        settle(qtbot, customer)
        assert customer.phase is Phase.NOTICE and customer.notice_text.text().startswith("一次性告知")
        qtbot.mouseClick(customer.notice_next, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(customer.rated, timeout=5000):
            qtbot.mouseClick(customer.rating_buttons[Rating.VERY_SATISFIED], Qt.MouseButton.LeftButton)
    mine = [hit for hit in hits + later if hit.ui_frames and hit.ui_frames[-1].startswith("ui/customer/")]
    assert not mine, describe(mine)
    assert demo_ctx.cases.get(page.actor, cid).rating == 5
