"""The supervisor's audit report as a PDF (A4 landscape), set in the same CJK font as the receipts.

Input is ``clerk_app.audit_queries.AuditReport`` (plain data, no personal data: audit details never
hold any). Used as the renderer of ``AuditQueries.export_pdf``.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from clerk_app.audit_queries import AuditReport
from clerk_app.clock import CHINA_TZ
from printing.fonts import cjk_font

FILTER_LABELS = {"actor": "用户", "role": "角色", "action": "操作", "case_id": "案件", "start": "起", "end": "止"}


def render_audit_pdf(report: AuditReport) -> bytes:
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=7.5, leading=9.5)
    head = ParagraphStyle("head", fontName=font, fontSize=15, leading=20, spaceAfter=4)
    meta = ParagraphStyle("meta", fontName=font, fontSize=9, leading=12)
    buf = io.BytesIO()
    page = landscape(A4)
    margin = 12 * mm
    doc = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=report.title,
        author="clerk-app",
        creator=f"clerk-app {report.app_version}".strip(),
        producer="clerk-app",
    )
    flt = "；".join(f"{FILTER_LABELS.get(k, k)}：{v}" for k, v in report.filter.items()) or "（全部）"
    story = [
        Paragraph(escape(report.title), head),
        Paragraph(
            escape(
                f"生成时间：{report.generated_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}　"
                f"导出人：{report.generated_by}　站点：{report.station}　共 {len(report.rows)} 条"
                f"　软件版本：{report.app_version or '未知'}"
            ),
            meta,
        ),
        Paragraph(escape(f"筛选条件：{flt}"), meta),
        Paragraph(escape(f"哈希链校验：{report.chain}"), meta),
        Spacer(1, 4 * mm),
    ]
    widths = [14 * mm, 32 * mm, 24 * mm, 18 * mm, 14 * mm, 38 * mm, 40 * mm, 0.0, 22 * mm]
    widths[7] = page[0] - 2 * margin - sum(widths)
    rows = [
        [Paragraph(escape(h), body) for h in ("序号", "时间", "用户", "角色", "站点", "操作", "案件", "详情", "哈希")]
    ]
    for r in report.rows:
        rows.append(
            [
                Paragraph(escape(str(v)), body)
                for v in (
                    r.seq,
                    f"{r.at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}",
                    r.actor,
                    r.role,
                    r.station,
                    r.action,
                    r.case_id or "",
                    r.detail_text(),
                    r.hash[:12],
                )
            ]
        )
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    story.append(table)

    def furniture(canvas: Canvas, doc_: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawRightString(page[0] - margin, 6 * mm, f"第 {doc_.page} 页 · {report.title}")
        canvas.restoreState()

    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buf.getvalue()
