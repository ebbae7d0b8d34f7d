"""UI test helpers: scripted answers to the intake page's prompts, and a main window for a user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from devices.cards.api import MrzKey


@dataclass
class ScriptedPrompts:
    """Stands in for ui.intake.prompts.Prompts: answers from lists, records what was shown."""

    reasons: list[str] = field(default_factory=list)
    due_dates: list[dt.date] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)
    confirm_answer: bool = True
    mrz_keys: list[MrzKey] = field(default_factory=list)
    shown: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)

    def window_no(self) -> str | None:
        return self.windows.pop(0) if self.windows else None

    def defect_reason(self, material: str) -> str | None:
        return self.reasons.pop(0) if self.reasons else None

    def due_date(self, title: str, today: dt.date) -> dt.date | None:
        return self.due_dates.pop(0) if self.due_dates else None

    def reject(self, legal_basis: str) -> tuple[str, str] | None:
        return self.rejections.pop(0) if self.rejections else None

    def mrz_key(self) -> MrzKey | None:
        return self.mrz_keys.pop(0) if self.mrz_keys else None

    def confirm(self, title: str, text: str) -> bool:
        self.shown.append((title, text))
        return self.confirm_answer

    def inform(self, title: str, text: str) -> None:
        self.shown.append((title, text))

    def error(self, text: str) -> None:
        self.errors.append(text)


def open_window(qtbot, ctx, translations, username: str):
    from clerk_app.demo import DEMO_USERS
    from ui.main_window import MainWindow

    password = next(p for u, p, *_ in DEMO_USERS if u == username)
    actor = ctx.users.authenticate(username, password)
    window = MainWindow(ctx, actor, translations)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # shortcuts only reach the active window
        window.show()
        window.activateWindow()
    return window
