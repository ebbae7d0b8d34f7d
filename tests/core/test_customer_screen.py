"""What the applicant's screen says about a case (clerk_app.customer_screen), no Qt: line statuses in
the applicant's words, the counts, the masked parties, and the texts after a decision."""

from __future__ import annotations

import datetime as dt

from clerk_app import customer_screen as screen
from clerk_app import i18n
from clerk_app.customer import Rating
from clerk_app.lifecycle import DECISION_STATUS, STATUS_LABELS, Decision, LineStatus
from clerk_app.persons import PersonData

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记
APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


def new_case(world, clerk):
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    world.ctx.cases.set_applicant(clerk, cid, APPLICANT)
    return cid


def lines_by_code(view):
    return {line.code: line for line in screen.checklist(view).lines}


def test_line_statuses_counts_and_reasons(world):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    cases = world.ctx.cases
    due = world.clock.now().date() + dt.timedelta(days=5)
    cases.update_line(clerk, cid, "APPLY", status=LineStatus.DEFECTIVE, reason="未签名")
    cases.update_line(clerk, cid, "OPERATOR-ID", originals_received=1)
    cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
    view = cases.get(clerk, cid)
    shown = lines_by_code(view)
    apply, premises = shown["APPLY"], shown["PREMISES"]
    assert (apply.status_text, apply.kind, apply.reason) == ("需更正", screen.Kind.BAD, "原因：未签名")
    assert (premises.status_text, premises.kind) == ("容缺后补", screen.Kind.WAIT)
    assert premises.reason == f"请于 {screen.date_text(due)} 前补交"
    assert shown["OPERATOR-ID"].received == "已收：原件 1 份 · 复印件 0 份"
    assert apply.title == "1. " + view.lines[0].name and apply.pages == "未扫描"
    assert all(line.needed.startswith("需提交：") for line in shown.values())
    counts = {kind: sum(1 for line in shown.values() if line.kind is kind) for kind in screen.Kind}
    summary = screen.checklist(view).summary
    assert summary.startswith(f"共 {len(view.lines)} 项材料") and f"容缺后补 {counts[screen.Kind.WAIT]} 项" in summary
    assert i18n.text("customer.line.missing", "en") == "Missing"


def test_parties_are_masked_as_in_the_view(world):
    clerk = world.login("clerk")
    view = world.ctx.cases.get(clerk, new_case(world, clerk))
    text = screen.parties(view)
    assert text.startswith("申请人：") and "证件号码：" in text
    assert "张三丰" not in text and "11010519491231002X" not in text


def test_texts_after_the_decision(world):
    clerk = world.login("clerk")
    cases = world.ctx.cases
    returned = new_case(world, clerk)
    number = cases.decide(returned, Decision.RETURN_WITH_NOTICE, clerk).case_number
    view = cases.get(clerk, returned)
    footer = screen.notice_footer(view, Decision.RETURN_WITH_NOTICE)
    assert footer.splitlines() == [f"受理编号：{number}", "请按上述清单一次性备齐材料，再来一次即可办理。"]
    rejected = new_case(world, clerk)
    cases.decide(
        rejected, Decision.REJECT, clerk, reason="不属于本窗口受理范围", legal_basis="《行政许可法》第三十二条"
    )
    summary = screen.decision_summary(cases.get(clerk, rejected), Decision.REJECT).split("  ·  ")
    assert summary[0] == i18n.text(STATUS_LABELS[DECISION_STATUS[Decision.REJECT]])
    assert summary[1] == "理由：不属于本窗口受理范围"


def test_the_flow_follows_the_desk():
    flow = screen.Flow()
    assert flow.phase is screen.Phase.IDLE and not flow.follows_changes
    flow.open("c1")
    assert flow.phase is screen.Phase.CHECKLIST and flow.follows_changes
    flow.decided(Decision.RETURN_WITH_NOTICE)
    assert flow.phase is screen.Phase.NOTICE and flow.follows_changes  # the notice follows the desk too
    flow.start_rating()
    assert flow.phase is screen.Phase.RATING and not flow.follows_changes
    flow.finished()
    flow.thanks_over()
    assert flow.phase is screen.Phase.DONE and not flow.follows_changes  # a late change does not re-open it
    flow.open("c2")
    flow.decided(Decision.ACCEPT)
    assert (flow.case_id, flow.phase) == ("c2", screen.Phase.RATING)  # no notice: straight to the rating
    flow.open(None)
    assert (flow.case_id, flow.phase, flow.decision) == (None, screen.Phase.IDLE, None)


def test_read_screen_confirmation_notice_and_rated(world):
    clerk = world.login("clerk")
    cases, customer = world.ctx.cases, world.ctx.customer
    cid = new_case(world, clerk)
    shown = screen.read_screen(cases, customer, clerk, cid, None)
    assert shown.confirmed is None and shown.confirmation.startswith("请核对")
    assert shown.notice == shown.decision_summary == "" and not shown.rated
    customer.confirm_materials(clerk, cid, shown.lines_hash)
    shown = screen.read_screen(cases, customer, clerk, cid, None)
    assert shown.confirmed is True and "确认以上材料清单" in shown.confirmation
    cases.update_line(clerk, cid, "PREMISES", copies_received=1)
    shown = screen.read_screen(cases, customer, clerk, cid, None)
    assert shown.confirmed is False and "有变化" in shown.confirmation
    cases.decide(cid, Decision.RETURN_WITH_NOTICE, clerk)
    shown = screen.read_screen(cases, customer, clerk, cid, Decision.RETURN_WITH_NOTICE)
    assert shown.notice.startswith("一次性告知") and shown.notice_footer.startswith("受理编号：")
    customer.rate(clerk, cid, Rating.SATISFIED, [], "")
    flow = screen.Flow("c", screen.Phase.RATING)
    assert flow.skip_rating(screen.read_screen(cases, customer, clerk, cid, Decision.RETURN_WITH_NOTICE))
