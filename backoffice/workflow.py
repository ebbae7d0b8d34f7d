"""The department's work on received cases: queues per department, the case as an approver sees it
(personal data masked until revealed with a reason, audited), and the actions — start approval, request
more material, approve, disapprove (department head, reason + legal basis), upload the result document
(PDF, validated) and mark the result ready. Every action is one transaction: the one-time form token is
used, the status event (the stations' feed) and the audit row are written, or nothing is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from backoffice import accounts, service
from backoffice.accounts import Person, audit
from backoffice.models import (
    Attachment,
    AttachmentChunk,
    BackOfficeAudit,
    BackOfficeUser,
    DepartmentItem,
    ReceivedCase,
    ResultDocument,
    Station,
    StatusEvent,
    Supplement,
)
from backoffice.service import ApiProblem, _aware, utcnow

TZ = ZoneInfo("Asia/Shanghai")
DUE_SOON_DAYS = 2
MAX_RESULT_BYTES = 20 * 1024 * 1024
OPEN_STATUSES = ("received", "in_approval", "material_requested")
QUEUES = {
    "new": "新收件",
    "in_approval": "审批中",
    "due": "即将到期/已超期",
    "returned": "已退回补正",
    "done": "已办结",
}
STATUS_NAMES = {
    "receiving": "材料接收中",
    "received": "新收件",
    "in_approval": "审批中",
    "material_requested": "已退回补正",
    "approved": "准予许可",
    "disapproved": "不予许可",
    "result_ready": "结果已出",
    "delivered": "已送达",
}
# What the approver reads for the packet's field names and values (unknown ones show as they are).
FIELD_NAMES = {
    "kind": "类型",
    "name": "姓名",
    "document_number": "证件号码",
    "document_type": "证件类型",
    "phone": "电话",
    "mobile": "手机",
    "address": "住址",
    "birth_date": "出生日期",
    "sex": "性别",
    "nationality": "国籍",
    "legal_representative": "法定代表人",
    "verified_by": "核验方式",
    "passive_auth": "芯片防伪核验",
    "photo_sha256": "证件照片（摘要）",
    "via_agent": "委托代理人办理",
    "uses_name": "使用字号",
    "family_run": "家庭经营",
    "premises": "经营场所",
    "applicant_type": "申请人类型",
}
VALUE_NAMES = {
    "person": "自然人",
    "organisation": "法人/组织",
    "resident_id": "居民身份证",
    "passport": "护照",
    "chip": "读取芯片",
    "manual": "人工录入",
    "rented": "租赁",
    "owned": "自有",
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件和复印件",
    "electronic": "电子证照",
    True: "是",
    False: "否",
    None: "—",
    "": "—",
}
PII_KEYS = {
    "name": "name",
    "document_number": "id",
    "id_number": "id",
    "phone": "phone",
    "mobile": "phone",
    "address": "address",
    "birth_date": "date",
    "email": "email",
}


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


# -- masking ----------------------------------------------------------------------------------------
def mask_value(kind: str, value: str) -> str:
    if not value:
        return value
    if kind == "name":
        return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"
    if kind == "id":
        return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "*" * len(value)
    if kind == "phone":
        return value[:3] + "****" + value[-4:] if len(value) >= 7 else "*" * len(value)
    if kind == "address":
        return value[:6] + "……"
    if kind == "email":
        local, _, domain = value.partition("@")
        return (local[:1] + "***@" + domain) if domain else "***"
    return "****"


def masked_person(person: dict[str, Any] | None) -> dict[str, Any] | None:
    if person is None:
        return None
    out: dict[str, Any] = {}
    for key, value in person.items():
        kind = PII_KEYS.get(key)
        if kind and isinstance(value, str):
            out[key] = mask_value(kind, value)
        elif isinstance(value, (dict, list)) or (kind and value is not None):
            out[key] = "****"
        else:
            out[key] = value
    return out


# -- scope --------------------------------------------------------------------------------------------
def _require_case_worker(person: Person) -> int:
    if not person.works_cases or person.department_id is None:
        raise ApiProblem(403, "forbidden", "only approvers and department heads work on cases")
    return person.department_id


def _scoped(person: Person) -> Select[str]:
    dept = _require_case_worker(person)
    return select(DepartmentItem.item_code).where(DepartmentItem.department_id == dept)


def case_for(session: Session, person: Person, case_id: str, *, lock: bool = False) -> ReceivedCase:
    """The case if it belongs to the person's department; 404 if unknown, 403 if another department's."""
    _require_case_worker(person)
    case = session.get(ReceivedCase, case_id, with_for_update=lock)
    if case is None or case.status == "receiving":
        raise ApiProblem(404, "not_found", "no such case")
    owner = session.get(DepartmentItem, case.item_code)
    if owner is None or owner.department_id != person.department_id:
        raise ApiProblem(403, "other_department", "this case belongs to another department")
    return case


# -- queues -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueRow:
    case_id: str
    case_number: str | None
    item_name: str
    applicant: str
    window: str
    status: str
    status_name: str
    received_at: dt.datetime
    promised_date: dt.date | None
    due: str  # "" | "soon" | "overdue"


def _promised(case: ReceivedCase) -> dt.date | None:
    raw = (case.packet or {}).get("promised_date")
    try:
        return dt.date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _due(case: ReceivedCase, promised: dt.date | None, day: dt.date) -> str:
    if promised is None or case.status not in OPEN_STATUSES:
        return ""
    if promised < day:
        return "overdue"
    if promised <= day + dt.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return ""


def queue(session: Session, person: Person, which: str, limit: int = 200) -> list[QueueRow]:
    if which not in QUEUES:
        raise ApiProblem(404, "not_found", "no such queue")
    query = select(ReceivedCase).where(ReceivedCase.item_code.in_(_scoped(person)))
    statuses = {
        "new": ("received",),
        "in_approval": ("in_approval",),
        "due": OPEN_STATUSES,
        "returned": ("material_requested",),
        "done": ("approved", "disapproved", "result_ready", "delivered"),
    }[which]
    query = query.where(ReceivedCase.status.in_(statuses)).order_by(ReceivedCase.received_at).limit(limit * 5)
    day = today()
    rows = []
    for case in session.scalars(query):
        promised = _promised(case)
        due = _due(case, promised, day)
        if which == "due" and not due:
            continue
        applicant = masked_person((case.packet or {}).get("applicant")) or {}
        rows.append(
            QueueRow(
                case.id,
                case.case_number,
                str(case.packet.get("item_name") or case.item_code),
                str(applicant.get("name") or "—"),
                str(case.packet.get("window_no") or ""),
                case.status,
                STATUS_NAMES.get(case.status, case.status),
                _aware(case.received_at),
                promised,
                due,
            )
        )
        if len(rows) >= limit:
            break
    if which == "due":
        rows.sort(key=lambda r: r.promised_date or dt.date.max)
    return rows


def queue_counts(session: Session, person: Person) -> dict[str, int]:
    base = select(ReceivedCase.status, func.count()).where(ReceivedCase.item_code.in_(_scoped(person)))
    by_status = dict(session.execute(base.group_by(ReceivedCase.status)).all())
    return {
        "new": by_status.get("received", 0),
        "in_approval": by_status.get("in_approval", 0),
        "due": len(queue(session, person, "due")),
        "returned": by_status.get("material_requested", 0),
        "done": sum(by_status.get(s, 0) for s in ("approved", "disapproved", "result_ready", "delivered")),
    }


# -- the case view ------------------------------------------------------------------------------------
@dataclass
class CaseView:
    case: ReceivedCase
    station_code: str
    promised_date: dt.date | None
    due: str
    applicant: dict[str, Any] | None
    agent: dict[str, Any] | None
    revealed: bool
    lines: list[dict[str, Any]]
    history: list[dict[str, Any]]
    result: ResultDocument | None
    actions: list[str]


def allowed_actions(person: Person, status: str, has_result: bool) -> list[str]:
    actions = []
    if status in ("received", "material_requested"):
        actions.append("start")
    if status == "in_approval":
        actions += ["request_material", "approve"]
        if person.role == "department_head":
            actions.append("disapprove")
    if status in ("approved", "disapproved"):
        actions.append("upload_result")
        if has_result:
            actions.append("result_ready")
    return actions


def case_view(session: Session, person: Person, case_id: str, *, reveal_reason: str | None = None) -> CaseView:
    """The case for the person's department. Personal data is masked unless ``reveal_reason`` is given;
    a reveal is audited (with the reason) in its own committed transaction before the data is returned."""
    case = case_for(session, person, case_id)
    packet = case.packet or {}
    revealed = False
    if reveal_reason is not None:
        reason = reveal_reason.strip()
        if len(reason) < 2:
            raise ApiProblem(422, "reason_required", "revealing personal data needs a reason")
        audit(session, person, "pii.reveal", case.id, reason=reason[:500])
        session.commit()
        revealed = True
    applicant, agent = packet.get("applicant"), packet.get("agent")
    if not revealed:
        applicant, agent = masked_person(applicant), masked_person(agent)
    sizes = {
        a.sha256: (a.size, a.mime, a.complete)
        for a in session.scalars(select(Attachment).where(Attachment.case_id == case.id))
    }
    supplemented = set(service.supplemented_lines(session, case.id))
    lines = []
    for line in packet.get("lines", []):
        pages = [
            {
                "position": p["position"],
                "sha256": p["sha256"],
                "size": sizes.get(p["sha256"], (0, "", False))[0],
                "mime": sizes.get(p["sha256"], (0, "", False))[1],
                "complete": sizes.get(p["sha256"], (0, "", False))[2],
            }
            for p in line.get("pages", [])
        ]
        lines.append(dict(line, pages=pages, supplemented=line.get("requirement_code") in supplemented))
    lines += _requested_lines(session, case.id, sizes)
    result = service.latest_result_document(session, case.id)
    station = session.get(Station, case.station_id)
    promised = _promised(case)
    return CaseView(
        case=case,
        station_code=station.code if station else "",
        promised_date=promised,
        due=_due(case, promised, today()),
        applicant=applicant,
        agent=agent,
        revealed=revealed,
        lines=lines,
        history=history(session, case.id),
        result=result,
        actions=allowed_actions(person, case.status, result is not None),
    )


def history(session: Session, case_id: str) -> list[dict[str, Any]]:
    """Status events and the department's audited steps on the case, oldest first."""
    names = dict(session.execute(select(BackOfficeUser.id, BackOfficeUser.display_name)).all())
    out: list[dict[str, Any]] = []
    for ev in session.scalars(select(StatusEvent).where(StatusEvent.case_id == case_id).order_by(StatusEvent.seq)):
        out.append(
            {
                "at": _aware(ev.at),
                "kind": "status",
                "what": STATUS_NAMES.get(ev.status, ev.status),
                "who": names.get(ev.actor_id, "系统") if ev.actor_id else "系统",
                "reason": ev.reason,
                "detail": ev.detail or {},
            }
        )
    labels = {"pii.reveal": "查看完整个人信息", "page.view": "查看材料页面", "result.upload": "上传结果文书"}
    for row in session.scalars(
        select(BackOfficeAudit)
        .where(BackOfficeAudit.case_id == case_id, BackOfficeAudit.action.in_(tuple(labels)))
        .order_by(BackOfficeAudit.id)
    ):
        out.append(
            {
                "at": _aware(row.at),
                "kind": "audit",
                "what": labels[row.action],
                "who": names.get(row.user_id, row.username) if row.user_id is not None else row.username,
                "reason": row.detail.get("reason"),
                "detail": {},
            }
        )
    out.sort(key=lambda r: r["at"])
    return out


