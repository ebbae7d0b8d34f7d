"""A promised date for every decision: a year without a published holiday schedule gives a
provisional date (case, screen and receipt say so); the official schedule, when it arrives, makes it
final once, audited."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import select

from clerk_app.clock import CHINA_TZ
from clerk_app.lifecycle import Decision
from clerk_app.persons import PersonData
from clerk_app.promised_dates import recompute_provisional_dates
from clerk_app.store.models import AuditEvent
from clerk_app.sync.wiring import CalendarInstaller
from printing.documents import build_pdf
from printing.from_case import document_context
from printing.model import DocumentKind
from tests.helpers.core import make_world

TEACHER = "SH-JSZG-RD"  # 教师资格认定: 20 promised working days
APPLICANT = PersonData(name="王老师", document_number="110105199001011232", address="北京市东城区某街1号")


def _accept(world, clerk):
    cases = world.ctx.cases
    cid = cases.start_case(clerk, TEACHER, {})
    cases.set_applicant(clerk, cid, APPLICANT)
    for line in cases.get(clerk, cid).lines:
        if line.originals_required or line.copies_required:
            cases.update_line(
                clerk, cid, line.code, originals_received=line.originals_required, copies_received=line.copies_required
            )
    return cid, cases.decide(cid, Decision.ACCEPT, clerk)


def test_accepting_on_2026_12_20_gives_a_provisional_date_made_final_by_the_schedule(tmp_path):
    world = make_world(tmp_path, at=dt.datetime(2026, 12, 20, 10, 0, tzinfo=CHINA_TZ))
    try:
        clerk = world.login("clerk")
        cid, result = _accept(world, clerk)
        # 20 working days from 2026-12-20 with 2027 unpublished: only 元旦 (Friday) is known to be off.
        assert result.promised_date == dt.date(2027, 1, 18) and result.promised_provisional
        view = world.ctx.cases.get(clerk, cid)
        assert view.promised_provisional and view.promised_date == dt.date(2027, 1, 18)

        # The receipt tells the applicant the date is provisional.
        item = world.ctx.catalogue.active().items[TEACHER]
        doc = document_context(
            DocumentKind.RECEIPT, view, item, world.ctx.settings, clerk_staff_no="001", now=world.clock.now()
        )
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(build_pdf(doc))).pages)
        assert "2027年1月18日（20个工作日，按法定节假日暂定）" in text

        # Nothing to do while 2027 is still unknown.
        ctx = world.ctx
        assert recompute_provisional_dates(ctx.sessions, ctx.calendar, ctx.auditor, "WH01") == 0

        # The back office pushes the 2027 schedule (here: 01-01..01-03 off and an adjusted working
        # Saturday 01-09) — the date is recomputed once and audited with the old and the new date.
        installer = CalendarInstaller(
            ctx.calendar,
            tmp_path / "pushed.toml",
            lambda: recompute_provisional_dates(ctx.sessions, ctx.calendar, ctx.auditor, "WH01"),
        )
        installer.install(
            "2027-official",
            {"years": {"2027": {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": ["2027-01-09"]}}},
        )
        final = ctx.cases.get(clerk, cid)
        assert not final.promised_provisional
        # 12-21..25 (5), 12-28..31 (9), 01-04..08 (14), Saturday 01-09 (15), 01-11..15 (20): one day earlier
        assert final.promised_date == dt.date(2027, 1, 15)
        with ctx.sessions() as s:
            events = s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "case.promised_date_recomputed", AuditEvent.case_id == cid
                )
            ).all()
        assert len(events) == 1
        assert events[0].detail == {
            "old": "2027-01-18",
            "new": "2027-01-15",
            "direction": "earlier",
            "working_days": 20,
        }
        # once: a second run changes nothing
        assert recompute_provisional_dates(ctx.sessions, ctx.calendar, ctx.auditor, "WH01") == 0
        assert ctx.auditor.verify() is None
    finally:
        world.ctx.close()


def test_a_restart_with_a_newer_holiday_file_recomputes_at_start(tmp_path):
    at = dt.datetime(2026, 12, 20, 10, 0, tzinfo=CHINA_TZ)
    world = make_world(tmp_path, at=at)
    clerk = world.login("clerk")
    cid, result = _accept(world, clerk)
    assert result.promised_provisional
    world.ctx.close()

    holidays = tmp_path / "holidays.toml"
    from tests.helpers.core import RESOURCES

    holidays.write_text(
        (RESOURCES / "calendar" / "holidays.toml").read_text(encoding="utf-8")
        + '\n[years.2027]\nholidays = [2027-01-01]\nworkdays = []\n',
        encoding="utf-8",
    )
    again = make_world(tmp_path, at=at, holiday_file=str(holidays))
    try:
        view = again.ctx.cases.get(again.login("clerk"), cid)
        assert not view.promised_provisional and view.promised_date == dt.date(2027, 1, 18)  # same day, now final
    finally:
        again.ctx.close()
