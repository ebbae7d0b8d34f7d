"""Printing as the workstation shows it: a decision in the intake page writes its jobs to the core's
print outbox and the print worker prints them through the folder printer (off the GUI thread); the
window offers the "ask" documents, a stopped printer keeps the job queued until Retry, a reprint is
marked 补打, every attempt is audited without personal data, and the preview renders the PDF."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from clerk_app.case_numbers import case_lookup_string
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from clerk_app.store.models import AuditEvent
from printing.dispatch import JobStatus, PrinterStatus
from printing.errors import PrinterUnavailable
from printing.model import DocumentKind
from tests.helpers.case_factory import ITEM, person
from testsupport.gui_io import describe, gui_thread_queries, pdf_render_threads
from testsupport.ui import ScriptedPrompts, open_window, settle

APPLICANT = person("张晓明", 7)
FULL_ID = APPLICANT.document_number


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return "".join(out.stdout.decode("utf-8").split())


def qr_of(path: Path, tmp_path: Path) -> list[str]:
    prefix = tmp_path / f"{path.stem}-page"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(path), str(prefix)],
        check=True,
        capture_output=True,
    )
    res = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", f"{prefix}.png"],
        capture_output=True,
    )
    return [res.stdout.decode("utf-8")] if res.stdout else []


class StoppedPrinter:
    """A printer whose queue is stopped: not ready, takes nothing."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0

    def status(self) -> PrinterStatus:
        return PrinterStatus(False, "stopped", "test: queue stopped")

    def print_document(self, doc, job_name):
        self.calls += 1
        raise PrinterUnavailable(self.name, "stopped", detail="test: queue stopped")


@pytest.fixture
def desk(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    window.show_page("intake")
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    service = window.printing
    yield window, page, service
    service.close()


def ready_case(ctx, actor) -> str:
    """A draft with every material received, made through the core (the page then decides it)."""
    cid = ctx.cases.start_case(actor, ITEM, {"premises": "rented", "via_agent": False})
    ctx.cases.set_applicant(actor, cid, APPLICANT)
    for line in ctx.cases.get(actor, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                actor, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    return cid


def decide(qtbot, page, service, decision=Decision.ACCEPT, *, asks: bool = True) -> str:
    cid = ready_case(page.ctx, page.actor)
    page.open_case(cid)
    settle(qtbot, page)
    page.decide(decision)
    settle(qtbot, page)
    assert page.prompts.errors == []
    qtbot.waitUntil(lambda: service.idle, timeout=30_000)
    if asks:  # the worker announces the "ask" job; the window offers it
        qtbot.waitUntil(lambda: service.ask_dialog is not None and service.ask_dialog.isVisible(), timeout=10_000)
    return cid


def printed(ctx, kind: DocumentKind) -> list[Path]:
    return sorted((Path(ctx.settings.resolved_data_dir()) / "printed").glob(f"*-{kind.value}-*.pdf"))


def audit(ctx, prefix: str = "print.") -> list[AuditEvent]:
    with ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.seq)))


def assert_no_pii(events) -> None:
    for e in events:
        blob = json.dumps(e.detail, ensure_ascii=False)
        assert FULL_ID not in blob and APPLICANT.name not in blob and FULL_ID[-4:] + '"' not in blob


def test_accept_prints_the_receipt_and_offers_the_materials_list(qtbot, desk, demo_ctx, tmp_path):
    window, page, service = desk
    cid = decide(qtbot, page, service)
    view = demo_ctx.cases.get(page.actor, cid)
    assert view.status is CaseStatus.ACCEPTED
    [receipt] = printed(demo_ctx, DocumentKind.RECEIPT)
    text = text_of(receipt)
    assert view.case_number in text and "受理回执" in text
    masked = view.applicant.document_number
    assert masked.startswith(FULL_ID[:4]) and "*" in masked and masked in text and FULL_ID not in text
    assert "张晓明" in text  # the applicant's name, fetched for printing through the audited path
    assert qr_of(receipt, tmp_path) == [case_lookup_string(view.case_number)]
    # the materials list is "ask" by default: offered, ticked, printed on Print
    assert printed(demo_ctx, DocumentKind.MATERIALS_RECEIVED) == []
    dialog = service.ask_dialog
    assert dialog is not None and dialog.isVisible() and [c.isChecked() for c in dialog.checks] == [True]
    dialog.print_button.click()
    qtbot.waitUntil(lambda: service.idle and len(printed(demo_ctx, DocumentKind.MATERIALS_RECEIVED)) == 1)
    events = audit(demo_ctx)
    assert [(e.action, e.detail["kind"], e.detail["status"]) for e in events] == [
        ("print.print", "receipt", "done"),
        ("print.confirm", "materials_received", "queued"),
        ("print.print", "materials_received", "done"),
    ]
    assert all(e.case_id == cid and e.detail["case_number"] == view.case_number for e in events)
    assert_no_pii(events)
    # each document with the applicant's name fetched it through the audited path
    assert [e.detail["purpose"] for e in audit(demo_ctx, "pii.use")] == ["print", "print"]
    # the printer's state and waiting count are asked off the GUI thread after each job: they follow
    qtbot.waitUntil(lambda: "就绪" in window.printer_label.text() and "等待" not in window.printer_label.text())


