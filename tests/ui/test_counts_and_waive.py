"""Partial counts and waiving (issue 17): Ctrl+G records fewer copies than required (the line stays
owed, 份数不足 on the one-time notice); Ctrl+W waives an optional material with a reason; a required
one cannot be waived (the core says why, nothing changes)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clerk_app.lifecycle import LineStatus
from testsupport.ui import ScriptedPrompts, open_window, settle

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def lines(ctx, page) -> dict:
    return {ln.code: ln for ln in ctx.cases.get(page.actor, page.case_id).lines}


def select(page, code: str) -> None:
    row = next(r for r in range(page.model.rowCount()) if page.model.line(r).code == code)
    page.table.setFocus()
    page.table.selectRow(row)


def test_partial_counts_and_waiving_from_the_keyboard(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, K.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts(counts_given=[(1, 0)], waive_reasons=["申请人自愿不提交（选择性材料）"])
    page.picker.query.setText("SH-JSZG-RD")
    page.picker.pick_current()
    settle(qtbot, page)
    assert page.buttons["counts_action"].text() == "份数… (Ctrl+G)"
    assert page.buttons["waive_action"].text() == "免于提交… (Ctrl+W)"

    id_line = lines(demo_ctx, page)["ID"]
    assert id_line.copies_required >= 1
    select(page, "ID")
    qtbot.keyClick(page.table, K.Key_G, CTRL)  # 1 original, 0 copies
    settle(qtbot, page)
    got = lines(demo_ctx, page)["ID"]
    assert (got.originals_received, got.copies_received, got.status) == (1, 0, LineStatus.PENDING)
    notice = demo_ctx.cases.one_time_notice(page.case_id).text()
    assert "份数不足" in notice and "已收原件 1 份、复印件 0 份" in notice

    select(page, "PHOTO")
    qtbot.keyClick(page.table, K.Key_W, CTRL)
    settle(qtbot, page)
    photo = lines(demo_ctx, page)["PHOTO"]
    assert photo.status is LineStatus.NOT_REQUIRED and photo.reason == "申请人自愿不提交（选择性材料）"

    page.prompts.waive_reasons = ["申请人无此情形"]
    select(page, "APPLY")
    qtbot.keyClick(page.table, K.Key_W, CTRL)  # required: refused in Chinese, nothing changed
    settle(qtbot, page)
    assert page.prompts.errors and lines(demo_ctx, page)["APPLY"].status is LineStatus.PENDING
    page.prompts.counts_given = []
    select(page, "MEDICAL")
    qtbot.keyClick(page.table, K.Key_G, CTRL)  # the counts question cancelled: nothing changes
    settle(qtbot, page)
    assert lines(demo_ctx, page)["MEDICAL"].originals_received == 0
