"""What the hall's worklists say cell by cell (clerk_app.worklists), no Qt: the owed list and the
results ready for pickup, with the holder of a claim, in both languages."""

from __future__ import annotations

import datetime as dt

from clerk_app import i18n, worklists
from clerk_app.cases import ClaimView, OwedCase, ReadyCase
from clerk_app.clock import CHINA_TZ
from clerk_app.lifecycle import STATUS_LABELS, CaseStatus

SINCE = dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ)
CLAIM = ClaimView("c1", 7, "赵敏", "WH02", "03", SINCE)


def owed(days_overdue: int, claim: ClaimView | None = None) -> OwedCase:
    return OwedCase(
        case_id="c1",
        case_number="WH01-20260928-0001",
        status=CaseStatus.SYNCED,
        item_code="SC-GTGSH-SL",
        item_name="个体工商户设立登记",
        station_code="WH01",
        window_no="01",
        due=dt.date(2026, 9, 30),
        days_overdue=days_overdue,
        owed=("PREMISES",),
        owed_names=("经营场所使用证明",),
        applicant_name="王*",
        claim=claim,
    )


def ready(number: str | None = "WH01-20260928-0002") -> ReadyCase:
    return ReadyCase("c2", number, "SC-GTGSH-SL", "个体工商户设立登记", "WH01", "01", "李*", None, SINCE, CLAIM)


def test_owed_rows_say_overdue_today_and_the_holder():
    late = worklists.owed_row(owed(2, CLAIM))
    assert late.cells[3] == "经营场所使用证明" and late.cells[5] == "2 天" and late.overdue
    assert late.cells[6] == "赵敏（WH02 03 号窗口）" and late.cells[7] == "—"
    today = worklists.owed_row(owed(0))
    assert today.cells[5] == "今天" and today.due_today and not today.overdue and today.cells[6] == ""
    assert worklists.owed_row(owed(-3)).cells[5] == ""
    assert worklists.owed_summary([owed(2), owed(0)]) == "2 件案件待补齐材料，其中 1 件已逾期"
    assert worklists.owed_summary([]) == "没有待补齐材料的案件。"


def test_ready_cells_filter_and_summary():
    cells = worklists.ready_cells(ready(), document_arrived=False)
    assert cells[3] == "WH01 01 号窗口" and cells[4] == "2026-09-28 09:30" and cells[5] == "—"
    assert cells[6] == "未收到" and cells[7] == "赵敏（WH02 03 号窗口，09:30 起）"
    assert worklists.ready_cells(ready(), document_arrived=True)[6] == "已收到"
    assert worklists.ready_matches(ready(), " gtgsh ") and worklists.ready_matches(ready(), "李")
    assert not worklists.ready_matches(ready(None), "WH01-2026")
    assert worklists.ready_summary([ready()]) == "共 1 件待领取"
    assert i18n.text("worklist.ready_summary", "en", n=1) == "1 result(s) waiting for pickup"
    assert len(worklists.ready_headers()) == len(cells) and worklists.ready_headers()[6] == "办理结果文书"
    assert len(worklists.owed_headers()) == len(worklists.owed_row(owed(1)).cells)


def test_claim_notice_says_who_since_when_and_when_it_lapses():
    assert worklists.claim_notice(CLAIM) == "案件正由 赵敏（WH02 03 号窗口，自 09:30 起）办理，只能查看"
    lapsing = ClaimView("c1", 7, "赵敏", "WH02", "03", SINCE, SINCE + dt.timedelta(hours=1))
    assert worklists.claim_notice(lapsing).endswith("只能查看；占用将于 10:30 自动失效。")


def test_what_the_supplement_dialog_says(world):
    from clerk_app.lifecycle import Decision, LineStatus
    from tests.helpers.case_factory import ITEM, person

    clerk = world.login("clerk")
    cases = world.ctx.cases
    cid = cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases.set_applicant(clerk, cid, person("王芳", 5))
    for line in cases.get(clerk, cid).lines:
        if line.code != "PREMISES" and line.status is not LineStatus.NOT_REQUIRED:
            cases.update_line(clerk, cid, line.code, originals_received=line.originals_required)
            cases.update_line(clerk, cid, line.code, copies_received=line.copies_required)
    due = world.clock.now().date() + dt.timedelta(days=3)
    cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
    assert not worklists.offers_supplements(cases.get(clerk, cid))  # a draft: nothing to record yet
    cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due)
    view = cases.get(clerk, cid)
    [owed] = worklists.owed_lines(view)
    assert worklists.offers_supplements(view) and worklists.department_requests(view) == []
    assert worklists.owed_line(owed) == f"{owed.name} — {due.isoformat()} 前补交 — 已扫描 0 页"
    assert worklists.case_status(view) == i18n.text(STATUS_LABELS[view.status])
    desk = worklists.supplement_desk(view, read_only=False)
    assert desk.title == f"登记补交材料 — 案件 {view.case_number}" and desk.can_record
    assert [key for key, _label, _value in desk.facts] == ["case_number", "item", "applicant", "status"]
    assert desk.facts[2][1:] == ("申请人", "王*") and desk.claim_notice is None
    assert desk.owed == [("PREMISES", worklists.owed_line(owed))]
    held = worklists.supplement_desk(view, read_only=True)
    assert not held.can_record and held.owed  # read-only: shown, not recorded


def test_queue_line_names_whoever_else_works_on_the_case(world):
    from tests.helpers.case_factory import ITEM

    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    [case] = [c for c in world.ctx.cases.drafts(clerk) if c.id == cid]
    assert worklists.queue_text(case, None, clerk.user_id).endswith("  ·  个体工商户设立登记  ·  —")
    assert worklists.queue_text(case, CLAIM, clerk.user_id).endswith("  ·  赵敏（WH02）正在办理")
    assert "正在办理" not in worklists.queue_text(case, CLAIM, CLAIM.user_id)  # one's own claim: not named


def test_home_view_greets_warns_and_lists_the_queue(world):
    from tests.helpers.case_factory import ITEM

    ctx, clerk, supervisor = world.ctx, world.login("clerk"), world.login("supervisor")
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    today = ctx.clock.now().date()
    home = worklists.home_view(ctx.users, ctx.cases, ctx.calendar, today, clerk, "mine")
    assert home.greeting.startswith("您好，") and home.greeting.endswith("（窗口受理人员）")
    assert home.calendar_warning is None  # clerks are not told about the holiday schedule
    assert [case_id for case_id, _line in home.queue] == [cid]
    other = worklists.home_view(ctx.users, ctx.cases, ctx.calendar, today, world.login("prereview"), "mine")
    assert other.queue == [(None, "（暂无草稿）")]
    desk = worklists.home_view(ctx.users, ctx.cases, ctx.calendar, today, supervisor, "all")
    assert desk.queue == [(None, "（该角色无受理业务）")]
    assert i18n.text("worklist.no_drafts", "en") == "(no open drafts)"
