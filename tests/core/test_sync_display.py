"""What the workstation shows of the sync (clerk_app/sync_display.py), without Qt: the status line,
its tooltip and colour, the progress line and a manual cycle's summary, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app import i18n, sync_display
from clerk_app.sync.errors import BackOfficeUnavailable
from clerk_app.sync.worker import CycleReport, SyncProgress, SyncState


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("zh_CN")


def test_status_line_tooltip_and_attention(english):
    assert sync_display.status_line(SyncState()) == "Back office: connecting… · 0 to send"
    assert sync_display.status_line(SyncState(problem="no secret")).startswith("Back office: not connected")
    offline = SyncState(online=False, pending=3, failed=1, problem="away")
    assert sync_display.status_line(offline) == "Back office: offline · 3 to send · 1 failed"
    tip = sync_display.status_tooltip(offline, "Ctrl+Shift+S")
    assert tip.splitlines() == [
        "Last successful exchange: —",
        "Problem: away",
        "1 entries were refused by the back office; fix the cause, then Sync ▸ Retry failed entries.",
        "Sync now: Ctrl+Shift+S",
    ]
    when = dt.datetime(2026, 11, 23, 2, 5, tzinfo=dt.UTC)  # 10:05 in Beijing
    online = SyncState(online=True, last_success=when, catalogue_problem="bad calendar")
    assert sync_display.status_line(online) == "Back office: online · 0 to send · last sync 10:05"
    assert "2026-11-23 10:05:00" in sync_display.status_tooltip(online, "F5")
    assert "Refused update: bad calendar" in sync_display.status_tooltip(online, "F5")
    assert sync_display.needs_attention(offline) and not sync_display.needs_attention(online)
    assert not sync_display.needs_attention(SyncState())


def test_status_line_in_chinese():
    state = SyncState(online=True, pending=2, failed=1)
    assert sync_display.status_line(state) == "后台：在线 · 待上传 2 · 失败 1"


def test_progress_and_cycle_summary(english):
    progress = SyncProgress("0123456789abcdef", 2, 3, 1_490_000, 3_120_000)
    assert sync_display.progress_line(progress) == "Case 01234567: file 2 of 3, 1455 of 3046 KB"
    done = CycleReport(contacted=True, sent=3, statuses_applied=2, installed=["calendar 2027.1"], refused=["cat 9"])
    assert sync_display.cycle_summary(done).splitlines() == [
        "Done.",
        "Sent: 3 · refused: 0 · status changes: 2",
        "Installed: calendar 2027.1",
        "Refused: cat 9",
    ]
    stopped = CycleReport(sent=1, cancelled=True)
    assert sync_display.cycle_summary(stopped).startswith("Stopped. Sent: 1;")
    failed = CycleReport(upload_error=BackOfficeUnavailable(problem="ConnectError"))
    assert sync_display.cycle_summary(failed).startswith("Not finished: ")
    assert sync_display.sending_line(4) == "Sending 4 waiting entries and fetching status changes…"
