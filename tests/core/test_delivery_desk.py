"""The 出件 lookup decided by the core (clerk_app/delivery_desk.py): one call finds the case, names its
result document and claims it when it is ready; a case another person holds comes back read-only."""

from __future__ import annotations

import pytest

from clerk_app.delivery_desk import look_up
from clerk_app.errors import ClerkAppError
from tests.helpers.case_factory import decided_case, person, to_result_ready


def lookup(world, actor, text):
    ctx = world.ctx
    return look_up(ctx.delivery, ctx.cases, ctx.results, actor, text)


def test_a_ready_case_is_claimed_and_a_decided_one_is_only_shown(world):
    clerk = world.login("clerk")
    cid, number = decided_case(world.ctx, clerk, person("李四", 2))
    found = lookup(world, clerk, number)
    assert found.case.id == cid and not found.case.ready and not found.claimed and not found.can_hand_out
    assert world.ctx.cases.claim_of(cid) is None
    to_result_ready(world.ctx, cid)
    found = lookup(world, clerk, number)
    assert found.can_hand_out and found.holder is None and found.result_document is None
    assert world.ctx.cases.claim_of(cid).user_id == clerk.user_id


def test_a_case_someone_else_holds_comes_back_with_the_holder(world):
    clerk, supervisor = world.login("clerk"), world.login("supervisor")
    cid, number = decided_case(world.ctx, clerk, person("王五", 3))
    to_result_ready(world.ctx, cid)
    world.ctx.cases.claim(supervisor, cid)
    found = lookup(world, clerk, number)
    assert not found.claimed and found.holder is not None and found.holder.user_id == supervisor.user_id
    assert found.refused is not None and "只能查看" in found.refused.user_message()


def test_no_such_case_is_the_cores_error(world):
    with pytest.raises(ClerkAppError):
        lookup(world, world.login("clerk"), "WH01XYZ")
