"""File import and watched folders: network scanners that drop JPEG, PNG, TIFF or PDF files.

Each file is decoded completely (every frame or PDF page, within the limits) before any of its pages
is delivered, so a corrupt, truncated, huge, mislabelled or password-protected file contributes
nothing half-way. In a watched folder an imported file moves to ``imported/`` and a refused one to
``refused/``; a file still being written (modified less than ``settle_seconds`` ago) waits for the
next round.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits, load_images, preload_pdf_reader
from devices.scanners.base import (
    BatchResult,
    Capabilities,
    ColourMode,
    DeviceInfo,
    PageCallback,
    ProgressCallback,
    ScannedPage,
    Scanner,
    ScannerBackend,
    ScanOptions,
    ScanProgress,
    ScanSource,
    safe_progress,
)
from devices.scanners.errors import DeviceGone, ScanCancelled

log = logging.getLogger(__name__)

IMPORTED_DIR = "imported"
REFUSED_DIR = "refused"
SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".pdf")


@dataclass(frozen=True)
class ImportResult(BatchResult):
    files: int = 0
    refused: tuple[ImageRefused, ...] = ()


def import_files(
    paths: Iterable[Path],
    on_page: PageCallback,
    options: ScanOptions = ScanOptions(),
    limits: ImageLimits = ImageLimits(),
    on_progress: ProgressCallback | None = None,
    cancel_event: threading.Event | None = None,
    on_file_done: Callable[[Path, ImageRefused | None], None] | None = None,
) -> ImportResult:
    """Deliver the pages of each file in order; a refused file is reported, not raised.

    Cancel is checked between files (a file's pages are delivered all or none).
    """
    paths = list(paths)
    limits = replace(limits, pdf_dpi=options.dpi)
    cancel_event = cancel_event or threading.Event()
    delivered, files = 0, 0
    refused: list[ImageRefused] = []
    for number, path in enumerate(paths):
        if cancel_event.is_set():
            raise ScanCancelled(detail="between files", pages_delivered=delivered)
        safe_progress(on_progress, ScanProgress(delivered, number / max(1, len(paths))))
        try:
            images = list(load_images(path, limits=limits))
        except ImageRefused as exc:
            log.warning("import refused: %s", exc)
            refused.append(exc)
            if on_file_done is not None:
                on_file_done(path, exc)
            continue
        for image in images:
            dpi_info = image.info.get("dpi")
            dpi = int(round(float(dpi_info[0]))) if dpi_info and dpi_info[0] else options.dpi
            on_page(
                ScannedPage(
                    index=delivered,
                    image=image,
                    dpi=dpi if 50 <= dpi <= 1200 else options.dpi,
                    source=ScanSource.FLATBED,
                    origin=path.name,
                )
            )
            delivered += 1
        files += 1
        if on_file_done is not None:
            on_file_done(path, None)
    safe_progress(on_progress, ScanProgress(delivered, 1.0))
    return ImportResult(pages=delivered, source=ScanSource.FLATBED, files=files, refused=tuple(refused))


class FileImporter(Scanner):
    """Files the clerk picked from disk (a USB stick, a network scanner's share) imported into the
    focused line like one scan batch: the same pipeline, scan session, cancel and progress as SANE,
    beside it (not instead of it). Nothing on disk is moved or changed."""

    def __init__(self, paths: Sequence[Path], limits: ImageLimits = ImageLimits()) -> None:
        self.paths = list(paths)
        self.limits = limits
        preload_pdf_reader()  # created on the GUI thread; the batch runs on a worker thread
        self.info = DeviceInfo(id="files", vendor="", model="文件导入", kind="file import", backend="files")

    def capabilities(self) -> Capabilities:
        return Capabilities(
            sources=(ScanSource.FLATBED,),
            modes=(ColourMode.BILEVEL, ColourMode.GRAY, ColourMode.COLOUR),
            resolutions=(100, 150, 200, 300, 400, 600),
            resolution_range=(50, 600),
        )

    def scan_batch(
        self,
        options: ScanOptions,
        on_page: PageCallback,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> ImportResult:
        return import_files(self.paths, on_page, options, self.limits, on_progress, cancel_event)


class FolderBackend(ScannerBackend):
    """Each configured folder is one "device" (the drop folder of one network scanner)."""

    name = "folder"

    def __init__(
        self, folders: Sequence[str | Path], limits: ImageLimits = ImageLimits(), settle_seconds: float = 2.0
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.limits = limits
        self.settle_seconds = settle_seconds

    def list_devices(self) -> list[DeviceInfo]:
        return [
            DeviceInfo(id=str(f), vendor="", model=f.name or str(f), kind="watched folder", backend=self.name)
            for f in self.folders
            if f.is_dir()
        ]

    def open(self, device_id: str) -> FolderScanner:
        folder = Path(device_id)
        if not folder.is_dir():
            raise DeviceGone(detail="drop folder missing")
        return FolderScanner(
            DeviceInfo(id=str(folder), vendor="", model=folder.name, kind="watched folder", backend=self.name),
            folder,
            self.limits,
            self.settle_seconds,
        )


class FolderScanner(Scanner):
    def __init__(self, info: DeviceInfo, folder: Path, limits: ImageLimits, settle_seconds: float) -> None:
        self.info = info
        self.folder = folder
        self.limits = limits
        self.settle_seconds = settle_seconds
        preload_pdf_reader()  # opened on the GUI thread; a dropped PDF is read on the scan thread

    def capabilities(self) -> Capabilities:
        # The network scanner decides its own settings; dpi here only sets the PDF render dpi.
        return Capabilities(
            sources=(ScanSource.FLATBED, ScanSource.ADF, ScanSource.DUPLEX),
            modes=(ColourMode.BILEVEL, ColourMode.GRAY, ColourMode.COLOUR),
            resolutions=(100, 150, 200, 300, 400, 600),
            resolution_range=(50, 600),
        )

    def ready_files(self) -> list[Path]:
        """Files complete enough to import, oldest first."""
        if not self.folder.is_dir():
            raise DeviceGone(detail="drop folder missing")
        now = time.time()
        ready = []
        for entry in os.scandir(self.folder):
            if not entry.is_file() or entry.name.startswith("."):
                continue
            stat = entry.stat()
            if now - stat.st_mtime < self.settle_seconds:
                continue
            ready.append((stat.st_mtime, entry.name, Path(entry.path)))
        return [p for _, _, p in sorted(ready)]

    def scan_batch(
        self,
        options: ScanOptions,
        on_page: PageCallback,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> ImportResult:
        files = self.ready_files()
        if options.max_pages is not None:
            files = files[: max(0, options.max_pages)]

        def file_done(path: Path, error: ImageRefused | None) -> None:
            self._move(path, REFUSED_DIR if error is not None else IMPORTED_DIR, error)

        return import_files(files, on_page, options, self.limits, on_progress, cancel_event, on_file_done=file_done)

    def _move(self, path: Path, subdir: str, error: ImageRefused | None) -> None:
        target_dir = self.folder / subdir
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        n = 1
        while target.exists():
            target = target_dir / f"{path.stem}.{n}{path.suffix}"
            n += 1
        shutil.move(str(path), target)
        if error is not None:
            (target.parent / (target.name + ".reason.txt")).write_text(
                error.user_message("zh_CN") + "\n" + error.user_message("en") + "\n", "utf-8"
            )


class FolderWatch:
    """Polls a drop folder on its own thread and imports what arrives (Qt-free)."""

    def __init__(
        self,
        scanner: FolderScanner,
        options: ScanOptions,
        on_page: PageCallback,
        on_batch: Callable[[ImportResult], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        interval: float = 1.0,
    ) -> None:
        self._scanner = scanner
        self._options = options
        self._on_page = on_page
        self._on_batch = on_batch
        self._on_error = on_error
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="folder-watch", daemon=True)

    def start(self) -> FolderWatch:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._scanner.ready_files():
                    result = self._scanner.scan_batch(self._options, self._on_page, cancel_event=self._stop)
                    if self._on_batch is not None:
                        self._on_batch(result)
            except Exception as exc:  # report and keep watching; the folder may come back
                if self._on_error is not None:
                    self._on_error(exc)
                else:
                    log.exception("folder watch round failed")
            self._stop.wait(self._interval)