def page_bytes(session: Session, person: Person, case_id: str, sha256: str) -> tuple[bytes, str]:
    """A scanned page of a case of the person's department (audited: pages carry personal data)."""
    case = case_for(session, person, case_id)
    att = session.scalar(select(Attachment).where(Attachment.case_id == case.id, Attachment.sha256 == sha256))
    if att is None or not att.complete:
        raise ApiProblem(404, "not_found", "no such page")
    data = b"".join(
        session.scalars(
            select(AttachmentChunk.data).where(AttachmentChunk.attachment_id == att.id).order_by(AttachmentChunk.offset)
        )
    )
    audit(session, person, "page.view", case.id, sha256=sha256)
    session.commit()
    return data, att.mime


# -- actions ------------------------------------------------------------------------------------------
def _act(
    session: Session,
    person: Person,
    case_id: str,
    form_token: str | None,
    action: str,
) -> ReceivedCase:
    case = case_for(session, person, case_id, lock=True)
    accounts.use_form_token(session, person, case.id, form_token)
    has_result = service.latest_result_document(session, case.id) is not None
    if action not in allowed_actions(person, case.status, has_result):
        if action == "disapprove" and case.status == "in_approval":
            raise ApiProblem(403, "forbidden", "a disapproval needs the department head")
        raise ApiProblem(409, "invalid_transition", f"{action} is not possible in status {case.status}")
    return case


