"""The simulated scanner (demo, UI tests), the backend factory, and the Qt-free rule."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from devices.scanners.base import ColourMode, ScanJob, ScannedPage, ScanOptions, ScanSource
from devices.scanners.errors import (
    BackendUnavailable,
    DeviceGone,
    NoPaper,
    OptionUnsupported,
    PaperJammed,
    ScanCancelled,
)
from devices.scanners.factory import backend_names, backend_status, create_backend
from devices.scanners.simulated import SimulatedBackend, SimulatedFault

REPO = Path(__file__).resolve().parents[3]


def scan(backend: SimulatedBackend, **options) -> list[ScannedPage]:
    pages: list[ScannedPage] = []
    with backend.open("sim:0") as scanner:
        scanner.scan_batch(ScanOptions(dpi=100, **options), pages.append)
    return pages


def test_adf_and_duplex():
    backend = SimulatedBackend(sheets=3)
    assert [p.index for p in scan(backend, source=ScanSource.ADF)] == [0, 1, 2]
    duplex = scan(backend, source=ScanSource.DUPLEX)
    assert [p.side for p in duplex] == ["front", "back"] * 3
    assert scan(backend)[0].image.size == (827, 1169)  # flatbed: one A4 page at 100 dpi


def test_colour_mode_gives_rgb():
    assert scan(SimulatedBackend(), mode=ColourMode.COLOUR)[0].image.mode == "RGB"


def test_fault_keeps_earlier_pages():
    pages: list[ScannedPage] = []
    backend = SimulatedBackend(sheets=5, fault=SimulatedFault(at_sheet=2, kind="jammed"))
    with pytest.raises(PaperJammed) as info:
        backend.open("sim:0").scan_batch(ScanOptions(source=ScanSource.ADF, dpi=100), pages.append)
    assert info.value.pages_delivered == 2 == len(pages)


def test_empty_feeder():
    with pytest.raises(NoPaper):
        scan(SimulatedBackend(sheets=0), source=ScanSource.ADF)


def test_unsupported_resolution():
    with pytest.raises(OptionUnsupported):
        SimulatedBackend().open("sim:0").scan_batch(ScanOptions(dpi=1200), lambda page: None)


def test_unknown_device():
    with pytest.raises(DeviceGone):
        SimulatedBackend().open("sim:7")


def test_scan_job_cancel_from_another_thread():
    backend = SimulatedBackend(sheets=50, line_delay=0.002)
    pages: list[ScannedPage] = []
    first = threading.Event()

    def on_page(page: ScannedPage) -> None:
        pages.append(page)
        first.set()

    job = ScanJob(backend.open("sim:0"), ScanOptions(source=ScanSource.ADF, dpi=100), on_page)
    job.start()
    assert first.wait(10)
    job.cancel()
    assert job.wait(10)
    assert isinstance(job.error, ScanCancelled)
    assert job.error.pages_delivered == len(pages) < 50


def test_scan_job_wraps_unexpected_errors():
    def broken(page: ScannedPage) -> None:
        raise KeyError("bug in the caller")

    job = ScanJob(SimulatedBackend().open("sim:0"), ScanOptions(dpi=100), broken).start()
    assert job.wait(10)
    assert job.error is not None and "KeyError" in str(job.error)


def test_progress_callback_errors_do_not_stop_the_scan():
    def bad_progress(progress) -> None:
        raise RuntimeError("UI gone")

    pages: list[ScannedPage] = []
    SimulatedBackend(sheets=2).open("sim:0").scan_batch(
        ScanOptions(source=ScanSource.ADF, dpi=100), pages.append, bad_progress
    )
    assert len(pages) == 2


# -- factory -------------------------------------------------------------------------------------


def test_backends_by_name():
    assert backend_names() == ["sane", "folder", "simulated"]
    assert all(backend_status(name).available for name in backend_names())
    backend = create_backend("simulated", sheets=2)
    assert backend.list_devices()[0].id == "sim:0"


def test_unknown_backend():
    status = backend_status("twain")
    assert not status.available and "unknown backend" in status.reason
    with pytest.raises(BackendUnavailable):
        create_backend("twain")


def test_missing_library_makes_the_backend_unavailable_not_a_crash(monkeypatch):
    monkeypatch.setitem(sys.modules, "devices.scanners.sane_backend", None)
    status = backend_status("sane")
    assert not status.available
    assert "missing library" in status.reason and "python-sane" in status.reason
    with pytest.raises(BackendUnavailable) as info:
        create_backend("sane")
    assert "不可用" in info.value.user_message("zh_CN")


def test_missing_sane_module_in_a_fresh_process():
    """The real import path: with ``sane`` not importable the factory says why."""
    code = (
        "import sys; sys.modules['sane'] = None\n"
        "from devices.scanners.factory import backend_status\n"
        "s = backend_status('sane'); print(s.available, s.reason)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert out.startswith("False missing library sane")


def test_devices_and_attachments_never_import_qt():
    code = (
        "import sys\n"
        "import devices.scanners, devices.scanners.factory, devices.scanners.folder\n"
        "import devices.scanners.simulated, devices.scanners.sane_backend\n"
        "import devices.imaging, clerk_app.attachments\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui'))\n"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert out.strip() == "[]"
