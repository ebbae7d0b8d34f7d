"""The composition root: read settings, open the store, build every service, pick device backends
(through ``clerk_app.wiring.devices``), start the workers.

This is the **only** place that constructs services and backends (tests/test_layering.py checks that
no ui/ module does). Everything else receives its collaborators from here (no global registry); ``ui``
gets an AppContext and each page only the parts it uses.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.audit_queries import AuditQueries
from clerk_app.card_workflow import CardWorkflow
from clerk_app.cases import CaseService
from clerk_app.catalogue.loader import CatalogueError
from clerk_app.catalogue.store import CatalogueStore
from clerk_app.clock import Clock, SystemClock
from clerk_app.corrections import CorrectionService
from clerk_app.customer import CustomerService, seal_stored_comments
from clerk_app.delivery import DeliveryService
from clerk_app.errors import ClerkAppError
from clerk_app.identity_check import IdentityCheckService
from clerk_app.pages import PageService
from clerk_app.persons import PersonRepository
from clerk_app.promised_dates import recompute_provisional_dates
from clerk_app.queue import BuiltinQueue
from clerk_app.result_documents import ResultDocumentService
from clerk_app.retention import RetentionService
from clerk_app.roles import system_actor
from clerk_app.scan_session import ScanService
from clerk_app.search import CaseSearch
from clerk_app.security.crypto import FieldCipher, SearchIndex
from clerk_app.security.hall_keys import HallKeys, open_hall
from clerk_app.settings import Settings
from clerk_app.stats import StatsService
from clerk_app.store.db import open_store
from clerk_app.sync.wiring import PUSHED_CALENDAR
from clerk_app.users import UserService
from clerk_app.wiring.cards import DeviceCardPort
from clerk_app.wiring.devices import Devices
from clerk_app.wiring.scanning import PipelineProcessor
from clerk_app.workdays import WorkingDayCalendar

if TYPE_CHECKING:
    from clerk_app.sync.runtime import SyncRuntime
    from clerk_app.wiring.print_service import PrintingRuntime

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


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
    pages: PageService  # scanned pages and the attachment store
    search: CaseSearch
    delivery: DeliveryService
    customer: CustomerService
    stats: StatsService
    audit_queries: AuditQueries
    corrections: CorrectionService
    retention: RetentionService
    identity_checks: IdentityCheckService  # 人证比对
    queue: BuiltinQueue  # 叫号: the built-in hall queue (clerk_app/queue.py, docs/queue.md)
    results: ResultDocumentService  # the back office's result documents, back at the window (出件)
    devices: Devices  # card reader(s) and scanner, built from the settings on first use
    scans: ScanService  # scan batches into checklist lines, pages processed on both cores
    cards: CardWorkflow  # 读证: chip read → face kept → applicant saved → 人证比对 (clerk_app/card_workflow.py)
    startup_warnings: list[str] = field(default_factory=list)
    sync: SyncRuntime | None = None  # when backoffice_url is set (docs/sync.md)
    printing: PrintingRuntime | None = None  # the print outbox and its worker (clerk_app/wiring/printing.py)

    def close(self) -> None:
        if self.sync is not None:
            self.sync.stop()  # after the request in flight; the outbox keeps the rest
            self.sync = None
        self.devices.close()  # stops the card reader's monitor thread
        if self.printing is not None:
            self.printing.stop()  # after the job in hand; the outbox keeps the rest
        self.engine.dispose()

    def purge_expired_in_background(self) -> threading.Thread:
        """Retention at every start (docs/security.md): personal data and page images of cases handed
        out more than ``retention_days`` ago, by the system actor, on a plain thread. Short
        transactions, one per case, so it never holds up the clerk; a failure waits for the next start."""

        def work() -> None:
            try:
                result = self.retention.purge(system_actor(self.settings.station_code), self.settings.retention_days)
                if result.cases:
                    log.info("retention: purged %d cases", result.cases)
            except Exception:  # never take the app down; the next start tries again
                log.exception("retention purge failed")

        thread = threading.Thread(target=work, name="retention", daemon=True)
        thread.start()
        return thread


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
    settings: Settings,
    *,
    clock: Clock | None = None,
    keyring_module: Any = None,
    start_sync: bool = True,
    start_printing: bool = True,
) -> AppContext:
    """``start_sync=False`` / ``start_printing=False`` build the sync / print worker without starting
    its thread (admin commands; tests that drain the print outbox by hand)."""
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
    login_names = SearchIndex(keys)  # failed logins with an unknown name are audited as a keyed hash
    users = UserService(
        sessions, clock, auditor, settings.station_code, name_key=lambda name: login_names.token("login", name)
    )
    catalogue = CatalogueStore(sessions, clock, auditor)
    warnings: list[str] = []
    folder = Path(settings.catalogue_dir) if settings.catalogue_dir else RESOURCES / "catalogue"
    try:
        # Only a newer folder (or none active yet): a version pushed by the back office holds.
        catalogue.import_if_newer(folder, system_actor(settings.station_code))
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
        sessions,
        clock,
        catalogue.active,
        auditor,
        calendar,
        persons,
        settings.station_code,
        settings.window_no,
        catalogue_version=catalogue.version_of,
    )
    cases.claim_expiry = dt.timedelta(minutes=settings.claim_expiry_minutes)
    cases.confirmation_required = settings.customer_confirmation_required
    # An official schedule that arrived with this start (newer package or holiday file) makes the
    # provisional promised dates of open cases final, once, audited.
    recompute_provisional_dates(sessions, calendar, auditor, settings.station_code)
    # Rating comments an older version stored in clear (case and outbox): sealed once, here.
    seal_stored_comments(sessions, persons)
    attachments = hall.attachments  # the hall database (PostgreSQL) or the local folder (SQLite)
    pages = PageService(sessions, clock, auditor, attachments)
    pages.claim_expiry = cases.claim_expiry
    devices = Devices(settings)
    devices.check_allowed()  # outside demo mode a simulated device is refused, before anything starts
    search = CaseSearch(sessions, persons, auditor)
    identity_checks = IdentityCheckService(sessions, auditor, persons, attachments)
    ctx = AppContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        keys=keys,
        auditor=auditor,
        users=users,
        catalogue=catalogue,
        calendar=calendar,
        persons=persons,
        cases=cases,
        pages=pages,
        search=search,
        delivery=DeliveryService(sessions, cases, persons, auditor),
        customer=CustomerService(sessions, clock, auditor, persons),
        stats=StatsService(sessions, clock),
        audit_queries=AuditQueries(sessions, auditor, clock),
        corrections=CorrectionService(sessions, clock, auditor),
        retention=RetentionService(sessions, clock, auditor, persons, attachments),
        identity_checks=identity_checks,
        queue=BuiltinQueue(sessions, clock, auditor, settings.window_no),
        results=ResultDocumentService(sessions, attachments, auditor),
        devices=devices,
        scans=ScanService(pages, auditor, PipelineProcessor()),
        cards=CardWorkflow(DeviceCardPort(devices), cases, identity_checks, search),
        startup_warnings=warnings,
    )
    from clerk_app.wiring.printing import build_printing

    # decisions and handovers write their print jobs from now on; the worker prints them
    ctx.printing = build_printing(
        settings, sessions, keys, auditor, clock, cases, catalogue.active, start=start_printing, results=ctx.results
    )
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
