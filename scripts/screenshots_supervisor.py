"""Render the supervisor pages and the idle lock to docs/screenshots/ (audit.png, stats.png,
idle-lock.png): offscreen Qt, zh_CN, a throw-away store with demo cases and generated statistics.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_supervisor.py"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import text  # noqa: E402

from clerk_app.app_context import build_context, file_keyring  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from tests.helpers.supervision import accepted_case  # noqa: E402
from testsupport.stats_data import generate, insert_rows  # noqa: E402
from testsupport.ui import wait_all_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import busy  # noqa: E402


class _World:
    def __init__(self, ctx, clock) -> None:
        self.ctx, self.clock = ctx, clock


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    app = create_application([])
    translations = Translations(app)
    translations.apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ))
    ctx = build_context(
        Settings(data_dir=str(tmp), customer_window=False), clock=clock, keyring_module=file_keyring(tmp / "k.cfg")
    )
    seed_demo_users(ctx)
    world = _World(ctx, clock)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    cids = [accepted_case(world, clerk) for _ in range(3)]
    cases, lines = generate(4000, start=dt.date(2026, 8, 30), days=29, seed=5)
    insert_rows(ctx.engine, cases, lines)
    sup = ctx.users.authenticate("supervisor", "Audit2026")
    ctx.cases.reveal_applicant(sup, cids[0], "核对群众投诉")
    with ctx.engine.begin() as c:  # one tampered event, to show what verification reports
        c.execute(text("UPDATE audit_events SET detail = '{\"item\": \"XX\"}' WHERE seq = 12"))

    window = MainWindow(ctx, sup, translations)
    window.resize(1366, 800)
    window.show()
    wait_all_idle(app)
    audit = window.pages["audit"]
    window.show_page(audit)
    audit.verify_button.click()
    while busy(audit):  # verification, then the trail read again, off the GUI thread (CoreOp)
        app.processEvents()
    wait_all_idle(app)
    window.grab().save(str(out / "audit.png"))

    stats = window.pages["stats"]
    window.show_page(stats)
    stats.refresh()
    while busy(stats):  # read off the GUI thread (CoreOp)
        app.processEvents()
    print("stats page refresh", round(stats.load_seconds * 1000), "ms")
    wait_all_idle(app)
    window.grab().save(str(out / "stats.png"))

    window.show_page("home")
    window.idle_lock.lock("idle")
    window.idle_lock.overlay.password.setText("wrong")
    window.idle_lock.overlay.unlock_button.click()
    wait_all_idle(app)
    window.grab().save(str(out / "idle-lock.png"))
    window.idle_lock.stop()
    ctx.close()
    print("wrote audit.png, stats.png, idle-lock.png")


if __name__ == "__main__":
    main()
