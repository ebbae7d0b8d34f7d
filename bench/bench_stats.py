"""Statistics on 1,000,000 cases, and the cost of encryption at rest.

Run: .venv/bin/python bench/bench_stats.py [--cases 1000000] [--keep DIR]
- generates N decided cases over three years (bulk Core inserts, plus checklist lines of the
  returned ones) in a SQLite store migrated to head, with the demo users;
- the first report after loading rebuilds the per-day aggregates of every day (timed once: what
  migration 0009 costs on an existing store, paid by the first report);
- times StatsService.report (every figure of the statistics page, from the per-day aggregates) for
  the last 30 / 365 days and for everything, the report right after a change (today's day marked,
  so it is recomputed first), StatsService.exact_report (straight from the cases) for 30 days with
  a check that both agree, and the statistics page itself (StatsPage built + first refresh,
  offscreen); floor: a bare COUNT(*) over the same 30-day range in the same run; the exact 30-day
  report is also timed with the covering index dropped, to show what it buys;
- encryption: AES-GCM of one applicant record and of one 300 KB page (encrypt + decrypt), a whole
  ``CaseService.set_applicant`` (validation, encryption, tokens, audit, commit) and an
  ``AttachmentStore.put`` (encryption + fsync'd atomic write) for comparison.
Prints medians; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._util import median_seconds  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--keep", help="reuse/keep the data folder (skips generation when it has cases)")
    args = ap.parse_args()

    from sqlalchemy import func, select, text

    from clerk_app.app_context import build_context, file_keyring
    from clerk_app.clock import CHINA_TZ, FixedClock
    from clerk_app.demo import seed_demo_users
    from clerk_app.settings import Settings
    from clerk_app.stats import StatsFilter, StatsService
    from clerk_app.stats_aggregates import mark_days
    from clerk_app.store.models import Case
    from testsupport.stats_data import generate, insert_rows

    data = Path(args.keep or tempfile.mkdtemp(prefix="bench-stats-"))
    clock = FixedClock(dt.datetime(2026, 11, 20, 10, 0, tzinfo=CHINA_TZ))
    ctx = build_context(
        Settings(data_dir=str(data), demo=True), clock=clock, keyring_module=file_keyring(data / "keyring.cfg")
    )
    seed_demo_users(ctx)
    with ctx.sessions() as s:
        have = s.scalar(select(func.count()).select_from(Case)) or 0
    if have < args.cases:
        t0 = time.perf_counter()
        start = dt.date(2023, 11, 21)
        chunk = 100_000
        for i in range(0, args.cases - have, chunk):
            n = min(chunk, args.cases - have - i)
            cases, lines = generate(n, start=start, days=1095, seed=1000 + i // chunk)
            for c in cases:  # unique ids/numbers across chunks
                c["id"] = f"{i // chunk:02d}" + c["id"][2:]
                c["case_number"] = f"{c['case_number']}-{i // chunk}"
            for line in lines:
                line["case_id"] = f"{i // chunk:02d}" + line["case_id"][2:]
            insert_rows(ctx.engine, cases, lines)
        with ctx.engine.begin() as c:
            c.execute(text("ANALYZE"))
        print(f"generated {args.cases - have} cases in {time.perf_counter() - t0:.0f} s")
    db = data / "clerk.db"
    print(f"store: {db.stat().st_size / 1e6:.0f} MB, {args.cases} cases")

    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    sup = ctx.users.authenticate("supervisor", "Audit2026")
    svc = StatsService(ctx.sessions, clock)
    today = clock.now().date()
    flt30 = StatsFilter(today - dt.timedelta(days=29), today)
    t0 = time.perf_counter()
    svc.report(sup, flt30)  # rebuilds every day marked by the load or by migration 0009
    print(f"first report (rebuilds the per-day aggregates of every marked day): {time.perf_counter() - t0:.1f} s")
    ranges = {"30 days": 30, "365 days": 365, "all (3 years)": 1100}
    results = {}
    for label, days in ranges.items():
        flt = StatsFilter(today - dt.timedelta(days=days - 1), today)
        svc.report(sup, flt)  # warm the page cache
        results[label] = median_seconds(lambda flt=flt: svc.report(sup, flt), runs=7)
        rep = svc.report(sup, flt)
        print(f"report {label:>14}: median {results[label] * 1000:7.1f} ms  ({rep.decided} decided cases)")

    def after_change() -> None:
        with ctx.engine.begin() as c:
            mark_days(c, [today - dt.timedelta(days=1)])  # the busiest kind of day: a full one
        svc.report(sup, flt30)

    changed = median_seconds(after_change, runs=7)
    print(f"report 30 days right after a change (yesterday recomputed first): median {changed * 1000:.1f} ms")
    exact = median_seconds(lambda: svc.exact_report(sup, flt30), runs=5)
    same = svc.report(sup, flt30) == svc.exact_report(sup, flt30)
    print(f"exact_report 30 days (straight from the cases): median {exact * 1000:.0f} ms; equal to report: {same}")
    lo, hi = flt30.bounds()

    def floor() -> None:
        with ctx.sessions() as s:
            s.scalar(select(func.count()).select_from(Case).where(Case.decided_at >= lo, Case.decided_at < hi))

    floor_s = median_seconds(floor, runs=7)
    print(
        f"floor COUNT(*) 30 days: median {floor_s * 1000:.1f} ms; report/floor: 30 days "
        f"{results['30 days'] / floor_s:.1f}x, 365 days {results['365 days'] / floor_s:.1f}x, "
        f"all {results['all (3 years)'] / floor_s:.1f}x"
    )

    from types import SimpleNamespace

    from PySide6.QtWidgets import QApplication

    from ui.operations import busy
    from ui.supervisor.stats_view import StatsPage

    app = QApplication.instance() or QApplication([])

    def page_load() -> None:
        page = StatsPage(SimpleNamespace(ctx=ctx, actor=sup))
        page.resize(1366, 800)
        page.show()
        while busy(page):  # the figures are read off the GUI thread (CoreOp)
            app.processEvents()
        app.processEvents()
        page.close()
        page.deleteLater()
        app.processEvents()

    page_s = median_seconds(page_load, runs=5)
    print(f"statistics page load (30 days, build + query + charts): median {page_s * 1000:.0f} ms")

    with ctx.engine.begin() as c:
        c.execute(text("DROP INDEX ix_cases_stats"))
    no_index = median_seconds(lambda: svc.exact_report(sup, flt30), runs=3)
    print(f"exact_report 30 days WITHOUT ix_cases_stats: median {no_index * 1000:.0f} ms")
    with ctx.engine.begin() as c:
        c.execute(
            text(
                "CREATE INDEX ix_cases_stats ON cases (decided_at, status, station_code, item_code, item_name, "
                "window_no, decided_by, first_visit, prereviewed_by, started_at, ticket_at, called_at, "
                "deficiency_due, rating)"
            )
        )

    # -- encryption at rest --------------------------------------------------------------------------
    import dataclasses

    from clerk_app.attachments import AttachmentStore
    from clerk_app.persons import PersonData
    from clerk_app.security.crypto import FieldCipher

    person = PersonData(
        name="张三丰",
        document_number="11010519491231002X",
        address="湖北省武汉市江岸区胜利街100号",
        phone="13800138000",
        verified_by="chip",
        passive_auth="verified",
        photo_sha256="a" * 64,
    )
    blob = json.dumps(dataclasses.asdict(person), ensure_ascii=False).encode()
    fields = FieldCipher(ctx.keys, "fields")
    aad = b"person:00000000-0000-0000-0000-000000000000"
    n = 2000
    enc = median_seconds(lambda: [fields.decrypt(fields.encrypt(blob, aad), aad) for _ in range(n)], runs=5) / n
    page = os.urandom(300 * 1024)
    att = FieldCipher(ctx.keys, "attachments")
    enc_page = median_seconds(lambda: [att.decrypt(att.encrypt(page, b"x"), b"x") for _ in range(20)], runs=5) / 20
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    case_id = ctx.cases.start_case(clerk, "SC-GTGSH-SL", {"premises": "rented"})
    save = median_seconds(lambda: ctx.cases.set_applicant(clerk, case_id, person), runs=15)
    store = AttachmentStore(data / "attachments-bench", att)
    pages = [os.urandom(300 * 1024) for _ in range(15)]
    it = iter(pages)
    put = median_seconds(lambda: store.put(next(it), "image/jpeg"), runs=15)
    print(
        f"encryption per applicant record ({len(blob)} B, encrypt+decrypt): {enc * 1e6:.1f} µs; "
        f"whole set_applicant: {save * 1000:.2f} ms ({enc / save * 100:.2f}% of it)"
    )
    print(
        f"encryption per 300 KB page (encrypt+decrypt): {enc_page * 1000:.2f} ms; "
        f"AttachmentStore.put (encrypt + fsync'd write): {put * 1000:.2f} ms"
    )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    ctx.close()


if __name__ == "__main__":
    main()
