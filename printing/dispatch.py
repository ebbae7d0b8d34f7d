"""Print dispatch without Qt: a persistent job queue, printers behind a small protocol, retry, audit hook.

Flow: the core builds a :class:`~printing.model.DocumentContext`, calls
``PrintDispatcher.print_document(ctx, printer_name)`` off the GUI thread; the dispatcher builds the
PDF, records a job (``queued``) in the :class:`PrintJobStore`, then tries the printer once:

- printed                → ``done``;
- printer not ready      → stays ``queued`` with a clerk-readable message (stopped, offline, no paper);
- printer refused/aborted → ``failed`` with the reason.

``retry(job_id)`` (or ``retry_pending()``) tries again with the stored PDF. Every attempt is reported
to ``on_event`` so the core can write its audit event (print / reprint / retry, never personal data).
A printer backend must not leave a job behind in its own spooler when it reports "not ready", so a
retry never prints twice (the CUPS backend cancels its spooler job in that case).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import os
import queue
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from printing.documents import PrintableDocument, build_document
from printing.errors import PrinterUnavailable, PrintFailed, PrintingError, PrintJobNotFound
from printing.fonts import FontCandidate
from printing.model import DocumentContext, DocumentKind, PageLayout


class JobStatus(enum.Enum):
    QUEUED = "queued"  # waiting for the printer (never tried, or the printer was not ready)
    PRINTING = "printing"  # handed to the printer, waiting for it to finish
    DONE = "done"
    FAILED = "failed"  # the printer refused or aborted it; retry allowed
    # Print outbox (printing/outbox.py): written by the core with the decision, not yet for the printer.
    ASKING = "asking"  # policy "ask": waits for the clerk to confirm (or decline)
    HELD = "held"  # policy "queue": kept in the queue until the clerk prints it
    DECLINED = "declined"  # the clerk said not to print it (final)


# Jobs the printer side still owes: waiting for the printer, in flight (or interrupted), refused.
UNFINISHED = (JobStatus.QUEUED, JobStatus.PRINTING, JobStatus.FAILED)


@dataclass(frozen=True)
class PrintJob:
    """One document sent (or to be sent) to one printer. No personal data beyond the case number."""

    job_id: str
    kind: DocumentKind
    case_number: str
    printer: str
    layout: PageLayout
    pdf_sha256: str
    pages: int
    media: str
    is_reprint: bool
    created_at: datetime
    status: JobStatus = JobStatus.QUEUED
    attempts: int = 0
    reason: str = ""  # machine code: "stopped", "media-empty", "aborted" ...
    message: str = ""  # what the clerk is told (zh_CN), empty when done
    detail: str = ""  # technical detail for the log
    spooler_job_id: str = ""  # e.g. the CUPS job id of the last attempt
    updated_at: datetime | None = None
    policy: str = "print"  # print | ask | queue: the settings' policy when the job was written

    @property
    def rendered(self) -> bool:
        """Whether the PDF exists yet (an outbox job is rendered by the print worker)."""
        return bool(self.pdf_sha256)

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data.update(
            kind=self.kind.value,
            layout=self.layout.value,
            status=self.status.value,
            created_at=self.created_at.isoformat(),
            updated_at=self.updated_at.isoformat() if self.updated_at else None,
        )
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PrintJob:
        d = dict(data)
        d["kind"] = DocumentKind(d["kind"])
        d["layout"] = PageLayout(d["layout"])
        d["status"] = JobStatus(d["status"])
        d["created_at"] = datetime.fromisoformat(str(d["created_at"]))
        d["updated_at"] = datetime.fromisoformat(str(d["updated_at"])) if d.get("updated_at") else None
        return cls(**d)  # type: ignore[arg-type]


class PrintAction(enum.Enum):
    PRINT = "print"
    REPRINT = "reprint"
    RETRY = "retry"


@dataclass(frozen=True)
class PrintEvent:
    """Reported after every attempt, for the audit log and the clerk's status line."""

    action: PrintAction
    job: PrintJob

    @property
    def succeeded(self) -> bool:
        return self.job.status is JobStatus.DONE


# ----------------------------------------------------------------------------------------------------
# Printers


@dataclass(frozen=True)
class PrinterStatus:
    ready: bool
    reason: str = ""  # a key of printing.errors.PRINTER_REASONS when not ready
    detail: str = ""


