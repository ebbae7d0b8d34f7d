"""Opening untrusted image and PDF files with limits, so a bad file is refused with a reason.

Every check happens before pixels are decoded: the byte size, the format sniffed from the content
(and compared with the name's extension), the pixel count from the header (decompression bombs), the
number of frames or pages. PDF pages are rendered with PDFium (pypdfium2) at the requested dpi.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from devices.imaging.errors import ImageRefused

# Extension -> the formats its content may have.
_EXTENSIONS = {
    ".jpg": {"JPEG"},
    ".jpeg": {"JPEG"},
    ".jpe": {"JPEG"},
    ".png": {"PNG"},
    ".tif": {"TIFF"},
    ".tiff": {"TIFF"},
    ".pdf": {"PDF"},
}
_PIL_FORMATS = {"JPEG", "PNG", "TIFF"}

# PDFium is not thread-safe (pypdfium2 docs, "Thread incompatibility"): one document at a time.
_PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True)
class ImageLimits:
    """Upper bounds for one imported file. Defaults fit A3 at 600 dpi (≈ 70 MP) with room to spare."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_pixels: int = 90_000_000
    max_pages: int = 200
    pdf_dpi: int = 200


def sniff_format(head: bytes) -> str | None:
    """The file format from its first bytes, or None if it is none we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if b"%PDF-" in head[:1024]:
        return "PDF"
    return None


def check_pixels(size: tuple[int, int], limits: ImageLimits, name: str) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageRefused("corrupt", name, detail=f"image size {width}x{height}")
    if width * height > limits.max_pixels:
        raise ImageRefused("too_many_pixels", name, detail=f"{width}x{height} pixels > limit {limits.max_pixels}")


def load_images(
    source: bytes | Path, name: str | None = None, limits: ImageLimits = ImageLimits()
) -> Iterator[Image.Image]:
    """Yield the pages of a JPEG, PNG, (multi-page) TIFF or PDF file as decoded PIL images.

    Raises ImageRefused (reason: corrupt, unsupported, mislabelled, too_large, too_many_pixels,
    too_many_pages, password, empty) before yielding anything when the file as a whole is bad, and
    on the first bad frame otherwise. The caller decides whether earlier frames are kept; the file
    import keeps nothing from a file that fails (it is moved aside whole).
    """
    if isinstance(source, Path):
        name = name or source.name
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise ImageRefused("corrupt", name, detail=f"cannot stat: {exc.strerror}") from exc
        if size > limits.max_file_bytes:
            raise ImageRefused("too_large", name, detail=f"{size} bytes > {limits.max_file_bytes}")
        data = source.read_bytes()
    else:
        data = source
        name = name or "upload"
    if len(data) > limits.max_file_bytes:
        raise ImageRefused("too_large", name, detail=f"{len(data)} bytes > {limits.max_file_bytes}")
    if not data:
        raise ImageRefused("empty", name, detail="zero bytes")
    fmt = sniff_format(data[:1024])
    suffix = Path(name).suffix.lower()
    if fmt is None:
        raise ImageRefused("unsupported", name, detail=f"unknown content, extension {suffix!r}")
    if suffix and suffix in _EXTENSIONS and fmt not in _EXTENSIONS[suffix]:
        raise ImageRefused("mislabelled", name, detail=f"content is {fmt}, extension {suffix}")
    if suffix and suffix not in _EXTENSIONS:
        raise ImageRefused("unsupported", name, detail=f"extension {suffix}")
    if fmt == "PDF":
        yield from _pdf_pages(data, name, limits)
    else:
        yield from _raster_frames(data, name, limits)


def _raster_frames(data: bytes, name: str, limits: ImageLimits) -> Iterator[Image.Image]:
    with warnings.catch_warnings():
        # Pillow warns (and above 2x its limit raises) on huge images; we enforce our own limit
        # first and treat its warning as a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            reason = "too_many_pixels" if "ecompression" in type(exc).__name__ else "corrupt"
            raise ImageRefused(reason, name, detail=type(exc).__name__) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageRefused("corrupt", name, detail=f"{type(exc).__name__}: {exc}") from exc
        with image:
            if image.format not in _PIL_FORMATS:
                raise ImageRefused("unsupported", name, detail=f"Pillow format {image.format}")
            n_frames = getattr(image, "n_frames", 1)
            if n_frames > limits.max_pages:
                raise ImageRefused("too_many_pages", name, detail=f"{n_frames} frames")
            # All frame headers first: a bomb in frame 7 refuses the file before frame 1 is decoded.
            for frame in ImageSequence.Iterator(image):
                check_pixels(frame.size, limits, name)
            for index in range(n_frames):
                image.seek(index)
                check_pixels(image.size, limits, name)
                try:
                    image.load()
                    page = image.copy()
                except (
                    OSError,
                    SyntaxError,
                    ValueError,
                    Image.DecompressionBombWarning,
                    Image.DecompressionBombError,
                ) as exc:
                    raise ImageRefused("corrupt", name, detail=f"frame {index}: {type(exc).__name__}: {exc}") from exc
                dpi = image.info.get("dpi")
                if dpi:
                    page.info["dpi"] = dpi
                if "exif" in image.info:
                    page.info["exif"] = image.info["exif"]
                yield page


def preload_pdf_reader() -> None:
    """Import the PDF reader now, on the calling (GUI) thread. Its first import on a worker thread
    while PySide6 is loaded crashed the process (shiboken's import hook, seen as a segfault in
    inspect.getsource): a file import or watched folder calls this where it is created."""
    try:
        import pypdfium2  # noqa: F401 - imported for its side effect (loaded once, here)
    except ImportError:  # pragma: no cover - a declared dependency; refused per file later
        pass


def _pdf_pages(data: bytes, name: str, limits: ImageLimits) -> Iterator[Image.Image]:
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImageRefused("unsupported", name, detail="pypdfium2 is not installed") from exc
    scale = limits.pdf_dpi / 72.0
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            code = getattr(exc, "err_code", None)
            reason = "password" if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY) else "corrupt"
            raise ImageRefused(reason, name, detail=str(exc)) from exc
    try:
        with _PDFIUM_LOCK:
            count = len(document)
            if count == 0:
                raise ImageRefused("empty", name, detail="PDF with no pages")
            if count > limits.max_pages:
                raise ImageRefused("too_many_pages", name, detail=f"{count} pages")
            for index in range(count):
                page = document[index]
                width_pt, height_pt = page.get_size()
                page.close()
                check_pixels((round(width_pt * scale), round(height_pt * scale)), limits, name)
        for index in range(count):
            # One page at a time, the lock held only while PDFium works (not across the yield).
            with _PDFIUM_LOCK:
                page = document[index]
                try:
                    bitmap = page.render(scale=scale, may_draw_forms=True)
                    image = bitmap.to_pil().convert("RGB")
                    bitmap.close()
                except pdfium.PdfiumError as exc:
                    raise ImageRefused("corrupt", name, detail=f"page {index}: {exc}") from exc
                finally:
                    page.close()
            image.info["dpi"] = (limits.pdf_dpi, limits.pdf_dpi)
            yield image
    finally:
        with _PDFIUM_LOCK:
            document.close()
