"""From the core's case to a printable document: :func:`document_context` maps a ``CaseView`` (already
masked by the core), the catalogue item and the hall settings onto a :class:`DocumentContext`.

What each part comes from:

- hall header (name, address, phone), layout (``print_layout``), the remedies named on a rejection
  notice (``reconsideration_body``, ``litigation_court``): the settings;
- window: the case's window (where it was decided), the clerk's staff number: the caller (the signed-in
  user); case number and QR payload: ``case_lookup_string(case_number)`` — what the delivery window's
  scanner reads back;
- item code/name from the case (as decided), department, promised and legal working days and the
  legal basis default from the catalogue item;
- applicant and agent: display name and the **masked** ID number exactly as ``CaseService.get`` returns
  them (the caller may pass the applicant's full name, which it fetched through the audited
  ``CaseService.applicant_data(..., purpose="print")``);
- material lines: every checklist line with counts and status; for a missing, incomplete, defective or
  deferred line, the reason and exactly what to bring, from ``clerk_app.lifecycle.build_notice`` /
  ``what_to_bring`` (the same text the one-time notice preview shows).

Pure mapping: no database, no Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from clerk_app.case_numbers import case_lookup_string
from clerk_app.cases import CaseView, LineView
from clerk_app.catalogue.model import ServiceItem
from clerk_app.clock import CHINA_TZ
from clerk_app.lifecycle import CaseStatus, LineState, build_notice, what_to_bring
from clerk_app.lifecycle import LineStatus as CoreLineStatus
from clerk_app.settings import Settings, parse_print_policy
from printing.model import (
    DeliveryInfo,
    DeliveryMethod,
    DocumentContext,
    DocumentKind,
    HallHeader,
    LineStatus,
    MaterialForm,
    MaterialLine,
    PageLayout,
    RejectionInfo,
)
from printing.policy import DOCUMENTS_FOR_DECISION, PrintPolicy

OPTIONAL_NOT_GIVEN = "选择性材料，未提交"

# The case status a decision leads to, by decision value (clerk_app.lifecycle.DECISION_STATUS).
_DECISION_BY_STATUS = {
    CaseStatus.ACCEPTED.value: "accept",
    CaseStatus.ACCEPTED_WITH_DEFICIENCIES.value: "accept_with_deficiencies",
    CaseStatus.RETURNED_WITH_NOTICE.value: "return_with_notice",
    CaseStatus.REJECTED.value: "reject",
}


class NotPrintable(ValueError):
    """The case cannot produce this document (a draft without a case number, a notice with nothing
    missing ...). English text for the log; the UI shows its own sentence."""


def print_policy(settings: Settings) -> dict[DocumentKind, PrintPolicy]:
    """The settings' ``print_policy`` overrides as the mapping ``plan_for_decision`` takes."""
    return {DocumentKind(k): PrintPolicy(v) for k, v in parse_print_policy(settings.print_policy).items()}


def hall_header(settings: Settings) -> HallHeader:
    return HallHeader(name=settings.hall_name, address=settings.hall_address, phone=settings.hall_phone)


def case_decision(view: CaseView) -> str | None:
    """The decision taken on the case (accept, reject, ...), from its status history."""
    for t in reversed(view.transitions):
        if t.to_status in _DECISION_BY_STATUS:
            return _DECISION_BY_STATUS[t.to_status]
    return None


def documents_for_case(view: CaseView) -> tuple[DocumentKind, ...]:
    """The documents the case's decision (and a handover, if any) produced: what may be reprinted."""
    kinds: list[DocumentKind] = []
    decision = case_decision(view)
    if decision is not None:
        kinds += DOCUMENTS_FOR_DECISION[decision]
    if view.status is CaseStatus.DELIVERED:
        kinds.append(DocumentKind.DELIVERY_RECEIPT)
    return tuple(kinds)


def _state(line: LineView) -> LineState:
    return LineState(
        code=line.code,
        name=line.name,
        form=line.form,
        originals_required=line.originals_required,
        copies_required=line.copies_required,
        necessity=line.necessity,
        key_material=line.key_material,
        deferrable=line.deferrable,
        status=CoreLineStatus(line.status.value),
        originals_received=line.originals_received,
        copies_received=line.copies_received,
        reason=line.reason,
        due_date=line.due_date,
    )


def material_lines(view: CaseView, item: ServiceItem | None) -> tuple[MaterialLine, ...]:
    """Every checklist line of the case as printed, with reason and what to bring where one is owed."""
    states = [_state(ln) for ln in view.lines]
    todo: dict[str, tuple[str, str]] = {}
    if item is not None:
        for entry in build_notice(item, states).entries:
            todo[entry.code] = (entry.reason, entry.what_to_bring)
    else:  # the item left the catalogue: still say what to bring, without the catalogue's notes
        for st in states:
            if st.status is CoreLineStatus.DEFECTIVE or (
                st.counts and st.status in (CoreLineStatus.PENDING, CoreLineStatus.DEFERRED)
            ):
                todo[st.code] = (
                    st.reason or ("材料不符合要求" if st.status is CoreLineStatus.DEFECTIVE else "未提交"),
                    what_to_bring(st),
                )
    out = []
    for ln in view.lines:
        status = LineStatus(ln.status.value)
        reason, bring = ln.reason or "", ""
        if ln.code in todo:
            notice_reason, bring = todo[ln.code]
            if status is not LineStatus.DEFERRED:
                reason = notice_reason
        elif status is LineStatus.PENDING and ln.necessity != "required":
            # An optional material not handed in is not owed: never list it on a notice.
            status, reason = LineStatus.NOT_REQUIRED, OPTIONAL_NOT_GIVEN
        due = (ln.due_date or view.deficiency_due) if status is LineStatus.DEFERRED else None
        out.append(
            MaterialLine(
                name=ln.name,
                form=MaterialForm(ln.form),
                originals_required=ln.originals_required,
                copies_required=ln.copies_required,
                originals_received=ln.originals_received,
                copies_received=ln.copies_received,
                status=status,
                reason=reason,
                what_to_bring=bring,
                due_date=due,
            )
        )
    return tuple(out)


