"""Result delivery (出件): find the case by its number or the receipt's QR code, check who collects
it, record the handover at the window or by express, audited.

The collector's ID number (typed, or read from the chip) is compared with the case's applicant and
agent through the keyed search tokens: nothing personal is decrypted, shown or logged here.
The status change itself goes through ``CaseService.deliver`` (result_ready → delivered).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.case_numbers import parse_case_lookup
from clerk_app.cases import CaseService
from clerk_app.errors import DomainError, NotFound
from clerk_app.identity import mask_id_number, validate_resident_id
from clerk_app.lifecycle import STATUS_LABELS, CaseStatus
from clerk_app.persons import PersonRepository
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, Person


class DeliveryMethod(str, enum.Enum):
    WINDOW = "window"  # collected at the window (窗口领取)
    EXPRESS = "express"  # sent by express (邮寄送达)


class CollectorRole(str, enum.Enum):
    APPLICANT = "applicant"
    AGENT = "agent"


class DeliveryError(DomainError):
    key = i18n.register("error.delivery", "不能出件：{why}", "Cannot hand out the result: {why}")


_W_CODE = i18n.register(
    "why.delivery_code",
    "不是有效的受理编号或回执二维码，请核对后重新输入或扫描",
    "not a valid case number or receipt code: check it, then type or scan again",
)
_W_UNKNOWN = i18n.register(
    "why.delivery_unknown", "本站没有受理编号为 {number} 的案件", "no case with number {number} at this station"
)
_W_STATUS = i18n.register(
    "why.delivery_status",
    "案件状态为“{status}”，办理结果尚未送达窗口（应为“待出件”）",
    "the case is “{status}”: its result has not reached the window (needs “Result ready”)",
)
_W_NO_ID = i18n.register("why.delivery_no_id", "请输入或读取领取人的证件号码", "type or read the collector's ID number")
_W_MISMATCH = i18n.register(
    "why.delivery_mismatch",
    "领取人证件号码（{masked}）与本案申请人及代理人均不一致，请核对证件；他人代领须先登记为代理人",
    "the collector's ID ({masked}) matches neither the applicant nor the agent of this case: check the "
    "document; someone else collecting must first be recorded as the agent",
)
_W_NOT_AGENT = i18n.register("why.delivery_no_agent", "本案没有登记代理人", "this case has no agent recorded")
_W_COURIER = i18n.register("why.delivery_courier", "邮寄送达须填写快递公司", "express delivery needs the courier")
_W_TRACKING = i18n.register(
    "why.delivery_tracking",
    "邮寄送达须填写快递单号（字母或数字，6–40 位）",
    "express delivery needs the tracking number (6–40 letters or digits)",
)


_W_ADDRESS = i18n.register(
    "why.delivery_address", "邮寄送达须填写收件地址", "express delivery needs the delivery address"
)


@dataclass(frozen=True)
class DeliveryCase:
    """A case at the delivery window, as the clerk sees it (masked)."""

    id: str
    case_number: str
    item_code: str
    item_name: str
    status: CaseStatus
    applicant_name: str  # masked
    applicant_id: str  # masked
    agent_name: str | None  # masked; None: no agent
    agent_id: str | None
    promised_date: dt.date | None
    decided_at: dt.datetime | None

    @property
    def ready(self) -> bool:
        return self.status is CaseStatus.RESULT_READY


@dataclass(frozen=True)
class CollectorCheck:
    role: CollectorRole
    source: str  # chip | manual
    masked_id: str


@dataclass(frozen=True)
class Handover:
    """What the clerk records. Window: who collected (ID number typed or from the chip).
    Express: courier, tracking number and the delivery address (encrypted on the case)."""

    method: DeliveryMethod
    collector_id_number: str = ""
    collector_source: str = "manual"  # chip | manual
    courier: str = ""
    tracking_number: str = ""
    address: str = ""  # express: where it goes (kept encrypted on the case, masked in views)


@dataclass(frozen=True)
class DeliveryReceipt:
    case_id: str
    case_number: str
    method: DeliveryMethod
    collector: CollectorCheck | None
    courier: str
    tracking_number: str
    at: dt.datetime


class DeliveryService:
    def __init__(
        self, session_factory: sessionmaker[Session], cases: CaseService, persons: PersonRepository, auditor: Auditor
    ) -> None:
        self._sessions = session_factory
        self._cases = cases
        self._persons = persons
        self._auditor = auditor

    def find(self, actor: Actor, text: str) -> DeliveryCase:
        """The case for a typed case number or a scanned receipt code (``CASE:<number>``)."""
        actor.require(Permission.CASE_DELIVER)
        number = parse_case_lookup(text)
        if number is None:
            raise DeliveryError(why=i18n.Msg(_W_CODE), detail="not a case number")
        with self._sessions() as s:
            case = s.scalars(select(Case).where(Case.case_number == number)).one_or_none()
            if case is None:
                raise DeliveryError(why=i18n.Msg(_W_UNKNOWN, number=number), detail="unknown case number")
            applicant = s.get(Person, case.applicant_id) if case.applicant_id else None
            agent = s.get(Person, case.agent_id) if case.agent_id else None
            return DeliveryCase(
                id=case.id,
                case_number=number,
                item_code=case.item_code,
                item_name=case.item_name,
                status=CaseStatus(case.status),
                applicant_name=applicant.name_masked if applicant else "",
                applicant_id=applicant.id_masked if applicant else "",
                agent_name=agent.name_masked if agent else None,
                agent_id=agent.id_masked if agent else None,
                promised_date=case.promised_date,
                decided_at=case.decided_at,
            )

    def check_collector(self, actor: Actor, case_id: str, id_number: str, *, source: str = "manual") -> CollectorCheck:
        """Whether ``id_number`` is the case's applicant or agent (by keyed token, no decryption).
        Raises DeliveryError with a message for the clerk when it is neither."""
        actor.require(Permission.CASE_DELIVER)
        number = id_number.strip().upper()
        if not number:
            raise DeliveryError(why=i18n.Msg(_W_NO_ID), detail="no collector id")
        if len(number) == 18 and number[:17].isdigit():
            number = validate_resident_id(number)  # a typo is named as such, not as a mismatch
        token = self._persons.id_token(number)
        with self._sessions() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(what="案件", detail=f"case {case_id}")
            for role, pid in ((CollectorRole.APPLICANT, case.applicant_id), (CollectorRole.AGENT, case.agent_id)):
                person = s.get(Person, pid) if pid else None
                if person is not None and person.id_token == token:
                    return CollectorCheck(
                        role, source if source in ("chip", "manual") else "manual", mask_id_number(number)
                    )
        raise DeliveryError(
            why=i18n.Msg(_W_MISMATCH, masked=mask_id_number(number)),
            detail="collector matches neither applicant nor agent",
        )

    def hand_over(self, actor: Actor, case_id: str, handover: Handover) -> DeliveryReceipt:
        """Check everything again (never trust what a screen checked), then result_ready →
        delivered through CaseService.deliver, then the handover details as an audit event."""
        actor.require(Permission.CASE_DELIVER)
        with self._sessions() as s:
            case = s.get(Case, case_id)
            if case is None:
                raise NotFound(what="案件", detail=f"case {case_id}")
            status, number = CaseStatus(case.status), case.case_number or ""
        if status is not CaseStatus.RESULT_READY:
            raise DeliveryError(
                why=i18n.Msg(_W_STATUS, status=i18n.Msg(STATUS_LABELS[status])), detail=f"status {status.value}"
            )
        collector: CollectorCheck | None = None
        courier = tracking = ""
        if handover.method is DeliveryMethod.WINDOW:
            collector = self.check_collector(
                actor, case_id, handover.collector_id_number, source=handover.collector_source
            )
        else:
            courier = handover.courier.strip()
            tracking = handover.tracking_number.strip().upper().replace(" ", "")
            if not courier:
                raise DeliveryError(why=i18n.Msg(_W_COURIER), detail="no courier")
            if not (6 <= len(tracking) <= 40 and tracking.isascii() and tracking.replace("-", "").isalnum()):
                raise DeliveryError(why=i18n.Msg(_W_TRACKING), detail="bad tracking number")
            if not handover.address.strip():
                raise DeliveryError(why=i18n.Msg(_W_ADDRESS), detail="no address")
        detail: dict[str, object] = {"method": handover.method.value}
        if collector is not None:
            detail.update(collector=collector.role.value, id_source=collector.source)
        else:
            detail.update(courier=courier, tracking_number=tracking)
        # One transaction: the transition and the handover details commit together or not at all.
        event = self._cases.deliver(
            actor,
            case_id,
            handover.method.value,
            detail,
            address=handover.address if handover.method is DeliveryMethod.EXPRESS else None,
        )
        return DeliveryReceipt(case_id, number, handover.method, collector, courier, tracking, event)
