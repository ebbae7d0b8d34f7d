"""Kill the running app (SIGKILL) mid-intake, start it again, and find the draft intact."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from clerk_app.app_context import build_context
from clerk_app.lifecycle import CaseStatus, LineStatus
from clerk_app.settings import Settings
from testsupport.ui import open_window, settle

ROOT = Path(__file__).resolve().parents[2]


def test_draft_survives_sigkill_of_the_app(qtbot, tmp_path, translations):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.intake_app_child", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = child.stdout.readline()
        assert line.startswith("READY"), child.stderr.read()
        case_id = line.split()[1]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    ctx = build_context(Settings(demo=True, data_dir=str(tmp_path)))  # the app starting again
    try:
        window = open_window(qtbot, ctx, translations, "clerk")
        home = window.pages["home"]
        home.refresh()
        settle(qtbot, home)  # the queue is read off the GUI thread
        ids = [home.queue.item(i).data(Qt.ItemDataRole.UserRole) for i in range(home.queue.count())]
        assert case_id in ids
        window.open_case(case_id)
        page = window.pages["intake"]
        settle(qtbot, page)  # the case is read off the GUI thread
        assert page.case_id == case_id
        view = ctx.cases.get(window.actor, case_id)
        assert view.status is CaseStatus.DRAFT
        assert view.answers == {
            "via_agent": True,
            "premises": "residential",
            "uses_name": True,
            "family_run": False,
            "applicant_type": "person",
        }
        lines = {line.code: line for line in view.lines}
        assert list(lines) == [
            "APPLY",
            "OPERATOR-ID",
            "PREMISES",
            "NEIGHBOUR-CONSENT",
            "NAME-DECL",
            "AGENT-POA",
            "AGENT-ID",
        ]
        assert (lines["APPLY"].status, lines["APPLY"].originals_received) == (LineStatus.VERIFIED, 1)
        assert lines["OPERATOR-ID"].status is LineStatus.DEFECTIVE and lines["OPERATOR-ID"].reason == "复印件不清晰"
        assert (lines["OPERATOR-ID"].originals_received, lines["OPERATOR-ID"].copies_received) == (1, 1)
        assert lines["NEIGHBOUR-CONSENT"].status is LineStatus.DEFERRED
        assert lines["NEIGHBOUR-CONSENT"].due_date == dt.date(2026, 12, 30)
        assert all(lines[c].status is LineStatus.PENDING for c in ("PREMISES", "NAME-DECL", "AGENT-POA"))
        assert view.applicant.name == "张**" and view.applicant.document_number == "1101**********002X"
        full = ctx.cases.reveal_applicant(window.actor, case_id, "崩溃恢复核对")
        assert (full.name, full.address, full.phone) == ("张三丰", "湖北省武汉市江岸区胜利街100号", "13800138000")
        # and what the page shows after the restart matches the store
        assert page.model.rowCount() == 7 and page.applicant.number.text() == "1101**********002X"
        assert page.questions.widget("via_agent").isChecked()
        assert ctx.auditor.verify() is None
    finally:
        ctx.close()
