"""The real app in a child process, mid-intake, waiting to be killed (tests/ui/test_crash.py).
Usage: python -m tests.ui.intake_app_child DATA_DIR"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.lifecycle import LineStatus
    from clerk_app.persons import PersonData
    from clerk_app.settings import Settings
    from testsupport.ui import ScriptedPrompts, wait_idle
    from ui.app import Translations, create_application
    from ui.main_window import MainWindow

    app = create_application([])
    Translations(app).apply("zh_CN")
    ctx = build_context(
        Settings(demo=True, data_dir=sys.argv[1], customer_window=False)
        if "customer_window" in Settings.__dataclass_fields__
        else Settings(demo=True, data_dir=sys.argv[1])
    )
    seed_demo_users(ctx)
    actor = ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(ctx, actor, Translations(app))
    window.show()
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts(reasons=["复印件不清晰"], due_dates=[dt.date(2026, 12, 30)])
    window.show_page("intake")
    page.ticket.setText("A017")
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    wait_idle(page)  # the page's core calls run off the GUI thread
    page.save_applicant(
        PersonData(
            name="张三丰",
            document_number="11010519491231002X",
            address="湖北省武汉市江岸区胜利街100号",
            phone="13800138000",
        )
    )
    page.answer({"via_agent": True})
    page.answer({"premises": "residential", "uses_name": True})
    wait_idle(page)  # the page's core calls run off the GUI thread
    rows = {page.model.line(r).code: r for r in range(page.model.rowCount())}
    page.table.selectRow(rows["APPLY"])
    page.receive_line()
    page.table.selectRow(rows["APPLY"])
    page.set_line_status(LineStatus.VERIFIED)
    page.table.selectRow(rows["OPERATOR-ID"])
    page.receive_line()
    page.table.selectRow(rows["OPERATOR-ID"])
    page.mark_defective()
    page.table.selectRow(rows["NEIGHBOUR-CONSENT"])
    page.defer_line()
    wait_idle(page)  # the page's core calls run off the GUI thread
    print("READY", page.case_id, flush=True)
    while True:  # mid-intake: the clerk is looking at the screen when the power goes
        app.processEvents()
        time.sleep(0.05)


if __name__ == "__main__":
    main()
