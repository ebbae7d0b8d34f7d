"""The composition root: read settings, open the store, wire services, pick device backends.

Everything else receives its collaborators from here (no global registry). ``ui`` gets an AppContext.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.cases import CaseService
from clerk_app.catalogue.loader import CatalogueError
from clerk_app.catalogue.store import CatalogueStore
from clerk_app.clock import Clock, SystemClock
from clerk_app.errors import ClerkAppError
from clerk_app.persons import PersonRepository
from clerk_app.promised_dates import recompute_provisional_dates
from clerk_app.roles import system_actor
from clerk_app.security.crypto import FieldCipher, SearchIndex
from clerk_app.security.hall_keys import HallKeys, open_hall
from clerk_app.settings import Settings
from clerk_app.store.db import open_store
from clerk_app.users import UserService
from clerk_app.workdays import WorkingDayCalendar

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
PUSHED_CALENDAR = "holidays-backoffice.toml"  # in the data folder; preferred at start-up when present


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    keys: HallKeys  # the hall data key (clerk_app/security/hall_keys.py)
    auditor: Auditor
    users: UserService
    catalogue: CatalogueStore
    calendar: WorkingDayCalendar
    persons: PersonRepository
    cases: CaseService
    startup_warnings: list[str] = field(default_factory=list)
    pages: Any = None  # clerk_app.pages.PageService: scanned pages and the attachment store
    sync: Any = None  # clerk_app.sync.runtime.SyncRuntime when backoffice_url is set (docs/sync.md)

    def close(self) -> None:
        if self.sync is not None:
            self.sync.stop()  # after the request in flight; the outbox keeps the rest
            self.sync = None
        self.engine.dispose()


def file_keyring(path: Path) -> Any:
    """An explicit file keyring for the demo and tests (never chosen silently in production)."""
    from keyrings.alt.file import PlaintextKeyring

    ring = PlaintextKeyring()
    ring.file_path = str(path)
    return ring


def system_keyring() -> Any:
    """The OS keyring. With only keyring's "fail" backend every call raises NoKeyringError, which
    the hall keys turn into KeyringUnavailable with instructions (checked at start-up)."""
    import keyring

    return keyring.get_keyring()


def build_context(
    settings: Settings, *, clock: Clock | None = None, keyring_module: Any = None, start_sync: bool = True
) -> AppContext:
    """``start_sync=False`` builds the sync worker without starting its thread (admin commands)."""
    i18n.set_language(settings.language)
    clock = clock or SystemClock()
    data_dir = settings.resolved_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    if keyring_module is None:
        keyring_module = file_keyring(data_dir / "demo-keyring.cfg") if settings.demo else system_keyring()
    engine, sessions = open_store(settings.resolved_database_url())
    try:  # a missing or wrong key stops here with the recovery steps; never a new key over data
        hall = open_hall(sessions, engine.dialect.name, data_dir, keyring_module, settings.station_code)
    except BaseException:
        engine.dispose()
        raise
    keys = hall.keys
    auditor = Auditor(sessions, clock)
    users = UserService(sessions, clock, auditor, settings.station_code)
    catalogue = CatalogueStore(sessions, clock, auditor)
    warnings: list[str] = []
    folder = Path(settings.catalogue_dir) if settings.catalogue_dir else RESOURCES / "catalogue"
    try:
        catalogue.import_folder(folder, system_actor(settings.station_code))
    except CatalogueError as exc:
        # The previously active version stays; the clerk/admin is told at start-up.
        log.warning("catalogue not activated: %s", exc)
        warnings.append(exc.user_message())
        if not catalogue.has_active():
            raise
    holiday_file = Path(settings.holiday_file) if settings.holiday_file else RESOURCES / "calendar" / "holidays.toml"
    pushed = data_dir / PUSHED_CALENDAR  # the last calendar the back office pushed (sync.CalendarInstaller)
    calendar = None
    if not settings.holiday_file and pushed.exists():
        try:
            calendar = WorkingDayCalendar.from_file(pushed)
        except ClerkAppError as exc:  # damaged on disk: the shipped file, and say so
            log.warning("pushed holiday calendar not used: %s", exc)
            warnings.append(exc.user_message())
    if calendar is None:
        calendar = WorkingDayCalendar.from_file(holiday_file)
    persons = PersonRepository(FieldCipher(keys, "fields"), SearchIndex(keys), clock)
    cases = CaseService(
        sessions, clock, catalogue.active, auditor, calendar, persons, settings.station_code, settings.window_no
    )
    # An official schedule that arrived with this start (newer package or holiday file) makes the
    # provisional promised dates of open cases final, once, audited.
    recompute_provisional_dates(sessions, calendar, auditor, settings.station_code)
    ctx = AppContext(
        settings, engine, sessions, clock, keys, auditor, users, catalogue, calendar, persons, cases, warnings
    )
    from clerk_app.pages import PageService

    ctx.pages = PageService(sessions, clock, auditor, hall.attachments)  # hall database or local folder
    if settings.backoffice_url:
        from clerk_app.sync.runtime import build_sync

        try:
            ctx.sync = build_sync(ctx, keyring_module)
        except ClerkAppError as exc:  # e.g. plain http to another host, unreadable CA file
            log.warning("sync with the back office not started: %s", exc)
            warnings.append(exc.user_message())
        else:
            if start_sync:
                ctx.sync.start()
    return ctx
