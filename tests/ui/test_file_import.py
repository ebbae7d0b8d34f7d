"""Files beside the scanner (issue 17): Ctrl+I picks PDF and image files and files their pages into
the focused line through the same scan session as a scan; a file that cannot be read is named and
adds nothing; the scanner is not needed for it."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from reportlab.pdfgen import canvas

from testsupport.ui import ScriptedPrompts, open_window, settle


def files(tmp_path: Path) -> list[str]:
    image = Image.new("L", (827, 1169), 255)
    ImageDraw.Draw(image).rectangle((100, 100, 700, 300), fill=0)  # not blank: it is kept
    png = tmp_path / "id-front.png"
    image.save(png, dpi=(100, 100))
    pdf = tmp_path / "application.pdf"
    c = canvas.Canvas(str(pdf))
    for i in range(2):
        c.rect(100, 400, 300, 200 + 50 * i, fill=1)
        c.showPage()
    c.save()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    return [str(png), str(pdf), str(broken)]


def test_ctrl_i_imports_files_into_the_focused_line(qtbot, demo_ctx, translations, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(0)
    panel = page.scanning
    assert panel.import_button.text() == "导入文件… (Ctrl+I)" and panel.import_button.isEnabled()
    picked = files(tmp_path)
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (asked.append(a) or picked, "")))
    qtbot.keyClick(page.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert asked, "Ctrl+I did not ask for files"
    qtbot.waitUntil(lambda: panel.job is None and "页" in panel.status.text(), timeout=30_000)
    line = demo_ctx.cases.get(page.actor, page.case_id).lines[0]
    assert line.page_count == 3  # the PNG and both PDF pages; nothing of the broken file
    assert "1 个文件未导入" in panel.status.text() and "3" in panel.status.text()
    assert all(Path(p).exists() for p in picked)  # nothing on disk is moved or changed


def test_a_bilevel_text_page_thumbnail_does_not_crash_the_customer_window(qapp):
    """A text page is stored as TIFF G4; the customer window's thumbnail read it through QImageReader
    over a QBuffer and Qt's TIFF handler crashed the process (found by the import test above)."""
    from devices.imaging.pipeline import PagePipeline, Preset
    from ui.customer.window import _thumbnail

    image = Image.new("L", (827, 1169), 255)
    ImageDraw.Draw(image).rectangle((100, 100, 700, 300), fill=0)
    page = PagePipeline().process(image, 100, Preset.AUTO)
    assert page.mime == "image/tiff"
    thumb = _thumbnail(bytes(page.data), 90)
    assert not thumb.isNull() and thumb.height() == 72 and thumb.width() > thumb.height()  # rotated
