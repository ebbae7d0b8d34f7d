"""Catalogue versions (issue 14, part 5): every stored version (which is active, when imported,
from where, how many items); import a catalogue folder (or its catalogue.toml) — validated completely,
stored as a new inactive version, a malformed one refused with every problem listed and nothing
changed —; activate the selected version; roll back to the version active before. Every action is
audited by the core (clerk_app.catalogue.store: import_version, activate_version, roll_back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app.catalogue.loader import CatalogueError
from clerk_app.catalogue.store import CatalogueVersionView
from clerk_app.errors import ClerkAppError
from ui.admin.common import ask, table, when

if TYPE_CHECKING:
    from ui.pages import PageHost

OK_STYLE = "color: #1e6b2f; background: #e8f5e9; padding: 6px;"
ERROR_STYLE = "color: #8a1c1c; background: #fdecea; padding: 6px;"


class CataloguePanel(QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx, self.actor = host.ctx, host.actor
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask(self, title, text)
        self.versions: list[CatalogueVersionView] = []

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = table("catalogueVersions", 6)
        self.table.itemActivated.connect(lambda _item: self.activate_selected())
        self.path_label = QLabel()
        self.path = QLineEdit()
        self.path.setObjectName("cataloguePath")
        self.path.returnPressed.connect(self.import_path)
        self.path_label.setBuddy(self.path)
        self.browse_button = QPushButton()
        self.browse_button.setObjectName("browseCatalogue")
        self.browse_button.clicked.connect(self.browse)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importCatalogue")
        self.import_button.clicked.connect(self.import_path)
        self.activate_button = QPushButton()
        self.activate_button.setObjectName("activateCatalogue")
        self.activate_button.clicked.connect(self.activate_selected)
        self.rollback_button = QPushButton()
        self.rollback_button.setObjectName("rollbackCatalogue")
        self.rollback_button.clicked.connect(self.roll_back)
        self.result = QLabel()
        self.result.setObjectName("catalogueResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        self.problems = QPlainTextEdit()  # every problem of a refused catalogue, to copy into a fix
        self.problems.setObjectName("catalogueProblems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(160)
        self.problems.hide()

        # Keys (the buttons' own mnemonics are lost on setText: actions keep theirs, issue 17 item 2).
        self.import_action = QAction(self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.import_path)
        self.activate_action = QAction(self)
        self.activate_action.setShortcut(QKeySequence("Ctrl+E"))
        self.activate_action.triggered.connect(self.activate_selected)
        self.rollback_action = QAction(self)
        self.rollback_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.rollback_action.triggered.connect(self.roll_back)
        for action in (self.import_action, self.activate_action, self.rollback_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        source = QHBoxLayout()
        source.addWidget(self.path_label)
        source.addWidget(self.path, 1)
        source.addWidget(self.browse_button)
        source.addWidget(self.import_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.activate_button)
        buttons.addWidget(self.rollback_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(source)
        layout.addWidget(self.result)
        layout.addWidget(self.problems)
        self.retranslate()
        self.refresh()

    # -- data ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.versions = self.ctx.catalogue.versions(self.actor)
        self.table.setRowCount(len(self.versions))
        for row, v in enumerate(self.versions):
            values = (
                v.version,
                self.tr("Active") if v.active else "",
                str(v.items),
                when(v.loaded_at),
                v.source,
                v.content_hash[:12],
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, v.version)
                if v.active:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if col == 4:
                    item.setToolTip(v.source)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        if self.versions and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def selected_version(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_version(self, version: str) -> None:
        for row, v in enumerate(self.versions):
            if v.version == version:
                self.table.selectRow(row)
                return

    def active_version(self) -> str | None:
        return next((v.version for v in self.versions if v.active), None)

    # -- actions ---------------------------------------------------------------------------------
    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a catalogue folder"), self.path.text())
        if folder:
            self.path.setText(folder)
            self.import_button.setFocus()

    def import_path(self) -> None:
        path = self.path.text().strip()
        if not path:
            self._say(self.tr("Enter or choose the catalogue folder first."), error=True)
            self.path.setFocus()
            return
        try:
            catalogue = self.ctx.catalogue.import_version(path, self.actor)
        except CatalogueError as exc:
            self._say(
                self.tr("The catalogue was refused: %1 problem(s), listed below. Nothing was changed.").replace(
                    "%1", str(len(exc.issues))
                ),
                error=True,
                problems=exc.user_message(),
            )
            self.refresh()
            return
        except ClerkAppError as exc:
            self._say(exc.user_message(), error=True)
            self.refresh()
            return
        self.refresh()
        self.select_version(catalogue.version)
        self.table.setFocus()
        self._say(
            self.tr("Version %1 imported (%2 items). It is not active yet: press Ctrl+E to activate it.")
            .replace("%1", catalogue.version)
            .replace("%2", str(len(catalogue.items)))
        )

    def activate_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            self._say(self.tr("Select a version first."), error=True)
            return
        if version == self.active_version():
            self._say(self.tr("Version %1 is already the active one.").replace("%1", version))
            return
        if not self.confirm(
            self.tr("Activate catalogue version"),
            self.tr(
                "Activate version %1? New cases use it from now on; cases already drafted keep the version "
                "they were drafted under."
            ).replace("%1", version),
        ):
            return
        try:
            self.ctx.catalogue.activate_version(version, self.actor)
        except ClerkAppError as exc:
            self._say(exc.user_message(), error=True)
            return
        self.refresh()
        self.select_version(version)
        self._say(self.tr("Version %1 is now active.").replace("%1", version))

    def roll_back(self) -> None:
        current = self.active_version()
        if not self.confirm(
            self.tr("Roll back the catalogue"),
            self.tr("Go back from version %1 to the version that was active before it?").replace("%1", current or "—"),
        ):
            return
        try:
            catalogue = self.ctx.catalogue.roll_back(self.actor)
        except ClerkAppError as exc:
            self._say(exc.user_message(), error=True)
            return
        self.refresh()
        self.select_version(catalogue.version)
        self._say(self.tr("Rolled back: version %1 is active again.").replace("%1", catalogue.version))

    def _say(self, text: str, *, error: bool = False, problems: str = "") -> None:
        self.result.setText(text)
        self.result.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.result.show()
        self.problems.setPlainText(problems)
        self.problems.setVisible(bool(problems))
        self.host.show_status(text, 8000)

    # -- language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "The catalogue of service items in use at this station. Importing stores a new version without "
                "activating it; activating it makes new cases use it; cases already drafted keep their version. "
                "Every action is recorded in the audit trail."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Version"),
                self.tr("State"),
                self.tr("Items"),
                self.tr("Imported / activated"),
                self.tr("Source"),
                self.tr("Fingerprint"),
            ]
        )
        self.path_label.setText(self.tr("Catalogue &folder:"))
        self.path.setPlaceholderText(self.tr("folder with catalogue.toml and items/, or its catalogue.toml"))
        self.browse_button.setText(self.tr("Browse…"))
        self.import_button.setText(self.tr("Import (Ctrl+I)"))
        self.activate_button.setText(self.tr("Activate selected (Ctrl+E)"))
        self.rollback_button.setText(self.tr("Roll back (Ctrl+Shift+Z)"))
        self.import_action.setText(self.tr("Import a catalogue version"))
        self.activate_action.setText(self.tr("Activate the selected catalogue version"))
        self.rollback_action.setText(self.tr("Roll back to the previous catalogue version"))
        if self.versions:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
