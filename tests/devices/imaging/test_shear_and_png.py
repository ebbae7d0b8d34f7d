"""The cheap paths of the text pipeline: deskew by whole-pixel shears (no resampling) and the 2-bit
gray_text PNG written directly — same pixels as Pillow would write, straight lines after deskew."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from devices.imaging.pipeline import GRAY4_PALETTE, PagePipeline, Preset, gray_png, shear_rotate
from devices.scanners.simulated import render_sample_page


@pytest.mark.parametrize("width", [1654, 1653, 1651, 7])
def test_gray_png_is_the_image_pixel_for_pixel(width):
    rng = np.random.default_rng(width)
    levels = Image.fromarray(rng.integers(0, 4, (37, width), dtype=np.uint8))
    levels.putpalette(GRAY4_PALETTE)
    data = gray_png(levels, 200)
    back = Image.open(io.BytesIO(data))
    back.load()
    assert back.mode == "P" and back.size == levels.size
    assert np.array_equal(np.asarray(back), np.asarray(levels))
    assert back.info["dpi"][0] == pytest.approx(200, abs=0.01)
    assert sorted(set(np.asarray(back.convert("L")).ravel())) <= [0, 85, 170, 255]


@pytest.mark.parametrize("degrees", [0.6, 1.5, -4.0, 9.0])
def test_shear_rotation_matches_a_resampled_rotation(degrees):
    page = render_sample_page(dpi=100, seed=3)
    sheared = np.asarray(shear_rotate(page, degrees, 255), dtype=np.int16)
    rotated = np.asarray(page.rotate(degrees, resample=Image.BILINEAR, fillcolor=255), dtype=np.int16)
    wrong_way = np.asarray(page.rotate(-degrees, resample=Image.BILINEAR, fillcolor=255), dtype=np.int16)
    assert sheared.shape == rotated.shape
    diff = float(np.abs(sheared - rotated).mean())
    assert diff < 8 and diff < float(np.abs(sheared - wrong_way).mean()) / 2


def test_shearing_keeps_a_bilevel_page_bilevel_and_colour_works():
    page = render_sample_page(dpi=100, seed=4).point(lambda v: 255 if v > 128 else 0)
    assert sorted(set(np.asarray(shear_rotate(page, 3.0, 255)).ravel())) == [0, 255]
    colour = shear_rotate(page.convert("RGB"), 3.0, (250, 250, 250))
    assert colour.mode == "RGB" and colour.size == page.size


@pytest.mark.parametrize("angle", [1.5, -6.0])
def test_a_skewed_text_page_comes_out_straight_through_the_shear_path(angle):
    pipeline = PagePipeline()
    page = render_sample_page(dpi=200, seed=7).rotate(angle, resample=Image.BICUBIC, fillcolor=250)
    result = pipeline.process(page, 200, Preset.AUTO)
    assert result.preset is Preset.GRAY_TEXT and result.analysis.skew_degrees == pytest.approx(angle, abs=0.1)
    again = pipeline.analyse(Image.open(io.BytesIO(result.data)).convert("L"), 200)
    assert abs(again.skew_degrees) <= 0.1
    assert (result.width, result.height) == page.size


@pytest.mark.parametrize(("seed", "angle"), [(3, -9.7), (3, 7.9), (4, -9.7)])
def test_a_page_skewed_by_8_to_10_degrees_is_not_turned_a_quarter(seed, angle):
    """The rows-against-columns cue scored angles up to ±6° only; these pages were turned by 90°."""
    from tests.devices.imaging.test_pipeline import scanner_like

    page = render_sample_page(dpi=200, seed=seed).rotate(angle, resample=Image.BICUBIC, fillcolor=250)
    analysis = PagePipeline().analyse(scanner_like(page, seed=seed), 200)
    assert analysis.rotation == 0 and analysis.skew_degrees == pytest.approx(angle, abs=0.1)
