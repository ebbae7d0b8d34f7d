"""The intake page's step strip (issue 17): 事项 → 读证 → 材料 → 扫描 → 决定 follows the case on the desk."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from testsupport.ui import ScriptedPrompts, open_window, settle

K = Qt.Key


def texts(page) -> list[str]:
    return [label.text() for label in page.steps.labels]


def test_the_strip_follows_the_case_from_item_to_decision(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, K.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    assert page.steps.step == 0 and texts(page)[0] == "1 事项  Ctrl+N" and texts(page)[4] == "5 决定"

    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    assert page.steps.step == 1 and texts(page)[0] == "✓ 事项" and texts(page)[1] == "2 读证  F6"

    qtbot.keyClick(page, K.Key_F6)  # the simulated reader's resident ID
    qtbot.waitUntil(lambda: page.steps.step == 2, timeout=10_000)
    assert texts(page)[2] == "3 材料  Ctrl+R"

    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page, K.Key_F9)  # scanning before every material is in: still 材料
    qtbot.waitUntil(lambda: page.scanning.job is None and page.model.line(0).page_count > 0, timeout=30_000)
    assert page.steps.step == 2
    for line in demo_ctx.cases.get(page.actor, page.case_id).lines:
        if line.status is LineStatus.PENDING:
            demo_ctx.cases.update_line(
                page.actor, page.case_id, line.code, originals_received=1, copies_received=line.copies_required
            )
    page.refresh()
    settle(qtbot, page)
    assert page.steps.step == 4 and texts(page)[4] == "5 决定  Ctrl+1"

    page.decide(Decision.ACCEPT)
    settle(qtbot, page)
    assert demo_ctx.cases.get(page.actor, page.case_id).status is CaseStatus.ACCEPTED
    assert page.steps.step == 5 and all(t.startswith("✓") for t in texts(page))

    service = window.printing  # the print question of the materials list (default policy): not now
    qtbot.waitUntil(lambda: service.ask_dialog is not None and service.ask_dialog.isVisible(), timeout=30_000)
    service.ask_dialog.reject()
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(page, K.Key_N, Qt.KeyboardModifier.ControlModifier)  # the next applicant: back to 事项
    assert page.steps.step == 0
