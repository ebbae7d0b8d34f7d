"""Garbage cycles are collected on the GUI thread only (ui/collector.py): a cycle that holds a Qt
object, left by the GUI thread, is not destroyed by a worker that allocates a lot, and the GUI
thread's timer collects it."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject

from ui.collector import GuiThreadCollector, install


class _Node:
    collected_on: list[str] = []

    def __init__(self) -> None:
        self.qt = QObject()
        self.me = self  # a cycle: only the cyclic collector frees it

    def __del__(self) -> None:
        _Node.collected_on.append(threading.current_thread().name)


def test_cycles_holding_qt_objects_die_on_the_gui_thread(qtbot, qapp):
    collector = install(qapp)
    assert install(qapp) is collector and isinstance(collector, GuiThreadCollector)
    assert not gc.isenabled()  # automatic collection is off for the whole process
    gc.collect()
    _Node.collected_on.clear()
    _Node()  # garbage now, in a cycle

    kept: list[list[int]] = []

    def allocate() -> None:  # a worker making (and keeping) far more objects than generation 0 allows
        kept.extend([i] for i in range(50 * gc.get_threshold()[0]))

    worker = threading.Thread(target=allocate, name="busy-worker")
    worker.start()
    worker.join()
    assert _Node.collected_on == []  # the worker collected nothing
    qtbot.waitUntil(lambda: _Node.collected_on == ["MainThread"], timeout=5 * GuiThreadCollector.INTERVAL_MS)
    kept.clear()


def test_the_application_installs_it(qapp):
    from ui.app import create_application

    assert create_application() is qapp
    assert qapp.findChildren(GuiThreadCollector) == [install(qapp)]  # one, however often it is asked
