"""The dispatcher without a spooler: queue, retry, audit events, job stores, the folder printer."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from printing.cups_backend import classify
from printing.dispatch import (
    FolderPrinter,
    InMemoryPrintJobStore,
    JobStatus,
    JsonFilePrintJobStore,
    PrintAction,
    PrintDispatcher,
    PrinterStatus,
    PrintEvent,
)
from printing.documents import PrintableDocument
from printing.errors import PrinterUnavailable, PrintFailed
from printing.model import DocumentKind, PageLayout
from printing.samples import sample_context


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 5)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class ScriptedPrinter:
    """Fails with the given errors first, then prints (records the documents it got)."""

    def __init__(self, name: str, *failures: Exception) -> None:
        self.name = name
        self.failures = list(failures)
        self.printed: list[tuple[PrintableDocument, str]] = []

    def status(self) -> PrinterStatus:
        return PrinterStatus(not self.failures)

    def print_document(self, doc: PrintableDocument, job_name: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.printed.append((doc, job_name))
        return str(len(self.printed))


@pytest.fixture
def events() -> list[PrintEvent]:
    return []


def make(printer: ScriptedPrinter, events: list[PrintEvent], store=None) -> PrintDispatcher:
    return PrintDispatcher(
        {printer.name: printer}, store or InMemoryPrintJobStore(), on_event=events.append, clock=FakeClock()
    )


def test_print_records_a_done_job_and_reports_it(events: list[PrintEvent]) -> None:
    printer = ScriptedPrinter("front")
    job = make(printer, events).print_document(sample_context(), "front")
    assert job.status is JobStatus.DONE and job.attempts == 1 and job.spooler_job_id == "1"
    assert (job.kind, job.case_number, job.is_reprint, job.media) == (
        DocumentKind.RECEIPT,
        "JA0320261123000157",
        False,
        "A4",
    )
    assert [(e.action, e.job.status) for e in events] == [(PrintAction.PRINT, JobStatus.DONE)]
    doc, name = printer.printed[0]
    assert doc.pdf.startswith(b"%PDF") and name.startswith("JA0320261123000157-receipt-")


def test_offline_printer_keeps_the_job_queued_with_a_message_and_retry_prints_it(events: list[PrintEvent]) -> None:
    printer = ScriptedPrinter("front", PrinterUnavailable("front", "media-empty", detail="media-empty-error"))
    dispatcher = make(printer, events)
    job = dispatcher.print_document(sample_context(DocumentKind.ONE_TIME_NOTICE, PageLayout.ROLL_80MM), "front")
    assert job.status is JobStatus.QUEUED and job.reason == "media-empty"
    assert "缺纸" in job.message and "重试" in job.message and "front" in job.message
    assert dispatcher.pending() == [job]
    assert not printer.printed

    again = dispatcher.retry(job.job_id)
    assert again.status is JobStatus.DONE and again.attempts == 2 and again.message == ""
    assert dispatcher.pending() == []
    assert printer.printed[0][0].media.startswith("Custom.80x")
    assert [(e.action, e.job.status) for e in events] == [
        (PrintAction.PRINT, JobStatus.QUEUED),
        (PrintAction.RETRY, JobStatus.DONE),
    ]
    # A done job is never printed twice.
    assert dispatcher.retry(job.job_id).attempts == 2 and len(printer.printed) == 1


def test_refused_job_is_failed_but_kept_for_retry(events: list[PrintEvent]) -> None:
    printer = ScriptedPrinter("front", PrintFailed(detail="aborted", printer="front", problem="打印任务被取消或中止"))
    dispatcher = make(printer, events)
    job = dispatcher.print_document(sample_context(), "front")
    assert job.status is JobStatus.FAILED and "中止" in job.message and "aborted" in job.detail
    assert dispatcher.retry(job.job_id).status is JobStatus.DONE


def test_a_backend_bug_does_not_lose_the_job(events: list[PrintEvent]) -> None:
    printer = ScriptedPrinter("front", ZeroDivisionError("boom"))
    job = make(printer, events).print_document(sample_context(), "front")
    assert job.status is JobStatus.FAILED and "ZeroDivisionError" in job.detail


def test_unknown_printer_is_queued_not_lost(events: list[PrintEvent]) -> None:
    dispatcher = make(ScriptedPrinter("front"), events)
    job = dispatcher.print_document(sample_context(), "back")
    assert job.status is JobStatus.QUEUED and job.reason == "not-found" and "没有这台打印机" in job.message


def test_reprint_is_marked_and_reported_as_reprint(events: list[PrintEvent]) -> None:
    printer = ScriptedPrinter("front")
    dispatcher = make(printer, events)
    dispatcher.print_document(sample_context(), "front")
    job = dispatcher.reprint(sample_context(), "front")
    assert job.is_reprint and job.status is JobStatus.DONE
    assert [e.action for e in events] == [PrintAction.PRINT, PrintAction.REPRINT]
    assert printer.printed[1][0].is_reprint and printer.printed[0][1] != printer.printed[1][1]


def test_retry_pending_stops_at_a_still_unready_printer(events: list[PrintEvent]) -> None:
    down = PrinterUnavailable("front", "offline")
    printer = ScriptedPrinter("front", down, down, down, down)
    dispatcher = make(printer, events)
    for _ in range(3):
        dispatcher.print_document(sample_context(), "front")
    assert len(dispatcher.pending()) == 3
    results = dispatcher.retry_pending()
    assert [r.status for r in results] == [JobStatus.QUEUED]  # one attempt, not three
    results = dispatcher.retry_pending()
    assert [r.status for r in results] == [JobStatus.DONE] * 3
    assert dispatcher.pending() == []


def test_json_store_survives_a_restart(tmp_path: Path, events: list[PrintEvent]) -> None:
    printer = ScriptedPrinter("front", PrinterUnavailable("front", "stopped"))
    store = JsonFilePrintJobStore(tmp_path / "queue")
    job = make(printer, events, store).print_document(sample_context(), "front")
    assert job.status is JobStatus.QUEUED

    reopened = JsonFilePrintJobStore(tmp_path / "queue")  # e.g. after the app restarted
    assert reopened.unfinished() == [job]
    assert reopened.for_case("JA0320261123000157") == [job]
    result = make(printer, events, reopened).retry(job.job_id)
    assert result.status is JobStatus.DONE
    assert JsonFilePrintJobStore(tmp_path / "queue").get(job.job_id).status is JobStatus.DONE
    assert (tmp_path / "queue" / "pdf" / f"{job.pdf_sha256}.pdf").read_bytes() == printer.printed[0][0].pdf


def test_folder_printer_writes_the_pdf_and_reports_a_missing_folder(tmp_path: Path, events: list[PrintEvent]) -> None:
    out = tmp_path / "out"
    printer = FolderPrinter(out, name="PDF")
    dispatcher = PrintDispatcher({"PDF": printer}, InMemoryPrintJobStore(), on_event=events.append)
    job = dispatcher.print_document(sample_context(), "PDF")
    assert job.status is JobStatus.QUEUED and job.reason == "offline"
    out.mkdir()
    job = dispatcher.retry(job.job_id)
    assert job.status is JobStatus.DONE
    [written] = out.glob("*.pdf")
    assert written.read_bytes().startswith(b"%PDF") and str(written) == job.spooler_job_id


@pytest.mark.parametrize(
    "attrs,expected",
    [
        ({"printer-state": 3, "printer-state-reasons": ["none"], "printer-is-accepting-jobs": True}, ""),
        ({"printer-state": 3, "printer-state-reasons": ["media-low-warning"]}, ""),
        ({"printer-state": 4, "printer-state-reasons": ["media-empty-error"]}, "media-empty"),
        ({"printer-state": 3, "printer-state-reasons": ["media-needed"]}, "media-empty"),
        ({"printer-state": 3, "printer-state-reasons": ["offline-report"]}, "offline"),
        ({"printer-state": 3, "printer-state-reasons": ["cover-open-error"]}, "cover-open"),
        ({"printer-state": 3, "printer-state-reasons": ["media-jam"]}, "media-jam"),
        ({"printer-state": 5, "printer-state-reasons": ["paused"], "printer-state-message": "x"}, "stopped"),
        ({"printer-state": 3, "printer-state-reasons": ["none"], "printer-is-accepting-jobs": False}, "not-accepting"),
    ],
)
def test_cups_printer_state_reasons_are_classified(attrs: dict, expected: str) -> None:
    status = classify(attrs)
    assert status.ready == (expected == "") and status.reason == expected


def test_worker_prints_in_order_off_the_calling_thread(events: list[PrintEvent]) -> None:
    import threading

    from printing.dispatch import PrintWorker
    from printing.errors import FontMissingError
    from printing.fonts import FontCandidate

    printer = ScriptedPrinter("front")
    worker = PrintWorker(make(printer, events))
    done: list[tuple[str, str]] = []
    errors: list[Exception] = []
    caller = threading.current_thread().name
    for kind in (DocumentKind.RECEIPT, DocumentKind.MATERIALS_RECEIVED, DocumentKind.DEFICIENCY_COMMITMENT):
        worker.submit(
            sample_context(kind),
            "front",
            on_done=lambda job: done.append((job.kind.value, threading.current_thread().name)),
        )
    worker.submit(sample_context(), "front", on_done=lambda job: 1 / 0)  # a broken callback ...
    broken = PrintWorker(
        PrintDispatcher({"front": printer}, InMemoryPrintJobStore(), fonts=[FontCandidate(Path("/nonexistent.ttf"))])
    )
    broken.submit(sample_context(), "front", on_error=errors.append)
    worker.submit(
        sample_context(DocumentKind.ONE_TIME_NOTICE),
        "front",  # ... does not stop the worker
        on_done=lambda job: done.append((job.kind.value, threading.current_thread().name)),
    )
    worker.close()
    broken.close()
    assert [k for k, _ in done] == ["receipt", "materials_received", "deficiency_commitment", "one_time_notice"]
    assert all(thread != caller for _, thread in done)
    assert len(printer.printed) == 5
    assert len(errors) == 1 and isinstance(errors[0], FontMissingError)


def test_a_failing_audit_hook_is_not_swallowed() -> None:
    def audit(event: PrintEvent) -> None:
        raise RuntimeError("audit store down")

    dispatcher = PrintDispatcher({"front": ScriptedPrinter("front")}, InMemoryPrintJobStore(), on_event=audit)
    with pytest.raises(RuntimeError, match="audit store down"):
        dispatcher.print_document(sample_context(), "front")


def test_a_job_interrupted_mid_print_is_offered_again_after_a_restart(tmp_path: Path, events: list[PrintEvent]) -> None:
    from dataclasses import replace

    printer = ScriptedPrinter("front", PrinterUnavailable("front", "offline"))
    store = JsonFilePrintJobStore(tmp_path / "queue")
    job = make(printer, events, store).print_document(sample_context(), "front")
    store.update(replace(job, status=JobStatus.PRINTING))  # the app died while printing

    reopened = JsonFilePrintJobStore(tmp_path / "queue")
    dispatcher = make(printer, events, reopened)
    assert [j.status for j in dispatcher.pending()] == [JobStatus.PRINTING]
    assert [r.status for r in dispatcher.retry_pending()] == [JobStatus.DONE]
    assert dispatcher.pending() == []
