"""What each decision needs from the clerk: a defect reason, a due date, a rejection reason and
legal basis; and the confirmation that shows the document text the decision produces."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.typed_qt import to_date

DEFECT_REASONS = (
    "未签字或未盖章",
    "复印件不清晰",
    "证件已过期",
    "信息与申请表不一致",
    "材料不完整（缺页）",
    "非原件",
    "格式不符合要求",
)


class ReasonDialog(QDialog):
    """Defect reason: chosen from a list or typed."""

    def __init__(
        self, title: str, prompt: str, choices: tuple[str, ...] = DEFECT_REASONS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.reason = QComboBox()
        self.reason.setObjectName("reasonChoice")
        self.reason.setEditable(True)
        self.reason.addItems(list(choices))
        self.reason.setCurrentText("")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.reason)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.reason.currentText().strip():
            self.accept()

    def value(self) -> str:
        return self.reason.currentText().strip()


WAIVE_REASONS = (
    "申请人无此情形",
    "已通过数据共享获取",
    "申请人自愿不提交（选择性材料）",
)


class CountsDialog(QDialog):
    """份数: how many originals and copies were actually handed in (fewer than required is 份数不足,
    said on the one-time notice). Starts at what is required; Enter accepts."""

    def __init__(self, material: str, originals: int, copies: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Counts received"))
        self.originals = QSpinBox()
        self.originals.setObjectName("originalsReceived")
        self.copies = QSpinBox()
        self.copies.setObjectName("copiesReceived")
        for box, required in ((self.originals, originals), (self.copies, copies)):
            box.setRange(0, 99)
            box.setValue(required)
            box.setSuffix(self.tr(" of %1").replace("%1", str(required)))
        form = QFormLayout()
        form.addRow(QLabel(material))
        form.addRow(self.tr("Originals received"), self.originals)
        form.addRow(self.tr("Copies received"), self.copies)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        (self.originals if originals else self.copies).setFocus()

    def value(self) -> tuple[int, int]:
        return self.originals.value(), self.copies.value()


class DueDateDialog(QDialog):
    def __init__(self, title: str, prompt: str, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.date = QDateEdit()
        self.date.setObjectName("dueDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumDate(QDate(today.year, today.month, today.day).addDays(1))
        self.date.setDate(QDate(today.year, today.month, today.day).addDays(10))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.date)
        layout.addWidget(buttons)

    def value(self) -> dt.date:
        return to_date(self.date.date())


class RejectDialog(QDialog):
    def __init__(self, legal_basis: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reject (不予受理)"))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("rejectReason")
        self.basis = QLineEdit(legal_basis)
        self.basis.setObjectName("rejectBasis")
        form = QFormLayout()
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Legal basis"), self.basis)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.reason.toPlainText().strip():
            self.accept()


class ConfirmDocumentDialog(QDialog):
    """Shows the text of the document the decision will produce before it is committed."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(560, 420)
        view = QPlainTextEdit(text)
        view.setObjectName("documentPreview")
        view.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
