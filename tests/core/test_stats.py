"""Statistics against hand-computed values (a small dataset worked out on paper) and against a
plain-Python recount of a generated dataset."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest

from clerk_app.clock import CHINA_TZ
from clerk_app.errors import PermissionDenied
from clerk_app.stats import StatsFilter, StatsService, nearest_rank_index
from testsupport.stats_data import case_row, generate, insert_rows, line_row, local

WEEK = StatsFilter(dt.date(2026, 9, 21), dt.date(2026, 9, 27))
X, Y = ("X-ITEM", "事项X"), ("Y-ITEM", "事项Y")


def _small(world):
    """Cases A–F in range (see the expected values in test_hand_computed_report), plus G void,
    H/H2 just outside the range, I a draft, J/K for the overdue worklist."""

    def c(name, item, **kw):
        return case_row(
            id=f"{name}0000000-0000-4000-8000-000000000000"[:36], item_code=item[0], item_name=item[1], **kw
        )

    rows = [
        c(
            "A",
            X,
            window_no="01",
            decided_by=2,
            started_at=local(2026, 9, 21, 9, 50),
            decided_at=local(2026, 9, 21, 10),
            ticket_at=local(2026, 9, 21, 9, 40),
            called_at=local(2026, 9, 21, 9, 48),
            status="accepted",
            rating=5,
        ),
        c(
            "B",
            X,
            window_no="01",
            decided_by=2,
            started_at=local(2026, 9, 21, 14, 40),
            decided_at=local(2026, 9, 21, 15),
            ticket_at=local(2026, 9, 21, 14),
            status="returned_with_notice",
            rating=4,
        ),
        c(
            "C",
            Y,
            window_no="02",
            decided_by=4,
            started_at=local(2026, 9, 22, 8, 30),
            decided_at=local(2026, 9, 22, 9),
            status="synced",
            deficiency_due=dt.date(2026, 9, 25),
            first_visit=False,
            prereviewed_by=3,
        ),
        c(
            "D",
            Y,
            window_no="02",
            decided_by=4,
            started_at=local(2026, 9, 23, 10, 55),
            decided_at=local(2026, 9, 23, 11),
            ticket_at=local(2026, 9, 23, 10),
            called_at=local(2026, 9, 23, 10, 50),
            status="rejected",
            prereviewed_by=3,
            rating=1,
        ),
        c(
            "E",
            X,
            window_no="01",
            decided_by=2,
            started_at=local(2026, 9, 27, 23),
            decided_at=local(2026, 9, 27, 23, 30),
            status="accepted_with_deficiencies",
            deficiency_due=dt.date(2026, 9, 26),
            prereviewed_by=3,
            rating=3,
            case_number="E-NUMBER",
        ),
        c(
            "F",
            X,
            window_no="01",
            decided_by=2,
            started_at=local(2026, 9, 24, 9, 20),
            decided_at=local(2026, 9, 24, 10),
            status="returned_with_notice",
        ),
        c("G", X, decided_at=local(2026, 9, 22, 12), status="void"),
        c("H", X, decided_at=local(2026, 9, 28, 0, 0), status="accepted"),
        c("I", X, decided_at=None, started_at=local(2026, 9, 23, 9), status="draft"),
        c(
            "J",
            Y,
            decided_at=local(2026, 9, 1, 9),
            status="accepted_with_deficiencies",
            deficiency_due=dt.date(2026, 9, 10),
            case_number="J-NUMBER",
        ),
        c(
            "K",
            Y,
            decided_at=local(2026, 9, 2, 9),
            status="accepted_with_deficiencies",
            deficiency_due=dt.date(2026, 9, 28),
        ),
    ]
    rows.append(c("L", X, decided_at=local(2026, 9, 20, 23, 59), status="accepted"))
    ids = {r["id"][0]: r["id"] for r in rows}
    lines = [
        line_row(ids["B"], "L1", "pending", 0),
        line_row(ids["B"], "L2", "defective", 1),
        line_row(ids["B"], "L3", "verified", 2),
        line_row(ids["F"], "L1", "pending", 0),
        line_row(ids["F"], "L2", "verified", 1),
        line_row(ids["A"], "L1", "pending", 0),
        # 容缺: owed materials are deferred lines with their due dates (C synced with nothing owed)
        dict(line_row(ids["E"], "L1", "deferred", 0), due_date=dt.date(2026, 9, 26), deferrable=True),
        dict(line_row(ids["J"], "L1", "deferred", 0), due_date=dt.date(2026, 9, 10), deferrable=True),
        dict(line_row(ids["K"], "L1", "deferred", 0), due_date=dt.date(2026, 9, 28), deferrable=True),
    ]
    insert_rows(world.ctx.engine, rows, lines)
    return ids


def test_hand_computed_report(world):
    ids = _small(world)
    rep = StatsService(world.ctx.sessions, world.clock).report(world.login("supervisor"), WEEK)
    assert rep.decided == 6 and rep.voided == 1
    assert rep.outcomes == {"accepted": 1, "returned": 2, "accepted_with_deficiencies": 2, "rejected": 1}
    assert [(c.key, c.count) for c in rep.per_window] == [("01", 4), ("02", 2)]
    assert [(c.key, c.count) for c in rep.per_clerk] == [("2", 4), ("4", 2)]
    assert "clerk" in rep.per_clerk[0].label
    assert [(c.key, c.label, c.count) for c in rep.per_item] == [("X-ITEM", "事项X", 4), ("Y-ITEM", "事项Y", 2)]
    assert rep.per_day == [
        (dt.date(2026, 9, 21), 2),
        (dt.date(2026, 9, 22), 1),
        (dt.date(2026, 9, 23), 1),
        (dt.date(2026, 9, 24), 1),
        (dt.date(2026, 9, 27), 1),
    ]
    # handling 10, 20, 30, 5, 30, 40 min → sorted 5 10 20 30 30 40: median rank 3 = 20, P90 rank 6 = 40
    assert (rep.handling.count, rep.handling.median_minutes, rep.handling.p90_minutes) == (6, 20, 40)
    # waiting A 8 (ticket→called), B 40 (ticket→started), D 50 → median rank 2 = 40, P90 rank 3 = 50
    assert (rep.waiting.count, rep.waiting.median_minutes, rep.waiting.p90_minutes) == (3, 40, 50)
    # first visits A B D E F; accepted A E
    assert (rep.pass_rate.passed, rep.pass_rate.total) == (2, 5)
    assert (rep.pass_rate_prereviewed.passed, rep.pass_rate_prereviewed.total) == (1, 2)  # D E
    assert (rep.pass_rate_direct.passed, rep.pass_rate_direct.total) == (1, 3)  # A B F
    assert [(r.item_code, r.rate.passed, r.rate.total) for r in rep.pass_rate_per_item] == [
        ("X-ITEM", 2, 4),
        ("Y-ITEM", 0, 1),
    ]
    assert rep.notices_issued == 2
    assert [(c.key, c.count) for c in rep.top_missing] == [("L1", 2), ("L2", 1)]
    assert [(o.case_number, o.days_overdue) for o in rep.overdue] == [("J-NUMBER", 18), ("E-NUMBER", 2)]
    assert rep.overdue[1].case_id == ids["E"]
    assert rep.ratings == {5: 1, 4: 1, 3: 1, 2: 0, 1: 1} and rep.unrated == 2


def test_station_filter_and_empty_range(world):
    _small(world)
    svc = StatsService(world.ctx.sessions, world.clock)
    sup = world.login("supervisor")
    assert svc.report(sup, StatsFilter(WEEK.start, WEEK.end, station="XX01")).decided == 0
    empty = svc.report(sup, StatsFilter(dt.date(2025, 1, 1), dt.date(2025, 1, 2)))
    assert empty.decided == 0 and empty.handling.median_seconds is None and empty.pass_rate.ratio is None


@pytest.mark.parametrize("username", ["clerk", "prereview", "admin"])
def test_only_supervisors_see_statistics(world, username):
    with pytest.raises(PermissionDenied):
        StatsService(world.ctx.sessions, world.clock).report(world.login(username), WEEK)


def _pct(values, p):
    values = sorted(values)
    return values[nearest_rank_index(p, len(values))] if values else None


def test_generated_dataset_matches_a_plain_python_recount(world):
    cases, lines = generate(3000, start=dt.date(2026, 8, 1), days=60, seed=11)
    insert_rows(world.ctx.engine, cases, lines)
    flt = StatsFilter(dt.date(2026, 8, 10), dt.date(2026, 9, 9))
    rep = StatsService(world.ctx.sessions, world.clock).report(world.login("supervisor"), flt)
    lo, hi = flt.bounds()
    inr = [c for c in cases if lo <= c["decided_at"] < hi and c["status"] != "void"]
    assert rep.decided == len(inr)
    assert rep.voided == sum(1 for c in cases if lo <= c["decided_at"] < hi and c["status"] == "void")
    assert {c.key: c.count for c in rep.per_window} == Counter(c["window_no"] for c in inr)
    assert {c.key: c.count for c in rep.per_item} == Counter(c["item_code"] for c in inr)
    day = Counter(c["decided_at"].date() for c in inr)
    assert dict(rep.per_day) == day
    handling = [(c["decided_at"] - c["started_at"]).total_seconds() for c in inr]
    assert rep.handling.median_seconds == pytest.approx(_pct(handling, 0.5), abs=0.01)
    assert rep.handling.p90_seconds == pytest.approx(_pct(handling, 0.9), abs=0.01)
    waiting = [((c["called_at"] or c["started_at"]) - c["ticket_at"]).total_seconds() for c in inr if c["ticket_at"]]
    assert rep.waiting.count == len(waiting)
    assert rep.waiting.median_seconds == pytest.approx(_pct(waiting, 0.5), abs=0.01)
    assert rep.waiting.p90_seconds == pytest.approx(_pct(waiting, 0.9), abs=0.01)
    first = [c for c in inr if c["first_visit"]]
    ok = [c for c in first if c["status"] not in ("returned_with_notice", "rejected")]
    assert (rep.pass_rate.passed, rep.pass_rate.total) == (len(ok), len(first))
    pre = [c for c in first if c["prereviewed_by"]]
    assert rep.pass_rate_prereviewed.total == len(pre)
    returned = {c["id"] for c in inr if c["status"] == "returned_with_notice"}
    assert rep.notices_issued == len(returned)
    missing = Counter(
        ln["requirement_code"]
        for ln in lines
        if ln["case_id"] in returned and ln["status"] in ("pending", "defective", "deferred")
    )
    assert {c.key: c.count for c in rep.top_missing} == dict(missing)
    assert sum(rep.ratings.values()) + rep.unrated == len(inr)
    assert rep.ratings[5] == sum(1 for c in inr if c["rating"] == 5)
    today = world.clock.now().date()
    overdue = [c for c in cases if c["status"] == "accepted_with_deficiencies" and c["deficiency_due"] < today]
    assert len(rep.overdue) == len(overdue)


def test_nearest_rank():
    assert [nearest_rank_index(0.5, n) for n in (1, 2, 3, 4, 10)] == [0, 0, 1, 1, 4]
    assert [nearest_rank_index(0.9, n) for n in (1, 2, 10, 11)] == [0, 1, 8, 9]
    assert math.isclose(0.9 * 10, 9)


# -- the per-day aggregates against the exact path --------------------------------------------------

RANGES = [
    StatsFilter(dt.date(2026, 8, 1), dt.date(2026, 9, 28)),  # everything
    StatsFilter(dt.date(2026, 8, 10), dt.date(2026, 9, 9)),
    StatsFilter(dt.date(2026, 9, 1), dt.date(2026, 9, 1)),  # one day
    StatsFilter(dt.date(2026, 8, 10), dt.date(2026, 9, 9), station="WH01"),
    StatsFilter(dt.date(2026, 8, 1), dt.date(2026, 9, 28), station="WH02"),
    StatsFilter(dt.date(2026, 8, 1), dt.date(2026, 9, 28), station="XX99"),  # no such station
    StatsFilter(dt.date(2025, 1, 1), dt.date(2025, 1, 31)),  # no cases
]


def _two_stations(n: int, seed: int):
    cases, lines = generate(n, start=dt.date(2026, 8, 1), days=58, seed=seed)
    for i, c in enumerate(cases):
        if i % 3 == 0:
            c["station_code"] = "WH02"
        if i % 11 == 0:  # sub-second timestamps: durations are rounded to whole seconds on both paths
            c["decided_at"] += dt.timedelta(microseconds=500_000 + i)
    return cases, lines


def _assert_same(svc, sup, flt):
    fast, exact = svc.report(sup, flt), svc.exact_report(sup, flt)
    assert fast == exact, flt


def test_aggregates_equal_the_exact_report_on_generated_data(world):
    from clerk_app.stats_aggregates import stats_dirty_days

    cases, lines = _two_stations(4000, seed=23)
    insert_rows(world.ctx.engine, cases, lines)
    svc = StatsService(world.ctx.sessions, world.clock)
    sup = world.login("supervisor")
    for flt in RANGES:
        _assert_same(svc, sup, flt)
    rep = svc.report(sup, RANGES[0])
    assert rep.decided > 3000 and rep.handling.count == rep.decided and rep.top_missing  # not vacuous
    with world.ctx.sessions() as s:
        assert s.query(stats_dirty_days).count() == 0  # the first report rebuilt every marked day


def test_aggregates_follow_decisions_voids_ratings_and_corrections(world):
    from clerk_app.corrections import CorrectionService
    from clerk_app.customer import CustomerService
    from clerk_app.stats_aggregates import refresh
    from tests.helpers.case_factory import decided_case, person, to_result_ready

    insert_rows(world.ctx.engine, *_two_stations(600, seed=5))
    svc = StatsService(world.ctx.sessions, world.clock)
    sup, clerk = world.login("supervisor"), world.login("clerk")
    today = world.clock.now().date()
    flt = StatsFilter(dt.date(2026, 8, 1), today)
    _assert_same(svc, sup, flt)
    before = svc.report(sup, flt)

    ids = [decided_case(world.ctx, clerk, person(f"申请人{i}", i))[0] for i in range(3)]
    assert refresh(world.ctx.sessions) == [today]  # the decisions marked their day
    after = svc.report(sup, flt)
    assert after.decided == before.decided + 3 and after.per_day[-1] == (today, 3)
    _assert_same(svc, sup, flt)

    world.ctx.cases.void(sup, ids[0], "录入错误")
    CustomerService(world.ctx.sessions, world.clock, world.ctx.auditor).rate(clerk, ids[1], 4)
    CorrectionService(world.ctx.sessions, world.clock, world.ctx.auditor).correct(
        sup, ids[2], "window_no", "09", "窗口号录错"
    )
    rep = svc.report(sup, flt)
    assert (rep.decided, rep.voided) == (after.decided - 1, after.voided + 1)
    assert rep.ratings[4] == after.ratings[4] + 1 and ("09", "09", 1) in [
        (c.key, c.label, c.count) for c in rep.per_window
    ]
    _assert_same(svc, sup, flt)

    # Moves that change no figure (accepted → synced → … → result ready) mark nothing.
    to_result_ready(world.ctx, ids[1])
    assert refresh(world.ctx.sessions) == []
    _assert_same(svc, sup, flt)


def test_range_pieces_cover_every_day_once():
    from clerk_app.stats_aggregates import month_end, range_pieces

    start0 = dt.date(2023, 12, 25)
    for a_off in range(0, 100, 3):
        for length in (0, 1, 5, 6, 30, 31, 37, 60, 64, 400):
            a = start0 + dt.timedelta(days=a_off)
            b = a + dt.timedelta(days=length)
            days, months = range_pieces(a, b)
            covered = [x for lo, hi in days for x in (lo + dt.timedelta(n) for n in range((hi - lo).days + 1))]
            if months is not None:
                m = months[0]
                assert m.day == 1 and months[1].day == 1
                while m <= months[1]:
                    covered += [m + dt.timedelta(n) for n in range(month_end(m).day)]
                    m = month_end(m) + dt.timedelta(days=1)
            assert sorted(covered) == [a + dt.timedelta(n) for n in range(length + 1)], (a, b)


@pytest.mark.postgres
def test_aggregates_equal_the_exact_report_on_postgresql(tmp_path, postgres_url):
    """Same check on a shared hall database: upserts, DELETE … RETURNING, dates in China time."""
    from tests.helpers.case_factory import decided_case, person
    from tests.helpers.core import make_world

    world = make_world(tmp_path, database_url=postgres_url)
    try:
        insert_rows(world.ctx.engine, *_two_stations(800, seed=31))
        decided_case(world.ctx, world.login("clerk"), person("申请人", 1))
        svc = StatsService(world.ctx.sessions, world.clock)
        sup = world.login("supervisor")
        for flt in RANGES:
            _assert_same(svc, sup, flt)
        assert svc.report(sup, RANGES[0]).decided > 700
    finally:
        world.ctx.close()


@pytest.mark.parametrize("limit", [1, 7, 50, 10_000])
@pytest.mark.parametrize("station", [None, "WH02"])
def test_overdue_worklist_equals_a_plain_recount(world, limit, station):
    """The 容缺 worklist stops reading after ``limit`` cases (lines in due order): it must still give
    exactly the earliest-due cases, each with its earliest owed date, ties by case number — the same
    as grouping every deferred line (the old query), for small and large limits and per station."""
    cases, lines = _two_stations(1500, seed=31)
    for i, line in enumerate(lines):  # several owed lines per case, many on the same dates (ties)
        if i % 4 == 0:
            line["status"], line["due_date"] = "deferred", dt.date(2026, 8, 1) + dt.timedelta(days=i % 40)
    insert_rows(world.ctx.engine, cases, lines)
    svc = StatsService(world.ctx.sessions, world.clock)
    sup = world.login("supervisor")
    today = world.clock.now().astimezone(CHINA_TZ).date()
    by_id = {c["id"]: c for c in cases}
    earliest: dict[str, dt.date] = {}
    for line in lines:
        c = by_id[line["case_id"]]
        due = line["due_date"]
        if line["status"] != "deferred" or due is None or due >= today or c["decided_at"] is None:
            continue
        if c["status"] == "void" or (station and c["station_code"] != station):
            continue
        earliest[c["id"]] = min(due, earliest.get(c["id"], due))
    expected = sorted(earliest.items(), key=lambda kv: (kv[1], by_id[kv[0]]["case_number"] or ""))[:limit]
    got = svc.overdue_supplements(sup, station=station, limit=limit)
    assert [(o.case_id, o.due) for o in got] == expected
    assert len(expected) >= min(limit, 50)  # not vacuous: many overdue cases, ties on the dates
