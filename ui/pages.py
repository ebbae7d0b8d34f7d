"""The pages of the main window, in navigation order. Each part of the product adds its page here
with one ``Page`` entry; the main window shows the pages the signed-in role may use.

A page factory receives a ``PageHost`` — the narrow part of the main window a page may use (the
context, the signed-in actor, the case on the desk, the card reader, the status line) — and returns a
QWidget. Pages never reach for the MainWindow itself. Keep factories cheap: heavy work belongs in
background operations (ui/operations.py).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

from clerk_app.roles import Permission
from ui.typed_qt import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from clerk_app.app_context import AppContext
    from clerk_app.roles import Actor
    from devices.cards.api import CardReaderService
    from ui.current_case import CurrentCase


class PageHost(Protocol):
    """What a page gets from the window that hosts it."""

    ctx: AppContext
    actor: Actor
    current_case: CurrentCase
    pages: dict[str, QWidget]

    def show_page(self, widget: QWidget | str) -> None: ...

    def card_service(self) -> CardReaderService | None: ...

    def show_status(self, text: str, timeout_ms: int = 0) -> None: ...

    def show_device_status(self, device: str, text: str) -> None: ...


@dataclass(frozen=True)
class Page:
    key: str
    title: str  # English source text; translated with QCoreApplication.translate("Pages", ...)
    shortcut: str  # e.g. "F2"
    permission: Permission | None
    widget: str  # "module:Class" under ui/, imported when a window that shows it is built

    def factory(self, window: PageHost) -> QWidget:
        module, name = self.widget.split(":")
        page: QWidget = getattr(importlib.import_module(f"ui.{module}"), name)(window)
        return page


PAGES: list[Page] = [
    Page("home", QT_TRANSLATE_NOOP("Pages", "Home"), "F1", None, "home:HomePage"),
    Page("intake", QT_TRANSLATE_NOOP("Pages", "Intake"), "F2", Permission.CASE_EDIT_DRAFT, "intake.page:IntakePage"),
    # Search needs full personal-data access: looking a person up by ID number or name is itself a
    # personal-data lookup (clerks, supervisors); pre-review staff find their drafts on the home page.
    Page("search", QT_TRANSLATE_NOOP("Pages", "Case search"), "F3", Permission.PII_VIEW_FULL, "search.page:SearchPage"),
    Page(
        "delivery",
        QT_TRANSLATE_NOOP("Pages", "Result delivery"),
        "F4",
        Permission.CASE_DELIVER,
        "delivery.page:DeliveryPage",
    ),
    # The hall's results ready for pickup (待领取); Enter hands one out on the delivery page.
    Page(
        "ready",
        QT_TRANSLATE_NOOP("Pages", "Results ready"),
        "Shift+F4",
        Permission.CASE_DELIVER,
        "delivery.ready_page:ReadyPage",
    ),
    # The hall's owed materials (容缺 / 补正), every clerk: open a decided case and record what came.
    Page(
        "owed",
        QT_TRANSLATE_NOOP("Pages", "Owed materials"),
        "F11",
        Permission.CASE_SUPPLEMENT,
        "supplements.page:OwedPage",
    ),
    Page(
        "audit",
        QT_TRANSLATE_NOOP("Pages", "Audit"),
        "F7",
        Permission.AUDIT_READ_ALL,
        "supervisor.audit_view:AuditPage",
    ),
    Page(
        "stats",
        QT_TRANSLATE_NOOP("Pages", "Statistics"),
        "F8",
        Permission.STATS_VIEW,
        "supervisor.stats_view:StatsPage",
    ),
    # The administrator's screens (ui/admin): catalogue versions, user accounts.
    Page("admin", QT_TRANSLATE_NOOP("Pages", "Administration"), "F10", Permission.USER_MANAGE, "admin.page:AdminPage"),
]
