"""Made-up document contexts for the demo, the benchmark, the screenshots and the tests.

All people, numbers and addresses here are invented; the ID number is a masked fake.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from printing.model import (
    TEMPLATE_KINDS,
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

HALL = HallHeader(
    name="江城市江岸区政务服务中心", address="江城市江岸区沿江大道188号一楼综合窗口", phone="027-12345678"
)

LINES: tuple[MaterialLine, ...] = (
    MaterialLine("个体工商户设立登记申请书", MaterialForm.ORIGINAL, 1, 0, 1, 0, LineStatus.VERIFIED),
    MaterialLine("经营者身份证件", MaterialForm.COPY, 1, 1, 1, 1, LineStatus.VERIFIED, reason="原件核验后退还"),
    MaterialLine(
        "经营场所使用证明",
        MaterialForm.COPY,
        0,
        1,
        0,
        0,
        LineStatus.PENDING,
        reason="申请时未携带",
        what_to_bring="房屋产权证明复印件1份，或租赁合同及出租方产权证明复印件各1份",
    ),
    MaterialLine(
        "委托代理人授权委托书",
        MaterialForm.ORIGINAL,
        1,
        0,
        1,
        0,
        LineStatus.DEFECTIVE,
        reason="委托书未写明委托权限和期限",
        what_to_bring="写明委托事项、权限和期限并由经营者签字的授权委托书原件1份",
    ),
    MaterialLine(
        "从业人员健康证明",
        MaterialForm.COPY,
        0,
        1,
        0,
        0,
        LineStatus.DEFERRED,
        what_to_bring="有效期内的健康证明复印件1份",
        due_date=date(2026, 12, 4),
    ),
    MaterialLine(
        "营业执照（共享电子证照）",
        MaterialForm.ELECTRONIC,
        0,
        0,
        0,
        0,
        LineStatus.NOT_REQUIRED,
        reason="已通过电子证照库共享获取",
    ),
)


def sample_context(
    kind: DocumentKind = DocumentKind.RECEIPT,
    layout: PageLayout = PageLayout.A4,
    *,
    reprint: bool = False,
    line_count: int | None = None,
) -> DocumentContext:
    """A complete context of ``kind``; ``line_count`` repeats defective lines to force several pages."""
    lines = LINES
    if line_count is not None:
        extra = tuple(
            MaterialLine(
                f"补充材料第{i:03d}号",
                MaterialForm.COPY,
                0,
                1,
                0,
                0,
                LineStatus.DEFECTIVE,
                reason=f"第{i}页复印不清晰",
                what_to_bring=f"第{i:03d}号材料清晰复印件1份",
            )
            for i in range(1, line_count + 1)
        )
        lines = LINES + extra
    base = DocumentContext(
        kind=DocumentKind.RECEIPT,
        hall=HALL,
        window_no="07",
        clerk_staff_no="A0123",
        case_number="JA0320261123000157",
        case_lookup="https://zwfw.example.gov.cn/q?c=JA0320261123000157&k=7F3K",
        item_code="11420102MB1234567A4420111001",
        item_name="个体工商户设立登记",
        department="江城市江岸区市场监督管理局",
        applicant_name="张晓明",
        applicant_masked_id="4201**********123X",
        decision_time=datetime(2026, 11, 23, 10, 5),
        promised_date=date(2026, 11, 30),
        promised_working_days=5,
        legal_working_days=15,
        lines=lines,
        printed_at=datetime(2026, 11, 24, 9, 30) if reprint else None,
        reprint=reprint,
        layout=layout,
    )
    if kind is DocumentKind.REJECTION_NOTICE:
        return replace(
            base,
            kind=kind,
            promised_date=None,
            promised_working_days=None,
            rejection=RejectionInfo(
                reason="申请经营的项目属于国家禁止个人经营的范围，不属于个体工商户登记的受理范围。",
                legal_basis="《促进个体工商户发展条例》第十条；《中华人民共和国市场主体登记管理条例》第十九条",
                reconsideration_body="江城市江岸区人民政府",
                litigation_court="江城市江岸区人民法院",
            ),
        )
    if kind is DocumentKind.ONE_TIME_NOTICE:
        return replace(base, kind=kind, promised_date=None, promised_working_days=None)
    if kind is DocumentKind.DELIVERY_RECEIPT:
        return replace(
            base,
            kind=kind,
            delivery=DeliveryInfo(
                method=DeliveryMethod.EXPRESS,
                result_name="营业执照（正本1份、副本1份）",
                receiver="张晓明",
                receiver_masked_id="4201**********123X",
                express_company="中国邮政EMS",
                express_no="1187654321098",
                delivered_at=datetime(2026, 11, 28, 15, 20),
            ),
        )
    if kind is DocumentKind.SUPPLEMENT_RECEIPT:
        came = MaterialLine("经营场所使用证明", MaterialForm.COPY, 0, 1, 0, 1, LineStatus.RECEIVED)
        return replace(
            base,
            kind=kind,
            promised_date=None,
            promised_working_days=None,
            supplemented=(came,),
        )
    if kind is DocumentKind.MATERIAL_REQUEST_NOTICE:
        asked = MaterialLine(
            "租赁合同复印件（加盖出租方公章）",
            MaterialForm.COPY,
            status=LineStatus.DEFERRED,
            reason="经营场所证明材料缺失，请申请人补正",
            due_date=date(2026, 12, 11),
        )
        return replace(
            base,
            kind=kind,
            promised_date=None,
            promised_working_days=None,
            lines=base.lines + (asked,),
        )
    return replace(base, kind=kind)


_SHORT = {
    DocumentKind.RECEIPT: "receipt",
    DocumentKind.ONE_TIME_NOTICE: "notice",
    DocumentKind.DEFICIENCY_COMMITMENT: "commitment",
    DocumentKind.REJECTION_NOTICE: "rejection",
    DocumentKind.MATERIALS_RECEIVED: "materials",
    DocumentKind.DELIVERY_RECEIPT: "delivery",
    DocumentKind.SUPPLEMENT_RECEIPT: "supplement",
    DocumentKind.MATERIAL_REQUEST_NOTICE: "request",
}


def write_samples(folder: str) -> None:
    """Write every sample document as PDF and page-1 PNG (needs pdftoppm) into ``folder``.

    ``python -m printing.samples docs/screenshots`` refreshes the screenshots in the docs.
    """
    import subprocess
    from pathlib import Path

    from PIL import Image

    from printing.documents import build_pdf

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        (f"print-{_SHORT[k]}-{'a4' if lay is PageLayout.A4 else '80mm'}", sample_context(k, lay), 1)
        for lay in PageLayout
        for k in TEMPLATE_KINDS
    ]
    jobs.append(
        ("print-receipt-reprint-80mm", sample_context(DocumentKind.RECEIPT, PageLayout.ROLL_80MM, reprint=True), 1)
    )
    jobs.append(
        ("print-notice-a4-page2", sample_context(DocumentKind.ONE_TIME_NOTICE, PageLayout.A4, line_count=60), 2)
    )
    for name, ctx, page in jobs:
        pdf = out / f"{name}.pdf"
        pdf.write_bytes(build_pdf(ctx))
        dpi = "100" if ctx.layout is PageLayout.A4 else "150"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                dpi,
                "-png",
                "-gray",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(pdf),
                str(out / name),
            ],
            check=True,
        )
        pdf.unlink()
        png = out / f"{name}.png"
        with Image.open(png) as image:  # 16 grey levels keep the PNGs small enough to commit
            small = image.convert("L").quantize(16)
        small.save(png, optimize=True)


if __name__ == "__main__":
    import sys

    write_samples(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
