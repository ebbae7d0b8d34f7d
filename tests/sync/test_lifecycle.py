"""End to end with the real core: a decision made through CaseService reaches the back office with its
scanned page; approval steps made in the back office reach the case at the window through the
lifecycle (with audit); a catalogue push is validated, an invalid one refused with the old one active."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from backoffice.models import ReceivedCase
from clerk_app.attachments import AttachmentStore
from clerk_app.lifecycle import Decision, LineStatus
from clerk_app.pages import PageService
from clerk_app.security.crypto import FieldCipher
from clerk_app.store.models import Case, CaseTransition
from clerk_app.sync.packet import person_repository_decoder
from clerk_app.sync.wiring import CaseServiceStatusApplier, CatalogueStoreInstaller
from tests.helpers.case_factory import ITEM, person
from tests.helpers.core import make_world
from testsupport.sync import make_station

pytestmark = pytest.mark.postgres


def decide_with_page(ctx, pages, clerk, name: str, seq: int, page: bytes) -> str:
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    ctx.cases.set_applicant(clerk, cid, person(name, seq))
    lines = [line for line in ctx.cases.get(clerk, cid).lines if line.status is not LineStatus.NOT_REQUIRED]
    for line in lines:
        ctx.cases.update_line(
            clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
        )
    pages.add(clerk, cid, lines[0].code, page, "image/png")
    ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    return cid


def test_decision_to_result_ready_and_catalogue_push(backoffice, tmp_path):
    world = make_world(tmp_path / "ws")
    ctx = world.ctx
    station_code = ctx.settings.station_code
    clerk = world.login("clerk")
    store = AttachmentStore(tmp_path / "attachments", FieldCipher(ctx.keys, "attachments"))
    pages = PageService(ctx.sessions, ctx.clock, ctx.auditor, store)
    page = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 300
    ok = decide_with_page(ctx, pages, clerk, "张三", 1, page)
    refused = decide_with_page(ctx, pages, clerk, "李四", 2, page[::-1])

    station = make_station(
        backoffice.url,
        ctx.sessions,
        tmp_path / "unused",
        code=station_code,
        enrolment=backoffice.add_station(station_code),
        attachments=store,
        decoder=person_repository_decoder(ctx.persons),
        status_applier=CaseServiceStatusApplier(ctx.cases, ctx.sessions, station_code),
        installers={"catalogue": CatalogueStoreInstaller(ctx.catalogue, station_code)},
    )
    try:
        report = station.worker.run_once()
        assert (report.sent, report.failed, report.upload_error) == (2, 0, None)
        with backoffice.sessions() as s:
            received = s.get(ReceivedCase, ok)
            assert received is not None and received.status == "received"
            assert received.packet["applicant"]["name"] == "张三"  # decrypted for the back office only
            assert received.packet["attachments"] == [
                {"sha256": hashlib.sha256(page).hexdigest(), "size": len(page), "mime": "image/png"}
            ]
        assert (
            backoffice.attachment_digests()[(ok, hashlib.sha256(page).hexdigest())][1]
            == hashlib.sha256(page).hexdigest()
        )
        with ctx.sessions() as s:
            assert {c.status for c in s.scalars(select(Case))} == {"synced"}

        for status in ("in_approval", "approved", "result_ready"):
            assert backoffice.admin("POST", f"/v1/admin/cases/{ok}/status", json={"status": status}).status_code == 200
        for status, reason in (("in_approval", None), ("disapproved", "经营场所不符合规划用途")):
            backoffice.admin("POST", f"/v1/admin/cases/{refused}/status", json={"status": status, "reason": reason})
        station.worker.run_once()
        view = ctx.cases.get(clerk, ok)
        assert view.status.value == "result_ready"  # shows up at the window for 出件
        with ctx.sessions() as s:
            assert s.get(Case, ok).server_status == "result_ready"
            last = s.scalars(
                select(CaseTransition).where(CaseTransition.case_id == refused).order_by(CaseTransition.id.desc())
            ).first()
            assert (last.to_status, last.reason, last.actor_role) == ("disapproved", "经营场所不符合规划用途", "system")
        assert ctx.auditor.verify() is None

        # Catalogue push: an invalid version is refused and reported, the active one stays.
        active = ctx.catalogue.active()
        bad = {"version": "2099.1", "items": [{"code": "X"}]}
        assert (
            backoffice.admin("POST", "/v1/admin/catalogue", json={"version": "2099.1", "content": bad}).status_code
            == 201
        )
        station.worker.force_publication_pull()
        report = station.worker.run_once()
        assert report.refused == ["catalogue 2099.1"] and not report.installed
        assert station.worker.state.catalogue_problem
        assert ctx.catalogue.active().version == active.version
        # ... and not retried every cycle.
        station.worker.force_publication_pull()
        assert station.worker.run_once().refused == []
        good = dict(active.raw, version="2099.2")
        assert (
            backoffice.admin("POST", "/v1/admin/catalogue", json={"version": "2099.2", "content": good}).status_code
            == 201
        )
        station.worker.force_publication_pull()
        report = station.worker.run_once()
        assert report.installed == ["catalogue 2099.2"]
        assert ctx.catalogue.active().version == "2099.2"
        assert station.worker.state.catalogue_problem is None
    finally:
        station.client.close()
        ctx.close()
