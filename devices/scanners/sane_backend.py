"""Real scanners through SANE (python-sane).

SANE is initialised once per process, and its configuration directory is read at that moment: a
private ``SANE_CONFIG_DIR`` (tests, or a hall that enables only its own backend to avoid probing all
of them, ~3.4 s) must be given before the first use. libsane is not thread-safe, so every call goes
through one process-wide lock; a batch holds it for its whole duration.

Mapping of SANE statuses to our errors follows ``sane_strstatus()`` (sanei/sane_strstatus.c).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

import sane

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
from devices.scanners.errors import (
    CoverOpen,
    DeviceBusy,
    DeviceGone,
    NoPaper,
    OptionUnsupported,
    PaperJammed,
    ScanCancelled,
    ScannerError,
)

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_initialised_with: list[str | None] = []  # the SANE_CONFIG_DIR in force at sane.init()

_USUAL_DPI = (100, 150, 200, 300, 400, 600)


def _init(config_dir: str | None) -> None:
    with _LOCK:
        if _initialised_with:
            if config_dir is not None and _initialised_with[0] != config_dir:
                raise ScannerError(
                    detail=f"SANE already initialised with config dir {_initialised_with[0]!r}, not {config_dir!r}"
                )
            return
        if config_dir is not None:
            os.environ["SANE_CONFIG_DIR"] = config_dir
        sane.init()
        _initialised_with.append(config_dir if config_dir is not None else os.environ.get("SANE_CONFIG_DIR"))


def _classify(message: str) -> type[ScannerError]:
    text = message.lower()
    if "out of documents" in text or "no documents" in text:
        return NoPaper
    if "jammed" in text:
        return PaperJammed
    if "cover" in text:
        return CoverOpen
    if "cancel" in text:
        return ScanCancelled
    if "busy" in text:
        return DeviceBusy
    if "i/o" in text or "invalid argument" in text or "no such" in text or "closed" in text:
        return DeviceGone
    return ScannerError


def _error(exc: BaseException, pages: int) -> ScannerError:
    message = str(exc)
    cls = _classify(message)
    return cls(detail=f"SANE: {message}", pages_delivered=pages)


def _source_kind(name: str) -> ScanSource | None:
    text = name.lower()
    if "duplex" in text:
        return ScanSource.DUPLEX
    if "adf" in text or "feeder" in text:
        return ScanSource.ADF
    if "flatbed" in text or "normal" in text:
        return ScanSource.FLATBED
    return None


def _mode_kind(name: str) -> ColourMode | None:
    text = name.lower()
    if text in ("lineart", "binary", "halftone", "black & white"):
        return ColourMode.BILEVEL
    if text.startswith("gray") or text.startswith("grey"):
        return ColourMode.GRAY
    if text.startswith("color") or text.startswith("colour"):
        return ColourMode.COLOUR
    return None


# After a device fault the backend's reader thread is usually still running, and sane_cancel() ends
# it with pthread_cancel(): sanei_thread makes its threads cancellable *asynchronously*, so a reader
# caught inside malloc() or free() dies holding the allocator's lock and the next malloc anywhere in
# the process waits forever, with the GIL held (seen once in CI with the test backend: the reader is
# created by sane_start and allocates its buffer at once, while the injected fault comes back on the
# first sane_read). Giving the reader a moment first lets it get past the allocation and block in
# write() on the full pipe, where cancelling it is harmless. A clerk does not notice 0.2 s on a jam.
_READER_SETTLE_S = 0.2  # where the reader's state cannot be read (no /proc): a fixed pause
_READER_SETTLE_MAX_S = 10.0  # the longest wait for a reader that neither blocks nor ends
_TASKS = "/proc/self/task"


def _tasks() -> set[str]:
    """The ids of this process's threads (Linux); empty where /proc is not there."""
    try:
        return set(os.listdir(_TASKS))
    except OSError:
        return set()


def _safe_to_cancel(tid: str) -> bool:
    """The thread has ended, or sleeps in a pipe write/read or a timed sleep: a cancellation point
    where it holds no lock. Running (R) or waiting on a futex (perhaps inside malloc) is not safe."""
    try:
        with open(f"{_TASKS}/{tid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(") ", 1)[1].split()[0]
        with open(f"{_TASKS}/{tid}/wchan", encoding="ascii", errors="replace") as fh:
            wchan = fh.read()
    except (OSError, IndexError):
        return True  # gone
    if state in ("Z", "X"):
        return True
    return state == "S" and ("pipe" in wchan or "nanosleep" in wchan)


