"""The applicant's confirmation and rating (CustomerService) over a real SQLite store, no Qt."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from clerk_app.customer import (
    LOW_RATING_REASONS,
    SEALED_PREFIX,
    CustomerService,
    Rating,
    StaleChecklist,
    lines_hash,
    open_comment,
    seal_stored_comments,
)
from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.lifecycle import Decision, LineStatus
from clerk_app.persons import PersonData
from clerk_app.security.crypto import DecryptionError
from clerk_app.store.models import AuditEvent, Case, OutboxEntry

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记
APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


@pytest.fixture
def service(world) -> CustomerService:
    return CustomerService(world.ctx.sessions, world.ctx.clock, world.ctx.auditor, world.ctx.persons)


def new_case(world, clerk, ticket_no=None):
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented"}, ticket_no=ticket_no)
    world.ctx.cases.set_applicant(clerk, cid, APPLICANT)
    return cid


def accepted_case(world, clerk):
    cid = new_case(world, clerk)
    cases = world.ctx.cases
    for line in cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    cases.decide(cid, Decision.ACCEPT, clerk)
    return cid


def audit_details(world, action):
    with world.ctx.sessions() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_confirmation_is_stored_and_goes_stale_when_the_list_changes(world, service):
    clerk = world.login("clerk")
    cid = new_case(world, clerk, ticket_no="A023")
    assert service.confirmation(cid) is None
    view = world.ctx.cases.get(clerk, cid)
    shown = lines_hash(view.lines)
    confirmed = service.confirm_materials(clerk, cid, shown)
    assert confirmed.current and confirmed.lines_hash == shown
    again = service.confirmation(cid)
    assert again is not None and again.current and again.confirmed_at == world.clock.now()
    assert "确认材料清单" in again.receipt_text() and shown[:8] in again.receipt_text()
    facts = service.facts(cid)
    assert facts.ticket_no == "A023" and facts.confirmation == again and facts.rating is None

    world.ctx.cases.update_line(clerk, cid, "APPLY", originals_received=1)
    stale = service.confirmation(cid)
    assert stale is not None and not stale.current and "此后材料有变化" in stale.receipt_text()
    # Confirming what is no longer on screen is refused; the current list can be confirmed.
    with pytest.raises(StaleChecklist):
        service.confirm_materials(clerk, cid, shown)
    assert service.confirm_materials(clerk, cid).current

    details = audit_details(world, "case.customer_confirm")
    assert len(details) == 2 and details[0]["by"] == "applicant" and details[0]["lines"] == 3
    assert "张三丰" not in json.dumps(details, ensure_ascii=False)


def test_rating_is_stored_audited_and_queued_for_sync(world, service):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    service.rate(clerk, cid, Rating.VERY_SATISFIED)
    with world.ctx.sessions() as s:
        case = s.get(Case, cid)
        assert (case.rating, case.rating_reasons, case.rated_at) == (5, [], world.clock.now())
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "rating")).one()
    assert entry.idempotency_key == f"{cid}:rating" and entry.state == "pending"
    assert entry.payload["rating"] == 5 and entry.payload["case_id"] == cid
    assert world.ctx.cases.get(clerk, cid).rating == 5
    assert audit_details(world, "case.rating") == [{"by": "applicant", "rating": 5, "reasons": [], "comment": False}]
    with pytest.raises(DomainError) as info:
        service.rate(clerk, cid, Rating.SATISFIED)
    assert "已经评价" in info.value.user_message("zh_CN")


def test_low_rating_requires_a_reason_and_never_audits_the_comment(world, service):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    with pytest.raises(DomainError) as info:
        service.rate(clerk, cid, Rating.DISSATISFIED)
    assert info.value.user_message("zh_CN") == "请选择不满意的原因"
    with pytest.raises(DomainError):
        service.rate(clerk, cid, Rating.VERY_DISSATISFIED, ["no-such-reason"])
    service.rate(
        clerk, cid, Rating.VERY_DISSATISFIED, ["wait_long", "slow", "wait_long"], comment="  等了一个小时，  张三丰  "
    )
    facts = service.facts(cid)
    assert facts.rating is Rating.VERY_DISSATISFIED and facts.rating_reasons == ("wait_long", "slow")
    with world.ctx.sessions() as s:
        stored = s.get(Case, cid).rating_comment
    assert open_comment(world.ctx.persons, cid, stored) == "等了一个小时， 张三丰"
    details = audit_details(world, "case.rating")
    assert details == [{"by": "applicant", "rating": 1, "reasons": ["wait_long", "slow"], "comment": True}]
    assert set(LOW_RATING_REASONS) >= {"wait_long", "attitude", "other"}


def test_rating_only_after_the_decision_and_only_by_a_window_clerk(world, service):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    with pytest.raises(DomainError) as info:
        service.rate(clerk, cid, Rating.SATISFIED)
    assert "作出受理决定后" in info.value.user_message("zh_CN")
    with pytest.raises(PermissionDenied):
        service.rate(world.login("prereview"), cid, Rating.SATISFIED)
    with pytest.raises(PermissionDenied):
        service.confirm_materials(world.login("prereview"), cid)


def test_high_rating_drops_reasons_and_skip_is_audited(world, service):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    service.rate(clerk, cid, 4, ["slow"], comment="ignored")
    facts = service.facts(cid)
    assert facts.rating is Rating.SATISFIED and facts.rating_reasons == ()
    other = accepted_case(world, clerk)
    service.record_unrated(clerk, other)
    assert audit_details(world, "case.rating_skipped") == [{"by": "applicant"}]
    assert service.facts(other).rating is None


def test_lines_hash_ignores_order_and_sees_counts_status_and_pages(world):
    clerk = world.login("clerk")
    cid = new_case(world, clerk)
    lines = world.ctx.cases.get(clerk, cid).lines
    assert lines_hash(lines) == lines_hash(reversed(lines))
    with world.ctx.sessions() as s:
        assert lines_hash(s.get(Case, cid).lines) == lines_hash(lines)  # rows and views agree
    world.ctx.cases.update_line(clerk, cid, "PREMISES", copies_received=1)
    assert lines_hash(world.ctx.cases.get(clerk, cid).lines) != lines_hash(lines)


def test_the_rating_comment_is_sealed_in_the_case_and_absent_from_the_outbox(world, service):
    """Issue 16 finding 6: the applicant's comment was plaintext in the case and the outbox."""
    from clerk_app.sync.packet import PacketBuilder, person_repository_decoder

    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    service.rate(clerk, cid, Rating.DISSATISFIED, ["attitude"], comment="张三丰 电话13800138000")
    with world.ctx.sessions() as s:
        stored = s.get(Case, cid).rating_comment
        [entry] = s.scalars(select(OutboxEntry).where(OutboxEntry.case_id == cid, OutboxEntry.kind == "rating"))
        payload = dict(entry.payload)
        assert stored.startswith(SEALED_PREFIX) and "张三丰" not in stored and "1380013" not in stored
        assert "comment" not in payload and "张三丰" not in str(payload)
        # the sync worker opens it for the wire only (what _send_rating adds to the payload)
        packets = PacketBuilder(person_repository_decoder(world.ctx.persons), world.ctx.persons)
        assert packets.rating_comment(s, cid) == "张三丰 电话13800138000"
    # bound to its case: copied to another case's row it does not open
    other = accepted_case(world, clerk)
    with pytest.raises(DecryptionError):
        open_comment(world.ctx.persons, other, stored)


def test_comments_stored_in_clear_by_an_older_version_are_sealed_at_start(world, service):
    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    service.rate(clerk, cid, Rating.DISSATISFIED, ["slow"], comment="x")
    with world.ctx.sessions.begin() as s:  # what an older version wrote
        s.get(Case, cid).rating_comment = "李四 等了很久"
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.case_id == cid, OutboxEntry.kind == "rating")).one()
        entry.payload = dict(entry.payload, comment="李四 等了很久")
    assert open_comment(world.ctx.persons, cid, "李四 等了很久") == "李四 等了很久"  # read compatibly meanwhile
    assert seal_stored_comments(world.ctx.sessions, world.ctx.persons) >= 2
    with world.ctx.sessions() as s:
        stored = s.get(Case, cid).rating_comment
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.case_id == cid, OutboxEntry.kind == "rating")).one()
        assert "comment" not in entry.payload
    assert stored.startswith(SEALED_PREFIX) and open_comment(world.ctx.persons, cid, stored) == "李四 等了很久"
    assert seal_stored_comments(world.ctx.sessions, world.ctx.persons) == 0  # once
