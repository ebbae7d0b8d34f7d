"""Printing at this station, without Qt: the print outbox, its worker, the printer, the audit.

Built once by the composition root (clerk_app/wiring/printing.py → ``AppContext.printing``). What
happens to a document is decided here, not in a window:

- a decision / handover writes its jobs in its own transaction (clerk_app/wiring/print_jobs.py) with the
  policy of the settings; the :class:`~printing.outbox.OutboxWorker` prints the ``print`` ones;
- ``ask`` jobs wait for :meth:`PrintingRuntime.confirm` / :meth:`decline` (the window offers them with a
  preview — :meth:`preview` renders the very PDF that will be printed); ``queue`` jobs wait in the
  queue until the clerk confirms them;
- :meth:`reprint` (补打) writes a job like a decision does; :meth:`retry` / :meth:`retry_pending` hand
  waiting jobs back to the worker;
- every attempt is audited (``print.print`` / ``print.reprint`` / ``print.retry``, and
  ``print.confirm`` / ``print.decline`` for the clerk's answers): job id, kind, case number,
  printer, status, reason, attempts — never a name or an ID number.

Listeners (:meth:`add_listener`) hear about every attempt and every job that waits for the clerk, on
the worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.cases import CaseService
from clerk_app.clock import Clock
from clerk_app.errors import ClerkAppError
from clerk_app.roles import Actor, Permission
from clerk_app.wiring.print_jobs import CaseDocuments, PrintJobRepository

if TYPE_CHECKING:  # printing is imported where it is used (tests/test_layering.py: wiring imports lazily)
    from printing.dispatch import JobStatus, Printer, PrinterStatus, PrintEvent, PrintJob
    from printing.documents import PrintableDocument
    from printing.model import DocumentKind
    from printing.outbox import Listener

log = logging.getLogger(__name__)


class PrintingRuntime:
    """The station's print queue and its worker (see the module docstring)."""

    def __init__(
        self,
        jobs: PrintJobRepository,
        documents: CaseDocuments,
        cases: CaseService,
        auditor: Auditor,
        clock: Clock,
        printer: Printer | None,
        *,
        printer_error: str = "",
        backend: str = "pdf-folder",
        hall_name: str = "",
        poll_seconds: float = 10.0,
        retry_after: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0),
    ) -> None:
        from printing.dispatch import PrintDispatcher
        from printing.outbox import OutboxWorker

        self.jobs = jobs
        self.documents = documents
        self.cases = cases
        self.auditor = auditor
        self.clock = clock
        self.printer = printer
        self.printer_error = printer_error
        self.backend = backend
        self.hall_name = hall_name
        self.dispatcher = PrintDispatcher(self._lookup, jobs, on_event=self._audit, clock=clock.now)
        self.worker = OutboxWorker(
            jobs,
            documents,
            self.dispatcher,
            lambda: self.printer.name if self.printer is not None else None,
            on_event=self._audit,
            clock=clock.now,
            poll_seconds=poll_seconds,
            retry_after=retry_after,
        )
        jobs.on_commit = self.worker.wake

    # -- life --------------------------------------------------------------------------------------
    def start(self) -> PrintingRuntime:
        self.worker.start()
        self.worker.wake()  # what an earlier run left in the outbox
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self.worker.stop(timeout)

    @property
    def idle(self) -> bool:
        return self.worker.idle

    def add_listener(self, listener: Listener) -> None:
        self.worker.add_listener(listener)

    def remove_listener(self, listener: Listener) -> None:
        self.worker.remove_listener(listener)

    # -- the printer -------------------------------------------------------------------------------
    @property
    def printer_name(self) -> str:
        return self.printer.name if self.printer is not None else ""

    def set_printer(self, printer: Printer | None) -> None:
        """Switch the printer (a settings change; tests put in a stopped one). Waiting jobs go to it."""
        self.printer = printer
        self.worker.wake()

    def printer_status(self) -> PrinterStatus:
        """Blocks (CUPS may take a moment): call it off the GUI thread."""
        from printing.dispatch import PrinterStatus

        if self.printer is None:
            return PrinterStatus(False, "none", self.printer_error)
        return self.printer.status()

    # -- direct prints (not queued for a case) ------------------------------------------------------
    def print_form(self, actor: Actor, data: bytes, file_name: str, title: str) -> str:
        """A catalogue's blank form or sample, printed at once for the applicant (Ctrl+B's preview →
        Print). Blocks: call it off the GUI thread. Returns the spooler's job id."""
        from printing.direct import form_document

        actor.require(Permission.PRINT)
        return self._print_direct(actor, form_document(data, file_name, title))

    def print_test_page(self, actor: Actor) -> str:
        """The printer test page (the admin's devices tab). Blocks: call it off the GUI thread."""
        from printing.direct import test_page_document

        actor.require(Permission.SETTINGS_MANAGE)
        return self._print_direct(actor, test_page_document(self.hall_name, self.printer_name, self.clock.now()))

    def _print_direct(self, actor: Actor, doc: PrintableDocument) -> str:
        from printing.errors import PrintingError

        if self.printer is None:
            raise DirectPrintFailed(title=doc.title, problem=self.printer_error or "没有配置打印机")
        try:
            spooler_id = self.printer.print_document(doc, f"{doc.kind.value} {doc.title}")
        except PrintingError as exc:
            raise DirectPrintFailed(title=doc.title, problem=exc.user_message(), detail=str(exc)) from exc
        self.auditor.record_now(
            actor,
            "print.direct",
            None,
            kind=doc.kind.value,
            document=doc.title,
            printer=self.printer.name,
            pages=doc.pages,
        )
        return spooler_id

    def _lookup(self, _name: str) -> Printer:
        if self.printer is None:
            raise KeyError(_name)
        return self.printer  # one printer per station: a job goes to the one configured now

    # -- the queue ---------------------------------------------------------------------------------
    def pending(self) -> list[PrintJob]:
        """Jobs the printer still owes (queued, printing, failed), oldest first."""
        return self.jobs.unfinished()

    def awaiting(self, case_number: str | None = None) -> list[PrintJob]:
        """Jobs waiting for the clerk: ``asking`` (confirm or decline) and ``held`` (print from the queue)."""
        return self.jobs.awaiting(case_number)

    def for_case(self, case_number: str) -> list[PrintJob]:
        return self.jobs.for_case(case_number)

    def confirm(self, actor: Actor, job_ids: Sequence[str]) -> list[PrintJob]:
        """Print jobs waiting for the clerk (asking or held)."""
        from printing.dispatch import JobStatus

        return self._answer(actor, job_ids, JobStatus.QUEUED, "print.confirm")

    def decline(self, actor: Actor, job_ids: Sequence[str]) -> list[PrintJob]:
        """Do not print jobs waiting for the clerk (a reprint can still make one later)."""
        from printing.dispatch import JobStatus

        return self._answer(actor, job_ids, JobStatus.DECLINED, "print.decline")

    def _answer(self, actor: Actor, job_ids: Sequence[str], status: JobStatus, action: str) -> list[PrintJob]:
        actor.require(Permission.PRINT)
        from printing.dispatch import JobStatus

        jobs = self.jobs.decide(job_ids, status)
        for job in jobs:
            self.auditor.record_now(
                actor, action, self.jobs.case_id(job.case_number), **_detail(job), policy=job.policy
            )
        if status is JobStatus.QUEUED:
            self.worker.wake(*job_ids)
        return jobs

    def preview(self, actor: Actor, job_id: str) -> bytes:
        """The job's PDF, rendered now if it was not yet (so what is previewed is what is printed)."""
        actor.require(Permission.PRINT)
        job = self.jobs.get(job_id)
        if not job.rendered:
            job = self.jobs.attach(job, self.documents.document(job), self.printer_name)
        return self.jobs.pdf(job)

    def reprintable(self, actor: Actor, case_id: str) -> tuple[DocumentKind, ...]:
        from printing.from_case import documents_for_case

        return documents_for_case(self.cases.get(actor, case_id))

    def preview_document(self, actor: Actor, case_id: str, kind: DocumentKind, *, reprint: bool = True) -> bytes:
        """A document of the case as it would print now (not queued). Raises NotPrintable."""
        actor.require(Permission.PRINT)
        doc = self.documents.render(
            case_id, kind, actor, actor.staff_no, actor.can(Permission.PII_VIEW_FULL), reprint=reprint
        )
        return doc.pdf

    def reprint(self, actor: Actor, case_id: str, kind: DocumentKind) -> PrintJob:
        """补打: a job for an earlier document of the case, marked 补打 with the time it is printed;
        through the outbox like any other. Raises NotPrintable when the case never produced it."""
        from printing.from_case import NotPrintable

        actor.require(Permission.PRINT)
        if kind not in self.reprintable(actor, case_id):
            raise NotPrintable(f"the case never produced a {kind.value}")
        return self.jobs.write_reprint(case_id, kind, actor)

    def retry(self, job_id: str) -> None:
        """Hand a waiting job back to the worker now (also one left ``printing`` by a crash)."""
        self.worker.wake(job_id, force=True)

    def retry_pending(self) -> int:
        """Retry every job the printer owes, oldest first; returns how many."""
        jobs = self.pending()
        self.worker.wake(*(j.job_id for j in jobs), force=True)
        return len(jobs)

    # -- audit (worker thread) ---------------------------------------------------------------------
    def _audit(self, event: PrintEvent) -> None:
        job = event.job
        try:
            origin = self.jobs.origin(job.job_id)
            self.auditor.record_now(
                origin.actor,
                f"print.{event.action.value}",
                origin.case_id,
                **_detail(job),
                attempts=job.attempts,
                reprint=job.is_reprint,
            )
        except ClerkAppError as exc:  # the audit store away: the job row still says what happened
            log.error("print audit not written: %s", type(exc).__name__)


class DirectPrintFailed(ClerkAppError):
    key = i18n.register(
        "printing.direct_failed",
        "未能打印“{title}”：{problem}",
        "Could not print {title}: {problem}",
    )


def _detail(job: PrintJob) -> dict[str, object]:
    return dict(
        job=job.job_id,
        kind=job.kind.value,
        case_number=job.case_number,
        printer=job.printer,
        status=job.status.value,
        reason=job.reason,
    )
