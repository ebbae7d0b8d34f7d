"""Where the clerk is in the intake (issue 17): 事项 → 读证 → 材料 → 扫描 → 决定 across the top of the
intake page, the steps done ticked, the current one highlighted with its key. The step comes from the
case on the desk (``clerk_app.intake_desk.current_step``), never from what was clicked."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ui.typed_qt import QT_TRANSLATE_NOOP
from ui.widgets.slim_b import Retranslating, add, label

STEPS = (
    (QT_TRANSLATE_NOOP("StepStrip", "Item"), "Ctrl+N"),
    (QT_TRANSLATE_NOOP("StepStrip", "ID card"), "F6"),
    (QT_TRANSLATE_NOOP("StepStrip", "Materials"), "Ctrl+R"),
    (QT_TRANSLATE_NOOP("StepStrip", "Scan"), "F9"),
    (QT_TRANSLATE_NOOP("StepStrip", "Decide"), "Ctrl+1"),
)
CURRENT = "color: white; background: #0b57d0; border-radius: 10px; padding: 2px 10px; font-weight: bold;"


class StepStrip(Retranslating, QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("stepStrip")
        self.step = 0
        self.labels = [label(name=f"step{i}") for i in range(len(STEPS))]
        arrows = [label("→", style="color: #9aa0a6;") for _ in STEPS[1:]]
        layout = add(QHBoxLayout(self), *[w for pair in zip(self.labels, arrows) for w in pair], self.labels[-1], None)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        self.set_step(0)

    def set_step(self, step: int) -> None:
        self.step = step
        for i, (widget, (name, key)) in enumerate(zip(self.labels, STEPS)):
            text = QCoreApplication.translate("StepStrip", name)
            if i < step:
                widget.setText(f"✓ {text}")
                widget.setStyleSheet("color: #1e7e34; padding: 2px 8px;")
            else:
                widget.setText(f"{i + 1} {text}  {key}" if i == step else f"{i + 1} {text}")
                widget.setStyleSheet(CURRENT if i == step else "color: #5f6368; padding: 2px 8px;")

    def retranslate(self) -> None:
        self.set_step(self.step)
