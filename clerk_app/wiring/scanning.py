"""The image pipeline behind the core's scan service (clerk_app/scan_session.py ``PageProcessor``):
pages of a batch are processed on two worker threads while the scanner feeds
(devices/imaging/batch.py ``PipelinedPages``). devices/ is imported lazily, on the first batch."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from clerk_app.scan_session import PageBatch, ProcessedPage

if TYPE_CHECKING:
    from devices.imaging.pipeline import PagePipeline


class PipelineProcessor:
    """One ``PagePipeline`` for the station (it keeps no per-page state), ``workers`` threads a batch."""

    def __init__(self, workers: int = 2, pipeline: PagePipeline | None = None) -> None:
        self.workers = workers
        self._pipeline = pipeline
        self._lock = threading.Lock()

    @property
    def pipeline(self) -> PagePipeline:
        with self._lock:
            if self._pipeline is None:
                from devices.imaging.pipeline import PagePipeline

                self._pipeline = PagePipeline()
            return self._pipeline

    def batch(self, preset: str, on_processed: Callable[[ProcessedPage], object]) -> PageBatch:
        from devices.imaging.batch import PipelinedPages

        return PipelinedPages(self.pipeline, on_processed, workers=self.workers, preset=preset)