def _requested_lines(session: Session, case_id: str, sizes: dict[str, tuple[int, str, bool]]) -> list[dict[str, Any]]:
    """The materials this office requested (补正) that the window has sent since, as checklist lines with
    their pages (line ``BZ<event seq>-<n>``: the n-th material of that material_requested event)."""
    names = {}
    for seq, detail in session.execute(
        select(StatusEvent.seq, StatusEvent.detail).where(
            StatusEvent.case_id == case_id, StatusEvent.status == "material_requested"
        )
    ).all():
        for n, m in enumerate((detail or {}).get("materials") or [], 1):
            names[f"BZ{seq}-{n}"] = m.get("name", "")
    out = []
    for sup in session.scalars(select(Supplement).where(Supplement.case_id == case_id).order_by(Supplement.id)):
        for line in sup.body.get("lines", []):
            code = line.get("requirement_code")
            if code not in names:
                continue
            pages = [
                {
                    "position": p["position"],
                    "sha256": p["sha256"],
                    "size": sizes.get(p["sha256"], (0, "", False))[0],
                    "mime": sizes.get(p["sha256"], (0, "", False))[1],
                    "complete": sizes.get(p["sha256"], (0, "", False))[2],
                }
                for p in line.get("pages", [])
            ]
            out.append(
                {
                    "requirement_code": code,
                    "name": "补正：" + names[code],
                    "form": "copy",
                    "status": "received",
                    "reason": None,
                    "originals_received": 0,
                    "copies_received": 0,
                    "pages": pages,
                    "supplemented": True,
                }
            )
    return out


