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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from clerk_app.audit import Auditor
from clerk_app.errors import ClerkAppError
from clerk_app.pages import PageService, PageView
from clerk_app.roles import Actor


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

    def cancel(self) -> None:
        """Stop filing now; what was filed stays."""
        self._cancelled.set()

    def finish(self, error: BaseException | None = None, *, cancelled: bool = False) -> ScanOutcome:
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
