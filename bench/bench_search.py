"""Case search on a local store with 1,000,000 cases.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_search.py [--cases N]
Builds a throw-away SQLite store through the app's own migrations, bulk-inserts N cases and their
applicants (Core executemany in chunks; the case indexes are dropped during the load and rebuilt,
as a restore would do), then reports the median time of each search over several runs, against two
floors measured in the same run on the same store: a primary-key lookup of one case through the same
session factory, and a `SELECT 1` round trip.

Applicants are stored as the app stores them: an opaque blob (never decrypted by search) plus keyed
tokens of the ID number and name computed with the store's real search key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._util import median_seconds  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "玉兰",
    "志强",
    "海燕",
    "鹏",
    "宇",
    "浩",
    "欣怡",
    "子涵",
    "梓轩",
    "雨桐",
    "一诺",
    "思远",
    "晓东",
]
REGIONS = ("420102", "420106", "110105", "310101", "440106", "510104", "330106", "320102")
STATUSES = (
    ("delivered", 70),
    ("returned_with_notice", 8),
    ("result_ready", 5),
    ("in_approval", 5),
    ("accepted", 5),
    ("draft", 3),
    ("rejected", 2),
    ("void", 2),
)
SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's DateTime stores values on SQLite


def resident_id(i: int) -> str:
    from clerk_app.identity import resident_id_check_char

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
    body = f"{REGIONS[i % len(REGIONS)]}{birth:%Y%m%d}{(i // 20000) % 1000:03d}"
    return body + resident_id_check_char(body)


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _mod1271_prefix(prefix: str) -> int:
    # ISO/IEC 7064 MOD 1271-36 as in clerk_app.case_numbers.check_chars, resumable: the remainder of
    # the station+date prefix is computed once per day (1M numbers would otherwise take much longer).
    return int(prefix, 36) % 1271


def _mod1271_check(prefix_rem: int, digits: str) -> str:
    r = (prefix_rem * 36 ** len(digits) + int(digits, 36)) % 1271
    c = (1 - r * 36 * 36) % 1271
    return _ALNUM[c // 36] + _ALNUM[c % 36]


def generate(ctx, n: int, seed: int = 2026, people: int = 300_000) -> dict[str, object]:
    """Bulk-load n cases whose applicants come from a pool of ``people`` identities (people come
    back: one person row per case, as the app writes them, but ID numbers repeat); one case in ten
    has an agent. Returns samples to search for and the load timings."""
    from clerk_app.case_numbers import check_chars, format_case_number
    from clerk_app.identity import mask_id_number, mask_name

    rnd = random.Random(seed)
    items = sorted((it.code, it.name) for it in ctx.catalogue.active().items.values())
    status_pool = [s for s, w in STATUSES for _ in range(w)]
    names = [s + g for s in SURNAMES for g in GIVEN]
    name_tokens = {nm: ctx.persons.name_token(nm) for nm in names}
    name_masks = {nm: mask_name(nm) for nm in names}
    people = min(people, max(1000, n // 2))
    pool = []
    for i in range(people):
        idn = resident_id(i)
        pool.append((idn, ctx.persons.id_token(idn), mask_id_number(idn)))
    blob = os.urandom(96)  # stands in for the AES-GCM record: search never decrypts it
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    span_s = 3 * 365 * 86400
    day_cache: dict[int, tuple[str, int, str]] = {}
    seq_per_day: dict[int, int] = {}
    raw = ctx.engine.raw_connection()
    cur = raw.cursor()
    # Load settings for this connection only (the app's own connections keep theirs): no fsync, FK
    # checks off (the rows are consistent by construction), a large page cache for the random-UUID
    # primary keys.
    for pragma in ("synchronous=OFF", "foreign_keys=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
        cur.execute(f"PRAGMA {pragma}")
    indexes = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        "AND tbl_name IN ('cases', 'persons')"
    ).fetchall()
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    samples: dict[str, list] = {"numbers": [], "ids": [], "names": []}
    case_sql = (
        "INSERT INTO cases (id, case_number, station_code, window_no, item_code, item_name, "
        "catalogue_version, status, applicant_id, agent_id, answers, created_by, decided_by, first_visit, "
        "started_at, decided_at, created_at, updated_at, row_version) "
        "VALUES (?, ?, 'WH01', '03', ?, ?, 'bench', ?, ?, ?, '{}', 2, ?, 1, ?, ?, ?, ?, 1)"
    )
    person_sql = (
        "INSERT INTO persons (id, kind, pii, id_token, name_token, id_masked, name_masked, verified_by, "
        "created_at) VALUES (?, 'person', ?, ?, ?, ?, ?, 'chip', ?)"
    )
    chunk = 50_000

    def uuids(k: int) -> list[str]:
        h = os.urandom(16 * k).hex()
        return [
            f"{h[j : j + 8]}-{h[j + 8 : j + 12]}-{h[j + 12 : j + 16]}-{h[j + 16 : j + 20]}-{h[j + 20 : j + 32]}"
            for j in range(0, 32 * k, 32)
        ]

    t0 = time.perf_counter()
    for base in range(0, n, chunk):
        top = min(n, base + chunk)
        k = top - base
        cases, persons = [], []
        statuses = rnd.choices(status_pool, k=k)
        who = rnd.choices(pool, k=k)
        called = rnd.choices(names, k=k)
        agents = rnd.choices(pool, k=k // 10 + 1)
        agent_names = rnd.choices(names, k=k // 10 + 1)
        person_ids, case_ids, agent_ids = uuids(k), uuids(k), uuids(k // 10 + 1)
        for j, i in enumerate(range(base, top)):
            sec = span_s * i // n
            day_no, in_day = divmod(sec, 86400)
            if day_no not in day_cache:
                day = (start + dt.timedelta(days=day_no)).date()
                prefix = f"WH01{day:%Y%m%d}"
                day_cache[day_no] = (day.isoformat(), _mod1271_prefix(prefix), prefix)
            day_iso, state, prefix = day_cache[day_no]
            h, rem = divmod(in_day, 3600)
            ts = f"{day_iso} {h:02d}:{rem // 60:02d}:{rem % 60:02d}.{(i * 7919) % 1000000:06d}"
            status = statuses[j]
            code, item_name = items[i % len(items)]
            number = decided = None
            if status != "draft":
                seq = seq_per_day[day_no] = seq_per_day.get(day_no, 0) + 1
                body = f"{seq:05d}"
                number = prefix + body + _mod1271_check(state, body)
                m = rem // 60 + 12
                decided = f"{day_iso} {h + m // 60:02d}:{m % 60:02d}:{rem % 60:02d}.000000" if h < 23 else ts
            idn, token, masked = who[j]
            name = called[j]
            pid = person_ids[j]
            persons.append((pid, blob, token, name_tokens[name], masked, name_masks[name], ts))
            agent = None
            if i % 10 == 0:  # one case in ten through an agent
                _, atoken, amasked = agents[j // 10]
                aname = agent_names[j // 10]
                agent = agent_ids[j // 10]
                persons.append((agent, blob, atoken, name_tokens[aname], amasked, name_masks[aname], ts))
            cases.append(
                (case_ids[j], number, code, item_name, status, pid, agent, 2 if decided else None, ts, decided, ts, ts)
            )
            if i % 9973 == 0:
                samples["ids"].append(idn)
                samples["names"].append(name)
                if number:
                    samples["numbers"].append(number)
        cur.executemany(person_sql, persons)
        cur.executemany(case_sql, cases)
        raw.commit()
    load = time.perf_counter() - t0
    number = samples["numbers"][0]
    assert (
        number
        == format_case_number(
            "WH01", dt.date.fromisoformat(f"{number[4:8]}-{number[8:10]}-{number[10:12]}"), int(number[12:17])
        )
        and check_chars(number[:-2]) == number[-2:]
    )
    t1 = time.perf_counter()
    for _, sql in indexes:
        cur.execute(sql)
    raw.commit()
    reindex = time.perf_counter() - t1
    for pragma in ("synchronous=NORMAL", "foreign_keys=ON", "cache_size=-2000"):
        cur.execute(f"PRAGMA {pragma}")
    raw.close()
    return {**samples, "load_s": load, "index_s": reindex}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select, text

    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.lifecycle import CaseStatus
    from clerk_app.search import CaseSearch, SearchCriteria
    from clerk_app.settings import Settings
    from clerk_app.store.models import Case
    from testsupport.ui import wait_idle
    from ui.search.model import CaseResultModel

    app = QApplication.instance() or QApplication([])  # noqa: F841 (the model wants one)
    data = tempfile.mkdtemp(prefix="bench-search-")
    ctx = build_context(Settings(demo=True, data_dir=data))
    seed_demo_users(ctx)
    clerk = ctx.users.authenticate("clerk", "Clerk2026")
    t0 = time.perf_counter()
    samples = generate(ctx, args.cases)
    total = time.perf_counter() - t0
    db = Path(data) / "clerk-app.db"
    size = sum(p.stat().st_size for p in Path(data).glob("*.db*")) / 1e6
    print(
        f"store: {args.cases:,} cases + applicants, generated in {total:.0f} s "
        f"(insert {samples['load_s']:.0f} s, rebuild indexes {samples['index_s']:.0f} s), {size:.0f} MB "
        f"({db.name if db.exists() else 'sqlite'})"
    )

    search = CaseSearch(ctx.sessions, ctx.persons, ctx.auditor)
    with ctx.sessions() as s:
        some_ids = [r[0] for r in s.execute(text("SELECT id FROM cases WHERE rowid % 997 = 0 LIMIT 200")).all()]

    def cycler(values):  # a different target on each run: no single hot row
        it = iter(values * (args.runs * 4 // max(1, len(values)) + 2))
        return lambda: next(it)

    next_id, next_number = cycler(some_ids), cycler(samples["numbers"])
    next_idn, next_name = cycler(samples["ids"]), cycler(samples["names"])

    def floor_pk() -> None:
        with ctx.sessions() as s:
            s.execute(select(Case.id, Case.status).where(Case.id == next_id())).all()

    def floor_one() -> None:
        with ctx.sessions() as s:
            s.execute(text("SELECT 1")).all()

    day = dt.date(2024, 6, 1)
    month = SearchCriteria(status=CaseStatus.DELIVERED, date_from=day, date_to=day + dt.timedelta(days=30))

    def by_number() -> None:
        assert len(search.search(clerk, SearchCriteria(case_number=next_number())).rows) == 1

    def by_id() -> None:
        assert search.search(clerk, SearchCriteria(id_number=next_idn())).rows

    def by_name() -> None:
        assert search.search(clerk, SearchCriteria(name=next_name())).rows

    def by_status_dates() -> None:
        assert len(search.search(clerk, month).rows) == 100

    def by_rare_status() -> None:
        assert search.search(clerk, SearchCriteria(status=CaseStatus.RESULT_READY)).rows

    model = CaseResultModel(search, clerk)

    def first_page_model() -> None:
        model.show_first(month, model.read_first(month))
        for r in range(30):  # what a table view draws on a first screen
            for c in range(model.columnCount()):
                model.data(model.index(r, c))

    def deep_page_model() -> None:
        delivered = SearchCriteria(status=CaseStatus.DELIVERED)
        model.show_first(delivered, model.read_first(delivered))
        for _ in range(49):
            model.fetchMore()  # read off the GUI thread: wait for the page (wait_idle)
            wait_idle(model)
        assert model.rowCount() == 5000

    runs = args.runs
    floor_pk()
    floors = {"primary-key lookup": median_seconds(floor_pk, runs), "SELECT 1": median_seconds(floor_one, runs)}
    cases = [
        ("case number (exact)", by_number),
        ("ID number (keyed token, applicant or agent)", by_id),
        ("name (keyed token)", by_name),
        ("status + 31-day date range, first 100", by_status_dates),
        ("rare status (result_ready), first 100", by_rare_status),
        ("first page via the model (search + 30 rows drawn)", first_page_model),
    ]
    for _label, fn in cases:
        fn()  # warm
    print(
        f"floors: primary-key lookup {floors['primary-key lookup'] * 1000:.2f} ms, "
        f"SELECT 1 {floors['SELECT 1'] * 1000:.2f} ms (median of {runs})"
    )
    pk = floors["primary-key lookup"]
    for label, fn in cases:
        m = median_seconds(fn, runs)
        print(f"{label:55s} median {m * 1000:7.2f} ms   {m / pk:5.1f}x PK lookup")
    deep = median_seconds(deep_page_model, 3)
    print(
        f"{'50 pages of 100 via fetchMore (keyset), total':55s} median {deep * 1000:7.2f} ms   "
        f"{deep / 50 / pk:5.1f}x PK lookup per page"
    )
    with ctx.engine.connect() as c:
        for label, crit in (("ID number", SearchCriteria(id_number=samples["ids"][0])), ("status + dates", month)):
            stmt = search._statement(clerk, crit).order_by(Case.created_at.desc(), Case.id.desc()).limit(101)
            compiled = stmt.compile(ctx.engine, compile_kwargs={"literal_binds": True})
            plan = c.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            print(f"plan ({label}): " + " | ".join(row[-1] for row in plan))
    ctx.close()


if __name__ == "__main__":
    main()
