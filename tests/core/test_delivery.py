"""Result delivery (出件) through DeliveryService over the real store: lookup by number or receipt
code, the collector check by keyed token, window and express handovers, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.case_numbers import case_lookup_string, is_valid_case_number, parse_case_lookup
from clerk_app.delivery import DeliveryError, DeliveryMethod, DeliveryService, Handover
from clerk_app.errors import PermissionDenied
from clerk_app.identity import InvalidIdentityNumber
from clerk_app.lifecycle import CaseStatus
from clerk_app.store.models import AuditEvent, Case, OutboxEntry
from tests.helpers.case_factory import decided_case, person, resident_id, to_result_ready


@pytest.fixture
def delivery(world):
    return DeliveryService(world.ctx.sessions, world.ctx.cases, world.ctx.persons, world.ctx.auditor)


@pytest.fixture
def ready(world):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("李四", 2), agent=person("刘洋", 3))
    to_result_ready(world.ctx, cid)
    return cid, number


def handover_events(world, cid):
    with world.ctx.sessions() as s:
        return s.scalars(
            select(AuditEvent).where(AuditEvent.case_id == cid, AuditEvent.action == "case.handover")
        ).all()


def test_lookup_string_round_trip():
    number = "WH012026092800007"
    from clerk_app.case_numbers import check_chars as check_char

    number += check_char(number)  # two check digits
    assert is_valid_case_number(number)
    assert case_lookup_string(number.lower()) == f"CASE:{number}"
    assert parse_case_lookup(case_lookup_string(number)) == number
    assert parse_case_lookup(f"case:{number.lower()}\n") == number
    assert parse_case_lookup(number) == number
    assert parse_case_lookup("CASE:" + number[:-1] + "0") is None or number[-1] == "0"
    assert parse_case_lookup("CASE:" + number[:-3] + number[-2:]) is None  # a digit dropped
    assert parse_case_lookup("https://example.org/x") is None


def test_find_by_number_or_scan(world, delivery, ready):
    clerk = world.login("clerk")
    cid, number = ready
    for text in (number, case_lookup_string(number), number.lower()):
        found = delivery.find(clerk, text)
        assert found.id == cid and found.ready and found.status is CaseStatus.RESULT_READY
    assert found.applicant_name == "李*" and found.agent_name == "刘*"
    assert found.applicant_id == "4201**********" + resident_id(2)[-4:]
    with pytest.raises(DeliveryError) as info:
        delivery.find(clerk, "CASE:NOT-A-NUMBER")
    assert "有效的受理编号" in info.value.user_message("zh_CN")
    other = number[:-7] + "99999"
    from clerk_app.case_numbers import check_chars as check_char

    other = other + check_char(other)
    with pytest.raises(DeliveryError, match="no case with number"):
        delivery.find(clerk, other)
    with pytest.raises(PermissionDenied):
        delivery.find(world.login("prereview"), number)


def test_applicant_collects_at_the_window(world, delivery, ready):
    clerk = world.login("clerk")
    cid, number = ready
    receipt = delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, resident_id(2), "chip"))
    assert receipt.case_number == number and receipt.collector.role.value == "applicant"
    assert world.ctx.cases.get(clerk, cid).status is CaseStatus.DELIVERED
    [event] = handover_events(world, cid)
    assert event.detail == {"method": "window", "collector": "applicant", "id_source": "chip"}
    assert resident_id(2) not in str(event.detail)
    assert world.ctx.auditor.verify() is None
    with pytest.raises(DeliveryError) as info:  # not twice
        delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, resident_id(2)))
    assert "已出件" in info.value.user_message("zh_CN")


def test_agent_collects_with_a_typed_id(world, delivery, ready):
    clerk = world.login("clerk")
    cid, _ = ready
    check = delivery.check_collector(clerk, cid, resident_id(3).lower())
    assert check.role.value == "agent" and check.source == "manual"
    delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, resident_id(3)))
    assert handover_events(world, cid)[0].detail["collector"] == "agent"


def test_wrong_collector_is_refused_with_a_clear_message(world, delivery, ready):
    clerk = world.login("clerk")
    cid, _ = ready
    stranger = resident_id(77)
    with pytest.raises(DeliveryError) as info:
        delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, stranger))
    message = info.value.user_message("zh_CN")
    assert "与本案申请人及代理人均不一致" in message and "代理人" in message
    assert stranger not in message and stranger not in str(info.value)  # masked only
    assert stranger[-4:] in message
    with pytest.raises(InvalidIdentityNumber):  # a typo is called a typo
        delivery.check_collector(clerk, cid, resident_id(2)[:-1] + ("0" if resident_id(2)[-1] != "0" else "1"))
    with pytest.raises(DeliveryError, match="collector's ID"):
        delivery.check_collector(clerk, cid, "  ")
    assert world.ctx.cases.get(clerk, cid).status is CaseStatus.RESULT_READY
    assert handover_events(world, cid) == []


def test_express_needs_courier_and_tracking_number(world, delivery, ready):
    clerk = world.login("clerk")
    cid, _ = ready
    with pytest.raises(DeliveryError) as info:
        delivery.hand_over(clerk, cid, Handover(DeliveryMethod.EXPRESS, courier="中国邮政EMS"))
    assert "快递单号" in info.value.user_message("zh_CN")
    with pytest.raises(DeliveryError, match="courier"):
        delivery.hand_over(clerk, cid, Handover(DeliveryMethod.EXPRESS, tracking_number="1234567890"))
    with pytest.raises(DeliveryError) as info:
        delivery.hand_over(
            clerk, cid, Handover(DeliveryMethod.EXPRESS, courier="中国邮政EMS", tracking_number="118654321098")
        )
    assert "收件地址" in info.value.user_message("zh_CN")
    address = "湖北省武汉市洪山区珞喻路1037号华中大厦12楼"
    receipt = delivery.hand_over(
        clerk,
        cid,
        Handover(DeliveryMethod.EXPRESS, courier="中国邮政EMS", tracking_number=" 1186 5432 1098 ", address=address),
    )
    assert receipt.tracking_number == "118654321098" and receipt.collector is None
    [event] = handover_events(world, cid)
    assert event.detail == {"method": "express", "courier": "中国邮政EMS", "tracking_number": "118654321098"}
    view = world.ctx.cases.get(clerk, cid)
    assert view.status is CaseStatus.DELIVERED and view.transitions[-1].reason == "express"
    # The address: encrypted at rest, masked in the view and on the wire, full only audited.
    assert view.delivery_address and view.delivery_address != address and "珞喻路" not in view.delivery_address
    with world.ctx.sessions() as s:
        row = s.get(Case, cid)
        assert row.delivery_address and address.encode() not in row.delivery_address
        [entry] = s.scalars(select(OutboxEntry).where(OutboxEntry.case_id == cid, OutboxEntry.kind == "outcome"))
        assert entry.idempotency_key == f"{cid}:delivery:1"
        assert entry.payload["details"]["address_masked"] == view.delivery_address
        assert address not in str(entry.payload)
    assert world.ctx.cases.delivery_address(clerk, cid, "快递退回核对") == address


def test_only_result_ready_cases_are_handed_out(world, delivery):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("张三丰", 1))
    assert not delivery.find(clerk, number).ready
    with pytest.raises(DeliveryError) as info:
        delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, resident_id(1)))
    assert "已受理" in info.value.user_message("zh_CN") and "待出件" in info.value.user_message("zh_CN")
    with pytest.raises(PermissionDenied):
        delivery.hand_over(world.login("supervisor"), cid, Handover(DeliveryMethod.WINDOW, resident_id(1)))
