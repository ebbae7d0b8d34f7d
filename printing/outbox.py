"""The print outbox's drain side: a Qt-free worker thread that renders, prints, retries and reports.

The core writes a job row in the same transaction as the decision / handover that causes it (status
``queued`` for policy "print", ``asking`` for "ask", ``held`` for "queue"; no PDF yet). This worker
drains what is printable now, oldest first:

1. renders the PDF through the :class:`DocumentSource` port (the core maps the case, printing builds it)
   and stores it through the :class:`PrintOutbox` port (the core encrypts it);
2. sends it through :meth:`PrintDispatcher.send` (one attempt, reported to ``on_event`` for the audit);
3. a printer that is not ready (stopped, offline, no paper) keeps the job ``queued`` and ends the round
   (no ten identical attempts); it is tried again after a back-off (``retry_after`` seconds, growing);
   a refused job (``failed``) is retried the same way up to ``max_failures`` attempts, then waits for
   the clerk's Retry.

A job left ``printing`` by a process that died mid-print is never re-sent by itself (it may have come
out of the printer): the clerk's Retry does it. Jobs waiting for the clerk (``asking``) are announced
to the listeners once, so a window can offer them. Listeners and ``on_event`` run on the worker thread.

``printing`` gets everything through the two ports below; it never touches the core's tables.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from clerk_app import i18n
from printing.dispatch import JobStatus, PrintAction, PrintDispatcher, PrintEvent, PrintJob, PrintJobStore
from printing.documents import PrintableDocument
from printing.errors import PrintingError

log = logging.getLogger(__name__)

_NOT_RENDERED = i18n.register(
    "printing.not_rendered",
    "无法生成{kind}（案件 {case_number}）：{why}",
    "Could not build the {kind} for case {case_number}: {why}",
)
_W_CASE = i18n.register(
    "printing.not_printable", "案件当前的内容不能生成该文书", "the case as it stands cannot produce this document"
)


class PrintOutbox(PrintJobStore, Protocol):
    """The core's print queue as the worker needs it (clerk_app/wiring/print_jobs.py implements it)."""

    def runnable(self) -> list[PrintJob]:
        """Jobs owed to the printer (queued, failed, printing), oldest first."""
        ...

    def awaiting(self, case_number: str | None = None) -> list[PrintJob]:
        """Jobs waiting for the clerk (asking, held), oldest first."""
        ...

    def attach(self, job: PrintJob, doc: PrintableDocument, printer: str) -> PrintJob:
        """Store the rendered PDF and record its hash, pages, layout, media and the printer."""
        ...


class DocumentSource(Protocol):
    """Renders a job's document from the case as it is now (the core implements it)."""

    def document(self, job: PrintJob) -> PrintableDocument:
        """Raises a ValueError (e.g. printing.from_case.NotPrintable) or a PrintingError."""
        ...


Listener = Callable[[PrintJob], None]


