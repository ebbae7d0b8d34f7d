"""What the case view shows of a case (clerk_app.case_sheet): summary, lines, documents, history and
audit events as text, personal data masked, in either language."""

from __future__ import annotations

from clerk_app import i18n
from clerk_app.case_numbers import draft_number
from clerk_app.case_sheet import case_sheet, columns, read_case_sheet
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


def test_read_in_one_call_with_titles_columns_and_the_result_document(world):
    """What the case view reads off the GUI thread: the sheet, its window and tab titles, the
    department's result document row (not received yet), and every table's column titles."""
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    ctx = world.ctx
    sheet = read_case_sheet(ctx.cases, ctx.search, clerk, cid, ctx.results)
    assert sheet.view is not None and sheet.view.id == cid
    assert sheet.title == f"案件 {sheet.view.case_number}"
    assert sheet.tabs[0] == "&1 概况" and sheet.tabs[1] == f"&2 材料（{len(sheet.lines)}）"
    assert sheet.result == ("办理结果文书", "尚未收到部门的办理结果") and sheet.result_document is None
    assert read_case_sheet(ctx.cases, ctx.search, clerk, cid).result is None  # a window without results
    for table, rows in sheet.tables().items():
        assert all(len(row) == len(columns(table)) for row in rows), table
    assert columns("results")[0] == "受理编号" and columns("lines")[0] == "材料名称"
    i18n.set_language("en")
    try:
        assert columns("history") == ["Time", "From", "To", "Role", "Reason"]
    finally:
        i18n.set_language("zh_CN")


def test_the_search_lists_summary_line():
    from clerk_app.case_sheet import list_summary

    keys = "    回车：查看 · Ctrl+L：重新查询"
    assert list_summary(0, False, False) == "暂无结果。请填写一个或多个查询条件后按回车。" + keys
    assert list_summary(0, True, False) == "没有符合条件的案件。" + keys  # not like an input error (issue 17)
    assert list_summary(100, True, True).startswith("已显示 100 件，还有更多")
    assert list_summary(7, True, False).startswith("共找到 7 件")
