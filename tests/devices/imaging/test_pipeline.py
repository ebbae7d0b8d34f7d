"""The page pipeline on generated pages: CJK text rendered with a real font, then rotated, skewed,
blurred and noised the way a scanner would; blank pages with noise; photos."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from devices.imaging.errors import ImageRefused
from devices.imaging.limits import ImageLimits
from devices.imaging.pipeline import PagePipeline, PipelineSettings, Preset
from devices.scanners.simulated import CJK_FONTS, cjk_font, render_sample_page

DPI = 200
A4 = (1654, 2339)


@pytest.fixture(scope="module")
def page() -> Image.Image:
    assert any(__import__("pathlib").Path(p).exists() for p in CJK_FONTS), (
        "no CJK font: install fonts-wqy-microhei (deps/apt-scanners.txt)"
    )
    return render_sample_page(dpi=DPI, seed=7)


@pytest.fixture(scope="module")
def scanned(page) -> Image.Image:
    return scanner_like(page)


@pytest.fixture(scope="module")
def page100() -> Image.Image:
    """The same kind of page at 100 dpi: the analysis runs at ~100 dpi anyway, so orientation and
    skew are measured exactly as on a 200 dpi scan, at a quarter of the test time."""
    return render_sample_page(dpi=100, seed=7)


@pytest.fixture(scope="module")
def pipeline() -> PagePipeline:
    return PagePipeline()


def scanner_like(image: Image.Image, seed: int = 0, sigma: float = 4.0, blur: float = 0.8) -> Image.Image:
    """Optics blur plus sensor noise, as a 200 dpi office scanner produces."""
    rng = np.random.default_rng(seed)
    blurred = np.asarray(image.filter(ImageFilter.GaussianBlur(blur)), dtype=np.float64)
    noisy = blurred + rng.normal(0, sigma, blurred.shape)
    result = Image.fromarray(noisy.clip(0, 255).astype(np.uint8))
    result.info["dpi"] = (DPI, DPI)
    return result


def blank_page(seed: int, specks: int = 400) -> Image.Image:
    """An empty sheet as scanned: paper tone, sensor noise, dust specks, a faint edge shadow and
    two punched holes in the margin."""
    rng = np.random.default_rng(seed)
    arr = rng.normal(246, 5, (A4[1], A4[0]))
    ys, xs = rng.integers(0, A4[1], specks), rng.integers(0, A4[0], specks)
    arr[ys, xs] = rng.integers(0, 120, specks)  # single-pixel dust
    arr[:, :12] -= 40  # shadow along the binding edge
    image = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for cy in (900, 1440):
        draw.ellipse((30, cy - 25, 80, cy + 25), fill=30)
    return image


def photo(size: tuple[int, int], seed: int = 3) -> Image.Image:
    rng = np.random.default_rng(seed)
    small = rng.normal(128, 60, (size[1] // 40, size[0] // 40)).clip(0, 255).astype(np.uint8)
    return Image.fromarray(small).resize(size, Image.BICUBIC)


# -- orientation and skew ------------------------------------------------------------------------


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_quarter_turns_are_detected(page100, pipeline, turned):
    image = page100.rotate(turned, expand=True, fillcolor=250) if turned else page100
    analysis = pipeline.analyse(scanner_like(image, seed=turned, blur=0.4), 100)
    # PIL rotates counter-clockwise; the pipeline applies the clockwise turn that undoes it.
    assert analysis.rotation == turned
    assert analysis.rotation_confident


@pytest.mark.parametrize("angle", [-7.0, -3.3, -1.0, 0.6, 2.5, 4.4, 8.0])
def test_skew_is_measured_within_a_tenth_of_a_degree(page100, pipeline, angle):
    skewed = page100.rotate(angle, resample=Image.BICUBIC, fillcolor=250)
    analysis = pipeline.analyse(scanner_like(skewed, seed=abs(int(angle * 10)), blur=0.4), 100)
    assert analysis.skew_degrees == pytest.approx(angle, abs=0.1)
    assert analysis.rotation == 0


@pytest.mark.parametrize(("turned", "angle"), [(90, 3.0), (180, -2.0), (270, 5.5)])
def test_turned_and_skewed(page100, pipeline, turned, angle):
    image = page100.rotate(turned, expand=True, fillcolor=250).rotate(angle, resample=Image.BICUBIC, fillcolor=250)
    analysis = pipeline.analyse(scanner_like(image, blur=0.4), 100)
    assert analysis.rotation == turned
    assert analysis.skew_degrees == pytest.approx(angle, abs=0.15)


def test_processed_page_is_upright_and_straight(page, pipeline):
    image = scanner_like(page.rotate(180).rotate(3.0, resample=Image.BICUBIC, fillcolor=250))
    result = pipeline.process(image, DPI, Preset.GRAY_TEXT)
    assert result.analysis.rotation == 180
    again = pipeline.analyse(Image.open(io.BytesIO(result.data)).convert("L"), DPI)
    assert again.rotation == 0 and abs(again.skew_degrees) <= 0.1
    # Same size as the sheet: deskew rotates in place, paper-coloured corners.
    assert (result.width, result.height) == A4


def test_exif_orientation_is_applied(pipeline):
    image = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(image).rectangle((10, 10, 100, 50), fill=0)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    loaded = Image.open(io.BytesIO(out.getvalue()))
    result = pipeline.with_settings(deskew=False).process(loaded, 100, Preset.MIXED)
    assert (result.width, result.height) == (200, 400)


def test_dark_scanner_background_is_cropped(page, pipeline):
    canvas = Image.new("L", (A4[0] + 120, A4[1] + 160), 15)
    canvas.paste(page, (60, 80))
    result = pipeline.process(scanner_like(canvas), DPI, Preset.TEXT)
    assert abs(result.width - A4[0]) <= 6 and abs(result.height - A4[1]) <= 6


def test_a_black_sheet_is_not_cropped_away(pipeline):
    black = Image.new("L", (800, 1100), 10)
    result = pipeline.process(black, 100, Preset.AUTO)
    assert (result.width, result.height) == (800, 1100)
    assert not result.blank


# -- blank pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blank_pages_with_noise_are_flagged(pipeline, seed):
    assert pipeline.analyse(blank_page(seed), DPI).blank


def test_a_single_short_line_is_not_blank(pipeline):
    image = blank_page(4)
    ImageDraw.Draw(image).text((400, 1200), "见背面", font=cjk_font(29), fill=20)
    analysis = pipeline.analyse(image, DPI)
    assert not analysis.blank
    assert analysis.ink_ratio > 0


def test_blank_threshold_is_configurable(page, scanned, pipeline):
    never = pipeline.with_settings(blank_ink_ratio=0.0)
    assert not never.analyse(blank_page(5), DPI).blank
    everything = pipeline.with_settings(blank_ink_ratio=0.99)
    assert everything.analyse(scanned, DPI).blank


def test_text_pages_are_not_blank(page, scanned, pipeline):
    assert not pipeline.analyse(scanned, DPI).blank


# -- presets and sizes ---------------------------------------------------------------------------


def ink_agreement(stored: bytes, original: Image.Image) -> float:
    """Intersection over union of the ink of the stored page and the clean original."""
    decoded = np.asarray(Image.open(io.BytesIO(stored)).convert("L")) < 128
    truth = np.asarray(original) < 128
    return float((decoded & truth).sum() / (decoded | truth).sum())


def test_a4_200dpi_grayscale_text_page_fits_150_kb_and_stays_legible(page, scanned, pipeline):
    result = pipeline.process(scanned, DPI, Preset.AUTO)
    assert result.preset is Preset.GRAY_TEXT and result.mime == "image/png"
    assert len(result.data) <= 150_000
    decoded = Image.open(io.BytesIO(result.data))
    assert decoded.mode == "P" and len(decoded.getcolors()) <= 4  # four gray levels
    assert ink_agreement(result.data, page) > 0.8


def test_bilevel_preset_is_ccitt_g4(page, scanned, pipeline):
    result = pipeline.process(scanned, DPI, Preset.TEXT)
    assert result.mime == "image/tiff"
    decoded = Image.open(io.BytesIO(result.data))
    assert decoded.mode == "1" and decoded.info["compression"] == "group4"
    assert len(result.data) <= 60_000
    assert ink_agreement(result.data, page) > 0.7


def test_already_bilevel_page_goes_to_the_bilevel_preset(page, pipeline):
    bilevel = page.point(lambda v: 0 if v < 128 else 255)
    assert pipeline.process(bilevel, DPI, Preset.AUTO).preset is Preset.TEXT


def test_mixed_page_with_photo_is_grayscale_jpeg_within_budget(page, pipeline):
    mixed = page.copy()
    mixed.paste(photo((900, 700)), (350, 900))
    result = pipeline.process(scanner_like(mixed), DPI, Preset.AUTO)
    assert result.preset is Preset.MIXED and result.mime == "image/jpeg"
    assert len(result.data) <= 150_000
    assert Image.open(io.BytesIO(result.data)).mode == "L"


def test_full_page_photo_is_mixed_and_the_photo_is_not_whitened(pipeline):
    image = photo(A4)
    result = pipeline.process(image, DPI, Preset.AUTO)
    assert result.preset is Preset.MIXED
    decoded = np.asarray(Image.open(io.BytesIO(result.data)), dtype=np.float64)
    assert abs(decoded.mean() - np.asarray(image).mean()) < 6


def test_colour_only_when_asked(pipeline):
    image = render_sample_page(dpi=100, mode="RGB", seed=2)
    assert pipeline.process(image, 100, Preset.AUTO).image.mode == "L"
    result = pipeline.process(image, 100, Preset.COLOUR)
    assert result.mime == "image/jpeg" and Image.open(io.BytesIO(result.data)).mode == "RGB"


def test_stored_dpi_is_kept(page, pipeline):
    result = pipeline.process(page, DPI, Preset.MIXED)
    assert round(Image.open(io.BytesIO(result.data)).info["dpi"][0]) == DPI


def test_thumbnail(page, pipeline):
    result = pipeline.process(page, DPI, Preset.TEXT)
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "PNG" and max(thumb.size) == 240
    # Still a page of text: the lines are darker than the margins.
    arr = np.asarray(thumb.convert("L"), dtype=np.float64)
    assert arr[60:300].mean() < arr[:, :10].mean() - 5


@pytest.mark.parametrize("mode", ["1", "P", "RGBA", "LA", "I;16", "CMYK"])
def test_input_modes(pipeline, mode):
    base = Image.new("L", (300, 400), 240)
    ImageDraw.Draw(base).rectangle((20, 20, 200, 40), fill=10)
    if mode == "I;16":
        image = Image.fromarray(np.asarray(base, dtype=np.uint16) * 257)
    else:
        image = base.convert(mode)
    result = pipeline.process(image, 100, Preset.AUTO)
    assert result.width == 300 and result.height == 400


def test_pixel_limit(pipeline):
    small_limits = pipeline.with_settings(limits=ImageLimits(max_pixels=10_000))
    with pytest.raises(ImageRefused) as info:
        small_limits.process(Image.new("L", (200, 200), 255), 100)
    assert info.value.reason == "too_many_pixels"


def test_pipeline_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PipelineSettings().deskew = False  # type: ignore[misc]


def test_phone_photo_dpi_is_made_plausible(pipeline):
    """A 3000 x 4000 photo tagged 72 dpi would be a 1.4 m page in the line PDF."""
    image = Image.new("L", (3000, 4000), 240)
    ImageDraw.Draw(image).rectangle((300, 300, 2000, 400), fill=20)
    image.info["dpi"] = (72, 72)
    result = pipeline.process(image, None, Preset.TEXT)
    assert result.dpi == round(4000 / (297 / 25.4))
    assert pipeline.process(Image.new("L", (1654, 2339), 255), 200, Preset.TEXT).dpi == 200


def test_a_photo_is_not_turned(pipeline):
    image = Image.open(io.BytesIO(_photo_jpeg()))
    analysis = pipeline.analyse(image.convert("L"), 100)
    assert analysis.rotation == 0


def _photo_jpeg() -> bytes:
    out = io.BytesIO()
    photo((827, 1169), seed=9).save(out, "JPEG")
    return out.getvalue()
