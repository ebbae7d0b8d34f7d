"""Retention purge: exactly the personal data and images of delivered cases older than the limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.errors import PermissionDenied
from clerk_app.persons import TOMBSTONE, PersonData
from clerk_app.retention import RetentionService
from clerk_app.roles import system_actor
from clerk_app.settings import Settings, SettingsError, validate
from clerk_app.store.models import AuditEvent, Case, CaseLine, Page, Person
from tests.helpers.supervision import APPLICANT, accepted_case, attachment_store, deliver, page_bytes


def _person(world, cid):
    with world.ctx.sessions() as s:
        case = s.get(Case, cid)
        return s.get(Person, case.applicant_id)


def _hashes(world, cid):
    with world.ctx.sessions() as s:
        return set(
            s.scalars(select(Page.sha256).join(CaseLine, CaseLine.id == Page.line_id).where(CaseLine.case_id == cid))
        )


def test_setting_has_a_range():
    assert Settings().retention_days == 180
    assert validate({"retention_days": 30}).retention_days == 30
    with pytest.raises(SettingsError):
        validate({"retention_days": 0})
    with pytest.raises(SettingsError):
        validate({"retention_days": 4000})


def test_purge_removes_exactly_what_it_should(world, tmp_path):
    store = attachment_store(world, tmp_path / "att")
    clerk, sup = world.login("clerk"), world.login("supervisor")
    svc = RetentionService(world.ctx.sessions, world.clock, world.ctx.auditor, world.ctx.persons, store)
    old = accepted_case(world, clerk, store, pages=2, page_seed=1)
    deliver(world, clerk, old)
    # same page content as `old` in a case that is not due: the shared file must stay
    shared_photo = store.put(page_bytes(99), "image/jpeg").sha256
    with world.ctx.sessions.begin() as s:  # the chip photo of the old applicant
        row = s.get(Person, s.get(Case, old).applicant_id)
        import dataclasses

        world.ctx.persons.save(s, dataclasses.replace(APPLICANT, photo_sha256=shared_photo), row.id)
    sharing = accepted_case(world, clerk, store, pages=1, page_seed=1)  # same first page as `old`
    not_delivered = accepted_case(world, clerk, store, pages=1, page_seed=3)
    young = accepted_case(world, clerk, store, pages=1, page_seed=4)
    world.clock.advance(days=100)
    deliver(world, clerk, young)
    world.clock.advance(days=100)  # old: 200 days since delivery, young: 100

    assert [c.case_id for c in svc.due(sup, 180)] == [old]
    old_hashes, shared = _hashes(world, old), _hashes(world, sharing)
    result = svc.purge(sup, 180)
    assert (result.cases, result.persons) == (1, 1)
    assert result.files == len(old_hashes - shared) + 1  # + the chip photo
    p = _person(world, old)
    assert p.pii == TOMBSTONE and p.id_token is None and p.name_token is None and p.id_masked == ""
    assert all(not store.exists(h) for h in old_hashes - shared)
    assert all(store.exists(h) for h in shared) and not store.exists(shared_photo)
    for cid in (sharing, not_delivered, young):
        assert _person(world, cid).pii != TOMBSTONE
        assert all(store.exists(h) for h in _hashes(world, cid))
    # the skeleton stays: case, lines, page rows, transitions; the view shows no personal data
    view = world.ctx.cases.get(sup, old)
    assert view.case_number and view.status.value == "delivered" and view.applicant.name == ""
    assert sum(line.page_count for line in view.lines) == 2 and len(old_hashes) >= 1
    # ID search no longer finds it; the others still do
    with world.ctx.sessions() as s:
        found = s.scalars(
            select(Person.id).where(Person.id_token == world.ctx.persons.id_token(APPLICANT.document_number))
        ).all()
    assert p.id not in found and len(found) == 3
    # idempotent, audited, listed
    assert svc.purge(sup, 180).cases == 0
    listed = svc.purged(sup)
    assert [x.case_id for x in listed] == [old] and listed[0].persons == 1
    number = world.ctx.cases.get(sup, old).case_number
    assert listed[0].case_number == number and listed[0].cells()[1:4] == (number, "supervisor", "1")
    with world.ctx.sessions() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith("retention."))))
    assert actions == ["retention.purge_case", "retention.run", "retention.run"]
    assert world.ctx.auditor.verify() is None


def test_only_supervisor_admin_or_system_may_purge(world):
    svc = RetentionService(world.ctx.sessions, world.clock, world.ctx.auditor, world.ctx.persons, None)
    for name in ("clerk", "prereview"):
        with pytest.raises(PermissionDenied):
            svc.purge(world.login(name), 180)
    assert svc.purge(system_actor("WH01"), 180).cases == 0
    assert svc.purge(world.login("admin"), 180).cases == 0


def test_purge_by_server_status_and_organisations(world):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    org = PersonData(
        kind="organisation", name="武汉市某某商贸有限公司", document_type="uscc", document_number="91420100MA4K0EX254"
    )
    cid = accepted_case(world, clerk, applicant=org)
    with world.ctx.sessions.begin() as s:
        s.get(Case, cid).server_status = "confirmed"
    world.clock.advance(days=181)
    svc = RetentionService(world.ctx.sessions, world.clock, world.ctx.auditor, world.ctx.persons, None)
    assert svc.purge(sup, 180).cases == 1
    assert _person(world, cid).pii == TOMBSTONE


def test_cli_purge_expired(world, tmp_path, capsys):
    from clerk_app import cli

    clerk = world.login("clerk")
    cid = accepted_case(world, clerk)
    deliver(world, clerk, cid)
    data = world.ctx.settings.resolved_data_dir()
    world.ctx.close()
    settings = tmp_path / "settings.toml"
    settings.write_text(f'data_dir = "{data}"\ndemo = true\nretention_days = 1\n', encoding="utf-8")
    (data / "demo-keyring.cfg").write_bytes((tmp_path / "keyring.cfg").read_bytes())
    # the CLI runs with the system clock, which is after the fixed test date (2026-09-28)
    assert cli.main(["--settings", str(settings), "admin", "purge-expired"]) == 0
    assert "purged 1 cases (1 personal records" in capsys.readouterr().out


def test_purge_clears_the_address_the_comment_and_the_result_document(world, tmp_path):
    """The case's own personal fields go too: the express address (sealed and masked), the applicant's
    rating comment, and the department's result document kept for 出件."""
    import json

    from clerk_app.lifecycle import CaseStatus
    from clerk_app.result_documents import RESULT_KEY
    from clerk_app.sync import state as sync_state

    store = attachment_store(world, tmp_path / "att")
    clerk, sup = world.login("clerk"), world.login("supervisor")
    svc = RetentionService(world.ctx.sessions, world.clock, world.ctx.auditor, world.ctx.persons, store)
    cid = accepted_case(world, clerk, store, pages=1, page_seed=5)
    system = system_actor(world.ctx.settings.station_code)
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY):
        world.ctx.cases.apply_server_status(system, cid, status)
    result = store.put(b"%PDF-1.4 result of the department", "application/pdf").sha256
    with world.ctx.sessions.begin() as s:
        sync_state.set_value(s, RESULT_KEY + cid, json.dumps({"id": "r1", "sha256": result, "size": 33}))
        s.get(Case, cid).rating_comment = "窗口人员态度很好"
    world.ctx.cases.deliver(clerk, cid, "express", address="江城市江岸区沿江大道 188 号 3 单元")
    with world.ctx.sessions() as s:
        case = s.get(Case, cid)
        assert case.delivery_address is not None and case.delivery_address_masked
    world.clock.advance(days=200)

    assert svc.purge(sup, 180).cases == 1
    with world.ctx.sessions() as s:
        case = s.get(Case, cid)
        assert case.delivery_address is None and case.delivery_address_masked is None
        assert case.rating_comment is None
    assert not store.exists(result)
