"""Login dialog: user name, password, language; errors from the core shown in the clerk's words.

It is shown before the application context exists (``PendingContext``: the store, SQLAlchemy and the
core are built on a worker thread meanwhile); signing in waits for the context if the clerk is faster."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from clerk_app import i18n
from clerk_app.errors import ClerkAppError
from clerk_app.startup import PendingContext
from ui.widgets.common import line_edit
from ui.widgets.slim_b import Retranslating, add, label

if TYPE_CHECKING:
    from clerk_app.app_context import AppContext
    from clerk_app.roles import Actor


class LoginDialog(Retranslating, QDialog):
    def __init__(self, ctx: AppContext | PendingContext, translations: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = ctx if isinstance(ctx, PendingContext) else PendingContext.of(ctx)
        self._translations = translations
        self.actor: Actor | None = None
        self.setObjectName("loginDialog")
        self.setMinimumWidth(420)

        center = Qt.AlignmentFlag.AlignCenter
        self.title = label(name="loginTitle", style="font-size: 20px; font-weight: bold; padding: 12px;", align=center)
        self.hall = label(self.pending.settings.hall_name + "  ·  " + self.pending.settings.window_no, align=center)
        # Keyboard-first: Enter in the name field moves on, Enter in the password field signs in.
        self.username = line_edit("username", on_enter=lambda: self.password.setFocus())
        self.password = line_edit("password", secret=True, on_enter=self.try_login)
        self.language = QComboBox()
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if i18n.current_language() == "zh_CN" else 1)
        self.language.currentIndexChanged.connect(self._language_changed)
        self.error = label(name="loginError", style="color: #b3261e;", wrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        self._user_label, self._pw_label, self._lang_label = QLabel(), QLabel(), QLabel()
        for lbl, w in (
            (self._user_label, self.username),
            (self._pw_label, self.password),
            (self._lang_label, self.language),
        ):
            lbl.setBuddy(w)
            form.addRow(lbl, w)
        add(QVBoxLayout(self), self.title, self.hall, form, self.error, self.buttons)
        self.retranslate()
        self.username.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sign in"))
        self.title.setText(self.tr("Comprehensive Window Workstation"))
        self._user_label.setText(self.tr("&User name"))
        self._pw_label.setText(self.tr("&Password"))
        self._lang_label.setText(self.tr("&Language"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Quit"))

    def _language_changed(self) -> None:
        language = self.language.currentData()
        i18n.set_language(language)
        self._translations.apply(language)  # type: ignore[attr-defined]

    @property
    def ctx(self) -> AppContext:
        return self.pending.result(timeout=0)

    def try_login(self) -> None:
        if not self.pending.ready:  # the store is still opening: sign in as soon as it is there
            self.error.setText(self.tr("Opening the database…"))
            self.buttons.setEnabled(False)
            QTimer.singleShot(50, self.try_login)
            return
        self.buttons.setEnabled(True)
        try:
            ctx = self.pending.result()
        except ClerkAppError as exc:  # e.g. the data key is missing: nobody can sign in
            self.error.setText(exc.user_message())
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        try:
            self.actor = ctx.users.authenticate(self.username.text().strip(), self.password.text())
        except ClerkAppError as exc:
            self.error.setText(exc.user_message())
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
