"""The sync worker as the app runs it: built by the composition root when ``backoffice_url`` is set,
started with the app, stopped by ``AppContext.close()``. Qt-free.

The worker calls one ``on_state``/``on_progress`` callback on its own thread; ``SyncRuntime`` fans
them out to listeners that come and go (a main window per signed-in user: ui/sync_ui.py forwards them
through a queued Qt signal) and keeps the last state for a listener that arrives late.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk_app.promised_dates import recompute_provisional_dates
from clerk_app.sync.credentials import StationCredentials
from clerk_app.sync.packet import PacketBuilder, person_repository_decoder
from clerk_app.sync.transport import BackOfficeClient, TransportSettings
from clerk_app.sync.wiring import (
    PUSHED_CALENDAR,
    AttachmentResultStore,
    CalendarInstaller,
    CaseServiceStatusApplier,
    CatalogueStoreInstaller,
    TrustInstaller,
)
from clerk_app.sync.worker import CycleReport, SyncProgress, SyncSettings, SyncState, SyncWorker

if TYPE_CHECKING:
    from clerk_app.app_context import AppContext

log = logging.getLogger(__name__)


StateListener = Callable[[SyncState], None]
ProgressListener = Callable[[SyncProgress], None]


class SyncRuntime:
    def __init__(self, client: BackOfficeClient, worker_factory: Callable[..., SyncWorker]) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._state_listeners: list[StateListener] = []
        self._progress_listeners: list[ProgressListener] = []
        self.worker = worker_factory(on_state=self._state, on_progress=self._progress)
        self.last_state: SyncState = SyncState()

    # -- listeners (any thread) ------------------------------------------------------------------
    def add_listener(self, on_state: StateListener | None = None, on_progress: ProgressListener | None = None) -> None:
        with self._lock:
            if on_state is not None:
                self._state_listeners.append(on_state)
            if on_progress is not None:
                self._progress_listeners.append(on_progress)

    def remove_listener(
        self, on_state: StateListener | None = None, on_progress: ProgressListener | None = None
    ) -> None:
        with self._lock:
            if on_state in self._state_listeners:
                self._state_listeners.remove(on_state)
            if on_progress in self._progress_listeners:
                self._progress_listeners.remove(on_progress)

    def _state(self, state: SyncState) -> None:
        self.last_state = state
        with self._lock:
            listeners = list(self._state_listeners)
        for listener in listeners:
            try:
                listener(state)
            except Exception:  # a listener must not stop the others or the worker
                log.exception("sync state listener failed")

    def _progress(self, progress: SyncProgress) -> None:
        with self._lock:
            listeners = list(self._progress_listeners)
        for listener in listeners:
            try:
                listener(progress)
            except Exception:
                log.exception("sync progress listener failed")

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.client.close()

    def run_once(self, cancel: threading.Event | None = None) -> CycleReport:
        return self.worker.run_once(cancel)

    def retry_failed(self) -> int:
        return self.worker.retry_failed()

    def current_state(self) -> SyncState:
        """The last published state, with the outbox counts read now (for a window opening before the
        first cycle ended)."""
        from dataclasses import replace

        pending, failed = self.worker.counts()
        return replace(self.last_state, pending=pending, failed=failed)


def build_sync(ctx: AppContext, keyring_module: Any) -> SyncRuntime:
    """The wiring of docs/sync.md over the context's services. The station secret is read from
    ``keyring_module`` (the app's keyring) when a token is needed; it is never written to a file or log."""
    settings = ctx.settings
    station = settings.station_code
    client = BackOfficeClient(
        TransportSettings(settings.backoffice_url, ca_file=settings.backoffice_ca_file or None),
        StationCredentials(station, keyring_module),
    )
    calendar_path = Path(settings.resolved_data_dir()) / PUSHED_CALENDAR

    def factory(**callbacks: Any) -> SyncWorker:
        return SyncWorker(
            ctx.sessions,
            client,
            PacketBuilder(person_repository_decoder(ctx.persons), ctx.persons),
            ctx.pages.store,
            station_code=station,
            status_applier=CaseServiceStatusApplier(ctx.cases, ctx.sessions, station),
            result_sink=AttachmentResultStore(ctx.pages.store, ctx.sessions),
            installers={
                "catalogue": CatalogueStoreInstaller(ctx.catalogue, station),
                "trust": TrustInstaller(ctx.devices.install_trust, ctx.sessions, ctx.auditor, station),
                "calendar": CalendarInstaller(
                    ctx.calendar,
                    calendar_path,
                    lambda: recompute_provisional_dates(ctx.sessions, ctx.calendar, ctx.auditor, station),
                ),
            },
            settings=SyncSettings(poll_interval=float(settings.sync_interval_seconds)),
            **callbacks,
        )

    return SyncRuntime(client, factory)
