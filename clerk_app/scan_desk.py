"""What the scanning panel shows and allows, decided without Qt (ui/scanning/panel.py only renders it).

- :func:`read_desk` — the case's lines with their page counts, the line the panel files into (the one
  asked for while the case still has it, else the first) and, when asked, that line's pages with
  their image bytes. The panel calls it off the GUI thread (after a page change, in the same call).
- :func:`edit_page` — the page actions (rotate, move up / down, delete): the core write and the row
  that is selected afterwards.
- :func:`controls` — which buttons a state allows; :func:`outcome_text` — the status line after a
  batch; the names of the scan sources and profiles, in the clerk's language (``clerk_app.i18n``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clerk_app import i18n
from clerk_app.cases import CaseService
from clerk_app.pages import PageService, PageView
from clerk_app.roles import Actor
from clerk_app.scan_session import ScanOutcome


def _words(prefix: str, rows: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    return {key: i18n.register(f"{prefix}.{key}", zh, en) for key, zh, en in rows}


SOURCES = _words(
    "scan_source",
    (
        ("flatbed", "平板", "Flatbed"),
        ("adf", "自动进纸器", "Document feeder"),
        ("duplex", "自动进纸器（双面）", "Feeder, both sides"),
    ),
)
PROFILES = _words(
    "scan_profile",
    (
        ("auto", "自动", "Automatic"),
        ("text", "文字（黑白）", "Text (black and white)"),
        ("gray_text", "文字（灰度）", "Text (gray)"),
        ("mixed", "图文混排（含照片）", "Mixed (photos)"),
        ("colour", "彩色", "Colour"),
    ),
)
_WORDS = _words(
    "scan_desk",
    (
        ("scanned", "已扫描 {n} 页", "{n} pages scanned"),
        ("not_imported", "；{n} 个文件未导入：{reason}", "; {n} files not imported: {reason}"),
        ("cancelled", "已取消，已保存 {n} 页", "Cancelled; {n} pages kept"),
        ("blank", "空白？", "blank?"),
    ),
)


def choices(table: dict[str, str], keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(label, key) pairs of ``table`` (``SOURCES`` or ``PROFILES``), for ``keys`` or all of them."""
    return [(i18n.text(table[key]), key) for key in (table if keys is None else keys)]


@dataclass(frozen=True)
class Controls:
    scan: bool
    import_files: bool
    cancel: bool
    edit_pages: bool  # rotate, move, delete
    rescan: bool


def controls(*, scanning: bool, scanner_open: bool, line_chosen: bool) -> Controls:
    """Nothing changes pages while a batch runs (Cancel only); scanning needs an open scanner and a
    line to file into; importing files needs only the line."""
    ready = not scanning and line_chosen
    return Controls(
        scan=ready and scanner_open,
        import_files=ready,
        cancel=scanning,
        edit_pages=not scanning,
        rescan=ready and scanner_open,
    )


def outcome_text(outcome: ScanOutcome) -> str:
    """The status line after a batch: what was kept, why it stopped, which files were refused."""
    if outcome.cancelled:
        return i18n.text(_WORDS["cancelled"], n=outcome.filed)
    if outcome.error is not None:
        return outcome.error.user_message()
    text = i18n.text(_WORDS["scanned"], n=outcome.filed)
    if outcome.refused:  # file import: files that could not be read
        text += i18n.text(_WORDS["not_imported"], n=len(outcome.refused), reason=outcome.refused[0].user_message())
    return text


def caption(page: PageView) -> str:
    """A thumbnail's caption: the page number, and a doubt about a page the pipeline found blank."""
    return str(page.position + 1) + (" · " + i18n.text(_WORDS["blank"]) if page.blank else "")


@dataclass(frozen=True)
class DeskPages:
    lines: list[tuple[str, str]]  # ("name (pages)", line code)
    line_code: str | None  # the line the panel files into
    pages: list[tuple[PageView, bytes]] | None  # that line's pages and image bytes (None: not asked)


def read_desk(
    cases: CaseService, pages: PageService, actor: Actor, case_id: str, line_code: str | None, *, images: bool = True
) -> DeskPages:
    """See the module docstring. Thumbnails are not audited (``PageService.image``)."""
    view = cases.get(actor, case_id)
    codes = [line.code for line in view.lines]
    chosen = line_code if line_code in codes else (codes[0] if codes else None)
    shown = None
    if images:
        shown = [(page, pages.image(actor, page.id)[0]) for page in pages.pages(case_id, chosen)] if chosen else []
    return DeskPages([(f"{line.name} ({line.page_count})", line.code) for line in view.lines], chosen, shown)


def edit_page(pages: PageService, actor: Actor, page_id: int, row: int, action: str, step: int = 0) -> int:
    """``rotate`` (90° clockwise), ``move`` by ``step`` places, or ``delete`` the page at ``row``;
    returns the row to select afterwards (the moved page; else the same place)."""
    if action == "rotate":
        pages.rotate(actor, page_id, 90)
    elif action == "delete":
        pages.delete(actor, page_id)
    else:
        row = max(0, row + step)
        pages.move(actor, page_id, row)
    return row
