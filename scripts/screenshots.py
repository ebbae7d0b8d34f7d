"""Render the current screens to docs/screenshots/ (offscreen Qt, demo data). Run:
QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clerk_app.app_context import build_context  # noqa: E402
from clerk_app.demo import seed_demo_cases, seed_demo_users  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.login import LoginDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    tr = Translations(app)
    tr.apply("zh_CN")
    settings = Settings(demo=True, data_dir=tempfile.mkdtemp())
    if "customer_window" in Settings.__dataclass_fields__:  # the applicant's screen has its own shots
        settings = dataclasses.replace(settings, customer_window=False)
    ctx = build_context(settings)
    seed_demo_users(ctx)
    seed_demo_cases(ctx)  # the home queue shows the hall's drafts
    dialog = LoginDialog(ctx, tr)
    dialog.username.setText("clerk")
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(out / "login.png"))
    actor = ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(ctx, actor, tr)
    window.show()
    from testsupport.ui import wait_idle

    wait_idle(window.pages["home"])  # the queue is read off the GUI thread
    app.processEvents()
    window.grab().save(str(out / "main-window.png"))
    intake_screens(app, window, out)
    print("saved screenshots in", out)


def intake_screens(app, window, out: Path) -> None:
    from clerk_app.lifecycle import LineStatus
    from clerk_app.persons import PersonData
    from testsupport.ui import ScriptedPrompts, wait_idle
    from ui.intake.prompts import document_view, question

    page = window.pages["intake"]
    page.prompts = ScriptedPrompts(reasons=["未签字或未盖章"])
    window.show_page("intake")
    wait_idle(page)  # the item index is read off the GUI thread
    page.picker.query.setText("xk")
    app.processEvents()
    window.grab().save(str(out / "intake-item-picker.png"))
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
    page.answer({"via_agent": True, "premises": "residential"})
    wait_idle(page)
    page.table.selectRow(0)
    page.receive_line()
    page.table.selectRow(0)
    page.set_line_status(LineStatus.VERIFIED)
    page.table.selectRow(1)
    page.receive_line()
    page.table.selectRow(1)
    page.mark_defective()
    wait_idle(page)
    page.table.selectRow(2)
    app.processEvents()
    window.grab().save(str(out / "intake-checklist.png"))
    notice = window.ctx.cases.one_time_notice(page.case_id).text()
    dialog = question(window, "一次性告知", document_view(notice))
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(out / "intake-notice-preview.png"))
    dialog.close()
    decided_screen(app, window, out)


def decided_screen(app, window, out: Path) -> None:
    """After Ctrl+1: the outcome on the page (no second dialog), every step ticked."""
    from clerk_app.lifecycle import Decision, LineStatus
    from clerk_app.persons import PersonData
    from testsupport.ui import wait_idle

    page = window.pages["intake"]
    page.new_intake()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    wait_idle(page)
    page.save_applicant(
        PersonData(name="李梅", document_number="11010519491231002X", address="湖北省武汉市江岸区胜利街100号")
    )
    wait_idle(page)
    for row in range(page.model.rowCount()):
        if page.model.line(row).status is LineStatus.PENDING:
            page.table.selectRow(row)
            page.receive_line()
    page.decide(Decision.ACCEPT)
    wait_idle(page)
    app.processEvents()
    window.grab().save(str(out / "intake-decided.png"))


if __name__ == "__main__":
    main()
