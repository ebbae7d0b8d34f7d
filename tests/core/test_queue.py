"""The built-in hall queue: call next, recall, skip, transfer, and the times recorded on the case."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.queue import BadWindow, BuiltinQueue, NoTicketCalled, QueueEmpty


@pytest.fixture
def ctx(tmp_path):
    from clerk_app.app_context import build_context
    from clerk_app.demo import seed_demo_users
    from clerk_app.settings import Settings

    c = build_context(Settings(demo=True, data_dir=str(tmp_path)))
    seed_demo_users(c)
    yield c
    c.close()


def clerk(ctx):
    from clerk_app.demo import DEMO_USERS

    password = next(u[1] for u in DEMO_USERS if u[0] == "clerk")
    return ctx.users.authenticate("clerk", password)


def test_call_recall_skip_transfer_and_times_on_case(ctx):
    q = ctx.queue
    actor = clerk(ctx)
    with pytest.raises(QueueEmpty):
        q.call_next(actor)
    a1, a2, a3 = q.issue(), q.issue(), q.issue()
    assert [a1.number, a2.number, a3.number] == ["A001", "A002", "A003"]
    t = q.call_next(actor)
    assert t.number == "A001" and t.called_at is not None and t.calls == 1
    assert q.recall(actor).calls == 2
    assert q.skip(actor).status == "no_show"
    with pytest.raises(NoTicketCalled):
        q.recall(actor)
    assert q.call_next(actor).number == "A002"
    with pytest.raises(BadWindow):
        q.transfer(actor, "别的 窗口")
    moved = q.transfer(actor, "9")
    assert moved.status == "waiting" and moved.window_no == "9"
    # the transferred ticket is not called here; window 9 gets it before anyone else
    assert q.call_next(actor).number == "A003"
    other = BuiltinQueue(ctx.sessions, ctx.clock, ctx.auditor, "9")
    assert other.call_next(actor).number == "A002"
    # the case opened for the called ticket gets number, ticket time and call time
    item = next(iter(ctx.catalogue.active().items))
    case_id = ctx.cases.start_case(actor, item)
    started = q.start(actor, case_id)
    assert started is not None and started.status == "started"
    from clerk_app.store.models import Case

    with ctx.sessions() as s:
        case = s.get(Case, case_id)
        assert case.ticket_no == "A003"
        assert case.ticket_at == a3.issued_at and case.called_at is not None
        assert case.called_at >= case.ticket_at
    assert q.current() is None


def test_waiting_time_in_statistics_gets_values(ctx):
    """The statistics' waiting time (ticket → call) is no longer empty once a ticket starts a case."""
    actor = clerk(ctx)
    ctx.queue.issue()
    ctx.queue.call_next(actor)
    case_id = ctx.cases.start_case(actor, next(iter(ctx.catalogue.active().items)))
    ctx.queue.start(actor, case_id)
    from sqlalchemy import select

    from clerk_app.store.models import Case

    with ctx.sessions() as s:
        row = s.execute(select(Case.ticket_at, Case.called_at).where(Case.id == case_id)).one()
    assert row.ticket_at is not None and row.called_at is not None
    assert isinstance(row.called_at - row.ticket_at, dt.timedelta)


def test_open_matters_of_an_applicant_by_id_token(ctx):
    """After a card read: returned with a notice, 容缺 owed, result ready — and nothing for a plain
    accepted case (demo people 4, 6/7, 9, 3)."""
    from clerk_app.demo import _demo_person, seed_demo_cases
    from clerk_app.search import MATTER_DEFERRED, MATTER_NOTICE, MATTER_RESULT

    seed_demo_cases(ctx)
    actor = clerk(ctx)
    people = (3, 4, 6, 7, 9)
    kinds = {i: [m.kind for m in ctx.search.open_matters(actor, _demo_person(i).document_number)] for i in people}
    assert kinds == {3: [], 4: [MATTER_NOTICE], 6: [MATTER_DEFERRED], 7: [MATTER_DEFERRED], 9: [MATTER_RESULT]}
    assert ctx.search.open_matters(actor, "") == []
    assert "容缺" in ctx.search.open_matters(actor, _demo_person(6).document_number)[0].label()
