"""Scanning through the real SANE stack: libsane + the ``test`` backend via python-sane."""

from __future__ import annotations

import threading

import pytest

from devices.imaging.pipeline import PagePipeline, Preset
from devices.scanners.base import ColourMode, ScanJob, ScannedPage, ScanOptions, ScanSource
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

ADF = ScanSource.ADF


def test_lists_the_test_devices(sane_backend):
    ids = [d.id for d in sane_backend.list_devices()]
    assert ids == ["test:0", "test:1"]
    assert {d.backend for d in sane_backend.list_devices()} == {"sane"}


def test_capabilities_are_what_the_device_reports(sane_scanner):
    caps = sane_scanner.capabilities()
    assert caps.sources == (ScanSource.FLATBED, ScanSource.ADF)  # no duplex on the test device
    assert caps.modes == (ColourMode.BILEVEL, ColourMode.GRAY, ColourMode.COLOUR)
    assert caps.resolution_range == (1, 1200)
    assert 200 in caps.resolutions
    assert caps.max_area_mm == (300.0, 300.0)  # raised in conftest


def test_flatbed_a4_200dpi_gray_is_one_full_page(sane_scanner):
    pages: list[ScannedPage] = []
    result = sane_scanner.scan_batch(ScanOptions(dpi=200), pages.append)
    assert result.pages == 1 and len(pages) == 1
    image = pages[0].image
    assert image.mode == "L"
    # 210 x 297 mm at 200 dpi (the test backend truncates to whole pixels).
    assert abs(image.width - 1654) <= 1 and abs(image.height - 2339) <= 1
    assert pages[0].dpi == 200 and pages[0].source is ScanSource.FLATBED


def test_bilevel_and_colour_modes(sane_scanner):
    pages: list[ScannedPage] = []
    options = dict(dpi=75, device_options={"test_picture": "Grid"})
    sane_scanner.scan_batch(ScanOptions(mode=ColourMode.BILEVEL, **options), pages.append)
    sane_scanner.scan_batch(ScanOptions(mode=ColourMode.COLOUR, **options), pages.append)
    bilevel, colour = pages
    values = [v for v, count in enumerate(bilevel.image.histogram()) if count]
    assert values == [0, 255]
    assert colour.image.mode == "RGB"


def test_adf_batch_until_the_feeder_is_empty(sane_scanner):
    pages: list[ScannedPage] = []
    progress = []
    result = sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=100), pages.append, progress.append)
    # The test backend's feeder holds 10 sheets, then reports "out of documents": the end.
    assert result.pages == 10
    assert [p.index for p in pages] == list(range(10))
    assert all(p.source is ADF for p in pages)
    done = [p.pages_done for p in progress if p.page_fraction == 1.0]
    assert done[-1] == 10
    fractions = [p.page_fraction for p in progress if p.pages_done == 0]
    assert fractions == sorted(fractions) and len(fractions) >= 5


def test_adf_max_pages(sane_scanner):
    pages: list[ScannedPage] = []
    assert sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=50, max_pages=3), pages.append).pages == 3


def test_adf_pages_stored_with_hashes_counts_and_order(sane_scanner, attachment_store):
    """The whole path: SANE → pipeline → encrypted store; hashes read back in scan order."""
    pipeline = PagePipeline()
    stored: list[tuple[int, str]] = []

    def on_page(page: ScannedPage) -> None:
        processed = pipeline.process(page.image, page.dpi, Preset.AUTO)
        stored.append((page.index, attachment_store.put(processed.data, processed.mime).sha256))

    result = sane_scanner.scan_batch(
        ScanOptions(source=ADF, dpi=100, max_pages=4, device_options={"test_picture": "Grid"}), on_page
    )
    assert result.pages == 4
    assert [index for index, _ in stored] == [0, 1, 2, 3]
    for _, sha in stored:
        assert len(attachment_store.get(sha)) > 0


def test_cancel_between_sheets_keeps_earlier_pages(sane_scanner):
    cancel = threading.Event()
    pages: list[ScannedPage] = []

    def on_page(page: ScannedPage) -> None:
        pages.append(page)
        if page.index == 2:
            cancel.set()

    with pytest.raises(ScanCancelled) as info:
        sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=100), on_page, cancel_event=cancel)
    assert info.value.pages_delivered == 3 == len(pages)
    assert "3" in info.value.user_message("zh_CN")


