"""Milliseconds to build each printed document (A4 and 80 mm roll), cold and warm, against a floor.

The floor is an empty one-page ReportLab PDF built in the same run, so the ratio says what our
documents cost on top of ReportLab itself on this machine. "Cold" is the first document of a fresh
process (it includes registering the CJK font, ~90 ms); "warm" is the median of the following runs.
Each row also gives the median CPU time of the process (``time.process_time``), which other work on
a shared machine inflates much less than the wall-clock time; the load average is printed.

    .venv/bin/python bench/bench_printing.py [--runs 15]

Figures go to docs/performance.md with the command line and the machine.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.pdfgen.canvas import Canvas

from printing.documents import build_pdf
from printing.model import TEMPLATE_KINDS, DocumentKind, PageLayout
from printing.samples import sample_context


def empty_page() -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


CPU: list[float] = []  # CPU ms of the runs of the last ms() call


def ms(fn, runs: int) -> list[float]:
    times = []
    CPU.clear()
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        CPU.append((time.process_time() - c0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    receipt = sample_context(DocumentKind.RECEIPT, PageLayout.A4)
    t0 = time.perf_counter()
    build_pdf(receipt)  # cold: font registration + first build
    cold = (time.perf_counter() - t0) * 1000

    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    floor = statistics.median(ms(empty_page, args.runs * 3))
    floor_cpu = statistics.median(CPU)
    print(
        f"# printing benchmark — {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, runs={args.runs}"
    )
    print(f"floor (empty ReportLab page): {floor:.2f} ms (CPU {floor_cpu:.2f} ms)")
    print(f"cold first receipt (A4, incl. font registration): {cold:.1f} ms")
    print()
    print("| document | layout | median ms | min ms | × floor | CPU median ms |")
    print("|---|---|---:|---:|---:|---:|")
    for layout in PageLayout:
        for kind in TEMPLATE_KINDS:
            ctx = sample_context(kind, layout)
            build_pdf(ctx)  # warm this kind once
            times = ms(lambda ctx=ctx: build_pdf(ctx), args.runs)
            med = statistics.median(times)
            cpu = statistics.median(CPU)
            print(f"| {kind.title} | {layout.value} | {med:.1f} | {min(times):.1f} | {med / floor:.0f} | {cpu:.1f} |")
    long_notice = sample_context(DocumentKind.ONE_TIME_NOTICE, PageLayout.A4, line_count=60)
    times = ms(lambda: build_pdf(long_notice), max(3, args.runs // 3))
    med = statistics.median(times)
    cpu = statistics.median(CPU)
    print(f"| 一次性告知书, 62 lines (3 pages) | a4 | {med:.1f} | {min(times):.1f} | {med / floor:.0f} | {cpu:.1f} |")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
