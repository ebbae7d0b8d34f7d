"""PipelinedPages: pages of a batch processed on worker threads come back complete and in page order,
the same as processed one by one; a failing page stops the batch after the pages before it."""

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

    def deliver(page: ProcessedPage) -> None:
        threads.add(threading.current_thread().name)
        got.append(page)

    with PipelinedPages(pipeline, deliver) as batch:
        for im in images:
            batch.submit(im, 100, Preset.AUTO)
    assert [p.data for p in got] == expected
    assert threads == {threading.current_thread().name}  # delivered on the submitting thread


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