def start_approval(session: Session, person: Person, case_id: str, form_token: str | None) -> None:
    case = _act(session, person, case_id, form_token, "start")
    service.transition(session, case, "in_approval", None, actor_id=person.id, commit=False)
    audit(session, person, "case.start", case.id)
    session.commit()


def request_material(
    session: Session, person: Person, case_id: str, form_token: str | None, materials: list[str], reason: str
) -> None:
    """补正: asks for more material. The feed event ``material_requested`` carries the reason and the list
    of materials; the window prints it for the applicant as a one-time notice (一次性告知)."""
    wanted = [m.strip()[:200] for m in materials if m.strip()]
    if not wanted:
        raise ApiProblem(422, "materials_required", "name at least one material")
    if not reason.strip():
        raise ApiProblem(422, "reason_required", "a material request needs a reason")
    case = _act(session, person, case_id, form_token, "request_material")
    detail = {"materials": [{"name": m, "note": None} for m in wanted[:50]]}
    service.transition(
        session, case, "material_requested", reason.strip()[:2000], detail=detail, actor_id=person.id, commit=False
    )
    audit(session, person, "case.request_material", case.id, count=len(wanted))
    session.commit()


def approve(session: Session, person: Person, case_id: str, form_token: str | None, opinion: str) -> None:
    case = _act(session, person, case_id, form_token, "approve")
    service.transition(session, case, "approved", opinion.strip()[:2000] or None, actor_id=person.id, commit=False)
    audit(session, person, "case.approve", case.id)
    session.commit()


