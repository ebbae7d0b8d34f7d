"""What the delivery page (出件) gets when a case number is typed or scanned, decided by the core (no Qt).

:func:`look_up` finds the case, names the department's result document when it has arrived, and — when
the result is ready — claims the case for this clerk; a case another window is handing out comes back
with its holder (shown read-only there). One call, run by the page off the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from clerk_app.cases import CaseClaimed, CaseService, ClaimView
from clerk_app.delivery import DeliveryCase, DeliveryService
from clerk_app.errors import ClerkAppError
from clerk_app.result_documents import ResultDocumentInfo, ResultDocumentService
from clerk_app.roles import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryLookup:
    case: DeliveryCase
    result_document: ResultDocumentInfo | None  # None: not received from the department (yet)
    claimed: bool  # this clerk holds it now and may hand it out
    holder: ClaimView | None = None  # another window holds it: read-only here
    refused: ClerkAppError | None = None  # the claim was refused for another reason

    @property
    def can_hand_out(self) -> bool:
        return self.case.ready and self.claimed


def look_up(
    delivery: DeliveryService, cases: CaseService, results: ResultDocumentService, actor: Actor, text: str
) -> DeliveryLookup:
    """The case typed or scanned as ``text``; raises the core's error when there is none."""
    case = delivery.find(actor, text)
    try:
        document = results.info(actor, case.id)
    except ClerkAppError as exc:
        log.info("result document: %s", exc)
        document = None
    if not case.ready:
        return DeliveryLookup(case, document, claimed=False)
    try:
        cases.claim(actor, case.id)
    except CaseClaimed as exc:
        return DeliveryLookup(case, document, claimed=False, holder=exc.holder, refused=exc)
    except ClerkAppError as exc:
        log.info("delivery claim refused: %s", exc)
        return DeliveryLookup(case, document, claimed=False, refused=exc)
    return DeliveryLookup(case, document, claimed=True)
