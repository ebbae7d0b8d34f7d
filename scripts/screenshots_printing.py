"""Render the in-app print preview (a receipt of a freshly accepted sample case) to
docs/screenshots/print-preview.png (offscreen Qt, zh_CN, a throw-away store). Run:
QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_printing.py"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clerk_app.app_context import build_context, file_keyring  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.lifecycle import Decision, LineStatus  # noqa: E402
from clerk_app.persons import PersonData  # noqa: E402
from clerk_app.print_desk import kind_label  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from printing.documents import build_pdf  # noqa: E402
from printing.from_case import document_context  # noqa: E402
from printing.model import DocumentKind  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.printing_ui import PreviewDialog  # noqa: E402

APPLICANT = PersonData(
    name="张三丰",
    document_number="11010519491231002X",
    address="湖北省武汉市江岸区胜利街100号",
    phone="13800138000",
    verified_by="chip",
)


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    Translations(app).apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 9, 28, 9, 30, tzinfo=CHINA_TZ))
    ctx = build_context(
        Settings(
            data_dir=str(tmp),
            hall_name="江城市江岸区政务服务中心",
            hall_address="江城市江岸区沿江大道188号一楼综合窗口",
            hall_phone="027-12345678",
        ),
        clock=clock,
        keyring_module=file_keyring(tmp / "k.cfg"),
    )
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    cases = ctx.cases
    cid = cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented", "via_agent": False})
    cases.set_applicant(clerk, cid, APPLICANT)
    for line in cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    cases.decide(cid, Decision.ACCEPT, clerk)
    view = cases.get(clerk, cid)
    item = ctx.catalogue.active().items[view.item_code]
    doc = document_context(
        DocumentKind.RECEIPT,
        view,
        item,
        ctx.settings,
        clerk_staff_no=clerk.staff_no,
        now=clock.now(),
        applicant_name=APPLICANT.name,
    )
    dialog = PreviewDialog(build_pdf(doc), f"{kind_label(doc.kind.value)} — {doc.case_number}", on_print=lambda: None)
    dialog.resize(900, 1000)
    dialog.show()
    for _ in range(5):
        app.processEvents()
    target = out / "print-preview.png"
    dialog.grab().save(str(target))
    print("saved", target)
    ctx.close()


if __name__ == "__main__":
    main()
