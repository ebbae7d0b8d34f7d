"""Small things from a clerk's day (issue 17): glyphs the hall's fonts have."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from clerk_app.item_search import ItemIndex
from ui.intake.item_picker import ItemPicker


def test_recent_item_marker_is_a_glyph_the_font_has(qtbot, demo_ctx, qapp):
    catalogue = demo_ctx.catalogue.active()
    code = next(iter(catalogue.items))
    picker = ItemPicker(ItemIndex(catalogue), [code])
    qtbot.addWidget(picker)
    picker.query.clear()
    picker.refresh()
    texts = [picker.results.item(i).text() for i in range(picker.results.count())]
    marked = [t for t in texts if t.startswith("★")]
    assert texts and texts[0].startswith("★ ")  # the recent item first, marked
    metrics = QFontMetrics(picker.results.font())
    assert metrics.inFontUcs4(ord(texts[0][0])), "the marker would show as a box"
    assert len(marked) == 1
