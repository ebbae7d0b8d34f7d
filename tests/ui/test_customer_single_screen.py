"""One screen (issue 17 item 3): the applicant's window opened over the clerk's and covered the scan
panel and the decision buttons. Now it waits hidden on a single screen — nothing of the clerk's window
is covered — still following the desk, and Ctrl+Shift+C shows it (to turn the screen to the
applicant) and hides it again."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from clerk_app.customer_placement import ScreenInfo, choose_placement
from testsupport.ui import open_window

LAPTOP = ScreenInfo("eDP-1", 0, 0, 1366, 768, primary=True)
FACING = ScreenInfo("HDMI-1", 1366, 0, 1280, 800)


def covered(window: QWidget, customer: QWidget) -> list[str]:
    """The clerk's visible widgets that the customer window lies over."""
    if not customer.isVisible():
        return []
    over = customer.frameGeometry()
    out = []
    for w in window.findChildren(QWidget):
        if w.isVisible() and w.isVisibleTo(window) and w.window() is window:
            rect = QRect(w.mapToGlobal(QPoint(0, 0)), w.size())
            if rect.intersects(over):
                out.append(f"{type(w).__name__}({w.objectName()})")
    return out


def test_one_screen_keeps_the_window_hidden_and_two_show_it():
    assert choose_placement([LAPTOP]).shown is False
    assert choose_placement([LAPTOP, FACING]).shown is True
    assert choose_placement([LAPTOP], "eDP-1").shown is False  # named, but it is the clerk's only screen


def test_nothing_of_the_clerks_window_is_covered_on_one_screen(qtbot, demo_ctx, translations):
    assert len(QGuiApplication.screens()) == 1
    window = open_window(qtbot, demo_ctx, translations, "clerk")
    customer = window.customer_window
    qtbot.addWidget(customer)
    page = window.pages["intake"]
    window.show_page("intake")
    page.picker.query.setText("gtgsh")
    page.picker.pick_current()
    qtbot.waitUntil(lambda: customer.case_id == page.case_id)  # it follows the desk while hidden
    assert not customer.isVisible()
    assert covered(window, customer) == []
    assert page.scanning.isVisible() and page.buttons["accept_action"].isVisible()

    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert customer.isVisible()  # shown on demand (the clerk turns the screen to the applicant)
    assert (
        "Ctrl+Shift+C" in window.customer_window_action.text() and "办事群众屏" in window.customer_window_action.text()
    )
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not customer.isVisible() and covered(window, customer) == []
