"""PipelinedPages: pages of a batch processed on worker threads come back complete and in page order,
the same as processed one by one, one delivery at a time and without waiting for the next sheet; a
failing page or a failing delivery stops the batch after the pages before it; abort drops the rest."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PIL import Image

from devices.imaging.batch import PipelinedPages
from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits
from devices.imaging.pipeline import PagePipeline, PipelineSettings, Preset, ProcessedPage
from devices.scanners.simulated import render_sample_page


def pages(n: int) -> list[Image.Image]:
    # Alternate a text page and a small noisy page so processing times differ and finish out of order.
    out = []
    for i in range(n):
        if i % 2:
            rng = np.random.default_rng(i)
            out.append(Image.fromarray(rng.integers(0, 255, (300, 200), dtype=np.uint8)))
        else:
            out.append(render_sample_page(dpi=100, seed=i))
    return out


def test_pages_come_back_in_order_and_equal_to_one_by_one() -> None:
    pipeline = PagePipeline()
    images = pages(6)
    expected = [pipeline.process(im, 100, Preset.AUTO).data for im in images]
    got: list[ProcessedPage] = []
    threads: set[str] = set()
    inside, overlap = threading.Lock(), []

    def deliver(page: ProcessedPage) -> None:
        if not inside.acquire(blocking=False):
            overlap.append(page)
        threads.add(threading.current_thread().name)
        time.sleep(0.01)
        got.append(page)
        inside.release()

    with PipelinedPages(pipeline, deliver) as batch:
        for im in images:
            batch.submit(im, 100, Preset.AUTO)
    assert [p.data for p in got] == expected
    assert not overlap  # never two deliveries at a time
    assert threads <= {"page-pipeline_0", "page-pipeline_1", threading.current_thread().name}


def test_a_page_is_delivered_without_waiting_for_the_next_sheet() -> None:
    """The scanner may take seconds for the next sheet: the page before it is filed meanwhile."""
    delivered = threading.Event()
    batch = PipelinedPages(PagePipeline(), lambda page: delivered.set())
    batch.submit(render_sample_page(dpi=100, seed=1), 100)
    assert delivered.wait(30)  # no further submit, no close
    batch.close()


def test_abort_drops_what_is_not_delivered() -> None:
    release = threading.Event()
    delivered: list[ProcessedPage] = []

    class Held(PagePipeline):
        def process(self, image, dpi=None, preset=Preset.AUTO):  # type: ignore[no-untyped-def]
            if image.width == 121:
                release.wait(10)
            return super().process(image, dpi, preset)

    batch = PipelinedPages(Held(), delivered.append)
    batch.submit(Image.new("L", (120, 160), 240), 100)
    batch.submit(Image.new("L", (121, 160), 240), 100)  # held
    batch.submit(Image.new("L", (120, 160), 240), 100)
    deadline = time.monotonic() + 10
    while not delivered and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    batch.abort()
    assert len(delivered) in (1, 2)  # the first surely; the held one only if it won the race
    with pytest.raises(RuntimeError):
        batch.submit(Image.new("L", (120, 160), 240), 100)


def test_a_failing_delivery_stops_the_batch() -> None:
    from clerk_app.attachments import StorageFull

    delivered: list[ProcessedPage] = []

    def deliver(page: ProcessedPage) -> None:
        if len(delivered) == 1:
            raise StorageFull(detail="ENOSPC in test")
        delivered.append(page)

    batch = PipelinedPages(PagePipeline(), deliver)
    small = Image.new("L", (120, 160), 240)
    with pytest.raises(StorageFull):
        for _ in range(6):
            batch.submit(small, 100)
        batch.close()
    assert len(delivered) == 1
    batch.close()  # raised once: closing again is quiet


def test_in_flight_pages_are_bounded() -> None:
    running, peak, lock = 0, 0, threading.Lock()

    class Slow(PagePipeline):
        def process(self, image, dpi=None, preset=Preset.AUTO):  # type: ignore[no-untyped-def]
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            return super().process(image, dpi, preset)

    delivered = []
    batch = PipelinedPages(Slow(), delivered.append, workers=2)
    small = Image.new("L", (120, 160), 240)
    for _ in range(8):
        batch.submit(small, 100)
        assert len(batch._pending) <= 3
    batch.close()
    assert len(delivered) == 8 and peak == 2


def test_a_failing_page_raises_after_the_pages_before_it() -> None:
    pipeline = PagePipeline(PipelineSettings(limits=ImageLimits(max_pixels=200_000)))
    ok = Image.new("L", (300, 400), 240)
    too_big = Image.new("L", (1000, 1000), 240)
    delivered: list[ProcessedPage] = []
    batch = PipelinedPages(pipeline, delivered.append)
    with pytest.raises(ImageRefused):
        for im in (ok, ok, too_big, ok, ok, ok):
            batch.submit(im, 100)
        batch.close()
    assert len(delivered) == 2
    with pytest.raises(RuntimeError):
        batch.submit(ok, 100)
    batch.close()
