"""The station's settings (issue 17, the admin's screens): every option with its Chinese name and
explanation (clerk_app.settings_labels), edited with a field that fits its type (a tick, a list of the
allowed values, a number within its range, text), checked one by one before anything is saved, then
validated as a whole, saved atomically and audited by the core (clerk_app.settings_service). Changes
take effect when the program starts again."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app import settings_labels
from clerk_app.errors import ClerkAppError
from clerk_app.settings import Settings, bounds_of, choices_of, problem_of
from clerk_app.settings_service import change_settings
from ui.admin.catalogue_panel import ERROR_STYLE, OK_STYLE
from ui.admin.common import table

if TYPE_CHECKING:
    from ui.pages import PageHost

BAD = QColor("#f8d7da")


class SettingsPanel(QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx, self.actor = host.ctx, host.actor
        self.current: Settings = host.ctx.settings
        self.path = None  # the settings file the program reads (CLERK_APP_SETTINGS or the user's config)
        self.names = [f.name for f in fields(Settings)]
        self.editors: dict[str, QWidget] = {}

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = table("settingsTable", 3)
        self.table.setRowCount(len(self.names))
        for row, name in enumerate(self.names):
            editor = self._editor(name)
            editor.setObjectName(f"setting_{name}")
            self.editors[name] = editor
            self.table.setCellWidget(row, 1, editor)
        self.result = QLabel()
        self.result.setObjectName("settingsResult")
        self.result.setWordWrap(True)
        self.result.hide()
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton()
        self.revert_button.setObjectName("revertSettings")
        self.revert_button.clicked.connect(self.revert)
        self.save_action = QAction(self)
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.result)
        layout.addLayout(bar)
        self.retranslate()
        self.revert()

    # -- editors ---------------------------------------------------------------------------------
    def _editor(self, name: str) -> QWidget:
        default = Settings.__dataclass_fields__[name].default
        if isinstance(default, bool):
            return QCheckBox()
        choices = choices_of(name)
        if choices is not None:
            combo = QComboBox()
            for value in choices:
                combo.addItem(settings_labels.value_label(name, value), value)
            return combo
        if isinstance(default, int):
            spin = QSpinBox()
            lo, hi = bounds_of(name) or (0, 2_000_000_000)
            spin.setRange(lo, hi)
            return spin
        return QLineEdit()

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def set_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            index = editor.findData(value)
            if index < 0:  # a value the file holds but the list lacks: keep it visible
                editor.addItem(str(value), value)
                index = editor.count() - 1
            editor.setCurrentIndex(index)
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        else:
            assert isinstance(editor, QLineEdit)
            editor.setText(str(value))

    def changes(self) -> dict[str, Any]:
        return {n: self.value(n) for n in self.names if self.value(n) != getattr(self.current, n)}

    # -- actions ---------------------------------------------------------------------------------
    def revert(self) -> None:
        for name in self.names:
            self.set_value(name, getattr(self.current, name))
        self._mark(set())

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self._say(self.tr("Nothing was changed."))
            return
        bad = {name for name, value in changes.items() if problem_of(name, value) is not None}
        self._mark(bad)
        if bad:
            lines = [
                self.tr("%1: not a valid value (%2)")
                .replace("%1", settings_labels.label(n))
                .replace("%2", settings_labels.explanation(n))
                for n in self.names
                if n in bad
            ]
            self._say(self.tr("Not saved; nothing was changed:") + "\n" + "\n".join(lines), error=True)
            return
        try:
            self.current = change_settings(self.actor, self.ctx.auditor, self.current, changes, self.path)
        except ClerkAppError as exc:
            self._say(exc.user_message(), error=True)
            return
        except OSError:
            self._say(self.tr("The settings file could not be written; nothing was changed."), error=True)
            return
        names = "、".join(settings_labels.label(n) for n in self.names if n in changes)
        self._say(self.tr("Saved: %1. The changes take effect when the program is started again.").replace("%1", names))

    def _mark(self, bad: set[str]) -> None:
        for row, name in enumerate(self.names):
            for col in (0, 2):
                item = self.table.item(row, col)
                if item is not None:
                    item.setData(Qt.ItemDataRole.BackgroundRole, BAD if name in bad else None)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.result.show()
        self.host.show_status(text.replace("\n", " "), 8000)

    # -- language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "The settings of this station. Each value is checked before it is saved; a saved change is "
                "recorded in the audit trail and takes effect when the program is started again."
            )
        )
        self.table.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Value"), self.tr("Explanation")])
        for row, name in enumerate(self.names):
            label = QTableWidgetItem(settings_labels.label(name))
            label.setToolTip(name)  # the option's name in the settings file
            self.table.setItem(row, 0, label)
            self.table.setItem(row, 2, QTableWidgetItem(settings_labels.explanation(name)))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), 320))
        self.save_button.setText(self.tr("Save (Ctrl+S)"))
        self.revert_button.setText(self.tr("Undo changes"))
        self.save_action.setText(self.tr("Save the settings"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
