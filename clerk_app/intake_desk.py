"""What the intake page shows about the case on the desk, decided by the core (no Qt).

- :func:`desk_state` — after every change: the case, which decisions are allowed (and why not), what the
  summary says is still missing, deferred or unconfirmed, and whether the case is past the window (the
  outcome replaces the summary). Read in one go on a worker thread; the page only renders it.
- :func:`plan_decision` — before a decision: allowed or why not, the due date the deferred lines already
  give (asked for only when they do not), the catalogue's legal basis (the default of a rejection) and
  what the confirmation preview lists (the one-time notice, or the materials received).
- :func:`line_forms` — Ctrl+B on a line: its 样表 (else its blank form) to show, and what 打印 prints
  (the blank form to fill in, or what is shown when there is none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clerk_app.cases import CaseService, CaseView, LineView
from clerk_app.catalogue.loader import form_file
from clerk_app.catalogue.model import Catalogue
from clerk_app.catalogue.store import CatalogueStore
from clerk_app.customer import CustomerService
from clerk_app.lifecycle import CaseStatus, Decision, DecisionCheck, LineStatus
from clerk_app.roles import Actor, Permission

DECISIONS = (Decision.ACCEPT, Decision.ACCEPT_WITH_DEFICIENCIES, Decision.RETURN_WITH_NOTICE, Decision.REJECT)
EDITABLE = (CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW)


@dataclass(frozen=True)
class DeskState:
    view: CaseView
    checks: Mapping[Decision, DecisionCheck]  # empty when the case is no longer editable
    missing: tuple[str, ...]  # required lines still pending or defective
    deferred: tuple[str, ...]  # 容缺 lines
    confirmed: bool  # the applicant confirmed the current list on their screen
    confirmation_missing: bool  # the hall requires that confirmation and it is not there

    @property
    def editable(self) -> bool:
        return self.view.status in EDITABLE

    @property
    def decided(self) -> bool:
        """Past the window: the page shows the outcome instead of what is missing."""
        return bool(self.view.case_number) and not self.editable

    @property
    def complete(self) -> bool:
        """Nothing to point out: every material in, an applicant, confirmed when that is required."""
        return not (self.missing or self.deferred or self.view.applicant is None or self.confirmation_missing)


def missing_lines(lines: Sequence[LineView]) -> tuple[str, ...]:
    return tuple(
        ln.name
        for ln in lines
        if ln.necessity == "required" and ln.status in (LineStatus.PENDING, LineStatus.DEFECTIVE)
    )


def desk_state(cases: CaseService, customer: CustomerService, actor: Actor, case_id: str) -> DeskState:
    view = cases.get(actor, case_id)
    editable = view.status in EDITABLE
    checks = {}
    if editable and actor.can(Permission.CASE_DECIDE):
        checks = {d: cases.check_decision(case_id, d) for d in DECISIONS}
    decided = bool(view.case_number) and not editable
    confirmation = None if decided else customer.confirmation(case_id)
    confirmed = confirmation is not None and confirmation.current
    return DeskState(
        view=view,
        checks=checks,
        missing=missing_lines(view.lines),
        deferred=tuple(ln.name for ln in view.lines if ln.status is LineStatus.DEFERRED),
        confirmed=confirmed,
        confirmation_missing=cases.confirmation_required and not confirmed,
    )


def deferred_due_date(lines: Sequence[LineView]) -> dt.date | None:
    """The deadline of an acceptance with deficiencies when the deferred lines already give it (Ctrl+T
    line by line): the latest of their dates; None when a deferred line has no date (then it is asked)."""
    deferred = [ln for ln in lines if ln.status is LineStatus.DEFERRED]
    dues = [ln.due_date for ln in deferred if ln.due_date is not None]
    return max(dues) if deferred and len(dues) == len(deferred) else None


@dataclass(frozen=True)
class ReceivedLine:
    name: str
    originals: int
    copies: int


@dataclass(frozen=True)
class DecisionPlan:
    decision: Decision
    check: DecisionCheck
    item_name: str
    legal_basis: str  # the catalogue's, offered when rejecting
    due_date: dt.date | None  # ACCEPT_WITH_DEFICIENCIES: from the deferred lines, else asked
    notice: str | None  # the one-time notice's text (notice, deficiencies)
    received: tuple[ReceivedLine, ...]  # what the preview of an acceptance lists

    @property
    def needs_due_date(self) -> bool:
        return self.decision is Decision.ACCEPT_WITH_DEFICIENCIES and self.due_date is None


def plan_decision(
    cases: CaseService, catalogue: CatalogueStore, actor: Actor, case_id: str, decision: Decision
) -> DecisionPlan:
    check = cases.check_decision(case_id, decision)
    view = cases.get(actor, case_id)
    item = catalogue.active().items.get(view.item_code)
    notice = None
    if check.allowed and decision in (Decision.RETURN_WITH_NOTICE, Decision.ACCEPT_WITH_DEFICIENCIES):
        notice = cases.one_time_notice(case_id).text()
    return DecisionPlan(
        decision=decision,
        check=check,
        item_name=view.item_name,
        legal_basis=item.legal_basis if item else "",
        due_date=deferred_due_date(view.lines) if decision is Decision.ACCEPT_WITH_DEFICIENCIES else None,
        notice=notice,
        received=tuple(
            ReceivedLine(ln.name, ln.originals_received, ln.copies_received)
            for ln in view.lines
            if ln.status is not LineStatus.NOT_REQUIRED
        ),
    )


@dataclass(frozen=True)
class LineForms:
    material: str  # the material's name
    shown: Path  # the sample, else the blank form
    shown_is_sample: bool
    printed: Path  # the blank form, else what is shown
    printed_is_sample: bool


def line_forms(catalogue: Catalogue, item_code: str, line_code: str) -> LineForms | None:
    """The sample and blank form files of a checklist line (None: the line has neither, or the
    catalogue has no folder to take them from)."""
    item = catalogue.items.get(item_code)
    material = next((m for m in item.materials if m.code == line_code), None) if item else None
    if material is None:
        return None
    sample = form_file(catalogue.source, material.sample) if material.sample else None
    blank = form_file(catalogue.source, material.blank_form) if material.blank_form else None
    shown = sample or blank
    if shown is None:
        return None
    return LineForms(material.name, shown, sample is not None, blank or shown, blank is None)
