"""Builds the station's printing from the settings: the print outbox (``print_jobs`` + encrypted PDFs),
the printer backend, the Qt-free print worker, and the hook that makes decisions and handovers write
their jobs in their own transaction. Called by the composition root only; the UI receives the result
as ``AppContext.printing`` and never builds any of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from clerk_app.attachments import AttachmentStore
from clerk_app.audit import Auditor
from clerk_app.cases import CaseService
from clerk_app.catalogue.model import Catalogue
from clerk_app.clock import Clock
from clerk_app.errors import ClerkAppError
from clerk_app.result_documents import ResultDocumentService
from clerk_app.security.crypto import DataKeys, FieldCipher
from clerk_app.settings import Settings
from clerk_app.wiring.print_jobs import CaseDocuments, PrintJobRepository
from clerk_app.wiring.print_service import PrintingRuntime

if TYPE_CHECKING:
    from printing.dispatch import Printer

log = logging.getLogger(__name__)
PRINTED_FOLDER = "printed"  # the pdf-folder printer's output (demo)
PRINT_QUEUE_FOLDER = "print-queue"  # encrypted PDFs of waiting jobs


def configured_printer(settings: Settings) -> tuple[Printer | None, str]:
    """The printer the settings name, or (None, why not — for the clerk) when it cannot be used."""
    from printing.backends import create_printer

    folder = Path(settings.resolved_data_dir()) / PRINTED_FOLDER
    try:
        if settings.printer_backend == "pdf-folder":
            folder.mkdir(parents=True, exist_ok=True)
        printer = create_printer(
            settings.printer_backend, queue=settings.printer_name, folder=folder, name=settings.printer_name or None
        )
    except ClerkAppError as exc:
        log.warning("printer not available: %s", exc)
        return None, exc.user_message()
    return printer, ""


def build_printing(
    settings: Settings,
    sessions: sessionmaker[Session],
    keys: DataKeys,
    auditor: Auditor,
    clock: Clock,
    cases: CaseService,
    catalogue: Callable[[], Catalogue],
    *,
    printer: Printer | None = None,
    start: bool = True,
    results: ResultDocumentService | None = None,
) -> PrintingRuntime:
    """The printing runtime; ``cases`` writes its print jobs from now on. ``start=False`` builds the
    worker without starting its thread (admin commands, tests that drain by hand)."""
    from printing.from_case import print_policy

    attachments = AttachmentStore(
        Path(settings.resolved_data_dir()) / PRINT_QUEUE_FOLDER, FieldCipher(keys, "attachments")
    )
    attachments.cleanup()
    jobs = PrintJobRepository(
        sessions,
        attachments,
        clock,
        policy=print_policy(settings),
        station=settings.station_code,
        workstation=f"{settings.station_code}/{settings.window_no}",
    )
    error = ""
    if printer is None:
        printer, error = configured_printer(settings)
    runtime = PrintingRuntime(
        jobs,
        CaseDocuments(jobs, cases, catalogue, settings, clock, results=results),
        cases,
        auditor,
        clock,
        printer,
        printer_error=error,
        backend=settings.printer_backend,
        hall_name=settings.hall_name,
    )
    # printer_backend "none" switches printing off: no jobs are written (a reprint can make one later).
    cases.print_outbox = jobs if settings.printer_backend != "none" else None
    if start:
        runtime.start()
    return runtime
