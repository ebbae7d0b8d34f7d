"""Applicant confirmation as a hall rule (issue 17): with ``customer_confirmation_required`` an
acceptance needs the applicant's confirmation of the current checklist; a change after it needs a
new one; the rule says why in Chinese; other decisions are not held up; off by default."""

from __future__ import annotations

import pytest

from clerk_app.lifecycle import CaseStatus, Decision, DecisionNotAllowed, LineStatus
from tests.helpers.case_factory import ITEM, person
from tests.helpers.core import make_world


def ready(ctx, clerk) -> str:
    cid = ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    ctx.cases.set_applicant(clerk, cid, person("王芳", 5))
    for line in ctx.cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    return cid


def test_acceptance_waits_for_the_applicants_confirmation_of_the_current_list(tmp_path):
    world = make_world(tmp_path, customer_confirmation_required=True)
    ctx = world.ctx
    try:
        clerk = world.login("clerk")
        cid = ready(ctx, clerk)
        check = ctx.cases.check_decision(cid, Decision.ACCEPT)
        assert not check.allowed and "确认" in check.why
        with pytest.raises(DecisionNotAllowed):
            ctx.cases.decide(cid, Decision.ACCEPT, clerk)
        assert ctx.cases.check_decision(cid, Decision.REJECT).allowed  # a refusal needs no confirmation

        ctx.customer.confirm_materials(clerk, cid)
        assert ctx.cases.check_decision(cid, Decision.ACCEPT).allowed
        first = next(ln for ln in ctx.cases.get(clerk, cid).lines if ln.status is LineStatus.RECEIVED)
        ctx.cases.update_line(clerk, cid, first.code, status=LineStatus.VERIFIED)  # the list changed since
        assert not ctx.customer.confirmation(cid).current
        assert not ctx.cases.check_decision(cid, Decision.ACCEPT).allowed  # confirmed again first
        ctx.customer.confirm_materials(clerk, cid)
        result = ctx.cases.decide(cid, Decision.ACCEPT, clerk)
        assert result.status is CaseStatus.ACCEPTED
        assert ctx.customer.confirmation(cid).current  # recorded on the case (and on the receipt)
    finally:
        ctx.close()


def test_off_by_default(tmp_path):
    world = make_world(tmp_path)
    try:
        clerk = world.login("clerk")
        assert world.ctx.settings.customer_confirmation_required is False
        assert world.ctx.cases.check_decision(ready(world.ctx, clerk), Decision.ACCEPT).allowed
    finally:
        world.ctx.close()
