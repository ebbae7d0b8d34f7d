"""The six window documents as ReportLab flowables, and ``build_pdf`` that turns a context into bytes.

Every document starts with the same block (hall header, title, case number with its QR code, item,
applicant with masked ID, window and clerk, decision and promised dates) and ends with the hall's
address; the body in between depends on the kind. Page furniture ("第 x 页 / 共 y 页", case number,
the 补打 stamp of a reprint) is drawn on the canvas after the page count is known.

A4 uses tables; the 80 mm roll has 72 mm printable width, so material lines are stacked paragraphs
and the page height follows the content (a thermal printer cuts where the page ends).
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from printing import line_breaking
from printing.fonts import FontCandidate, cjk_font
from printing.model import (
    DeliveryMethod,
    DocumentContext,
    DocumentKind,
    LineStatus,
    MaterialLine,
    PageLayout,
)

MM: float = mm  # reportlab is untyped; keep the unit a float for mypy
ROLL_WIDTH = 80 * MM
ROLL_MARGIN = 4 * MM  # 72 mm printable on common 80 mm thermal printers
ROLL_MIN_HEIGHT = 100 * MM
ROLL_MAX_PAGE_HEIGHT = 400 * MM  # longer content continues on a further "page" (another cut)
ROLL_TOP_EXTRA = 2 * MM
ROLL_TOP_EXTRA_REPRINT = 8 * MM  # room for the 补打 stamp above the text on every page
A4_MARGIN = 18 * MM
FRAME_PADDING = 6  # points: the default padding of a platypus Frame on each side

DEFAULT_DEFERRED_CONSEQUENCE = (
    "逾期未补交或补交的材料不符合要求的，视为申请人撤回申请，已作出的容缺受理决定予以撤销，"
    "由此产生的后果由申请人承担；失信行为将依法记入信用记录。"
)

DECISION_LABEL = {
    DocumentKind.RECEIPT: "受理时间",
    DocumentKind.ONE_TIME_NOTICE: "告知时间",
    DocumentKind.DEFICIENCY_COMMITMENT: "受理时间",
    DocumentKind.REJECTION_NOTICE: "决定时间",
    DocumentKind.MATERIALS_RECEIVED: "接收时间",
    DocumentKind.DELIVERY_RECEIPT: "受理时间",
    DocumentKind.SUPPLEMENT_RECEIPT: "收件时间",
    DocumentKind.MATERIAL_REQUEST_NOTICE: "告知时间",
}


line_breaking.apply()  # 避头尾: no line starts with ，；：》” … (ReportLab's own list is the Japanese one)


def fmt_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def fmt_time(value: datetime) -> str:
    return f"{fmt_date(value)} {value.hour:02d}:{value.minute:02d}"


def _t(text: str) -> str:
    """Plain text for a Paragraph (which parses a small XML markup)."""
    return escape(text).replace("\n", "<br/>")


@dataclass(frozen=True)
class _Styles:
    font: str
    layout: PageLayout
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    hall: ParagraphStyle
    title: ParagraphStyle
    reprint: ParagraphStyle
    section: ParagraphStyle
    right: ParagraphStyle

    @property
    def roll(self) -> bool:
        return self.layout is PageLayout.ROLL_80MM


def _styles(font: str, layout: PageLayout) -> _Styles:
    roll = layout is PageLayout.ROLL_80MM
    size = 8.5 if roll else 10.5

    def style(name: str, **kw: Any) -> ParagraphStyle:
        # wordWrap="CJK" lets lines break between any two Chinese characters.
        base: dict[str, Any] = dict(fontName=font, fontSize=size, leading=size * 1.45, wordWrap="CJK")
        base.update(kw)
        return ParagraphStyle(name, **base)

    return _Styles(
        font=font,
        layout=layout,
        body=style("body", spaceAfter=2 if roll else 4),
        small=style("small", fontSize=size - 1.5, leading=(size - 1.5) * 1.4),
        cell=style("cell", fontSize=size - 1, leading=(size - 1) * 1.35),
        hall=style("hall", fontSize=size + 1.5, leading=(size + 1.5) * 1.3, alignment=TA_CENTER),
        title=style(
            "title",
            fontSize=13 if roll else 20,
            leading=17 if roll else 26,
            alignment=TA_CENTER,
            spaceBefore=2,
            spaceAfter=4 if roll else 8,
        ),
        reprint=style("reprint", alignment=TA_CENTER, spaceAfter=4),
        section=style(
            "section", fontSize=size + 1, leading=(size + 1) * 1.4, spaceBefore=6, spaceAfter=3, alignment=TA_LEFT
        ),
        right=style("right", alignment=TA_RIGHT),
    )


# ---------------------------------------------------------------------------------------------------
# Building blocks


QR_MASK = 2  # pinned data mask (ISO/IEC 18004:2015 §7.8.2), see _PinnedMaskQrCode


class _PinnedMaskQrCode(QrCode):  # type: ignore[misc]  # reportlab ships no type hints
    """ReportLab's QR flowable with a fixed data mask, drawn as one filled path.

    ReportLab builds the symbol nine times to pick the mask with the lowest penalty score (about a
    third of a receipt's build time). The mask is recorded in the symbol's format information, so
    any of the eight decodes; the penalty only steers away from patterns that can confuse a poor
    reader (large blocks, finder-like runs), which matters little for a short code printed at
    30 mm. Tests decode every document's code with zbar (tests/printing/test_documents.py) and a
    fixed sample of lookup strings of every length the case search produces (test_qr.py).
    The dark modules go into one path (one fill) instead of a ``re f`` operator pair per run.
    """

    def draw(self) -> None:
        qr = self.qr
        if qr.version is None:
            qr.version = qr.calculate_version()
        qr.makeImpl(False, QR_MASK)
        count = qr.getModuleCount()
        border = self.qrBorder
        xsize = self.width / (count + border * 2.0)
        ysize = self.height / (count + border * 2.0)
        path = self.canv.beginPath()
        for r, row in enumerate(qr.modules):
            y = self.height - (r + border + 1) * ysize
            c = 0
            for dark, run in itertools.groupby(row):
                n = sum(1 for _ in run)
                if dark:
                    # 5 % taller than a module so neighbouring rows overlap (no hairline gaps).
                    path.rect((c + border) * xsize, y, n * xsize, ysize * 1.05)
                c += n
        self.canv.drawPath(path, stroke=0, fill=1)


def qr_code(value: str, size: float) -> QrCode:
    """A QR code of ``value``, ``size`` points square (error correction M, 4-module quiet zone).

    The flowable draws the modules straight onto the canvas: about half the time of the
    QrCodeWidget-in-a-Drawing route, which encodes twice (bounds, then draw) and builds a node tree.
    """
    return _PinnedMaskQrCode(value, width=size, height=size, qrLevel="M", qrBorder=4)


def _kv_table(rows: Sequence[tuple[str, str]], st: _Styles, width: float) -> Table:
    label_w = 17 * MM if st.roll else 26 * MM
    data = [[Paragraph(_t(k), st.cell), Paragraph(_t(v), st.cell)] for k, v in rows]
    table = Table(data, colWidths=[label_w, width - label_w])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1 if st.roll else 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1 if st.roll else 3),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5 if st.roll else 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5 if st.roll else 1.5),
            ]
        )
    )
    return table


def _promised_text(ctx: DocumentContext) -> str | None:
    if ctx.promised_date is None:
        return None
    days = f"（{ctx.promised_working_days}个工作日）" if ctx.promised_working_days is not None else ""
    # A year whose holiday schedule was not published yet: the applicant is told the date may move.
    provisional = "，按法定节假日暂定" if ctx.promised_provisional else ""
    if provisional:
        days = (days[:-1] + provisional + "）") if days else f"（{provisional[1:]}）"
    return fmt_date(ctx.promised_date) + days


def _case_rows(ctx: DocumentContext) -> list[tuple[str, str]]:
    rows = [
        ("办件编号", ctx.case_number),
        ("事项编码", ctx.item_code),
        ("事项名称", ctx.item_name),
    ]
    if ctx.department:
        rows.append(("承办部门", ctx.department))
    rows.append(("申请人", ctx.applicant_name))
    if ctx.applicant_masked_id:
        rows.append(("证件号码", ctx.applicant_masked_id))
    if ctx.agent_name:
        agent = ctx.agent_name + (f"（{ctx.agent_masked_id}）" if ctx.agent_masked_id else "")
        rows.append(("代理人", agent))
    rows.append(("受理窗口", f"{ctx.window_no}号窗口　受理人工号：{ctx.clerk_staff_no}"))
    rows.append((DECISION_LABEL[ctx.kind], fmt_time(ctx.decision_time)))
    promised = _promised_text(ctx)
    if promised is not None:
        rows.append(("承诺办结", promised))
    if ctx.legal_working_days is not None:
        rows.append(("法定时限", f"{ctx.legal_working_days}个工作日"))
    return rows


def _heading(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [Paragraph(_t(ctx.hall.name), st.hall), Paragraph(_t(ctx.title), st.title)]
    if ctx.reprint:
        when = f"　补打时间：{fmt_time(ctx.printed_at)}" if ctx.printed_at else ""
        out.append(Paragraph(_t(f"【补打】{when}"), st.reprint))
    rows = _case_rows(ctx)
    if st.roll:
        out.append(_kv_table(rows, st, width))
        qr = Table([[qr_code(ctx.case_lookup, 30 * MM)]], colWidths=[width])
        qr.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        out.append(qr)
        out.append(Paragraph(_t("扫码查询办件进度"), ParagraphStyle("qrcap", parent=st.small, alignment=TA_CENTER)))
    else:
        qr_size = 32 * MM
        info = _kv_table(rows, st, width - qr_size - 6 * MM)
        qr_cell = [
            qr_code(ctx.case_lookup, qr_size),
            Paragraph(_t("扫码查询办件进度"), ParagraphStyle("qrcap", parent=st.small, alignment=TA_CENTER)),
        ]
        outer = Table([[info, qr_cell]], colWidths=[width - qr_size - 6 * MM, qr_size + 6 * MM])
        outer.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        out.append(outer)
    out.append(Spacer(1, 2 * MM))
    return out


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], st: _Styles) -> Table:
    data = [[Paragraph(_t(h), st.cell) for h in header]]
    data += [[Paragraph(_t(c), st.cell) for c in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _stacked(items: Sequence[tuple[str, Sequence[str]]], st: _Styles) -> list[Flowable]:
    """Roll layout of a list: a bold-ish first line per item, then indented detail lines."""
    out: list[Flowable] = []
    detail = ParagraphStyle("detail", parent=st.cell, leftIndent=4 * MM)
    for head, details in items:
        out.append(Paragraph(_t(head), st.body))
        out.extend(Paragraph(_t(d), detail) for d in details if d)
    return out


def _counts(line: MaterialLine, nothing: str = "—") -> str:
    parts = []
    if line.originals_required or line.originals_received:
        parts.append(f"原件 {line.originals_received}/{line.originals_required} 份")
    if line.copies_required or line.copies_received:
        parts.append(f"复印件 {line.copies_received}/{line.copies_required} 份")
    return "，".join(parts) or nothing


def _line_remark(line: MaterialLine) -> str:
    if line.status is LineStatus.DEFERRED and line.due_date is not None:
        return f"{fmt_date(line.due_date)}前补交"
    return line.reason


def _problem(line: MaterialLine) -> tuple[str, str]:
    """The notice's problem and reason, said once: a reason that already starts with the problem
    ("未提交", "份数不足（已收原件 0 份…）") is not put after it again ("未提交：未提交")."""
    label, reason = line.problem_label, line.reason.strip()
    if reason.startswith(label):
        return reason, ""
    return label, reason


def _section(text: str, st: _Styles) -> Paragraph:
    return Paragraph(_t(text), st.section)


def _signature(label: str, st: _Styles) -> Paragraph:
    if st.roll:  # 72 mm: the date goes on its own line so neither blank is broken
        return Paragraph(_t(f"{label}：{'＿' * 8}\n日期：＿＿＿年＿＿月＿＿日"), st.body)
    return Paragraph(_t(f"{label}：{'＿' * 10}　日期：＿＿年＿＿月＿＿日"), st.body)


# ---------------------------------------------------------------------------------------------------
# Bodies per document kind


def _materials_block(lines: Sequence[MaterialLine], st: _Styles, width: float) -> list[Flowable]:
    if st.roll:
        return _stacked(
            [
                (f"{i}. {ln.name}", [f"{_counts(ln, ln.form.label)}　{ln.status.label}", _line_remark(ln)])
                for i, ln in enumerate(lines, 1)
            ],
            st,
        )
    widths = [12 * MM, width - 114 * MM, 16 * MM, 28 * MM, 18 * MM, 40 * MM]
    rows = [
        [str(i), ln.name, ln.form.label, _counts(ln), ln.status.label, _line_remark(ln)]
        for i, ln in enumerate(lines, 1)
    ]
    return [_grid(["序号", "材料名称", "形式", "收取/应交", "状态", "备注"], rows, widths, st), Spacer(1, 2 * MM)]


def _body_receipt(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph(
            _t(
                f"{ctx.applicant_name}：您申请办理的“{ctx.item_name}”已于{fmt_time(ctx.decision_time)}受理。"
                "请妥善保管本回执，凭办件编号或扫描二维码查询办理进度、领取办理结果。"
            ),
            st.body,
        )
    ]
    promised = _promised_text(ctx)
    if promised:
        out.append(Paragraph(_t(f"承诺办结时间：{promised}，法定节假日不计算在内。"), st.body))
    out.append(_section("已收取材料", st))
    out += _materials_block([ln for ln in ctx.lines], st, width)
    deferred = [ln for ln in ctx.lines if ln.status is LineStatus.DEFERRED]
    if deferred:
        out.append(Paragraph(_t("容缺材料须在承诺期限内补交，逾期未补交的按容缺受理承诺书处理。"), st.small))
    return out


def _body_notice(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    todo = [ln for ln in ctx.lines if ln.needs_action]
    if not todo:
        raise ValueError("a one-time notice needs at least one missing or defective material")
    out: list[Flowable] = [
        Paragraph(
            _t(
                f"{ctx.applicant_name}：您申请办理的“{ctx.item_name}”，经审查，申请材料不齐全或者不符合法定形式。"
                f"根据《中华人民共和国行政许可法》第三十二条，现将需要补正的全部内容一次性告知如下（共{len(todo)}项）。"
                "请按要求补齐后，到任一综合窗口提交，材料齐全即予受理。"
            ),
            st.body,
        )
    ]
    out.append(_section("需补正的材料", st))
    if st.roll:
        out += _stacked(
            [
                (
                    f"{i}. {ln.name}（{ln.problem_label}）",
                    [
                        f"原因：{ln.reason}" if ln.reason and ln.reason != ln.problem_label else "",
                        f"请携带：{ln.what_to_bring}" if ln.what_to_bring else "",
                    ],
                )
                for i, ln in enumerate(todo, 1)
            ],
            st,
        )
    else:
        widths = [12 * MM, 42 * MM, (width - 54 * MM) / 2, (width - 54 * MM) / 2]
        rows = [
            [str(i), ln.name, "：".join(filter(None, _problem(ln))), ln.what_to_bring] for i, ln in enumerate(todo, 1)
        ]
        out += [_grid(["序号", "材料名称", "问题及原因", "请携带 / 补正要求"], rows, widths, st), Spacer(1, 2 * MM)]
    done = [ln for ln in ctx.lines if ln.status in (LineStatus.RECEIVED, LineStatus.VERIFIED) and not ln.incomplete]
    if done:
        out.append(_section("本次已核验的材料（补正时无需重复提交）", st))
        out.append(Paragraph(_t("；".join(ln.name for ln in done)), st.cell))
    out.append(Spacer(1, 3 * MM))
    out.append(Paragraph(_t("本告知书所列内容为一次性告知，窗口不再要求提交本告知书以外的材料。"), st.small))
    out.append(_signature("申请人签收", st))
    return out


def _body_commitment(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    deferred = [ln for ln in ctx.lines if ln.status is LineStatus.DEFERRED]
    if not deferred:
        raise ValueError("a deficiency commitment needs at least one deferred material")
    out: list[Flowable] = [
        Paragraph(
            _t(
                f"本人（单位）{ctx.applicant_name}申请办理“{ctx.item_name}”，下列非关键材料暂缺，申请容缺受理。"
                "本人郑重承诺：在下列期限内补交，并对已提交和将补交材料的真实性、合法性负责。"
            ),
            st.body,
        )
    ]
    out.append(_section("容缺材料及补交期限", st))
    if st.roll:
        out += _stacked(
            [
                (
                    f"{i}. {ln.name}",
                    [
                        f"{ln.form.label}　补交期限：{fmt_date(ln.due_date)}" if ln.due_date else ln.form.label,
                        f"须提交：{ln.what_to_bring}" if ln.what_to_bring else "",
                    ],
                )
                for i, ln in enumerate(deferred, 1)
            ],
            st,
        )
    else:
        widths = [12 * MM, width - 107 * MM, 20 * MM, 45 * MM, 30 * MM]
        rows = [
            [str(i), ln.name, ln.form.label, ln.what_to_bring, fmt_date(ln.due_date) if ln.due_date else ""]
            for i, ln in enumerate(deferred, 1)
        ]
        out += [_grid(["序号", "材料名称", "形式", "补交要求", "补交期限"], rows, widths, st), Spacer(1, 2 * MM)]
    out.append(_section("逾期后果", st))
    out.append(Paragraph(_t(ctx.deferred_consequence or DEFAULT_DEFERRED_CONSEQUENCE), st.body))
    out.append(Spacer(1, 4 * MM))
    out.append(
        KeepTogether([_signature("承诺人（签字/盖章）", st), _signature(f"受理人（工号 {ctx.clerk_staff_no}）", st)])
    )
    return out


def _body_rejection(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    rj = ctx.rejection
    assert rj is not None  # checked by DocumentContext
    return [
        Paragraph(_t(f"{ctx.applicant_name}："), st.body),
        Paragraph(
            _t(
                f"您申请办理的“{ctx.item_name}”（事项编码 {ctx.item_code}），经审查，"
                f"于{fmt_date(ctx.decision_time.date())}决定不予受理。"
            ),
            st.body,
        ),
        _section("不予受理的理由", st),
        Paragraph(_t(rj.reason), st.body),
        _section("法律依据", st),
        Paragraph(_t(rj.legal_basis), st.body),
        _section("救济途径", st),
        Paragraph(
            _t(
                f"如对本决定不服，可以自收到本通知书之日起{rj.reconsideration_days}日内向{rj.reconsideration_body}"
                f"申请行政复议，或者自收到本通知书之日起{rj.litigation_months}个月内向{rj.litigation_court}"
                "提起行政诉讼。"
            ),
            st.body,
        ),
        Spacer(1, 4 * MM),
        Paragraph(_t(f"{ctx.department or ctx.hall.name}（盖章）"), st.right),
        Paragraph(_t(fmt_date(ctx.decision_time.date())), st.right),
        _signature("申请人签收", st),
    ]


def _body_materials(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    total_o = sum(ln.originals_received for ln in ctx.lines)
    total_c = sum(ln.copies_received for ln in ctx.lines)
    out: list[Flowable] = [_section("材料接收明细", st)]
    out += _materials_block(list(ctx.lines), st, width)
    out.append(
        Paragraph(
            _t(
                f"共{len(ctx.lines)}项材料，实收原件{total_o}份、复印件{total_c}份。"
                "原件已当场核验并退还申请人的，在备注中注明。"
            ),
            st.body,
        )
    )
    out.append(Spacer(1, 3 * MM))
    out.append(_signature("申请人确认", st))
    return out


def _body_delivery(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    dv = ctx.delivery
    assert dv is not None  # checked by DocumentContext
    rows = [("办理结果", dv.result_name or "—"), ("送达方式", dv.method.label)]
    if dv.method is DeliveryMethod.EXPRESS:
        rows += [
            ("快递公司", dv.express_company or "—"),
            ("快递单号", dv.express_no or "—"),
            ("收件人", dv.receiver or "—"),
        ]
    else:
        rows.append(("领取人", dv.receiver or "—"))
    if dv.receiver_masked_id:
        who = "收件人证件" if dv.method is DeliveryMethod.EXPRESS else "领取人证件"
        rows.append((who, dv.receiver_masked_id))
    if dv.delivered_at is not None:
        rows.append(("送达时间", fmt_time(dv.delivered_at)))
    label = "受送达人（签字）" if dv.method is DeliveryMethod.EXPRESS else "领取人（签字）"
    return [
        _section("送达信息", st),
        _kv_table(rows, st, width),
        Spacer(1, 4 * MM),
        _signature(label, st),
        _signature(f"送达人（工号 {ctx.clerk_staff_no}）", st),
    ]


def _body_supplement(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph(
            _t(
                f"{ctx.applicant_name}：您申请办理的“{ctx.item_name}”于{fmt_time(ctx.decision_time)}补交了下列材料，"
                "窗口已收取。请妥善保管本凭证。"
            ),
            st.body,
        ),
        _section("本次补交的材料", st),
    ]
    if st.roll:
        out += _stacked([(f"{i}. {ln.name}", [ln.form.label]) for i, ln in enumerate(ctx.supplemented, 1)], st)
    else:
        widths = [12 * MM, width - 52 * MM, 40 * MM]
        rows = [[str(i), ln.name, ln.form.label] for i, ln in enumerate(ctx.supplemented, 1)]
        out += [_grid(["序号", "材料名称", "形式"], rows, widths, st), Spacer(1, 2 * MM)]
    owed = [ln for ln in ctx.lines if ln.status is LineStatus.DEFERRED]
    if owed:
        out.append(_section("仍需补交的材料", st))
        out.append(
            Paragraph(
                _t("；".join(f"{ln.name}（{fmt_date(ln.due_date)}前）" if ln.due_date else ln.name for ln in owed)),
                st.cell,
            )
        )
    else:
        out.append(Paragraph(_t("需补交的材料已全部收齐。"), st.body))
    out.append(Spacer(1, 3 * MM))
    out.append(_signature("申请人签收", st))
    return out


def _body_request(ctx: DocumentContext, st: _Styles, width: float) -> list[Flowable]:
    owed = [ln for ln in ctx.lines if ln.status is LineStatus.DEFERRED]
    out: list[Flowable] = [
        Paragraph(
            _t(
                f"{ctx.applicant_name}：您申请办理的“{ctx.item_name}”，经审批部门审查，需要补正下列材料"
                f"（共{len(owed)}项），现一次性告知。请在期限内补齐后，到任一综合窗口提交。"
            ),
            st.body,
        ),
        _section("需补正的材料", st),
    ]
    if st.roll:
        out += _stacked(
            [
                (
                    f"{i}. {ln.name}",
                    [
                        f"原因：{ln.reason}" if ln.reason else "",
                        f"请携带：{ln.what_to_bring}" if ln.what_to_bring else "",
                        f"补交期限：{fmt_date(ln.due_date)}" if ln.due_date else "",
                    ],
                )
                for i, ln in enumerate(owed, 1)
            ],
            st,
        )
    else:
        widths = [12 * MM, 52 * MM, width - 100 * MM, 36 * MM]
        rows = [
            [
                str(i),
                ln.name,
                "；".join(p for p in (ln.reason, ln.what_to_bring) if p) or "—",
                fmt_date(ln.due_date) if ln.due_date else "—",
            ]
            for i, ln in enumerate(owed, 1)
        ]
        out += [_grid(["序号", "材料名称", "原因及要求", "补交期限"], rows, widths, st), Spacer(1, 2 * MM)]
    out.append(Spacer(1, 3 * MM))
    out.append(
        Paragraph(
            _t("本告知书所列内容为一次性告知，窗口不再要求提交本告知书以外的材料。逾期未补正的，按有关规定处理。"),
            st.small,
        )
    )
    out.append(_signature("申请人签收", st))
    return out


_BODIES: dict[DocumentKind, Callable[[DocumentContext, _Styles, float], list[Flowable]]] = {
    DocumentKind.RECEIPT: _body_receipt,
    DocumentKind.ONE_TIME_NOTICE: _body_notice,
    DocumentKind.DEFICIENCY_COMMITMENT: _body_commitment,
    DocumentKind.REJECTION_NOTICE: _body_rejection,
    DocumentKind.MATERIALS_RECEIVED: _body_materials,
    DocumentKind.DELIVERY_RECEIPT: _body_delivery,
    DocumentKind.SUPPLEMENT_RECEIPT: _body_supplement,
    DocumentKind.MATERIAL_REQUEST_NOTICE: _body_request,
}


def _footer_block(ctx: DocumentContext, st: _Styles) -> list[Flowable]:
    parts = [
        f"地址：{ctx.hall.address}" if ctx.hall.address else "",
        f"咨询电话：{ctx.hall.phone}" if ctx.hall.phone else "",
    ]
    out: list[Flowable] = [Spacer(1, 3 * MM)]
    out += [Paragraph(_t(n), st.small) for n in ctx.extra_notes]
    text = "　".join(p for p in parts if p)
    if text:
        out.append(Paragraph(_t(text), st.small))
    return out


def story(ctx: DocumentContext, font: str, width: float) -> list[Flowable]:
    """The flowables of one document (fresh objects on every call)."""
    st = _styles(font, ctx.layout)
    return _heading(ctx, st, width) + _BODIES[ctx.kind](ctx, st, width) + _footer_block(ctx, st)


# ---------------------------------------------------------------------------------------------------
# Page furniture and PDF output


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Defers each page so "第 x 页 / 共 y 页" and the 补打 stamp can be drawn once y is known."""

    def __init__(
        self, *args: Any, ctx: DocumentContext, font: str, margin: float, page_count: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._page_count = page_count
        self._ctx = ctx
        self._font = font
        self._margin = margin
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - overrides ReportLab's Canvas.showPage
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        self._page_count.append(total)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self._furniture(number, total)
            super().showPage()
        super().save()

    def _furniture(self, number: int, total: int) -> None:
        width, height = self._pagesize
        m = self._margin
        roll = self._ctx.layout is PageLayout.ROLL_80MM
        size = 6.5 if roll else 8
        self.saveState()
        self.setFont(self._font, size)
        self.drawString(m, m * 0.45, f"{self._ctx.case_number}")
        self.drawRightString(width - m, m * 0.45, f"第 {number} 页 / 共 {total} 页")
        if number > 1:  # continuation pages repeat who and what they belong to
            where = "" if roll else f"　{self._ctx.hall.name}"  # the roll is too narrow for it
            self.drawString(m, height - m * 0.6, f"{self._ctx.title}（续）　{self._ctx.case_number}{where}")
        if self._ctx.reprint:
            self._reprint_stamp(width, height, roll)
        self.restoreState()

    def _reprint_stamp(self, width: float, height: float, roll: bool) -> None:
        box_w, box_h = (15 * MM, 7 * MM) if roll else (24 * MM, 11 * MM)
        x = width - self._margin - box_w
        y = height - (2 * MM if roll else 6 * MM) - box_h
        self.setLineWidth(1.5)
        self.rect(x, y, box_w, box_h)
        self.setFont(self._font, 11 if roll else 18)
        self.drawCentredString(x + box_w / 2, y + box_h * 0.25, "补打")


def _measure(flowables: Sequence[Flowable], width: float) -> float:
    total = 0.0
    scratch = Canvas(io.BytesIO())  # some flowables (KeepTogether) need a canvas to wrap on
    for f in flowables:
        if isinstance(f, KeepTogether):  # its wrap() reports the whole frame when asked for "unlimited"
            total += _measure(f._content, width)
            continue
        _, h = f.wrapOn(scratch, width, 10_000 * MM)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _top_extra(ctx: DocumentContext) -> float:
    if ctx.layout is not PageLayout.ROLL_80MM:
        return 0.0
    return ROLL_TOP_EXTRA_REPRINT if ctx.reprint else ROLL_TOP_EXTRA


def page_size(ctx: DocumentContext, font: str, flowables: Sequence[Flowable] | None = None) -> tuple[float, float]:
    """A4, or 80 mm wide by as long as the content (between 100 and 400 mm) on a roll.

    ``flowables``: the roll document's story, if already built (it is measured, then laid out by the
    build: building the story once saves a fifth of a roll document's time).
    """
    if ctx.layout is PageLayout.A4:
        return (float(A4[0]), float(A4[1]))
    width = ROLL_WIDTH - 2 * ROLL_MARGIN - 2 * FRAME_PADDING
    content = _measure(flowables if flowables is not None else story(ctx, font, width), width)
    # margins (the top one holds the 补打 stamp), the frame's padding, and 3 mm slack.
    height = content + 2 * ROLL_MARGIN + _top_extra(ctx) + 2 * FRAME_PADDING + 3 * MM
    return ROLL_WIDTH, min(max(height, ROLL_MIN_HEIGHT), ROLL_MAX_PAGE_HEIGHT)


@dataclass(frozen=True)
class PrintableDocument:
    """A built document with what the dispatcher and the spooler need to know about it."""

    pdf: bytes
    kind: DocumentKind
    case_number: str
    layout: PageLayout
    is_reprint: bool
    pages: int
    page_size_mm: tuple[float, float]  # width, height of every page
    title: str

    @property
    def media(self) -> str:
        """The CUPS/IPP ``media`` option for this paper (roll pages are as long as their content)."""
        if self.layout is PageLayout.A4:
            return "A4"
        width, height = self.page_size_mm
        return f"Custom.{round(width)}x{round(height)}mm"


def build_pdf(ctx: DocumentContext, fonts: Sequence[FontCandidate] | None = None) -> bytes:
    """The document for ``ctx`` as PDF bytes (deterministic: same context → same bytes)."""
    return build_document(ctx, fonts).pdf


def build_document(ctx: DocumentContext, fonts: Sequence[FontCandidate] | None = None) -> PrintableDocument:
    """Build the document for ``ctx``; raises FontMissingError if no CJK font can be used."""
    font = cjk_font(fonts)
    margin = ROLL_MARGIN if ctx.layout is PageLayout.ROLL_80MM else A4_MARGIN
    if ctx.layout is PageLayout.ROLL_80MM:
        flowables = story(ctx, font, ROLL_WIDTH - 2 * margin - 2 * FRAME_PADDING)
        size = page_size(ctx, font, flowables)
    else:
        size = page_size(ctx, font)
        flowables = story(ctx, font, size[0] - 2 * margin - 2 * FRAME_PADDING)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin + _top_extra(ctx),
        bottomMargin=margin,
        title=f"{ctx.title} {ctx.case_number}",
        author=ctx.hall.name,
        subject=ctx.kind.value,
        creator="clerk-app",
        invariant=1,
    )
    page_count: list[int] = []
    canvasmaker = functools.partial(_NumberedCanvas, ctx=ctx, font=font, margin=margin, page_count=page_count)
    doc.build(flowables, canvasmaker=canvasmaker)
    return PrintableDocument(
        pdf=buf.getvalue(),
        kind=ctx.kind,
        case_number=ctx.case_number,
        layout=ctx.layout,
        is_reprint=ctx.reprint,
        pages=page_count[-1],
        page_size_mm=(size[0] / MM, size[1] / MM),
        title=ctx.title,
    )
