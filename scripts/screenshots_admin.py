"""Render the administrator's page to docs/screenshots/ (admin-catalogue.png, admin-catalogue-refused.png,
admin-users.png, admin-settings.png,
admin-devices.png): offscreen Qt, zh_CN, a throw-away demo store with a second catalogue version.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_admin.py"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from clerk_app.app_context import build_context  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from testsupport.ui import wait_all_idle, wait_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def catalogue_copy(tmp: Path, version: str, name: str) -> Path:
    folder = tmp / name
    shutil.copytree(ROOT / "resources" / "catalogue", folder)
    head = folder / "catalogue.toml"
    head.write_text(re.sub(r'version = "[^"]*"', f'version = "{version}"', head.read_text("utf-8")), "utf-8")
    return folder


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    app = create_application([])
    translations = Translations(app)
    translations.apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    ctx = build_context(Settings(demo=True, data_dir=str(tmp / "data"), customer_window=False))
    seed_demo_users(ctx)
    for _ in range(5):  # one locked account to show
        try:
            ctx.users.authenticate("prereview", "wrong-pass1")
        except Exception:
            pass
    admin = ctx.users.authenticate("admin", "Admin2026")
    window = MainWindow(ctx, admin, translations)
    window.resize(1366, 800)
    window.show()
    wait_all_idle(app)
    window.show_page("admin")
    page = window.pages["admin"]
    panel = page.catalogue
    panel.confirm = lambda title, text: True
    panel.path.setText(str(catalogue_copy(tmp, "2026.12", "catalogue-2026.12")))
    panel.import_path()
    wait_idle(panel)  # the change and the list read after it run off the GUI thread
    panel.activate_selected()
    wait_idle(panel)  # the change and the list read after it run off the GUI thread
    panel.path.setText(str(catalogue_copy(tmp, "2027.01", "catalogue-2027.01")))
    panel.import_path()
    wait_idle(panel)  # the change and the list read after it run off the GUI thread
    wait_all_idle(app)
    window.grab().save(str(out / "admin-catalogue.png"))

    bad = catalogue_copy(tmp, "2027.02", "catalogue-broken")
    item = sorted((bad / "items").glob("*.toml"))[0]
    item.write_text(item.read_text("utf-8").replace("promised_days", "promised_dayz", 1), "utf-8")
    (bad / "items" / "broken.toml").write_text("code = = 1", "utf-8")
    panel.path.setText(str(bad))
    panel.import_path()
    wait_idle(panel)  # the change and the list read after it run off the GUI thread
    wait_all_idle(app)
    window.grab().save(str(out / "admin-catalogue-refused.png"))

    page.tabs.setCurrentWidget(page.users)
    page.users.select("prereview")
    wait_all_idle(app)
    window.grab().save(str(out / "admin-users.png"))
    page.tabs.setCurrentWidget(page.settings)
    page.settings.editors["window_no"].setText("0X!")
    page.settings.save()  # refused: shows the message and marks the row
    wait_all_idle(app)
    window.grab().save(str(out / "admin-settings.png"))
    page.tabs.setCurrentWidget(page.devices)
    page.devices._show_status(ctx.printing.printer_status())
    wait_all_idle(app)
    window.grab().save(str(out / "admin-devices.png"))
    ctx.close()
    print("wrote admin-{catalogue,catalogue-refused,users,settings,devices}.png")


if __name__ == "__main__":
    main()
