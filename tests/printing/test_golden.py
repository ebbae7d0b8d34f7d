"""Golden images: page 1 of every document in both layouts, rendered by pdftoppm, compared with tolerance.

A layout regression (a moved block, a lost table, a wrong page size) shows as a failure here. After an
intended change, regenerate and look at the images before committing them:

    .venv/bin/python -m tests.printing.test_golden --update
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from printing.documents import build_pdf
from printing.model import TEMPLATE_KINDS, DocumentKind, PageLayout
from printing.samples import sample_context

from .conftest import render_page

GOLDEN = Path(__file__).with_name("golden")
DPI = 40  # enough to see layout, small enough to commit
MAX_MEAN_DIFF = 1.5  # mean absolute grey-level difference (0..255)
MAX_CHANGED_SHARE = 0.005  # share of pixels differing by more than 64 grey levels

CASES = [(k, lay) for lay in PageLayout for k in TEMPLATE_KINDS]


def render(kind: DocumentKind, layout: PageLayout, workdir: Path) -> Image.Image:
    pdf = workdir / f"{kind.value}-{layout.value}.pdf"
    pdf.write_bytes(build_pdf(sample_context(kind, layout, reprint=kind is DocumentKind.RECEIPT)))
    png = render_page(pdf, workdir / f"{kind.value}-{layout.value}", dpi=DPI, gray=True)
    with Image.open(png) as image:
        return image.convert("L")


@pytest.mark.parametrize("kind,layout", CASES, ids=[f"{k.value}-{lay.value}" for k, lay in CASES])
def test_page_one_matches_the_golden_image(kind: DocumentKind, layout: PageLayout, tmp_path: Path) -> None:
    golden_path = GOLDEN / f"{kind.value}-{layout.value}.png"
    assert golden_path.exists(), f"no golden image {golden_path.name}; run this module with --update"
    actual = render(kind, layout, tmp_path)
    with Image.open(golden_path) as golden_file:
        golden = golden_file.convert("L")
    assert actual.size == golden.size, f"page size changed: {actual.size} != {golden.size}"
    diff = ImageChops.difference(actual, golden)
    histogram = diff.histogram()
    pixels = actual.width * actual.height
    mean = sum(level * count for level, count in enumerate(histogram)) / pixels
    changed = sum(histogram[65:]) / pixels
    if mean > MAX_MEAN_DIFF or changed > MAX_CHANGED_SHARE:
        actual.save(tmp_path / "actual.png")
        diff.point(lambda v: 255 - v).save(tmp_path / "diff.png")
        pytest.fail(
            f"{golden_path.name}: mean diff {mean:.2f}, changed {changed:.2%}; see {tmp_path}/actual.png and diff.png"
        )


def update() -> None:
    GOLDEN.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for kind, layout in CASES:
            target = GOLDEN / f"{kind.value}-{layout.value}.png"
            render(kind, layout, Path(tmp)).save(target, optimize=True)
            print("wrote", target)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()