@runtime_checkable
class Printer(Protocol):
    """A place documents go to. Calls block; run them off the GUI thread."""

    name: str

    def status(self) -> PrinterStatus:
        """Whether the printer can take a job now (and why not)."""
        ...

    def print_document(self, doc: PrintableDocument, job_name: str) -> str:
        """Print and wait until the printer has it; return the spooler's job id ("" if none).

        Raises PrinterUnavailable (job not printed, nothing left in the spooler) or PrintFailed.
        """
        ...


class FolderPrinter:
    """The demo "printer": saves each document as a PDF file in a folder (written atomically)."""

    def __init__(self, folder: Path | str, name: str = "保存为PDF") -> None:
        self.folder = Path(folder)
        self.name = name

    def status(self) -> PrinterStatus:
        if not self.folder.is_dir():
            return PrinterStatus(False, "offline", f"folder {self.folder} does not exist")
        if not os.access(self.folder, os.W_OK):
            return PrinterStatus(False, "offline", f"folder {self.folder} is not writable")
        return PrinterStatus(True)

    def path_for(self, job_name: str) -> Path:
        return self.folder / f"{job_name}.pdf"

    def print_document(self, doc: PrintableDocument, job_name: str) -> str:
        st = self.status()
        if not st.ready:
            raise PrinterUnavailable(self.name, st.reason, detail=st.detail)
        target = self.path_for(job_name)
        try:
            _atomic_write(target, doc.pdf)
        except OSError as exc:
            raise PrintFailed(
                detail=f"{type(exc).__name__}: {exc.strerror}", printer=self.name, problem="无法写入文件"
            ) from exc
        return str(target)


# ----------------------------------------------------------------------------------------------------
# Job store


class PrintJobStore(Protocol):
    """Where jobs and their PDFs persist. The core implements this over its database (and encrypts the
    PDFs like other attachments: they show the applicant's name); the classes below serve the demo."""

    def add(self, job: PrintJob, pdf: bytes) -> None: ...

    def update(self, job: PrintJob) -> None: ...

    def get(self, job_id: str) -> PrintJob:
        """Raises PrintJobNotFound."""
        ...

    def pdf(self, job: PrintJob) -> bytes: ...

    def unfinished(self) -> list[PrintJob]:
        """Every job the printer still owes (queued, failed, or printing — in flight or interrupted),
        oldest first; not the ones waiting for the clerk (asking, held) nor done or declined."""
        ...

    def for_case(self, case_number: str) -> list[PrintJob]: ...


class InMemoryPrintJobStore:
    def __init__(self) -> None:
        self._jobs: dict[str, PrintJob] = {}
        self._pdfs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def add(self, job: PrintJob, pdf: bytes) -> None:
        with self._lock:
            self._jobs[job.job_id] = job
            self._pdfs[job.pdf_sha256] = pdf

    def update(self, job: PrintJob) -> None:
        with self._lock:
            if job.job_id not in self._jobs:
                raise PrintJobNotFound(job_id=job.job_id)
            self._jobs[job.job_id] = job

    def get(self, job_id: str) -> PrintJob:
        with self._lock:
            try:
                return self._jobs[job_id]
            except KeyError:
                raise PrintJobNotFound(job_id=job_id) from None

    def pdf(self, job: PrintJob) -> bytes:
        with self._lock:
            return self._pdfs[job.pdf_sha256]

    def unfinished(self) -> list[PrintJob]:
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.status in UNFINISHED]
        return sorted(jobs, key=lambda j: j.created_at)

    def for_case(self, case_number: str) -> list[PrintJob]:
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.case_number == case_number]
        return sorted(jobs, key=lambda j: j.created_at)


class JsonFilePrintJobStore(InMemoryPrintJobStore):
    """Jobs in ``folder/jobs.json``, PDFs content-addressed in ``folder/pdf/<sha256>.pdf``.

    Every change rewrites the JSON atomically (temp + fsync + rename), so a crash keeps either the old
    or the new queue. Not encrypted: for the demo and tests only.
    """

    def __init__(self, folder: Path | str) -> None:
        super().__init__()
        self.folder = Path(folder)
        (self.folder / "pdf").mkdir(parents=True, exist_ok=True)
        index = self.folder / "jobs.json"
        if index.exists():
            for item in json.loads(index.read_text("utf-8")):
                job = PrintJob.from_json(item)
                self._jobs[job.job_id] = job

    def _save(self) -> None:
        data = [j.to_json() for j in self._jobs.values()]
        _atomic_write(self.folder / "jobs.json", json.dumps(data, ensure_ascii=False, indent=1).encode())

    def add(self, job: PrintJob, pdf: bytes) -> None:
        path = self.folder / "pdf" / f"{job.pdf_sha256}.pdf"
        if not path.exists():
            _atomic_write(path, pdf)
        with self._lock:
            self._jobs[job.job_id] = job
            self._save()

    def update(self, job: PrintJob) -> None:
        with self._lock:
            if job.job_id not in self._jobs:
                raise PrintJobNotFound(job_id=job.job_id)
            self._jobs[job.job_id] = job
            self._save()

    def pdf(self, job: PrintJob) -> bytes:
        return (self.folder / "pdf" / f"{job.pdf_sha256}.pdf").read_bytes()


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------------------------------
# Dispatcher

