"""Decided cases for search and delivery tests, made through the real services (no SQL shortcuts)."""

from __future__ import annotations

from clerk_app.app_context import AppContext
from clerk_app.identity import resident_id_check_char
from clerk_app.lifecycle import CaseStatus, Decision, LineStatus
from clerk_app.persons import PersonData
from clerk_app.roles import Actor, system_actor

ITEM = "SC-GTGSH-SL"  # 个体工商户设立登记


def resident_id(seq: int, birth: str = "19900101", region: str = "420102") -> str:
    body = f"{region}{birth}{seq % 1000:03d}"
    return body + resident_id_check_char(body)


def person(name: str, seq: int) -> PersonData:
    return PersonData(
        name=name,
        document_number=resident_id(seq),
        address="湖北省武汉市江岸区胜利街100号",
        phone="13800138000",
        verified_by="chip",
    )


def decided_case(
    ctx: AppContext,
    clerk: Actor,
    applicant: PersonData,
    *,
    agent: PersonData | None = None,
    item: str = ITEM,
    answer_print: bool = False,
) -> tuple[str, str]:
    """An accepted case (id, case number). ``answer_print``: the clerk answered the print question at the
    desk ("Don't print" for the documents the policy asks about), as after a decision in the app; without
    it the documents wait, and a window opened later asks about them at sign-in (UI tests that are about
    something else pass ``answer_print=True``)."""
    answers = {"premises": "rented", "via_agent": agent is not None}
    cid = ctx.cases.start_case(clerk, item, answers)
    ctx.cases.set_applicant(clerk, cid, applicant)
    if agent is not None:
        ctx.cases.set_applicant(clerk, cid, agent, agent=True)
    for line in ctx.cases.get(clerk, cid).lines:
        if line.status is not LineStatus.NOT_REQUIRED:
            ctx.cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    result = ctx.cases.decide(cid, Decision.ACCEPT, clerk)
    if answer_print:
        answer_print_question(ctx, clerk, result.case_number)
    return cid, result.case_number


def answer_print_question(ctx: AppContext, clerk: Actor, case_number: str) -> None:
    """The clerk answers "Don't print" to the documents of ``case_number`` the print policy asks about
    (what the question after a decision in the app does), so a window opened later does not ask."""
    from printing.dispatch import JobStatus

    if ctx.printing is None:
        return
    asked = [j.job_id for j in ctx.printing.awaiting(case_number) if j.status is JobStatus.ASKING]
    if asked:
        ctx.printing.decline(clerk, asked)


def to_result_ready(ctx: AppContext, case_id: str) -> None:
    system = system_actor(ctx.settings.station_code)
    for status in (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY):
        ctx.cases.apply_server_status(system, case_id, status)
