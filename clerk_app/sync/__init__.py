"""Sync with the back office (DESIGN.md §7): HTTP transport, case packets, the background worker.

Composition (done by the app context)::

    client = BackOfficeClient(TransportSettings(url, ca_file), StationCredentials(station))
    worker = SyncWorker(sessions, client, PacketBuilder(person_repository_decoder(persons), persons),
                        attachment_store, station_code=station,
                        status_applier=CaseServiceStatusApplier(case_service, sessions, station),
                        installers={"catalogue": CatalogueStoreInstaller(catalogue_store, station)},
                        on_state=..., on_progress=...)
    worker.start()   # ... worker.stop() on exit
"""

from clerk_app.sync.credentials import StationCredentials
from clerk_app.sync.errors import (
    AttachmentMissing,
    BackOfficeUnavailable,
    RequestRejected,
    StationNotAuthorised,
    SyncError,
)
from clerk_app.sync.packet import FolderAttachments, PacketBuilder, person_repository_decoder
from clerk_app.sync.transport import BackOfficeClient, TransportSettings
from clerk_app.sync.worker import (
    CycleReport,
    PublicationInstaller,
    StatusApplier,
    SyncProgress,
    SyncSettings,
    SyncState,
    SyncWorker,
)

__all__ = [
    "AttachmentMissing",
    "BackOfficeClient",
    "BackOfficeUnavailable",
    "CycleReport",
    "FolderAttachments",
    "PacketBuilder",
    "PublicationInstaller",
    "RequestRejected",
    "StationCredentials",
    "StationNotAuthorised",
    "StatusApplier",
    "SyncError",
    "SyncProgress",
    "SyncSettings",
    "SyncState",
    "SyncWorker",
    "TransportSettings",
    "person_repository_decoder",
]
