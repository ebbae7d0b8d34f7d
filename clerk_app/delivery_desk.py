"""What the delivery page (出件) gets when a case number is typed or scanned, decided by the core (no Qt).

:func:`look_up` finds the case, names the department's result document when it has arrived, and — when
the result is ready — claims the case for this clerk; a case another window is handing out comes back
with its holder (shown read-only there). One call, run by the page off the GUI thread.

And what the page says, in the clerk's language: the case's facts, the result document, whether the
case can be handed out, whose ID matched, what the handover did, why a card could not be read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.card_workflow import AccessKeyNeeded
from clerk_app.case_sheet import SUMMARY
from clerk_app.cases import CaseClaimed, CaseService, ClaimView
from clerk_app.delivery import CollectorCheck, CollectorRole, DeliveryCase, DeliveryReceipt, DeliveryService
from clerk_app.errors import ClerkAppError
from clerk_app.lifecycle import STATUS_LABELS
from clerk_app.result_documents import ResultDocumentInfo, ResultDocumentService
from clerk_app.roles import Actor

log = logging.getLogger(__name__)
_r = i18n.register
_NOT_READY = _r(
    "delivery.not_ready",
    "该案件不能出件：当前状态为“{status}”，不是“待出件”。",
    "This case cannot be handed out: its status is “{status}”, not “Result ready”.",
)
_READY = _r(
    "delivery.ready",
    "办理结果已到窗口。请核验领取人证件后确认出件。",
    "Result ready. Check the collector's ID, then confirm.",
)
_NO_DOCUMENT = _r("delivery.no_result_document", "尚未收到审批部门的办理结果文书", "not received from the department")
_DOCUMENT = _r(
    "delivery.result_document",
    "{name}（{kb} KB）：出件时与送达回证一并打印",
    "{name} ({kb} KB): printed with the delivery receipt",
)
_NO_AGENT = _r("delivery.no_agent", "（无）", "(none)")
_WHO = {
    CollectorRole.APPLICANT: _r("delivery.the_applicant", "申请人本人", "the applicant"),
    CollectorRole.AGENT: _r("delivery.the_agent", "代理人", "the agent"),
}
_ID_MATCHES = _r("delivery.id_matches", "证件核验一致：{who}（{id}）。", "ID matches {who} ({id}).")
_HANDED = _r("delivery.handed", "已出件：案件 {number} 已交{who}领取。", "Delivered: case {number} handed to {who}.")
_SENT = _r(
    "delivery.sent",
    "已出件：案件 {number} 已通过{courier}寄出，单号 {tracking}。",
    "Delivered: case {number} sent by {courier}, tracking number {tracking}.",
)
_PRINTED = _r(
    "delivery.printed",
    "送达回证和办理结果文书已送打印机。",
    "The delivery receipt and the result document go to the printer.",
)
_NEEDS_MRZ = _r(
    "delivery.needs_mrz",
    "该证件需要机读码密钥才能读取，请手工输入证件号码。",
    "This document needs its MRZ key: type its number instead.",
)
_UNREADABLE = _r("delivery.card_unreadable", "证件无法读取", "The card could not be read")


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

    @property
    def message(self) -> str:
        """What the page says: check the collector, or why this case cannot be handed out here."""
        if not self.case.ready:
            return i18n.text(_NOT_READY, status=i18n.text(STATUS_LABELS[self.case.status]))
        if self.refused is not None:
            return self.refused.user_message()
        return i18n.text(_READY)


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


def case_facts(case: DeliveryCase | None) -> list[tuple[str, str, str]]:
    """The case's summary as (key, label, value), masked as DeliveryCase holds it; "—" without a case."""
    label = {
        key: i18n.text(SUMMARY[key]) for key in ("case_number", "item", "status", "applicant", "agent", "promised")
    }
    if case is None:
        return [(key, text, "—") for key, text in label.items()]
    agent = f"{case.agent_name}  {case.agent_id}" if case.agent_name is not None else i18n.text(_NO_AGENT)
    values = {
        "case_number": case.case_number,
        "item": f"{case.item_name}（{case.item_code}）",
        "status": i18n.text(STATUS_LABELS[case.status]),
        "applicant": f"{case.applicant_name}  {case.applicant_id}".strip() or "—",
        "agent": agent,
        "promised": case.promised_date.isoformat() if case.promised_date else "—",
    }
    return [(key, text, values[key]) for key, text in label.items()]


def result_document_text(case: DeliveryCase | None, document: ResultDocumentInfo | None) -> str:
    if document is not None:
        return i18n.text(_DOCUMENT, name=document.name, kb=max(1, round(document.size / 1024)))
    return i18n.text(_NO_DOCUMENT) if case is not None and case.ready else "—"


def collector_text(check: CollectorCheck) -> str:
    """Whose ID the typed or read number matched (masked)."""
    return i18n.text(_ID_MATCHES, who=i18n.text(_WHO[check.role]), id=check.masked_id)


def handover_text(receipt: DeliveryReceipt, printed: bool) -> str:
    """What the handover did; ``printed``: the result document goes to the printer with the receipt."""
    if receipt.collector is not None:
        text = i18n.text(_HANDED, number=receipt.case_number, who=i18n.text(_WHO[receipt.collector.role]))
    else:
        text = i18n.text(_SENT, number=receipt.case_number, courier=receipt.courier, tracking=receipt.tracking_number)
    return f"{text} {i18n.text(_PRINTED)}" if printed else text


def card_problem(exc: BaseException) -> str:
    """Why the collector's card gave no number (a passport's number is typed instead)."""
    if isinstance(exc, AccessKeyNeeded):
        return i18n.text(_NEEDS_MRZ)
    return exc.user_message() if isinstance(exc, ClerkAppError) else i18n.text(_UNREADABLE)
