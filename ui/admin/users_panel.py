"""The station's user accounts (issue 17, the admin's screens): list, create, reset a password,
unlock, disable / enable, change the role. The rules (password strength, not oneself, one admin
stays) and the audit trail are the core's (clerk_app.users.UserService)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.errors import ClerkAppError
from clerk_app.roles import ROLE_LABELS, Role
from clerk_app.users import UserAccount
from ui.admin.catalogue_panel import ERROR_STYLE, OK_STYLE
from ui.admin.common import ask, table, when

if TYPE_CHECKING:
    from ui.pages import PageHost

LOGIN_ROLES = (Role.CLERK, Role.PREREVIEW, Role.SUPERVISOR, Role.ADMIN)


class AccountDialog(QDialog):
    """New account (all fields), new password (``password_only``) or new role (``role_only``)."""

    def __init__(self, parent: QWidget, title: str, *, password_only: bool = False, role_only: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("accountDialog")
        self.setWindowTitle(title)
        self.username = QLineEdit()
        self.username.setObjectName("accountUsername")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("accountName")
        self.staff_no = QLineEdit()
        self.staff_no.setObjectName("accountStaffNo")
        self.role = QComboBox()
        self.role.setObjectName("accountRole")
        for role in LOGIN_ROLES:
            self.role.addItem(i18n.text(ROLE_LABELS[role]), role.value)  # Qt keeps a str
        self.password = QLineEdit()
        self.password.setObjectName("accountPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("accountPassword2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("accountError")
        self.error.setStyleSheet("color: #8a1c1c;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        if not (password_only or role_only):
            form.addRow(self.tr("User name:"), self.username)
            form.addRow(self.tr("Name:"), self.display_name)
            form.addRow(self.tr("Staff no.:"), self.staff_no)
        if not password_only:
            form.addRow(self.tr("Role:"), self.role)
        if not role_only:
            form.addRow(self.tr("Password:"), self.password)
            form.addRow(self.tr("Password again:"), self.password2)
            hint = QLabel(self.tr("At least 8 characters with both letters and digits."))
            hint.setStyleSheet("color: #555;")
            form.addRow("", hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.password_only, self.role_only = password_only, role_only

    def chosen_role(self) -> Role:
        return Role(self.role.currentData())

    def check(self) -> str | None:
        """A problem the dialog can see itself (the core checks the rest)."""
        if not (self.password_only or self.role_only):
            if not self.username.text().strip():
                return self.tr("Enter a user name.")
            if not self.display_name.text().strip():
                return self.tr("Enter the person's name.")
            if not self.staff_no.text().strip():
                return self.tr("Enter the staff number.")
        if not self.role_only and self.password.text() != self.password2.text():
            return self.tr("The two passwords differ.")
        return None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.password.clear()
        self.password2.clear()
        (self.password if not self.role_only else self.role).setFocus()


class UsersPanel(QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx, self.actor = host.ctx, host.actor
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask(self, title, text)
        self.accounts: list[UserAccount] = []
        self.dialog: AccountDialog | None = None

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = table("userAccounts", 6)
        self.result = QLabel()
        self.result.setObjectName("usersResult")
        self.result.setWordWrap(True)
        self.result.hide()
        self.buttons: dict[str, QPushButton] = {}
        self.key_actions: dict[str, QAction] = {}
        bar = QHBoxLayout()
        for key, keys, slot in (
            ("create", "Ctrl+N", self.create_account),
            ("reset", "Ctrl+P", self.reset_password),
            ("unlock", "Ctrl+U", self.unlock),
            ("disable", "Ctrl+D", self.toggle_active),
            ("role", "Ctrl+R", self.change_role),
        ):
            button = QPushButton()
            button.setObjectName(f"user_{key}")
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[key] = button
            action = QAction(self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.key_actions[key] = action
        bar.addStretch(1)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        layout.addWidget(self.result)
        self.retranslate()
        self.refresh()

    # -- data ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected()
        self.accounts = self.ctx.users.accounts(self.actor)
        self.table.setRowCount(len(self.accounts))
        for row, a in enumerate(self.accounts):
            values = (
                a.username,
                a.display_name,
                a.staff_no,
                i18n.text(ROLE_LABELS[a.role]),
                self._state(a),
                when(a.password_changed_at),
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, a.username)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.select(selected.username if selected else (self.accounts[0].username if self.accounts else ""))

    def _state(self, a: UserAccount) -> str:
        if not a.active:
            return self.tr("Disabled")
        if a.locked:
            return self.tr("Locked (wrong passwords)")
        return self.tr("Enabled")

    def selected(self) -> UserAccount | None:
        row = self.table.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    def select(self, username: str) -> None:
        for row, a in enumerate(self.accounts):
            if a.username == username:
                self.table.selectRow(row)
                break
        self._update_buttons()

    def _update_buttons(self) -> None:
        a = self.selected()
        self.buttons["disable"].setText(
            self.tr("Enable (Ctrl+D)") if a is not None and not a.active else self.tr("Disable (Ctrl+D)")
        )
        self.buttons["unlock"].setEnabled(a is not None and a.locked)

    # -- actions ---------------------------------------------------------------------------------
    def create_account(self) -> None:
        dialog = AccountDialog(self, self.tr("New user account"))
        dialog.role.setCurrentIndex(0)

        def done() -> None:
            if (problem := dialog.check()) is not None:
                dialog.show_error(problem)
                return
            role = dialog.chosen_role()
            username = dialog.username.text().strip()
            try:
                self.ctx.users.create_user(
                    self.actor,
                    username,
                    dialog.password.text(),
                    role,
                    dialog.display_name.text().strip(),
                    dialog.staff_no.text().strip(),
                )
            except ClerkAppError as exc:
                dialog.show_error(exc.user_message())
                return
            dialog.accept()
            self.refresh()
            self.select(username)
            self._say(self.tr("Account %1 created.").replace("%1", username))

        self._open(dialog, done, dialog.username)

    def reset_password(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        dialog = AccountDialog(
            self, self.tr("New password for %1").replace("%1", f"{a.display_name}（{a.username}）"), password_only=True
        )

        def done() -> None:
            if (problem := dialog.check()) is not None:
                dialog.show_error(problem)
                return
            try:
                self.ctx.users.reset_password(self.actor, a.username, dialog.password.text())
            except ClerkAppError as exc:
                dialog.show_error(exc.user_message())
                return
            dialog.accept()
            self.refresh()
            self._say(
                self.tr("New password set for %1; the account is unlocked. Hand it over in person.").replace(
                    "%1", a.username
                )
            )

        self._open(dialog, done, dialog.password)

    def change_role(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        dialog = AccountDialog(
            self, self.tr("Role of %1").replace("%1", f"{a.display_name}（{a.username}）"), role_only=True
        )
        dialog.role.setCurrentIndex(max(0, dialog.role.findData(a.role.value)))

        def done() -> None:
            role = dialog.chosen_role()
            try:
                self.ctx.users.set_role(self.actor, a.username, role)
            except ClerkAppError as exc:
                dialog.show_error(exc.user_message())
                return
            dialog.accept()
            self.refresh()
            self._say(
                self.tr("%1 is now: %2. The new role applies at the next sign-in.")
                .replace("%1", a.username)
                .replace("%2", i18n.text(ROLE_LABELS[role]))
            )

        self._open(dialog, done, dialog.role)

    def unlock(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        try:
            self.ctx.users.unlock(self.actor, a.username)
        except ClerkAppError as exc:
            self._say(exc.user_message(), error=True)
            return
        self.refresh()
        self._say(self.tr("Account %1 unlocked.").replace("%1", a.username))

    def toggle_active(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        enable = not a.active
        question = (
            self.tr("Enable the account %1 again?")
            if enable
            else self.tr("Disable the account %1? The person can no longer sign in; their cases and audit trail stay.")
        ).replace("%1", f"{a.display_name}（{a.username}）")
        if not self.confirm(self.tr("User accounts"), question):
            return
        try:
            self.ctx.users.set_active(self.actor, a.username, enable)
        except ClerkAppError as exc:
            self._say(exc.user_message(), error=True)
            return
        self.refresh()
        self._say(
            (self.tr("Account %1 enabled.") if enable else self.tr("Account %1 disabled.")).replace("%1", a.username)
        )

    def _need_selection(self) -> UserAccount | None:
        a = self.selected()
        if a is None:
            self._say(self.tr("Select an account first."), error=True)
        return a

    def _open(self, dialog: AccountDialog, done: Callable[[], None], focus: QWidget) -> None:
        dialog.buttons.accepted.connect(done)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.dialog = dialog
        dialog.open()
        focus.setFocus()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.result.show()
        self.host.show_status(text, 8000)

    # -- language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "The accounts that can sign in at this station. Passwords are never shown; a disabled account "
                "keeps its history. Every change is recorded in the audit trail."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("User name"),
                self.tr("Name"),
                self.tr("Staff no."),
                self.tr("Role"),
                self.tr("State"),
                self.tr("Password set"),
            ]
        )
        texts = {
            "create": self.tr("New account (Ctrl+N)"),
            "reset": self.tr("Reset password (Ctrl+P)"),
            "unlock": self.tr("Unlock (Ctrl+U)"),
            "disable": self.tr("Disable (Ctrl+D)"),
            "role": self.tr("Change role (Ctrl+R)"),
        }
        names = {
            "create": self.tr("New user account"),
            "reset": self.tr("Reset a user's password"),
            "unlock": self.tr("Unlock a user account"),
            "disable": self.tr("Disable or enable a user account"),
            "role": self.tr("Change a user's role"),
        }
        for key, button in self.buttons.items():
            button.setText(texts[key])
            self.key_actions[key].setText(names[key])
        if self.accounts:
            self.refresh()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
