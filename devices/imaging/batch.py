"""A scan batch processed while the scanner feeds: pages go through the pipeline on worker threads
(Pillow and numpy release the GIL for the heavy work, so two workers use both cores) and are handed
to ``on_processed`` in page order, each as soon as it and every page before it are done.

    with PipelinedPages(pipeline, on_processed, preset=Preset.AUTO) as batch:
        scanner.scan_batch(options, lambda page: batch.submit(page.image, page.dpi))

- **Order and timeliness.** ``on_processed`` runs on the worker that finished the page at the head
  of the queue (never two at a time, always in submission order), so a page is filed while the
  scanner is still reading the next sheet — not one sheet late.
- **Bounded.** At most ``workers + 1`` pages are in flight; ``submit`` then waits for the oldest
  (memory stays bounded when the pipeline is slower than the feeder).
- **Failure.** A page whose processing raised (a corrupt page), or an ``on_processed`` that raised
  (disk full), stops the batch: the pages before it were delivered, the later ones are dropped, and
  the exception is raised once, from the next ``submit`` or from ``close``. Further ``submit`` calls
  raise ``RuntimeError``.
- **Abort.** ``abort()`` drops every page not yet delivered and stops the workers (a page being
  delivered finishes first).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from PIL import Image

from devices.imaging.pipeline import PagePipeline, Preset, ProcessedPage


class PipelinedPages:
    def __init__(
        self,
        pipeline: PagePipeline,
        on_processed: Callable[[ProcessedPage], object],
        workers: int = 2,
        preset: Preset | str = Preset.AUTO,
    ) -> None:
        self._pipeline = pipeline
        self._deliver = on_processed
        self._workers = max(1, workers)
        self._preset = preset
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="page-pipeline")
        self._pending: deque[Future[ProcessedPage]] = deque()
        self._cond = threading.Condition()
        # One delivery at a time, in order. Re-entrant: cancelling the pages after a failed one runs
        # their done-callbacks (this _pump) at once, on the thread that is still delivering.
        self._delivering = threading.RLock()
        self._error: BaseException | None = None
        self._error_raised = False
        self._stopped = False  # aborted or closed

    def submit(self, image: Image.Image, dpi: int | None = None, preset: Preset | str | None = None) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._error is not None or len(self._pending) <= self._workers)
            self._raise_pending_error()
            if self._stopped:
                raise RuntimeError("the batch is closed")
            future = self._pool.submit(self._pipeline.process, image, dpi, preset or self._preset)
            self._pending.append(future)
        future.add_done_callback(self._pump)

    def close(self) -> None:
        """Wait until every submitted page is delivered (in order), stop the workers, and raise the
        error of a failed page if it was not raised yet."""
        try:
            with self._cond:
                self._cond.wait_for(lambda: not self._pending)
                self._stopped = True
                if self._error is not None and not self._error_raised:
                    self._error_raised = True
                    raise self._error
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Drop what is not delivered yet and stop the workers."""
        with self._cond:
            self._stopped = True
            self._drop_pending()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._delivering:  # a delivery in progress ends before abort returns
            pass

    # -- internals ----------------------------------------------------------------------------------
    def _raise_pending_error(self) -> None:
        if self._error is None:
            return
        if self._error_raised:
            raise RuntimeError("an earlier page failed; the batch takes no more pages")
        self._error_raised = True
        raise self._error

    def _drop_pending(self) -> None:
        for later in self._pending:
            later.cancel()
        self._pending.clear()
        self._cond.notify_all()

    def _pump(self, done: Future[ProcessedPage]) -> None:
        """Deliver the pages at the head of the queue that are done (called when any page is done)."""
        if done.cancelled():  # dropped: nothing to deliver
            return
        while True:
            with self._delivering:
                with self._cond:
                    if not self._pending or not self._pending[0].done():
                        return
                    future = self._pending[0]
                    if future.cancelled() or self._error is not None:
                        return
                try:
                    self._deliver(future.result())
                except BaseException as exc:  # a corrupt page or a failed filing: the batch stops here
                    with self._cond:
                        self._error = exc
                        self._drop_pending()
                    return
                with self._cond:
                    if self._pending and self._pending[0] is future:
                        self._pending.popleft()
                    self._cond.notify_all()

    def __enter__(self) -> PipelinedPages:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # the scan failed: stop quietly, the caller handles its own error
            self.abort()