def test_cancel_in_the_middle_of_a_sheet(sane_scanner):
    """Cancel while SANE is reading sheet 4: that sheet is discarded, the three before it are kept."""
    cancel = threading.Event()
    pages: list[ScannedPage] = []

    def on_progress(progress) -> None:
        if progress.pages_done == 3 and 0.3 < progress.page_fraction < 1.0:
            cancel.set()

    with pytest.raises(ScanCancelled) as info:
        sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=150), pages.append, on_progress, cancel)
    assert info.value.pages_delivered == 3
    assert [p.index for p in pages] == [0, 1, 2]
    # The device is usable again afterwards.
    again: list[ScannedPage] = []
    assert sane_scanner.scan_batch(ScanOptions(dpi=50), again.append).pages == 1


def test_scan_job_runs_off_the_calling_thread_and_cancels(sane_scanner):
    sane_scanner.set_device_option("read_delay", True)  # slow sheets, like a real feeder
    sane_scanner.set_device_option("read_delay_duration", 2000)
    threads: set[str] = set()
    two_pages = threading.Event()
    pages: list[ScannedPage] = []

    def on_page(page: ScannedPage) -> None:
        threads.add(threading.current_thread().name)
        pages.append(page)
        if len(pages) == 2:
            two_pages.set()

    done = threading.Event()
    job = ScanJob(
        sane_scanner, ScanOptions(source=ADF, dpi=100), on_page, on_done=lambda result, error: done.set()
    ).start()
    assert two_pages.wait(20)
    job.cancel()
    assert done.wait(20) and job.wait(5)
    assert isinstance(job.error, ScanCancelled)
    assert job.error.pages_delivered == len(pages) >= 2
    assert threads == {"scan-job"}


@pytest.mark.parametrize(
    ("status", "error_type", "words"),
    [
        ("SANE_STATUS_JAMMED", PaperJammed, "卡纸"),
        ("SANE_STATUS_COVER_OPEN", CoverOpen, "盖板"),
        ("SANE_STATUS_IO_ERROR", DeviceGone, "无法连接"),
        ("SANE_STATUS_DEVICE_BUSY", DeviceBusy, "正忙"),
        ("SANE_STATUS_NO_MEM", ScannerError, "扫描仪错误"),
    ],
)
def test_fault_in_the_middle_of_a_batch_keeps_earlier_pages(sane_scanner, status, error_type, words):
    pages: list[ScannedPage] = []

    def on_page(page: ScannedPage) -> None:
        pages.append(page)
        if page.index == 2:  # the fourth sheet will fail
            sane_scanner.set_device_option("read_return_value", status)

    with pytest.raises(error_type) as info:
        sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=100), on_page)
    assert type(info.value) is error_type
    assert info.value.pages_delivered == 3 == len(pages)
    assert words in info.value.user_message("zh_CN")
    assert "SANE" in str(info.value)  # the technical detail goes to the log


def test_no_paper_on_the_first_sheet(sane_scanner):
    sane_scanner.set_device_option("read_return_value", "SANE_STATUS_NO_DOCS")
    with pytest.raises(NoPaper) as info:
        sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=100), lambda page: None)
    assert info.value.pages_delivered == 0
    assert "没有纸张" in info.value.user_message("zh_CN")


def test_unsupported_option_is_refused_before_scanning(sane_scanner):
    with pytest.raises(OptionUnsupported):
        sane_scanner.scan_batch(ScanOptions(source=ScanSource.DUPLEX), lambda page: None)


def test_opening_a_missing_device(sane_backend):
    with pytest.raises(DeviceGone) as info:
        sane_backend.open("test:9")
    assert "扫描仪" in info.value.user_message("zh_CN")


def test_an_error_in_on_page_stops_the_batch_and_frees_the_device(sane_scanner):
    """E.g. the disk is full while storing page 2: the caller's error comes out unchanged, the
    feeder is released, and the next batch works."""
    from clerk_app.attachments import StorageFull

    def on_page(page: ScannedPage) -> None:
        if page.index == 1:
            raise StorageFull(detail="ENOSPC in test")

    with pytest.raises(StorageFull):
        sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=50), on_page)
    pages: list[ScannedPage] = []
    assert sane_scanner.scan_batch(ScanOptions(source=ADF, dpi=50, max_pages=2), pages.append).pages == 2
