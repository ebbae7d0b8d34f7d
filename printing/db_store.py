"""The core's print queue: :class:`~printing.dispatch.PrintJobStore` over the local database.

- A job is one row of ``print_jobs`` (clerk_app.store.models.PrintJob, migration 0006): the
  dispatcher's job id, kind, case number (and the case's id when the case is in this store),
  printer, layout, media, pages, status, attempts, reason, the clerk's message, the technical detail
  and the spooler's job id. No name, no ID number.
- The PDF shows the applicant's name and masked ID, so it is kept like a scanned page: in an
  encrypted, content-addressed attachment store (clerk_app.attachments; the app uses its own root
  ``<data_dir>/print-queue`` so page housekeeping never mistakes it for an orphan page), named by its
  SHA-256 — never as plaintext on disk. The same document queued twice is one file.
- Once a job is printed its PDF is deleted (unless another unfinished job needs the same file, or
  ``keep_printed=True``): a reprint is rebuilt from the case anyway, the row keeps the hash, and no
  applicant's name stays on disk beyond the queue.
- A job that was not finished when the app stopped (queued, failed, or still ``printing`` when the
  process died) is in :meth:`unfinished` after the restart, oldest first, so the clerk can retry it.

Every call is a short transaction of its own, so the dispatcher may call it from its worker thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.attachments import AttachmentStore
from clerk_app.store.models import Case
from clerk_app.store.models import PrintJob as PrintJobRow
from printing.dispatch import JobStatus, PrintJob
from printing.errors import PrintJobNotFound
from printing.model import DocumentKind, PageLayout

PDF_MIME = "application/pdf"


def _aware(value: dt.datetime) -> dt.datetime:
    """The store keeps aware datetimes; a naive one (a dispatcher on ``datetime.now``) is local time."""
    return value if value.tzinfo is not None else value.astimezone()


class DbPrintJobStore:
    """``PrintJobStore`` backed by ``print_jobs`` and the encrypted attachment store.

    ``requested_by`` returns the signed-in user's id (recorded with each new job), or None.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        attachments: AttachmentStore,
        *,
        requested_by: Callable[[], int | None] = lambda: None,
        keep_printed: bool = False,
    ) -> None:
        self._sessions = sessions
        self._attachments = attachments
        self._requested_by = requested_by
        self._keep_printed = keep_printed

    # -- PrintJobStore ---------------------------------------------------------------------------
    def add(self, job: PrintJob, pdf: bytes) -> None:
        stored = self._attachments.put(pdf, PDF_MIME)
        if stored.sha256 != job.pdf_sha256:
            raise ValueError("the job's pdf_sha256 does not match the PDF")
        with self._sessions.begin() as s:
            case_id = s.scalar(select(Case.id).where(Case.case_number == job.case_number))
            row = PrintJobRow(
                job_uid=job.job_id,
                case_id=case_id,
                requested_by=self._requested_by(),
                created_at=_aware(job.created_at),
            )
            _copy(job, row)
            s.add(row)

    def update(self, job: PrintJob) -> None:
        with self._sessions.begin() as s:
            row = self._row(s, job.job_id)
            _copy(job, row)
            s.flush()
            drop = (
                job.status is JobStatus.DONE
                and not self._keep_printed
                and s.scalar(
                    select(PrintJobRow.id)
                    .where(PrintJobRow.pdf_sha256 == job.pdf_sha256, PrintJobRow.status != JobStatus.DONE.value)
                    .limit(1)
                )
                is None
            )
        if drop:
            self._attachments.delete(job.pdf_sha256)

    def get(self, job_id: str) -> PrintJob:
        with self._sessions() as s:
            return _job(self._row(s, job_id))

    def pdf(self, job: PrintJob) -> bytes:
        """The job's PDF (raises AttachmentMissing for a printed job whose file was dropped)."""
        return self._attachments.get(job.pdf_sha256)

    def unfinished(self) -> list[PrintJob]:
        with self._sessions() as s:
            rows = s.scalars(
                select(PrintJobRow)
                .where(PrintJobRow.status != JobStatus.DONE.value, PrintJobRow.job_uid.is_not(None))
                .order_by(PrintJobRow.created_at, PrintJobRow.id)
            ).all()
            return [_job(r) for r in rows]

    def for_case(self, case_number: str) -> list[PrintJob]:
        with self._sessions() as s:
            rows = s.scalars(
                select(PrintJobRow)
                .where(PrintJobRow.case_number == case_number, PrintJobRow.job_uid.is_not(None))
                .order_by(PrintJobRow.created_at, PrintJobRow.id)
            ).all()
            return [_job(r) for r in rows]

    def case_id(self, case_number: str) -> str | None:
        """The id of the case with ``case_number`` in this store (for the audit event), or None."""
        with self._sessions() as s:
            return s.scalar(select(Case.id).where(Case.case_number == case_number))

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _row(s: Session, job_id: str) -> PrintJobRow:
        row = s.scalar(select(PrintJobRow).where(PrintJobRow.job_uid == job_id))
        if row is None:
            raise PrintJobNotFound(job_id=job_id)
        return row


def _copy(job: PrintJob, row: PrintJobRow) -> None:
    row.document_kind = job.kind.value
    row.case_number = job.case_number
    row.printer = job.printer
    row.layout = job.layout.value
    row.media = job.media
    row.pages = job.pages
    row.pdf_sha256 = job.pdf_sha256
    row.status = job.status.value
    row.attempts = job.attempts
    row.is_reprint = job.is_reprint
    row.reason = job.reason or None
    row.message = job.message or None
    row.detail = job.detail or None
    row.spooler_job_id = job.spooler_job_id or None
    row.updated_at = _aware(job.updated_at or job.created_at)


def _job(row: PrintJobRow) -> PrintJob:
    assert row.job_uid is not None
    return PrintJob(
        job_id=row.job_uid,
        kind=DocumentKind(row.document_kind),
        case_number=row.case_number or "",
        printer=row.printer,
        layout=PageLayout(row.layout or "a4"),
        pdf_sha256=row.pdf_sha256,
        pages=row.pages or 0,
        media=row.media or "A4",
        is_reprint=row.is_reprint,
        created_at=row.created_at,
        status=JobStatus(row.status),
        attempts=row.attempts,
        reason=row.reason or "",
        message=row.message or "",
        detail=row.detail or "",
        spooler_job_id=row.spooler_job_id or "",
        updated_at=row.updated_at,
    )
