"""The print outbox in the core: ``print_jobs`` rows and their encrypted PDFs, behind printing's ports.

- :meth:`PrintJobRepository.write` runs **inside** the caller's transaction (``CaseService.decide``,
  ``CaseService.deliver``, a reprint): the jobs the settings' policy asks for (printing.policy) are
  rows of ``print_jobs`` that commit with the decision or not at all. Status ``queued`` (policy
  "print"), ``asking`` ("ask": the clerk confirms or declines) or ``held`` ("queue": kept until the
  clerk prints it); no PDF yet. After the commit the print worker is woken (``on_commit``).
- The repository implements :class:`printing.outbox.PrintOutbox` (and so ``PrintJobStore``): the print
  worker and the dispatcher read and update jobs only through it, one short transaction per call.
- Jobs belong to the workstation that wrote them (``<station code>/<window no>``): with a database
  shared by the hall's windows, each window's worker drains only its own jobs onto its own printer.
- A job row holds no name and no ID number: kind, case id and number, printer, layout, media, pages,
  status, attempts, reason, the clerk's message, technical detail, the spooler's job id, the policy,
  the requester (user id and staff number, printed on the paper) and whether the requester may print
  the applicant's full name.
- The PDF shows the applicant's name and masked ID, so it is kept like a scanned page: encrypted and
  content-addressed in an attachment store of its own (``<data_dir>/print-queue``), named by its
  SHA-256. Once a job is printed its PDF is deleted (unless another unfinished job needs the same
  file, or ``keep_printed=True``): a reprint is rebuilt from the case.

:class:`CaseDocuments` implements :class:`printing.outbox.DocumentSource`: it renders a job's
document from the case as it is now, for the requester (the full name fetched through the audited
``CaseService.applicant_data(..., "print")`` when the requester may see it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.attachments import AttachmentStore
from clerk_app.cases import CaseService
from clerk_app.catalogue.model import Catalogue
from clerk_app.clock import Clock
from clerk_app.errors import DomainError, NotFound, PermissionDenied
from clerk_app.result_documents import ResultDocumentService, reference_in
from clerk_app.roles import Actor, Permission, Role, system_actor
from clerk_app.settings import Settings
from clerk_app.store.models import Case, User
from clerk_app.store.models import PrintJob as PrintJobRow

if TYPE_CHECKING:  # printing is imported where it is used (tests/test_layering.py: wiring imports lazily)
    from printing.dispatch import JobStatus, PrintJob
    from printing.documents import PrintableDocument
    from printing.fonts import FontCandidate
    from printing.model import DocumentKind
    from printing.policy import PrintPolicy

PDF_MIME = "application/pdf"
_INITIAL = {"print": "queued", "ask": "asking", "queue": "held"}  # policy -> JobStatus value
_AWAITING = ("asking", "held")
_UNFINISHED = ("queued", "printing", "failed")  # printing.dispatch.UNFINISHED


def _aware(value: dt.datetime) -> dt.datetime:
    """The store keeps aware datetimes; a naive one (a dispatcher on ``datetime.now``) is local time."""
    return value if value.tzinfo is not None else value.astimezone()


@dataclass(frozen=True)
class JobOrigin:
    """Who a job was written for and from which case (for rendering and the audit)."""

    case_id: str | None
    actor: Actor
    staff_no: str
    full_name: bool


class PrintJobRepository:
    """``print_jobs`` + the encrypted PDFs: the outbox writer and printing's ``PrintOutbox`` port."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        attachments: AttachmentStore,
        clock: Clock,
        *,
        policy: Mapping[DocumentKind, PrintPolicy] | None = None,
        station: str = "",
        workstation: str = "",
        requested_by: Callable[[], int | None] = lambda: None,
        keep_printed: bool = False,
    ) -> None:
        self._sessions = sessions
        self._attachments = attachments
        self._clock = clock
        self.policy = dict(policy or {})
        self._station = station
        self.workstation = workstation  # e.g. "WH01/01": only this window's printer drains its jobs
        self._requested_by = requested_by
        self._keep_printed = keep_printed
        self.on_commit: Callable[[], None] | None = None  # the composition root: wake the print worker

    # -- the outbox writer (inside the caller's transaction) ----------------------------------------
    def write(
        self, s: Session, case: Case, trigger: str, actor: Actor, *, kinds: Sequence[DocumentKind] | None = None
    ) -> list[PrintJob]:
        """The jobs ``trigger`` (a decision's value, or ``delivered``) produces under the policy,
        added to ``s``. ``kinds`` instead: exactly those, printed at once (a reprint)."""
        from printing.dispatch import JobStatus, PrintJob
        from printing.model import PageLayout
        from printing.policy import plan_for_decision

        if kinds is None:
            planned = plan_for_decision(trigger, self.policy).jobs()
            # the department's result document is printed only when the back office sent one
            if any(k.value == "result_document" for k, _ in planned) and reference_in(s, case.id) is None:
                planned = tuple((k, p) for k, p in planned if k.value != "result_document")
        else:
            planned = tuple((k, "print") for k in kinds)
        now = self._clock.now()
        jobs = []
        for kind, policy in planned:
            job = PrintJob(
                job_id=uuid.uuid4().hex,
                kind=kind,
                case_number=case.case_number or "",
                printer="",
                layout=PageLayout.A4,
                pdf_sha256="",
                pages=0,
                media="",
                is_reprint=kinds is not None,
                created_at=now,
                status=JobStatus(_INITIAL[policy]),
                updated_at=now,
                policy=policy,
            )
            row = PrintJobRow(
                job_uid=job.job_id,
                case_id=case.id,
                requested_by=actor.user_id,
                created_at=now,
                staff_no=actor.staff_no,
                full_name=actor.can(Permission.PII_VIEW_FULL),
                workstation=self.workstation,
            )
            _copy(job, row)
            s.add(row)
            jobs.append(job)
        if jobs and self.on_commit is not None and not event.contains(s, "after_commit", self._committed):
            event.listen(s, "after_commit", self._committed, once=True)
        return jobs

    def write_reprint(self, case_id: str, kind: DocumentKind, actor: Actor) -> PrintJob:
        """A 补打 job for ``kind`` of the case, in a transaction of its own."""
        with self._sessions.begin() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(what="案件", detail=f"case {case_id}")
            [job] = self.write(s, case, "reprint", actor, kinds=[kind])
        return job

    def _committed(self, _session: Session) -> None:
        if self.on_commit is not None:
            self.on_commit()

    def decide(self, job_ids: Sequence[str], status: JobStatus) -> list[PrintJob]:
        """The clerk's answer for jobs waiting for it: ``queued`` (print) or ``declined``."""
        out = []
        with self._sessions.begin() as s:
            for job_id in job_ids:
                row = self._row(s, job_id)
                if row.status in _AWAITING:
                    row.status = status.value
                    row.updated_at = self._clock.now()
                out.append(_job(row))
        return out

    def origin(self, job_id: str) -> JobOrigin:
        with self._sessions() as s:
            row = self._row(s, job_id)
            user = s.get(User, row.requested_by) if row.requested_by is not None else None
            if user is None:
                actor = system_actor(self._station)
            else:
                actor = Actor(user.id, user.username, Role(user.role), self._station, user.staff_no)
            return JobOrigin(row.case_id, actor, row.staff_no or actor.staff_no, bool(row.full_name))

    # -- printing.outbox.PrintOutbox ---------------------------------------------------------------
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
                workstation=self.workstation,
            )
            _copy(job, row)
            s.add(row)

    def attach(self, job: PrintJob, doc: PrintableDocument, printer: str) -> PrintJob:
        stored = self._attachments.put(doc.pdf, PDF_MIME)
        job = replace(
            job,
            pdf_sha256=stored.sha256,
            pages=doc.pages,
            layout=doc.layout,
            media=doc.media,
            printer=printer or job.printer,
            updated_at=self._clock.now(),
        )
        self.update(job)
        return job

    def update(self, job: PrintJob) -> None:
        from printing.dispatch import JobStatus

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
        """This workstation's jobs the printer still owes, oldest first."""
        return self._where(self._mine() & PrintJobRow.status.in_(_UNFINISHED))

    runnable = unfinished

    def awaiting(self, case_number: str | None = None) -> list[PrintJob]:
        """This workstation's jobs waiting for the clerk (of one case), oldest first."""
        if case_number is None:
            return self._where(self._mine() & PrintJobRow.status.in_(_AWAITING))
        return self._where(self._mine() & PrintJobRow.status.in_(_AWAITING) & (PrintJobRow.case_number == case_number))

    def for_case(self, case_number: str) -> list[PrintJob]:
        return self._where(PrintJobRow.case_number == case_number)

    def case_id(self, case_number: str) -> str | None:
        """The id of the case with ``case_number`` in this store (for the audit event), or None."""
        with self._sessions() as s:
            return s.scalar(select(Case.id).where(Case.case_number == case_number))

    # -- helpers ---------------------------------------------------------------------------------
    def _mine(self) -> Any:
        # rows from before migration 0010 have no workstation: whoever starts first prints them
        return (PrintJobRow.workstation == self.workstation) | PrintJobRow.workstation.is_(None)

    def _where(self, cond: object) -> list[PrintJob]:
        with self._sessions() as s:
            rows = s.scalars(
                select(PrintJobRow)
                .where(cond, PrintJobRow.job_uid.is_not(None))  # type: ignore[arg-type]
                .order_by(PrintJobRow.created_at, PrintJobRow.id)
            ).all()
            return [_job(r) for r in rows]

    @staticmethod
    def _row(s: Session, job_id: str) -> PrintJobRow:
        from printing.errors import PrintJobNotFound

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
    row.policy = job.policy
    row.updated_at = _aware(job.updated_at or job.created_at)


