"""Render the intake page right after a feeder batch was scanned into the focused checklist line
(offscreen Qt, demo data, the simulated scanner) to docs/screenshots/intake-scanned.png. Run:
QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_scanning.py"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clerk_app.app_context import build_context  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.persons import PersonData  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from testsupport.ui import ScriptedPrompts, wait_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    from PySide6.QtWidgets import QApplication

    out = ROOT / "docs" / "screenshots"
    app = create_application([])
    tr = Translations(app)
    tr.apply("zh_CN")
    ctx = build_context(Settings(demo=True, data_dir=tempfile.mkdtemp(), customer_window=False))
    seed_demo_users(ctx)
    actor = ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(ctx, actor, tr)
    window.resize(1400, 900)
    window.show()
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    window.show_page("intake")
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    wait_idle(page)
    page.save_applicant(PersonData(name="张三丰", document_number="11010519491231002X", phone="13800138000"))
    wait_idle(page)
    page.table.selectRow(1)
    wait_idle(page)  # the panel reads the line's pages off the GUI thread
    panel = page.scanning
    deadline = time.monotonic() + 10
    while panel.scanner is None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    from devices.scanners.base import ScanSource

    panel.source.setCurrentIndex(panel.source.findData(ScanSource.ADF))  # the demo feeder holds 5 sheets
    done: list[object] = []
    panel.scan_finished.connect(done.append)
    panel.start_scan()
    deadline = time.monotonic() + 60
    while not done and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        QApplication.processEvents()
    window.grab().save(str(out / "intake-scanned.png"))
    print("saved", out / "intake-scanned.png", done)
    ctx.close()


if __name__ == "__main__":
    main()
