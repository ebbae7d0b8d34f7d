"""Python's cyclic garbage collector runs on the GUI thread only.

The collector runs in whichever thread happens to allocate when a generation's threshold is passed —
often a worker (the print worker, the sync worker, a ``CoreOp`` on the pool). Garbage cycles that hold
Qt wrappers (a dialog and the lambda connected to its signal, a page and its op callbacks) are then
destroyed on that worker: the C++ destructor of a widget runs off the GUI thread and the process dies.
Seen as a segmentation fault in the print worker (``weakref.__init__`` inside a SQLAlchemy session,
the allocation that started a collection) while the GUI thread waited in a test.

So automatic collection is switched off, and a timer on the GUI thread collects, generation by
generation, when the allocation counts say the collector would have run (the recipe Qt applications
such as Anki and GitFourchette use). Reference counting still frees everything that is not in a cycle
at once; only cycles wait, for at most ``INTERVAL_MS``."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer


class GuiThreadCollector(QObject):
    INTERVAL_MS = 1000

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("guiThreadCollector")
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """Collect what the automatic collector would have collected by now (GUI thread)."""
        count0, count1, count2 = gc.get_count()
        if count0 > self.threshold[0]:
            gc.collect(0)
            if count1 > self.threshold[1]:
                gc.collect(1)
                if count2 > self.threshold[2]:
                    gc.collect(2)


def install(app: QCoreApplication) -> GuiThreadCollector:
    """The application's collector (made once; call it on the GUI thread, after the application)."""
    found = app.findChild(GuiThreadCollector, "guiThreadCollector")
    return found if isinstance(found, GuiThreadCollector) else GuiThreadCollector(app)
