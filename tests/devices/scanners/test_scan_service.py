"""The scan-session service the app uses (``ctx.scans``) over the real SANE ``test`` backend: pages are
processed on both cores while the feeder runs and filed under the line in scan order; Cancel, a
scanner fault and a page the pipeline refuses each stop the batch and keep every page before it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable

import pytest
from PIL import Image
from sqlalchemy import select

from clerk_app.scan_session import ScanRequest, ScanService
from clerk_app.store.models import AuditEvent
from clerk_app.wiring.scanning import PipelineProcessor
from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits
from devices.imaging.pipeline import PagePipeline, PipelineSettings
from devices.scanners.base import ScannedPage, ScanOptions, ScanSource
from devices.scanners.errors import PaperJammed
from tests.helpers.case_factory import ITEM, person
from tests.helpers.core import make_world

ADF = ScanOptions(source=ScanSource.ADF, dpi=100, device_options={"test_picture": "Grid"})


@pytest.fixture
def desk(tmp_path):
    world = make_world(tmp_path)
    clerk = world.login("clerk")
    cid = world.ctx.cases.start_case(clerk, ITEM, {"premises": "rented", "via_agent": False})
    world.ctx.cases.set_applicant(clerk, cid, person("张晓明", 7))
    line = world.ctx.cases.get(clerk, cid).lines[0].code
    yield world, clerk, cid, line
    world.ctx.close()


class Sheets:
    """The SANE scanner with each sheet marked: sheet i gets 10·i white rows added at the bottom, so
    the stored pages show the scan order by their height; ``after(i)`` runs once sheet i is delivered
    (to inject a fault before the next one), ``alter`` may replace a sheet's image."""

    def __init__(
        self,
        scanner,
        after: Callable[[int], None] | None = None,
        alter: Callable[[int, Image.Image], Image.Image] | None = None,
    ) -> None:
        self.scanner, self.after, self.alter = scanner, after, alter
        self.delivered = 0

    def scan_batch(self, options, on_page, on_progress=None, cancel_event=None):
        def page(p: ScannedPage) -> None:
            image = Image.new("L", (p.image.width, p.image.height + 10 * p.index), 255)
            image.paste(p.image.convert("L"), (0, 0))
            if self.alter is not None:
                image = self.alter(p.index, image)
            self.delivered += 1
            on_page(dataclasses.replace(p, image=image))
            if self.after is not None:
                self.after(p.index)

        return self.scanner.scan_batch(options, page, on_progress, cancel_event)


def stored(world, cid, line):
    pages = world.ctx.pages.pages(cid, line)
    assert [p.position for p in pages] == list(range(len(pages)))
    assert world.ctx.pages.counts(cid)[line] == len(pages)
    return pages


def batch_audits(world) -> list[dict]:
    with world.ctx.sessions() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "scan.batch"))]


def test_a_feeder_batch_is_processed_on_both_cores_and_filed_in_scan_order(desk, sane_scanner):
    world, clerk, cid, line = desk
    threads: set[str] = set()
    heard: list[int] = []
    progress: list[tuple[int, float]] = []

    def filed(view) -> None:
        threads.add(threading.current_thread().name)
        heard.append(view.position)

    scanner = Sheets(sane_scanner)
    outcome = world.ctx.scans.run(
        clerk,
        scanner,
        ADF,
        ScanRequest(cid, line),
        on_filed=filed,
        on_progress=lambda n, f: progress.append((n, f)),
    )
    assert scanner.delivered == 10 and outcome.filed == 10 and outcome.error is None and not outcome.cancelled
    pages = stored(world, cid, line)
    assert heard == list(range(10))
    heights = [p.height for p in pages]
    assert heights == sorted(heights) and len(set(heights)) == 10  # scan order
    assert threads <= {"page-pipeline_0", "page-pipeline_1", threading.current_thread().name}
    assert threads & {"page-pipeline_0", "page-pipeline_1"}  # filed while the scanner fed
    assert progress and progress[-1][0] >= 9
    assert batch_audits(world)[-1]["filed"] == 10
    for p in pages:  # every page decrypts and verifies
        assert world.ctx.pages.image(clerk, p.id)[0]


def test_cancel_stops_the_feeder_and_keeps_what_it_delivered(desk, sane_scanner):
    world, clerk, cid, line = desk
    sane_scanner.set_device_option("read_delay", True)  # slow sheets, like a real feeder
    sane_scanner.set_device_option("read_delay_duration", 1000)
    cancel = threading.Event()

    def filed(view) -> None:
        if view.position == 1:
            cancel.set()  # the clerk presses Cancel after seeing two pages

    scanner = Sheets(sane_scanner)
    outcome = world.ctx.scans.run(clerk, scanner, ADF, ScanRequest(cid, line), on_filed=filed, cancel=cancel)
    assert outcome.cancelled and outcome.error is None and outcome.partial
    assert 2 <= outcome.filed == scanner.delivered - outcome.ignored < 10
    pages = stored(world, cid, line)
    assert len(pages) == outcome.filed
    assert batch_audits(world)[-1]["cancelled"] is True
    # the device works again afterwards
    again = world.ctx.scans.run(clerk, Sheets(sane_scanner), ScanOptions(dpi=50), ScanRequest(cid, line))
    assert again.filed == 1 and len(stored(world, cid, line)) == len(pages) + 1


def test_a_jam_mid_batch_keeps_every_page_the_feeder_delivered(desk, sane_scanner):
    world, clerk, cid, line = desk

    def after(index: int) -> None:
        if index == 2:  # the fourth sheet jams
            sane_scanner.set_device_option("read_return_value", "SANE_STATUS_JAMMED")

    outcome = world.ctx.scans.run(clerk, Sheets(sane_scanner, after=after), ADF, ScanRequest(cid, line))
    assert isinstance(outcome.error, PaperJammed) and outcome.partial
    assert outcome.filed == 3  # pages still in the pipeline at the jam were filed too
    heights = [p.height for p in stored(world, cid, line)]
    assert len(heights) == 3 and heights == sorted(heights)
    assert "卡纸" in outcome.error.user_message("zh_CN")
    assert batch_audits(world)[-1]["failed"] is True


def test_a_page_the_pipeline_refuses_stops_the_batch_after_the_pages_before_it(desk, sane_scanner):
    world, clerk, cid, line = desk
    pipeline = PagePipeline(PipelineSettings(limits=ImageLimits(max_pixels=2_000_000)))
    service = ScanService(world.ctx.pages, world.ctx.auditor, PipelineProcessor(pipeline=pipeline))

    def alter(index: int, image: Image.Image) -> Image.Image:
        return image.resize((image.width * 2, image.height * 2)) if index == 3 else image

    scanner = Sheets(sane_scanner, alter=alter)
    outcome = service.run(clerk, scanner, ADF, ScanRequest(cid, line))
    assert isinstance(outcome.error, ImageRefused)
    assert outcome.filed == 3 and len(stored(world, cid, line)) == 3
    assert scanner.delivered < 10  # the feeder was stopped
