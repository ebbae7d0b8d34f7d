"""Generated cases for the statistics tests and bench/bench_stats.py: bulk Core inserts straight
into the store (no services, no personal data), so a million rows take seconds, not hours."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, insert

from clerk_app.clock import CHINA_TZ
from clerk_app.stats_aggregates import local_day, mark_days
from clerk_app.store.models import Case, CaseLine

ITEMS = (
    ("SC-GTGSH-SL", "个体工商户设立登记"),
    ("SW-JZZ-BL", "居住证办理"),
    ("NL-MCZ-SP", "木材运输证核发"),
    ("GC-SGXK", "建筑工程施工许可"),
    ("SW-DB-SQ", "最低生活保障申请"),
)
LINES = (("APPLY", "申请书"), ("ID", "身份证明"), ("PREMISES", "经营场所证明"), ("POA", "授权委托书"))
ACCEPTED_LATER = ("accepted", "synced", "in_approval", "approved", "result_ready", "delivered")


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ)


def case_row(**over: Any) -> dict[str, Any]:
    now = over.get("decided_at") or over.get("started_at") or local(2026, 9, 1, 9)
    row: dict[str, Any] = dict(
        id=str(uuid.uuid4()),
        case_number=None,
        station_code="WH01",
        window_no="01",
        item_code=ITEMS[0][0],
        item_name=ITEMS[0][1],
        catalogue_version="bench",
        status="accepted",
        applicant_id=None,
        agent_id=None,
        answers={},
        decision_reason=None,
        legal_basis=None,
        deficiency_due=None,
        promised_date=None,
        created_by=2,
        prereviewed_by=None,
        decided_by=2,
        first_visit=True,
        ticket_no=None,
        ticket_at=None,
        called_at=None,
        started_at=now,
        handed_over_at=None,
        decided_at=now,
        created_at=now,
        updated_at=now,
        rating=None,
        rating_reasons=None,
        void_reason=None,
        server_status=None,
        row_version=1,
    )
    row.update(over)
    return row


def line_row(case_id: str, code: str, status: str, position: int = 0) -> dict[str, Any]:
    name = dict(LINES).get(code, code)
    return dict(
        case_id=case_id,
        position=position,
        requirement_code=code,
        name=name,
        form="copy",
        originals_required=0,
        copies_required=1,
        originals_received=0,
        copies_received=0,
        necessity="required",
        key_material=False,
        deferrable=False,
        status=status,
        reason=None,
        due_date=None,
        page_count=0,
        checked_by=None,
    )


def insert_rows(
    engine: Engine, cases: Iterable[dict[str, Any]], lines: Iterable[dict[str, Any]] = (), batch: int = 20000
) -> None:
    def chunks(rows: Iterable[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
        buf: list[dict[str, Any]] = []
        for r in rows:
            buf.append(r)
            if len(buf) >= batch:
                yield buf
                buf = []
        if buf:
            yield buf

    days: set[dt.date] = set()
    with engine.begin() as c:
        for chunk in chunks(cases):
            c.execute(insert(Case), chunk)
            days |= {local_day(r["decided_at"]) for r in chunk if r.get("decided_at") is not None}
        for chunk in chunks(lines):
            c.execute(insert(CaseLine), chunk)
        # A bulk load bypasses the session event that keeps the per-day statistics current.
        mark_days(c, days)


def generate(
    n: int,
    *,
    start: dt.date,
    days: int,
    seed: int = 7,
    users: tuple[int, ...] = (2, 4),
    windows: tuple[str, ...] = ("01", "02", "03"),
    with_lines: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """n decided cases spread over ``days`` from ``start`` with a realistic mix of outcomes."""
    rnd = random.Random(seed)
    cases, lines = [], []
    for i in range(n):
        day = start + dt.timedelta(days=rnd.randrange(days))
        started = dt.datetime.combine(day, dt.time(8, 30), CHINA_TZ) + dt.timedelta(seconds=rnd.randrange(9 * 3600))
        decided = started + dt.timedelta(seconds=rnd.randrange(60, 3600))
        ticket = started - dt.timedelta(seconds=rnd.randrange(0, 5400)) if rnd.random() < 0.7 else None
        called = (started - dt.timedelta(seconds=rnd.randrange(0, 120))) if ticket and rnd.random() < 0.5 else None
        if called is not None and ticket is not None and called < ticket:
            called = ticket
        code, name = ITEMS[rnd.randrange(len(ITEMS))]
        r = rnd.random()
        due = None
        if r < 0.62:
            status = rnd.choice(ACCEPTED_LATER)
        elif r < 0.72:
            status = "accepted_with_deficiencies"
            due = day + dt.timedelta(days=rnd.randrange(3, 20))
        elif r < 0.92:
            status = "returned_with_notice"
        elif r < 0.97:
            status = "rejected"
        else:
            status = "void"
        cid = f"{i:08d}-0000-4000-8000-{rnd.getrandbits(48):012x}"
        cases.append(
            case_row(
                id=cid,
                case_number=f"WH01{day:%Y%m%d}{i:07d}",
                window_no=rnd.choice(windows),
                item_code=code,
                item_name=name,
                status=status,
                deficiency_due=due,
                decided_by=rnd.choice(users),
                prereviewed_by=3 if rnd.random() < 0.3 else None,
                first_visit=rnd.random() < 0.8,
                ticket_at=ticket,
                called_at=called,
                started_at=started,
                decided_at=decided,
                created_at=started,
                updated_at=decided,
                rating=rnd.choice((None, None, 5, 5, 5, 4, 4, 3, 2, 1)),
            )
        )
        if due is not None:  # the owed (容缺) material: a deferred line with the due date
            lines.append(dict(line_row(cid, LINES[0][0], "deferred", 0), due_date=due, deferrable=True))
        if with_lines and status == "returned_with_notice":
            for pos, (lcode, _) in enumerate(LINES):
                lines.append(line_row(cid, lcode, rnd.choice(("pending", "verified", "defective", "received")), pos))
    return cases, lines
