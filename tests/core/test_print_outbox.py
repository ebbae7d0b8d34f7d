"""The print outbox through the core API alone (no QApplication): a decision / handover writes its
print jobs in its own transaction with the policy recorded; the Qt-free worker renders, prints,
retries and audits; "ask" jobs wait for the clerk; a kill -9 between decision and printing still
prints after the restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.app_context import build_context, file_keyring
from clerk_app.delivery import DeliveryMethod, DeliveryService, Handover
from clerk_app.lifecycle import CaseStatus, LineStatus
from clerk_app.store.models import AuditEvent, Case
from clerk_app.store.models import PrintJob as PrintJobRow
from clerk_app.wiring.printing import configured_printer
from printing.dispatch import JobStatus, PrinterStatus
from printing.errors import PrinterUnavailable
from printing.model import DocumentKind
from tests.helpers.case_factory import ITEM, decided_case, person, to_result_ready
from tests.helpers.core import make_world

APPLICANT = person("张晓明", 7)
ROOT = Path(__file__).resolve().parents[2]


class StoppedPrinter:
    name = "前台打印机"

    def __init__(self) -> None:
        self.calls = 0

    def status(self) -> PrinterStatus:
        return PrinterStatus(False, "stopped", "test: stopped")

    def print_document(self, doc, job_name):
        self.calls += 1
        raise PrinterUnavailable(self.name, "stopped", detail="test: stopped")


def printed(data_dir: Path, kind: DocumentKind) -> list[Path]:
    return sorted((data_dir / "printed").glob(f"*-{kind.value}-*.pdf"))


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return "".join(out.stdout.decode("utf-8").split())


def audit(ctx, prefix: str = "print.") -> list[AuditEvent]:
    with ctx.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.seq)))


def assert_no_pii(events) -> None:
    for e in events:
        blob = json.dumps(e.detail, ensure_ascii=False)
        assert APPLICANT.document_number not in blob and APPLICANT.name not in blob


def test_a_decision_writes_its_jobs_in_its_transaction_with_the_policy(world):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, APPLICANT)
    with world.ctx.sessions() as s:
        rows = s.scalars(select(PrintJobRow).where(PrintJobRow.case_id == cid).order_by(PrintJobRow.id)).all()
        case = s.get(Case, cid)
        assert case is not None and case.status == CaseStatus.ACCEPTED.value
        # the rows carry the decision's creation time: the same instant as the decision
        assert all(r.created_at == case.decided_at for r in rows)
        got = [(r.document_kind, r.status, r.policy, r.pdf_sha256, r.case_number) for r in rows]
    assert got == [
        ("receipt", "queued", "print", "", number),
        ("materials_received", "asking", "ask", "", number),
    ]
    assert world.ctx.printing is not None
    assert [j.kind for j in world.ctx.printing.pending()] == [DocumentKind.RECEIPT]
    assert [j.kind for j in world.ctx.printing.awaiting(number)] == [DocumentKind.MATERIALS_RECEIVED]


def test_each_window_drains_only_its_own_jobs(world):
    """With a database shared by the hall's windows, window 02's worker does not print window 01's."""
    from clerk_app.wiring.print_jobs import PrintJobRepository

    clerk = world.login("clerk")
    decided_case(world.ctx, clerk, APPLICANT)
    mine = world.ctx.printing.jobs
    assert mine.workstation == "WH01/01" and len(mine.unfinished()) == 1 and len(mine.awaiting()) == 1
    other = PrintJobRepository(world.ctx.sessions, mine._attachments, world.ctx.clock, workstation="WH01/02")
    assert other.unfinished() == [] and other.awaiting() == []


def test_a_failing_outbox_write_rolls_the_decision_back(world):
    """Both or neither: the jobs are part of the decision's transaction."""
    clerk = world.login("clerk")
    cases = world.ctx.cases
    real = cases.print_outbox

    class Broken:
        def write(self, s, case, trigger, actor):
            real.write(s, case, trigger, actor)
            raise RuntimeError("disk full while writing the print job")

    cases.print_outbox = Broken()
    try:
        with pytest.raises(RuntimeError):
            decided_case(world.ctx, clerk, APPLICANT)
    finally:
        cases.print_outbox = real
    with world.ctx.sessions() as s:
        assert s.scalars(select(PrintJobRow)).all() == []
        [case] = s.scalars(select(Case)).all()
        assert case.status == CaseStatus.DRAFT.value and case.case_number is None


