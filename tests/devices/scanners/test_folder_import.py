"""File and drop-folder import: good files in order, bad files refused whole with the reason."""

from __future__ import annotations

import io
import os
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits, load_images
from devices.scanners.base import ScannedPage, ScanOptions
from devices.scanners.errors import DeviceGone, ScanCancelled
from devices.scanners.folder import FolderBackend, FolderWatch, ImportResult, import_files
from devices.scanners.simulated import CJK_FONTS


def marked_page(number: int, size: tuple[int, int] = (827, 1169)) -> Image.Image:
    """A 100 dpi A4 page with ``number`` black bars, so order can be read back from pixels."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for i in range(number):
        draw.rectangle((100, 100 + i * 60, 700, 130 + i * 60), fill=0)
    return image


def bars(image: Image.Image) -> int:
    column = image.convert("L").crop((400, 0, 401, image.height))
    dark = [v < 128 for v in column.tobytes()]
    return sum(1 for a, b in zip([False] + dark, dark) if b and not a)


def write(path: Path, image: Image.Image, fmt: str, **kw) -> Path:
    image.save(path, fmt, **kw)
    return path


def make_pdf(path: Path, pages: int, password: str | None = None) -> Path:
    """A real PDF with CJK text (ReportLab, embedded TrueType subset), optionally encrypted."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = next(p for p in CJK_FONTS if Path(p).exists())
    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY", font, subfontIndex=0))
    encrypt = None
    if password:
        from reportlab.lib import pdfencrypt

        encrypt = pdfencrypt.StandardEncryption(password, canPrint=1)
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for number in range(1, pages + 1):
        c.setFont("WQY", 28)
        c.drawString(72, 760, f"营业执照 第 {number} 页")
        for i in range(number):
            c.rect(72, 600 - i * 40, 400, 20, fill=1)
        c.showPage()
    c.save()
    return path