def _china(value: dt.datetime) -> dt.datetime:
    return value.astimezone(CHINA_TZ) if value.tzinfo is not None else value


def delivery_from_case(view: CaseView, item: ServiceItem | None) -> DeliveryInfo:
    """What the case's handover transition recorded (method, time); receiver left for the caller."""
    handover = next((t for t in reversed(view.transitions) if t.to_status == CaseStatus.DELIVERED.value), None)
    method = DeliveryMethod.EXPRESS if handover and handover.reason == "express" else DeliveryMethod.WINDOW
    return DeliveryInfo(
        method=method,
        result_name=item.result_name if item else "",
        delivered_at=_china(handover.at) if handover else None,
    )


def document_context(
    kind: DocumentKind,
    view: CaseView,
    item: ServiceItem | None,
    settings: Settings,
    *,
    clerk_staff_no: str,
    now: dt.datetime,
    applicant_name: str | None = None,
    delivery: DeliveryInfo | None = None,
    reprint: bool = False,
    supplement: tuple[dt.datetime, tuple[str, ...]] | None = None,
) -> DocumentContext:
    """The context for ``kind`` of a decided case. ``item`` is the catalogue item (None when it is no
    longer in the active catalogue: the case's own item code/name and lines still print). ``now`` is
    the reprint time and the fallback decision time. ``supplement`` (a 补正材料收件凭证): when the
    materials came and their line codes. Raises :class:`NotPrintable`."""
    if not view.case_number:
        raise NotPrintable("the case has no case number yet (not decided)")
    if kind is DocumentKind.DELIVERY_RECEIPT and delivery is None:
        delivery = delivery_from_case(view, item)
    rejection = None
    if kind is DocumentKind.REJECTION_NOTICE:
        rejection = RejectionInfo(
            reason=view.decision_reason or "",
            legal_basis=view.legal_basis or (item.legal_basis if item else ""),
            reconsideration_body=settings.reconsideration_body,
            litigation_court=settings.litigation_court,
        )
    decided = view.decided_at
    if kind is DocumentKind.DELIVERY_RECEIPT and delivery is not None and delivery.delivered_at is not None:
        decided = delivery.delivered_at
    lines = material_lines(view, item)
    supplemented: tuple[MaterialLine, ...] = ()
    if kind is DocumentKind.SUPPLEMENT_RECEIPT:
        if supplement is None:
            raise NotPrintable("no supplement recorded for the case")
        decided = supplement[0]
        came = set(supplement[1])
        supplemented = tuple(ml for ml, ln in zip(lines, view.lines) if ln.code in came)
    elif kind is DocumentKind.MATERIAL_REQUEST_NOTICE:
        decided = now
    promised = (
        view.promised_date
        if kind in (DocumentKind.RECEIPT, DocumentKind.MATERIALS_RECEIVED, DocumentKind.DEFICIENCY_COMMITMENT)
        else None
    )
    applicant, agent = view.applicant, view.agent
    ctx_kwargs: Mapping[str, object] = dict(
        kind=kind,
        hall=hall_header(settings),
        window_no=view.window_no or settings.window_no,
        clerk_staff_no=clerk_staff_no,
        case_number=view.case_number,
        case_lookup=case_lookup_string(view.case_number),
        item_code=view.item_code,
        item_name=view.item_name,
        department=item.department if item else "",
        applicant_name=applicant_name or (applicant.name if applicant else ""),
        applicant_masked_id=applicant.document_number if applicant else "",
        agent_name=agent.name if agent else "",
        agent_masked_id=agent.document_number if agent else "",
        decision_time=_china(decided or now),
        promised_date=promised,
        promised_working_days=item.promised_days if (item and promised) else None,
        promised_provisional=bool(promised and view.promised_provisional),
        legal_working_days=item.legal_days if (item and promised) else None,
        lines=lines,
        supplemented=supplemented,
        rejection=rejection,
        delivery=delivery,
        reprint=reprint,
        printed_at=_china(now) if reprint else None,
        layout=PageLayout(settings.print_layout),
    )
    try:
        ctx = DocumentContext(**ctx_kwargs)  # type: ignore[arg-type]
    except ValueError as exc:
        raise NotPrintable(str(exc)) from exc
    if kind is DocumentKind.ONE_TIME_NOTICE and not any(ln.needs_action for ln in ctx.lines):
        raise NotPrintable("a one-time notice needs a missing or defective material")
    if kind is DocumentKind.DEFICIENCY_COMMITMENT and not any(ln.status is LineStatus.DEFERRED for ln in ctx.lines):
        raise NotPrintable("a deficiency commitment needs a deferred material")
    return ctx


def contexts_for(
    kinds: Iterable[DocumentKind], view: CaseView, item: ServiceItem | None, settings: Settings, **kwargs: object
) -> list[DocumentContext]:
    return [document_context(k, view, item, settings, **kwargs) for k in kinds]  # type: ignore[arg-type]
