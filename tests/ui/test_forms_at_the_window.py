"""样表 at the window (issue 17): Ctrl+B on a checklist line shows its sample (filled-in example),
else its blank form; a line without either says so. The form's file is read and its pages rendered off
the GUI thread (issue 13)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from testsupport.gui_io import pdf_render_threads
from testsupport.ui import ScriptedPrompts, open_window, settle


def test_ctrl_b_shows_the_sample_then_the_blank_form(qtbot, demo_ctx, translations, monkeypatch):
    rendered_on = pdf_render_threads(monkeypatch)
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(0)  # 个体工商户登记（备案）申请书: a sample and a blank form
    qtbot.keyClick(page.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page)  # read and rendered off the GUI thread
    dialog = page.form_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.windowTitle() == "预览：样表：个体工商户登记（备案）申请书"
    assert rendered_on == [False]  # PDFium ran on a worker, not on the GUI thread
    assert len(dialog.pages) == 1 and not dialog.pages[0].isNull()
    customer = window.customer_window  # the applicant sees the sample while the clerk explains it
    assert customer.stack.currentWidget() is customer.sample_page
    assert customer.sample_title.text() == "样表：个体工商户登记（备案）申请书"
    assert not customer.sample_image.pixmap().isNull()
    dialog.close()
    assert customer.stack.currentWidget() is customer.checklist_page

    page.prompts = ScriptedPrompts()
    page.table.selectRow(1)  # 经营者身份证明: an ID card, no form
    page.show_form()
    assert page.prompts.errors == ["该材料没有样表或空白表"]


def test_a_line_with_only_a_blank_form_shows_it(qtbot, demo_ctx, translations):
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    page = window.pages["intake"]
    window.show_page("intake")
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("高龄津贴")
    page.picker.pick_current()
    settle(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(0)
    page.show_form()
    settle(qtbot, page)
    assert page.prompts.errors == [] and page.form_dialog.windowTitle().startswith("预览：空白表：")
    page.form_dialog.close()


def test_print_from_the_preview_prints_the_blank_form_at_once(qtbot, demo_ctx, translations):
    """The preview of a line's sample has 打印: the applicant gets the blank form to fill in, printed
    at once (not queued for the case), audited as a direct print."""
    from pathlib import Path

    import pypdfium2 as pdfium

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    qtbot.keyClick(window, Qt.Key.Key_F2)
    page = window.pages["intake"]
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page)
    dialog = page.form_dialog
    qtbot.addWidget(dialog)
    folder = Path(demo_ctx.settings.resolved_data_dir())
    before = set(folder.rglob("*.pdf"))
    dialog.print_button.click()

    def direct_prints() -> list:
        return [e for e in demo_ctx.auditor.events(page.actor) if e.action == "print.direct"]

    # the print's audit entry is written when the printer has it (the file may be created before it is
    # complete: read it only then)
    qtbot.waitUntil(lambda: bool(direct_prints()), timeout=10000)
    settle(qtbot, page)
    [printed] = set(folder.rglob("*.pdf")) - before
    doc = pdfium.PdfDocument(printed.read_bytes())
    try:
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    assert "样表" not in text  # the blank form, not the filled-in sample shown
    events = direct_prints()
    assert events and events[0].detail["kind"] == "form" and "空白表" in events[0].detail["document"]
    assert demo_ctx.printing.pending() == [] or all(j.kind.value != "form" for j in demo_ctx.printing.pending())


def test_a_damaged_or_missing_form_file_is_said_in_chinese(qtbot, demo_ctx, translations, tmp_path, monkeypatch):
    """A catalogue's form file that is not a PDF (or is gone): one error dialog in the clerk's words, no
    preview, the desk keeps working — read and rendered off the GUI thread, so nothing froze."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from clerk_app.intake_desk import LineForms

    window = open_window(qtbot, demo_ctx, translations, "clerk")
    page = window.pages["intake"]
    window.show_page("intake")
    page.prompts = ScriptedPrompts()
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    settle(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(0)
    broken = tmp_path / "申请书样表.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not a PDF at all")
    for path in (broken, tmp_path / "gone.pdf"):
        forms = LineForms("个体工商户登记（备案）申请书", path, True, path, True)
        monkeypatch.setattr("ui.intake.page.line_forms", lambda *_a, f=forms: f)
        qtbot.keyClick(page.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
        settle(qtbot, page)
        boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorDialog" and w.isVisible()]
        assert len(boxes) == 1 and not hasattr(page, "form_dialog"), (path, page.prompts.errors)
        text = boxes[0].text()  # Chinese, naming the file the catalogue gave (not an internal name)
        assert path.name in text and "preview" not in text, text
        assert ("已损坏" in text) if path is broken else text == f"未找到：{path.name}"
        boxes[0].done(QMessageBox.StandardButton.Ok)
        qtbot.waitUntil(lambda b=boxes[0]: not b.isVisible(), timeout=3000)
        window.activateWindow()  # what the window manager does when the box closes (offscreen has none)
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
        page.table.setFocus()
    assert page.table.model().rowCount() > 0  # the checklist is still there
