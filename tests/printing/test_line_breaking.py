"""避头尾 (issue 17 item 11): no line of a printed paragraph starts with Chinese closing punctuation.
Every position of each mark in a line is tried, in the 80 mm and A4 body and table-cell styles, on
both of ReportLab's wrap paths (one style: textsplit; mixed styles: paragraph.cjkFragSplit)."""

from __future__ import annotations

import pytest
from reportlab.platypus import Paragraph

from printing.documents import _styles
from printing.fonts import cjk_font
from printing.line_breaking import CANNOT_END_ZH, CANNOT_START_ZH
from printing.model import PageLayout

MARKS = "，。、；：？！）》”…"
OPENERS = "（《“"


def line_texts(p: Paragraph) -> list[str]:
    out = []
    for ln in p.blPara.lines:
        if isinstance(ln, tuple):  # the one-style path: (extra space, [text])
            out.append("".join(ln[1]))
        else:
            out.append("".join(getattr(w, "text", "") for w in ln.words))
    return out


@pytest.mark.parametrize("layout", list(PageLayout))
@pytest.mark.parametrize("mixed", [False, True], ids=["one-style", "mixed-styles"])
def test_no_line_starts_with_closing_punctuation(layout: PageLayout, mixed: bool) -> None:
    st = _styles(cjk_font(), layout)
    width = 180 if layout is PageLayout.ROLL_80MM else 420
    starts = []
    for style in (st.body, st.cell):
        per_line = int(width // style.fontSize) + 2
        for mark in MARKS:
            for n in range(per_line + 1):  # the mark at every position of the first line, and just past it
                text = ("<b>申</b>" if mixed else "申") + "请" * n + mark + "材料齐全，符合法定形式" * 6
                p = Paragraph(text, style)
                p.wrap(width, 10_000)
                lines = line_texts(p)
                assert len(lines) > 1
                starts += [f"{mark}@{n}: {t[:4]}" for t in lines[1:] if t[:1] in CANNOT_START_ZH]
    assert starts == []


@pytest.mark.parametrize("layout", list(PageLayout))
@pytest.mark.parametrize("mixed", [False, True], ids=["one-style", "mixed-styles"])
def test_no_line_ends_with_an_opening_mark(layout: PageLayout, mixed: bool) -> None:
    st = _styles(cjk_font(), layout)
    width = 180 if layout is PageLayout.ROLL_80MM else 420
    ends = []
    for style in (st.body, st.cell):
        per_line = int(width // style.fontSize) + 2
        for mark in OPENERS:
            for n in range(per_line + 1):
                text = ("<b>依</b>" if mixed else "依") + "据" * n + mark + "行政许可法" + "第三十二条规定办理" * 5
                p = Paragraph(text, style)
                p.wrap(width, 10_000)
                lines = line_texts(p)
                assert "".join(lines) == text.replace("<b>", "").replace("</b>", "")  # nothing lost
                ends += [f"{mark}@{n}: …{t[-4:]}" for t in lines[:-1] if t[-1:] in CANNOT_END_ZH]
                starts = [t for t in lines[1:] if t[:1] in CANNOT_START_ZH]
                assert starts == []
    assert ends == []
