"""The station's settings (issue 17, the admin's screens): every option with its Chinese name and
explanation (clerk_app.settings_labels), edited with a field that fits its type (a tick, a list of the
allowed values, a number within its range, text), checked one by one before anything is saved
(clerk_app.settings_service.invalid_options), then validated as a whole, saved atomically and audited
by the core off the GUI thread (CoreOp). Changes take effect when the program starts again."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app import settings_labels
from clerk_app.settings import Settings, bounds_of, choices_of
from clerk_app.settings_service import change_settings, invalid_options
from ui.operations import CoreOp, error_text
from ui.widgets.common import MARKED, ResultLine, Retranslating, add, arg, button, label, shortcut, table

if TYPE_CHECKING:
    from ui.pages import PageHost


def _editor(name: str) -> QWidget:
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
        spin.setRange(*(bounds_of(name) or (0, 2_000_000_000)))
        return spin
    return QLineEdit()


class SettingsPanel(Retranslating, QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.ctx, self.actor = host.ctx, host.actor
        self.current: Settings = host.ctx.settings
        self.names = [f.name for f in fields(Settings)]
        self.editors: dict[str, QWidget] = {}
        self.op: CoreOp | None = None

        self.intro = label(wrap=True)
        self.table = table("settingsTable", 3)
        self.table.setRowCount(len(self.names))
        for index, name in enumerate(self.names):
            self.editors[name] = _editor(name)
            self.editors[name].setObjectName(f"setting_{name}")
            self.table.setCellWidget(index, 1, self.editors[name])
        self.result = ResultLine("settingsResult", host.show_status)
        self.save_button = button("saveSettings", self.save)
        self.revert_button = button("revertSettings", self.revert)
        self.save_action = shortcut(self, "Ctrl+S", self.save)
        add(
            QVBoxLayout(self),
            self.intro,
            (self.table, 1),
            self.result,
            add(QHBoxLayout(), 1, self.revert_button, self.save_button),
        )
        self.retranslate()
        self.revert()

    # -- editors ---------------------------------------------------------------------------------
    # A tick, a number and a text are read and written through the editor's user property
    # (checked / value / text); a list keeps the setting's value as its items' data.
    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        value = editor.metaObject().userProperty().read(editor)
        return value.strip() if isinstance(value, str) else value

    def set_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            if editor.findData(value) < 0:  # a value the file holds but the list lacks: keep it visible
                editor.addItem(str(value), value)
            editor.setCurrentIndex(editor.findData(value))
        else:
            editor.metaObject().userProperty().write(editor, value)

    def changes(self) -> dict[str, Any]:
        return {n: self.value(n) for n in self.names if self.value(n) != getattr(self.current, n)}

    # -- actions ---------------------------------------------------------------------------------
    def revert(self) -> None:
        for name in self.names:
            self.set_value(name, getattr(self.current, name))
        self._mark([])

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.result.say(self.tr("Nothing was changed."))
            return
        bad = invalid_options(changes)
        self._mark(bad)
        if bad:
            problem = self.tr("%1: not a valid value (%2)")
            lines = [arg(problem, settings_labels.label(n), settings_labels.explanation(n)) for n in bad]
            self.result.say(self.tr("Not saved; nothing was changed:") + "\n" + "\n".join(lines), error=True)
            return
        self.op = CoreOp(
            self,
            lambda _r, _c: change_settings(self.actor, self.ctx.auditor, self.current, changes),
            lambda saved: self._saved(saved, changes),
            title=self.save_action.text(),
            on_failure=self._failed,
            ordered=True,
        ).run()

    def _saved(self, saved: Settings, changes: dict[str, Any]) -> None:
        self.current = saved
        names = "、".join(settings_labels.label(n) for n in self.names if n in changes)
        self.result.say(arg(self.tr("Saved: %1. The changes take effect when the program is started again."), names))

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            self.result.say(self.tr("The settings file could not be written; nothing was changed."), error=True)
        else:
            self.result.say(error_text(exc), error=True)

    def _mark(self, bad: list[str]) -> None:
        for index, name in enumerate(self.names):
            for col in (0, 2):
                item = self.table.item(index, col)
                if item is not None:
                    item.setData(Qt.ItemDataRole.BackgroundRole, MARKED if name in bad else None)

    # -- language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "The settings of this station. Each value is checked before it is saved; a saved change is "
                "recorded in the audit trail and takes effect when the program is started again."
            )
        )
        self.table.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Value"), self.tr("Explanation")])
        for index, name in enumerate(self.names):
            title = QTableWidgetItem(settings_labels.label(name))
            title.setToolTip(name)  # the option's name in the settings file
            self.table.setItem(index, 0, title)
            self.table.setItem(index, 2, QTableWidgetItem(settings_labels.explanation(name)))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), 320))
        self.save_button.setText(self.tr("Save (Ctrl+S)"))
        self.revert_button.setText(self.tr("Undo changes"))
        self.save_action.setText(self.tr("Save the settings"))
