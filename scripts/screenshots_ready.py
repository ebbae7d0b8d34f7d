"""Render the 待领取 list (Shift+F4), the 出件 page with the department's result document, and a case
another window is handing out (read-only, with the holder) to docs/screenshots/ (results-ready.png,
delivery-result-document.png, delivery-claimed.png): offscreen Qt, zh_CN, a throw-away demo store.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_ready.py"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from clerk_app.app_context import build_context, file_keyring  # noqa: E402
from clerk_app.cases import CaseService  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.result_documents import RESULT_KEY  # noqa: E402
from clerk_app.roles import Role  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from clerk_app.sync import state as sync_state  # noqa: E402
from tests.helpers.case_factory import decided_case, person, to_result_ready  # noqa: E402
from testsupport.ui import wait_all_idle, wait_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def result_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "result document")
    c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    app = create_application([])
    translations = Translations(app)
    translations.apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 10, 12, 9, 30, tzinfo=CHINA_TZ))
    settings = Settings(demo=True, data_dir=str(tmp), printer_backend="none", customer_window=False)
    ctx = build_context(settings, clock=clock, keyring_module=file_keyring(tmp / "k.cfg"))
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    admin = ctx.users.authenticate("admin", "Admin2026")
    ctx.users.create_user(admin, "clerk2", "Clerk2026x", Role.CLERK, "赵敏", "0102")
    zhao = ctx.users.authenticate("clerk2", "Clerk2026x")
    cases = []
    for name, seq in (("张三丰", 1), ("李四", 2), ("王晓红", 3), ("赵德明", 4)):
        cid, _number = decided_case(ctx, clerk, person(name, seq))
        clock.advance(minutes=37)
        to_result_ready(ctx, cid)
        cases.append(cid)
    pdf = result_pdf()
    for cid in cases[:3]:
        stored = ctx.pages.store.put(pdf, "application/pdf")
        with ctx.sessions.begin() as s:
            ref = {"id": 1, "sha256": stored.sha256, "size": len(pdf), "filename": "准予个体工商户登记通知书.pdf"}
            sync_state.set_value(s, RESULT_KEY + cid, json.dumps(ref))
    wh02 = CaseService(
        ctx.sessions,
        ctx.clock,
        ctx.catalogue.active,
        ctx.auditor,
        ctx.calendar,
        ctx.persons,
        "WH02",
        "02",
        catalogue_version=ctx.catalogue.version_of,
    )
    clock.advance(minutes=20)
    wh02.claim(zhao, cases[1])

    window = MainWindow(ctx, clerk, translations)
    window.resize(1366, 800)
    window.show()
    ready = window.pages["ready"]
    window.show_page(ready)
    wait_all_idle(app)
    window.grab().save(str(out / "results-ready.png"))

    delivery = window.pages["delivery"]
    delivery.open_case_number(ctx.cases.get(clerk, cases[0]).case_number or "")
    window.show_page(delivery)
    wait_idle(delivery)  # the delivery page looks the case up off the GUI thread
    wait_all_idle(app)
    window.grab().save(str(out / "delivery-result-document.png"))

    delivery.open_case_number(ctx.cases.get(clerk, cases[1]).case_number or "")
    wait_idle(delivery)
    wait_all_idle(app)
    window.grab().save(str(out / "delivery-claimed.png"))
    window.close()
    ctx.close()
    print("wrote results-ready.png delivery-result-document.png delivery-claimed.png")


if __name__ == "__main__":
    main()
