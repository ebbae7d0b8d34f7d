"""Catalogue versions (issue 14, part 5): every stored version (which is active, when imported,
from where, how many items); import a catalogue folder (or its catalogue.toml) — validated completely,
stored as a new inactive version, a malformed one refused with every problem listed and nothing
changed —; activate the selected version; roll back to the version active before. Every action runs
off the GUI thread (CoreOp) and is audited by the core (clerk_app.catalogue.store: import_version,
activate_version, roll_back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from clerk_app.catalogue.loader import CatalogueError
from clerk_app.catalogue.model import Catalogue
from clerk_app.catalogue.store import CatalogueVersionView
from ui.operations import CoreOp, error_text
from ui.widgets.common import (
    ListReader,
    ResultLine,
    Retranslating,
    add,
    arg,
    ask,
    button,
    cell,
    fill,
    key_of,
    label,
    line_edit,
    set_headers,
    shortcut,
    table,
)

if TYPE_CHECKING:
    from ui.pages import PageHost


class CataloguePanel(Retranslating, QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx, self.actor = host.ctx, host.actor
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask(self, title, text)
        self.versions: list[CatalogueVersionView] = []
        self.op: CoreOp | None = None
        self.wanted: str | None = None  # the version to select when the list has been read
        self.reader = ListReader(self, self._show, lambda exc: self._say(error_text(exc), error=True))

        self.intro = label(wrap=True)
        self.table = table("catalogueVersions", 6)
        self.table.itemActivated.connect(lambda _item: self.activate_selected())
        self.path = line_edit("cataloguePath", on_enter=self.import_path)
        self.path_label = label()
        self.path_label.setBuddy(self.path)
        self.browse_button = button("browseCatalogue", self.browse)
        self.import_button = button("importCatalogue", self.import_path)
        self.activate_button = button("activateCatalogue", self.activate_selected)
        self.rollback_button = button("rollbackCatalogue", self.roll_back)
        self.result = ResultLine("catalogueResult", host.show_status)
        self.problems = QPlainTextEdit()  # every problem of a refused catalogue, to copy into a fix
        self.problems.setObjectName("catalogueProblems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(160)
        self.problems.hide()
        # Keys (the buttons' own mnemonics are lost on setText: actions keep theirs, issue 17 item 2).
        self.import_action = shortcut(self, "Ctrl+I", self.import_path)
        self.activate_action = shortcut(self, "Ctrl+E", self.activate_selected)
        self.rollback_action = shortcut(self, "Ctrl+Shift+Z", self.roll_back)
        add(
            QVBoxLayout(self),
            self.intro,
            (self.table, 1),
            add(QHBoxLayout(), 1, self.activate_button, self.rollback_button),
            add(QHBoxLayout(), self.path_label, (self.path, 1), self.browse_button, self.import_button),
            self.result,
            self.problems,
        )
        self.retranslate()
        self.refresh()

    # -- data ------------------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        """Read the versions again, off the GUI thread (the latest read is shown); then select
        ``select``, or keep the selection."""
        self.wanted = select or self.selected_version()
        catalogue, actor = self.ctx.catalogue, self.actor
        self.reader.read(lambda: catalogue.versions(actor), self.tr("Catalogue versions"))

    def _show(self, versions: list[CatalogueVersionView]) -> None:
        self.versions = versions
        fill(self.table, [v.cells() for v in versions], keys=[v.version for v in versions])
        bold = QFont(self.table.font())
        bold.setBold(True)
        for index, v in enumerate(versions):
            cell(self.table, index, 4).setToolTip(v.source)
            if v.active:
                for col in range(self.table.columnCount()):
                    cell(self.table, index, col).setFont(bold)
        self.table.resizeColumnsToContents()  # again: bold text is wider
        self.select_version(self.wanted or (versions[0].version if versions else ""))

    def selected_version(self) -> str | None:
        version = key_of(self.table, self.table.currentRow())
        return str(version) if version is not None else None

    def select_version(self, version: str) -> None:
        for index, v in enumerate(self.versions):
            if v.version == version:
                self.table.selectRow(index)
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
            self.result.say(self.tr("Enter or choose the catalogue folder first."), error=True)
            self.path.setFocus()
            return

        def imported(catalogue: Catalogue) -> str:
            text = self.tr("Version %1 imported (%2 items). It is not active yet: press Ctrl+E to activate it.")
            return arg(text, catalogue.version, len(catalogue.items))

        self._run(lambda: self.ctx.catalogue.import_version(path, self.actor), imported, self.import_action.text())

    def activate_selected(self) -> None:
        version = self.selected_version()
        if version is None:
            self.result.say(self.tr("Select a version first."), error=True)
            return
        if version == self.active_version():
            self.result.say(arg(self.tr("Version %1 is already the active one."), version))
            return
        question = self.tr(
            "Activate version %1? New cases use it from now on; cases already drafted keep the version "
            "they were drafted under."
        )
        if self.confirm(self.tr("Activate catalogue version"), arg(question, version)):
            self._run(
                lambda: self.ctx.catalogue.activate_version(version, self.actor),
                lambda _none: arg(self.tr("Version %1 is now active."), version),
                self.tr("Activate catalogue version"),
                select=version,
            )

    def roll_back(self) -> None:
        title = self.tr("Roll back the catalogue")
        question = self.tr("Go back from version %1 to the version that was active before it?")
        if self.confirm(title, arg(question, self.active_version() or "—")):
            self._run(
                lambda: self.ctx.catalogue.roll_back(self.actor),
                lambda catalogue: arg(self.tr("Rolled back: version %1 is active again."), catalogue.version),
                title,
            )

    def _run(
        self, change: Callable[[], Any], done: Callable[[Any], str], title: str, select: str | None = None
    ) -> None:
        """One catalogue change off the GUI thread; the list is read again either way. A refused
        catalogue lists every problem below the message."""

        def ok(result: object) -> None:
            self.refresh(select=select or getattr(result, "version", None))
            self.table.setFocus()
            self._say(done(result))

        def failed(exc: BaseException) -> None:
            self.refresh()
            if isinstance(exc, CatalogueError):
                refused = self.tr("The catalogue was refused: %1 problem(s), listed below. Nothing was changed.")
                self._say(arg(refused, len(exc.issues)), error=True, problems=exc.user_message())
            else:
                self._say(error_text(exc), error=True)

        self.op = CoreOp(self, lambda _r, _c: change(), ok, title=title, on_failure=failed, ordered=True).run()

    def _say(self, text: str, *, error: bool = False, problems: str = "") -> None:
        self.result.say(text, error=error)
        self.problems.setPlainText(problems)
        self.problems.setVisible(bool(problems))

    # -- language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "The catalogue of service items in use at this station. Importing stores a new version without "
                "activating it; activating it makes new cases use it; cases already drafted keep their version. "
                "Every action is recorded in the audit trail."
            )
        )
        set_headers(
            self.table,
            self.tr("Version"),
            self.tr("State"),
            self.tr("Items"),
            self.tr("Imported / activated"),
            self.tr("Source"),
            self.tr("Fingerprint"),
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
        self.wanted = self.selected_version()
        self._show(self.versions)  # the cells are the core's texts, in the language of the moment