def test_a_stopped_printer_keeps_the_job_queued_until_retry(qtbot, desk, demo_ctx, translations):
    window, page, service = desk
    folder_printer = service.runtime.printer
    stopped = StoppedPrinter(folder_printer.name)
    service.set_printer(stopped)
    cid = decide(qtbot, page, service, Decision.ACCEPT)
    service.ask_dialog.reject()
    number = demo_ctx.cases.get(page.actor, cid).case_number
    [job] = demo_ctx.printing.pending()
    assert job.status is JobStatus.QUEUED and job.reason == "stopped" and stopped.calls == 1
    assert printed(demo_ctx, DocumentKind.RECEIPT) == []
    queue_files = [f for f in (Path(demo_ctx.settings.resolved_data_dir()) / "print-queue").rglob("*") if f.is_file()]
    assert [f.name for f in queue_files] == [job.pdf_sha256]  # kept for the retry, encrypted
    assert b"%PDF" not in queue_files[0].read_bytes()
    box = service.queued_box
    assert box is not None and box.isVisible()
    assert number in box.text() and "暂不可用" in box.text()
    qtbot.waitUntil(lambda: "未就绪" in window.printer_label.text() and "1 份等待打印" in window.printer_label.text())

    # Retry while still stopped: stays queued, nothing printed twice
    service.retry_button.click()
    qtbot.waitUntil(lambda: service.idle)
    assert [j.status for j in demo_ctx.printing.pending()] == [JobStatus.QUEUED] and stopped.calls == 2

    # The job also survives a sign-out/sign-in (a new window); then the printer is back
    window.logout()
    window2 = open_window(qtbot, demo_ctx, translations, "clerk")
    service2 = window2.printing
    try:
        assert [j.job_id for j in demo_ctx.printing.pending()] == [job.job_id]
        qtbot.waitUntil(lambda: "1 份等待打印" in window2.printer_label.text())
        service2.set_printer(folder_printer)
        service2.retry_pending()  # off the GUI thread: the queue is idle when it is printed
        qtbot.waitUntil(lambda: service2.idle)
        assert demo_ctx.printing.pending() == []
        [receipt] = printed(demo_ctx, DocumentKind.RECEIPT)
        assert number in text_of(receipt)
        assert not queue_files[0].exists()  # printed: no copy with the applicant's name stays behind
    finally:
        service2.close()
    events = audit(demo_ctx)
    assert [(e.action, e.detail["status"]) for e in events if e.action != "print.decline"] == [
        ("print.print", "queued"),
        ("print.retry", "queued"),
        ("print.retry", "done"),
    ]
    assert {e.detail["job"] for e in events if e.action != "print.decline"} == {job.job_id}
    assert [e.detail["kind"] for e in events if e.action == "print.decline"] == ["materials_received"]
    assert_no_pii(events)