PrinterLookup = Callable[[str], Printer]
log = logging.getLogger(__name__)


class PrintDispatcher:
    """Builds documents, queues them in the store, sends them to printers, retries, reports events.

    ``printers`` maps a configured printer name to a backend (or is a function doing so; it is asked on
    every attempt, so a reconfigured printer is picked up). Thread-safe; calls block while printing.
    """

    def __init__(
        self,
        printers: Mapping[str, Printer] | PrinterLookup,
        store: PrintJobStore,
        *,
        on_event: Callable[[PrintEvent], None] | None = None,
        clock: Callable[[], datetime] = datetime.now,
        fonts: Sequence[FontCandidate] | None = None,
    ) -> None:
        self._lookup: PrinterLookup = printers.__getitem__ if isinstance(printers, Mapping) else printers
        self._store = store
        self._on_event = on_event
        self._clock = clock
        self._fonts = fonts
        self._lock = threading.RLock()
        self._busy: set[str] = set()

    # -- entry points ---------------------------------------------------------------------------
    def print_document(self, ctx: DocumentContext, printer: str) -> PrintJob:
        """Build ``ctx`` and print it on ``printer``. Returns the job (done, queued or failed)."""
        doc = build_document(ctx, self._fonts)
        job = self.enqueue(doc, printer)
        return self._attempt(job, doc, PrintAction.REPRINT if doc.is_reprint else PrintAction.PRINT)

    def reprint(self, ctx: DocumentContext, printer: str) -> PrintJob:
        """Print an earlier document again: rebuilt from the case, marked 补打 with the reprint time."""
        return self.print_document(replace(ctx, reprint=True, printed_at=self._clock()), printer)

    def enqueue(self, doc: PrintableDocument, printer: str) -> PrintJob:
        """Record a job for ``doc`` without printing it yet (e.g. "print later" in the decision bar)."""
        now = self._clock()
        job = PrintJob(
            job_id=uuid.uuid4().hex,
            kind=doc.kind,
            case_number=doc.case_number,
            printer=printer,
            layout=doc.layout,
            pdf_sha256=hashlib.sha256(doc.pdf).hexdigest(),
            pages=doc.pages,
            media=doc.media,
            is_reprint=doc.is_reprint,
            created_at=now,
            updated_at=now,
        )
        self._store.add(job, doc.pdf)
        return job

    def retry(self, job_id: str) -> PrintJob:
        """Try a queued or failed job again (a done job is returned unchanged, never printed twice).

        A job still marked ``printing`` that no thread of this dispatcher is working on was interrupted
        (the app stopped mid-print); it is tried again — the clerk asked for it, having looked at the
        printer — rather than left stuck forever.
        """
        job = self._store.get(job_id)
        if job.status not in UNFINISHED:  # done (never twice), declined, or still waiting for the clerk
            return job
        return self._resend(job, PrintAction.RETRY)

    def _resend(self, job: PrintJob, action: PrintAction) -> PrintJob:
        pdf = self._store.pdf(job)
        doc = PrintableDocument(
            pdf=pdf,
            kind=job.kind,
            case_number=job.case_number,
            layout=job.layout,
            is_reprint=job.is_reprint,
            pages=job.pages,
            page_size_mm=_size_from_media(job.media),
            title=job.kind.title,
        )
        return self._attempt(job, doc, action)

    def send(self, job_id: str) -> PrintJob:
        """Print a job recorded earlier (the print outbox): its first attempt is audited as a print
        (or reprint), later ones as retries."""
        job = self._store.get(job_id)
        if job.attempts == 0 and job.status is JobStatus.QUEUED:
            return self._resend(job, PrintAction.REPRINT if job.is_reprint else PrintAction.PRINT)
        return self.retry(job_id)

    def retry_pending(self, printer: str | None = None) -> list[PrintJob]:
        """Retry every unfinished job (of one printer), oldest first; stops at the first still-unready
        printer so a queue of ten does not produce ten identical messages."""
        results: list[PrintJob] = []
        blocked: set[str] = set()
        for job in self._store.unfinished():
            if (printer is not None and job.printer != printer) or job.printer in blocked:
                continue
            with self._lock:
                if job.job_id in self._busy:  # being printed right now by another thread
                    continue
            result = self.retry(job.job_id)
            results.append(result)
            if result.status is JobStatus.QUEUED:
                blocked.add(job.printer)
        return results

    def pending(self) -> list[PrintJob]:
        return self._store.unfinished()

    # -- internals -------------------------------------------------------------------------------
    def _attempt(self, job: PrintJob, doc: PrintableDocument, action: PrintAction) -> PrintJob:
        with self._lock:
            if job.job_id in self._busy:
                return job
            self._busy.add(job.job_id)
        try:
            job = replace(job, status=JobStatus.PRINTING, attempts=job.attempts + 1, updated_at=self._clock())
            self._store.update(job)
            job = self._send(job, doc)
            self._store.update(job)
        finally:
            with self._lock:
                self._busy.discard(job.job_id)
        if self._on_event is not None:
            self._on_event(PrintEvent(action, job))
        return job

    def _send(self, job: PrintJob, doc: PrintableDocument) -> PrintJob:
        job_name = f"{job.case_number}-{job.kind.value}-{job.job_id[:8]}"
        try:
            printer = self._lookup(job.printer)
        except KeyError:
            err: PrintingError = PrinterUnavailable(job.printer, "not-found", detail="not configured")
            return self._finish(job, JobStatus.QUEUED, "not-found", err)
        try:
            spooler_id = printer.print_document(doc, job_name)
        except PrinterUnavailable as exc:
            return self._finish(job, JobStatus.QUEUED, exc.reason, exc)
        except PrintingError as exc:
            return self._finish(job, JobStatus.FAILED, "failed", exc)
        except Exception as exc:  # a backend bug must not lose the job: keep it, say so, log the type
            wrapped = PrintFailed(
                detail=f"{type(exc).__name__}: {exc}", printer=job.printer, problem="打印程序内部错误"
            )
            return self._finish(job, JobStatus.FAILED, "error", wrapped)
        return replace(
            job,
            status=JobStatus.DONE,
            reason="",
            message="",
            detail="",
            spooler_job_id=spooler_id,
            updated_at=self._clock(),
        )

    def _finish(self, job: PrintJob, status: JobStatus, reason: str, err: PrintingError) -> PrintJob:
        return replace(
            job,
            status=status,
            reason=reason,
            message=err.user_message("zh_CN"),
            detail=str(err),
            updated_at=self._clock(),
        )


