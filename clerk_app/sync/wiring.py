"""Adapters from the sync worker's small interfaces to the core services (the composition root
builds these): back-office statuses through CaseService's lifecycle, pushed catalogues through
CatalogueStore's validate-then-activate, pushed holiday calendars into the WorkingDayCalendar."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.errors import DomainError
from clerk_app.lifecycle import CaseStatus
from clerk_app.result_documents import RESULT_KEY  # one key for the sync and the window
from clerk_app.roles import system_actor
from clerk_app.store.models import Case
from clerk_app.sync import state as sync_state

_E_RESULT_HASH = i18n.register(
    "error.sync.result_store_hash",
    "结果文书保存后校验不符，未记录",
    "The result document did not verify after it was stored; not recorded",
)

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
                s.execute(
                    update(Case)
                    .where(Case.id == case_id)
                    .values(server_status=target.value)
                    .execution_options(synchronize_session=False)
                )

    def apply_material_request(
        self, case_id: str, seq: int, reason: str | None, materials: tuple[tuple[str, str | None], ...]
    ) -> None:
        """补正: the requested materials become owed lines of the case (``CaseService.
        record_material_request``, idempotent by ``seq``); the case view shows the back office's
        status ``material_requested`` next to the local one (the local status stays: in approval)."""
        with self._sessions() as s:
            if s.get(Case, case_id) is None:
                return
        self._cases.record_material_request(self._actor, case_id, seq, reason, list(materials))
        with self._sessions.begin() as s:
            s.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(server_status="material_requested")
                .execution_options(synchronize_session=False)
            )


class AttachmentResultStore:
    """Keeps a downloaded result document (SHA-256 already checked against the feed) encrypted in the
    attachment store, and records its reference for the case in ``sync_state``
    (``result_document:<case id>`` → ``{"id", "sha256", "size"}``), where ``result_document_of`` finds
    it for the case view and 出件."""

    def __init__(self, store: Any, sessions: sessionmaker[Session]) -> None:
        self._store = store
        self._sessions = sessions

    def store_result(self, case_id: str, ref: Any, data: bytes) -> None:
        with self._sessions() as s:
            if s.get(Case, case_id) is None:
                return  # not a case of this store
        stored = self._store.put(data, "application/pdf")
        if stored.sha256 != ref.sha256:  # the store hashes what it wrote
            raise DomainError(_E_RESULT_HASH)
        with self._sessions.begin() as s:
            stored_ref: dict[str, Any] = {"id": ref.id, "sha256": ref.sha256, "size": ref.size}
            if getattr(ref, "filename", ""):  # feed API 1.2: the name the department uploaded
                stored_ref["filename"] = ref.filename
            sync_state.set_value(s, RESULT_KEY + case_id, json.dumps(stored_ref))


def result_document_of(sessions: sessionmaker[Session], case_id: str) -> dict[str, Any] | None:
    """The result document reference kept for a case (``{"id", "sha256", "size"}``), or None. The bytes
    are ``AttachmentStore.get(sha256)``."""
    with sessions() as s:
        raw = sync_state.get_value(s, RESULT_KEY + case_id)
    return json.loads(raw) if raw else None


class CatalogueStoreInstaller:
    """A pushed catalogue goes through CatalogueStore.import_raw: validated as a whole, activated in
    one transaction, or CatalogueError (listing every problem) with the previous version active."""

    def __init__(self, store: Any, station_code: str) -> None:
        self._store = store
        self._actor = system_actor(station_code)

    def install(self, version: str, content: dict[str, Any]) -> None:
        self._store.import_raw(content, f"backoffice:{version}", self._actor)


class TrustInstaller:
    """Trust material for passive authentication pushed by the back office
    (``{"files": {"name.pem": "<base64>", …}}``): the answer is checked as wire data first (an object of
    at most 200 files, names and base64 strings), then handed to ``install`` (``Devices.install_trust``),
    which checks the certificates, master-list signatures and CRL signers and swaps the bundle in
    atomically, or raises with the material in use unchanged. Audited as the system."""

    MAX_FILES = 200

    def __init__(
        self,
        install: Callable[[dict[str, bytes], str], tuple[int, int, int]],
        sessions: sessionmaker[Session],
        auditor: Any,
        station_code: str,
    ) -> None:
        self._install = install
        self._sessions = sessions
        self._auditor = auditor
        self._actor = system_actor(station_code)

    def install(self, version: str, content: dict[str, Any]) -> None:
        import base64
        import binascii

        files = content.get("files")
        if not isinstance(files, dict) or not files or len(files) > self.MAX_FILES:
            raise TrustPushRefused(problem=f"trust {version}: files must be an object of 1-{self.MAX_FILES} entries")
        decoded: dict[str, bytes] = {}
        for name, data in files.items():
            if not isinstance(name, str) or not isinstance(data, str):
                raise TrustPushRefused(problem=f"trust {version}: a file is not a base64 string")
            try:
                decoded[name] = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise TrustPushRefused(problem=f"trust {version}: a file is not valid base64") from None
        cscas, crls, master_lists = self._install(decoded, version)
        with self._sessions.begin() as s:
            self._auditor.record(
                s,
                self._actor,
                "trust.installed",
                None,
                version=version,
                files=len(decoded),
                cscas=cscas,
                crls=crls,
                master_lists=master_lists,
            )


class TrustPushRefused(DomainError):
    key = i18n.register(
        "sync.trust_refused",
        "后台推送的证件验证信任材料格式有误，未启用：{problem}。原有信任材料继续有效。",
        "Pushed trust material refused: {problem}; the material in use stays",
    )


PUSHED_CALENDAR = "holidays-backoffice.toml"  # in the data folder; preferred at start-up when present


class CalendarInstaller:
    """A pushed holiday calendar (the holiday file's structure as JSON: ``{"years": {"2027": {"holidays":
    [...], "workdays": [...], "source": "..."}}}``) is rendered as the TOML holiday file and checked with
    ``parse_holiday_file`` first; a refused file raises CalendarFileError and the calendar in use stays.
    An accepted one is written atomically to ``path`` (so it is used again after a restart) and then
    replaces the calendar's years in one assignment: promised dates computed at the same moment see
    either the old or the new calendar, never a mixture."""

    def __init__(
        self, calendar: Any, path: str | os.PathLike[str], on_installed: Callable[[], object] | None = None
    ) -> None:
        self._calendar = calendar
        self.path = Path(path)
        self._on_installed = on_installed  # e.g. recompute provisional promised dates

    def install(self, version: str, content: dict[str, Any]) -> None:
        import tomli_w

        from clerk_app.workdays import CalendarFileError, parse_holiday_file

        try:
            text = tomli_w.dumps(content)
        except (TypeError, ValueError) as exc:
            raise CalendarFileError(problem=f"calendar {version}: {type(exc).__name__}") from exc
        if not isinstance(content.get("years"), dict):
            raise CalendarFileError(problem=f"calendar {version}: [years] must be a table of years")
        years = parse_holiday_file(text, f"calendar {version}")
        if not years:
            raise CalendarFileError(problem=f"calendar {version}: no [years] in the file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            f"# Holiday calendar {version} from the back office; replaced by the next push.\n" + text, encoding="utf-8"
        )
        os.replace(tmp, self.path)
        self._calendar.file_years = years
        if self._on_installed is not None:
            self._on_installed()
