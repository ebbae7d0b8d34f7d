"""Supervisor statistics over decided cases (no Qt, no personal data).

Every figure covers cases *decided* in a date range (local dates of ``decided_at``, China time),
voided cases excluded (their count is reported separately). ``report`` sums per-day aggregates
(clerk_app/stats_aggregates.py: kept current by marking changed days in the changing transaction,
recomputed when the report runs), so any range on a million cases takes well under a second;
``exact_report`` computes the same report straight from the cases (SQL aggregates over the covering
index ``ix_cases_stats``), kept as the reference the aggregates are tested against; see
docs/performance.md.

Definitions (also shown as tooltips in the statistics page):
- outcome: from the current status — returned_with_notice → returned, rejected → rejected,
  any later status of an accepted case → accepted (accepted_with_deficiencies when a deficiency due
  date was set at the decision);
- handling time: ``started_at`` → ``decided_at``; waiting time: ``ticket_at`` → ``called_at`` (or
  ``started_at`` when the call time was not recorded), only where a ticket time exists;
- durations are counted in whole seconds (rounded), so they can be kept as exact histograms;
- percentiles use the nearest-rank method: P = the smallest value with at least P % of the values
  at or below it (so the median of an even count is the lower middle value);
- first-submission pass rate: accepted cases among decided first-visit cases (``first_visit``);
- one-time notices: cases returned with a notice; their missing materials are the lines that were
  pending, deferred or defective at the decision;
- overdue supplements (容缺 worklist): decided, not void cases with a deferred line due before today
  (by the lines, so synced / in-approval cases that still owe materials stay on it), regardless of
  the range.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import stats_aggregates as agg
from clerk_app.clock import CHINA_TZ, Clock
from clerk_app.lifecycle import CaseStatus
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, CaseLine, User

S = CaseStatus
RETURNED = S.RETURNED_WITH_NOTICE.value
REJECTED = S.REJECTED.value
VOID = S.VOID.value
UNDECIDED = (S.DRAFT.value, S.READY_FOR_WINDOW.value)
MISSING_LINE_STATUSES = ("pending", "deferred", "defective")
RATING_LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意 (the customer window stores 5 = very satisfied)


@dataclass(frozen=True)
class StatsFilter:
    start: dt.date  # inclusive, local date
    end: dt.date  # inclusive, local date
    station: str | None = None

    def bounds(self, tz: dt.tzinfo = CHINA_TZ) -> tuple[dt.datetime, dt.datetime]:
        lo = dt.datetime.combine(self.start, dt.time(), tz)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tz)
        return lo, hi


@dataclass(frozen=True)
class Percentiles:
    count: int
    median_seconds: float | None
    p90_seconds: float | None

    @property
    def median_minutes(self) -> float | None:
        return None if self.median_seconds is None else self.median_seconds / 60

    @property
    def p90_minutes(self) -> float | None:
        return None if self.p90_seconds is None else self.p90_seconds / 60


@dataclass(frozen=True)
class Rate:
    passed: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.passed / self.total if self.total else None


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ItemRate:
    item_code: str
    item_name: str
    rate: Rate


@dataclass(frozen=True)
class OverdueCase:
    case_id: str
    case_number: str | None
    item_code: str
    item_name: str
    window_no: str
    due: dt.date
    days_overdue: int


@dataclass(frozen=True)
class StatsReport:
    filter: StatsFilter
    decided: int
    voided: int
    outcomes: dict[str, int]
    per_clerk: list[Count]
    per_window: list[Count]
    per_item: list[Count]
    per_day: list[tuple[dt.date, int]]
    handling: Percentiles
    waiting: Percentiles
    pass_rate: Rate
    pass_rate_prereviewed: Rate
    pass_rate_direct: Rate
    pass_rate_per_item: list[ItemRate]
    notices_issued: int
    top_missing: list[Count]
    overdue: list[OverdueCase]
    ratings: dict[int, int] = field(default_factory=dict)
    unrated: int = 0


def nearest_rank_index(p: float, n: int) -> int:
    """0-based index of the nearest-rank P-th percentile in a sorted list of n values."""
    return max(1, math.ceil(p * n - 1e-9)) - 1


class StatsService:
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = session_factory
        self._clock = clock

    # -- the whole report, from the per-day aggregates -------------------------------------------
    def report(self, actor: Actor, flt: StatsFilter, *, top: int = 10) -> StatsReport:
        actor.require(Permission.STATS_VIEW)
        agg.refresh(self._sessions)  # recompute the days changed since the last report (usually today)
        day_ranges, months = agg.range_pieces(flt.start, flt.end)
        station = flt.station
        with self._sessions() as s:
            sums: dict[str, dict[str, tuple[int, int, str | None]]] = {}
            blobs: dict[str, list[bytes]] = {m: [] for m in agg.MEASURES}
            pieces = [(agg.stats_day_counts.c, agg.stats_day_hist.c, "day", a, b) for a, b in day_ranges]
            if months is not None:
                pieces.append((agg.stats_month_counts.c, agg.stats_month_hist.c, "month", *months))
            for c, h, col, a, b in pieces:
                where = [c[col] >= a, c[col] <= b] + ([c.station_code == station] if station else [])
                for dim_, key, n, passed, label in s.execute(
                    select(c.dim, c.key, func.sum(c.n), func.sum(c.passed), func.max(c.label))
                    .where(*where)
                    .group_by(c.dim, c.key)
                ):
                    n0, p0, l0 = sums.setdefault(dim_, {}).get(key, (0, 0, None))
                    best = label if l0 is None or (label is not None and label > l0) else l0
                    sums[dim_][key] = (n0 + int(n), p0 + int(passed or 0), best)
                hwhere = [h[col] >= a, h[col] <= b] + ([h.station_code == station] if station else [])
                for measure, data in s.execute(select(h.measure, h.data).where(*hwhere)):
                    blobs[measure].append(data)
            dc = agg.stats_day_counts.c
            dwhere = [dc.day >= flt.start, dc.day <= flt.end] + ([dc.station_code == station] if station else [])
            per_day = [
                (_as_date(d), int(n))
                for d, n in s.execute(
                    select(dc.day, func.sum(dc.n)).where(*dwhere, dc.dim == "outcome").group_by(dc.day).order_by(dc.day)
                )
            ]

            def dim(name: str) -> dict[str, tuple[int, int, str | None]]:
                return sums.get(name, {})

            outcomes = {k: n for k, (n, _, _) in dim("outcome").items()}
            voided = sum(n for n, _, _ in dim("void").values())
            total = sum(outcomes.values())
            clerk_ids = [int(k) for k in dim("clerk") if k]
            users = {
                uid: (uname, name)
                for uid, uname, name in s.execute(
                    select(User.id, User.username, User.display_name).where(User.id.in_(clerk_ids))
                )
            }
            per_clerk = []
            for key, (n, _, _) in dim("clerk").items():
                uid = int(key) if key else None
                uname, name = users.get(uid, (None, None)) if uid is not None else (None, None)
                per_clerk.append(Count(str(uid), f"{name or '—'} ({uname or uid})", n))
            per_clerk.sort(key=lambda x: (-x.count, x.key))
            per_window = [Count(k, k, n) for k, (n, _, _) in sorted(dim("window").items())]
            names = self._item_names(s, sorted(dim("item")))
            per_item = [
                Count(k, names.get(k, k), n)
                for k, (n, _, _) in sorted(dim("item").items(), key=lambda r: (-r[1][0], r[0]))
            ]
            handling, waiting = (self._merged(blobs[m]) for m in agg.MEASURES)
            pre = dim("first_pre")
            pass_pre = Rate(pre["1"][1], pre["1"][0]) if "1" in pre else Rate(0, 0)
            pass_direct = Rate(pre["0"][1], pre["0"][0]) if "0" in pre else Rate(0, 0)
            pass_rate = Rate(pass_pre.passed + pass_direct.passed, pass_pre.total + pass_direct.total)
            per_item_rate = [
                ItemRate(k, names.get(k, k), Rate(p, n)) for k, (n, p, _) in sorted(dim("item_first").items())
            ]
            notices = outcomes.get("returned", 0)
            top_missing = [
                Count(k, label or k, n)
                for k, (n, _, label) in sorted(dim("missing").items(), key=lambda r: (-r[1][0], r[0]))[:top]
            ]
            ratings = {level: 0 for level in RATING_LEVELS}
            unrated = 0
            for key, (n, _, _) in dim("rating").items():
                level = int(key) if key else None
                if level in ratings:
                    ratings[level] = n
                else:
                    unrated += n
        return StatsReport(
            flt,
            total,
            voided,
            outcomes,
            per_clerk,
            per_window,
            per_item,
            per_day,
            handling,
            waiting,
            pass_rate,
            pass_pre,
            pass_direct,
            per_item_rate,
            notices,
            top_missing,
            self.overdue_supplements(actor, station=flt.station),
            ratings,
            unrated,
        )

    @staticmethod
    def _merged(blobs: list[bytes]) -> Percentiles:
        n, (median, p90) = agg.merged_percentiles(blobs, (0.5, 0.9))
        return Percentiles(n, median, p90)

    # -- the same report straight from the cases (the reference for the aggregates) ---------------
    def exact_report(self, actor: Actor, flt: StatsFilter, *, top: int = 10) -> StatsReport:
        """Every figure computed from the cases of the range (cost grows with the range)."""
        actor.require(Permission.STATS_VIEW)
        with self._sessions() as s:
            dialect = s.get_bind().dialect.name
            decided = self._scope(flt)
            outcome = _outcome_expr()
            outcomes = {k: n for k, n in s.execute(select(outcome, func.count()).where(decided).group_by(outcome))}
            voided = (
                s.scalar(select(func.count()).select_from(Case).where(_range(flt), Case.status == VOID, *_station(flt)))
                or 0
            )
            total = sum(outcomes.values())

            clerk_rows = s.execute(
                select(Case.decided_by, User.username, User.display_name, func.count())
                .select_from(Case)
                .outerjoin(User, User.id == Case.decided_by)
                .where(decided)
                .group_by(Case.decided_by, User.username, User.display_name)
                .order_by(func.count().desc())
            ).all()
            per_clerk = [Count(str(uid), f"{name or '—'} ({uname or uid})", n) for uid, uname, name, n in clerk_rows]
            per_clerk.sort(key=lambda x: (-x.count, x.key))  # ties in a stable order
            per_window = [
                Count(w, w, n)
                for w, n in s.execute(
                    select(Case.window_no, func.count())
                    .where(decided)
                    .group_by(Case.window_no)
                    .order_by(Case.window_no)
                )
            ]
            item_counts = s.execute(select(Case.item_code, func.count()).where(decided).group_by(Case.item_code)).all()
            names = self._item_names(s, [code for code, _ in item_counts])
            per_item = [
                Count(code, names.get(code, code), n) for code, n in sorted(item_counts, key=lambda r: (-r[1], r[0]))
            ]
            day = _local_day(dialect)
            per_day = [
                (_as_date(d), n)
                for d, n in s.execute(select(day, func.count()).where(decided).group_by(day).order_by(day))
            ]

            handling = self._percentiles(s, dialect, Case.started_at, Case.decided_at, decided)
            wait_end = func.coalesce(Case.called_at, Case.started_at)
            waiting = self._percentiles(
                s, dialect, Case.ticket_at, wait_end, and_(decided, Case.ticket_at.is_not(None))
            )

            accepted = outcome.in_(("accepted", "accepted_with_deficiencies"))
            passed = func.sum(case((accepted, 1), else_=0))
            first = and_(decided, Case.first_visit.is_(True))
            pre = Case.prereviewed_by.is_not(None)
            rates = {
                bool(flag): Rate(int(p or 0), n)
                for flag, p, n in s.execute(
                    # Grouped by the bare predicate: a CASE with bound literals is a different
                    # expression to PostgreSQL in SELECT and GROUP BY (GroupingError).
                    select(pre, passed, func.count()).where(first).group_by(pre)
                )
            }
            pass_pre, pass_direct = rates.get(True, Rate(0, 0)), rates.get(False, Rate(0, 0))
            pass_rate = Rate(pass_pre.passed + pass_direct.passed, pass_pre.total + pass_direct.total)
            per_item_rate = [
                ItemRate(code, names.get(code, code), Rate(int(p or 0), n))
                for code, p, n in s.execute(
                    select(Case.item_code, passed, func.count())
                    .where(first)
                    .group_by(Case.item_code)
                    .order_by(Case.item_code)
                )
            ]

            returned = and_(decided, Case.status == RETURNED)
            notices = s.scalar(select(func.count()).select_from(Case).where(returned)) or 0
            top_missing = [
                Count(code, name, n)
                for code, name, n in s.execute(
                    select(CaseLine.requirement_code, func.max(CaseLine.name), func.count())
                    .select_from(CaseLine)
                    .join(Case, Case.id == CaseLine.case_id)
                    .where(returned, CaseLine.status.in_(MISSING_LINE_STATUSES))
                    .group_by(CaseLine.requirement_code)
                    .order_by(func.count().desc(), CaseLine.requirement_code)
                    .limit(top)
                )
            ]

            ratings = {level: 0 for level in RATING_LEVELS}
            unrated = 0
            for level, n in s.execute(select(Case.rating, func.count()).where(decided).group_by(Case.rating)):
                if level in ratings:
                    ratings[level] = n
                else:
                    unrated += n
        return StatsReport(
            flt,
            total,
            voided,
            outcomes,
            per_clerk,
            per_window,
            per_item,
            per_day,
            handling,
            waiting,
            pass_rate,
            pass_pre,
            pass_direct,
            per_item_rate,
            notices,
            top_missing,
            self.overdue_supplements(actor, station=flt.station),
            ratings,
            unrated,
        )

    # -- the 容缺 worklist --------------------------------------------------------------------------
    def overdue_supplements(self, actor: Actor, *, station: str | None = None, limit: int = 500) -> list[OverdueCase]:
        actor.require(Permission.STATS_VIEW)
        today = self._clock.now().astimezone(CHINA_TZ).date()
        # Owed materials are the deferred lines (with their due dates), whatever the case status: a
        # 容缺 case that synced or is in approval still owes them (issue 14). The lines are read in due
        # order from ix_case_lines_status_due and the first line of each case is its earliest due
        # date, so reading stops after ``limit`` cases (plus the ties of the last date) instead of
        # grouping every deferred line of the hall (0.35 s on 1M cases, ~100k overdue lines).
        stmt = (
            select(CaseLine.case_id, CaseLine.due_date)
            .add_columns(Case.case_number, Case.item_code, Case.item_name, Case.window_no)
            .join(Case, CaseLine.case_id == Case.id)
            .where(
                CaseLine.status == "deferred",
                CaseLine.due_date < today,
                Case.decided_at.is_not(None),
                Case.status != VOID,
            )
            .order_by(CaseLine.due_date)
            .execution_options(yield_per=limit)  # fetched in chunks: reading stops early
        )
        if station:
            stmt = stmt.where(Case.station_code == station)
        found: dict[str, OverdueCase] = {}
        last_due = today
        with self._sessions() as s:
            for cid, due, num, code, name, win in s.execute(stmt):  # due order: the last one is the latest
                if cid in found or due is None:
                    continue
                if len(found) >= limit and due > last_due:
                    break
                found[cid] = OverdueCase(cid, num, code, name, win, due, (today - due).days)
                last_due = due
        return sorted(found.values(), key=lambda c: (c.due, c.case_number or ""))[:limit]

    # -- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _item_names(s: Session, codes: list[str]) -> dict[str, str]:
        """Item names by code: one indexed lookup per item (ix_cases_item_decided) instead of a
        max(item_name) over every case of the range."""
        return {code: s.scalar(select(Case.item_name).where(Case.item_code == code).limit(1)) or code for code in codes}

    def _scope(self, flt: StatsFilter) -> ColumnElement[bool]:
        return and_(_range(flt), Case.status != VOID, *_station(flt))

    @staticmethod
    def _percentiles(s: Session, dialect: str, start: Any, end: Any, where: ColumnElement[bool]) -> Percentiles:
        seconds = _seconds_between(dialect, start, end)
        where = and_(where, start.is_not(None), end.is_not(None))
        # One index-only scan and a sort in Python: on 300,000 durations about 3x faster than two
        # ORDER BY … OFFSET queries (each a full sort in SQLite) plus a COUNT. Whole seconds, as the
        # histograms of the aggregates keep them.
        values = sorted(float(round(float(v))) for v in s.scalars(select(seconds).select_from(Case).where(where)))
        n = len(values)
        if n == 0:
            return Percentiles(0, None, None)
        return Percentiles(
            n, round(values[nearest_rank_index(0.5, n)], 3), round(values[nearest_rank_index(0.9, n)], 3)
        )


def _range(flt: StatsFilter) -> ColumnElement[bool]:
    lo, hi = flt.bounds()
    return and_(Case.decided_at >= lo, Case.decided_at < hi)


def _station(flt: StatsFilter) -> list[ColumnElement[bool]]:
    return [Case.station_code == flt.station] if flt.station else []


def _outcome_expr() -> ColumnElement[str]:
    return case(
        (Case.status == RETURNED, literal("returned")),
        (Case.status == REJECTED, literal("rejected")),
        (Case.deficiency_due.is_not(None), literal("accepted_with_deficiencies")),
        else_=literal("accepted"),
    )


def _seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    if dialect == "sqlite":
        # UTCDateTime stores naive UTC text on SQLite; julianday() reads it (day fractions).
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return cast(func.extract("epoch", end - start), Float)


def _local_day(dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return func.date(Case.decided_at, "+8 hours")  # China time has no daylight saving
    return func.date(func.timezone("Asia/Shanghai", Case.decided_at))


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
