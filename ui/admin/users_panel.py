"""The station's user accounts (issue 17, the admin's screens): list, create, reset a password,
unlock, disable / enable, change the role. The rules (required fields, password strength, not
oneself, one admin stays), the account states and the audit trail are the core's
(clerk_app.users.UserService); every change runs off the GUI thread (CoreOp)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clerk_app import i18n
from clerk_app.roles import ROLE_LABELS, Permission, Role
from clerk_app.users import UserAccount, check_repeated_password
from ui.operations import CoreOp, error_text
from ui.widgets.common import (
    ListReader,
    ResultLine,
    Retranslating,
    add,
    arg,
    ask,
    button,
    fill,
    label,
    line_edit,
    set_headers,
    shortcut,
    table,
)

if TYPE_CHECKING:
    from ui.pages import PageHost

LOGIN_ROLES = (Role.CLERK, Role.PREREVIEW, Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class AccountValues:
    username: str
    name: str
    staff_no: str
    role: Role
    password: str
    again: str


class AccountDialog(QDialog):
    """New account (all fields), new password (``password_only``) or new role (``role_only``)."""

    def __init__(self, parent: QWidget, title: str, *, password_only: bool = False, role_only: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("accountDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.username = line_edit("accountUsername")
        self.display_name = line_edit("accountName")
        self.staff_no = line_edit("accountStaffNo")
        self.role = QComboBox()
        self.role.setObjectName("accountRole")
        for role in LOGIN_ROLES:
            self.role.addItem(i18n.text(ROLE_LABELS[role]), role.value)  # Qt keeps a str
        self.password = line_edit("accountPassword", secret=True)
        self.password2 = line_edit("accountPassword2", secret=True)
        self.error = label(name="accountError", wrap=True, style="color: #8a1c1c;")
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
            hint = label(style="color: #555;")
            hint.setText(self.tr("At least 8 characters with both letters and digits."))
            form.addRow("", hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        add(QVBoxLayout(self), form, self.error, self.buttons)
        self.role_only = role_only

    def values(self) -> AccountValues:
        """What was typed, read on the GUI thread before the change runs."""
        return AccountValues(
            self.username.text().strip(),
            self.display_name.text(),
            self.staff_no.text(),
            Role(self.role.currentData()),
            self.password.text(),
            self.password2.text(),
        )

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.password.clear()
        self.password2.clear()
        (self.password if not self.role_only else self.role).setFocus()


class UsersPanel(Retranslating, QWidget):
    def __init__(self, host: PageHost) -> None:
        super().__init__()
        self.host = host
        self.ctx, self.actor = host.ctx, host.actor
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask(self, title, text)
        self.accounts: list[UserAccount] = []
        self.dialog: AccountDialog | None = None
        self.op: CoreOp | None = None
        self.wanted = ""  # the account to select when the list has been read
        self.reader = ListReader(self, self._show, lambda exc: self.result.say(error_text(exc), error=True))

        # The admin manages accounts; a supervisor (audit page, Accounts tab) only unlocks them.
        self.manage = self.actor.can(Permission.USER_MANAGE)
        self.intro = label(wrap=True)
        self.table = table("userAccounts", 7)
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        self.result = ResultLine("usersResult", host.show_status)
        self.buttons: dict[str, QPushButton] = {}
        self.key_actions = {}
        for key, keys, slot in (
            ("create", "Ctrl+N", self.create_account),
            ("reset", "Ctrl+P", self.reset_password),
            ("unlock", "Ctrl+U", self.unlock),
            ("disable", "Ctrl+D", self.toggle_active),
            ("role", "Ctrl+R", self.change_role),
        ):
            if self.manage or key == "unlock":
                self.buttons[key] = button(f"user_{key}", slot)
                self.key_actions[key] = shortcut(self, keys, slot)
        add(QVBoxLayout(self), self.intro, (self.table, 1), add(QHBoxLayout(), *self.buttons.values(), 1), self.result)
        self.retranslate()
        self.refresh()

    # -- data ------------------------------------------------------------------------------------
    def refresh(self, select: str = "") -> None:
        """Read the accounts again, off the GUI thread (the latest read is shown); then ``select``, or
        keep the account selected now."""
        current = self.selected()
        self.wanted = select or (current.username if current else "")
        users, actor = self.ctx.users, self.actor
        self.reader.read(lambda: users.accounts(actor), self.tr("User accounts"))

    def _show(self, accounts: list[UserAccount]) -> None:
        self.accounts = accounts
        fill(
            self.table,
            [a.cells() for a in accounts],
            keys=[a.username for a in accounts],
            marked=[a.locked for a in accounts],
        )
        self.select(self.wanted or (accounts[0].username if accounts else ""))

    def selected(self) -> UserAccount | None:
        index = self.table.currentRow()
        return self.accounts[index] if 0 <= index < len(self.accounts) else None

    def select(self, username: str) -> None:
        for index, a in enumerate(self.accounts):
            if a.username == username:
                self.table.selectRow(index)
                break
        self._update_buttons()

    def _update_buttons(self) -> None:
        a = self.selected()
        if self.manage:
            self.buttons["disable"].setText(
                self.tr("Enable (Ctrl+D)") if a is not None and not a.active else self.tr("Disable (Ctrl+D)")
            )
        self.buttons["unlock"].setEnabled(a is not None and a.locked)

    # -- actions ---------------------------------------------------------------------------------
    def create_account(self) -> None:
        self._open(
            AccountDialog(self, self.tr("New user account")),
            lambda v: self.ctx.users.create_user(self.actor, v.username, v.password, v.role, v.name, v.staff_no),
            lambda v: arg(self.tr("Account %1 created."), v.username),
        )

    def reset_password(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        text = arg(self.tr("New password set for %1; the account is unlocked. Hand it over in person."), a.username)
        self._open(
            AccountDialog(self, arg(self.tr("New password for %1"), self._who(a)), password_only=True),
            lambda v: self.ctx.users.reset_password(self.actor, a.username, v.password),
            lambda _v: text,
        )

    def change_role(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        dialog = AccountDialog(self, arg(self.tr("Role of %1"), self._who(a)), role_only=True)
        dialog.role.setCurrentIndex(max(0, dialog.role.findData(a.role.value)))
        self._open(
            dialog,
            lambda v: self.ctx.users.set_role(self.actor, a.username, v.role),
            lambda v: arg(
                self.tr("%1 is now: %2. The new role applies at the next sign-in."),
                a.username,
                i18n.text(ROLE_LABELS[v.role]),
            ),
        )

    def unlock(self) -> None:
        a = self._need_selection()
        if a is not None:
            done = arg(self.tr("Account %1 unlocked."), a.username)
            self._run(lambda: self.ctx.users.unlock(self.actor, a.username), done)

    def toggle_active(self) -> None:
        a = self._need_selection()
        if a is None:
            return
        enable = not a.active
        question = (
            self.tr("Enable the account %1 again?")
            if enable
            else self.tr("Disable the account %1? The person can no longer sign in; their cases and audit trail stay.")
        )
        if self.confirm(self.tr("User accounts"), arg(question, self._who(a))):
            done = self.tr("Account %1 enabled.") if enable else self.tr("Account %1 disabled.")
            self._run(lambda: self.ctx.users.set_active(self.actor, a.username, enable), arg(done, a.username))

    @staticmethod
    def _who(a: UserAccount) -> str:
        return f"{a.display_name}（{a.username}）"

    def _need_selection(self) -> UserAccount | None:
        a = self.selected()
        if a is None:
            self.result.say(self.tr("Select an account first."), error=True)
        return a

    def _run(self, change: Callable[[], object], done: str) -> None:
        """One account change off the GUI thread; the list is read again either way."""

        def finished(text: str, error: bool = False) -> None:
            self.refresh()
            self.result.say(text, error=error)

        self.op = CoreOp(
            self,
            lambda _r, _c: change(),
            lambda _result: finished(done),
            title=self.tr("User accounts"),
            on_failure=lambda exc: finished(error_text(exc), error=True),
            ordered=True,
        ).run()

    def _open(
        self, dialog: AccountDialog, change: Callable[[AccountValues], object], message: Callable[[AccountValues], str]
    ) -> None:
        """Open the dialog (its first field has the focus); OK runs ``change`` with what was typed, off
        the GUI thread: done, the dialog closes and the panel says ``message``; refused, the dialog
        stays open and says why."""

        def work(v: AccountValues) -> None:
            if not dialog.role_only:
                check_repeated_password(v.password, v.again)
            change(v)

        def ok(v: AccountValues) -> None:
            dialog.accept()
            self.refresh(select=v.username)
            self.result.say(message(v))

        def submit() -> None:
            v = dialog.values()
            self.op = CoreOp(
                dialog,
                lambda _r, _c: work(v),
                lambda _none: ok(v),
                title=dialog.windowTitle(),
                on_failure=lambda exc: dialog.show_error(error_text(exc)),
                ordered=True,
            ).run()

        dialog.buttons.accepted.connect(submit)
        self.dialog = dialog
        dialog.open()

    # -- language --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "The accounts that can sign in at this station. Passwords are never shown; a disabled account "
                "keeps its history. Every change is recorded in the audit trail."
            )
            if self.manage
            else self.tr("Accounts lock after repeated wrong passwords; unlocking is recorded in the audit trail.")
        )
        set_headers(
            self.table,
            self.tr("User name"),
            self.tr("Name"),
            self.tr("Staff no."),
            self.tr("Role"),
            self.tr("State"),
            self.tr("Failed attempts"),
            self.tr("Password set"),
        )
        for key, text, name in (
            ("create", self.tr("New account (Ctrl+N)"), self.tr("New user account")),
            ("reset", self.tr("Reset password (Ctrl+P)"), self.tr("Reset a user's password")),
            ("unlock", self.tr("Unlock (Ctrl+U)"), self.tr("Unlock a user account")),
            ("disable", self.tr("Disable (Ctrl+D)"), self.tr("Disable or enable a user account")),
            ("role", self.tr("Change role (Ctrl+R)"), self.tr("Change a user's role")),
        ):
            if key in self.buttons:
                self.buttons[key].setText(text)
                self.key_actions[key].setText(name)
        current = self.selected()
        self.wanted = current.username if current else self.wanted
        self._show(self.accounts)  # the cells are the core's texts, in the language of the moment
