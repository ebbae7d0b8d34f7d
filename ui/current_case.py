"""The case on the clerk's desk right now, as Qt signals: the intake page announces, other views
(customer-facing window, thumbnails, status bar) follow. Emitted on the GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class CurrentCase(QObject):
    opened = Signal(str)  # case id: a case is now on the desk
    changed = Signal(str)  # case id: answers, applicant, lines or pages changed (re-read it)
    decided = Signal(str, str)  # case id, decision value (accept, return_with_notice, ...)
    closed = Signal()  # the desk is empty (next applicant, logout, lock)

    def __init__(self) -> None:
        super().__init__()
        self.case_id: str | None = None

    def open(self, case_id: str) -> None:
        self.case_id = case_id
        self.opened.emit(case_id)

    def touch(self) -> None:
        if self.case_id:
            self.changed.emit(self.case_id)

    def decide(self, decision: str) -> None:
        if self.case_id:
            self.decided.emit(self.case_id, decision)

    def close(self) -> None:
        self.case_id = None
        self.closed.emit()
