"""The hall as the unit (issue 14, parts 2, 3, 5) over the real store: claims (who works on a case;
read-only for others with the holder's name; a supervisor releases a stale claim, audited), optimistic
version conflicts as a typed Chinese error that loses nothing, the hall's draft queue with the
mine / my window / all filters (通办), catalogue versions that hold across restarts and a case that
keeps the exact catalogue version it was drafted under."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import event, select, text

from clerk_app.app_context import build_context, file_keyring
from clerk_app.cases import CaseClaimed, CaseConflict, CaseService
from clerk_app.errors import DomainError, PermissionDenied
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from clerk_app.roles import Role
from clerk_app.settings import Settings
from clerk_app.store.models import AuditEvent
from tests.helpers.case_factory import ITEM, person
from tests.helpers.core import make_world


def second_clerk(world, username="clerk2", name="赵敏"):
    admin = world.login("admin")
    world.ctx.users.create_user(admin, username, "Clerk2026x", Role.CLERK, name, "0102")
    return world.ctx.users.authenticate(username, "Clerk2026x")


def other_window(world, station="WH02", window="02") -> CaseService:
    """The same hall database seen from another window station."""
    ctx = world.ctx
    return CaseService(
        ctx.sessions,
        ctx.clock,
        ctx.catalogue.active,
        ctx.auditor,
        ctx.calendar,
        ctx.persons,
        station,
        window,
        catalogue_version=ctx.catalogue.version_of,
    )


def actions(world, cid):
    with world.ctx.sessions() as s:
        return [
            e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.case_id == cid).order_by(AuditEvent.seq))
        ]


def test_claim_read_only_for_others_and_supervisor_release(tmp_path):
    world = make_world(tmp_path)
    cases = world.ctx.cases
    clerk, clerk2, sup = world.login("clerk"), second_clerk(world), world.login("supervisor")
    cid = cases.start_case(clerk, ITEM, {"premises": "rented"})

    view = cases.open_for_work(clerk, cid)
    assert view.claim is not None and view.claim.user_name == "王晓敏" and not view.read_only_for(clerk)
    since = view.claim.since
    world.clock.advance(minutes=5)
    assert cases.claim(clerk, cid).since == since  # renewing keeps since

    there = other_window(world)
    seen = there.open_for_work(clerk2, cid)
    assert seen.read_only_for(clerk2) and seen.claim.user_name == "王晓敏" and seen.claim.station_code == "WH01"
    with pytest.raises(CaseClaimed) as claimed:
        there.update_line(clerk2, cid, "APPLY", originals_received=1)
    msg = claimed.value.user_message("zh_CN")
    assert "王晓敏" in msg and "WH01" in msg and "只能查看" in msg
    assert claimed.value.holder.user_id == clerk.user_id
    with pytest.raises(CaseClaimed):  # pages too
        world.ctx.pages.add(clerk2, cid, "APPLY", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
    # A clerk cannot take someone else's claim; the supervisor can, with a reason, audited.
    with pytest.raises(PermissionDenied):
        there.release(clerk2, cid, "走开了")
    with pytest.raises(DomainError):
        cases.release(sup, cid, " ")
    assert [c.case_id for c in cases.claims(sup)] == [cid]
    cases.release(sup, cid, "办理人离岗超过30分钟")
    assert cases.claim_of(cid) is None
    with world.ctx.sessions() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.claim_release")).one()
        assert ev.detail["holder"] == clerk.user_id and ev.detail["held_seconds"] == 300
    # Now the other window takes it over and works; the first clerk is read-only.
    there.claim(clerk2, cid)
    there.update_line(clerk2, cid, "APPLY", originals_received=1)
    assert cases.get(clerk, cid).read_only_for(clerk)
    # The decision ends the claim; sign-out gives back the rest.
    cid2 = cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases.claim(clerk, cid2)
    assert cases.release_mine(clerk) == 1 and cases.claim_of(cid2) is None
    there.decide(cid, Decision.REJECT, clerk2, reason="不属于本机关职权范围")
    assert there.claim_of(cid) is None
    assert "case.claim" in actions(world, cid) and world.ctx.auditor.verify() is None
    world.ctx.close()


def test_version_conflict_is_a_typed_error_and_loses_nothing(tmp_path):
    world = make_world(tmp_path)
    cases = world.ctx.cases
    clerk = world.login("clerk")
    cid = cases.start_case(clerk, ITEM, {"premises": "rented"})
    cases.update_line(clerk, cid, "APPLY", originals_received=1)
    before = cases.get(clerk, cid)

    fired = []

    def someone_else_saves_first(session, flush_context, instances):
        if not fired:  # another window's save lands between our read and our write
            fired.append(1)
            session.execute(text("UPDATE cases SET row_version = row_version + 1 WHERE id = :id"), {"id": cid})

    world.clock.advance(seconds=30)
    event.listen(world.ctx.sessions, "before_flush", someone_else_saves_first)
    try:
        with pytest.raises(CaseConflict) as conflict:
            cases.update_line(clerk, cid, "OPERATOR-ID", originals_received=1)
    finally:
        event.remove(world.ctx.sessions, "before_flush", someone_else_saves_first)
    assert "其他人修改" in conflict.value.user_message("zh_CN")
    after = cases.get(clerk, cid)  # rolled back whole: nothing half-written, nothing lost
    assert after.lines == before.lines and after.row_version == before.row_version
    world.clock.advance(seconds=30)
    cases.update_line(clerk, cid, "OPERATOR-ID", originals_received=1)  # retry works
    assert cases.get(clerk, cid).row_version == before.row_version + 1
    world.ctx.close()


def test_hall_queue_takes_any_draft_with_filters(tmp_path):
    world = make_world(tmp_path)
    cases = world.ctx.cases
    clerk, helper = world.login("clerk"), world.login("prereview")
    clerk2 = second_clerk(world)
    desk = other_window(world, "HB01", "帮办")
    wh02 = other_window(world, "WH02", "02")
    handed = desk.start_case(helper, ITEM, {"premises": "rented"})
    desk.set_applicant(helper, handed, person("钱七", 7))
    desk.hand_over(helper, handed)
    own = cases.start_case(clerk, ITEM, {"premises": "rented"})
    theirs = wh02.start_case(clerk2, ITEM, {"premises": "rented"})

    def ids(svc, actor, **kw):
        return [v.id for v in svc.drafts(actor, **kw)]

    assert set(ids(cases, clerk)) == {handed, own, theirs}  # the hall's queue
    assert ids(cases, clerk)[0] == handed  # ready_for_window first
    assert ids(cases, clerk, ready_only=True) == [handed]
    assert ids(cases, clerk, scope="mine") == [own]
    assert ids(cases, clerk, scope="window") == [own]
    assert set(ids(wh02, clerk2, scope="window")) == {theirs}
    wh02.claim(clerk2, handed)  # WH02 takes the 帮办 desk's draft
    assert set(ids(wh02, clerk2, scope="window")) == {theirs, handed}
    assert set(ids(wh02, clerk2, scope="mine")) == {theirs, handed}
    assert set(ids(desk, helper, scope="mine")) == {handed}
    with pytest.raises(DomainError) as bad:
        cases.drafts(clerk, scope="everyone")  # type: ignore[arg-type]
    assert "队列范围" in bad.value.user_message("zh_CN")
    # the deciding window owns the case afterwards (its worker sends it)
    for line in wh02.get(clerk2, handed).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            wh02.update_line(
                clerk2,
                handed,
                line.code,
                originals_received=line.originals_required,
                copies_received=line.copies_required,
            )
    wh02.decide(handed, Decision.ACCEPT, clerk2)
    view = cases.get(clerk, handed)
    assert (view.station_code, view.window_no, view.status) == ("WH02", "02", CaseStatus.ACCEPTED)
    assert view.case_number.startswith("WH02")
    world.ctx.close()


def test_catalogue_versions_hold_and_cases_keep_theirs(tmp_path):
    world = make_world(tmp_path)
    ctx = world.ctx
    clerk, admin = world.login("clerk"), world.login("admin")
    shipped = ctx.catalogue.active()
    old_case = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    old_lines = [ln.code for ln in ctx.cases.get(clerk, old_case).lines]
    assert "PREMISES" in old_lines

    # The back office pushes a version in which the item no longer asks for PREMISES.
    raw = copy.deepcopy(dict(shipped.raw))
    raw["version"] = "2026.12-pushed"
    for item in raw["items"]:
        if item["code"] == ITEM:
            item["materials"] = [m for m in item["materials"] if m["code"] != "PREMISES"]
    from clerk_app.roles import system_actor

    ctx.catalogue.import_raw(raw, "push", system_actor("WH01"))
    new_case = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    assert "PREMISES" not in [ln.code for ln in ctx.cases.get(clerk, new_case).lines]
    # The old draft keeps its version: a changed answer re-derives from the version it was drafted under.
    ctx.cases.set_answers(clerk, old_case, {"premises": "owned"})
    ctx.cases.set_answers(clerk, old_case, {"premises": "rented"})
    view = ctx.cases.get(clerk, old_case)
    assert view.catalogue_version == shipped.version and "PREMISES" in [ln.code for ln in view.lines]

    # A restart keeps the pushed version (the shipped folder is not newer).
    ctx.close()
    settings = Settings(data_dir=str(tmp_path), database_url="")  # type: ignore[arg-type]
    ctx = build_context(settings, clock=world.clock, keyring_module=file_keyring(tmp_path / "keyring.cfg"))
    assert ctx.catalogue.active().version == "2026.12-pushed"
    listed = ctx.catalogue.versions(admin)
    assert {(v.version, v.active) for v in listed} == {("2026.12-pushed", True), (shipped.version, False)}
    with pytest.raises(PermissionDenied):
        ctx.catalogue.versions(clerk)
    # Roll back (audited), and activate the pushed one again.
    assert ctx.catalogue.roll_back(admin).version == shipped.version
    assert ctx.catalogue.active().version == shipped.version
    ctx.catalogue.activate_version("2026.12-pushed", admin)
    assert ctx.catalogue.active().version == "2026.12-pushed"
    # An explicit import of the folder is still possible.
    from tests.helpers.core import RESOURCES

    assert ctx.catalogue.import_folder(RESOURCES / "catalogue", admin).version == shipped.version
    with ctx.sessions() as s:
        acts = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("catalogue.%"))))
    assert "catalogue.rollback" in acts and acts.count("catalogue.activate") >= 3
    from clerk_app.audit_labels import action_label

    for code in ("case.claim", "case.claim_release", "catalogue.rollback"):  # the supervisor reads Chinese
        assert "其他操作" not in action_label(code)
    assert ctx.auditor.verify() is None
    ctx.close()