def _let_the_reader_settle(readers: set[str]) -> None:
    """Wait until the reader threads sane_start created (``readers``) are where cancelling them is
    harmless — blocked writing the full pipe, or finished. A fixed 0.2 s was not enough on a loaded
    machine (CI hung in sane_cancel again): the reader had not reached its first write yet."""
    if not readers:
        if not os.path.isdir(_TASKS):
            time.sleep(_READER_SETTLE_S)
        return
    deadline = time.monotonic() + _READER_SETTLE_MAX_S
    while not all(_safe_to_cancel(t) for t in readers):
        if time.monotonic() > deadline:
            log.warning("SANE reader thread still busy after %.0f s; cancelling anyway", _READER_SETTLE_MAX_S)
            return
        time.sleep(0.01)


class SaneBackend(ScannerBackend):
    name = "sane"

    def __init__(self, config_dir: str | None = None, local_only: bool = False) -> None:
        self._config_dir = config_dir
        self._local_only = local_only
        _init(config_dir)

    def list_devices(self) -> list[DeviceInfo]:
        with _LOCK:
            try:
                devices = sane.get_devices(self._local_only)
            except Exception as exc:
                raise _error(exc, 0) from exc
        return [DeviceInfo(id=d[0], vendor=d[1], model=d[2], kind=d[3], backend=self.name) for d in devices]

    def open(self, device_id: str) -> SaneScanner:
        with _LOCK:
            try:
                handle = sane.open(device_id)
            except Exception as exc:
                # sane_open on a vanished device answers "Invalid argument" or an I/O error.
                raise DeviceGone(detail=f"open {device_id}: {exc}") from exc
        info = next(
            (d for d in self._safe_list() if d.id == device_id),
            DeviceInfo(id=device_id, vendor="", model=device_id, kind="scanner", backend=self.name),
        )
        return SaneScanner(handle, info)

    def _safe_list(self) -> list[DeviceInfo]:
        try:
            return self.list_devices()
        except ScannerError:
            return []


