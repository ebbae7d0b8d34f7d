"""Printing through a real (private) cupsd into a cups-pdf printer, and a stopped printer.

cups-pdf re-distils the document through Ghostscript, which drops the CJK text layer, so these tests
check the produced file by page count, page size and the rendered image (the QR code must still
read back as the case lookup string).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from printing.cups_backend import CupsPrinter, list_queues
from printing.dispatch import InMemoryPrintJobStore, JobStatus, PrintAction, PrintDispatcher, PrintEvent
from printing.model import DocumentKind, PageLayout
from printing.samples import sample_context

from .conftest import CupsServer, decode_qr, render_page

MM = 72 / 25.4


def new_output(server: CupsServer, before: set[Path], timeout: float = 10) -> Path:
    """The PDF cups-pdf wrote for the job (it is complete once CUPS says the job completed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [p for p in server.outputs() if p not in before and p.stat().st_size > 0]
        if fresh:
            return fresh[0]
        time.sleep(0.05)
    raise AssertionError("cups-pdf wrote nothing; cupsd error_log ends:\n" + server.log_tail())


def dispatcher_for(server: CupsServer, events: list[PrintEvent]) -> PrintDispatcher:
    printer = CupsPrinter(server.queue, name="前台打印机", server=str(server.socket), timeout=30, stall_grace=1.0)
    return PrintDispatcher({"前台打印机": printer}, InMemoryPrintJobStore(), on_event=events.append)


def test_queue_is_listed(cups_server: CupsServer) -> None:
    assert cups_server.queue in list_queues(str(cups_server.socket))


def test_print_a4_and_roll_receipts_through_cups(cups_server: CupsServer, tmp_path: Path) -> None:
    events: list[PrintEvent] = []
    dispatcher = dispatcher_for(cups_server, events)
    for layout, width_mm, height_range in ((PageLayout.A4, 210, (297, 297)), (PageLayout.ROLL_80MM, 80, (100, 400))):
        before = set(cups_server.outputs())
        ctx = sample_context(DocumentKind.RECEIPT, layout)
        job = dispatcher.print_document(ctx, "前台打印机")
        assert job.status is JobStatus.DONE, f"{job.detail}\n{cups_server.log_tail()}"
        assert job.spooler_job_id.isdigit()
        produced = new_output(cups_server, before)
        reader = PdfReader(io.BytesIO(produced.read_bytes()))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert abs(float(box.width) / MM - width_mm) < 1.5
        assert height_range[0] - 1.5 <= float(box.height) / MM <= height_range[1] + 1.5
        png = render_page(produced, tmp_path / f"cups-{layout.value}", dpi=150)
        image = Image.open(png).convert("L")
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        assert 0.01 < dark < 0.5, "the printed page should carry text and the QR code"
        assert decode_qr(png) == [ctx.case_lookup]
    assert [e.action for e in events] == [PrintAction.PRINT, PrintAction.PRINT]


def test_stopped_printer_keeps_the_job_and_retry_prints_it(cups_server: CupsServer) -> None:
    import cups

    events: list[PrintEvent] = []
    dispatcher = dispatcher_for(cups_server, events)
    cups_server.disable("缺纸")
    try:
        before = set(cups_server.outputs())
        job = dispatcher.print_document(
            sample_context(DocumentKind.ONE_TIME_NOTICE, PageLayout.ROLL_80MM), "前台打印机"
        )
        assert job.status is JobStatus.QUEUED and job.reason == "stopped"
        assert "打印机“前台打印机”暂不可用：打印机已暂停" in job.message and "重试" in job.message
        assert dispatcher.pending() == [job]
        # Nothing was left in the CUPS queue that could print by itself later (and twice after a retry).
        conn = cups.Connection(host=str(cups_server.socket))
        assert conn.getJobs(which_jobs="not-completed") == {}
        assert dispatcher.retry(job.job_id).status is JobStatus.QUEUED  # still stopped
    finally:
        cups_server.enable()
    done = dispatcher.retry(job.job_id)
    assert done.status is JobStatus.DONE and done.attempts == 3
    new_output(cups_server, before)
    assert [(e.action, e.job.status) for e in events] == [
        (PrintAction.PRINT, JobStatus.QUEUED),
        (PrintAction.RETRY, JobStatus.QUEUED),
        (PrintAction.RETRY, JobStatus.DONE),
    ]


def test_a_printer_stopped_while_the_job_waits_is_cancelled_and_kept(cups_server: CupsServer) -> None:
    """The printer stops after the status check: the CUPS job stalls, is cancelled, ours stays queued."""
    import cups

    events: list[PrintEvent] = []
    printer = CupsPrinter(cups_server.queue, server=str(cups_server.socket), timeout=20, stall_grace=0.5)
    checks = {"n": 0}
    real_status = printer._status

    def status_then_stop(conn):  # first check says ready, then the printer is stopped
        checks["n"] += 1
        result = real_status(conn)
        if checks["n"] == 1:
            cups_server.disable("卡纸")
        return result

    printer._status = status_then_stop  # type: ignore[method-assign]
    dispatcher = PrintDispatcher({"p": printer}, InMemoryPrintJobStore(), on_event=events.append)
    try:
        job = dispatcher.print_document(sample_context(), "p")
        assert job.status is JobStatus.QUEUED and "cancelled while stalled" in job.detail
        conn = cups.Connection(host=str(cups_server.socket))
        assert conn.getJobs(which_jobs="not-completed") == {}
    finally:
        cups_server.enable()
    printer._status = real_status  # type: ignore[method-assign]
    assert dispatcher.retry(job.job_id).status is JobStatus.DONE


def test_unknown_queue_and_unreachable_spooler(cups_server: CupsServer, tmp_path: Path) -> None:
    events: list[PrintEvent] = []
    missing = CupsPrinter("NO_SUCH_QUEUE", server=str(cups_server.socket))
    away = CupsPrinter(cups_server.queue, server=str(tmp_path / "no-cupsd.sock"))
    dispatcher = PrintDispatcher({"missing": missing, "away": away}, InMemoryPrintJobStore(), on_event=events.append)
    job = dispatcher.print_document(sample_context(), "missing")
    assert job.status is JobStatus.QUEUED and job.reason == "not-found"
    job = dispatcher.print_document(sample_context(), "away")
    assert job.status is JobStatus.QUEUED and job.reason == "spooler-unreachable"
    assert "CUPS" in job.message


def test_a_three_page_notice_arrives_with_three_pages(cups_server: CupsServer) -> None:
    events: list[PrintEvent] = []
    dispatcher = dispatcher_for(cups_server, events)
    before = set(cups_server.outputs())
    job = dispatcher.print_document(
        sample_context(DocumentKind.ONE_TIME_NOTICE, PageLayout.A4, line_count=60), "前台打印机"
    )
    assert job.status is JobStatus.DONE and job.pages == 3, f"{job.detail}\n{cups_server.log_tail()}"
    produced = new_output(cups_server, before)
    assert len(PdfReader(io.BytesIO(produced.read_bytes())).pages) == 3
