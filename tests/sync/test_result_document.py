"""Result documents back at the window (feed API 1.1): the department approves in the workbench and
uploads the result PDF; the workstation's sync worker applies result_ready, downloads the document,
checks it against the SHA-256 the feed named, keeps it encrypted in the attachment store and records the
reference for the case. A document that does not match its reference is not kept and does not block the
feed."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import update

from backoffice.models import ResultDocument
from clerk_app.attachments import AttachmentStore
from clerk_app.pages import PageService
from clerk_app.security.crypto import FieldCipher
from clerk_app.sync.packet import person_repository_decoder
from clerk_app.sync.wiring import AttachmentResultStore, CaseServiceStatusApplier, result_document_of
from tests.backoffice.workbench_helpers import ITEM, PASSWORD, Bench, pdf_bytes
from tests.helpers.core import make_world
from tests.sync.test_lifecycle import decide_with_page
from testsupport.sync import make_station

pytestmark = pytest.mark.postgres


def test_result_document_downloaded_verified_and_kept(backoffice, tmp_path):
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    backoffice.add_user("li", "approver", "SCJG", PASSWORD)
    world = make_world(tmp_path / "ws")
    ctx = world.ctx
    code = ctx.settings.station_code
    clerk = world.login("clerk")
    store = AttachmentStore(tmp_path / "attachments", FieldCipher(ctx.keys, "attachments"))
    pages = PageService(ctx.sessions, ctx.clock, ctx.auditor, store)
    good = decide_with_page(ctx, pages, clerk, "张三", 1, b"\x89PNG\r\n\x1a\n" + b"a" * 3000)
    bad = decide_with_page(ctx, pages, clerk, "李四", 2, b"\x89PNG\r\n\x1a\n" + b"b" * 3000)
    station = make_station(
        backoffice.url,
        ctx.sessions,
        tmp_path / "unused",
        code=code,
        enrolment=backoffice.add_station(code),
        attachments=store,
        decoder=person_repository_decoder(ctx.persons),
        status_applier=CaseServiceStatusApplier(ctx.cases, ctx.sessions, code),
        result_sink=AttachmentResultStore(store, ctx.sessions),
    )
    li = Bench(backoffice.url)
    try:
        assert station.worker.run_once().sent == 2
        assert li.sign_in("li").status_code == 303
        docs = {}
        for cid in (good, bad):
            for action in ("start", "approve"):
                assert li.act(cid, action).status_code == 303
            docs[cid] = pdf_bytes(1, cid)
            assert li.upload(cid, docs[cid]).status_code == 303
        assert li.act(good, "result_ready").status_code == 303
        # The other case's stored bytes change after its reference went out: the download will not match.
        assert li.act(bad, "result_ready").status_code == 303
        with backoffice.sessions.begin() as s:
            s.execute(update(ResultDocument).where(ResultDocument.case_id == bad).values(data=pdf_bytes(2, "x")))

        report = station.worker.run_once()
        assert report.pull_error is None and report.results_fetched == 1
        assert len(report.refused) == 1 and report.refused[0].startswith("result ")
        for cid in (good, bad):
            assert ctx.cases.get(clerk, cid).status.value == "result_ready"
        ref = result_document_of(ctx.sessions, good)
        assert ref is not None and ref["sha256"] == hashlib.sha256(docs[good]).hexdigest()
        assert ref["size"] == len(docs[good])
        assert ref["filename"] == "决定书.pdf"  # the name the department uploaded, for the window
        assert store.get(ref["sha256"]) == docs[good]  # decrypted from the attachment store
        assert docs[good] not in store.path_of(ref["sha256"]).read_bytes()  # encrypted at rest
        assert result_document_of(ctx.sessions, bad) is None
        # The feed moved on (not stuck on the bad document): nothing is fetched again.
        again = station.worker.run_once()
        assert again.results_fetched == 0 and again.refused == []
    finally:
        li.close()
        station.client.close()
        ctx.close()
