"""Retention: purge the local personal data and page images of cases the back office confirmed.

A case is due when it was handed out (status ``delivered``, or the back office reports
``delivered``/``confirmed`` in ``server_status``) and its last change is older than
``settings.retention_days``. Purging a case:

- replaces ``persons.pii`` of its applicant and agent with ``persons.TOMBSTONE`` and clears the
  search tokens and masked values (decision: tokens are cleared, not kept — a keyed hash of an ID
  number still singles a person out, and nothing needs to find a handed-out case by ID after the
  retention period; the case number still finds it);
- clears the case's own personal fields: the express delivery address (sealed and masked) and the
  applicant's rating comment;
- deletes the page image files, the chip photo and the department's result document (kept for 出件)
  from the attachment store, unless another case
  that is not purged still refers to the same content (the store is content-addressed); page rows
  (hash, size, position) stay as the skeleton, so the history still shows how many pages there were;
- keeps everything else: case, lines, transitions, corrections, audit trail.

Each purged case writes ``retention.purge_case`` (counts only); a run writes ``retention.run``.
Supervisors list purged cases with ``purged()``. Idempotent and batched: a run interrupted halfway
just continues next time (cases already purged are skipped by their audit event).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.attachments import AttachmentStore
from clerk_app.audit import Auditor
from clerk_app.clock import Clock, local_time
from clerk_app.lifecycle import CaseStatus
from clerk_app.persons import TOMBSTONE, PersonRepository
from clerk_app.result_documents import RESULT_KEY
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import AuditEvent, Case, CaseLine, Page, Person
from clerk_app.sync import state as sync_state

log = logging.getLogger(__name__)
CONFIRMED_SERVER = ("delivered", "confirmed")
PURGE_ACTION = "retention.purge_case"


@dataclass(frozen=True)
class PurgeCandidate:
    case_id: str
    case_number: str | None
    item_name: str
    last_change: dt.datetime


@dataclass(frozen=True)
class PurgeResult:
    cases: int
    persons: int
    files: int


@dataclass(frozen=True)
class PurgedCase:
    case_id: str
    purged_at: dt.datetime
    actor: str
    persons: int
    files: int
    case_number: str | None = None

    def cells(self) -> tuple[str, ...]:
        """Purged at, case (number, or id before one was given), by, personal records, files."""
        return (
            local_time(self.purged_at, seconds=True),
            self.case_number or self.case_id,
            self.actor,
            str(self.persons),
            str(self.files),
        )


class RetentionService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        auditor: Auditor,
        persons: PersonRepository,
        attachments: AttachmentStore | None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        self._persons = persons
        self._attachments = attachments

    def _cutoff(self, days: int) -> dt.datetime:
        return self._clock.now() - dt.timedelta(days=days)

    def _purged_ids(self, s: Session) -> set[str]:
        return {cid for cid in s.scalars(select(AuditEvent.case_id).where(AuditEvent.action == PURGE_ACTION)) if cid}

    def due(self, actor: Actor, days: int, *, limit: int = 10_000) -> list[PurgeCandidate]:
        """Cases whose personal data and images the next run would purge."""
        actor.require(Permission.DATA_PURGE)
        with self._sessions() as s:
            done = self._purged_ids(s)
            rows = s.execute(
                select(Case.id, Case.case_number, Case.item_name, Case.updated_at)
                .where(
                    or_(Case.status == CaseStatus.DELIVERED.value, Case.server_status.in_(CONFIRMED_SERVER)),
                    Case.updated_at < self._cutoff(days),
                )
                .order_by(Case.updated_at, Case.id)
                .limit(limit + len(done))
            ).all()
        return [PurgeCandidate(*r) for r in rows if r[0] not in done][:limit]

    def purge(self, actor: Actor, days: int, *, batch: int = 200) -> PurgeResult:
        actor.require(Permission.DATA_PURGE)
        total = PurgeResult(0, 0, 0)
        while True:
            candidates = self.due(actor, days, limit=batch)
            if not candidates:
                break
            for cand in candidates:
                persons, files = self._purge_case(actor, cand.case_id)
                total = PurgeResult(total.cases + 1, total.persons + persons, total.files + files)
            if len(candidates) < batch:
                break
        self._auditor.record_now(
            actor, "retention.run", days=days, cases=total.cases, persons=total.persons, files=total.files
        )
        return total

    def _purge_case(self, actor: Actor, case_id: str) -> tuple[int, int]:
        hashes: set[str] = set()
        persons = 0
        with self._sessions.begin() as s:
            case = s.get(Case, case_id)
            assert case is not None
            for pid in {case.applicant_id, case.agent_id} - {None}:
                row = s.get(Person, pid)
                if row is None or row.pii == TOMBSTONE:
                    continue
                try:
                    photo = self._persons.load(row).photo_sha256
                except Exception:  # undecryptable: still purge it
                    photo = None
                if photo:
                    hashes.add(photo)
                row.pii = TOMBSTONE
                row.id_token = row.name_token = None
                row.id_masked = row.name_masked = ""
                persons += 1
            case.delivery_address = None
            case.delivery_address_masked = None
            case.rating_comment = None
            hashes.update(
                s.scalars(
                    select(Page.sha256).join(CaseLine, CaseLine.id == Page.line_id).where(CaseLine.case_id == case_id)
                )
            )
            result_ref = sync_state.get_value(s, RESULT_KEY + case_id)  # the department's result document
            if result_ref:
                try:
                    sha = json.loads(result_ref).get("sha256")
                except (ValueError, AttributeError):
                    sha = None
                if isinstance(sha, str) and sha:
                    hashes.add(sha)
            # Keep files still referenced by a case that is not purged (content-addressed store).
            done = self._purged_ids(s) | {case_id}
            still_used = (
                {
                    sha
                    for sha, cid in s.execute(
                        select(Page.sha256, CaseLine.case_id)
                        .join(CaseLine, CaseLine.id == Page.line_id)
                        .where(Page.sha256.in_(hashes))
                    )
                    if cid not in done
                }
                if hashes
                else set()
            )
            to_delete = sorted(hashes - still_used)
            # Files go before the commit: if the process dies in between, the purge record is not
            # committed, so the next run purges the case again (already deleted files are skipped);
            # a committed purge record therefore always means the files are gone.
            files = 0
            if self._attachments is not None:
                for sha in to_delete:
                    if self._attachments.exists(sha):
                        self._attachments.delete(sha)
                        files += 1
            self._auditor.record(s, actor, PURGE_ACTION, case_id, persons=persons, files=files)
        return persons, files

    def purged(self, actor: Actor, *, limit: int = 1000) -> list[PurgedCase]:
        """The purge records, newest first (for the supervisor's list)."""
        actor.require(Permission.AUDIT_READ_ALL)
        with self._sessions() as s:
            rows = s.execute(
                select(AuditEvent, Case.case_number)
                .outerjoin(Case, Case.id == AuditEvent.case_id)
                .where(AuditEvent.action == PURGE_ACTION)
                .order_by(AuditEvent.seq.desc())
                .limit(limit)
            ).all()
        return [
            PurgedCase(
                r.case_id or "",
                r.at,
                r.actor,
                int(_d(r.detail).get("persons", 0)),
                int(_d(r.detail).get("files", 0)),
                number,
            )
            for r, number in rows
        ]


def _d(detail: Any) -> dict[str, Any]:
    return detail if isinstance(detail, dict) else json.loads(detail or "{}")