def test_policy_from_the_settings_print_ask_queue_never(tmp_path):
    world = make_world(tmp_path, print_policy="receipt=queue, materials_received=never, one_time_notice=ask")
    try:
        clerk = world.login("clerk")
        cid, number = decided_case(world.ctx, clerk, APPLICANT)
        jobs = world.ctx.printing.for_case(number)
        assert [(j.kind, j.status, j.policy) for j in jobs] == [(DocumentKind.RECEIPT, JobStatus.HELD, "queue")]
        assert world.ctx.printing.pending() == []
    finally:
        world.ctx.close()


def test_the_worker_prints_audits_and_asks(world, tmp_path):
    clerk = world.login("clerk")
    runtime = world.ctx.printing
    cid, number = decided_case(world.ctx, clerk, APPLICANT)
    heard = []
    runtime.add_listener(heard.append)
    [done] = runtime.worker.drain_once()
    assert done.status is JobStatus.DONE and done.kind is DocumentKind.RECEIPT and done.policy == "print"
    [receipt] = printed(tmp_path, DocumentKind.RECEIPT)
    text = text_of(receipt)
    assert number in text and "受理回执" in text and "张晓明" in text  # the clerk may print the full name
    assert [(j.kind, j.status) for j in heard] == [
        (DocumentKind.MATERIALS_RECEIVED, JobStatus.ASKING),  # announced once, for the window to offer
        (DocumentKind.RECEIPT, JobStatus.DONE),
    ]
    # the "ask" job: previewed (rendered now, the same bytes are printed), then confirmed
    [ask] = runtime.awaiting(number)
    pdf = runtime.preview(clerk, ask.job_id)
    assert pdf.startswith(b"%PDF") and printed(tmp_path, DocumentKind.MATERIALS_RECEIVED) == []
    runtime.confirm(clerk, [ask.job_id])
    [second] = runtime.worker.drain_once()
    assert second.job_id == ask.job_id and second.status is JobStatus.DONE
    [listing] = printed(tmp_path, DocumentKind.MATERIALS_RECEIVED)
    assert listing.read_bytes() == pdf
    assert runtime.worker.drain_once() == [] and runtime.awaiting() == [] and runtime.pending() == []
    events = audit(world.ctx)
    assert [(e.action, e.detail["kind"], e.detail["status"]) for e in events] == [
        ("print.print", "receipt", "done"),
        ("print.confirm", "materials_received", "queued"),
        ("print.print", "materials_received", "done"),
    ]
    assert all(e.case_id == cid and e.actor == "clerk" for e in events)
    assert_no_pii(events)
    assert [e.detail["purpose"] for e in audit(world.ctx, "pii.use")] == ["print", "print"]
    # no PDF with the applicant's name stays in the queue once printed
    assert [f for f in (tmp_path / "print-queue").rglob("*") if f.is_file()] == []


def test_decline_and_a_stopped_printer(world):
    clerk = world.login("clerk")
    runtime = world.ctx.printing
    stopped = StoppedPrinter()
    runtime.set_printer(stopped)
    cid, number = decided_case(world.ctx, clerk, APPLICANT)
    cid2, number2 = decided_case(world.ctx, clerk, person("李四", 2))
    for ask in runtime.awaiting():
        runtime.decline(clerk, [ask.job_id])
    assert runtime.awaiting() == [] and {j.status for j in runtime.jobs.for_case(number)} >= {JobStatus.DECLINED}
    [job] = runtime.worker.drain_once()  # the printer is stopped: one attempt, the round ends there
    assert job.status is JobStatus.QUEUED and job.reason == "stopped" and "暂不可用" in job.message
    assert stopped.calls == 1 and len(runtime.pending()) == 2
    assert runtime.worker.drain_once() == []  # backing off: no attempt on every poll
    runtime.retry_pending()  # the clerk's Retry: at once, but still stopped — nothing printed twice
    assert [j.status for j in runtime.worker.drain_once()] == [JobStatus.QUEUED] and stopped.calls == 2
    runtime.set_printer(configured_printer(world.ctx.settings)[0])  # the printer is back
    runtime.retry_pending()
    assert [j.status for j in runtime.worker.drain_once()] == [JobStatus.DONE, JobStatus.DONE]
    events = audit(world.ctx)
    assert [(e.action, e.detail["status"]) for e in events if e.action != "print.decline"] == [
        ("print.print", "queued"),
        ("print.retry", "queued"),
        ("print.retry", "done"),
        ("print.print", "done"),
    ]
    assert len([e for e in events if e.action == "print.decline"]) == 2


