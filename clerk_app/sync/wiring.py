"""Adapters from the sync worker's small interfaces to the core services (the composition root
builds these): back-office statuses through CaseService's lifecycle, pushed catalogues through
CatalogueStore's validate-then-activate."""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.errors import DomainError
from clerk_app.lifecycle import CaseStatus
from clerk_app.roles import system_actor
from clerk_app.store.models import Case

# Back-office status → local lifecycle status. "received" means the back office holds the complete
# case (packet + every attachment verified), which is the local "synced".
SERVER_TO_LOCAL = {
    "received": CaseStatus.SYNCED,
    "in_approval": CaseStatus.IN_APPROVAL,
    "approved": CaseStatus.APPROVED,
    "disapproved": CaseStatus.DISAPPROVED,
    "result_ready": CaseStatus.RESULT_READY,
    "delivered": CaseStatus.DELIVERED,
}
_BEFORE_SYNC = {CaseStatus.ACCEPTED, CaseStatus.ACCEPTED_WITH_DEFICIENCIES, CaseStatus.SUPPLEMENTS_RECEIVED}


class CaseServiceStatusApplier:
    """Applies feed events with the system actor through ``CaseService.apply_server_status`` (which
    checks the transition, records it and writes the audit event). When the lifecycle refuses (a case
    voided or already delivered at the window), only ``Case.server_status`` is recorded, so the case
    view still shows what the back office says next to the local status."""

    def __init__(self, cases: Any, sessions: sessionmaker[Session], station_code: str) -> None:
        self._cases = cases
        self._sessions = sessions
        self._actor = system_actor(station_code)

    def apply_server_status(self, case_id: str, status: str, reason: str | None) -> None:
        target = SERVER_TO_LOCAL[status]
        with self._sessions() as s:
            case = s.get(Case, case_id)
            if case is None:
                return
            current = CaseStatus(case.status)
        try:
            if current in _BEFORE_SYNC and target is not CaseStatus.SYNCED:
                # The "received" event was applied under an older version or lost: catch up in order.
                self._cases.apply_server_status(self._actor, case_id, CaseStatus.SYNCED)
            self._cases.apply_server_status(self._actor, case_id, target, reason)
        except DomainError:  # TransitionForbidden, PermissionDenied
            with self._sessions.begin() as s:
                s.execute(update(Case).where(Case.id == case_id).values(server_status=target.value)
                          .execution_options(synchronize_session=False))


class CatalogueStoreInstaller:
    """A pushed catalogue goes through CatalogueStore.import_raw: validated as a whole, activated in
    one transaction, or CatalogueError (listing every problem) with the previous version active."""

    def __init__(self, store: Any, station_code: str) -> None:
        self._store = store
        self._actor = system_actor(station_code)

    def install(self, version: str, content: dict[str, Any]) -> None:
        self._store.import_raw(content, f"backoffice:{version}", self._actor)
