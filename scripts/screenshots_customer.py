"""Render the customer window's states to docs/screenshots/customer-*.png (offscreen Qt, zh_CN,
a throw-away store with a sample case). Run:
QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_customer.py"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from clerk_app.app_context import build_context, file_keyring  # noqa: E402
from clerk_app.attachments import AttachmentStore  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.customer import Rating  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.lifecycle import Decision, LineStatus  # noqa: E402
from clerk_app.pages import PageService  # noqa: E402
from clerk_app.persons import PersonData  # noqa: E402
from clerk_app.security.crypto import FieldCipher  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from testsupport.ui import wait_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.current_case import CurrentCase  # noqa: E402
from ui.customer.window import CustomerWindow  # noqa: E402

SIZE = (1280, 800)
APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
    passive_auth="verified",
)


def page_image(lines: int) -> bytes:
    image = Image.new("L", (827, 1169), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 747, 160), fill=60)
    for i in range(lines):
        draw.rectangle((80, 220 + i * 60, 747 - (i % 3) * 120, 240 + i * 60), fill=150)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    Translations(app).apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ))
    ctx = build_context(Settings(data_dir=str(tmp)), clock=clock, keyring_module=file_keyring(tmp / "k.cfg"))
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    pages = PageService(
        ctx.sessions, clock, ctx.auditor, AttachmentStore(tmp / "attachments", FieldCipher(ctx.keys, "attachments"))
    )
    current = CurrentCase()
    window = CustomerWindow(ctx, clerk, current, pages=pages, rating_timeout_ms=60_000)
    window.resize(*SIZE)
    window.show()

    def shot(name: str) -> None:
        wait_idle(window)  # the case read, a confirmation or rating stored, off the GUI thread
        for _ in range(3):
            app.processEvents()
        window.grab().save(str(out / f"customer-{name}.png"))
        print("saved", out / f"customer-{name}.png")

    window.show_serving("A023")
    shot("idle")

    cases = ctx.cases
    cid = cases.start_case(
        clerk, "SC-GTGSH-SL", {"premises": "rented", "via_agent": False, "uses_name": True}, ticket_no="A023"
    )
    cases.set_applicant(clerk, cid, APPLICANT)
    current.open(cid)
    cases.update_line(clerk, cid, "APPLY", originals_received=1)
    pages.add(clerk, cid, "APPLY", page_image(8), "image/png", width=827, height=1169)
    pages.add(clerk, cid, "APPLY", page_image(5), "image/png", width=827, height=1169)
    cases.update_line(clerk, cid, "OPERATOR-ID", originals_received=1, copies_received=1)
    cases.update_line(clerk, cid, "OPERATOR-ID", status=LineStatus.VERIFIED)
    pages.add(clerk, cid, "OPERATOR-ID", page_image(3), "image/png", width=827, height=1169)
    cases.update_line(clerk, cid, "PREMISES", status=LineStatus.DEFECTIVE, reason="租赁合同未加盖出租方印章")
    current.touch()
    shot("checklist")
    window.confirm()
    shot("checklist-confirmed")
    # Ctrl+B at the desk: the 样表 over the checklist while the clerk explains it
    from PySide6.QtGui import QImage

    from clerk_app.catalogue.loader import form_file
    from ui.printing_ui import PreviewDialog

    sample = form_file(ctx.catalogue.active().source, "samples/个体工商户登记申请书-样表.pdf")
    assert sample is not None
    [first, *_] = PreviewDialog._render_pages(sample.read_bytes(), 110.0)
    window.show_sample("样表：个体工商户登记（备案）申请书", QImage(first))
    shot("sample")
    window.hide_sample()
    # 适老化: the same checklist in large type and high contrast (settings.customer_large_type)
    from clerk_app.customer_screen import large_type
    from ui.customer.window import STYLE

    window.setStyleSheet(large_type(STYLE))
    shot("checklist-large-type")
    window.setStyleSheet(STYLE)

    cases.decide(cid, Decision.RETURN_WITH_NOTICE, clerk)
    current.decide(Decision.RETURN_WITH_NOTICE.value)
    shot("notice")
    window.start_rating()
    shot("rating")
    window.choose_rating(Rating.DISSATISFIED)
    window.reason_buttons["wait_long"].setChecked(True)
    shot("rating-low")
    window.submit_low_rating()
    shot("thanks")
    ctx.close()


if __name__ == "__main__":
    main()