def _job(row: PrintJobRow) -> PrintJob:
    from printing.dispatch import JobStatus, PrintJob
    from printing.model import DocumentKind, PageLayout

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
        policy=row.policy or "print",
    )


class CaseDocuments:
    """``DocumentSource``: a job's document rendered from its case, for the job's requester."""

    def __init__(
        self,
        jobs: PrintJobRepository,
        cases: CaseService,
        catalogue: Callable[[], Catalogue],
        settings: Settings,
        clock: Clock,
        fonts: Sequence[FontCandidate] | None = None,
        results: ResultDocumentService | None = None,
    ) -> None:
        self._jobs, self._cases, self._catalogue = jobs, cases, catalogue
        self._settings, self._clock, self._fonts = settings, clock, fonts
        self._results = results

    def document(self, job: PrintJob) -> PrintableDocument:
        from printing.from_case import NotPrintable

        origin = self._jobs.origin(job.job_id)
        if origin.case_id is None:
            raise NotPrintable("the job's case is not in this store")
        return self.render(origin.case_id, job.kind, origin.actor, origin.staff_no, origin.full_name, job.is_reprint)

    def render(
        self,
        case_id: str,
        kind: DocumentKind,
        actor: Actor,
        staff_no: str,
        full_name: bool,
        reprint: bool = False,
    ) -> PrintableDocument:
        from printing.documents import build_document
        from printing.from_case import document_context
        from printing.model import DocumentKind

        if kind is DocumentKind.RESULT_DOCUMENT:
            return self._result_document(case_id, actor, reprint)
        view = self._cases.get(actor, case_id)
        item = self._catalogue().items.get(view.item_code)
        supplement = None
        if kind is DocumentKind.SUPPLEMENT_RECEIPT and (last := self._cases.last_supplement(case_id)) is not None:
            supplement = (last.at, last.codes)
        name = None
        if full_name:
            try:
                data = self._cases.applicant_data(actor, case_id, "print")  # audited as pii.use
            except PermissionDenied:  # the requester's role changed since: the masked name is printed
                data = None
            name = data.name if data is not None and data.name else None
        ctx = document_context(
            kind,
            view,
            item,
            self._settings,
            clerk_staff_no=staff_no,
            now=self._clock.now(),
            applicant_name=name,
            reprint=reprint,
            supplement=supplement,
        )
        return build_document(ctx, self._fonts)

    def _result_document(self, case_id: str, actor: Actor, reprint: bool) -> PrintableDocument:
        """The department's PDF as it came from the back office (hash-checked at download), read for
        printing through the audited ``ResultDocumentService.pdf(..., "print")``."""
        from printing.documents import PrintableDocument
        from printing.from_case import NotPrintable
        from printing.model import DocumentKind, PageLayout

        if self._results is None:
            raise NotPrintable("no result document service")
        try:
            data = self._results.pdf(actor, case_id, "print")
        except (PermissionDenied, DomainError) as exc:
            raise NotPrintable(f"the result document cannot be read: {type(exc).__name__}") from exc
        pages, size_mm = _pdf_pages(data)
        case_number = self._cases.get(actor, case_id).case_number or ""
        return PrintableDocument(
            pdf=data,
            kind=DocumentKind.RESULT_DOCUMENT,
            case_number=case_number,
            layout=PageLayout.A4,
            is_reprint=reprint,
            pages=pages,
            page_size_mm=size_mm,
            title=f"{DocumentKind.RESULT_DOCUMENT.title} {case_number}",
        )


def _pdf_pages(data: bytes) -> tuple[int, tuple[float, float]]:
    """Page count and the first page's size (mm) of a PDF (printing.direct.pdf_facts)."""
    from printing.direct import pdf_facts

    return pdf_facts(data, "the result document")
