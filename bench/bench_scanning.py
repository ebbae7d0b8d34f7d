"""Benchmark of the scanning pipeline: milliseconds per A4 200 dpi page and stored KB per preset.

Compared in the same run against a floor: decoding the same page from PNG and encoding it with a
plain ``PIL.Image.save`` (grayscale JPEG quality 75, Pillow's default) — what any image path costs.

    .venv/bin/python bench/bench_scanning.py [--runs 7] [--batch 8] [--sane]

Each row also gives the median CPU time of the process (``time.process_time``, all threads): other
work on a shared machine inflates it much less than the wall-clock time, and its ratio is the work
done against the floor's (threads do not lower it).

``--batch N`` also times N text pages one after another and through ``PipelinedPages`` (two worker
threads), against N floors one after another. The load average is printed before and after: other
work on the machine moves the milliseconds, less the ratios.

``--stages`` prints the median CPU time of each stage of the text page through ``auto`` (where the
time over the floor goes).

``--sane`` also times a real scan of an A4 200 dpi gray page from the SANE test backend (private
config dir, as in the tests).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.imaging.batch import PipelinedPages
from devices.imaging.pipeline import PagePipeline, Preset
from devices.scanners.simulated import render_sample_page

DPI = 200


def scanner_like(image: Image.Image, seed: int = 0) -> Image.Image:
    """Blur and sensor noise as an office scanner gives them (same model as the tests)."""
    rng = np.random.default_rng(seed)
    arr = np.asarray(image.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float64)
    arr = arr + rng.normal(0, 4, arr.shape)
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def photo_page() -> Image.Image:
    page = render_sample_page(dpi=DPI, seed=11)
    rng = np.random.default_rng(5)
    small = rng.normal(128, 60, (700 // 40, 900 // 40)).clip(0, 255).astype(np.uint8)
    page.paste(Image.fromarray(small).resize((900, 700), Image.BICUBIC), (350, 900))
    return page


CPU: list[float] = []  # CPU ms of each run of the last median_ms() call


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    CPU.clear()
    for _ in range(runs):
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sane", action="store_true")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    pages = {
        "text page": scanner_like(
            render_sample_page(dpi=DPI, seed=7).rotate(1.5, resample=Image.BICUBIC, fillcolor=250)
        ),
        "text + photo": scanner_like(photo_page(), seed=1),
    }
    pipeline = PagePipeline()
    print(
        f"A4 at {DPI} dpi grayscale ({pages['text page'].width} x {pages['text page'].height} px), "
        f"median of {args.runs} runs\n"
    )
    print(
        f"{'page':<14} {'preset':<14} {'ms/page':>8} {'x floor':>8} {'CPU ms':>7} {'x floor':>8} "
        f"{'KB':>7} {'x floor':>8}"
    )
    for name, page in pages.items():
        png = io.BytesIO()
        page.save(png, "PNG", compress_level=1)
        encoded = png.getvalue()

        def floor(encoded: bytes = encoded) -> bytes:
            out = io.BytesIO()
            Image.open(io.BytesIO(encoded)).save(out, "JPEG")
            return out.getvalue()

        floor_ms, floor_bytes = median_ms(floor, args.runs)
        floor_cpu = statistics.median(CPU)
        floor_kb = len(floor_bytes) / 1024  # type: ignore[arg-type]
        print(f"{name:<14} {'floor':<14} {floor_ms:8.0f} {1:8.2f} {floor_cpu:7.0f} {1:8.2f} {floor_kb:7.0f} {1:8.2f}")
        for preset in (Preset.AUTO, Preset.TEXT, Preset.GRAY_TEXT, Preset.MIXED):

            def run(preset: Preset = preset, encoded: bytes = encoded) -> object:
                return pipeline.process(Image.open(io.BytesIO(encoded)), DPI, preset)

            ms, result = median_ms(run, args.runs)
            cpu = statistics.median(CPU)
            kb = len(result.data) / 1024  # type: ignore[attr-defined]
            label = preset.value if preset is not Preset.AUTO else f"auto→{result.preset.value}"  # type: ignore[attr-defined]
            print(
                f"{'':<14} {label:<14} {ms:8.0f} {ms / floor_ms:8.2f} {cpu:7.0f} {cpu / floor_cpu:8.2f} "
                f"{kb:7.0f} {kb / floor_kb:8.2f}"
            )
    if args.batch:
        bench_batch(pages["text page"], args.batch, max(3, args.runs // 2))
    if args.stages:
        bench_stages(pages["text page"], args.runs)
    if args.sane:
        bench_sane(args.runs)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def bench_batch(page: Image.Image, n: int, runs: int) -> None:
    png = io.BytesIO()
    page.save(png, "PNG", compress_level=1)
    encoded = png.getvalue()
    pipeline = PagePipeline()

    def floor() -> None:
        for _ in range(n):
            Image.open(io.BytesIO(encoded)).save(io.BytesIO(), "JPEG")

    def one_by_one() -> None:
        for _ in range(n):
            pipeline.process(Image.open(io.BytesIO(encoded)), DPI, Preset.AUTO)

    def pipelined() -> None:
        with PipelinedPages(pipeline, lambda page: None) as batch:
            for _ in range(n):
                batch.submit(Image.open(io.BytesIO(encoded)), DPI, Preset.AUTO)

    floor_ms, _ = median_ms(floor, runs)
    seq_ms, _ = median_ms(one_by_one, runs)
    par_ms, _ = median_ms(pipelined, runs)
    print(f"\nbatch of {n} text pages (auto), median of {runs} runs, ms per page:")
    print(f"  floor (decode + JPEG, one after another) {floor_ms / n:6.0f}")
    print(f"  one after another                        {seq_ms / n:6.0f}   x floor {seq_ms / floor_ms:.2f}")
    print(f"  PipelinedPages (2 workers)               {par_ms / n:6.0f}   x floor {par_ms / floor_ms:.2f}")


def bench_stages(page: Image.Image, runs: int) -> None:
    """The stages of ``PagePipeline.process`` for the text page (``auto`` → gray_text), one by one."""
    from devices.imaging import pipeline as stages_of

    png = io.BytesIO()
    page.save(png, "PNG", compress_level=1)
    encoded = png.getvalue()
    pipeline = PagePipeline()
    gray = Image.open(io.BytesIO(encoded))
    gray.load()
    analysis, small = pipeline._analyse(gray, DPI)
    arr = np.asarray(small)
    ink, _paper = stages_of._ink_mask(arr, small.histogram()[:256])
    ys, xs = np.nonzero(ink)
    step = -(-len(ys) // stages_of.PROFILE_POINTS)
    ys, xs = ys[::step], xs[::step]
    page_out = pipeline._apply(gray.copy(), analysis, DPI, shear=True)
    factor = max(1, int(max(small.size) / (pipeline.settings.thumbnail_px * 1.2)))
    stages = {
        "PNG decode (also in the floor)": lambda: Image.open(io.BytesIO(encoded)).load(),
        "JPEG encode (the rest of the floor)": lambda: gray.save(io.BytesIO(), "JPEG"),
        "whole pipeline after decode": lambda: pipeline.process(gray, DPI, Preset.AUTO),
        "analysis, all of it": lambda: pipeline._analyse(gray, DPI),
        "  reduction to 100 dpi": lambda: gray.reduce(2),
        "  ink mask + ink coordinates": lambda: np.nonzero(stages_of._ink_mask(arr, small.histogram()[:256])[0]),
        "  orientation incl. the skew": lambda: stages_of._text_orientation(ys, xs, ink.shape),
        "  ink tiles (blank, pictures)": lambda: stages_of._ink_tiles(arr),
        "deskew (whole-pixel shears)": lambda: pipeline._apply(gray.copy(), analysis, DPI, shear=True),
        "encode gray_text (LUT + 2-bit PNG)": lambda: pipeline.encode(
            page_out, DPI, Preset.GRAY_TEXT, histogram=small.histogram()
        ),
        "thumbnail": lambda: pipeline._thumbnail_png(
            pipeline._apply(small.reduce(factor), stages_of._scaled(analysis, small.reduce(factor), gray), DPI, 1, True)
        ),
    }
    print(f"\nstages of the text page (auto → gray_text), median CPU ms of {runs} runs:")
    for name, fn in stages.items():
        median_ms(fn, runs)
        print(f"  {name:<40} {statistics.median(CPU):6.1f}")


def bench_sane(runs: int) -> None:
    import re

    from devices.scanners.base import ScanOptions
    from devices.scanners.factory import create_backend

    with tempfile.TemporaryDirectory() as tmp:
        conf = Path("/etc/sane.d/test.conf").read_text()
        (Path(tmp) / "dll.conf").write_text("test\n")
        (Path(tmp) / "test.conf").write_text(re.sub(r"(?m)^geometry_max\s+\S+", "geometry_max 300.0", conf))
        scanner = create_backend("sane", config_dir=tmp).open("test:0")
        scanner.set_device_option("test_picture", "Grid")
        ms, _ = median_ms(lambda: scanner.scan_batch(ScanOptions(dpi=DPI), lambda page: None), runs)
        scanner.close()
    print(f"\nSANE test backend, one A4 {DPI} dpi gray page: {ms:.0f} ms")


if __name__ == "__main__":
    main()
