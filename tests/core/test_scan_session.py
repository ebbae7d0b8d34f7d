"""The scan session's rules without Qt or a scanner: which line, order, blank pages, rescan, cancel
and what a partial batch leaves behind; every batch audited with counts only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from clerk_app.errors import ClerkAppError
from clerk_app.scan_session import ScanSession
from clerk_app.store.models import AuditEvent
from tests.helpers.case_factory import ITEM, person


@dataclass
class Page:
    data: bytes
    mime: str = "image/png"
    width: int = 10
    height: int = 14
    blank: bool = False


def png(n: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + n.to_bytes(4, "big") * 8  # distinct contents, stored as given


def draft(world):
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    world.ctx.cases.set_applicant(clerk, cid, person("张晓明", 7))
    line = world.ctx.cases.get(clerk, cid).lines[0].code
    return clerk, cid, line


def session(world, clerk, cid, line, **kw) -> ScanSession:
    return ScanSession(world.ctx.pages, world.ctx.auditor, clerk, cid, line, **kw)


def batches(world) -> list[dict]:
    with world.ctx.sessions() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "scan.batch"))]


def test_a_batch_goes_to_its_line_in_order_and_drops_blank_pages(world):
    clerk, cid, line = draft(world)
    heard = []
    run = session(world, clerk, cid, line, drop_blank=True, on_filed=heard.append)
    got = [run.file(Page(png(1))), run.file(Page(png(2), blank=True)), run.file(Page(png(3)))]
    assert got[1] is None and [v.position for v in heard] == [0, 1]
    outcome = run.finish()
    assert (outcome.filed, outcome.dropped_blank, outcome.cancelled, outcome.partial) == (2, 1, False, False)
    pages = world.ctx.pages.pages(cid, line)
    assert [world.ctx.pages.image(clerk, p.id)[0] for p in pages] == [png(1), png(3)]
    assert world.ctx.pages.counts(cid)[line] == 2
    # a second batch goes after the first, blank kept when not dropping
    run2 = session(world, clerk, cid, line)
    run2.file(Page(png(4), blank=True))
    assert run2.finish().filed == 1
    assert [p.blank for p in world.ctx.pages.pages(cid, line)] == [False, False, True]
    assert [(b["filed"], b["dropped_blank"], b["cancelled"]) for b in batches(world)] == [(2, 1, False), (1, 0, False)]
    assert all(b["line"] == line for b in batches(world))


def test_cancel_keeps_the_pages_filed_and_discards_a_late_sheet(world):
    clerk, cid, line = draft(world)
    run = session(world, clerk, cid, line)
    run.file(Page(png(1)))
    run.file(Page(png(2)))
    run.cancel()
    assert run.file(Page(png(3))) is None  # the sheet the feeder finished after Cancel
    outcome = run.finish(cancelled=True)
    assert (outcome.filed, outcome.ignored, outcome.cancelled, outcome.partial) == (2, 1, True, True)
    assert len(world.ctx.pages.pages(cid, line)) == 2
    assert run.file(Page(png(4))) is None and run.finish() is outcome  # finished: nothing more, reported once
    assert len(batches(world)) == 1


def test_a_failure_mid_batch_keeps_what_was_filed(world):
    clerk, cid, line = draft(world)
    run = session(world, clerk, cid, line)
    run.file(Page(png(1)))
    error = ClerkAppError(detail="paper jam")
    outcome = run.finish(error)
    assert outcome.error is error and outcome.partial and not outcome.cancelled
    assert batches(world)[0]["failed"] is True


def test_a_rescan_replaces_in_place_and_files_nothing_else(world):
    clerk, cid, line = draft(world)
    first = session(world, clerk, cid, line)
    for n in (1, 2, 3):
        first.file(Page(png(n)))
    first.finish()
    middle = world.ctx.pages.pages(cid, line)[1]
    run = session(world, clerk, cid, line, drop_blank=True, replace_page=middle.id)
    view = run.file(Page(png(9), blank=True))  # never dropped: the clerk asked for this sheet
    assert view is not None and view.id == middle.id and view.position == 1
    assert run.file(Page(png(10))) is None  # a second sheet of a rescan is not filed elsewhere
    outcome = run.finish()
    assert (outcome.filed, outcome.ignored, outcome.rescan) == (1, 1, True)
    pages = world.ctx.pages.pages(cid, line)
    assert [world.ctx.pages.image(clerk, p.id)[0] for p in pages] == [png(1), png(9), png(3)]
