"""The DB-backed print queue (clerk_app/wiring/print_jobs.py, printing's PrintOutbox port): jobs in print_jobs,
PDFs encrypted in the attachment store, unfinished jobs back after a restart and printed by a retry.
The decisions here write no outbox jobs (policy "never") so the dispatcher's jobs are the only rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from clerk_app.app_context import build_context, file_keyring
from clerk_app.attachments import AttachmentMissing, AttachmentStore
from clerk_app.search import CaseSearch
from clerk_app.security.crypto import FieldCipher
from clerk_app.wiring.print_jobs import PrintJobRepository
from printing.dispatch import FolderPrinter, JobStatus, PrintDispatcher, PrinterStatus
from printing.errors import PrinterUnavailable, PrintJobNotFound
from printing.from_case import document_context
from printing.model import DocumentKind
from tests.helpers.case_factory import decided_case, person
from tests.helpers.core import make_world

NO_OUTBOX_JOBS = "receipt=never, materials_received=never"


class StoppedPrinter:
    name = "前台打印机"

    def status(self) -> PrinterStatus:
        return PrinterStatus(False, "stopped", "test: stopped")

    def print_document(self, doc, job_name):
        raise PrinterUnavailable(self.name, "stopped", detail="test: stopped")


def _store(ctx, root: Path, user_id=None, **kw) -> PrintJobRepository:
    attachments = AttachmentStore(root / "print-queue", FieldCipher(ctx.keys, "attachments"))
    return PrintJobRepository(ctx.sessions, attachments, ctx.clock, requested_by=lambda: user_id, **kw)


@pytest.fixture
def decided(tmp_path):
    world = make_world(tmp_path / "data", print_policy=NO_OUTBOX_JOBS)
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("张晓明", 7))
    view = world.ctx.cases.get(clerk, cid)
    item = world.ctx.catalogue.active().items[view.item_code]
    ctx = document_context(
        DocumentKind.RECEIPT,
        view,
        item,
        world.ctx.settings,
        clerk_staff_no=clerk.staff_no,
        now=world.clock.now(),
        applicant_name="张晓明",
    )
    yield world, clerk, cid, number, ctx
    world.ctx.close()


def test_queued_job_survives_a_restart_and_a_retry_prints_it(decided, tmp_path):
    world, clerk, cid, number, doc_ctx = decided
    data = tmp_path / "data"
    store = _store(world.ctx, data, clerk.user_id)
    events = []
    job = PrintDispatcher(
        {"前台打印机": StoppedPrinter()}, store, on_event=events.append, clock=world.clock.now
    ).print_document(doc_ctx, "前台打印机")
    assert job.status is JobStatus.QUEUED and job.reason == "stopped" and "暂不可用" in job.message
    assert [e.job.status for e in events] == [JobStatus.QUEUED]

    # "restart": a new engine, store and dispatcher over the same files
    settings = world.ctx.settings
    world.ctx.close()
    ctx2 = build_context(
        settings, clock=world.clock, keyring_module=file_keyring(data / "keyring.cfg"), start_printing=False
    )
    try:
        store2 = _store(ctx2, data)
        [pending] = store2.unfinished()
        assert pending == job and pending.attempts == 1 and pending.created_at == world.clock.now()
        assert [j.job_id for j in store2.for_case(number)] == [job.job_id]
        out = tmp_path / "out"
        out.mkdir()
        dispatcher = PrintDispatcher(
            {"前台打印机": FolderPrinter(out, name="前台打印机")}, store2, clock=world.clock.now
        )
        queued_pdf = store2.pdf(pending)
        done = dispatcher.retry(job.job_id)
        assert done.status is JobStatus.DONE and done.attempts == 2 and store2.unfinished() == []
        [printed] = out.glob("*.pdf")
        assert printed.read_bytes() == queued_pdf
        # printed: the encrypted copy is gone (a reprint is rebuilt from the case), the row keeps the hash
        with pytest.raises(AttachmentMissing):
            store2.pdf(done)
        assert store2.get(job.job_id).pdf_sha256 == job.pdf_sha256
        assert store2.get(job.job_id).status is JobStatus.DONE
        assert store2.case_id(number) == cid
        # the case view's documents tab reads the same rows
        docs = CaseSearch(ctx2.sessions, ctx2.persons, ctx2.auditor).documents(clerk, cid)
        assert [(d.document_kind, d.status, d.attempts) for d in docs] == [("receipt", "done", 2)]
    finally:
        ctx2.close()


def test_pdfs_are_encrypted_on_disk(decided, tmp_path):
    world, clerk, _cid, number, doc_ctx = decided
    store = _store(world.ctx, tmp_path / "data")
    job = PrintDispatcher({"前台打印机": StoppedPrinter()}, store, clock=world.clock.now).print_document(
        doc_ctx, "前台打印机"
    )
    pdf = store.pdf(job)
    assert pdf.startswith(b"%PDF")
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert files
    for path in files:
        content = path.read_bytes()
        assert b"%PDF" not in content, path
        assert pdf[1000:1064] not in content, path
    stored = (tmp_path / "data" / "print-queue").rglob(job.pdf_sha256)
    assert len(list(stored)) == 1


def test_store_rows_and_errors(decided, tmp_path):
    world, clerk, cid, number, doc_ctx = decided
    store = _store(world.ctx, tmp_path / "data", clerk.user_id)
    job = PrintDispatcher({"前台打印机": StoppedPrinter()}, store, clock=world.clock.now).print_document(
        replace(doc_ctx, reprint=True, printed_at=world.clock.now()), "前台打印机"
    )
    assert store.get(job.job_id).is_reprint
    interrupted = replace(job, status=JobStatus.PRINTING)
    store.update(interrupted)  # the app died while the printer had it
    assert [j.status for j in store.unfinished()] == [JobStatus.PRINTING]
    with pytest.raises(PrintJobNotFound):
        store.get("0" * 32)
    with pytest.raises(PrintJobNotFound):
        store.update(replace(job, job_id="1" * 32))
    with pytest.raises(ValueError):
        store.add(replace(job, job_id="2" * 32, pdf_sha256="0" * 64), b"%PDF-1.4 not this one")
    from clerk_app.store.models import PrintJob as Row

    with world.ctx.sessions() as s:
        row = s.query(Row).one()
        assert (row.case_id, row.requested_by, row.case_number, row.layout) == (cid, clerk.user_id, number, "a4")
        # nothing personal in the row
        assert "张" not in repr([getattr(row, c.name) for c in Row.__table__.columns])


class ReadyPrinter(StoppedPrinter):
    def status(self) -> PrinterStatus:
        return PrinterStatus(True)

    def print_document(self, doc, job_name):
        return "7"


def test_a_printed_pdf_is_kept_while_another_job_needs_it(decided, tmp_path):
    world, clerk, _cid, number, doc_ctx = decided
    store = _store(world.ctx, tmp_path / "data")
    stopped = PrintDispatcher({"前台打印机": StoppedPrinter()}, store, clock=world.clock.now)
    first = stopped.print_document(doc_ctx, "前台打印机")
    second = stopped.print_document(doc_ctx, "前台打印机")  # the same bytes queued twice: one file
    assert first.pdf_sha256 == second.pdf_sha256
    ready = PrintDispatcher({"前台打印机": ReadyPrinter()}, store, clock=world.clock.now)
    assert ready.retry(first.job_id).status is JobStatus.DONE
    assert store.pdf(second).startswith(b"%PDF")  # still needed by the second job
    assert ready.retry(second.job_id).status is JobStatus.DONE
    with pytest.raises(AttachmentMissing):
        store.pdf(second)
    kept = _store(world.ctx, tmp_path / "data", keep_printed=True)
    job = PrintDispatcher({"前台打印机": ReadyPrinter()}, kept, clock=world.clock.now).print_document(
        doc_ctx, "前台打印机"
    )
    assert job.status is JobStatus.DONE and kept.pdf(job).startswith(b"%PDF")
    assert [j.job_id for j in kept.for_case(number)][-1] == job.job_id
