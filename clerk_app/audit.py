"""Append-only audit trail chained by SHA-256.

Each event's hash = SHA-256(previous hash ‖ canonical JSON of the event). The chain head row is
locked while appending (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers anyway), so
the chain never forks. ``verify()`` walks the chain and returns the first broken event.
Details must never hold personal data: callers pass codes, counts and masked values only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from clerk_app.clock import Clock
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import AuditEvent, AuditHead

GENESIS = "0" * 64
CHAIN = "main"


def _canonical(
    seq: int,
    at: dt.datetime,
    actor: str,
    role: str,
    station: str,
    action: str,
    case_id: str | None,
    detail: dict[str, Any],
) -> bytes:
    # Timestamps are normalised to UTC microseconds so SQLite and PostgreSQL hash the same text.
    at_utc = at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return json.dumps(
        {
            "seq": seq,
            "at": at_utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": actor,
            "role": role,
            "station": station,
            "action": action,
            "case": case_id,
            "detail": detail,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def event_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str  # "hash mismatch" | "link mismatch" | "sequence gap" | "head mismatch"


class Auditor:
    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = session_factory
        self._clock = clock

    def record(
        self, session: Session, actor: Actor, action: str, case_id: str | None = None, **detail: Any
    ) -> AuditEvent:
        """Append an event inside the caller's transaction (so it commits with the action)."""
        # Take the write lock before reading the head. PostgreSQL's FOR UPDATE below does that; SQLite
        # ignores FOR UPDATE and only locks at the first write, so two threads (the GUI and the print
        # or sync worker) could read the same head and the second insert would fail on ``seq``. A no-op
        # UPDATE makes this transaction the writer first; the head read after it is the newest one.
        session.execute(
            update(AuditHead)
            .where(AuditHead.chain == CHAIN)
            .values(last_seq=AuditHead.last_seq)
            .execution_options(synchronize_session=False)
        )
        head = session.execute(select(AuditHead).where(AuditHead.chain == CHAIN).with_for_update()).scalar_one_or_none()
        if head is None:
            head = AuditHead(chain=CHAIN, last_seq=0, last_hash=GENESIS)
            session.add(head)
        seq = head.last_seq + 1
        at = self._clock.now()
        clean = json.loads(json.dumps(detail, ensure_ascii=False, default=str))
        digest = event_hash(
            head.last_hash, _canonical(seq, at, actor.username, actor.role.value, actor.station, action, case_id, clean)
        )
        event = AuditEvent(
            seq=seq,
            at=at,
            actor=actor.username,
            role=actor.role.value,
            station=actor.station,
            action=action,
            case_id=case_id,
            detail=clean,
            prev_hash=head.last_hash,
            hash=digest,
        )
        session.add(event)
        head.last_seq, head.last_hash = seq, digest
        session.flush()
        return event

    def record_now(self, actor: Actor, action: str, case_id: str | None = None, **detail: Any) -> None:
        """Append in a transaction of its own (login, logout, settings change ...)."""
        with self._sessions.begin() as session:
            self.record(session, actor, action, case_id, **detail)

    def verify(self) -> ChainBreak | None:
        """Walk the whole chain; return the first broken event, or None if intact."""
        prev, expected_seq = GENESIS, 1
        with self._sessions() as session:
            result = session.execute(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000))
            try:
                for ev in result.scalars():
                    if ev.seq != expected_seq:
                        return ChainBreak(expected_seq, "sequence gap")
                    if ev.prev_hash != prev:
                        return ChainBreak(ev.seq, "link mismatch")
                    digest = event_hash(
                        prev, _canonical(ev.seq, ev.at, ev.actor, ev.role, ev.station, ev.action, ev.case_id, ev.detail)
                    )
                    if digest != ev.hash:
                        return ChainBreak(ev.seq, "hash mismatch")
                    prev, expected_seq = ev.hash, expected_seq + 1
            finally:
                result.close()  # a server-side cursor on PostgreSQL when we stop early
            head = session.get(AuditHead, CHAIN)
            if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev):
                return ChainBreak(min(head.last_seq, expected_seq - 1), "head mismatch")
        return None

    def events(self, actor: Actor, *, case_id: str | None = None, limit: int = 500) -> Iterator[AuditEvent]:
        """Events the actor may read: everything for supervisors, their own otherwise."""
        stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if not actor.can(Permission.AUDIT_READ_ALL):
            actor.require(Permission.AUDIT_READ_OWN)
            stmt = stmt.where(AuditEvent.actor == actor.username)
        if case_id:
            stmt = stmt.where(AuditEvent.case_id == case_id)
        with self._sessions() as session:
            yield from session.execute(stmt).scalars().all()
