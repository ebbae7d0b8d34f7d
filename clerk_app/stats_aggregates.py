"""Per-day statistics aggregates, so the supervisor's report costs the same for a week or three years.

Five tables (migration 0009), on their own MetaData like ``sync_state``:

- ``stats_day_counts (day, station_code, dim, key) → n, passed, label``: per local decision day and
  station, the counts behind every figure of the report — ``outcome`` (accepted / accepted with
  deficiencies / returned / rejected), ``void``, ``clerk``, ``window``, ``item``, ``rating``,
  first-visit pass counts per ``item_first`` and per ``first_pre`` (pre-reviewed 1 / 0, ``passed`` =
  accepted), and ``missing`` (material lines still missing on returned cases, label = the line name);
- ``stats_day_hist (day, station_code, measure) → data``: the handling and waiting times of the day
  as an exact histogram in whole seconds ((value, count) pairs of little-endian int32, values
  ascending), so percentiles of any range are exact and blobs of many days merge by concatenation;
- ``stats_month_counts`` / ``stats_month_hist``: the same per calendar month (``month`` = its first
  day), summed from the days whenever a day of the month is recomputed, so a long range reads one
  row per month and key plus the days at its two ends;
- ``stats_dirty_days (day)``: days whose aggregates must be recomputed.

Kept current by marking, never by incrementing: a session event (``install`` on the store's session
factory, called by CaseService) marks the local decision day of every case whose statistics-relevant
columns change — decision, void, rating, corrections, deletion — and of every changed material line
of a decided case, in the same transaction as the change. ``refresh`` (run by every report) takes the
marked days and recomputes them from the cases, in one write transaction that starts by deleting
the marks, so a change committed meanwhile marks its day again. A marked day costs one index range
scan of that day's cases (~1,000 on a busy station); the first report after the migration, which
marks every day, rebuilds them all once. Bulk loads that bypass the ORM (restores, generated test
data) call ``mark_days``.

The report itself (clerk_app/stats.py) then sums one row per month or day × key and merges the
histograms; ``StatsService.exact_report`` keeps the direct computation from the cases, and a test
checks that both agree on generated data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import get_history

from clerk_app.clock import CHINA_TZ
from clerk_app.lifecycle import CaseStatus
from clerk_app.store.models import Case, CaseLine

metadata = MetaData()
stats_dirty_days = Table("stats_dirty_days", metadata, Column("day", Date, primary_key=True))
stats_day_counts = Table(
    "stats_day_counts",
    metadata,
    Column("day", Date, primary_key=True),
    Column("station_code", String(16), primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("label", Text, nullable=True),
)
stats_day_hist = Table(
    "stats_day_hist",
    metadata,
    Column("day", Date, primary_key=True),
    Column("station_code", String(16), primary_key=True),
    Column("measure", String(16), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
stats_month_counts = Table(
    "stats_month_counts",
    metadata,
    Column("month", Date, primary_key=True),
    Column("station_code", String(16), primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("label", Text, nullable=True),
)
stats_month_hist = Table(
    "stats_month_hist",
    metadata,
    Column("month", Date, primary_key=True),
    Column("station_code", String(16), primary_key=True),
    Column("measure", String(16), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

S = CaseStatus
RETURNED = S.RETURNED_WITH_NOTICE.value
REJECTED = S.REJECTED.value
VOID = S.VOID.value
UNDECIDED = (S.DRAFT.value, S.READY_FOR_WINDOW.value)
MISSING_LINE_STATUSES = ("pending", "deferred", "defective")
MEASURES = ("handling", "waiting")

# Columns of a case that some figure reads; a change to any other column leaves the statistics alone.
_CASE_COLUMNS = (
    "decided_at",
    "station_code",
    "window_no",
    "item_code",
    "decided_by",
    "first_visit",
    "prereviewed_by",
    "deficiency_due",
    "rating",
    "started_at",
    "ticket_at",
    "called_at",
)
_LINE_COLUMNS = ("status", "requirement_code", "name", "case_id")


def local_day(ts: dt.datetime) -> dt.date:
    return ts.astimezone(CHINA_TZ).date()


def outcome(status: str, deficiency_due: Any) -> str:
    """The outcome a decided case counts as (see clerk_app/stats.py for the definitions)."""
    if status == RETURNED:
        return "returned"
    if status == REJECTED:
        return "rejected"
    return "accepted_with_deficiencies" if deficiency_due is not None else "accepted"


def _status_class(status: str | None) -> str | None:
    """Status changes that move a case between figures (accepted → delivered moves nothing)."""
    if status is None or status in (RETURNED, REJECTED, VOID):
        return status
    return "undecided" if status in UNDECIDED else "accepted"


# -- marking ---------------------------------------------------------------------------------------


def install(factory: sessionmaker[Session]) -> None:
    """Mark changed days in every transaction of sessions from ``factory`` (idempotent)."""
    if not event.contains(factory, "before_flush", _before_flush):
        event.listen(factory, "before_flush", _before_flush)


def mark_days(session_or_conn: Any, days: Iterable[dt.date]) -> None:
    """Insert the days into ``stats_dirty_days``, ignoring those already there."""
    rows = [{"day": d} for d in sorted(set(days))]
    if not rows:
        return
    conn = session_or_conn.connection() if isinstance(session_or_conn, Session) else session_or_conn
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert  # type: ignore[assignment]
    else:  # pragma: no cover - the store runs on SQLite or PostgreSQL
        have = set(conn.scalars(select(stats_dirty_days.c.day)))
        rows = [r for r in rows if r["day"] not in have]
        if rows:
            conn.execute(insert(stats_dirty_days), rows)
        return
    conn.execute(upsert(stats_dirty_days).on_conflict_do_nothing(), rows)


def _days_of(obj: Any, name: str) -> set[dt.date]:
    hist = get_history(obj, name)
    values = chain(hist.added or (), hist.unchanged or (), hist.deleted or ())
    return {local_day(v) for v in values if v is not None}


def _changed(obj: Any, names: Sequence[str]) -> bool:
    return any(get_history(obj, n).has_changes() for n in names)


def _case_days(session: Session, case: Case) -> set[dt.date]:
    if case in session.deleted or case in session.new:
        return _days_of(case, "decided_at")
    status = get_history(case, "status")
    moved = status.has_changes() and {_status_class(v) for v in chain(status.added or (), status.deleted or ())} != {
        _status_class(case.status)
    }
    return _days_of(case, "decided_at") if moved or _changed(case, _CASE_COLUMNS) else set()


def _line_days(session: Session, line: CaseLine) -> set[dt.date]:
    if line not in session.new and line not in session.deleted and not _changed(line, _LINE_COLUMNS):
        return set()
    days: set[dt.date] = set()
    with session.no_autoflush:
        for case_id in {v for v in chain(*(_hist_values(line, "case_id"))) if v is not None}:
            case = session.get(Case, case_id)
            if case is not None:
                days |= _days_of(case, "decided_at")
    return days


def _hist_values(obj: Any, name: str) -> tuple[Iterable[Any], ...]:
    hist = get_history(obj, name)
    return (hist.added or (), hist.unchanged or (), hist.deleted or ())


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    days: set[dt.date] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Case):
            days |= _case_days(session, obj)
        elif isinstance(obj, CaseLine):
            days |= _line_days(session, obj)
    if days:
        mark_days(session, days)


# -- rebuilding ------------------------------------------------------------------------------------


def refresh(sessions: sessionmaker[Session]) -> list[dt.date]:
    """Recompute every marked day; returns the days recomputed (usually none or today)."""
    with sessions() as s:  # a read first: a report with nothing to recompute takes no write lock
        if s.scalar(select(stats_dirty_days.c.day).limit(1)) is None:
            return []
    with sessions.begin() as s:
        # The DELETE comes first: it takes the write lock (SQLite) or the rows (PostgreSQL) before
        # anything is read, so a concurrent change either is seen here or marks its day afterwards.
        days = sorted(s.scalars(delete(stats_dirty_days).returning(stats_dirty_days.c.day)))
        if days:
            rebuild_days(s, days)
        return days


def _runs(days: Sequence[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Contiguous runs [first, last] of sorted days."""
    start = prev = days[0]
    for d in days[1:]:
        if d != prev + dt.timedelta(days=1):
            yield start, prev
            start = d
        prev = d
    yield start, prev


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(first, dt.time(), CHINA_TZ)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    return lo, hi


