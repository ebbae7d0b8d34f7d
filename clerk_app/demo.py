"""Demo mode: one account of each role with documented passwords (README), and demo cases in every
state of the lifecycle made through the core services (fictional people, marked 示例 where text is
free). Never used outside demo mode."""

from __future__ import annotations

import datetime as dt

from clerk_app.app_context import AppContext
from clerk_app.lifecycle import LineStatus
from clerk_app.persons import PersonData
from clerk_app.roles import Actor, Role, system_actor

DEMO_USERS = (
    # username, password, role, display name, staff number
    ("admin", "Admin2026", Role.ADMIN, "系统管理员", "A001"),
    ("clerk", "Clerk2026", Role.CLERK, "王晓敏", "0101"),
    ("prereview", "Helper2026", Role.PREREVIEW, "帮办 李婷", "B017"),
    ("supervisor", "Audit2026", Role.SUPERVISOR, "监督 陈刚", "S003"),
)


def seed_demo_users(ctx: AppContext) -> None:
    if ctx.users.has_users():
        return
    first = DEMO_USERS[0]
    admin = ctx.users.create_user(None, first[0], first[1], first[2], first[3], first[4])
    for username, password, role, name, staff in DEMO_USERS[1:]:
        ctx.users.create_user(admin, username, password, role, name, staff)


# -- demo cases in every state (README: "demo cases in every state") ------------------------------
# Fictional applicants; their ID numbers carry valid GB 11643 check characters (computed below).
_DEMO_PEOPLE = (
    ("张明", "110105198203150", "北京市东城区示例胡同3号"),
    ("李华", "420102199007210", "湖北省武汉市江岸区样例路12号"),
    ("王芳", "310104198811020", "上海市徐汇区演示路88号"),
    ("赵强", "440305197512300", "广东省深圳市南山区测试大道6号"),
    ("陈静", "510107199402280", "四川省成都市武侯区示例街9号"),
    ("刘洋", "330106198606060", "浙江省杭州市西湖区样本路21号"),
    ("周敏", "320102197909090", "江苏省南京市玄武区演示巷5号"),
    ("吴磊", "370102199111110", "山东省济南市历下区测试路7号"),
    ("郑丽", "610103198404040", "陕西省西安市碑林区示例坊2号"),
    ("孙涛", "230102197808080", "黑龙江省哈尔滨市道里区样例街4号"),
    ("马超", "120101199212120", "天津市和平区演示道10号"),
    ("黄蕾", "500103198707070", "重庆市渝中区测试路15号"),
)


def _demo_person(i: int) -> PersonData:
    from clerk_app.identity import resident_id_check_char

    name, body, address = _DEMO_PEOPLE[i % len(_DEMO_PEOPLE)]
    first17 = body + f"{(i * 7) % 10}{(i * 3) % 10}"
    first17 = first17[:17]
    return PersonData(
        name=name,
        document_number=first17 + resident_id_check_char(first17),
        address=address,
        phone=f"1380013{8000 + i:04d}",
    )


def _receive_all(ctx: AppContext, actor: Actor, case_id: str) -> None:
    for line in ctx.cases.get(actor, case_id).lines:
        if line.status is LineStatus.NOT_REQUIRED or not (line.originals_required or line.copies_required):
            continue
        ctx.cases.update_line(
            actor, case_id, line.code, originals_received=line.originals_required, copies_received=line.copies_required
        )


def seed_demo_cases(ctx: AppContext) -> int:
    """The demo cases (:func:`_seed_demo_cases`). They are history, not today's desk: their decisions
    and handovers write no print jobs (the outbox is detached while they are made)."""
    outbox, ctx.cases.print_outbox = ctx.cases.print_outbox, None
    try:
        return _seed_demo_cases(ctx)
    finally:
        ctx.cases.print_outbox = outbox


