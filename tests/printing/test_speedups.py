"""What the receipt speed-ups must not change: the QR code (pinned mask) still reads back with zbar for
lookup strings of every length and script the case search issues, and the cached font subsets give
the same bytes and the same extractable text as a fresh build."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from printing.documents import QR_MASK, build_pdf
from printing.fonts import cjk_font, repertoire
from printing.model import DocumentKind, PageLayout
from printing.samples import sample_context

from .conftest import decode_qr, normalise, pdf_text, render_page

# Fixed sample: case-number-only, the URL form (short and long keys), Chinese byte-mode payloads;
# lengths from version 1 up to version 10 at level M (the longest lookup the hall configures is ~120).
LOOKUPS = [
    "JA0320261123000157",
    "办件:JA0320261123000157",
    "https://zwfw.example.gov.cn/q?c=JA0320261123000157&k=7F3K",
    "https://zwfw.example.gov.cn/q?c=WH0120261201000001&k=" + "Z9" * 20,
    "https://政务服务.example.gov.cn/查询?c=JA0320261123000157&k=" + "0" * 60,
    "1",
]


@pytest.mark.parametrize("layout", list(PageLayout))
@pytest.mark.parametrize("lookup", LOOKUPS, ids=[f"len{len(x)}" for x in LOOKUPS])
def test_qr_with_the_pinned_mask_reads_back(lookup: str, layout: PageLayout, tmp_path: Path) -> None:
    assert 0 <= QR_MASK <= 7
    ctx = replace(sample_context(DocumentKind.RECEIPT, layout), case_lookup=lookup)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(build_pdf(ctx))
    # 150 dpi is a coarse office print/scan; the QR is 30–32 mm wide.
    assert decode_qr(render_page(pdf, tmp_path / "page", dpi=150)) == [lookup]


def test_cached_subsets_give_the_same_bytes_as_a_fresh_build() -> None:
    ctx = sample_context(DocumentKind.RECEIPT, PageLayout.A4)
    font = pdfmetrics.getFont(cjk_font())
    first = build_pdf(ctx)
    font._subsets.clear()  # cold cache: every subset built and compressed again
    assert build_pdf(ctx) == first
    assert font._subsets, "the build filled the subset cache"
    assert build_pdf(ctx) == first  # warm cache


def test_two_applicants_share_the_fixed_subsets_and_keep_their_own_text(tmp_path: Path) -> None:
    font = pdfmetrics.getFont(cjk_font())
    font._subsets.clear()
    a = replace(sample_context(DocumentKind.RECEIPT, PageLayout.A4), applicant_name="欧阳娜娜")
    b = replace(a, applicant_name="爨龘齉", item_name="鬱鬯驫麤登记")
    build_pdf(a)
    keys_a = set(font._subsets)
    pdf_b = build_pdf(b)
    shared = keys_a & set(font._subsets)
    # every subset made only of the documents' fixed wording is reused; the variable text gets its own
    assert len(shared) >= len(repertoire()) // 256
    text = normalise(pdf_text(pdf_b, tmp_path))
    assert normalise("爨龘齉") in text and normalise("鬱鬯驫麤登记") in text
    assert normalise("欧阳娜娜") not in text
