"""Documents per decision and the ask/always/never policy."""

from __future__ import annotations

import pytest

from printing.model import DocumentKind as K
from printing.policy import DOCUMENTS_FOR_DECISION, PrintPolicy, plan_for_decision


def test_default_plan_per_decision() -> None:
    plan = plan_for_decision("accept_with_deficiencies")
    assert plan.print_now == (K.RECEIPT, K.DEFICIENCY_COMMITMENT) and plan.ask == (K.MATERIALS_RECEIVED,)
    assert plan_for_decision("return_with_notice").print_now == (K.ONE_TIME_NOTICE,)
    assert plan_for_decision("reject").print_now == (K.REJECTION_NOTICE,)


def test_policy_overrides() -> None:
    plan = plan_for_decision("accept", {K.RECEIPT: PrintPolicy.ASK, K.MATERIALS_RECEIVED: PrintPolicy.NEVER})
    assert plan.print_now == () and plan.ask == (K.RECEIPT,)


def test_every_decision_of_the_core_is_covered() -> None:
    from clerk_app.lifecycle import Decision

    assert {d.value for d in Decision} <= set(DOCUMENTS_FOR_DECISION)
    with pytest.raises(KeyError):
        plan_for_decision("maybe")