def disapprove(
    session: Session, person: Person, case_id: str, form_token: str | None, reason: str, legal_basis: str
) -> None:
    if not reason.strip():
        raise ApiProblem(422, "reason_required", "a disapproval needs a reason")
    if not legal_basis.strip():
        raise ApiProblem(422, "legal_basis_required", "a disapproval needs its legal basis")
    case = _act(session, person, case_id, form_token, "disapprove")
    service.transition(
        session,
        case,
        "disapproved",
        reason.strip()[:2000],
        detail={"legal_basis": legal_basis.strip()[:2000]},
        actor_id=person.id,
        commit=False,
    )
    audit(session, person, "case.disapprove", case.id)
    session.commit()


def validate_pdf(data: bytes, limit: int = MAX_RESULT_BYTES) -> int:
    """Checks an uploaded result document: size, PDF magic bytes, parses with pikepdf (not encrypted, at
    least one page). Returns the page count; raises ApiProblem with a clear reason otherwise."""
    if len(data) > limit:
        raise ApiProblem(413, "too_large", f"the result document may be at most {limit // (1024 * 1024)} MB")
    if not data.startswith(b"%PDF-"):
        raise ApiProblem(422, "not_pdf", "the result document must be a PDF file")
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                raise ApiProblem(422, "not_pdf", "encrypted PDF files are not accepted")
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        raise ApiProblem(422, "not_pdf", "encrypted PDF files are not accepted") from None
    except pikepdf.PdfError:
        raise ApiProblem(422, "not_pdf", "the file is not a readable PDF") from None
    if pages < 1:
        raise ApiProblem(422, "not_pdf", "the PDF has no pages")
    return pages


def upload_result(
    session: Session, person: Person, case_id: str, form_token: str | None, filename: str, data: bytes
) -> ResultDocument:
    pages = validate_pdf(data)
    case = _act(session, person, case_id, form_token, "upload_result")
    doc = ResultDocument(
        case_id=case.id,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        filename=(filename or "result.pdf")[-200:],
        pages=pages,
        data=data,
        uploaded_by=person.id,
        uploaded_at=utcnow(),
    )
    session.add(doc)
    session.flush()
    audit(session, person, "result.upload", case.id, sha256=doc.sha256, size=doc.size)
    session.commit()
    return doc


def mark_result_ready(session: Session, person: Person, case_id: str, form_token: str | None) -> None:
    case = _act(session, person, case_id, form_token, "result_ready")
    doc = service.latest_result_document(session, case.id)
    assert doc is not None  # allowed_actions requires it
    service.transition(
        session,
        case,
        "result_ready",
        None,
        detail={"result_document": service.result_document_ref(doc)},
        actor_id=person.id,
        commit=False,
    )
    audit(session, person, "case.result_ready", case.id, sha256=doc.sha256)
    session.commit()


def result_for_person(session: Session, person: Person, case_id: str) -> ResultDocument:
    case = case_for(session, person, case_id)
    doc = service.latest_result_document(session, case.id)
    if doc is None:
        raise ApiProblem(404, "not_found", "no result document")
    return doc