def test_reprint_from_the_case_view_is_marked_and_audited(qtbot, desk, demo_ctx):
    window, page, service = desk
    cid = decide(qtbot, page, service)
    service.ask_dialog.reject()
    number = demo_ctx.cases.get(page.actor, cid).case_number
    assert "补打" not in text_of(printed(demo_ctx, DocumentKind.RECEIPT)[0])

    from ui.search.case_view import CaseViewDialog

    search = window.pages["search"]
    dialog = CaseViewDialog(demo_ctx.cases, search.search, page.actor, cid, search)
    qtbot.addWidget(dialog)
    button = next(b for b in dialog.buttons.buttons() if b.objectName() == "reprintButton")
    assert button.text() == "补打…"
    qtbot.waitUntil(lambda: not button.isHidden(), timeout=10_000)  # shown once the case's documents are read
    button.click()  # the case's documents are read off the GUI thread, then offered
    qtbot.waitUntil(lambda: service.reprint_dialog is not None, timeout=10_000)
    reprint = service.reprint_dialog
    assert reprint is not None and reprint.kind() is DocumentKind.RECEIPT
    assert [reprint.list.item(i).text() for i in range(reprint.list.count())] == ["受理回执", "材料接收清单"]
    reprint.reprint_button.click()
    qtbot.waitUntil(lambda: service.idle and len(printed(demo_ctx, DocumentKind.RECEIPT)) == 2)
    texts = [text_of(p) for p in printed(demo_ctx, DocumentKind.RECEIPT)]
    assert sum("补打" in t for t in texts) == 1 and all(number in t for t in texts)
    events = [e for e in audit(demo_ctx) if e.action != "print.decline"]
    assert [(e.action, e.detail["reprint"]) for e in events] == [("print.print", False), ("print.reprint", True)]
    assert_no_pii(events)
    jobs = service.runtime.for_case(number)
    assert [(j.kind, j.status, j.is_reprint) for j in jobs] == [
        (DocumentKind.RECEIPT, JobStatus.DONE, False),
        (DocumentKind.MATERIALS_RECEIVED, JobStatus.DECLINED, False),
        (DocumentKind.RECEIPT, JobStatus.DONE, True),
    ]
    dialog.load()  # the documents tab lists all three
    settle(qtbot, dialog)  # read off the GUI thread
    assert dialog.documents.rowCount() == 3 and dialog.documents.item(2, 3).text() == "补打"

    # the function the case view calls, directly
    service.reprint(cid, DocumentKind.MATERIALS_RECEIVED)
    qtbot.waitUntil(lambda: service.idle)
    assert "补打" in text_of(printed(demo_ctx, DocumentKind.MATERIALS_RECEIVED)[0]) and service.errors == []
    # a document the case never produced cannot be reprinted: the clerk is told
    service.reprint(cid, DocumentKind.ONE_TIME_NOTICE)
    qtbot.waitUntil(lambda: service.idle)
    assert service.errors == ["该案件不能打印此文书。"]


def test_preview_renders_the_pages(qtbot, desk, demo_ctx, monkeypatch):
    window, page, service = desk
    cid = decide(qtbot, page, service, Decision.ACCEPT)
    dialog = service.ask_dialog
    [job] = dialog.jobs
    rendered_on = pdf_render_threads(monkeypatch)
    service.preview_job(job, dialog)  # made and rendered off the GUI thread, then shown
    qtbot.waitUntil(lambda: service.preview_dialog is not None, timeout=10_000)
    assert rendered_on == [False]  # PDFium ran on a worker, not on the GUI thread
    preview = service.preview_dialog
    qtbot.addWidget(preview)
    assert len(preview.pages) == 1 and not preview.page_labels[0].pixmap().isNull()
    width = preview.page_labels[0].pixmap().width()
    preview.zoom_in.click()
    assert preview.page_labels[0].pixmap().width() > width
    assert preview.windowTitle().startswith("预览") and "材料接收清单" in preview.windowTitle()
    assert preview.buttons.button(QDialogButtonBox.StandardButton.Close).text() == "关闭"
    # what is previewed is what is printed
    dialog.print_button.click()
    qtbot.waitUntil(lambda: service.idle and len(printed(demo_ctx, DocumentKind.MATERIALS_RECEIVED)) == 1)
    assert printed(demo_ctx, DocumentKind.MATERIALS_RECEIVED)[0].read_bytes() == preview.pdf
    assert cid


@pytest.mark.parametrize("backend", ["pdf-folder", "none"])
def test_policy_never_and_no_printer(qtbot, tmp_path, translations, backend):
    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.settings import Settings

    ctx = build_context(
        Settings(
            demo=True,
            data_dir=str(tmp_path),
            print_policy="receipt=never, materials_received=never",
            printer_backend=backend,
        )
    )
    seed_demo_users(ctx)
    window = open_window(qtbot, ctx, translations, "clerk")
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    service = window.printing
    try:
        if backend == "none":
            assert service.runtime.printer is None and "未配置" in window.printer_label.text()
        decide(qtbot, page, service, asks=False)
        qtbot.wait(300)
        assert service.ask_dialog is None and service.finished_jobs == [] and audit(ctx) == []
        assert printed(ctx, DocumentKind.RECEIPT) == [] and ctx.printing.pending() == []
    finally:
        service.close()
        ctx.close()


