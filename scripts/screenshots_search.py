"""Render the case search page, the case view and the result-delivery page to docs/screenshots/
(search.png, case-view.png, delivery.png): offscreen Qt, zh_CN, a throw-away store with sample cases.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_search.py"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from clerk_app.app_context import build_context, file_keyring  # noqa: E402
from clerk_app.case_numbers import case_lookup_string  # noqa: E402
from clerk_app.clock import CHINA_TZ, FixedClock  # noqa: E402
from clerk_app.demo import seed_demo_users  # noqa: E402
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus  # noqa: E402
from clerk_app.settings import Settings  # noqa: E402
from clerk_app.store.models import PrintJob  # noqa: E402
from tests.helpers.case_factory import decided_case, person, resident_id, to_result_ready  # noqa: E402
from testsupport.ui import wait_all_idle, wait_idle  # noqa: E402
from ui.app import Translations, create_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import busy  # noqa: E402

NAMES = ("张三丰", "李四", "王晓红", "赵德明", "钱玉兰", "孙志强", "周海燕", "吴建华", "郑欣怡", "冯子涵")


def main() -> None:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    translations = Translations(app)
    translations.apply("zh_CN")
    tmp = Path(tempfile.mkdtemp())
    clock = FixedClock(dt.datetime(2026, 9, 21, 9, 30, tzinfo=CHINA_TZ))
    ctx = build_context(Settings(data_dir=str(tmp)), clock=clock, keyring_module=file_keyring(tmp / "k.cfg"))
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    made = []
    for i, name in enumerate(NAMES):
        agent = person("刘洋", 90) if i in (1, 6) else None
        made.append(decided_case(ctx, clerk, person(name, i + 1), agent=agent))
        clock.advance(hours=7 if i % 2 else 17)
    # the returned case of someone who came back: a notice, then acceptance
    rid = ctx.cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented"})
    ctx.cases.set_applicant(clerk, rid, person("李四", 2))
    ctx.cases.update_line(clerk, rid, "PREMISES", status=LineStatus.DEFECTIVE, reason="租赁合同未签字")
    ctx.cases.decide(rid, Decision.RETURN_WITH_NOTICE, clerk)
    for cid, _ in made[:6]:
        to_result_ready(ctx, cid)
    for cid, _ in made[:3]:
        ctx.cases.deliver(clerk, cid, "window")
    now = clock.now()
    with ctx.sessions.begin() as s:
        for cid, _ in made[:6]:
            s.add(
                PrintJob(
                    case_id=cid,
                    document_kind="receipt",
                    printer="窗口03-热敏",
                    pdf_sha256="0" * 64,
                    status="done",
                    attempts=1,
                    is_reprint=False,
                    created_at=now,
                    updated_at=now,
                )
            )
        s.add(
            PrintJob(
                case_id=made[1][0],
                document_kind="receipt",
                printer="窗口03-A4",
                pdf_sha256="1" * 64,
                status="done",
                attempts=1,
                is_reprint=True,
                created_at=now,
                updated_at=now,
            )
        )
        s.add(
            PrintJob(
                case_id=made[1][0],
                document_kind="delivery_receipt",
                printer="窗口03-A4",
                pdf_sha256="2" * 64,
                status="queued",
                attempts=0,
                is_reprint=False,
                created_at=now,
                updated_at=now,
            )
        )

    window = MainWindow(ctx, clerk, translations)
    window.resize(1366, 800)
    window.show()
    # search: everyone who has a case where 刘洋 (ID typed) is applicant or agent, then all of the item
    search = window.pages["search"]
    window.show_page(search)
    search.item.setCurrentIndex(search.item.findData("SC-GTGSH-SL"))
    search.run_search()
    while busy(search):  # the search runs off the GUI thread (CoreOp)
        app.processEvents()
    wait_all_idle(app)
    window.grab().save(str(out / "search.png"))

    search.clear()
    search.id_number.setText(resident_id(2))
    search.run_search()
    while busy(search):
        app.processEvents()
    search.table.selectRow(1)  # the accepted case (the newest one is the returned visit)
    search.open_current()
    dialog = search.dialog
    for tab, name in ((3, "case-view"), (0, "case-view-summary"), (4, "case-view-audit")):
        dialog.tabs.setCurrentIndex(tab)
        wait_all_idle(app)
        dialog.grab().save(str(out / f"{name}.png"))
    dialog.close()

    delivery = window.pages["delivery"]
    window.show_page(delivery)
    delivery.on_scan(case_lookup_string(made[4][1]))
    wait_idle(delivery)  # the delivery page looks the case up off the GUI thread
    delivery.collector_id.setText(resident_id(5))
    delivery.check_collector()
    wait_idle(delivery)
    wait_all_idle(app)
    window.grab().save(str(out / "delivery.png"))
    assert ctx.cases.get(clerk, made[4][0]).status is CaseStatus.RESULT_READY
    ctx.close()
    print(
        "wrote",
        *(
            p.name
            for p in sorted(out.glob("*.png"))
            if p.stem in ("search", "case-view", "case-view-summary", "case-view-audit", "delivery")
        ),
    )


if __name__ == "__main__":
    main()
