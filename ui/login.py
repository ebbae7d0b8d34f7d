"""Login dialog: user name, password, language; errors from the core shown in the clerk's words.

It is shown before the application context exists (``PendingContext``: the store, SQLAlchemy and the
core are built on a worker thread meanwhile). Signing in runs off the GUI thread (``CoreOp``): it waits
for the context if the clerk is faster, then checks the password (Argon2id, deliberately slow) and
writes the audit event and the lockout counters; the dialog is disabled meanwhile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from clerk_app import i18n
from clerk_app.startup import PendingContext
from ui.operations import CoreOp, error_text
from ui.widgets.common import Retranslating, add, label, line_edit

if TYPE_CHECKING:
    from clerk_app.app_context import AppContext
    from clerk_app.roles import Actor


class LoginDialog(Retranslating, QDialog):
    def __init__(self, ctx: AppContext | PendingContext, translations: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = ctx if isinstance(ctx, PendingContext) else PendingContext.of(ctx)
        self._translations = translations
        self.actor: Actor | None = None
        self.op: CoreOp | None = None
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

        self.form = QFormLayout()
        self._user_label, self._pw_label, self._lang_label = QLabel(), QLabel(), QLabel()
        for lbl, w in (
            (self._user_label, self.username),
            (self._pw_label, self.password),
            (self._lang_label, self.language),
        ):
            lbl.setBuddy(w)
            self.form.addRow(lbl, w)
        add(QVBoxLayout(self), self.title, self.hall, self.form, self.error, self.buttons)
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
        if self.op is not None and self.op.busy:  # Enter pressed twice: one check is enough
            return
        pending, username, password = self.pending, self.username.text().strip(), self.password.text()
        if not password:  # Enter in the name field also presses the dialog's default button: move on
            self.password.setFocus()
            return
        # The store may still be opening: signing in waits for it on the worker, not here.
        self.error.setText(self.tr("Signing in…") if pending.ready else self.tr("Opening the database…"))
        self._enable(False)
        self.op = CoreOp(
            self,
            lambda _report, _cancel: pending.result().users.authenticate(username, password),
            self._signed_in,
            title=self.tr("Sign in"),
            on_failure=self._refused,
            ordered=True,  # the audit event and the lockout counters are writes
            progress=False,  # the error line says what is happening
        ).run()

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._enable(True)
        self.error.setText(error_text(exc))
        try:
            self.pending.result(timeout=0)
        except BaseException:  # the store did not open (e.g. the data key is missing): nobody can sign in
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return
        self.password.clear()
        self.password.setFocus()

    def _enable(self, enabled: bool) -> None:
        for widget in (self.username, self.password, self.language, self.buttons):
            widget.setEnabled(enabled)
