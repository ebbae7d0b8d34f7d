"""Sync in the main window (ui/sync_ui.py): the status label follows the worker's callbacks (made on
another thread, delivered through a queued signal); "Sync now" (Ctrl+Shift+S) runs a cycle off the GUI
thread in a dialog that reports and closes; "Retry failed entries" requeues refused entries; the case
view shows the local and the back-office status side by side. No back office listens here."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from clerk_app.app_context import build_context
from clerk_app.demo import seed_demo_users
from clerk_app.settings import Settings
from clerk_app.sync.worker import SyncProgress, SyncState
from testsupport.postgres import free_port
from testsupport.ui import open_window


@pytest.fixture
def sync_ctx(tmp_path):
    settings = Settings(
        demo=True,
        data_dir=str(tmp_path),
        backoffice_url=f"http://127.0.0.1:{free_port()}",
        customer_window=False,
        card_backend="none",
        scanner_backend="none",
        printer_backend="none",
        language="en",
    )
    ctx = build_context(settings, start_sync=False)  # the test drives the callbacks and cycles itself
    seed_demo_users(ctx)
    yield ctx
    ctx.close()


class _NoTranslations:
    def apply(self, language: str) -> None:
        pass


def _from_worker_thread(fn, *args) -> None:
    t = threading.Thread(target=fn, args=args)
    t.start()
    t.join()


def test_status_label_follows_worker_callbacks(qtbot, sync_ctx):
    window = open_window(qtbot, sync_ctx, _NoTranslations(), "clerk")
    label = window.sync_label
    assert label.text() == "Back office: connecting… · 0 to send"
    runtime = sync_ctx.sync
    problem = "The back office cannot be reached; retrying automatically (ConnectError)"
    _from_worker_thread(runtime._state, SyncState(online=False, pending=3, failed=1, problem=problem))
    qtbot.waitUntil(lambda: label.text() == "Back office: offline · 3 to send · 1 failed")
    assert problem in label.toolTip() and "Ctrl+Shift+S" in label.toolTip()
    when = dt.datetime(2026, 11, 23, 2, 5, tzinfo=dt.UTC)  # 10:05 in Beijing
    _from_worker_thread(
        runtime._state,
        SyncState(online=True, pending=0, last_success=when, catalogue_problem="Holiday file is invalid: …"),
    )
    qtbot.waitUntil(lambda: label.text() == "Back office: online · 0 to send · last sync 10:05")
    assert "2026-11-23 10:05:00" in label.toolTip() and "Holiday file is invalid" in label.toolTip()
    window.close()


def test_sync_now_dialog_runs_a_cycle_and_closes(qtbot, sync_ctx):
    window = open_window(qtbot, sync_ctx, _NoTranslations(), "clerk")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.sync_ui.dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.finished_cycle, timeout=15000) as result:
        pass
    report = result.args[0]
    assert report.upload_error is not None or report.pull_error is not None  # nobody listens: not finished
    assert dialog.text.text().startswith("Not finished")
    # The worker published its state at the end of the cycle; the label says what happened.
    # No station secret in the keyring: the worker stops before the network and says why.
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("Back office: not connected"))
    assert "not authorised" in window.sync_label.toolTip()
    # Progress reports of another thread reach the dialog only while it runs (ignored afterwards).
    _from_worker_thread(window.sync_ui.on_progress, SyncProgress("abcdef12-x", 1, 2, 1024, 4096))
    qtbot.wait(50)
    assert dialog.detail.text() == ""
    dialog.close_button.click()
    assert not dialog.isVisible()
    window.close()


def _decided_case(ctx) -> tuple[object, str]:
    from clerk_app.demo import DEMO_USERS
    from clerk_app.lifecycle import Decision
    from tests.helpers.case_factory import ITEM, person

    clerk = ctx.users.authenticate("clerk", next(p for u, p, *_ in DEMO_USERS if u == "clerk"))
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    ctx.cases.set_applicant(clerk, cid, person("张三", 1))
    for line in ctx.cases.get(clerk, cid).lines:
        ctx.cases.update_line(
            clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
        )
    ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    return clerk, cid


def test_retry_failed_requeues_refused_entries(qtbot, sync_ctx):
    from sqlalchemy import update

    from clerk_app.store.models import OutboxEntry

    _clerk, cid = _decided_case(sync_ctx)
    with sync_ctx.sessions.begin() as s:  # as if the back office had refused it (409, a bug fixed since)
        s.execute(update(OutboxEntry).where(OutboxEntry.case_id == cid).values(state="failed"))
    window = open_window(qtbot, sync_ctx, _NoTranslations(), "clerk")
    assert sync_ctx.sync.worker.counts() == (0, 1)
    window.sync_ui.retry_action.trigger()
    qtbot.waitUntil(lambda: "1 refused entries queued again" in window.statusBar().currentMessage())
    assert sync_ctx.sync.worker.counts() == (1, 0)
    window.close()


def test_case_view_shows_local_and_back_office_status(qtbot, sync_ctx):
    from clerk_app.lifecycle import CaseStatus
    from clerk_app.roles import system_actor
    from clerk_app.search import CaseSearch
    from ui.operations import busy
    from ui.search.case_view import CaseViewDialog

    ctx = sync_ctx
    clerk, cid = _decided_case(ctx)

    def status_row(dialog: CaseViewDialog) -> str:
        for row in range(dialog.form.rowCount()):
            label = dialog.form.itemAt(row, dialog.form.ItemRole.LabelRole).widget()
            if isinstance(label, QLabel) and label.text() == "Status":
                return dialog.form.itemAt(row, dialog.form.ItemRole.FieldRole).widget().text()
        raise AssertionError("no status row")

    search = CaseSearch(ctx.sessions, ctx.persons, ctx.auditor)
    dialog = CaseViewDialog(ctx.cases, search, clerk, cid)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not busy(dialog))  # the case is read off the GUI thread
    assert status_row(dialog) == "Accepted  ·  back office: not reported yet"
    ctx.cases.apply_server_status(system_actor(ctx.settings.station_code), cid, CaseStatus.SYNCED)
    ctx.cases.apply_server_status(system_actor(ctx.settings.station_code), cid, CaseStatus.IN_APPROVAL)
    dialog.load()
    qtbot.waitUntil(lambda: not busy(dialog))
    assert status_row(dialog) == "In approval  ·  back office: In approval"


def test_the_sync_parts_run_no_sql_on_the_gui_thread(qtbot, sync_ctx):
    """Issue 13: the status line's first read, Sync now (a whole cycle) and Retry failed reach the store
    off the GUI thread, walked from the login dialog."""
    from testsupport.gui_io import describe, gui_thread_queries
    from testsupport.ui import settle_all

    with gui_thread_queries(sync_ctx.engine) as hits:
        window = open_window(qtbot, sync_ctx, _NoTranslations(), "clerk")
        settle_all(qtbot)
        with qtbot.waitSignal(window.sync_ui.sync_now().finished_cycle, timeout=15000):
            pass
        window.sync_ui.retry_action.trigger()
        qtbot.waitUntil(lambda: "refused entries queued again" in window.statusBar().currentMessage())
        window.sync_ui.dialog.close_button.click()
    assert not hits, describe(hits)
    window.close()