def test_a_decision_ends_in_one_dialog_and_the_outcome_is_on_the_page(qtbot, desk, demo_ctx):
    """Issue 17: after every decision a message box (case number) came up on top of the print question.
    Now the confirmation (with the document text) is the one question before; after it only the print
    question of an "ask" document shows, and the outcome is written on the page."""
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    window, page, service = desk
    cid = decide(qtbot, page, service)
    view = demo_ctx.cases.get(page.actor, cid)
    assert [title for title, _ in page.prompts.shown] == ["受理"]  # the confirmation only, no result box
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog | QMessageBox) and w.isVisible()]
    assert dialogs == [service.ask_dialog]
    summary = page.summary.text()
    assert view.case_number in summary and "已受理" in summary and "承诺办结" in summary
    assert "F5" in summary  # what to do next
    assert view.case_number in window.statusBar().currentMessage()
    service.ask_dialog.close()


def test_the_print_queue_runs_no_sql_on_the_gui_thread(qtbot, desk, demo_ctx):
    """Issue 13: the reprint button's check, the 补打 list, the ask answer, the preview, the reprint and
    the printer's state and waiting count all run off the GUI thread; only the showing happens on it."""
    from PySide6.QtWidgets import QDialog

    window, page, service = desk
    cid = decide(qtbot, page, service)  # the intake page's decision, before the recorder
    with gui_thread_queries(demo_ctx.engine) as hits:
        case_view = QDialog(window)
        buttons = QDialogButtonBox(case_view)
        service.add_reprint_button(case_view, cid, buttons)
        [button] = buttons.buttons()
        qtbot.waitUntil(lambda: not button.isHidden(), timeout=10_000)
        service.ask_dialog.print_button.click()
        qtbot.waitUntil(lambda: service.idle and len(printed(demo_ctx, DocumentKind.MATERIALS_RECEIVED)) == 1)
        button.click()
        qtbot.waitUntil(lambda: service.reprint_dialog is not None, timeout=10_000)
        service.reprint_dialog.preview_button.click()
        qtbot.waitUntil(lambda: service.preview_dialog is not None, timeout=10_000)
        service.preview_dialog.close()
        service.reprint_dialog.reprint_button.click()
        qtbot.waitUntil(lambda: service.idle and len(printed(demo_ctx, DocumentKind.RECEIPT)) == 2)
        service.check_printer()
        settle(qtbot, window)
        case_view.close()
    assert not hits, describe(hits)
    assert "就绪" in window.printer_label.text() and service.errors == []


def test_documents_left_waiting_are_asked_at_sign_in_one_case_at_a_time(qtbot, demo_ctx, translations):
    """Decisions made before this window opened (an earlier session, or through the core) left "ask"
    documents: the window asks at sign-in — not at the worker's next poll, seconds later, while the clerk
    types — and one case at a time (Esc: "Don't print", then the next case), never a stack of dialogs."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tests.helpers.case_factory import decided_case
    from ui.printing_ui import AskPrintDialog

    clerk = demo_ctx.users.authenticate("clerk", "Clerk2026")
    numbers = [
        decided_case(demo_ctx, clerk, person(n, i), answer_print=False)[1] for i, n in ((1, "甲一"), (2, "乙二"))
    ]
    assert demo_ctx.printing.worker.wait_idle(30)  # the receipts printed; the "ask" documents wait
    waiting = {j.case_number for j in demo_ctx.printing.awaiting() if j.status is JobStatus.ASKING}
    assert waiting == set(numbers)
    assert demo_ctx.printing.worker.poll_seconds >= 5  # so "at once" below is not the poll

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    asked = []
    for _ in numbers:
        qtbot.waitUntil(lambda: isinstance(QApplication.activeWindow(), AskPrintDialog), timeout=3000)
        dialog = QApplication.activeWindow()
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, AskPrintDialog) and w.isVisible()]
        assert shown == [dialog]  # one question at a time
        assert dialog.windowTitle() == "打印文书" and dialog.case_number not in asked
        asked.append(dialog.case_number)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # 不打印
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=3000)
        settle(qtbot, window)
    assert sorted(asked) == sorted(numbers)
    qtbot.waitUntil(
        lambda: not [j for j in demo_ctx.printing.awaiting() if j.status is JobStatus.ASKING], timeout=10000
    )
    qtbot.wait(300)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, AskPrintDialog) and w.isVisible()]
    assert window.isActiveWindow()
