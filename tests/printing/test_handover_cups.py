"""A handover (出件) prints the 送达回证 through the core's print outbox into a real CUPS queue
(private cupsd + cups-pdf, tests/printing/conftest.py): the job is written with the handover, the
print worker renders and sends it, the page arrives and its QR code reads back as the case."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from clerk_app.case_numbers import case_lookup_string
from clerk_app.delivery import DeliveryMethod, DeliveryService, Handover
from clerk_app.store.models import AuditEvent
from printing.cups_backend import CupsPrinter
from printing.dispatch import JobStatus
from printing.model import DocumentKind
from tests.helpers.case_factory import decided_case, person, to_result_ready
from tests.helpers.core import make_world

from .conftest import CupsServer, decode_qr, render_page
from .test_cups import new_output

APPLICANT = person("王芳", 5)


def test_a_handover_prints_the_delivery_receipt_through_cups(cups_server: CupsServer, tmp_path: Path) -> None:
    world = make_world(tmp_path / "data", print_policy="receipt=queue, materials_received=never")
    try:
        runtime = world.ctx.printing
        assert runtime is not None
        runtime.set_printer(
            CupsPrinter(
                cups_server.queue, name="前台打印机", server=str(cups_server.socket), timeout=30, stall_grace=1.0
            )
        )
        clerk = world.login("clerk")
        cid, number = decided_case(world.ctx, clerk, APPLICANT)
        assert runtime.worker.drain_once() == []  # the receipt is held ("queue"): nothing for the printer
        to_result_ready(world.ctx, cid)
        delivery = DeliveryService(world.ctx.sessions, world.ctx.cases, world.ctx.persons, world.ctx.auditor)
        delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, APPLICANT.document_number))
        [job] = runtime.pending()  # written with the handover, before anything is printed
        assert (job.kind, job.status, job.policy) == (DocumentKind.DELIVERY_RECEIPT, JobStatus.QUEUED, "print")

        before = set(cups_server.outputs())
        [done] = runtime.worker.drain_once()
        assert done.status is JobStatus.DONE, f"{done.detail}\n{cups_server.log_tail()}"
        assert done.spooler_job_id.isdigit() and done.printer == "前台打印机"
        produced = new_output(cups_server, before)
        assert len(PdfReader(io.BytesIO(produced.read_bytes())).pages) == 1
        # zbar reads this QR at some scan resolutions and not others (seen: 100/120 dpi yes, 150+ no,
        # after cups-pdf's re-distilling); the code must read back at one of a scanner's usual ones.
        reads = {
            dpi: decode_qr(render_page(produced, tmp_path / f"delivery-{dpi}", dpi=dpi)) for dpi in (100, 120, 150)
        }
        assert [case_lookup_string(number)] in reads.values(), reads
        with world.ctx.sessions() as s:
            [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "print.print")).all()
        assert (event.case_id, event.detail["kind"], event.detail["status"]) == (cid, "delivery_receipt", "done")
        assert runtime.pending() == []
    finally:
        world.ctx.close()
