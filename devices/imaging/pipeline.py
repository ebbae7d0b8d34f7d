"""From a raw scanned or imported page to the bytes we store: orient, crop, deskew, blank check, encode.

Analysis runs on a copy reduced to about 100 dpi (fast, and noise-tolerant); the corrections are then
applied once to the full-resolution page. Presets by content:

- ``text``: bilevel, CCITT Group 4 TIFF (what fax and archive scanners use; img2pdf embeds it as is),
- ``gray_text``: four gray levels in a 2-bit PNG, paper whitened: keeps the anti-aliased edges that
  make small print legible, at a third of the size of a JPEG of the same dense text page,
- ``mixed``: grayscale JPEG with the paper whitened, quality lowered step by step to a byte budget,
- ``colour``: colour JPEG, only when asked (ID photos, stamps where the colour matters),
- ``auto``: by content: ``text`` for a page that is already bilevel, ``mixed`` when it holds
  pictures (photo-like tiles), else ``gray_text``. Never colour.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np
from PIL import Image, ImageOps

from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits, check_pixels

ANALYSIS_DPI = 100


class Preset(str, Enum):
    AUTO = "auto"
    TEXT = "text"
    GRAY_TEXT = "gray_text"
    MIXED = "mixed"
    COLOUR = "colour"


@dataclass(frozen=True)
class PipelineSettings:
    auto_orient: bool = True  # EXIF orientation, and 90/180/270 from the text layout
    crop_borders: bool = True  # cut the dark scanner background around the sheet
    deskew: bool = True
    max_skew_degrees: float = 10.0
    # A page is blank when fewer than this fraction of its 4 mm tiles carry ink (after despeckling).
    blank_ink_ratio: float = 0.002
    jpeg_budget_bytes: int = 150_000  # mixed preset: lower the quality until the page fits
    jpeg_quality: int = 70
    jpeg_min_quality: int = 25  # still legible at 200 dpi after whitening (see docs)
    colour_quality: int = 75
    thumbnail_px: int = 240  # long side of the thumbnail
    limits: ImageLimits = field(default_factory=ImageLimits)


@dataclass(frozen=True)
class PageAnalysis:
    rotation: int  # clockwise quarter turns applied, in degrees: 0, 90, 180, 270
    rotation_confident: bool
    skew_degrees: float  # the page was rotated counter-clockwise by this much; we undid it
    crop_box: tuple[int, int, int, int]
    ink_ratio: float  # fraction of inked tiles
    blank: bool
    content: str  # "bilevel" | "text" | "pictures"


@dataclass(frozen=True)
class ProcessedPage:
    data: bytes
    mime: str
    preset: Preset
    width: int
    height: int
    dpi: int
    analysis: PageAnalysis
    thumbnail: bytes  # PNG
    image: Image.Image  # the corrected page before encoding (for the viewer); not stored

    @property
    def blank(self) -> bool:
        return self.analysis.blank


class PagePipeline:
    """Stateless and thread-safe: one instance may serve several scan threads."""

    def __init__(self, settings: PipelineSettings | None = None) -> None:
        self.settings = settings or PipelineSettings()

    # -- public -----------------------------------------------------------------------------
    def process(self, image: Image.Image, dpi: int | None = None, preset: Preset | str = Preset.AUTO) -> ProcessedPage:
        preset = Preset(preset)
        check_pixels(image.size, self.settings.limits, "page")
        dpi = plausible_dpi(image.size, int(dpi or _image_dpi(image) or 200))
        if self.settings.auto_orient:
            image = _exif_transpose(image)
        colour = preset is Preset.COLOUR
        page = _to_mode(image, "RGB" if colour else "L")
        gray = page if page.mode == "L" else page.convert("L")
        analysis = self.analyse(gray, dpi)
        page = self._apply(page, analysis, dpi)
        if preset is Preset.AUTO:
            preset = {"bilevel": Preset.TEXT, "text": Preset.GRAY_TEXT}.get(analysis.content, Preset.MIXED)
        data, mime = self.encode(page, dpi, preset)
        return ProcessedPage(
            data=data,
            mime=mime,
            preset=preset,
            width=page.width,
            height=page.height,
            dpi=dpi,
            analysis=analysis,
            thumbnail=self.thumbnail(page),
            image=page,
        )

    def analyse(self, gray: Image.Image, dpi: int) -> PageAnalysis:
        """Measure what to correct, on a ~100 dpi copy of the grayscale page."""
        s = self.settings
        factor = max(1.0, dpi / ANALYSIS_DPI)
        small = gray.reduce(int(factor)) if factor >= 2 else gray.copy()
        scale = gray.width / small.width
        arr = np.asarray(small, dtype=np.uint8)
        crop = _dark_border_box(arr) if s.crop_borders else (0, 0, arr.shape[1], arr.shape[0])
        arr = arr[crop[1] : crop[3], crop[0] : crop[2]]
        crop_full = tuple(int(round(v * scale)) for v in crop)
        crop_full = (crop_full[0], crop_full[1], min(crop_full[2], gray.width), min(crop_full[3], gray.height))

        ink = _ink_mask(arr)
        rotation, confident, skew = 0, True, 0.0
        ys, xs = np.nonzero(ink)
        if len(ys) > 200:
            if len(ys) > 150_000:  # plenty for a projection profile; keeps deskew ~20 ms
                pick = np.random.default_rng(0).choice(len(ys), 150_000, replace=False)
                ys, xs = ys[pick], xs[pick]
            if s.auto_orient:
                rotation, confident, ys, xs = _text_orientation(ys, xs, ink.shape)
            if s.deskew:
                skew = _skew_angle(ys, xs, s.max_skew_degrees)
        ink_ratio, pictures, paper = _ink_tiles(arr)
        hist = gray.histogram()
        mids = sum(hist[30:226]) / max(1, gray.width * gray.height)
        content = "pictures" if pictures else "bilevel" if mids < 0.005 else "text"
        return PageAnalysis(
            rotation=rotation,
            rotation_confident=confident,
            skew_degrees=skew,
            crop_box=crop_full,
            ink_ratio=ink_ratio,
            # A dark sheet (no paper-white background) is content, never blank.
            blank=ink_ratio < s.blank_ink_ratio and paper >= 160,
            content=content,
        )

    def encode(self, page: Image.Image, dpi: int, preset: Preset) -> tuple[bytes, str]:
        s = self.settings
        out = io.BytesIO()
        if preset is Preset.TEXT:
            bilevel = binarize(page if page.mode == "L" else page.convert("L"))
            bilevel.save(out, "TIFF", compression="group4", dpi=(dpi, dpi))
            return out.getvalue(), "image/tiff"
        if preset is Preset.GRAY_TEXT:
            gray = whiten_paper(page if page.mode == "L" else page.convert("L"))
            # Four levels 0/85/170/255 as a 2-bit palette PNG (img2pdf embeds PNG without
            # re-encoding); uniform levels keep the strokes' anti-aliasing.
            quantised = gray.point([min(3, v // 64) for v in range(256)])
            paletted = quantised.convert("P")
            paletted.putpalette([c for level in range(4) for c in (level * 85,) * 3] + [0] * 756)
            # zlib level 6: 5 % larger than level 9 on a dense page, eight times faster.
            paletted.save(out, "PNG", compress_level=6, bits=2, dpi=(dpi, dpi))
            return out.getvalue(), "image/png"
        if preset is Preset.COLOUR:
            rgb = page if page.mode == "RGB" else page.convert("RGB")
            rgb.save(out, "JPEG", quality=s.colour_quality, dpi=(dpi, dpi), optimize=True, subsampling="4:2:0")
            return out.getvalue(), "image/jpeg"
        gray = whiten_paper(page if page.mode == "L" else page.convert("L"))
        # Walk down the quality ladder with quick encodes; the chosen one is encoded once more
        # with optimised Huffman tables (a few % smaller).
        ladder = [q for q in (s.jpeg_quality, 60, 50, 40, 30) if s.jpeg_min_quality < q <= s.jpeg_quality]
        chosen = s.jpeg_min_quality
        for quality in ladder:
            probe = io.BytesIO()
            gray.save(probe, "JPEG", quality=quality)
            if probe.tell() <= s.jpeg_budget_bytes:
                chosen = quality
                break
        gray.save(out, "JPEG", quality=chosen, dpi=(dpi, dpi), optimize=True)
        return out.getvalue(), "image/jpeg"

    def thumbnail(self, page: Image.Image) -> bytes:
        thumb = page.copy()
        # reduce() first: a box-filtered integer reduction keeps thin strokes visible in the thumb.
        factor = max(1, max(thumb.size) // (self.settings.thumbnail_px * 2))
        if factor > 1:
            thumb = thumb.reduce(factor)
        thumb.thumbnail((self.settings.thumbnail_px, self.settings.thumbnail_px), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        thumb.save(out, "PNG", optimize=True)
        return out.getvalue()

    # -- steps ------------------------------------------------------------------------------
    def _apply(self, page: Image.Image, analysis: PageAnalysis, dpi: int) -> Image.Image:
        if analysis.crop_box != (0, 0, page.width, page.height):
            page = page.crop(analysis.crop_box)
        if analysis.rotation:
            page = page.transpose(
                {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}[
                    analysis.rotation
                ]
            )
        if abs(analysis.skew_degrees) >= 0.1:
            level = _paper_level(page)
            fill: int | tuple[int, int, int] = (level, level, level) if page.mode == "RGB" else level
            # Rotating by the negative of the measured skew straightens the lines. Bilinear: at
            # 200 dpi it is indistinguishable from bicubic on text and twice as fast.
            page = page.rotate(-analysis.skew_degrees, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=fill)
        page.info["dpi"] = (dpi, dpi)
        return page

    def with_settings(self, **changes: object) -> "PagePipeline":
        return PagePipeline(replace(self.settings, **changes))  # type: ignore[arg-type]


# -- helpers (module level so bench and tests can call them) -------------------------------------


def plausible_dpi(size: tuple[int, int], dpi: int) -> int:
    """The dpi, unless it makes the sheet larger than A3 (a phone photo says 72 dpi whatever it
    shows): then assume the picture is an A4 document filling the frame, long side 297 mm."""
    if max(size) / max(dpi, 1) > 16.6:  # 420 mm, the long side of A3
        return max(50, round(max(size) / (297 / 25.4)))
    return dpi


def _image_dpi(image: Image.Image) -> int | None:
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 1200 else None


def _exif_transpose(image: Image.Image) -> Image.Image:
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block must not refuse an otherwise fine photo
        return image
    if exif.get(0x0112, 1) in (None, 1):
        return image
    transposed = ImageOps.exif_transpose(image)
    return transposed if transposed is not None else image


def _to_mode(image: Image.Image, mode: str) -> Image.Image:
    if image.mode == mode:
        return image.copy()
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        image = Image.fromarray(np.clip(arr * (255.0 / peak), 0, 255).astype(np.uint8), "L")
    elif image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba).convert("RGB")
    elif image.mode not in ("L", "RGB", "1", "P", "CMYK", "YCbCr"):
        raise ImageRefused("unsupported", "page", detail=f"image mode {image.mode}")
    return image.convert(mode)


def otsu_threshold(hist: np.ndarray) -> int:
    hist = hist.astype(np.float64)  # the squared sums overflow int64 on a full page
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256, dtype=np.float64)
    weight_bg = np.cumsum(hist)
    weight_fg = total - weight_bg
    cum_mean = np.cumsum(hist * levels)
    mean_all = cum_mean[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * weight_bg - total * cum_mean) ** 2 / (weight_bg * weight_fg)
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def _paper_level(page: Image.Image) -> int:
    gray = page if page.mode == "L" else page.convert("L")
    hist = np.asarray(gray.reduce(4).histogram()[:256], dtype=np.int64)
    # The brightest large mass is the paper: the 90th percentile of the pixel values.
    cum = np.cumsum(hist)
    return int(np.searchsorted(cum, cum[-1] * 0.9))


def _ink_mask(arr: np.ndarray) -> np.ndarray:
    """Dark marks on paper, for orientation and skew: Otsu, but never above paper minus 40."""
    hist = np.bincount(arr.ravel(), minlength=256)
    cum = np.cumsum(hist)
    paper = int(np.searchsorted(cum, cum[-1] * 0.9))
    threshold = min(otsu_threshold(hist), paper - 40)
    return arr < threshold


def _dark_border_box(arr: np.ndarray) -> tuple[int, int, int, int]:
    """The sheet inside a dark scanner background: strip edge rows/columns that are mostly dark."""
    height, width = arr.shape
    dark = arr < 70
    row_dark = dark.mean(axis=1) > 0.8
    col_dark = dark.mean(axis=0) > 0.8

    def run(flags: np.ndarray) -> int:
        n = 0
        while n < len(flags) and flags[n]:
            n += 1
        return n

    top, bottom = run(row_dark), height - run(row_dark[::-1])
    left, right = run(col_dark), width - run(col_dark[::-1])
    # An all-dark page (a black sheet, a photo) is content, not border: keep it whole.
    if bottom - top < height * 0.5 or right - left < width * 0.5:
        return (0, 0, width, height)
    return (left, top, right, bottom)


def _profile_score(coords: np.ndarray) -> float:
    counts = np.bincount(coords - coords.min())
    return float(np.dot(counts, counts))


def _skew_angle(ys: np.ndarray, xs: np.ndarray, max_degrees: float) -> float:
    """Projection-profile deskew: the angle at which ink rows are sharpest (sum of squared counts).

    A page rotated counter-clockwise by θ (PIL's ``rotate(θ)``) has lines y = c - x·tanθ, so
    projecting on y + x·tanθ makes them collapse; we search θ coarse then fine.
    """
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - xs.mean()

    def score(deg: float) -> float:
        return _profile_score(np.round(ys + xs * math.tan(math.radians(deg))).astype(np.int64))

    coarse = np.arange(-max_degrees, max_degrees + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    best = max(fine, key=score)
    return round(float(best), 2)


def _text_orientation(
    ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int]
) -> tuple[int, bool, np.ndarray, np.ndarray]:
    """Quarter-turn orientation of a text page: (clockwise degrees to apply, confident, ys, xs).

    Horizontal text lines make the row profile much sharper than the column profile (blank
    leading between lines, no such gaps between characters), so a page turned by 90° shows it in
    the columns. Up or down is then told by line alignment: paragraphs start at the left margin
    while short last lines end anywhere, so the ragged side is the right one on an upright page.
    The returned coordinates are those of the page after the rotation.
    """
    height, width = shape
    original = (ys, xs)
    rows = _best_small_angle_score(ys, xs)
    cols = _best_small_angle_score(xs, ys)
    turned = cols > rows * 1.15
    confident = max(rows, cols) > min(rows, cols) * 1.15
    # Coordinates after turning the page upright-ish (clockwise 90: (y, x) -> (x, H-1-y)).
    if turned:
        ys, xs = xs.copy(), (height - 1 - ys)
        width, height = height, width
    upside_down, sure, lines = _upside_down(ys, xs, width)
    if lines < 4:
        # Too few lines to call it text (a logo, a stamp, a photo): leave the page as it is.
        return 0, False, original[0], original[1]
    if upside_down:
        ys, xs = (height - 1 - ys), (width - 1 - xs)
    rotation = (90 if turned else 0) + (180 if upside_down else 0)
    if not (confident and sure):
        # Only turn a page when both cues agree clearly; a wrong turn is worse than none.
        return 0, False, original[0], original[1]
    return rotation, True, ys, xs


def _best_small_angle_score(ys: np.ndarray, xs: np.ndarray) -> float:
    xs_c = xs.astype(np.float64) - xs.mean()
    best = 0.0
    for deg in (-6, -3, -1.5, 0, 1.5, 3, 6):
        proj = np.round(ys + xs_c * math.tan(math.radians(deg))).astype(np.int64)
        best = max(best, _profile_score(proj))
    return best / (len(ys) ** 2)


def _upside_down(ys: np.ndarray, xs: np.ndarray, width: int) -> tuple[bool, bool, int]:
    """(aligned on the right rather than the left, sure, number of text lines measured)."""
    # Straighten roughly first, so lines separate cleanly.
    angle = math.radians(_skew_angle(ys, xs, 10.0))
    # Undo the skew on the points (a clockwise turn by the measured angle, y pointing down), so
    # that the margins become vertical and line ends can be compared.
    dx, dy = xs - xs.mean(), ys - ys.mean()
    xs = dx * math.cos(angle) - dy * math.sin(angle)
    xs = xs - xs.min()
    proj = np.round(dx * math.sin(angle) + dy * math.cos(angle)).astype(np.int64)
    proj -= proj.min()
    counts = np.bincount(proj)
    on = counts > max(2, counts.max() * 0.02)
    lines: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(on):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            lines.append((start, i))
            start = None
    if start is not None:
        lines.append((start, len(on)))
    order = np.argsort(proj)
    sorted_proj = proj[order]
    lefts, rights = [], []
    for a, b in lines:
        if b - a < 3:
            continue
        lo, hi = np.searchsorted(sorted_proj, a), np.searchsorted(sorted_proj, b)
        line_xs = xs[order[lo:hi]]
        if len(line_xs) < 20:
            continue
        lefts.append(np.percentile(line_xs, 1))
        rights.append(np.percentile(line_xs, 99))
    if len(lefts) < 4:
        return False, False, len(lefts)
    tol = width * 0.012
    lefts_a, rights_a = np.array(lefts), np.array(rights)
    left_margin, right_margin = np.percentile(lefts_a, 10), np.percentile(rights_a, 90)
    left_aligned = int(np.sum(np.abs(lefts_a - left_margin) <= tol))
    right_aligned = int(np.sum(np.abs(rights_a - right_margin) <= tol))
    # Ragged = spread of the line ends that miss the margin.
    ragged_left = float(np.mean(np.abs(lefts_a - left_margin)))
    ragged_right = float(np.mean(np.abs(rights_a - right_margin)))
    if right_aligned > left_aligned and ragged_left > ragged_right * 1.5:
        return True, ragged_left > ragged_right * 2.5, len(lefts)
    return False, ragged_right > ragged_left * 2.5 or left_aligned > right_aligned, len(lefts)


def _ink_tiles(arr: np.ndarray) -> tuple[float, bool, int]:
    """(fraction of 4 mm tiles with marks, whether the page holds pictures, paper level), on the
    ~100 dpi copy."""
    height, width = arr.shape
    # Ignore a 4 % frame: edge shadows and punched holes are not content.
    my, mx = int(height * 0.04), int(width * 0.04)
    inner = arr[my : height - my, mx : width - mx]
    if inner.size == 0:
        return 0.0, False, 255
    clean = inner.astype(np.int16)
    paper = int(np.median(clean))
    marks = _despeckle(np.abs(clean - paper) > 60)
    tile = 16
    th, tw = clean.shape[0] // tile, clean.shape[1] // tile
    if th == 0 or tw == 0:
        return float(marks.mean()), False, paper
    tiles = marks[: th * tile, : tw * tile].reshape(th, tile, tw, tile).sum(axis=(1, 3))
    ratio = float(np.mean(tiles >= 6))
    # Picture tiles: almost no paper-coloured pixels and not solid black. Text tiles keep paper
    # between strokes and lines even when dense.
    blocks = clean[: th * tile, : tw * tile].reshape(th, tile, tw, tile)
    paper_frac = (np.abs(blocks - paper) <= 25).mean(axis=(1, 3))
    dark_frac = (blocks < 40).mean(axis=(1, 3))
    picture_tiles = float(np.mean((paper_frac < 0.15) & (dark_frac < 0.5)))
    pictures = paper < 160 or picture_tiles >= 0.01
    return ratio, pictures, paper


def _despeckle(marks: np.ndarray) -> np.ndarray:
    """Drop marks with fewer than two marked neighbours: dust and sensor noise, not strokes.

    (A 3x3 median filter does much the same but costs ~70 ms on a page; this is ~5 ms.)
    """
    padded = np.pad(marks, 1).astype(np.uint8)
    h, w = marks.shape
    neighbours = sum(
        padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx
    )
    return marks & (neighbours >= 2)


def binarize(gray: Image.Image) -> Image.Image:
    """Black text on white: Otsu threshold, clamped so faint paper never turns black."""
    hist = np.asarray(gray.histogram()[:256], dtype=np.int64)
    cum = np.cumsum(hist)
    paper = int(np.searchsorted(cum, cum[-1] * 0.9))
    threshold = min(otsu_threshold(hist), paper - 30)
    threshold = max(threshold, 40)
    return gray.point(lambda v: 255 if v >= threshold else 0, mode="1")


def whiten_paper(gray: Image.Image) -> Image.Image:
    """Stretch levels so the paper is pure white and ink stays dark: flat white costs no bytes.

    Only for pages that have paper: when no sharp bright peak holds 40 % of the pixels (a photo),
    the page is returned unchanged.
    """
    hist = np.asarray(gray.reduce(2).histogram()[:256], dtype=np.int64)
    total = int(hist.sum())
    if total == 0:
        return gray
    # Paper is a sharp bright peak: +-10 levels around the brightest mode hold 40 % of the page.
    window = np.convolve(hist, np.ones(21, dtype=np.int64), mode="same")
    paper = 128 + int(np.argmax(window[128:]))
    if window[paper] < total * 0.4:
        return gray
    cum = np.cumsum(hist)
    black = int(np.searchsorted(cum, total * 0.002))
    paper = max(paper - 20, black + 40)
    span = max(1, paper - black)
    lut = [0 if v <= black else 255 if v >= paper else int((v - black) * 255 / span) for v in range(256)]
    return gray.point(lut)
