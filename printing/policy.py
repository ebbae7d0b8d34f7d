"""Which documents a decision produces, and whether to print each one: ask / always / never.

Keyed by the decision's value (``clerk_app.lifecycle.Decision``: accept, accept_with_deficiencies,
return_with_notice, reject; ``delivered`` for the handover, ``supplements`` for materials recorded after
the decision, ``material_request`` for the department's request printed at the window) so printing
does not import the core's lifecycle. The settings hold one ``PrintPolicy`` per document kind; the core's print outbox
(clerk_app/wiring/print_jobs.py) asks :func:`plan_for_decision` which jobs to write in the decision's
transaction and records the policy on each (``print`` / ``ask`` / ``queue``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from printing.model import DocumentKind


class PrintPolicy(enum.Enum):
    ASK = "ask"  # the job waits in the outbox until the clerk confirms it (offered, ticked, previewable)
    ALWAYS = "always"  # printed on decision without asking
    QUEUE = "queue"  # the job is kept in the print queue until the clerk prints it
    NEVER = "never"  # no job (can still be printed from the case view)

    @property
    def outbox(self) -> str | None:
        """How the policy is recorded on an outbox job (``print`` / ``ask`` / ``queue``); None: no job."""
        return _OUTBOX[self]


_OUTBOX = {PrintPolicy.ALWAYS: "print", PrintPolicy.ASK: "ask", PrintPolicy.QUEUE: "queue", PrintPolicy.NEVER: None}


DOCUMENTS_FOR_DECISION: Mapping[str, tuple[DocumentKind, ...]] = {
    "accept": (DocumentKind.RECEIPT, DocumentKind.MATERIALS_RECEIVED),
    "accept_with_deficiencies": (
        DocumentKind.RECEIPT,
        DocumentKind.DEFICIENCY_COMMITMENT,
        DocumentKind.MATERIALS_RECEIVED,
    ),
    "return_with_notice": (DocumentKind.ONE_TIME_NOTICE,),
    "reject": (DocumentKind.REJECTION_NOTICE,),
    # the result document only when the back office sent one (clerk_app/wiring/print_jobs.py checks)
    "delivered": (DocumentKind.DELIVERY_RECEIPT, DocumentKind.RESULT_DOCUMENT),
    # after the decision: 容缺 / 补正 materials recorded; the department's request printed for the applicant
    "supplements": (DocumentKind.SUPPLEMENT_RECEIPT,),
    "material_request": (DocumentKind.MATERIAL_REQUEST_NOTICE,),
}

DEFAULT_POLICY: Mapping[DocumentKind, PrintPolicy] = {
    DocumentKind.RECEIPT: PrintPolicy.ALWAYS,
    DocumentKind.ONE_TIME_NOTICE: PrintPolicy.ALWAYS,
    DocumentKind.DEFICIENCY_COMMITMENT: PrintPolicy.ALWAYS,  # needs the applicant's signature
    DocumentKind.REJECTION_NOTICE: PrintPolicy.ALWAYS,
    DocumentKind.MATERIALS_RECEIVED: PrintPolicy.ASK,
    DocumentKind.DELIVERY_RECEIPT: PrintPolicy.ALWAYS,
    DocumentKind.SUPPLEMENT_RECEIPT: PrintPolicy.ALWAYS,
    DocumentKind.MATERIAL_REQUEST_NOTICE: PrintPolicy.ALWAYS,  # printed when the clerk asks for it
    DocumentKind.RESULT_DOCUMENT: PrintPolicy.ALWAYS,  # handed over with the 送达回证
}


@dataclass(frozen=True)
class DecisionPrintPlan:
    print_now: tuple[DocumentKind, ...]  # ALWAYS
    ask: tuple[DocumentKind, ...]  # ASK: the clerk confirms
    queue: tuple[DocumentKind, ...] = ()  # QUEUE: kept until the clerk prints it

    def jobs(self) -> tuple[tuple[DocumentKind, str], ...]:
        """The outbox jobs the plan writes: (kind, recorded policy), in the documents' order."""
        return (
            tuple((k, "print") for k in self.print_now)
            + tuple((k, "ask") for k in self.ask)
            + tuple((k, "queue") for k in self.queue)
        )


def plan_for_decision(decision: str, policy: Mapping[DocumentKind, PrintPolicy] | None = None) -> DecisionPrintPlan:
    """What to print for ``decision``; unknown decisions raise KeyError (a programming error)."""
    chosen = {**DEFAULT_POLICY, **(policy or {})}
    kinds = DOCUMENTS_FOR_DECISION[decision]
    return DecisionPrintPlan(
        print_now=tuple(k for k in kinds if chosen[k] is PrintPolicy.ALWAYS),
        ask=tuple(k for k in kinds if chosen[k] is PrintPolicy.ASK),
        queue=tuple(k for k in kinds if chosen[k] is PrintPolicy.QUEUE),
    )
