"""The card-read workflow (clerk_app/card_workflow.py) through the core alone: a fake CardPort stands in
for the reader (no Qt, no devices); the real services file what it reads. The device side of the port
(clerk_app/wiring/cards.py over devices.cards) is exercised by the UI card tests and tests/devices/cards."""

from __future__ import annotations

import threading

import pytest

from clerk_app.card_workflow import AccessKeyNeeded, CardWorkflow, ChipRead, NoCardReader
from clerk_app.errors import UserCancelled
from clerk_app.lifecycle import Decision
from clerk_app.persons import PersonData
from tests.helpers.case_factory import ITEM, person

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"face"


class FakePort:
    """Answers from a script: a ChipRead, or an exception to raise. Records the keys it was given."""

    def __init__(self, *answers: ChipRead | Exception) -> None:
        self.answers = list(answers)
        self.keys: list[object | None] = []

    def read(self, access_key: object | None, cancel: threading.Event) -> ChipRead:
        self.keys.append(access_key)
        if cancel.is_set():
            raise UserCancelled()
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def chip(p: PersonData, face: bool = True) -> ChipRead:
    return ChipRead(p, (PNG, "image/png") if face else None)


def workflow(world, port: FakePort) -> CardWorkflow:
    ctx = world.ctx
    return CardWorkflow(port, ctx.cases, ctx.identity_checks, ctx.search)


def test_an_applicants_chip_is_filed_with_the_face_and_the_comparison_view(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    someone = person("张三", 7)
    read = workflow(world, FakePort(chip(someone))).read_applicant(clerk, cid)
    assert read.saved is not None and read.save_error is None
    stored = world.ctx.cases.get(clerk, cid).applicant
    assert stored is not None and stored.verified_by == "chip"
    assert read.person.photo_sha256 and world.ctx.identity_checks.for_comparison(clerk, cid).photo is not None
    assert read.comparison is not None and read.comparison.document_number == someone.document_number
    assert read.matters == ()


def test_earlier_open_matters_of_the_holder_come_with_the_read(world):
    clerk = world.login("clerk")
    someone = person("李四", 8)
    earlier = world.ctx.cases.start_case(clerk, "SH-JSZG-RD")
    world.ctx.cases.set_applicant(clerk, earlier, someone)
    world.ctx.cases.decide(earlier, Decision.RETURN_WITH_NOTICE, clerk)
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    read = workflow(world, FakePort(chip(someone, face=False))).read_applicant(clerk, cid)
    assert [m.id for m in read.matters] == [earlier] and read.person.photo_sha256 is None


def test_an_agents_chip_fills_the_agent_only(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": True})
    read = workflow(world, FakePort(chip(person("王五", 9)))).read_applicant(clerk, cid, agent=True)
    view = world.ctx.cases.get(clerk, cid)
    assert view.agent is not None and view.applicant is None
    assert read.comparison is None and read.matters == ()


def test_pre_review_staff_get_the_person_saved_but_no_comparison(world):
    helper = world.login("prereview")
    cid = world.ctx.cases.start_case(helper, ITEM, {"premises": "rented"})
    read = workflow(world, FakePort(chip(person("赵六", 10)))).read_applicant(helper, cid)
    assert read.saved is not None and read.comparison is None


def test_a_case_that_refuses_the_person_loses_nothing_the_chip_said(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    world.ctx.cases.decide(cid, Decision.REJECT, clerk, reason="不符合条件", legal_basis="条例")
    read = workflow(world, FakePort(chip(person("钱七", 11)))).read_applicant(clerk, cid)
    assert read.saved is None and read.save_error is not None
    assert read.person.name == "钱七" and read.save_error.user_message()


def test_an_access_key_is_asked_for_and_given_on_the_next_read(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    port = FakePort(AccessKeyNeeded(), chip(person("孙八", 12)))
    flow = workflow(world, port)
    with pytest.raises(AccessKeyNeeded) as raised:
        flow.read_applicant(clerk, cid)
    assert raised.value.refused is None and world.ctx.cases.get(clerk, cid).applicant is None
    key = object()  # opaque to the core: the port's business
    flow.read_applicant(clerk, cid, access_key=key)
    assert port.keys == [None, key] and world.ctx.cases.get(clerk, cid).applicant is not None


def test_no_reader_and_cancel_leave_the_case_untouched(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    flow = workflow(world, FakePort(NoCardReader(detail="none"), chip(person("周九", 13))))
    with pytest.raises(NoCardReader) as raised:
        flow.read_applicant(clerk, cid)
    assert raised.value.user_message() == "未配置读卡器"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(UserCancelled):
        flow.read_applicant(clerk, cid, cancel=cancel)
    assert world.ctx.cases.get(clerk, cid).applicant is None


def test_a_collector_read_gives_only_the_number(world):
    someone = person("吴十", 14)
    assert workflow(world, FakePort(chip(someone))).read_collector() == someone.document_number


def test_the_composition_root_builds_the_workflow_over_the_station_reader(world):
    """ctx.cards reads the demo station's simulated reader through the device port."""
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    read = world.ctx.cards.read_applicant(clerk, cid)
    assert read.saved is not None and read.person.verified_by == "chip" and read.person.photo_sha256
