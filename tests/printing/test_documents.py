"""The six documents: extracted text, QR code read back by zbar, page sizes, page x of y, 补打, fonts."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from clerk_app.errors import DeviceError
from printing.documents import build_document, build_pdf
from printing.errors import FontMissingError
from printing.fonts import FontCandidate
from printing.model import TEMPLATE_KINDS, DocumentKind, LineStatus, PageLayout
from printing.samples import LINES, sample_context

from .conftest import decode_qr, normalise, pdf_text, render_page

ALL_KINDS = list(TEMPLATE_KINDS)  # the result document is the department's PDF, not laid out here
MM = 72 / 25.4


def text_of(pdf: bytes, tmp_path: Path, **kw: int) -> str:
    return normalise(pdf_text(pdf, tmp_path, **kw))


def has(text: str, *needles: str) -> None:
    for needle in needles:
        assert normalise(needle) in text, f"{needle!r} missing from the document text"


@pytest.mark.parametrize("layout", list(PageLayout))
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_document_carries_the_common_block(kind: DocumentKind, layout: PageLayout, tmp_path: Path) -> None:
    ctx = sample_context(kind, layout)
    text = text_of(build_pdf(ctx), tmp_path)
    has(
        text,
        ctx.title,
        "江城市江岸区政务服务中心",
        "JA0320261123000157",
        "11420102MB1234567A4420111001",
        "个体工商户设立登记",
        "江城市江岸区市场监督管理局",
        "张晓明",
        "4201**********123X",
        "07号窗口",
        "受理人工号：A0123",
        "2026年11月23日 10:05",
        "第 1 页 / 共 1 页",
        "地址：江城市江岸区沿江大道188号一楼综合窗口",
        "027-12345678",
    )
    if ctx.promised_date is not None:
        has(text, "2026年11月30日（5个工作日）", "15个工作日")
    assert "补打" not in text


@pytest.mark.parametrize("layout", list(PageLayout))
def test_receipt_lists_every_material_line(layout: PageLayout, tmp_path: Path) -> None:
    text = text_of(build_pdf(sample_context(DocumentKind.RECEIPT, layout)), tmp_path)
    has(text, "受理回执", "已于2026年11月23日 10:05受理", "承诺办结时间：2026年11月30日（5个工作日）")
    for line in LINES:
        has(text, line.name, line.status.label)
    has(text, "原件 1/1 份", "复印件 1/1 份", "2026年12月4日前补交", "已通过电子证照库共享获取")


@pytest.mark.parametrize("layout", list(PageLayout))
def test_one_time_notice_lists_every_missing_or_defective_material_with_what_to_bring(
    layout: PageLayout, tmp_path: Path
) -> None:
    text = text_of(build_pdf(sample_context(DocumentKind.ONE_TIME_NOTICE, layout)), tmp_path)
    todo = [ln for ln in LINES if ln.status in (LineStatus.PENDING, LineStatus.DEFECTIVE)]
    assert len(todo) == 2
    has(text, "一次性告知书", "一次性告知如下（共2项）", "《中华人民共和国行政许可法》第三十二条")
    for line in todo:
        has(text, line.name, line.reason, line.what_to_bring)
    has(text, "委托书未写明委托权限和期限", "房屋产权证明复印件1份，或租赁合同及出租方产权证明复印件各1份")


@pytest.mark.parametrize("layout", list(PageLayout))
def test_deficiency_commitment(layout: PageLayout, tmp_path: Path) -> None:
    text = text_of(build_pdf(sample_context(DocumentKind.DEFICIENCY_COMMITMENT, layout)), tmp_path)
    has(
        text,
        "容缺受理承诺书",
        "从业人员健康证明",
        "有效期内的健康证明复印件1份",
        "2026年12月4日",
        "视为申请人撤回申请",
        "承诺人（签字/盖章）",
        "受理人（工号 A0123）",
        "日期：",
    )


@pytest.mark.parametrize("layout", list(PageLayout))
def test_rejection_notice_states_reason_basis_and_remedies(layout: PageLayout, tmp_path: Path) -> None:
    ctx = sample_context(DocumentKind.REJECTION_NOTICE, layout)
    text = text_of(build_pdf(ctx), tmp_path)
    assert ctx.rejection is not None
    has(
        text,
        "不予受理通知书",
        "决定不予受理",
        ctx.rejection.reason,
        ctx.rejection.legal_basis,
        "自收到本通知书之日起60日内向江城市江岸区人民政府申请行政复议",
        "自收到本通知书之日起6个月内向江城市江岸区人民法院提起行政诉讼",
    )


@pytest.mark.parametrize("layout", list(PageLayout))
def test_materials_received_counts_every_line(layout: PageLayout, tmp_path: Path) -> None:
    text = text_of(build_pdf(sample_context(DocumentKind.MATERIALS_RECEIVED, layout)), tmp_path)
    for line in LINES:
        has(text, line.name)
    has(text, "共6项材料，实收原件3份、复印件1份")


@pytest.mark.parametrize("layout", list(PageLayout))
def test_delivery_receipt(layout: PageLayout, tmp_path: Path) -> None:
    ctx = sample_context(DocumentKind.DELIVERY_RECEIPT, layout)
    text = text_of(build_pdf(ctx), tmp_path)
    has(
        text,
        "送达回证",
        "邮寄送达",
        "中国邮政EMS",
        "1187654321098",
        "营业执照（正本1份、副本1份）",
        "2026年11月28日 15:20",
        "受送达人（签字）",
    )
    assert ctx.delivery is not None
    window = replace(ctx, delivery=replace(ctx.delivery, method=type(ctx.delivery.method).WINDOW))
    has(text_of(build_pdf(window), tmp_path), "领取凭证", "窗口领取", "领取人（签字）")


@pytest.mark.parametrize(
    "kind,layout",
    [(k, PageLayout.A4) for k in ALL_KINDS]
    + [(DocumentKind.RECEIPT, PageLayout.ROLL_80MM), (DocumentKind.ONE_TIME_NOTICE, PageLayout.ROLL_80MM)],
)
def test_qr_code_reads_back_as_the_case_lookup_string(kind: DocumentKind, layout: PageLayout, tmp_path: Path) -> None:
    ctx = sample_context(kind, layout)
    path = tmp_path / "doc.pdf"
    path.write_bytes(build_pdf(ctx))
    assert decode_qr(render_page(path, tmp_path / "page", dpi=150)) == [ctx.case_lookup]


def test_qr_code_carries_a_chinese_lookup_string(tmp_path: Path) -> None:
    ctx = replace(sample_context(), case_lookup="办件:JA0320261123000157")
    path = tmp_path / "doc.pdf"
    path.write_bytes(build_pdf(ctx))
    assert decode_qr(render_page(path, tmp_path / "page")) == ["办件:JA0320261123000157"]


def test_page_sizes() -> None:
    a4 = build_document(sample_context(DocumentKind.RECEIPT, PageLayout.A4))
    roll = build_document(sample_context(DocumentKind.RECEIPT, PageLayout.ROLL_80MM))
    box = PdfReader(io.BytesIO(a4.pdf)).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    box = PdfReader(io.BytesIO(roll.pdf)).pages[0].mediabox
    assert round(float(box.width) / MM, 1) == 80.0
    assert 100 <= float(box.height) / MM <= 400  # the roll is as long as the content
    assert roll.pages == 1 and roll.media == f"Custom.80x{round(float(box.height) / MM)}mm"
    assert a4.media == "A4"


@pytest.mark.parametrize("layout", list(PageLayout))
def test_long_notice_runs_over_pages_numbered_x_of_y(layout: PageLayout, tmp_path: Path) -> None:
    ctx = sample_context(DocumentKind.ONE_TIME_NOTICE, layout, line_count=60)
    doc = build_document(ctx)
    reader = PdfReader(io.BytesIO(doc.pdf))
    total = len(reader.pages)
    assert total == doc.pages >= 2
    whole = text_of(doc.pdf, tmp_path)
    for number in range(1, total + 1):
        page_text = text_of(doc.pdf, tmp_path, first=number, last=number)
        has(page_text, f"第 {number} 页 / 共 {total} 页", "JA0320261123000157")
    has(whole, f"一次性告知如下（共{2 + 60}项）")
    for line in ctx.lines:
        if line.needs_action:
            has(whole, line.name, line.what_to_bring)


@pytest.mark.parametrize("layout", list(PageLayout))
def test_reprint_is_marked(layout: PageLayout, tmp_path: Path) -> None:
    text = text_of(build_pdf(sample_context(DocumentKind.RECEIPT, layout, reprint=True)), tmp_path)
    has(text, "【补打】", "补打时间：2026年11月24日 09:30")
    assert text.count("补打") >= 3  # the heading line twice, plus the stamp drawn on the page


def test_font_is_embedded_as_a_subset_and_output_is_deterministic() -> None:
    ctx = sample_context()
    pdf = build_pdf(ctx)
    assert pdf == build_pdf(ctx)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    cjk = [n for n in names if "WenQuanYi" in n]
    assert cjk and all(n[7] == "+" for n in cjk)  # "/AAAAAA+..." marks a subset
    assert len(pdf) < 120_000


def test_missing_font_is_a_clear_typed_error(tmp_path: Path) -> None:
    candidates = [FontCandidate(tmp_path / "nope.ttc"), FontCandidate(tmp_path / "gone.ttf")]
    with pytest.raises(FontMissingError) as info:
        build_pdf(sample_context(), fonts=candidates)
    err = info.value
    assert isinstance(err, DeviceError)
    assert "fonts-wqy-microhei" in err.user_message("zh_CN") and "中文字体" in err.user_message("zh_CN")
    assert "nope.ttc" in str(err) and "No CJK TrueType font" in str(err)


def test_unusable_font_file_is_reported_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(FontMissingError) as info:
        build_pdf(sample_context(), fonts=[FontCandidate(bad)])
    assert "broken.ttf" in str(info.value)


def test_an_unmasked_id_number_is_refused() -> None:
    with pytest.raises(ValueError, match="masked"):
        replace(sample_context(), applicant_masked_id="420102199001011234")


def test_documents_that_would_say_nothing_are_refused() -> None:
    clean = tuple(
        replace(
            ln, status=LineStatus.VERIFIED, originals_received=ln.originals_required, copies_received=ln.copies_required
        )
        for ln in LINES
    )
    with pytest.raises(ValueError, match="one-time notice"):
        build_pdf(replace(sample_context(DocumentKind.ONE_TIME_NOTICE), lines=clean))
    with pytest.raises(ValueError, match="deferred"):
        build_pdf(replace(sample_context(DocumentKind.DEFICIENCY_COMMITMENT), lines=clean))
    with pytest.raises(ValueError, match="RejectionInfo"):
        replace(sample_context(), kind=DocumentKind.REJECTION_NOTICE)


def test_notice_lists_an_incomplete_line_and_not_as_verified(tmp_path: Path) -> None:
    from printing.model import MaterialForm, MaterialLine

    short = MaterialLine(
        "股东会决议",
        MaterialForm.ORIGINAL_AND_COPY,
        1,
        2,
        1,
        1,
        LineStatus.VERIFIED,
        reason="复印件少1份",
        what_to_bring="股东会决议复印件1份",
    )
    ctx = replace(sample_context(DocumentKind.ONE_TIME_NOTICE), lines=LINES + (short,))
    text = text_of(build_pdf(ctx), tmp_path)
    has(text, "一次性告知如下（共3项）", "股东会决议", "份数不足：复印件少1份", "股东会决议复印件1份")
    verified_part = text.split(normalise("本次已核验的材料"))[1]
    assert normalise("股东会决议") not in verified_part


@pytest.mark.parametrize("layout", list(PageLayout))
def test_a_missing_material_is_said_once_not_twice(layout: PageLayout, tmp_path: Path) -> None:
    """Issue 17: the core's reason for a missing line is 未提交 — the notice printed 未提交：未提交."""
    from printing.model import MaterialForm, MaterialLine

    missing = MaterialLine("场所使用证明", MaterialForm.COPY, 0, 1, 0, 0, LineStatus.PENDING, reason="未提交")
    short = MaterialLine(
        "股东会决议", MaterialForm.COPY, 0, 2, 0, 1, LineStatus.RECEIVED, reason="份数不足（已收复印件 1 份）"
    )
    ctx = replace(sample_context(DocumentKind.ONE_TIME_NOTICE, layout), lines=(*LINES, missing, short))
    text = text_of(build_pdf(ctx), tmp_path)
    has(text, "场所使用证明", "份数不足（已收复印件 1 份）")
    assert normalise("未提交：未提交") not in text and normalise("原因：未提交") not in text
    assert normalise("份数不足：份数不足") not in text
