"""The scanner interface every backend implements (Qt-free: plain threads and callbacks).

A backend lists devices and opens one; an open ``Scanner`` reports the options the device offers
and scans a batch. ``scan_batch`` blocks (run it off the GUI thread, e.g. with ``ScanJob``) and hands
each page to ``on_page`` the moment it is read, so the caller can store it before the next sheet
moves: a jam, a pulled cable or a killed app never loses a page already delivered.
"""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from PIL import Image

from clerk_app.errors import ClerkAppError
from devices.scanners.errors import OptionUnsupported, ScannerError

log = logging.getLogger(__name__)


class ScanSource(str, Enum):
    FLATBED = "flatbed"
    ADF = "adf"
    DUPLEX = "duplex"


class ColourMode(str, Enum):
    BILEVEL = "bilevel"
    GRAY = "gray"
    COLOUR = "colour"


@dataclass(frozen=True)
class DeviceInfo:
    id: str  # what ``open`` takes, e.g. "test:0" or a folder path
    vendor: str
    model: str
    kind: str  # "flatbed scanner", "virtual device", "watched folder" ...
    backend: str

    @property
    def label(self) -> str:
        return f"{self.vendor} {self.model} ({self.id})".strip()


@dataclass(frozen=True)
class Capabilities:
    """What the device reports it can do; the UI offers only these."""

    sources: tuple[ScanSource, ...]
    modes: tuple[ColourMode, ...]
    resolutions: tuple[int, ...]  # offered choices (a range device is sampled at usual values)
    resolution_range: tuple[int, int] | None = None
    max_area_mm: tuple[float, float] | None = None

    def check(self, options: ScanOptions) -> None:
        if options.source not in self.sources:
            raise OptionUnsupported(
                option="source",
                value=options.source.value,
                detail=f"source {options.source.value} not in {self.sources}",
            )
        if options.mode not in self.modes:
            raise OptionUnsupported(
                option="mode", value=options.mode.value, detail=f"mode {options.mode.value} not in {self.modes}"
            )
        lo_hi = self.resolution_range
        ok = (lo_hi[0] <= options.dpi <= lo_hi[1]) if lo_hi else options.dpi in self.resolutions
        if not ok:
            raise OptionUnsupported(option="dpi", value=options.dpi, detail=f"{options.dpi} dpi not offered")


@dataclass(frozen=True)
class ScanOptions:
    source: ScanSource = ScanSource.FLATBED
    dpi: int = 200
    mode: ColourMode = ColourMode.GRAY
    page_size_mm: tuple[float, float] = (210.0, 297.0)  # A4; clipped to what the device can do
    max_pages: int | None = None  # stop an ADF batch after this many
    # Options passed to the device by their own names (e.g. the SANE test backend's test_picture).
    device_options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Plain strings become the enums (Qt item data gives "flatbed", not ScanSource.FLATBED; the
        # backends compare by identity: a flatbed scan from the panel fed like an ADF).
        object.__setattr__(self, "source", ScanSource(self.source))
        object.__setattr__(self, "mode", ColourMode(self.mode))


@dataclass(frozen=True)
class ScannedPage:
    index: int  # 0-based position in the batch
    image: Image.Image
    dpi: int
    source: ScanSource
    side: str = "front"  # "front" | "back" for duplex
    origin: str = ""  # file name for imports (not logged: may carry personal data)


@dataclass(frozen=True)
class ScanProgress:
    pages_done: int
    page_fraction: float  # 0..1 within the page being read
    expected_pages: int | None = None


@dataclass(frozen=True)
class BatchResult:
    pages: int
    source: ScanSource


PageCallback = Callable[[ScannedPage], None]
ProgressCallback = Callable[[ScanProgress], None]


class Scanner(abc.ABC):
    """An open device. Not shared between threads: one batch at a time."""

    info: DeviceInfo

    @abc.abstractmethod
    def capabilities(self) -> Capabilities: ...

    @abc.abstractmethod
    def scan_batch(
        self,
        options: ScanOptions,
        on_page: PageCallback,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> BatchResult:
        """Scan until the feeder is empty (ADF/duplex), one page (flatbed) or ``max_pages``.

        Raises a ``ScannerError`` subclass (``ScanCancelled`` on cancel) with ``pages_delivered``.
        An exception raised by ``on_page`` (e.g. the disk is full) stops the batch and propagates.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release the device."""

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ScannerBackend(abc.ABC):
    name: str

    @abc.abstractmethod
    def list_devices(self) -> list[DeviceInfo]:
        """Ask each time (hot-plug): never cache the list."""

    @abc.abstractmethod
    def open(self, device_id: str) -> Scanner: ...

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release backend resources."""


class ScanJob:
    """Runs one ``scan_batch`` on its own thread and reports back through callbacks.

    The callbacks run on the scan thread; the UI wraps them in Qt signals (see ui/). ``on_done`` gets
    ``(result, None)`` or ``(None, error)``; errors other than ClerkAppError are wrapped so the UI
    always has a message to show.
    """

    def __init__(
        self,
        scanner: Scanner,
        options: ScanOptions,
        on_page: PageCallback,
        on_progress: ProgressCallback | None = None,
        on_done: Callable[[BatchResult | None, ClerkAppError | None], None] | None = None,
    ) -> None:
        self.cancel_event = threading.Event()
        self._args = (scanner, options, on_page, on_progress)
        self._on_done = on_done
        self.result: BatchResult | None = None
        self.error: ClerkAppError | None = None
        self._thread = threading.Thread(target=self._run, name="scan-job", daemon=True)

    def start(self) -> ScanJob:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        scanner, options, on_page, on_progress = self._args
        try:
            self.result = scanner.scan_batch(options, on_page, on_progress, self.cancel_event)
        except ClerkAppError as exc:
            self.error = exc
        except Exception as exc:  # never let a device thread die silently
            log.exception("scan job failed")
            self.error = ScannerError(detail=f"{type(exc).__name__}: {exc}")
        if self._on_done is not None:
            self._on_done(self.result, self.error)


def safe_progress(on_progress: ProgressCallback | None, progress: ScanProgress) -> None:
    """Call the progress callback, swallowing its errors: progress must never abort a scan."""
    if on_progress is None:
        return
    try:
        on_progress(progress)
    except Exception:
        log.exception("progress callback failed")


__all__ = [
    "BatchResult",
    "Capabilities",
    "ColourMode",
    "DeviceInfo",
    "PageCallback",
    "ProgressCallback",
    "ScanJob",
    "ScanOptions",
    "ScanProgress",
    "ScanSource",
    "ScannedPage",
    "Scanner",
    "ScannerBackend",
    "ScannerError",
]
