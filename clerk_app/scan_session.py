"""One scan batch filed under a checklist line, without Qt: the rules the scanning panel used to hold.

The scanner (devices/scanners) and the image pipeline deliver processed pages on the scan thread; a
:class:`ScanSession` decides what happens to each and what the batch amounts to:

- **Which line.** The case and line are fixed when the session starts: choosing another line in the
  window while the feeder runs does not split the batch.
- **Order.** Pages are filed at the end of the line in the order the scanner delivered them, each one
  durable (encrypted file, then its row) before the next arrives.
- **Blank pages.** With ``drop_blank`` a page the pipeline found blank is not filed in a batch (it is
  counted); a rescan never drops its page (the clerk asked for exactly that sheet).
- **Rescan.** ``replace_page`` replaces that page in place with the first page delivered; any further
  page of that run is ignored (counted), never filed elsewhere.
- **Cancel and partial batches.** :meth:`cancel` stops filing at once: a sheet the scanner finishes
  after Cancel is discarded. The pages filed before stay filed (the clerk sees them and can delete
  them); :meth:`finish` reports the batch — filed, blank dropped, ignored, cancelled or failed — and
  audits it as ``scan.batch`` (counts only).

:class:`ScanService` (built by the composition root as ``ctx.scans``) runs a whole batch: the
scanner feeds on the calling thread, the image pipeline processes pages on both cores while it does
(the ``PageProcessor`` port, implemented over devices/imaging in clerk_app/wiring/scanning.py), and
the session files each page in scan order as soon as it is ready. It returns the batch's
:class:`ScanOutcome`; the UI only starts it, shows progress and thumbnails, and offers Cancel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from clerk_app.audit import Auditor
from clerk_app.errors import ClerkAppError, UserCancelled
from clerk_app.pages import PageService, PageView
from clerk_app.roles import Actor

log = logging.getLogger(__name__)


class ProcessedPage(Protocol):
    """A page as the image pipeline delivers it (devices.imaging.pipeline.ProcessedPage)."""

    @property
    def data(self) -> bytes: ...

    @property
    def mime(self) -> str: ...

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...

    @property
    def blank(self) -> bool: ...


@dataclass(frozen=True)
class ScanOutcome:
    filed: int  # pages filed (or 1 for a rescan that replaced its page)
    dropped_blank: int
    ignored: int  # pages after the first of a rescan, or delivered after Cancel
    cancelled: bool
    error: ClerkAppError | None
    rescan: bool
    refused: tuple[ClerkAppError, ...] = ()  # file import: files that could not be read (nothing filed)

    @property
    def partial(self) -> bool:
        """The batch stopped early (cancelled or failed) with pages already filed; they are kept."""
        return (self.cancelled or self.error is not None) and self.filed > 0


class ScanSession:
    """See the module docstring. ``file`` runs on the scan thread, the rest anywhere."""

    def __init__(
        self,
        pages: PageService,
        auditor: Auditor,
        actor: Actor,
        case_id: str,
        line_code: str,
        *,
        drop_blank: bool = False,
        replace_page: int | None = None,
        on_filed: Callable[[PageView], None] | None = None,
    ) -> None:
        self.pages, self.auditor, self.actor = pages, auditor, actor
        self.case_id, self.line_code = case_id, line_code
        self.drop_blank = drop_blank and replace_page is None
        self.replace_page = replace_page
        self.on_filed = on_filed
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._filed = self._dropped = self._ignored = 0
        self._outcome: ScanOutcome | None = None

    @property
    def filed(self) -> int:
        return self._filed

    def file(self, page: ProcessedPage) -> PageView | None:
        """File one delivered page under the session's line (or in place of the rescanned page);
        None when the rules say not to (blank dropped, extra page of a rescan, after Cancel)."""
        with self._lock:
            if self._cancelled.is_set() or self._outcome is not None:
                self._ignored += 1
                return None
            if self.replace_page is not None and self._filed:
                self._ignored += 1
                return None
            if page.blank and self.drop_blank:
                self._dropped += 1
                return None
            w, h, blank = page.width, page.height, page.blank
            if self.replace_page is not None:
                view = self.pages.replace(
                    self.actor, self.replace_page, page.data, page.mime, width=w, height=h, blank=blank
                )
            else:
                view = self.pages.add(
                    self.actor, self.case_id, self.line_code, page.data, page.mime, width=w, height=h, blank=blank
                )
            self._filed += 1
        if self.on_filed is not None:
            self.on_filed(view)
        return view

    def ignore(self) -> None:
        """Count a page that is not filed because it came after Cancel."""
        with self._lock:
            self._ignored += 1

    def cancel(self) -> None:
        """Stop filing now; what was filed stays."""
        self._cancelled.set()

    def finish(
        self,
        error: BaseException | None = None,
        *,
        cancelled: bool = False,
        refused: tuple[ClerkAppError, ...] = (),
    ) -> ScanOutcome:
        """The batch's result (once); audited as ``scan.batch`` with counts only. ``cancelled``: the
        scanner reports the run as cancelled (its ``ScanCancelled``), which is not a failure."""
        with self._lock:
            if self._outcome is not None:
                return self._outcome
            cancelled = cancelled or self._cancelled.is_set()
            failure = error if isinstance(error, ClerkAppError) and not cancelled else None
            self._outcome = ScanOutcome(
                filed=self._filed,
                dropped_blank=self._dropped,
                ignored=self._ignored,
                cancelled=cancelled,
                error=failure,
                rescan=self.replace_page is not None,
                refused=refused,
            )
        outcome = self._outcome
        self.auditor.record_now(
            self.actor,
            "scan.batch",
            self.case_id,
            line=self.line_code,
            filed=outcome.filed,
            dropped_blank=outcome.dropped_blank,
            ignored=outcome.ignored,
            cancelled=outcome.cancelled,
            failed=outcome.error is not None,
            rescan=outcome.rescan,
        )
        return outcome


# -- running a batch ---------------------------------------------------------------------------------
class ScannedPage(Protocol):
    """A sheet as the scanner delivers it (devices.scanners.base.ScannedPage)."""

    @property
    def image(self) -> Any: ...

    @property
    def dpi(self) -> int: ...


class ScanProgress(Protocol):
    """devices.scanners.base.ScanProgress."""

    @property
    def pages_done(self) -> int: ...

    @property
    def page_fraction(self) -> float: ...


class BatchScanner(Protocol):
    """An open scanner (devices.scanners.base.Scanner) or a file importer: ``scan_batch`` blocks and
    hands each sheet to ``on_page`` as it is read; it raises a ClerkAppError with the pages delivered
    (a UserCancelled on cancel); an exception from ``on_page`` stops it and comes out unchanged."""

    def scan_batch(
        self,
        options: Any,
        on_page: Callable[[Any], None],
        on_progress: Callable[[Any], None] | None = None,
        cancel_event: threading.Event | None = None,
    ) -> object: ...


class PageBatch(Protocol):
    """Pages processed while the scanner feeds (devices.imaging.batch.PipelinedPages): each processed
    page goes to the callback given to ``PageProcessor.batch``, in submission order."""

    def submit(self, image: Any, dpi: int | None = None) -> None: ...

    def close(self) -> None:
        """Deliver every submitted page; raise the error of a failed page not raised yet."""

    def abort(self) -> None:
        """Drop what is not delivered yet."""


class PageProcessor(Protocol):
    def batch(self, preset: str, on_processed: Callable[[ProcessedPage], object]) -> PageBatch: ...


@dataclass(frozen=True)
class ScanRequest:
    """Where a batch goes and how its pages are treated (chosen by the clerk when it starts)."""

    case_id: str
    line_code: str
    preset: str = "auto"
    drop_blank: bool = False
    replace_page: int | None = None  # rescan this page in place


class ScanService:
    """Runs scan batches into checklist lines (see the module docstring). Qt-free; ``run`` blocks, so
    the UI calls it off the GUI thread."""

    def __init__(self, pages: PageService, auditor: Auditor, processor: PageProcessor) -> None:
        self.pages, self.auditor, self.processor = pages, auditor, processor

    def run(
        self,
        actor: Actor,
        scanner: BatchScanner,
        options: Any,
        request: ScanRequest,
        *,
        on_filed: Callable[[PageView], None] | None = None,
        on_progress: Callable[[int, float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ScanOutcome:
        """Scan one batch and file its pages; returns what the batch amounts to (also when the scanner
        failed or the clerk cancelled: the pages filed before stay).

        - Pages go through the pipeline on worker threads while the scanner reads the next sheet and
          are filed in scan order, each as soon as it and the pages before it are ready.
        - ``cancel``: the scanner stops (a sheet in the middle of its read is discarded); the pages it
          delivered before are still processed and filed; nothing delivered after is filed.
        - A scanner fault (jam, cover open, unplugged …) keeps every page delivered before it. A page
          the pipeline refuses, or a filing that fails (disk full), stops the scanner: the pages before
          it are filed, the later ones are not.
        - An unexpected exception (a bug) is re-raised after the batch was audited."""
        cancel = cancel or threading.Event()
        session = ScanSession(
            self.pages,
            self.auditor,
            actor,
            request.case_id,
            request.line_code,
            drop_blank=request.drop_blank,
            replace_page=request.replace_page,
            on_filed=on_filed,
        )
        batch = self.processor.batch(request.preset, session.file)

        def on_page(page: ScannedPage) -> None:  # the scanner's thread
            if cancel.is_set():  # read after Cancel: discarded (the scanner normally stops itself)
                session.ignore()
                return
            batch.submit(page.image, page.dpi)

        def progress(p: ScanProgress) -> None:
            if on_progress is not None:
                on_progress(p.pages_done, p.page_fraction)

        error: BaseException | None = None
        result: object = None
        try:
            result = scanner.scan_batch(options, on_page, progress, cancel)
        except BaseException as exc:
            error = exc
        try:  # the pages delivered before the end (or the fault, or Cancel) are filed
            batch.close()
        except BaseException as exc:  # a page refused by the pipeline or a failed filing
            if error is None or isinstance(error, UserCancelled):
                error = exc
            else:  # the scanner's fault is what the clerk acts on; the page error goes to the log
                log.warning("scan batch: a page failed after a scanner fault: %s", exc)
        cancelled = isinstance(error, UserCancelled)
        refused = tuple(getattr(result, "refused", ()))
        outcome = session.finish(error, cancelled=cancelled, refused=refused)
        if error is not None and not isinstance(error, ClerkAppError):
            raise error
        return outcome