def rebuild_days(s: Session, days: Sequence[dt.date]) -> None:
    """Replace the aggregates of ``days`` with values computed from the cases."""
    from clerk_app.stats import _local_day, _seconds_between  # the exact path's own expressions

    dialect = s.get_bind().dialect.name
    for first, last in _runs(sorted(set(days))):
        for table in (stats_day_counts, stats_day_hist):
            s.execute(delete(table).where(table.c.day >= first, table.c.day <= last))
        lo, hi = _bounds(first, last)
        in_range = and_(Case.decided_at >= lo, Case.decided_at < hi)
        day = _local_day(dialect)
        handling = _seconds_between(dialect, Case.started_at, Case.decided_at)
        waiting = _seconds_between(dialect, Case.ticket_at, func.coalesce(Case.called_at, Case.started_at))
        counts: Counter[tuple[Any, str, str, str]] = Counter()
        passed: Counter[tuple[Any, str, str, str]] = Counter()
        hists: dict[tuple[Any, str, str], Counter[int]] = defaultdict(Counter)
        rows = s.execute(
            select(
                day,
                Case.station_code,
                Case.status,
                Case.deficiency_due,
                Case.decided_by,
                Case.window_no,
                Case.item_code,
                Case.first_visit,
                Case.prereviewed_by,
                Case.rating,
                handling,
                waiting,
                Case.ticket_at.is_not(None),
            ).where(in_range)
        )
        for d, station, status, due, clerk, window, item, first_visit, pre, rating, h, w, ticketed in rows:
            if status == VOID:
                counts[(d, station, "void", "")] += 1
                continue
            out = outcome(status, due)
            counts[(d, station, "outcome", out)] += 1
            counts[(d, station, "clerk", "" if clerk is None else str(clerk))] += 1
            counts[(d, station, "window", window)] += 1
            counts[(d, station, "item", item)] += 1
            counts[(d, station, "rating", "" if rating is None else str(rating))] += 1
            if first_visit:
                ok = out in ("accepted", "accepted_with_deficiencies")
                for key in ((d, station, "item_first", item), (d, station, "first_pre", "1" if pre else "0")):
                    counts[key] += 1
                    passed[key] += ok
            if h is not None:
                hists[(d, station, "handling")][round(float(h))] += 1
            if ticketed and w is not None:
                hists[(d, station, "waiting")][round(float(w))] += 1
        # Missing material lines of the returned cases, in two steps: the returned cases of the
        # days, then their lines by case id. The status test is written so that no index can serve
        # it (``status || ''``): without fresh ANALYZE figures (a migration that rebuilds the cases
        # table drops them) SQLite preferred the status index and read every returned case ever,
        # 2.7 s on a million cases, instead of the day's range of ix_cases_stats, 2 ms.
        returned: dict[str, tuple[Any, str]] = {
            cid: (d, station)
            for cid, d, station in s.execute(
                select(Case.id, day, Case.station_code).where(in_range, Case.status.concat("") == RETURNED)
            )
        }
        labels: dict[tuple[Any, str, str, str], str] = {}
        ids = list(returned)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for cid, code, name in s.execute(
                select(CaseLine.case_id, CaseLine.requirement_code, CaseLine.name).where(
                    CaseLine.case_id.in_(chunk), CaseLine.status.in_(MISSING_LINE_STATUSES)
                )
            ):
                d, station = returned[cid]
                key = (d, station, "missing", code)
                counts[key] += 1
                if key not in labels or name > labels[key]:
                    labels[key] = name
        if counts:
            s.execute(
                insert(stats_day_counts),
                [
                    {
                        "day": _as_date(k[0]),
                        "station_code": k[1],
                        "dim": k[2],
                        "key": k[3],
                        "n": n,
                        "passed": passed.get(k, 0),
                        "label": labels.get(k),
                    }
                    for k, n in counts.items()
                ],
            )
        if hists:
            s.execute(
                insert(stats_day_hist),
                [
                    {"day": _as_date(k[0]), "station_code": k[1], "measure": k[2], "data": pack_histogram(h)}
                    for k, h in hists.items()
                ],
            )
    for month in sorted({d.replace(day=1) for d in days}):
        _rebuild_month(s, month)


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _rebuild_month(s: Session, month: dt.date) -> None:
    """The month's rows summed from its days (which are current)."""
    last = month_end(month)
    for table in (stats_month_counts, stats_month_hist):
        s.execute(delete(table).where(table.c.month == month))
    c = stats_day_counts.c
    rows = [
        {"month": month, "station_code": st, "dim": dim, "key": key, "n": n, "passed": p, "label": label}
        for st, dim, key, n, p, label in s.execute(
            select(c.station_code, c.dim, c.key, func.sum(c.n), func.sum(c.passed), func.max(c.label))
            .where(c.day >= month, c.day <= last)
            .group_by(c.station_code, c.dim, c.key)
        )
    ]
    if rows:
        s.execute(insert(stats_month_counts), rows)
    h = stats_day_hist.c
    blobs: dict[tuple[str, str], list[bytes]] = defaultdict(list)
    for st, measure, data in s.execute(select(h.station_code, h.measure, h.data).where(h.day >= month, h.day <= last)):
        blobs[(st, measure)].append(data)
    if blobs:
        s.execute(
            insert(stats_month_hist),
            [
                {"month": month, "station_code": st, "measure": m, "data": merge_histograms(parts)}
                for (st, m), parts in blobs.items()
            ],
        )


