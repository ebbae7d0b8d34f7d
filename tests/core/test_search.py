"""Case search over the real store: every criterion (ID number and name on encrypted data),
keyset pagination, who may see what, and a case's history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clerk_app.case_numbers import case_lookup_string
from clerk_app.errors import PermissionDenied
from clerk_app.lifecycle import CaseStatus
from clerk_app.search import CaseSearch, Cursor, SearchCriteria, SearchError
from clerk_app.store.models import AuditEvent, Person, PrintJob
from tests.helpers.case_factory import ITEM, decided_case, person, resident_id, to_result_ready


@pytest.fixture
def search(world):
    return CaseSearch(world.ctx.sessions, world.ctx.persons, world.ctx.auditor)


@pytest.fixture
def seeded(world):
    """Three applicants over three days; 刘洋 appears twice, once as an agent."""
    clerk = world.login("clerk")
    ctx = world.ctx
    made = {}
    made["zhang"] = decided_case(ctx, clerk, person("张三丰", 1))
    world.clock.advance(days=1)
    made["li"] = decided_case(ctx, clerk, person("李四", 2), agent=person("刘洋", 3))
    world.clock.advance(days=1)
    made["liu"] = decided_case(ctx, clerk, person("刘洋", 3))
    to_result_ready(ctx, made["liu"][0])
    return made


def ids(page):
    return [r.id for r in page.rows]


def test_by_case_number_typed_or_scanned(world, search, seeded):
    clerk = world.login("clerk")
    cid, number = seeded["li"]
    assert ids(search.search(clerk, SearchCriteria(case_number=number))) == [cid]
    assert ids(search.search(clerk, SearchCriteria(case_number=number.lower()))) == [cid]
    assert ids(search.search(clerk, SearchCriteria(case_number=case_lookup_string(number)))) == [cid]
    assert search.find_number(clerk, f"  {number} ").id == cid
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")  # check character no longer matches
    with pytest.raises(SearchError) as info:
        search.search(clerk, SearchCriteria(case_number=wrong))
    assert "校验位" in info.value.user_message("zh_CN") and number not in str(info.value)


def test_by_id_number_on_encrypted_data(world, search, seeded):
    clerk = world.login("clerk")
    with world.ctx.sessions() as s:  # the store holds no plain ID number or name
        row = s.scalars(select(Person)).first()
        assert resident_id(1).encode() not in row.pii and "张三丰".encode() not in row.pii
    assert ids(search.search(clerk, SearchCriteria(id_number=resident_id(1)))) == [seeded["zhang"][0]]
    # 刘洋 is applicant of one case and agent of another: both found, newest first
    both = search.search(clerk, SearchCriteria(id_number=resident_id(3).lower()))
    assert ids(both) == [seeded["liu"][0], seeded["li"][0]]
    assert [r.applicant_masked for r in both.rows] == ["刘*", "李*"]
    assert search.search(clerk, SearchCriteria(id_number=resident_id(999))).rows == ()
    assert search.search(clerk, SearchCriteria(id_number=resident_id(1)[:-1])).rows == ()  # exact only


def test_by_name_exact(world, search, seeded):
    clerk = world.login("clerk")
    assert ids(search.search(clerk, SearchCriteria(name=" 李四 "))) == [seeded["li"][0]]
    assert search.search(clerk, SearchCriteria(name="李")).rows == ()
    assert ids(search.search(clerk, SearchCriteria(name="刘洋", id_number=resident_id(3)))) == [
        seeded["liu"][0],
        seeded["li"][0],
    ]
    assert search.search(clerk, SearchCriteria(name="刘洋", id_number=resident_id(1))).rows == ()


def test_search_by_personal_data_is_audited_without_the_values(world, search, seeded):
    clerk = world.login("clerk")
    search.search(clerk, SearchCriteria(id_number=resident_id(1), status=CaseStatus.ACCEPTED))
    search.search(clerk, SearchCriteria(status=CaseStatus.ACCEPTED))  # no personal criterion: not audited
    with world.ctx.sessions() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.search")).all()
    assert len(events) == 1
    assert events[0].detail == {"criteria": ["id_number", "status"], "found": 1}
    assert resident_id(1) not in str(events[0].detail)


def test_by_date_range_status_and_item(world, search, seeded):
    clerk = world.login("clerk")
    day1 = dt.date(2026, 9, 28)
    assert ids(search.search(clerk, SearchCriteria(date_from=day1, date_to=day1))) == [seeded["zhang"][0]]
    assert ids(search.search(clerk, SearchCriteria(date_from=day1 + dt.timedelta(days=1)))) == [
        seeded["liu"][0],
        seeded["li"][0],
    ]
    assert ids(search.search(clerk, SearchCriteria(date_to=day1 + dt.timedelta(days=1)))) == [
        seeded["li"][0],
        seeded["zhang"][0],
    ]
    assert ids(search.search(clerk, SearchCriteria(status=CaseStatus.RESULT_READY))) == [seeded["liu"][0]]
    assert len(search.search(clerk, SearchCriteria(item_code=ITEM)).rows) == 3
    assert search.search(clerk, SearchCriteria(item_code="NO-SUCH-ITEM")).rows == ()
    row = search.search(clerk, SearchCriteria(status=CaseStatus.RESULT_READY)).rows[0]
    assert row.item_name == "个体工商户设立登记" and row.decided_at is not None
    with pytest.raises(SearchError, match="start date"):
        search.search(clerk, SearchCriteria(date_from=day1, date_to=day1 - dt.timedelta(days=1)))
    with pytest.raises(SearchError):
        search.search(clerk, SearchCriteria())


def test_keyset_pagination_visits_every_case_once(world, search):
    clerk = world.login("clerk")
    made = []
    for i in range(7):
        made.append(decided_case(world.ctx, clerk, person("王五", 10 + i))[0])
        if i % 3 == 0:
            world.clock.advance(minutes=5)  # several cases share a timestamp: the id breaks the tie
    seen, cursor = [], None
    while True:
        page = search.search(clerk, SearchCriteria(item_code=ITEM), after=cursor, limit=3)
        seen += ids(page)
        assert len(page.rows) <= 3
        if page.next is None:
            break
        assert isinstance(page.next, Cursor)
        cursor = page.next
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    rows = search.rows(clerk, seen[:2])
    assert set(rows) == set(seen[:2])


def test_who_may_search_what(world, search, seeded):
    ctx = world.ctx
    helper = world.login("prereview")
    own = ctx.cases.start_case(helper, ITEM, {"premises": "rented"})
    assert ids(search.search(helper, SearchCriteria(item_code=ITEM))) == [own]  # only their own draft
    assert search.search(helper, SearchCriteria(case_number=seeded["li"][1])).rows == ()
    assert search.rows(helper, [seeded["li"][0]]) == {}
    with pytest.raises(PermissionDenied):
        search.audit_events(helper, seeded["li"][0])
    supervisor = world.login("supervisor")
    assert len(search.search(supervisor, SearchCriteria(item_code=ITEM)).rows) == 4
    with pytest.raises(PermissionDenied):
        search.search(world.login("admin"), SearchCriteria(item_code=ITEM))


def test_case_history_documents_and_audit_as_far_as_the_role_may_see(world, search, seeded):
    clerk = world.login("clerk")
    cid = seeded["liu"][0]
    now = world.clock.now()
    with world.ctx.sessions.begin() as s:
        s.add(
            PrintJob(
                case_id=cid,
                document_kind="receipt",
                printer="front",
                pdf_sha256="0" * 64,
                status="done",
                attempts=1,
                is_reprint=False,
                created_at=now,
                updated_at=now,
            )
        )
    docs = search.documents(clerk, cid)
    # the decision's outbox jobs (receipt to print, materials list to ask about), then the one added here
    assert [(d.document_kind, d.status, d.is_reprint) for d in docs] == [
        ("receipt", "queued", False),
        ("materials_received", "asking", False),
        ("receipt", "done", False),
    ]
    mine = search.audit_events(clerk, cid)
    assert [e.action for e in mine][:2] == ["case.create", "case.applicant"]
    assert {e.actor for e in mine} == {"clerk"}  # the sync worker's status events are not the clerk's
    everything = search.audit_events(world.login("supervisor"), cid)
    assert {"case.synced", "case.result_ready"} <= {e.action for e in everything}
    assert [e.seq for e in everything] == sorted(e.seq for e in everything)


@pytest.mark.postgres
def test_search_and_keyset_paging_on_postgresql(tmp_path, postgres_url):
    """A hall sharing one PostgreSQL database: the same tokens, row-value keyset and indexes."""
    from tests.helpers.core import make_world

    world = make_world(tmp_path, database_url=postgres_url)
    try:
        clerk = world.login("clerk")
        search = CaseSearch(world.ctx.sessions, world.ctx.persons, world.ctx.auditor)
        made = [
            decided_case(world.ctx, clerk, person("王五", i), agent=person("刘洋", 50) if i == 2 else None)[0]
            for i in range(5)
        ]
        seen, cursor = [], None
        while True:
            page = search.search(
                clerk, SearchCriteria(item_code=ITEM, status=CaseStatus.ACCEPTED), after=cursor, limit=2
            )
            seen += ids(page)
            if page.next is None:
                break
            cursor = page.next
        assert sorted(seen) == sorted(made) and len(seen) == 5
        assert ids(search.search(clerk, SearchCriteria(id_number=resident_id(50)))) == [made[2]]
        day = world.clock.now().date()
        assert len(search.search(clerk, SearchCriteria(date_from=day, date_to=day, name="王五")).rows) == 5
    finally:
        world.ctx.close()


def test_result_rows_as_the_list_shows_them():
    import datetime as dt

    from clerk_app.clock import CHINA_TZ
    from clerk_app.lifecycle import CaseStatus
    from clerk_app.search import CaseRow

    at = dt.datetime(2026, 9, 28, 1, 30, tzinfo=dt.UTC)
    row = CaseRow("id-1", None, "个体工商户设立登记", CaseStatus.ACCEPTED, "张*", at, at)
    assert row.cells() == (
        "（草稿）",
        "个体工商户设立登记",
        "已受理",
        "张*",
        at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
    )
