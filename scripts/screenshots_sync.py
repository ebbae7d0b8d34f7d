"""Render the sync parts of the workstation (zh_CN, offscreen Qt, a throw-away store) to
docs/screenshots/sync-*.png: the status bar (offline, with entries to send and one refused), the
"sync now" dialog while it sends and when it is done, the case view with local and back-office status.
The worker is built (backoffice_url set) but not started; the states shown are fed to the UI as the
worker would report them. Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_sync.py"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clerk_app import sync_display  # noqa: E402
from clerk_app.app_context import build_context  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus  # noqa: E402
from clerk_app.persons import PersonData  # noqa: E402
from clerk_app.roles import system_actor  # noqa: E402
from clerk_app.search import CaseSearch  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from clerk_app.sync.errors import BackOfficeUnavailable  # noqa: E402
from clerk_app.sync.worker import CycleReport, SyncProgress, SyncState  # noqa: E402
from testsupport.ui import wait_all_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.search.case_view import CaseViewDialog  # noqa: E402
from ui.sync_ui import SyncNowDialog  # noqa: E402

APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
)


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    app = create_application([])
    translations = Translations(app)
    translations.apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ))
    settings = Settings(
        demo=True,
        data_dir=str(tmp),
        hall_name="江城市江岸区政务服务中心",
        backoffice_url="http://127.0.0.1:9",
        customer_window=False,
        card_backend="none",
        scanner_backend="none",
        printer_backend="none",
    )
    ctx = build_context(settings, clock=clock, start_sync=False)
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    cid = ctx.cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented", "via_agent": False})
    ctx.cases.set_applicant(clerk, cid, APPLICANT)
    for line in ctx.cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    ctx.cases.decide(cid, Decision.ACCEPT, clerk)

    window = MainWindow(ctx, clerk, translations)
    window.resize(1366, 800)
    window.show()
    wait_all_idle(app)
    last = dt.datetime(2026, 9, 28, 9, 12, tzinfo=CHINA_TZ)
    problem = BackOfficeUnavailable(problem="ConnectError").user_message()
    window.sync_ui.show_state(SyncState(online=False, pending=3, failed=1, last_success=last, problem=problem))
    wait_all_idle(app)
    bar = window.statusBar()
    bar.grab().save(str(out / "sync-status-bar.png"))

    dialog = SyncNowDialog(ctx.sync, window)
    dialog.show()
    dialog.text.setText(sync_display.sending_line(3))
    dialog.running = True
    dialog.show_progress(SyncProgress(cid, 2, 3, 1_490_000, 3_120_000))
    wait_all_idle(app)
    dialog.grab().save(str(out / "sync-now-progress.png"))
    report = CycleReport(contacted=True, sent=3, failed=0, statuses_applied=2, installed=["calendar 2027.1"])
    dialog._done(report)
    wait_all_idle(app)
    dialog.grab().save(str(out / "sync-now-done.png"))
    dialog.close()

    system = system_actor(settings.station_code)
    ctx.cases.apply_server_status(system, cid, CaseStatus.SYNCED)
    ctx.cases.apply_server_status(system, cid, CaseStatus.IN_APPROVAL)
    view = CaseViewDialog(ctx.cases, CaseSearch(ctx.sessions, ctx.persons, ctx.auditor), clerk, cid)
    view.show()
    wait_all_idle(app)
    view.grab().save(str(out / "sync-case-view.png"))
    view.close()
    window.close()
    ctx.close()
    for name in ("sync-status-bar", "sync-now-progress", "sync-now-done", "sync-case-view"):
        print(out / f"{name}.png")


if __name__ == "__main__":
    main()