def _size_from_media(media: str) -> tuple[float, float]:
    if media == "A4":
        return (210.0, 297.0)
    w, _, h = media.removeprefix("Custom.").removesuffix("mm").partition("x")
    return (float(w), float(h))


class PrintWorker:
    """One background thread that prints in submission order, so the GUI thread never blocks on a
    printer and two prints never interleave on one spooler connection. Results come back through the
    callbacks on the worker thread (the UI bridges them to widgets with a Qt signal)."""

    def __init__(self, dispatcher: PrintDispatcher, *, name: str = "print-worker") -> None:
        self.dispatcher = dispatcher
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(
        self,
        ctx: DocumentContext,
        printer: str,
        on_done: Callable[[PrintJob], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Build and print ``ctx`` in the background (a reprint if ``ctx.reprint``)."""
        self._queue.put(lambda: self._call(lambda: self.dispatcher.print_document(ctx, printer), on_done, on_error))

    def retry(
        self,
        job_id: str,
        on_done: Callable[[PrintJob], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._queue.put(lambda: self._call(lambda: self.dispatcher.retry(job_id), on_done, on_error))

    def close(self, timeout: float | None = 10.0) -> None:
        """Finish what was submitted, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    @staticmethod
    def _call(
        work: Callable[[], PrintJob],
        on_done: Callable[[PrintJob], None] | None,
        on_error: Callable[[Exception], None] | None,
    ) -> None:
        try:
            job = work()
        except Exception as exc:  # FontMissingError, a bad context, a failing audit hook ...
            if on_error is not None:
                on_error(exc)
            return
        if on_done is not None:
            on_done(job)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                item()
            except Exception:  # a failing callback must not stop the worker for the next prints
                log.exception("print worker: result callback failed")
