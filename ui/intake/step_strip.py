"""Where the clerk is in the intake (issue 17): 事项 → 读证 → 材料 → 扫描 → 决定 across the top of the
intake page, the steps done ticked, the current one highlighted with its key. The step comes from
the case on the desk (``current_step``, a pure function of the case view), never from what was
clicked, so a case opened from the queue or after a crash shows where it really stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from clerk_app.lifecycle import CaseStatus, LineStatus
from ui.typed_qt import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from clerk_app.cases import CaseView

STEPS = (
    (QT_TRANSLATE_NOOP("StepStrip", "Item"), "Ctrl+N"),
    (QT_TRANSLATE_NOOP("StepStrip", "ID card"), "F6"),
    (QT_TRANSLATE_NOOP("StepStrip", "Materials"), "Ctrl+R"),
    (QT_TRANSLATE_NOOP("StepStrip", "Scan"), "F9"),
    (QT_TRANSLATE_NOOP("StepStrip", "Decide"), "Ctrl+1"),
)
DONE = len(STEPS)  # every step done: the case is decided


def current_step(view: CaseView | None) -> int:
    """0 事项 (no case) · 1 读证 (no applicant) · 2 材料 (a required material neither received nor
    deferred) · 3 扫描 (nothing scanned yet) · 4 决定 · 5 decided."""
    if view is None:
        return 0
    if view.status not in (CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW):
        return DONE
    if view.applicant is None:
        return 1
    owed = (LineStatus.PENDING, LineStatus.DEFECTIVE)
    if any(line.necessity == "required" and line.status in owed for line in view.lines):
        return 2
    if not any(line.page_count for line in view.lines):
        return 3
    return 4


class StepStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepStrip")
        self.step = 0
        self.labels: list[QLabel] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        for i in range(len(STEPS)):
            if i:
                arrow = QLabel("→")
                arrow.setStyleSheet("color: #9aa0a6;")
                layout.addWidget(arrow)
            label = QLabel()
            label.setObjectName(f"step{i}")
            self.labels.append(label)
            layout.addWidget(label)
        layout.addStretch(1)
        self.set_step(0)

    def set_step(self, step: int) -> None:
        self.step = step
        for i, (label, (name, key)) in enumerate(zip(self.labels, STEPS)):
            text = QCoreApplication.translate("StepStrip", name)
            if i < step:
                label.setText(f"✓ {text}")
                label.setStyleSheet("color: #1e7e34; padding: 2px 8px;")
            elif i == step:
                label.setText(f"{i + 1} {text}  {key}")
                label.setStyleSheet(
                    "color: white; background: #0b57d0; border-radius: 10px; padding: 2px 10px; font-weight: bold;"
                )
            else:
                label.setText(f"{i + 1} {text}")
                label.setStyleSheet("color: #5f6368; padding: 2px 8px;")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.set_step(self.step)
        super().changeEvent(event)
