"""The demo has something on every page: cases in every state of the lifecycle, made through the core
services (so their audit trail is real), once."""

from __future__ import annotations

from sqlalchemy import select

from clerk_app.demo import seed_demo_cases
from clerk_app.lifecycle import CaseStatus
from clerk_app.store.models import Case


def test_demo_cases_cover_every_state_once(world):
    ctx = world.ctx
    assert seed_demo_cases(ctx) >= len(CaseStatus)
    assert seed_demo_cases(ctx) == 0  # a second start adds nothing
    with ctx.sessions() as s:
        statuses = {CaseStatus(v) for v in s.scalars(select(Case.status)).all()}
    assert statuses == set(CaseStatus)
    assert ctx.auditor.verify() is None
    clerk = world.login("clerk")
    # F4 has a result to hand out, the 容缺 worklist has an overdue case
    with ctx.sessions() as s:
        ready = s.scalar(select(Case.case_number).where(Case.status == CaseStatus.RESULT_READY.value))
        overdue = s.scalar(
            select(Case.id).where(Case.deficiency_due < world.clock.now().date(), Case.deficiency_due.is_not(None))
        )
    assert ctx.delivery.find(clerk, ready).ready
    assert overdue is not None
    assert len(ctx.cases.drafts(clerk, ready_only=True)) == 2  # handed over by 帮办


def test_demo_cases_queue_no_paper(world):
    """Seeded history prints nothing: the outbox is detached while the demo cases are made, and back after."""
    from sqlalchemy import func, select

    from clerk_app.store.models import PrintJob

    ctx = world.ctx
    outbox = ctx.cases.print_outbox
    assert outbox is not None and seed_demo_cases(ctx) > 0
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 0
    assert ctx.cases.print_outbox is outbox
