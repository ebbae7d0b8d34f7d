"""The customer window's hall options (issue 17): 适老化 large type and high contrast, and the
applicant's confirmation required before acceptance — seen by the clerk on the intake page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clerk_app.app_context import build_context
from clerk_app.customer_screen import large_type
from clerk_app.demo import seed_demo_users
from clerk_app.lifecycle import LineStatus
from clerk_app.settings import Settings
from tests.helpers.case_factory import person
from testsupport.ui import ScriptedPrompts, open_window, settle
from ui.customer.window import STYLE


@pytest.fixture
def hall_ctx(tmp_path):
    ctx = build_context(
        Settings(demo=True, data_dir=str(tmp_path), customer_large_type=True, customer_confirmation_required=True)
    )
    seed_demo_users(ctx)
    yield ctx
    ctx.close()


def test_large_type_is_larger_and_black_on_white():
    big = large_type(STYLE)
    assert "font-size: 22px" in STYLE and "font-size: 31px" in big and "font-size: 22px" not in big
    assert "#4a5868" not in big and "#6b7785" not in big and "background: #ffffff" in big


def test_the_applicant_confirms_then_the_clerk_may_accept(qtbot, hall_ctx, translations):
    window = open_window(qtbot, hall_ctx, translations, "clerk")
    customer = window.customer_window
    qtbot.addWidget(customer)
    assert customer.large_type and customer.styleSheet() == large_type(STYLE)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    window.show_page("intake")
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    hall_ctx.cases.set_applicant(page.actor, page.case_id, person("王芳", 5))
    for line in hall_ctx.cases.get(page.actor, page.case_id).lines:
        if line.status is LineStatus.PENDING:
            hall_ctx.cases.update_line(
                page.actor, page.case_id, line.code, originals_received=1, copies_received=line.copies_required
            )
    window.current_case.touch()
    settle(qtbot, page)
    qtbot.waitUntil(lambda: customer.case_id == page.case_id)
    assert not page.buttons["accept_action"].isEnabled()
    assert "确认" in page.buttons["accept_action"].toolTip()
    assert "申请人尚未在群众端屏幕确认本材料清单" in page.summary.text()

    settle(qtbot, customer)  # the list the applicant confirms has been read (the button is off until then)
    assert customer.confirm_button.isEnabled()
    qtbot.mouseClick(customer.confirm_button, Qt.MouseButton.LeftButton)  # the applicant, on their screen
    qtbot.waitUntil(lambda: page.buttons["accept_action"].isEnabled(), timeout=5000)
    assert "申请人已确认材料清单 ✓" in page.summary.text()