def bomb_png(path: Path, width: int = 40_000, height: int = 40_000) -> Path:
    """A PNG whose header claims 1.6 gigapixels; a few hundred bytes on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def collect(paths, **kw) -> tuple[list[ScannedPage], ImportResult]:
    pages: list[ScannedPage] = []
    result = import_files([Path(p) for p in paths], pages.append, **kw)
    return pages, result


# -- formats -------------------------------------------------------------------------------------


def test_jpeg_png_multipage_tiff_and_pdf_in_order(tmp_path: Path):
    jpeg = write(tmp_path / "a.jpg", marked_page(1), "JPEG", quality=90, dpi=(100, 100))
    png = write(tmp_path / "b.png", marked_page(2), "PNG", dpi=(100, 100))
    tiff = tmp_path / "c.tif"
    marked_page(3).save(
        tiff,
        "TIFF",
        save_all=True,
        compression="tiff_lzw",
        dpi=(100, 100),
        append_images=[marked_page(4), marked_page(5).convert("1")],
    )
    pdf = make_pdf(tmp_path / "d.pdf", pages=2)
    pages, result = collect([jpeg, png, tiff, pdf], options=ScanOptions(dpi=100))
    assert result.pages == 7 and result.files == 4 and result.refused == ()
    assert [p.index for p in pages] == list(range(7))
    assert [p.origin for p in pages] == ["a.jpg", "b.png"] + ["c.tif"] * 3 + ["d.pdf"] * 2
    assert [bars(p.image) for p in pages[:5]] == [1, 2, 3, 4, 5]
    assert all(p.dpi == 100 for p in pages)


def test_pdf_pages_are_rendered_at_the_requested_dpi(tmp_path: Path):
    pdf = make_pdf(tmp_path / "licence.pdf", pages=3)
    pages, _ = collect([pdf], options=ScanOptions(dpi=200))
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        # A4 at 200 dpi, drawn by PDFium: the text and the bars are really rendered.
        assert abs(page.image.width - 1654) <= 1 and abs(page.image.height - 2339) <= 1
        gray = page.image.convert("L")
        text_band = gray.crop((200, 130, 1000, 230))
        assert min(text_band.getextrema()) < 60
        rect_rows = gray.crop((600, 400, 601, gray.height))  # below the heading
        dark = [v < 128 for v in rect_rows.tobytes()]
        assert sum(1 for a, b in zip([False] + dark, dark) if b and not a) == number


# -- refusals ------------------------------------------------------------------------------------


def refusal(path: Path, limits: ImageLimits = ImageLimits()) -> ImageRefused:
    with pytest.raises(ImageRefused) as info:
        list(load_images(path, limits=limits))
    return info.value


def test_truncated_jpeg(tmp_path: Path):
    good = io.BytesIO()
    marked_page(3).save(good, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    error = refusal(path)
    assert error.reason == "corrupt"
    assert "损坏" in error.user_message("zh_CN")


def test_garbage_with_an_image_name(tmp_path: Path):
    path = tmp_path / "scan.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    assert refusal(path).reason == "corrupt"


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path):
    started = time.perf_counter()
    error = refusal(bomb_png(tmp_path / "bomb.png"))
    assert error.reason == "too_many_pixels"
    assert time.perf_counter() - started < 1.0
    assert "解压炸弹" in error.user_message("zh_CN")


def test_bomb_frame_inside_a_tiff(tmp_path: Path):
    path = tmp_path / "multi.tif"
    marked_page(1).save(path, "TIFF", save_all=True, append_images=[Image.new("1", (6000, 6000))])
    assert refusal(path, ImageLimits(max_pixels=20_000_000)).reason == "too_many_pixels"


def test_huge_file(tmp_path: Path):
    path = write(tmp_path / "big.png", marked_page(1), "PNG")
    assert refusal(path, ImageLimits(max_file_bytes=1000)).reason == "too_large"


def test_too_many_pages(tmp_path: Path):
    path = tmp_path / "many.tif"
    marked_page(1).save(path, "TIFF", save_all=True, append_images=[marked_page(2)] * 3)
    assert refusal(path, ImageLimits(max_pages=2)).reason == "too_many_pages"


def test_mislabelled_file(tmp_path: Path):
    path = write(tmp_path / "photo.jpg", marked_page(1), "PNG")
    error = refusal(path)
    assert error.reason == "mislabelled"
    assert "扩展名" in error.user_message("zh_CN")


def test_unsupported_format(tmp_path: Path):
    gif = write(tmp_path / "anim.gif", marked_page(1), "GIF")
    assert refusal(gif).reason == "unsupported"
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    assert refusal(text).reason == "unsupported"


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert refusal(path).reason == "empty"


def test_password_protected_pdf(tmp_path: Path):
    path = make_pdf(tmp_path / "locked.pdf", pages=1, password="secret")
    error = refusal(path)
    assert error.reason == "password"
    assert "密码" in error.user_message("zh_CN")


def test_corrupt_pdf(tmp_path: Path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    assert refusal(path).reason == "corrupt"


def test_file_name_stays_out_of_the_log_text(tmp_path: Path):
    path = tmp_path / "张三身份证.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"\x00" * 50)
    error = refusal(path)
    assert "张三" in error.user_message("zh_CN")  # the clerk sees which file
    assert "张三" not in str(error)  # the log does not


def test_a_bad_file_contributes_nothing_and_the_others_go_on(tmp_path: Path):
    good1 = write(tmp_path / "1.png", marked_page(1), "PNG")
    bad = tmp_path / "2.tif"
    marked_page(2).save(bad, "TIFF", save_all=True, append_images=[marked_page(3)])
    raw = bad.read_bytes()
    bad.write_bytes(raw[: len(raw) - 2000])  # second frame truncated
    good2 = write(tmp_path / "3.png", marked_page(4), "PNG")
    pages, result = collect([good1, bad, good2])
    assert [bars(p.image) for p in pages] == [1, 4]  # nothing of the half-readable TIFF
    assert [e.reason for e in result.refused] == ["corrupt"]


def test_cancel_between_files(tmp_path: Path):
    files = [write(tmp_path / f"{i}.png", marked_page(i + 1), "PNG") for i in range(4)]
    cancel = threading.Event()
    pages: list[ScannedPage] = []

    def on_page(page: ScannedPage) -> None:
        pages.append(page)
        if len(pages) == 2:
            cancel.set()

    with pytest.raises(ScanCancelled) as info:
        import_files(files, on_page, cancel_event=cancel)
    assert info.value.pages_delivered == 2 == len(pages)


# -- drop folder ---------------------------------------------------------------------------------


def test_drop_folder_imports_oldest_first_and_moves_files(tmp_path: Path):
    drop = tmp_path / "drop"
    drop.mkdir()
    second = write(drop / "b.png", marked_page(2), "PNG")
    first = write(drop / "a_later_name.jpg", marked_page(1), "JPEG")
    bad = bomb_png(drop / "c.png")
    now = time.time()
    os.utime(first, (now - 30, now - 30))
    os.utime(second, (now - 20, now - 20))
    os.utime(bad, (now - 10, now - 10))
    backend = FolderBackend([drop], settle_seconds=1.0)
    assert [d.id for d in backend.list_devices()] == [str(drop)]
    scanner = backend.open(str(drop))
    pages: list[ScannedPage] = []
    result = scanner.scan_batch(ScanOptions(), pages.append)
    assert [bars(p.image) for p in pages] == [1, 2]
    assert result.files == 2 and [e.reason for e in result.refused] == ["too_many_pixels"]
    assert sorted(p.name for p in (drop / "imported").iterdir()) == ["a_later_name.jpg", "b.png"]
    assert (drop / "refused" / "c.png").exists()
    reason = (drop / "refused" / "c.png.reason.txt").read_text("utf-8")
    assert "解压炸弹" in reason
    assert [p for p in drop.iterdir() if p.is_file()] == []


def test_file_still_being_written_waits(tmp_path: Path):
    write(tmp_path / "fresh.png", marked_page(1), "PNG")
    scanner = FolderBackend([tmp_path], settle_seconds=60).open(str(tmp_path))
    pages: list[ScannedPage] = []
    assert scanner.scan_batch(ScanOptions(), pages.append).pages == 0
    assert (tmp_path / "fresh.png").exists()


def test_missing_drop_folder(tmp_path: Path):
    backend = FolderBackend([tmp_path / "nowhere"])
    assert backend.list_devices() == []
    with pytest.raises(DeviceGone):
        backend.open(str(tmp_path / "nowhere"))


def test_folder_watch_picks_up_new_files(tmp_path: Path):
    scanner = FolderBackend([tmp_path], settle_seconds=0).open(str(tmp_path))
    pages: list[ScannedPage] = []
    got = threading.Event()
    threads: set[str] = set()

    def on_page(page: ScannedPage) -> None:
        threads.add(threading.current_thread().name)
        pages.append(page)
        got.set()

    watch = FolderWatch(scanner, ScanOptions(), on_page, interval=0.05).start()
    try:
        temp = tmp_path / ".incoming.png"  # hidden while being written, then renamed
        marked_page(3).save(temp, "PNG")
        temp.rename(tmp_path / "scan.png")
        assert got.wait(10)
    finally:
        watch.stop()
    assert [bars(p.image) for p in pages] == [3]
    assert threads == {"folder-watch"}
