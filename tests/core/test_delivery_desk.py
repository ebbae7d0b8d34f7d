"""The 出件 lookup decided by the core (clerk_app/delivery_desk.py): one call finds the case, names its
result document and claims it when it is ready; a case another person holds comes back read-only."""

from __future__ import annotations

import pytest

from clerk_app import i18n
from clerk_app.card_workflow import AccessKeyNeeded
from clerk_app.delivery import CollectorCheck, CollectorRole, DeliveryMethod, DeliveryReceipt
from clerk_app.delivery_desk import (
    card_problem,
    case_facts,
    collector_text,
    handover_text,
    look_up,
    result_document_text,
)
from clerk_app.errors import ClerkAppError
from tests.helpers.case_factory import decided_case, person, to_result_ready


def lookup(world, actor, text):
    ctx = world.ctx
    return look_up(ctx.delivery, ctx.cases, ctx.results, actor, text)


def test_a_ready_case_is_claimed_and_a_decided_one_is_only_shown(world):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("李四", 2))
    found = lookup(world, clerk, number)
    assert found.case.id == cid and not found.case.ready and not found.claimed and not found.can_hand_out
    assert found.message == "该案件不能出件：当前状态为“已受理”，不是“待出件”。"
    facts = {key: value for key, _label, value in case_facts(found.case)}
    assert facts["case_number"] == number and facts["applicant"].startswith("李*") and facts["agent"] == "（无）"
    assert result_document_text(found.case, None) == "—"  # not ready: nothing to wait for yet
    assert world.ctx.cases.claim_of(cid) is None
    to_result_ready(world.ctx, cid)
    found = lookup(world, clerk, number)
    assert found.can_hand_out and found.holder is None and found.result_document is None
    assert found.message.startswith("办理结果已到窗口")
    assert result_document_text(found.case, None) == "尚未收到审批部门的办理结果文书"
    assert world.ctx.cases.claim_of(cid).user_id == clerk.user_id


def test_a_case_someone_else_holds_comes_back_with_the_holder(world):
    clerk, supervisor = world.login("clerk"), world.login("supervisor")
    cid, number = decided_case(world.ctx, clerk, person("王五", 3))
    to_result_ready(world.ctx, cid)
    world.ctx.cases.claim(supervisor, cid)
    found = lookup(world, clerk, number)
    assert not found.claimed and found.holder is not None and found.holder.user_id == supervisor.user_id
    assert found.refused is not None and "只能查看" in found.refused.user_message()


def test_no_such_case_is_the_cores_error(world):
    with pytest.raises(ClerkAppError):
        lookup(world, world.login("clerk"), "WH01XYZ")


def test_what_the_page_says_without_a_case_and_after_the_handover():
    import datetime as dt

    assert [(key, value) for key, _label, value in case_facts(None)][:2] == [("case_number", "—"), ("item", "—")]
    check = CollectorCheck(CollectorRole.AGENT, "chip", "4201**********0003")
    assert collector_text(check) == "证件核验一致：代理人（4201**********0003）。"
    at = dt.datetime(2026, 12, 3, 9, 0)
    window = DeliveryReceipt("c1", "WH01-1", DeliveryMethod.WINDOW, check, "", "", at)
    assert handover_text(window, printed=False) == "已出件：案件 WH01-1 已交代理人领取。"
    express = DeliveryReceipt("c1", "WH01-1", DeliveryMethod.EXPRESS, None, "顺丰速运", "SF1", at)
    assert handover_text(express, printed=True) == (
        "已出件：案件 WH01-1 已通过顺丰速运寄出，单号 SF1。 送达回证和办理结果文书已送打印机。"
    )
    assert card_problem(AccessKeyNeeded()).startswith("该证件需要机读码密钥")
    assert card_problem(RuntimeError("boom")) == "证件无法读取"
    assert i18n.text("delivery.handed", "en", number="X", who="the agent") == "Delivered: case X handed to the agent."
