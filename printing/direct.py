"""Documents printed at once on request, not queued for a case (``DocumentKind.FORM`` and
``DocumentKind.TEST_PAGE``): a catalogue's blank form or sample as shipped (PDF, or an image put on
an A4 page), and the printer test page of the admin's devices tab (hall, printer, time, CJK glyphs,
a 100 mm ruler to check the scale)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.documents import PrintableDocument
from printing.fonts import FontCandidate, cjk_font
from printing.from_case import NotPrintable
from printing.model import DocumentKind, PageLayout

A4_MM = (210.0, 297.0)
MAX_FORM_BYTES = 32 * 1024 * 1024


def pdf_facts(data: bytes, what: str = "the form") -> tuple[int, tuple[float, float]]:
    """Page count and the first page's size (mm) of a PDF to print as it is (PDFium, as the page
    import uses); NotPrintable naming ``what`` when it is not a readable PDF with pages."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise NotPrintable(f"{what} is not a readable PDF") from exc
    try:
        if len(doc) == 0:
            raise NotPrintable(f"{what} has no pages")
        width, height = doc[0].get_size()
        return len(doc), (width * 25.4 / 72, height * 25.4 / 72)
    finally:
        doc.close()


def form_document(data: bytes, name: str, title: str) -> PrintableDocument:
    """A blank form or sample file as a printable document: a PDF as it is, an image (PNG, JPEG,
    TIFF) centred on an A4 page at the largest size that fits inside 10 mm margins."""
    if not data or len(data) > MAX_FORM_BYTES:
        raise NotPrintable("the form file is empty or too large")
    if not name.lower().endswith(".pdf"):
        data = _image_on_a4(data)
    pages, size = pdf_facts(data)
    return PrintableDocument(
        pdf=data,
        kind=DocumentKind.FORM,
        case_number="",
        layout=PageLayout.A4,
        is_reprint=False,
        pages=pages,
        page_size_mm=size,
        title=title,
    )


def _image_on_a4(data: bytes) -> bytes:
    from PIL import Image, UnidentifiedImageError
    from reportlab.lib.utils import ImageReader

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            picture = img.convert("RGB") if img.mode not in ("RGB", "L") else img.copy()
    except (UnidentifiedImageError, OSError) as exc:
        raise NotPrintable("the form is neither a PDF nor a readable image") from exc
    width, height = A4
    margin = 10 * mm
    scale = min((width - 2 * margin) / picture.width, (height - 2 * margin) / picture.height)
    w, h = picture.width * scale, picture.height * scale
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    canvas.drawImage(ImageReader(picture), (width - w) / 2, (height - h) / 2, w, h)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_page(hall_name: str, printer_name: str, now: datetime, fonts: Sequence[FontCandidate] | None = None) -> bytes:
    """The printer test page (A4): who printed where and when, Chinese and Latin text, a 100 mm ruler."""
    font = cjk_font(fonts)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    canvas.setTitle("打印测试页")
    width, height = A4
    left = 25 * mm
    y = height - 35 * mm
    canvas.setFont(font, 22)
    canvas.drawString(left, y, "打印测试页")
    canvas.setFont(font, 12)
    for line in (
        f"政务服务中心：{hall_name}",
        f"打印机：{printer_name}",
        f"打印时间：{now.strftime('%Y-%m-%d %H:%M')}",
        "中文字样：受理回执　一次性告知书　送达回证　（避头尾，“引号”，《书名号》。）",
        "Latin / digits: ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",
        "下方刻度线长 100 毫米：量一量，可检查打印比例是否为 100%。",
    ):
        y -= 11 * mm
        canvas.drawString(left, y, line)
    y -= 20 * mm
    canvas.setLineWidth(0.8)
    canvas.line(left, y, left + 100 * mm, y)
    for i in range(11):
        x = left + i * 10 * mm
        canvas.line(x, y, x, y + (5 if i % 5 == 0 else 3) * mm)
        canvas.setFont(font, 8)
        canvas.drawCentredString(x, y - 4 * mm, str(i * 10))
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)  # a frame 10 mm inside the paper
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_page_document(
    hall_name: str, printer_name: str, now: datetime, fonts: Sequence[FontCandidate] | None = None
) -> PrintableDocument:
    data = test_page(hall_name, printer_name, now, fonts)
    return PrintableDocument(
        pdf=data,
        kind=DocumentKind.TEST_PAGE,
        case_number="",
        layout=PageLayout.A4,
        is_reprint=False,
        pages=1,
        page_size_mm=A4_MM,
        title="打印测试页",
    )