def _seed_demo_cases(ctx: AppContext) -> int:
    """A demo store with something on every page: drafts handed over by 帮办, an open draft, cases
    accepted, accepted with materials owed (due soon and overdue), returned with a one-time notice,
    rejected, in approval, result ready for pickup (F4 delivery), delivered and void. Made through the
    core services like a clerk's day (so the audit trail is real); skipped when cases exist."""
    from sqlalchemy import func, select, update

    from clerk_app.lifecycle import CaseStatus, Decision
    from clerk_app.store.models import Case, CaseLine

    with ctx.sessions() as s:
        if s.scalar(select(func.count()).select_from(Case)):
            return 0
    users = {u: ctx.users.authenticate(u, p) for u, p, *_ in DEMO_USERS if u in ("clerk", "prereview", "supervisor")}
    clerk, helper, supervisor = users["clerk"], users["prereview"], users["supervisor"]
    system = system_actor(ctx.settings.station_code)
    cases = ctx.cases
    n = 0

    def new(actor: Actor, item: str, i: int, receive: bool = True) -> str:
        nonlocal n
        cid = cases.start_case(actor, item, ticket_no=f"A{100 + i:03d}")
        cases.set_applicant(actor, cid, _demo_person(i))
        if receive:
            _receive_all(ctx, actor, cid)
        n += 1
        return cid

    today = ctx.clock.now().date()
    # 帮办 drafts handed over to the windows (通办), and one the clerk has open
    for i, item in enumerate(("SC-GTGSH-SL", "SH-JSZG-RD")):
        cases.hand_over(helper, new(helper, item, i))
    new(clerk, "SC-SPJY-XK", 2, receive=False)
    # decided today
    cases.decide(new(clerk, "SC-GTGSH-SL", 3), Decision.ACCEPT, clerk)
    returned = new(clerk, "SH-JSZG-RD", 4, receive=False)
    cases.decide(returned, Decision.RETURN_WITH_NOTICE, clerk)
    cases.decide(
        new(clerk, "JT-DLHY-XK", 5, receive=False),
        Decision.REJECT,
        clerk,
        reason="申请事项不属于本级受理范围（示例）",
        legal_basis="《中华人民共和国行政许可法》第三十二条",
    )
    # 容缺: a deferrable, non-key material owed — one due soon, one already overdue
    for i, item, overdue in ((6, "SC-SPJY-XK", False), (7, "NL-TLJ-JSZ", True)):
        cid = new(clerk, item, i)
        line = next(ln for ln in cases.get(clerk, cid).lines if ln.deferrable and not ln.key_material)
        cases.update_line(clerk, cid, line.code, status=LineStatus.DEFERRED, due_date=today + dt.timedelta(days=5))
        cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=today + dt.timedelta(days=5))
        if overdue:  # demo data only: the promise was made earlier and its day has passed
            past = today - dt.timedelta(days=2)
            with ctx.sessions.begin() as s:
                s.execute(update(Case).where(Case.id == cid).values(deficiency_due=past))
                s.execute(
                    update(CaseLine)
                    .where(CaseLine.case_id == cid, CaseLine.status == LineStatus.DEFERRED.value)
                    .values(due_date=past)
                )
    # the back office's side, as its status feed would report it
    flows = {
        8: (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL),
        9: (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY),
        10: (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED, CaseStatus.RESULT_READY),
        12: (CaseStatus.SYNCED,),
        13: (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.APPROVED),
        14: (CaseStatus.SYNCED, CaseStatus.IN_APPROVAL, CaseStatus.DISAPPROVED),
    }
    for i, steps in flows.items():
        cid = new(clerk, "SC-GTGSH-SL" if i != 9 else "SH-JSZG-RD", i)
        cases.decide(cid, Decision.ACCEPT, clerk)
        for status in steps:
            cases.apply_server_status(system, cid, status)
        if i == 10:
            from clerk_app.delivery import DeliveryMethod, Handover

            applicant = _demo_person(i)
            ctx.delivery.hand_over(
                clerk, cid, Handover(DeliveryMethod.WINDOW, collector_id_number=applicant.document_number)
            )
    # owed material brought in: supplements received
    cid = new(clerk, "JT-DLHY-XK", 15)
    owed = next(ln for ln in cases.get(clerk, cid).lines if ln.deferrable and not ln.key_material)
    cases.update_line(clerk, cid, owed.code, status=LineStatus.DEFERRED, due_date=today + dt.timedelta(days=3))
    cases.decide(cid, Decision.ACCEPT_WITH_DEFICIENCIES, clerk, due_date=today + dt.timedelta(days=3))
    cases.record_supplements(clerk, cid, [owed.code])
    voided = new(clerk, "SC-SPJY-XK", 11)
    cases.decide(voided, Decision.ACCEPT, clerk)
    cases.void(supervisor, voided, "重复受理，作废（示例）")
    return n