def range_pieces(start: dt.date, end: dt.date) -> tuple[list[tuple[dt.date, dt.date]], tuple[dt.date, dt.date] | None]:
    """The range as (day ranges, month range): whole months from the month tables, the days at the
    two ends (a partial first or last month) from the day tables."""
    first_month = start if start.day == 1 else month_end(start) + dt.timedelta(days=1)
    last_month = end.replace(day=1) if end == month_end(end) else end.replace(day=1) - dt.timedelta(days=1)
    last_month = last_month.replace(day=1)
    if first_month > end or month_end(last_month) < start or first_month > last_month:
        return [(start, end)], None
    days = []
    if start < first_month:
        days.append((start, first_month - dt.timedelta(days=1)))
    if month_end(last_month) < end:
        days.append((month_end(last_month) + dt.timedelta(days=1), end))
    return days, (first_month, last_month)


def rebuild_all(sessions: sessionmaker[Session]) -> int:
    """Mark every day that has decided cases and recompute them (after a restore); returns the days."""
    from clerk_app.stats import _local_day

    with sessions.begin() as s:
        day = _local_day(s.get_bind().dialect.name)
        days = [_as_date(d) for d in s.scalars(select(day).where(Case.decided_at.is_not(None)).distinct())]
        mark_days(s, days)
    return len(refresh(sessions))


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# -- histograms ------------------------------------------------------------------------------------


