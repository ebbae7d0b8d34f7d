"""Render resources/icons/clerk-app.svg to the PNG sizes of the freedesktop hicolor theme and a
Windows .ico, with Qt's SVG renderer. Run with the project's venv when the SVG changes:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
The PNGs and the .ico are committed (the .deb build does not need Qt to run)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (Qt needs it for painting)
    renderer = QSvgRenderer(str(ICONS / "clerk-app.svg"))
    assert renderer.isValid(), "clerk-app.svg does not parse"
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        image.save(str(ICONS / f"clerk-app-{size}.png"))
    from PIL import Image  # the .ico with several sizes for the Windows bundle

    Image.open(ICONS / "clerk-app-256.png").save(
        ICONS / "clerk-app.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    )
    print("rendered", ", ".join(str(s) for s in SIZES), "and clerk-app.ico in", ICONS)


if __name__ == "__main__":
    main()
