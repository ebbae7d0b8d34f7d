"""Audit queries: filters, verification with the broken event, case timeline, audited exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from clerk_app.audit_queries import AuditFilter, AuditQueries, day_range
from clerk_app.corrections import CorrectionService
from clerk_app.errors import NotFound, PermissionDenied
from printing.audit_report import render_audit_pdf
from tests.helpers.supervision import ID_NUMBER, NAME, accepted_case


@pytest.fixture
def q(world):
    return AuditQueries(world.ctx.sessions, world.ctx.auditor, world.clock)


def test_filters(world, q):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    world.clock.advance(days=1)
    other = accepted_case(world, clerk)
    assert all(r.actor == "clerk" for r in q.search(sup, AuditFilter(actor="clerk")))
    assert {r.role for r in q.search(sup, AuditFilter(role="supervisor"))} == {"supervisor"}
    case_rows = q.search(sup, AuditFilter(case_id=cid))
    assert {r.case_id for r in case_rows} == {cid} and "case.accepted" in {r.action for r in case_rows}
    assert {r.action for r in q.search(sup, AuditFilter(action="case."))} >= {"case.create", "case.accepted"}
    assert [r.action for r in q.search(sup, AuditFilter(action="case.accepted"))] == ["case.accepted"] * 2
    start, end = day_range(dt.date(2026, 9, 29), dt.date(2026, 9, 29))
    day2 = q.search(sup, AuditFilter(start=start, end=end))
    assert day2 and {r.case_id for r in day2 if r.case_id} == {other}
    assert q.count(sup, AuditFilter(case_id=cid)) == len(case_rows)
    page1 = q.search(sup, AuditFilter(), limit=5)
    page2 = q.search(sup, AuditFilter(), limit=5, before_seq=page1[-1].seq)
    assert [r.seq for r in page1 + page2] == sorted({r.seq for r in page1 + page2}, reverse=True)
    users, roles, actions = q.choices(sup)
    assert "clerk" in users and "supervisor" in roles and "login" in actions
    for name in ("clerk", "prereview", "admin"):
        with pytest.raises(PermissionDenied):
            q.search(world.login(name), AuditFilter())


def test_tampering_one_row_is_found_with_the_event(world, q):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    accepted_case(world, clerk)
    ok = q.verify(sup)
    assert ok.intact and ok.broken is None and ok.events > 5
    with world.ctx.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET actor = 'someone' WHERE seq = 4"))
    bad = q.verify(sup)
    assert not bad.intact and bad.broken.seq == 4 and bad.broken.reason == "hash mismatch"
    assert bad.broken_row.seq == 4 and bad.broken_row.actor == "someone"
    assert q.search(sup, AuditFilter(action="audit.verify"))[0].detail == {
        "intact": False,
        "broken_seq": 4,
        "reason": "hash mismatch",
    }


def test_timeline_and_corrections(world, q):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    CorrectionService(world.ctx.sessions, world.clock, world.ctx.auditor).correct(
        sup, cid, "window_no", "09", "窗口号录错"
    )
    number = world.ctx.cases.get(sup, cid).case_number
    assert q.find_case(sup, number.lower()) == cid and q.find_case(sup, cid) == cid
    with pytest.raises(NotFound):
        q.find_case(sup, "WH01-nothing")
    assert q.case_filter(sup, f" {number} ") == cid and q.case_filter(sup, "WH01-nothing ") == "WH01-nothing"
    assert q.case_filter(sup, "  ") is None
    tl = q.case_timeline(sup, cid)
    assert tl.case.case_number == number and tl.case.window_no == "09"
    assert [e.action for e in tl.events][:2] == ["case.create", "case.applicant"]
    assert tl.events[-1].action == "case.correct"
    assert [(c.field, c.new_value) for c in tl.corrections] == [("window_no", "09")]


def test_exports_are_audited_and_hold_no_personal_data(world, q):
    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    world.ctx.cases.reveal_applicant(sup, cid, "核对")
    flt = AuditFilter(case_id=cid)
    data = q.export_csv(sup, flt)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["seq", "at", "actor"] and len(rows) - 1 == q.count(sup, flt)
    pdf = q.export_pdf(sup, flt, render_audit_pdf)
    reader = PdfReader(io.BytesIO(pdf))
    content = "".join(p.extract_text() for p in reader.pages)
    assert "审计记录报告" in content and "case.accepted" in content and "pii.view_full" in content
    for blob in (data.decode("utf-8"), content):
        assert ID_NUMBER not in blob and NAME not in blob
    exports = q.search(sup, AuditFilter(action="audit.export"))
    assert [e.detail["format"] for e in exports] == ["pdf", "csv"]
    assert exports[0].detail["filter"] == {"case_id": cid} and exports[1].detail["rows"] == len(rows) - 1


def test_what_the_audit_page_shows(world, q):
    """Rows, the chain message, the case header and corrections as the supervisor reads them, in
    both languages (clerk_app.i18n)."""
    from clerk_app import i18n
    from clerk_app.lifecycle import status_label
    from clerk_app.roles import role_label

    clerk, sup = world.login("clerk"), world.login("supervisor")
    cid = accepted_case(world, clerk)
    CorrectionService(world.ctx.sessions, world.clock, world.ctx.auditor).correct(sup, cid, "window_no", "09", "录错")
    tl = q.case_timeline(sup, cid)
    create = tl.events[0].cells()
    assert create[2:4] == ("clerk", "窗口受理人员") and create[5] == "新建案件" and create[6] == tl.case.case_number
    assert (
        tl.case.describe().startswith(f"案件 {tl.case.case_number} · ")
        and "状态：已受理 · 09 号窗口" in tl.case.describe()
    )
    assert tl.corrections[0].cells()[2:] == ("窗口号", "01", "09", "录错")
    assert q.verify(sup).message().startswith("哈希链完整：已校验 ")
    with world.ctx.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET actor = 'someone' WHERE seq = 4"))
    broken = q.verify(sup)
    assert broken.message().startswith("哈希链断裂于第 4 条（该记录被篡改） — ") and "someone" in broken.message()
    assert (
        role_label("nobody") == "nobody"
        and status_label(None) == "—"
        and status_label("material_requested") == "部门要求补正"
    )
    i18n.set_language("en")
    try:
        assert broken.message().startswith("Hash chain BROKEN at event 4 (the event was altered)")
        assert status_label("accepted") == "Accepted" and role_label("clerk") == "Window clerk"
    finally:
        i18n.set_language("zh_CN")


def test_an_export_file_that_cannot_be_written_is_said_in_chinese(world, q, tmp_path):
    from clerk_app.audit_queries import ExportFailed

    sup = world.login("supervisor")
    written = q.export_file(sup, AuditFilter(), tmp_path / "trail.csv", "csv", render_audit_pdf)
    assert written.read_text(encoding="utf-8-sig").startswith("seq,")
    with pytest.raises(ExportFailed) as info:
        q.export_file(sup, AuditFilter(), tmp_path / "missing" / "trail.pdf", "pdf", render_audit_pdf)
    assert "无法写入" in info.value.user_message("zh_CN")
