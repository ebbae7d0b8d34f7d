"""Render the current screens to docs/screenshots/ (offscreen Qt, demo data). Run:
QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clerk_app.app_context import build_context  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
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
    ctx = build_context(Settings(demo=True, data_dir=tempfile.mkdtemp()))
    seed_demo_users(ctx)
    dialog = LoginDialog(ctx, tr)
    dialog.username.setText("clerk")
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(out / "login.png"))
    actor = ctx.users.authenticate("clerk", "Clerk2026")
    window = MainWindow(ctx, actor, tr)
    window.show()
    app.processEvents()
    window.grab().save(str(out / "main-window.png"))
    print("saved", out / "login.png", out / "main-window.png")


if __name__ == "__main__":
    main()
