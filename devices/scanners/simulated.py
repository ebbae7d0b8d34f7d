"""A simulated scanner for the demo and UI tests: generated A4 pages of Chinese text.

It behaves like a real one where it matters: a feeder with a number of sheets, per-line progress,
cancel, and faults injected on a given sheet (jam, cover open, device gone). ``render_sample_page`` is
also what the pipeline tests and the benchmark use as a realistic page.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.scanners.base import (
    BatchResult,
    Capabilities,
    ColourMode,
    DeviceInfo,
    PageCallback,
    ProgressCallback,
    ScannedPage,
    Scanner,
    ScannerBackend,
    ScanOptions,
    ScanProgress,
    ScanSource,
    safe_progress,
)
from devices.scanners.errors import CoverOpen, DeviceGone, NoPaper, PaperJammed, ScanCancelled, ScannerError

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)

SAMPLE_TEXT = (
    "申请人承诺所提交的材料真实、合法、有效，复印件与原件一致，如有虚假，愿承担相应的法律责任。"
    "经营范围：日用百货、文具用品、五金交电的零售；预包装食品销售（不含冷藏冷冻食品）。"
    "住所（经营场所）：某某市某某区某某路 128 号 3 层 301 室，邮政编码 100000。"
    "根据《中华人民共和国市场主体登记管理条例》第十九条，登记机关应当对申请材料进行形式审查。"
    "本表一式两份，申请人与登记机关各执一份。联系电话：010-12345678，办理时限：3 个工作日。"
)


@lru_cache(maxsize=16)
def cjk_font(size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size_px, index=0)
    return ImageFont.load_default(size=size_px)


def render_sample_page(
    dpi: int = 200,
    page_number: int = 1,
    seed: int = 0,
    lines: int | None = None,
    mode: str = "L",
    size_mm: tuple[float, float] = (210.0, 297.0),
    font_pt: float = 10.5,
    title: str = "个体工商户登记（备案）申请书",
) -> Image.Image:
    """An A4 page with a title, paragraphs (first line indented, ragged last lines), a table rule,
    and a page number, like a typical form. Deterministic for a given seed."""
    rng = random.Random(seed)
    width = round(size_mm[0] / 25.4 * dpi)
    height = round(size_mm[1] / 25.4 * dpi)
    background = (252, 251, 247) if mode == "RGB" else 250
    ink = (20, 20, 30) if mode == "RGB" else 25
    page = Image.new(mode, (width, height), background)
    draw = ImageDraw.Draw(page)
    px_per_pt = dpi / 72.0
    body = cjk_font(max(6, round(font_pt * px_per_pt)))
    heading = cjk_font(max(8, round(16 * px_per_pt)))
    margin = round(25 / 25.4 * dpi)
    y = margin
    tw = draw.textlength(title, font=heading)
    draw.text(((width - tw) / 2, y), title, font=heading, fill=ink)
    y += round(16 * px_per_pt * 2.2)
    line_height = round(font_pt * px_per_pt * 1.8)
    char_w = draw.textlength("中", font=body)
    per_line = int((width - 2 * margin) // char_w)
    text = SAMPLE_TEXT * 6
    pos = rng.randrange(0, len(SAMPLE_TEXT))
    budget = lines if lines is not None else 10_000
    drawn = 0
    while y + line_height < height - margin - line_height * 2 and drawn < budget:
        # A paragraph: indent two characters, 2-6 lines, last line short.
        n_lines = rng.randint(2, 6)
        for i in range(n_lines):
            if drawn >= budget or y + line_height >= height - margin - line_height * 2:
                break
            indent = 2 if i == 0 else 0
            count = per_line - indent
            if i == n_lines - 1:
                count = rng.randint(max(3, count // 5), max(4, count * 3 // 4))
            chunk = text[pos : pos + count]
            pos = (pos + count) % len(SAMPLE_TEXT)
            draw.text((margin + indent * char_w, y), chunk, font=body, fill=ink)
            y += line_height
            drawn += 1
        y += line_height // 2
    footer = f"第 {page_number} 页"
    fw = draw.textlength(footer, font=body)
    draw.text(((width - fw) / 2, height - margin), footer, font=body, fill=ink)
    page.info["dpi"] = (dpi, dpi)
    return page


@dataclass
class SimulatedFault:
    """Raise ``kind`` ("jammed", "cover_open", "gone", "no_paper") when reading sheet ``at_sheet``."""

    at_sheet: int
    kind: str


class SimulatedBackend(ScannerBackend):
    name = "simulated"

    def __init__(self, sheets: int = 5, line_delay: float = 0.0, fault: SimulatedFault | None = None) -> None:
        self.sheets = sheets
        self.line_delay = line_delay
        self.fault = fault

    def list_devices(self) -> list[DeviceInfo]:
        return [DeviceInfo(id="sim:0", vendor="模拟", model="ADF 扫描仪", kind="virtual device", backend=self.name)]

    def open(self, device_id: str) -> SimulatedScanner:
        if device_id != "sim:0":
            raise DeviceGone(detail=f"no simulated device {device_id!r}")
        return SimulatedScanner(self.list_devices()[0], self)


_FAULTS: dict[str, type[ScannerError]] = {
    "jammed": PaperJammed,
    "cover_open": CoverOpen,
    "gone": DeviceGone,
    "no_paper": NoPaper,
}


class SimulatedScanner(Scanner):
    def __init__(self, info: DeviceInfo, backend: SimulatedBackend) -> None:
        self.info = info
        self._backend = backend

    def capabilities(self) -> Capabilities:
        return Capabilities(
            sources=(ScanSource.FLATBED, ScanSource.ADF, ScanSource.DUPLEX),
            modes=(ColourMode.BILEVEL, ColourMode.GRAY, ColourMode.COLOUR),
            resolutions=(100, 150, 200, 300),
            resolution_range=None,
            max_area_mm=(216.0, 356.0),
        )

    def scan_batch(
        self,
        options: ScanOptions,
        on_page: PageCallback,
        on_progress: ProgressCallback | None = None,
        cancel_event: threading.Event | None = None,
    ) -> BatchResult:
        self.capabilities().check(options)
        cancel_event = cancel_event or threading.Event()
        backend = self._backend
        feeder = options.source is not ScanSource.FLATBED
        sheets = backend.sheets if feeder else 1
        if feeder and sheets == 0:
            raise NoPaper(detail="feeder empty", pages_delivered=0)
        delivered = 0
        for sheet in range(sheets):
            sides = ("front", "back") if options.source is ScanSource.DUPLEX else ("front",)
            for side in sides:
                if options.max_pages is not None and delivered >= options.max_pages:
                    return BatchResult(delivered, options.source)
                if backend.fault is not None and backend.fault.at_sheet == sheet:
                    raise _FAULTS[backend.fault.kind](detail="simulated fault", pages_delivered=delivered)
                for step in range(10):  # ten progress steps per page
                    if cancel_event.is_set():
                        raise ScanCancelled(detail="cancelled", pages_delivered=delivered)
                    if backend.line_delay:
                        time.sleep(backend.line_delay)
                    safe_progress(on_progress, ScanProgress(delivered, step / 10, sheets * len(sides)))
                mode = {"colour": "RGB"}.get(options.mode.value, "L")
                image = render_sample_page(
                    dpi=options.dpi, page_number=delivered + 1, seed=delivered, mode=mode, size_mm=options.page_size_mm
                )
                if side == "back":
                    image = Image.new(mode, image.size, 250 if mode == "L" else (250, 250, 250))
                on_page(ScannedPage(index=delivered, image=image, dpi=options.dpi, source=options.source, side=side))
                delivered += 1
                safe_progress(on_progress, ScanProgress(delivered, 1.0, sheets * len(sides)))
        return BatchResult(delivered, options.source)