def test_a_document_the_case_cannot_produce_fails_with_a_clear_message(world):
    clerk = world.login("clerk")
    runtime = world.ctx.printing
    cid, number = decided_case(world.ctx, clerk, APPLICANT)
    # a job for a one-time notice on a case with nothing missing cannot be rendered
    job = runtime.jobs.write_reprint(cid, DocumentKind.ONE_TIME_NOTICE, clerk)
    results = {j.job_id: j for j in runtime.worker.drain_once()}
    bad = results[job.job_id]
    assert bad.status is JobStatus.FAILED and bad.reason == "render" and bad.attempts == 1
    assert "一次性告知书" in bad.message and number in bad.message
    with pytest.raises(ValueError):
        runtime.reprint(clerk, cid, DocumentKind.ONE_TIME_NOTICE)  # the service refuses it up front


def test_a_handover_queues_the_delivery_receipt(world, tmp_path):
    clerk = world.login("clerk")
    runtime = world.ctx.printing
    cid, number = decided_case(world.ctx, clerk, APPLICANT)
    runtime.worker.drain_once()
    to_result_ready(world.ctx, cid)
    delivery = DeliveryService(world.ctx.sessions, world.ctx.cases, world.ctx.persons, world.ctx.auditor)
    delivery.hand_over(clerk, cid, Handover(DeliveryMethod.WINDOW, APPLICANT.document_number))
    [job] = runtime.pending()
    assert job.kind is DocumentKind.DELIVERY_RECEIPT and job.policy == "print"
    [done] = runtime.worker.drain_once()
    assert done.status is JobStatus.DONE
    [receipt] = printed(tmp_path, DocumentKind.DELIVERY_RECEIPT)
    assert number in text_of(receipt)


def test_a_decision_with_the_worker_running_prints_by_itself(tmp_path):
    world = make_world(tmp_path)
    try:
        world.ctx.printing.start()
        clerk = world.login("clerk")
        decided_case(world.ctx, clerk, APPLICANT)  # the commit wakes the worker
        deadline = time.monotonic() + 30
        while not printed(tmp_path, DocumentKind.RECEIPT) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(printed(tmp_path, DocumentKind.RECEIPT)) == 1
    finally:
        world.ctx.close()
    assert not world.ctx.printing.worker.running


def test_kill_9_between_decision_and_printing_still_prints_after_restart(tmp_path):
    """The child decides (its worker not started) and is killed with SIGKILL right after the commit;
    the next start's worker prints the receipt."""
    data = tmp_path / "data"
    seed = make_world(data)
    clerk = seed.login("clerk")
    cid = seed.ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    seed.ctx.cases.set_applicant(clerk, cid, APPLICANT)
    for line in seed.ctx.cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            seed.ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    seed.ctx.close()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.core.crash_child", str(data), "", "kill-after-commit", cid],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    number = proc.stdout.strip()
    assert number and printed(data, DocumentKind.RECEIPT) == []
    settings = seed.ctx.settings
    ctx = build_context(settings, clock=seed.clock, keyring_module=file_keyring(data / "keyring.cfg"))
    try:
        assert ctx.cases.get(clerk, cid).status is CaseStatus.ACCEPTED
        deadline = time.monotonic() + 30
        while not printed(data, DocumentKind.RECEIPT) and time.monotonic() < deadline:
            time.sleep(0.05)
        [receipt] = printed(data, DocumentKind.RECEIPT)
        assert number in text_of(receipt)
        while not audit(ctx) and time.monotonic() < deadline:  # the file lands just before the audit commit
            time.sleep(0.05)
        assert [e.detail["status"] for e in audit(ctx)] == ["done"]
    finally:
        ctx.close()


def test_printer_backend_none_writes_no_jobs(tmp_path):
    world = make_world(tmp_path, printer_backend="none")
    try:
        clerk = world.login("clerk")
        _, number = decided_case(world.ctx, clerk, APPLICANT)
        assert world.ctx.printing.for_case(number) == [] and world.ctx.printing.printer is None
        assert world.ctx.printing.printer_status() == PrinterStatus(False, "none", "")
    finally:
        world.ctx.close()
