"""The data a printed document is built from: plain, frozen values with no behaviour of their own.

The core maps its ``Case`` (and the hall settings) onto a :class:`DocumentContext`; nothing in
``printing`` reads the store. Personal data arrives already reduced to what the paper may show: the
ID number is masked by the core (``4201**********123X``) and a context refuses an unmasked one.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime


class DocumentKind(enum.Enum):
    """The documents a window hands out. The value is stable (stored in print jobs and audit)."""

    RECEIPT = "receipt"  # 受理回执
    ONE_TIME_NOTICE = "one_time_notice"  # 一次性告知书
    DEFICIENCY_COMMITMENT = "deficiency_commitment"  # 容缺受理承诺书
    REJECTION_NOTICE = "rejection_notice"  # 不予受理通知书
    MATERIALS_RECEIVED = "materials_received"  # 材料接收清单
    DELIVERY_RECEIPT = "delivery_receipt"  # 送达回证 / 领取凭证
    SUPPLEMENT_RECEIPT = "supplement_receipt"  # 补正材料收件凭证 (容缺 / 补正 materials that came later)
    MATERIAL_REQUEST_NOTICE = "material_request_notice"  # 补正材料一次性告知书 (the department asks)
    # The department's result document (办理结果文书), printed at 出件 as it came from the back office:
    # a PDF of its own, not a template (clerk_app/result_documents.py).
    RESULT_DOCUMENT = "result_document"
    # Printed at once on request, not queued for a case (PrintingRuntime.print_direct): a catalogue's
    # blank form or sample (样表) as shipped, and the printer test page of the admin's devices tab.
    FORM = "form"
    TEST_PAGE = "test_page"

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def from_template(self) -> bool:
        """Whether the document is laid out here from a case (printing/documents.py)."""
        return self not in (DocumentKind.RESULT_DOCUMENT, DocumentKind.FORM, DocumentKind.TEST_PAGE)

    @property
    def queued(self) -> bool:
        """A job of the print outbox (with a print policy), not a direct print."""
        return self not in (DocumentKind.FORM, DocumentKind.TEST_PAGE)


TEMPLATE_KINDS = tuple(k for k in DocumentKind if k.from_template)


_TITLES = {
    DocumentKind.RECEIPT: "受理回执",
    DocumentKind.ONE_TIME_NOTICE: "一次性告知书",
    DocumentKind.DEFICIENCY_COMMITMENT: "容缺受理承诺书",
    DocumentKind.REJECTION_NOTICE: "不予受理通知书",
    DocumentKind.MATERIALS_RECEIVED: "材料接收清单",
    DocumentKind.DELIVERY_RECEIPT: "送达回证",
    DocumentKind.SUPPLEMENT_RECEIPT: "补正材料收件凭证",
    DocumentKind.MATERIAL_REQUEST_NOTICE: "补正材料一次性告知书",
    DocumentKind.RESULT_DOCUMENT: "办理结果文书",
    DocumentKind.FORM: "空白表格",
    DocumentKind.TEST_PAGE: "打印测试页",
}


class PageLayout(enum.Enum):
    """Paper the document is laid out for; chosen per printer in the settings."""

    A4 = "a4"
    ROLL_80MM = "roll_80mm"  # 80 mm thermal roll, 72 mm printable; page height follows the content

    @classmethod
    def _missing_(cls, value: object) -> PageLayout | None:
        # The settings spell the roll "roll80" (clerk_app.settings.Settings.print_layout).
        return cls.ROLL_80MM if value in ("roll80", "80mm") else None


class MaterialForm(enum.Enum):
    """Values equal clerk_app.catalogue.model.MaterialForm's, so the core maps by value."""

    ORIGINAL = "original"
    COPY = "copy"
    ORIGINAL_AND_COPY = "original_and_copy"
    ELECTRONIC = "electronic"

    @property
    def label(self) -> str:
        return {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件", "electronic": "电子件"}[
            self.value
        ]


class LineStatus(enum.Enum):
    """Status of one material line; values equal clerk_app.lifecycle.LineStatus's."""

    PENDING = "pending"  # not handed in (a missing material)
    RECEIVED = "received"
    VERIFIED = "verified"
    DEFECTIVE = "defective"
    DEFERRED = "deferred"  # 容缺: follows by a due date
    NOT_REQUIRED = "not_required"  # e.g. shared e-licence, condition not met

    @property
    def label(self) -> str:
        return {
            "pending": "未提交",
            "received": "已接收",
            "verified": "已核验",
            "defective": "不符合要求",
            "deferred": "容缺后补",
            "not_required": "免提交",
        }[self.value]


