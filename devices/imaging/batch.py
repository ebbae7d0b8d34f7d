"""A scan batch processed while the scanner feeds: pages go through the pipeline on worker threads
(Pillow and numpy release the GIL for the heavy work, so two workers use both cores) and come back
in page order on the thread that submits them.

    with PipelinedPages(pipeline, on_processed) as batch:
        scanner.scan_batch(options, lambda page: batch.submit(page.image, page.dpi, preset))

At most ``workers + 1`` pages are in flight (memory stays bounded when the pipeline is slower than
the feeder); ``submit`` then waits for the oldest. A page whose processing raised re-raises its
exception from ``submit`` or ``close``, in order, after the pages before it were delivered; the pages
after it are dropped (the caller rescans from the failed one).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from PIL import Image

from devices.imaging.pipeline import PagePipeline, Preset, ProcessedPage


class PipelinedPages:
    def __init__(self, pipeline: PagePipeline, on_processed: Callable[[ProcessedPage], None], workers: int = 2) -> None:
        self._pipeline = pipeline
        self._deliver = on_processed
        self._workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="page-pipeline")
        self._pending: deque[Future[ProcessedPage]] = deque()
        self._failed = False

    def submit(self, image: Image.Image, dpi: int | None = None, preset: Preset | str = Preset.AUTO) -> None:
        if self._failed:
            raise RuntimeError("an earlier page failed; the batch takes no more pages")
        self._pending.append(self._pool.submit(self._pipeline.process, image, dpi, preset))
        self._deliver_done(block_until=self._workers + 1)

    def close(self) -> None:
        """Deliver every remaining page (in order) and stop the workers."""
        try:
            self._deliver_done(block_until=0)
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _deliver_done(self, block_until: int) -> None:
        while self._pending and (self._pending[0].done() or len(self._pending) > block_until):
            future = self._pending.popleft()
            try:
                page = future.result()
            except BaseException:
                self._failed = True
                for later in self._pending:
                    later.cancel()
                self._pending.clear()
                raise
            self._deliver(page)

    def __enter__(self) -> PipelinedPages:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # the scan failed: stop quietly, the caller handles its own error
            self._pool.shutdown(wait=True, cancel_futures=True)