def merge_histograms(blobs: Sequence[bytes]) -> bytes:
    """Packed histograms merged into one (equal values added)."""
    import numpy as np

    pairs = np.frombuffer(b"".join(blobs), dtype="<i4").reshape(-1, 2)
    values, inverse = np.unique(pairs[:, 0], return_inverse=True)
    counts = np.bincount(inverse, weights=pairs[:, 1]).astype("<i4")
    return np.stack([values.astype("<i4"), counts], axis=1).tobytes()


def pack_histogram(hist: Counter[int]) -> bytes:
    import numpy as np

    return np.array(sorted(hist.items()), dtype="<i4").reshape(-1, 2).tobytes()


def merged_percentiles(blobs: Iterable[bytes], quantiles: Sequence[float]) -> tuple[int, list[float | None]]:
    """(count, the nearest-rank percentiles) of the union of the packed histograms."""
    import numpy as np

    from clerk_app.stats import nearest_rank_index

    pairs = np.frombuffer(b"".join(blobs), dtype="<i4").reshape(-1, 2)
    if len(pairs) == 0:
        return 0, [None for _ in quantiles]
    values, counts = pairs[:, 0].astype(np.int64), pairs[:, 1]
    lo = int(values.min())
    if int(values.max()) - lo < 1 << 22:  # dense: one bincount, already in value order
        per_value = np.bincount(values - lo, weights=counts).astype(np.int64)
        present = np.flatnonzero(per_value)
        sorted_values, sorted_counts = present + lo, per_value[present]
    else:
        order = np.argsort(values, kind="stable")
        sorted_values, sorted_counts = values[order], counts[order]
    cum = np.cumsum(sorted_counts)
    n = int(cum[-1])
    out: list[float | None] = []
    for q in quantiles:
        rank = nearest_rank_index(q, n)  # 0-based: the value with more than `rank` values at or below
        out.append(float(sorted_values[int(np.searchsorted(cum, rank, side="right"))]))
    return n, out
