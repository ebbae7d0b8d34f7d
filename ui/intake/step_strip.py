"""Where the clerk is in the intake (issue 17): 事项 → 读证 → 材料 → 扫描 → 决定 across the top of the
intake page, the steps done ticked, the current one highlighted with its key. The step comes from the
case on the desk (``clerk_app.intake_desk.current_step``), never from what was clicked."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from clerk_app.intake_desk import STEPS, step_labels
from ui.widgets.common import Retranslating, add, label

STYLES = {
    "done": "color: #1e7e34; padding: 2px 8px;",
    "current": "color: white; background: #0b57d0; border-radius: 10px; padding: 2px 10px; font-weight: bold;",
    "todo": "color: #5f6368; padding: 2px 8px;",
}


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
        for widget, (text, state) in zip(self.labels, step_labels(step)):
            widget.setText(text)
            widget.setStyleSheet(STYLES[state])

    def retranslate(self) -> None:
        self.set_step(self.step)
