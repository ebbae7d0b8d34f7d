"""Every transition, allowed and forbidden, for every role (pure rules) — and the service enforces
the same table (see test_cases.py for the flows over the store)."""

from __future__ import annotations

import itertools

import pytest

from clerk_app.errors import PermissionDenied
from clerk_app.lifecycle import TRANSITIONS, CaseStatus, TransitionForbidden, check_transition
from clerk_app.roles import ROLE_PERMISSIONS, Actor, Role

ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))


def actor(role: Role) -> Actor:
    return Actor(1, role.value, role, "WH01")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("current,target", ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_transition_table(role, current, target):
    permission = TRANSITIONS.get((current, target))
    if permission is None:
        with pytest.raises(TransitionForbidden):
            check_transition(current, target)
        return
    assert check_transition(current, target) is permission
    if permission in ROLE_PERMISSIONS[role]:
        actor(role).require(permission)
    else:
        with pytest.raises(PermissionDenied):
            actor(role).require(permission)


def test_expected_shape_of_the_lifecycle():
    S = CaseStatus  # noqa: N806 - short alias of the enum
    # prereview never decides, delivers or voids; supervisors void but never accept.
    for perm_holder, pairs in {
        Role.PREREVIEW: [(S.DRAFT, S.READY_FOR_WINDOW)],
        Role.CLERK: [
            (S.DRAFT, S.ACCEPTED),
            (S.READY_FOR_WINDOW, S.REJECTED),
            (S.RESULT_READY, S.DELIVERED),
            (S.ACCEPTED_WITH_DEFICIENCIES, S.SUPPLEMENTS_RECEIVED),
        ],
        Role.SUPERVISOR: [(S.ACCEPTED, S.VOID), (S.DRAFT, S.VOID)],
        Role.SYSTEM: [
            (S.ACCEPTED, S.SYNCED),
            (S.SYNCED, S.IN_APPROVAL),
            (S.IN_APPROVAL, S.APPROVED),
            (S.APPROVED, S.RESULT_READY),
        ],
    }.items():
        for pair in pairs:
            assert TRANSITIONS[pair] in ROLE_PERMISSIONS[perm_holder], pair
    assert TRANSITIONS[(S.DRAFT, S.ACCEPTED)] not in ROLE_PERMISSIONS[Role.PREREVIEW]
    assert TRANSITIONS[(S.DRAFT, S.ACCEPTED)] not in ROLE_PERMISSIONS[Role.SUPERVISOR]
    assert TRANSITIONS[(S.ACCEPTED, S.VOID)] not in ROLE_PERMISSIONS[Role.CLERK]
    assert (S.DELIVERED, S.VOID) not in TRANSITIONS and (S.VOID, S.DRAFT) not in TRANSITIONS
    assert (S.RETURNED_WITH_NOTICE, S.ACCEPTED) not in TRANSITIONS


def test_forbidden_messages_are_clear():
    with pytest.raises(TransitionForbidden) as info:
        check_transition(CaseStatus.REJECTED, CaseStatus.ACCEPTED)
    assert info.value.user_message("zh_CN") == "案件状态为“不予受理”，不能变更为“已受理”"
    assert "Rejected" in str(info.value)
    with pytest.raises(PermissionDenied) as denied:
        actor(Role.PREREVIEW).require(TRANSITIONS[(CaseStatus.DRAFT, CaseStatus.ACCEPTED)])
    assert denied.value.user_message("zh_CN") == "当前角色（帮办（预审））无权执行：作出受理决定"
