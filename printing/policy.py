"""Which documents a decision produces, and whether to print each one: ask / always / never.

Keyed by the decision's value (``clerk_app.lifecycle.Decision``: accept, accept_with_deficiencies,
return_with_notice, reject) so printing does not import the core's lifecycle. The settings hold one
``PrintPolicy`` per document kind; the decision bar asks :func:`plan_for_decision` what to do.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from printing.model import DocumentKind


class PrintPolicy(enum.Enum):
    ASK = "ask"  # the decision bar offers the document, ticked
    ALWAYS = "always"  # printed on decision without asking
    NEVER = "never"  # not printed (can still be printed from the case view)


DOCUMENTS_FOR_DECISION: Mapping[str, tuple[DocumentKind, ...]] = {
    "accept": (DocumentKind.RECEIPT, DocumentKind.MATERIALS_RECEIVED),
    "accept_with_deficiencies": (
        DocumentKind.RECEIPT,
        DocumentKind.DEFICIENCY_COMMITMENT,
        DocumentKind.MATERIALS_RECEIVED,
    ),
    "return_with_notice": (DocumentKind.ONE_TIME_NOTICE,),
    "reject": (DocumentKind.REJECTION_NOTICE,),
    "delivered": (DocumentKind.DELIVERY_RECEIPT,),
}

DEFAULT_POLICY: Mapping[DocumentKind, PrintPolicy] = {
    DocumentKind.RECEIPT: PrintPolicy.ALWAYS,
    DocumentKind.ONE_TIME_NOTICE: PrintPolicy.ALWAYS,
    DocumentKind.DEFICIENCY_COMMITMENT: PrintPolicy.ALWAYS,  # needs the applicant's signature
    DocumentKind.REJECTION_NOTICE: PrintPolicy.ALWAYS,
    DocumentKind.MATERIALS_RECEIVED: PrintPolicy.ASK,
    DocumentKind.DELIVERY_RECEIPT: PrintPolicy.ALWAYS,
}


@dataclass(frozen=True)
class DecisionPrintPlan:
    print_now: tuple[DocumentKind, ...]  # ALWAYS
    ask: tuple[DocumentKind, ...]  # ASK: the clerk confirms in the decision bar


def plan_for_decision(decision: str, policy: Mapping[DocumentKind, PrintPolicy] | None = None) -> DecisionPrintPlan:
    """What to print for ``decision``; unknown decisions raise KeyError (a programming error)."""
    chosen = {**DEFAULT_POLICY, **(policy or {})}
    kinds = DOCUMENTS_FOR_DECISION[decision]
    return DecisionPrintPlan(
        print_now=tuple(k for k in kinds if chosen[k] is PrintPolicy.ALWAYS),
        ask=tuple(k for k in kinds if chosen[k] is PrintPolicy.ASK),
    )
