"""Render the owed-materials worklist (补齐材料, F11) and the supplement dialog to docs/screenshots/
(owed-materials.png, supplement-dialog.png): offscreen Qt, zh_CN, a throw-away demo store with 容缺
cases due today, overdue and not yet due, and one the department asked more material for (补正).
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_supplements.py"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw  # noqa: E402

from clerk_app.app_context import build_context, file_keyring  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus  # noqa: E402
from clerk_app.roles import system_actor  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from tests.helpers.case_factory import ITEM, decided_case, person  # noqa: E402
from testsupport.ui import wait_all_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def page_png() -> bytes:
    image = Image.new("L", (620, 877), 250)
    draw = ImageDraw.Draw(image)
    for y in range(90, 800, 28):
        draw.line((60, y, 560, y), fill=120, width=3)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def deficient(ctx, clerk, name: str, seq: int, due: dt.date) -> str:
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented"})
    ctx.cases.set_applicant(clerk, cid, person(name, seq))
    for line in ctx.cases.get(clerk, cid).lines:
        if line.code != "PREMISES" and line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    ctx.cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFERRED, due_date=due)
    ctx.cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=due)
    ctx.cases.apply_server_status(system_actor(ctx.settings.station_code), cid, CaseStatus.SYNCED)
    return cid


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    app = create_application([])
    translations = Translations(app)
    translations.apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 9, 21, 9, 30, tzinfo=CHINA_TZ))
    settings = Settings(demo=True, data_dir=str(tmp), printer_backend="none")
    ctx = build_context(settings, clock=clock, keyring_module=file_keyring(tmp / "k.cfg"))
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    supervisor = ctx.users.authenticate("supervisor", "Audit2026")
    system = system_actor(ctx.settings.station_code)
    today = clock.now().date()
    late = deficient(ctx, clerk, "张三丰", 1, today + dt.timedelta(days=1))
    due_today = deficient(ctx, clerk, "李四", 2, today + dt.timedelta(days=3))
    deficient(ctx, clerk, "王晓红", 3, today + dt.timedelta(days=12))
    asked, _number = decided_case(ctx, clerk, person("赵德明", 4))
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL):
        ctx.cases.apply_server_status(system, asked, status)
    clock.advance(days=3)
    ctx.cases.apply_server_status(system, late, CaseStatus.IN_APPROVAL)
    ctx.cases.record_material_request(
        system,
        asked,
        41,
        "经营场所证明材料缺失，请申请人补正",
        [("租赁合同复印件（加盖出租方公章）", None), ("经营场所照片", "门头及内部各一张")],
    )
    ctx.cases.claim(supervisor, due_today)

    window = MainWindow(ctx, clerk, translations)
    window.resize(1366, 800)
    window.show()
    page = window.pages["owed"]
    window.show_page(page)
    wait_all_idle(app)
    window.grab().save(str(out / "owed-materials.png"))

    page.open_case(asked)
    dialog = page.dialog
    wait_all_idle(app)  # claimed off the GUI thread
    ctx.pages.add(clerk, asked, dialog.state.owed[0][0], page_png(), "image/png")
    dialog.desk.touch()
    dialog.tick(dialog.state.owed[0][0])
    wait_all_idle(app)
    dialog.scanning.refresh()
    wait_all_idle(app)
    dialog.grab().save(str(out / "supplement-dialog.png"))
    dialog.reject()
    wait_all_idle(app)  # the claim given back, the list read again
    window.close()
    ctx.close()
    print("wrote owed-materials.png supplement-dialog.png")


if __name__ == "__main__":
    main()
