"""Results back at the window, end to end (issue 14 item 4, issue 18 item 2): a case decided at the window
syncs to the real back office; the department approves it in the workbench and uploads the result
document; the station's sync worker downloads it (hash-checked) and the case is ready. The clerk signs in
through the login dialog, finds the case in the 待领取 list (Shift+F4), sees the result document named on
the 出件 page, checks the collector's ID and confirms: the 送达回证 and the result document arrive in a
real CUPS queue (private cupsd + cups-pdf), each a print job of its own."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import select

from clerk_app.store.models import AuditEvent
from clerk_app.sync.packet import person_repository_decoder
from clerk_app.sync.wiring import AttachmentResultStore, CaseServiceStatusApplier
from printing.cups_backend import CupsPrinter
from printing.dispatch import JobStatus
from printing.model import DocumentKind
from tests.backoffice.fixtures import backoffice, backoffice_server  # noqa: F401  (pytest fixtures)
from tests.backoffice.workbench_helpers import ITEM, PASSWORD, Bench
from tests.helpers.case_factory import person
from tests.helpers.core import make_world
from tests.sync.test_lifecycle import decide_with_page
from tests.ui.conftest import translations  # noqa: F401  (pytest fixture)
from tests.ui.test_ready_and_claims import login_through_dialog, press
from testsupport.sync import make_station
from testsupport.ui import settle

from .conftest import CupsServer

pytestmark = pytest.mark.postgres

APPLICANT = person("王芳", 5)
FILENAME = "准予个体工商户登记通知书.pdf"


def result_pdf(marker: str) -> bytes:
    """A two-page A4 result document with a text marker pdftotext can find after cups-pdf."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in (1, 2):
        c.setFont("Helvetica", 18)
        c.drawString(72, 760, f"RESULT-DOCUMENT {marker} page {page}")
        c.showPage()
    c.save()
    return buf.getvalue()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True).stdout.decode()


def test_results_ready_list_handover_prints_receipt_and_result_document(
    qtbot,
    tmp_path: Path,
    cups_server: CupsServer,
    backoffice,  # noqa: F811
    translations,  # noqa: F811
) -> None:
    backoffice.add_department("SCJG", "市场监管科", [ITEM])
    backoffice.add_user("li", "approver", "SCJG", PASSWORD)
    world = make_world(tmp_path / "ws", customer_window=False, print_policy="receipt=never, materials_received=never")
    ctx = world.ctx
    code = ctx.settings.station_code
    station = make_station(
        backoffice.url,
        ctx.sessions,
        tmp_path / "unused",
        code=code,
        enrolment=backoffice.add_station(code),
        attachments=ctx.pages.store,
        decoder=person_repository_decoder(ctx.persons),
        status_applier=CaseServiceStatusApplier(ctx.cases, ctx.sessions, code),
        result_sink=AttachmentResultStore(ctx.pages.store, ctx.sessions),
    )
    li = Bench(backoffice.url)
    runtime = ctx.printing
    assert runtime is not None
    runtime.set_printer(
        CupsPrinter(cups_server.queue, name="出件打印机", server=str(cups_server.socket), timeout=30, stall_grace=1.0)
    )
    try:
        clerk = world.login("clerk")
        cid = decide_with_page(ctx, ctx.pages, clerk, APPLICANT.name, 5, b"\x89PNG\r\n\x1a\n" + b"p" * 2000)
        number = ctx.cases.get(clerk, cid).case_number
        assert station.worker.run_once().sent == 1
        # The department approves in the workbench and uploads the result document.
        document = result_pdf(cid[:8])
        assert li.sign_in("li").status_code == 303
        for action in ("start", "approve"):
            assert li.act(cid, action).status_code == 303
        assert li.upload(cid, document, FILENAME).status_code == 303
        assert li.act(cid, "result_ready").status_code == 303
        report = station.worker.run_once()
        assert report.pull_error is None and report.results_fetched == 1
        assert ctx.cases.get(clerk, cid).status.value == "result_ready"

        # The clerk signs in and finds the case in the hall's 待领取 list.
        window = login_through_dialog(qtbot, ctx, translations, "clerk", "Clerk2026")
        press(qtbot, window, "Shift+F4")
        ready = window.pages["ready"]
        assert window.tabs.currentWidget() is ready
        assert [ready.table.item(r, 0).text() for r in range(ready.table.rowCount())] == [number]
        assert ready.table.item(0, 6).text() == "已收到"
        ready.table.setFocus()
        qtbot.keyClick(ready.table, Qt.Key.Key_Return)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        delivery = window.pages["delivery"]
        assert window.tabs.currentWidget() is delivery and delivery.case is not None and delivery.case.id == cid
        assert FILENAME in delivery.result_label.text() and "送达回证" in delivery.result_label.text()

        # Collector's ID, Enter, Ctrl+Enter: handed over; both documents are queued, each a job.
        qtbot.keyClicks(delivery.collector_id, APPLICANT.document_number)
        qtbot.keyClick(delivery.collector_id, Qt.Key.Key_Return)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        assert "申请人" in delivery.collector_result.text()
        qtbot.keyClick(delivery.confirm_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        settle(qtbot, window)  # the delivery page's core calls run off the GUI thread
        assert ctx.cases.get(clerk, cid).status.value == "delivered"
        assert "办理结果文书" in delivery.message.text()
        jobs = runtime.pending()
        assert [j.kind for j in jobs] == [DocumentKind.DELIVERY_RECEIPT, DocumentKind.RESULT_DOCUMENT]

        before = set(cups_server.outputs())
        done = runtime.worker.drain_once()
        assert [j.status for j in done] == [JobStatus.DONE, JobStatus.DONE], [j.detail for j in done]
        produced = sorted(set(cups_server.outputs()) - before, key=lambda p: p.stat().st_mtime)
        assert len(produced) == 2, cups_server.log_tail()
        pages = {p: len(PdfReader(io.BytesIO(p.read_bytes())).pages) for p in produced}
        [result] = [p for p in produced if f"RESULT-DOCUMENT {cid[:8]}" in pdf_text(p)]
        assert pages[result] == 2
        [receipt] = [p for p in produced if p != result]
        assert pages[receipt] == 1
        with ctx.sessions() as s:
            printed = s.scalars(select(AuditEvent).where(AuditEvent.action == "print.print")).all()
            used = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.result_document")).all()
        assert sorted(e.detail["kind"] for e in printed) == ["delivery_receipt", "result_document"]
        assert [e.detail["purpose"] for e in used] == ["print"]
        assert runtime.pending() == []
    finally:
        li.close()
        station.client.close()
        ctx.close()