@dataclass(frozen=True)
class HallHeader:
    """The hall's letterhead, from the settings."""

    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class MaterialLine:
    """One checklist line of the case, with what the window received and what is still owed."""

    name: str
    form: MaterialForm = MaterialForm.ORIGINAL
    originals_required: int = 0
    copies_required: int = 0
    originals_received: int = 0
    copies_received: int = 0
    status: LineStatus = LineStatus.PENDING
    reason: str = ""  # defect or not-required reason, or why it is missing
    what_to_bring: str = ""  # exactly what the applicant must bring next time
    due_date: date | None = None  # deferred materials only

    @property
    def incomplete(self) -> bool:
        """Received, but fewer originals or copies than required."""
        return self.status in (LineStatus.RECEIVED, LineStatus.VERIFIED) and (
            self.originals_received < self.originals_required or self.copies_received < self.copies_required
        )

    @property
    def needs_action(self) -> bool:
        """Missing, defective or incomplete: listed on a one-time notice."""
        return self.status in (LineStatus.PENDING, LineStatus.DEFECTIVE) or self.incomplete

    @property
    def problem_label(self) -> str:
        return "份数不足" if self.incomplete else self.status.label


@dataclass(frozen=True)
class RejectionInfo:
    """Reason and remedies for 不予受理 (the bodies come from the catalogue / hall settings)."""

    reason: str
    legal_basis: str
    reconsideration_body: str  # 行政复议机关, e.g. "XX市人民政府"
    litigation_court: str  # e.g. "XX市XX区人民法院"
    reconsideration_days: int = 60  # 行政复议法 (2023 修订) 第二十条: 六十日
    litigation_months: int = 6  # 行政诉讼法 第四十六条: 六个月


class DeliveryMethod(enum.Enum):
    WINDOW = "window"  # 窗口领取 → 领取凭证
    EXPRESS = "express"  # 邮寄送达 → 送达回证

    @property
    def label(self) -> str:
        return {"window": "窗口领取", "express": "邮寄送达"}[self.value]


@dataclass(frozen=True)
class DeliveryInfo:
    method: DeliveryMethod
    result_name: str = ""  # what is handed over, e.g. "营业执照（正本、副本）"
    receiver: str = ""  # display name of the person who receives it
    receiver_masked_id: str = ""
    express_company: str = ""
    express_no: str = ""
    delivered_at: datetime | None = None


_MASKED = re.compile(r"[*＊]")


@dataclass(frozen=True)
class DocumentContext:
    """Everything one printed document shows. Built by the core from a case; no behaviour."""

    kind: DocumentKind
    hall: HallHeader
    window_no: str
    clerk_staff_no: str
    case_number: str
    case_lookup: str  # the QR payload (what the case search accepts)
    item_code: str
    item_name: str
    department: str
    applicant_name: str  # display name (person or organisation)
    applicant_masked_id: str  # masked by the core, e.g. 4201**********123X
    decision_time: datetime
    agent_name: str = ""
    agent_masked_id: str = ""
    promised_date: date | None = None
    promised_working_days: int | None = None
    promised_provisional: bool = False  # the holiday schedule of that year was not published yet
    legal_working_days: int | None = None
    lines: tuple[MaterialLine, ...] = ()
    rejection: RejectionInfo | None = None
    delivery: DeliveryInfo | None = None
    deferred_consequence: str = ""  # overrides the default consequence text of a commitment
    reprint: bool = False
    printed_at: datetime | None = None  # shown on a reprint ("补打时间")
    layout: PageLayout = PageLayout.A4
    extra_notes: tuple[str, ...] = field(default=())
    supplemented: tuple[MaterialLine, ...] = ()  # 补正材料收件凭证: the materials received this time

    def __post_init__(self) -> None:
        for label, value in (
            ("applicant_masked_id", self.applicant_masked_id),
            ("agent_masked_id", self.agent_masked_id),
        ):
            # A receipt leaves the building: never print a full identity number by mistake.
            if value and not _MASKED.search(value) and len(value) >= 15:
                raise ValueError(f"{label} must be masked by the core before printing")
        if self.kind is DocumentKind.REJECTION_NOTICE and self.rejection is None:
            raise ValueError("a rejection notice needs RejectionInfo")
        if self.kind is DocumentKind.DELIVERY_RECEIPT and self.delivery is None:
            raise ValueError("a delivery receipt needs DeliveryInfo")
        if self.kind is DocumentKind.SUPPLEMENT_RECEIPT and not self.supplemented:
            raise ValueError("a supplement receipt needs the materials received")
        if self.kind is DocumentKind.MATERIAL_REQUEST_NOTICE and not any(
            ln.status is LineStatus.DEFERRED for ln in self.lines
        ):
            raise ValueError("a material request notice needs an owed material")

    @property
    def title(self) -> str:
        if (
            self.kind is DocumentKind.DELIVERY_RECEIPT
            and self.delivery is not None
            and self.delivery.method is DeliveryMethod.WINDOW
        ):
            return "领取凭证"
        return self.kind.title