class OutboxWorker:
    """One thread draining the outbox. ``printer()`` names the configured printer (None: no printer,
    jobs wait). ``wake()`` after a commit that wrote jobs; the thread also polls every ``poll_seconds``."""

    def __init__(
        self,
        outbox: PrintOutbox,
        source: DocumentSource,
        dispatcher: PrintDispatcher,
        printer: Callable[[], str | None],
        *,
        on_event: Callable[[PrintEvent], None] | None = None,
        clock: Callable[[], datetime] = datetime.now,
        poll_seconds: float = 5.0,
        retry_after: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0),
        max_failures: int = 3,
        name: str = "print-outbox",
    ) -> None:
        self.outbox, self.source, self.dispatcher = outbox, source, dispatcher
        self._printer = printer
        self._on_event = on_event
        self._clock = clock
        self.poll_seconds = poll_seconds
        self.retry_after = retry_after
        self.max_failures = max_failures
        self._name = name
        self._listeners: list[Listener] = []
        self._not_before: dict[str, float] = {}  # per job, after a failed attempt
        self._printer_not_before = 0.0  # after "not ready": the whole queue waits (or a new job / Retry)
        self._forced: set[str] = set()
        self._announced: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> OutboxWorker:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the job in hand, then stop (what is left stays in the outbox for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self, *job_ids: str, force: bool = False) -> None:
        """Work now. ``force``: the clerk asked — ignore the back-off and the failure limit, and
        re-send a job left ``printing`` by a crash."""
        with self._lock:
            for job_id in job_ids:
                self._not_before.pop(job_id, None)
                if force:
                    self._forced.add(job_id)
            if not job_ids:  # new jobs committed, or another printer: worth one attempt now
                self._printer_not_before = 0.0
            self._idle.clear()
            self._wake.set()

    @property
    def idle(self) -> bool:
        """Nothing printable right now (what is left waits for the printer, its back-off or the clerk)."""
        return self._idle.is_set() or not self.running

    def wait_idle(self, timeout: float = 30.0) -> bool:
        return self._idle.wait(timeout)

    def add_listener(self, listener: Listener) -> None:
        """A window joins: what already waits for the clerk's answer (jobs an earlier session or a
        decision made elsewhere left) is announced in the next round, which starts now — at sign-in,
        not at a random moment up to ``poll_seconds`` later while the clerk is typing."""
        self._listeners.append(listener)
        with self._lock:
            self._idle.clear()
            self._wake.set()

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- one round -------------------------------------------------------------------------------
    def drain_once(self) -> list[PrintJob]:
        """Work through what is printable now; returns every job attempted (in order)."""
        self._announce()
        printer = self._printer()
        if printer is None:
            return []
        out: list[PrintJob] = []
        for job in self.outbox.runnable():
            if self._stop.is_set():
                break
            with self._lock:
                forced = job.job_id in self._forced
                now = time.monotonic()
                if not forced and (self._not_before.get(job.job_id, 0.0) > now or self._printer_not_before > now):
                    continue
                if not forced and (
                    job.status is JobStatus.PRINTING
                    or (job.status is JobStatus.FAILED and job.attempts >= self.max_failures)
                ):
                    continue
                self._forced.discard(job.job_id)
            result = self._work(job, printer)
            out.append(result)
            self._notify(result)
            if result.status is JobStatus.DONE:
                with self._lock:
                    self._not_before.pop(job.job_id, None)
                continue
            step = self._back_off(result)
            if result.status is JobStatus.QUEUED:  # the printer is not ready: the rest waits too
                with self._lock:
                    self._printer_not_before = time.monotonic() + step
                break
        return out

    def _work(self, job: PrintJob, printer: str) -> PrintJob:
        if not job.rendered:
            try:
                doc = self.source.document(job)
            except (ValueError, PrintingError) as exc:
                return self._render_failed(job, exc)
            job = self.outbox.attach(job, doc, printer)
        elif job.printer != printer:  # the station's printer was changed since: it goes to the new one
            job = replace(job, printer=printer)
            self.outbox.update(job)
        return self.dispatcher.send(job.job_id)

    def _render_failed(self, job: PrintJob, exc: Exception) -> PrintJob:
        why = exc.user_message("zh_CN") if isinstance(exc, PrintingError) else i18n.text(_W_CASE, "zh_CN")
        message = i18n.text(_NOT_RENDERED, "zh_CN", kind=job.kind.title, case_number=job.case_number, why=why)
        log.warning("print job %s (%s) not rendered: %s", job.job_id, job.kind.value, type(exc).__name__)
        job = replace(
            job,
            status=JobStatus.FAILED,
            attempts=job.attempts + 1,
            reason="render",
            message=message,
            detail=f"{type(exc).__name__}: {exc}",
            updated_at=self._clock(),
        )
        self.outbox.update(job)
        if self._on_event is not None:
            self._on_event(PrintEvent(PrintAction.RETRY if job.attempts > 1 else PrintAction.PRINT, job))
        return job

    def _back_off(self, job: PrintJob) -> float:
        step = self.retry_after[min(max(job.attempts - 1, 0), len(self.retry_after) - 1)]
        with self._lock:
            self._not_before[job.job_id] = time.monotonic() + step
        return step

    def _announce(self) -> None:
        """Tell the listeners once about each job that waits for the clerk's answer."""
        if not self._listeners:
            return
        for job in self.outbox.awaiting():
            if job.status is JobStatus.ASKING and job.job_id not in self._announced:
                self._announced.add(job.job_id)
                self._notify(job)

    def _notify(self, job: PrintJob) -> None:
        for listener in list(self._listeners):
            try:
                listener(job)
            except Exception:  # a failing window must not stop the printing
                log.exception("print outbox: listener failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            with self._lock:
                self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.drain_once()
            except Exception:  # the database away for a moment, a backend bug: log, keep the jobs, go on
                log.exception("print outbox: drain failed")
            with self._lock:
                if not self._wake.is_set():
                    self._idle.set()
        self._idle.set()
