"""What the scanning panel shows and allows, without Qt: the lines and the chosen line's pages, the
page actions and the row selected after them, the buttons a state allows, the status line after a
batch, the source and profile names in the clerk's language."""

from __future__ import annotations

from clerk_app import i18n, scan_desk
from clerk_app.errors import ClerkAppError
from clerk_app.scan_session import ScanOutcome
from tests.core.test_scan_session import draft, png


def filed(world, clerk, cid, line, count: int) -> list[int]:
    return [
        world.ctx.pages.add(clerk, cid, line, png(i), "image/png", width=10, height=14, blank=i == 2).id
        for i in range(count)
    ]


def test_the_desk_reads_the_lines_and_the_chosen_lines_pages(world):
    clerk, cid, line = draft(world)
    ids = filed(world, clerk, cid, line, 3)
    desk = scan_desk.read_desk(world.ctx.cases, world.ctx.pages, clerk, cid, None)
    assert desk.line_code == line  # nothing asked: the first line
    assert desk.lines[0][1] == line and desk.lines[0][0].endswith("(3)")
    assert [(page.id, data) for page, data in desk.pages] == [(ids[i], png(i)) for i in range(3)]
    assert [scan_desk.caption(page) for page, _ in desk.pages] == ["1", "2", "3 · 空白？"]
    other = desk.lines[1][1]
    assert scan_desk.read_desk(world.ctx.cases, world.ctx.pages, clerk, cid, other).pages == []
    gone = scan_desk.read_desk(world.ctx.cases, world.ctx.pages, clerk, cid, "NO-SUCH-LINE", images=False)
    assert gone.line_code == line and gone.pages is None  # counts only


def test_page_actions_and_the_row_selected_after_them(world):
    clerk, cid, line = draft(world)
    first, second, third = filed(world, clerk, cid, line, 3)
    pages = world.ctx.pages
    assert scan_desk.edit_page(pages, clerk, third, 2, "move", -1) == 1
    assert [p.id for p in pages.pages(cid, line)] == [first, third, second]
    assert scan_desk.edit_page(pages, clerk, first, 0, "move", -1) == 0  # already the first
    assert scan_desk.edit_page(pages, clerk, third, 1, "rotate") == 1
    assert pages.pages(cid, line)[1].rotation == 90
    assert scan_desk.edit_page(pages, clerk, first, 0, "delete") == 0
    assert [p.id for p in pages.pages(cid, line)] == [third, second]


def test_controls():
    scanning = scan_desk.controls(scanning=True, scanner_open=True, line_chosen=True)
    assert (scanning.scan, scanning.import_files, scanning.cancel, scanning.edit_pages) == (False, False, True, False)
    no_scanner = scan_desk.controls(scanning=False, scanner_open=False, line_chosen=True)
    assert not no_scanner.scan and not no_scanner.rescan and no_scanner.import_files and no_scanner.edit_pages
    no_line = scan_desk.controls(scanning=False, scanner_open=True, line_chosen=False)
    assert not no_line.scan and not no_line.import_files and not no_line.cancel


def outcome(**kw) -> ScanOutcome:
    values = {"filed": 3, "dropped_blank": 0, "ignored": 0, "cancelled": False, "error": None, "rescan": False}
    return ScanOutcome(**{**values, **kw})


def test_the_status_line_after_a_batch():
    assert scan_desk.outcome_text(outcome()) == "已扫描 3 页"
    assert scan_desk.outcome_text(outcome(cancelled=True, filed=2)) == "已取消，已保存 2 页"
    refused = ClerkAppError(detail="test")
    assert scan_desk.outcome_text(outcome(refused=(refused, refused))) == (
        f"已扫描 3 页；2 个文件未导入：{refused.user_message()}"
    )
    failed = ClerkAppError(detail="jam")
    assert scan_desk.outcome_text(outcome(error=failed)) == failed.user_message()


def test_names_follow_the_language():
    assert scan_desk.choices(scan_desk.SOURCES, ["adf"]) == [("自动进纸器", "adf")]
    i18n.set_language("en")
    try:
        assert [key for _, key in scan_desk.choices(scan_desk.PROFILES)][0] == "auto"
        assert scan_desk.choices(scan_desk.PROFILES)[0][0] == "Automatic"
    finally:
        i18n.set_language("zh_CN")