class SaneScanner(Scanner):
    def __init__(self, handle: Any, info: DeviceInfo) -> None:
        self._dev = handle
        self.info = info
        self._source_names: dict[ScanSource, str] = {}
        self._mode_names: dict[ColourMode, str] = {}
        self._closed = False

    # -- options ----------------------------------------------------------------------------
    def _option(self, name: str) -> Any | None:
        opt = self._dev.opt.get(name)
        return opt if opt is not None and opt.is_active() else None

    def capabilities(self) -> Capabilities:
        with _LOCK:
            source = self._option("source")
            sources: list[ScanSource] = []
            self._source_names.clear()
            if source is not None and isinstance(source.constraint, list):
                for value in source.constraint:
                    kind = _source_kind(str(value))
                    if kind is not None and kind not in self._source_names:
                        self._source_names[kind] = str(value)
                        sources.append(kind)
            if not sources:
                sources = [ScanSource.FLATBED]
            mode = self._option("mode")
            modes: list[ColourMode] = []
            self._mode_names.clear()
            if mode is not None and isinstance(mode.constraint, list):
                for value in mode.constraint:
                    mode_kind = _mode_kind(str(value))
                    if mode_kind is not None and mode_kind not in self._mode_names:
                        self._mode_names[mode_kind] = str(value)
                        modes.append(mode_kind)
            depth = self._option("depth")
            if (
                ColourMode.BILEVEL not in modes
                and ColourMode.GRAY in modes
                and depth is not None
                and isinstance(depth.constraint, list)
                and 1 in depth.constraint
            ):
                modes.insert(0, ColourMode.BILEVEL)  # gray at depth 1 is lineart
            if not modes:
                modes = [ColourMode.GRAY]
            resolution = self._option("resolution")
            resolutions: tuple[int, ...] = (200,)
            dpi_range = None
            if resolution is not None:
                c = resolution.constraint
                if isinstance(c, tuple):
                    dpi_range = (int(c[0]), int(c[1]))
                    resolutions = tuple(d for d in _USUAL_DPI if c[0] <= d <= c[1])
                elif isinstance(c, list):
                    resolutions = tuple(int(v) for v in c)
            area = None
            br_x, br_y = self._option("br_x"), self._option("br_y")
            if br_x is not None and br_y is not None and isinstance(br_x.constraint, tuple):
                area = (float(br_x.constraint[1]), float(br_y.constraint[1]))
            return Capabilities(
                sources=tuple(sources),
                modes=tuple(modes),
                resolutions=resolutions,
                resolution_range=dpi_range,
                max_area_mm=area,
            )

    def set_device_option(self, name: str, value: object) -> None:
        """Set an option by its SANE name (with ``-`` or ``_``); only between or during pages.

        Used e.g. by tests to inject a fault into the SANE test backend in the middle of a batch.
        """
        attr = name.replace("-", "_")
        try:
            setattr(self._dev, attr, value)
        except Exception as exc:
            raise OptionUnsupported(option=name, value=value, detail=str(exc)) from exc

    def _apply(self, options: ScanOptions, caps: Capabilities) -> None:
        caps.check(options)
        if ScanSource.FLATBED in self._source_names or self._option("source") is not None:
            if options.source in self._source_names:
                self.set_device_option("source", self._source_names[options.source])
        if options.mode is ColourMode.BILEVEL and ColourMode.BILEVEL not in self._mode_names:
            self.set_device_option("mode", self._mode_names[ColourMode.GRAY])
            self.set_device_option("depth", 1)
        elif self._option("mode") is not None:
            self.set_device_option("mode", self._mode_names[options.mode])
            if self._option("depth") is not None and options.mode is not ColourMode.BILEVEL:
                self.set_device_option("depth", 8)
        if self._option("resolution") is not None:
            resolution = self._dev.opt["resolution"]
            value: float | int = float(options.dpi) if resolution.type == 2 else int(options.dpi)
            self.set_device_option("resolution", value)
        if caps.max_area_mm is not None and self._option("br_x") is not None:
            width = min(options.page_size_mm[0], caps.max_area_mm[0])
            height = min(options.page_size_mm[1], caps.max_area_mm[1])
            for name, mm in (("tl_x", 0.0), ("tl_y", 0.0), ("br_x", width), ("br_y", height)):
                self.set_device_option(name, float(mm))
        for name, raw in options.device_options.items():
            self.set_device_option(name, raw)

    # -- scanning ---------------------------------------------------------------------------
    def scan_batch(
        self,
        options: ScanOptions,
        on_page: PageCallback,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> BatchResult:
        cancel_event = cancel_event or threading.Event()
        with _LOCK:
            caps = self.capabilities()
            self._apply(options, caps)
            feeder = options.source in (ScanSource.ADF, ScanSource.DUPLEX)
            delivered = 0
            readers: set[str] = set()
            try:
                while True:
                    if cancel_event.is_set():
                        raise ScanCancelled(detail="before next sheet", pages_delivered=delivered)
                    if options.max_pages is not None and delivered >= options.max_pages:
                        break
                    progress = self._progress_hook(delivered, on_progress, cancel_event)
                    before = _tasks()
                    try:
                        try:
                            self._dev.start()
                        finally:
                            readers = _tasks() - before  # the reader sane_start created (if any)
                        # no_cancel for feeders: sane_cancel() would eject the remaining sheets.
                        image = self._dev.snap(feeder, progress)
                    except sane._sane.error as exc:
                        _let_the_reader_settle(readers)
                        err = _error(exc, delivered)
                        if isinstance(err, NoPaper) and feeder and delivered > 0:
                            break  # the feeder ran empty: the normal end of a batch
                        if cancel_event.is_set():
                            raise ScanCancelled(detail=f"SANE: {exc}", pages_delivered=delivered) from exc
                        raise err from exc
                    except RuntimeError as exc:  # "Scanner returned no data"
                        raise ScannerError(detail=str(exc), pages_delivered=delivered) from exc
                    if cancel_event.is_set():
                        # Cancelled while this sheet was being read: the sheet is discarded.
                        raise ScanCancelled(detail="during a sheet", pages_delivered=delivered)
                    page = ScannedPage(
                        index=delivered,
                        image=image,
                        dpi=options.dpi,
                        source=options.source,
                        side=("back" if options.source is ScanSource.DUPLEX and delivered % 2 else "front"),
                    )
                    on_page(page)
                    delivered += 1
                    safe_progress(on_progress, ScanProgress(delivered, 1.0))
                    if not feeder:
                        break
            finally:
                _let_the_reader_settle(readers)  # a sheet cancelled mid-read: its reader may still run
                try:
                    self._dev.cancel()
                except Exception:
                    log.debug("sane_cancel after batch failed", exc_info=True)
        return BatchResult(pages=delivered, source=options.source)

    def _progress_hook(
        self, delivered: int, on_progress: ProgressCallback | None, cancel_event: threading.Event
    ) -> Any:
        state = {"last": -1.0}

        def progress(lines_read: int, total: int) -> None:
            # Called by python-sane per line while holding the GIL. It must never raise: an
            # exception escaping here crashes the interpreter (seen with python-sane 2.9.2).
            try:
                if cancel_event.is_set():
                    # Not sane_cancel() from inside the read loop: with the SANE test backend it
                    # was seen to block forever (its reader process stuck on a full pipe while we
                    # stop reading). The sheet is finished and discarded instead (scan_batch).
                    return
                fraction = lines_read / total if total else 0.0
                if fraction - state["last"] >= 0.05 or lines_read == total:
                    state["last"] = fraction
                    safe_progress(on_progress, ScanProgress(delivered, fraction))
            except BaseException:
                log.exception("scan progress hook failed")

        return progress

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with _LOCK:
            try:
                self._dev.close()
            except Exception:
                log.debug("sane close failed", exc_info=True)
