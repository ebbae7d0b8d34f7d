"""Intake questions of the chosen item, as plain widgets: yes/no → check box, choice → combo box.
Every change is reported at once (and saved by the page) so the checklist follows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from clerk_app.catalogue.model import ServiceItem
from ui.widgets.common import refill


class QuestionsPanel(QGroupBox):
    answered = Signal(dict)  # {question id: value}

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("questionsPanel")
        self._form = QFormLayout(self)
        self._widgets: dict[str, QWidget] = {}
        self.setTitle(self.tr("Intake questions"))

    def set_item(self, item: ServiceItem | None, answers: dict[str, Any]) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self._widgets.clear()
        if item is None:
            return
        for q in item.questions:
            if q.type == "bool":
                box = QCheckBox(q.text)
                box.setObjectName(f"q_{q.id}")
                box.toggled.connect(lambda value, qid=q.id: self.answered.emit({qid: bool(value)}))
                self._form.addRow(box)
                widget: QWidget = box
            else:
                combo = QComboBox()
                combo.setObjectName(f"q_{q.id}")
                refill(combo, [(self.tr("(please choose)"), None), *((text, value) for value, text in q.choices)])
                combo.currentIndexChanged.connect(
                    lambda _i, qid=q.id, c=combo: self.answered.emit({qid: c.currentData()})
                )
                buddy = QLabel(q.text)
                buddy.setBuddy(combo)
                self._form.addRow(buddy, combo)
                widget = combo
            if q.help:
                widget.setToolTip(q.help)
            self._widgets[q.id] = widget
        self.sync({q.id: answers.get(q.id, q.default) for q in item.questions})

    def sync(self, answers: dict[str, Any]) -> None:
        """Show the stored answers without re-announcing them (after a change made elsewhere)."""
        for qid, widget in self._widgets.items():
            widget.blockSignals(True)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(answers.get(qid)))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(answers.get(qid))))
            widget.blockSignals(False)

    def widget(self, question_id: str) -> QWidget:
        return self._widgets[question_id]

    def first_widget(self) -> QWidget | None:
        return next(iter(self._widgets.values()), None)
