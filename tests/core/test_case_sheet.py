"""What the case view shows of a case (clerk_app.case_sheet): summary, lines, documents, history and
audit events as text, personal data masked, in either language."""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.case_numbers import draft_number
from clerk_app.case_sheet import case_sheet
from tests.helpers.supervision import ID_NUMBER, NAME, accepted_case, deliver


def test_a_delivered_case_as_the_case_view_shows_it(world):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    deliver(world, clerk, cid)
    view = world.ctx.cases.get(clerk, cid)
    search = world.ctx.search
    sheet = case_sheet(view, search.documents(clerk, cid), search.audit_events(clerk, cid))
    summary = dict(sheet.summary)
    assert summary["受理编号"] == view.case_number and summary["状态"] == "已出件  ·  后台：待出件"
    assert ID_NUMBER not in summary["申请人"] and NAME not in summary["申请人"] and "*" in summary["申请人"]
    assert summary["代理人"] == "—" and summary["首次提交"] in ("是", "否")
    assert all(len(row) == 8 for row in sheet.lines) and {row[1] for row in sheet.lines} <= {
        "原件",
        "复印件",
        "原件及复印件",
        "电子文件",
    }
    assert [row[2] for row in sheet.history][-1] == "已出件" and sheet.history[-1][4] == "窗口领取"
    assert sheet.audit[0][3] == "新建案件" and not any("{" in row[4] for row in sheet.audit)
    assert draft_number(None) == "（草稿）"
    i18n.set_language("en")
    try:
        english = case_sheet(view, [], [])
        assert english.summary[0][0] == "Case number" and english.history[-1][4] == "collected at the window"
        assert draft_number(None) == "(draft)"
    finally:
        i18n.set_language("zh_CN")
