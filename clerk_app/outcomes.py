"""Outcomes of a case after the window's decision, for the back office (issue 14, part 4).

Every outcome the back office must learn — a return with one-time notice, a rejection, a delivery
(method and collector), a void, a correction — is written to the outbox **in the same transaction** as
the change itself (``kind="outcome"``) of the case's owning station (the one that decided it: its
worker sends it, whichever window of the hall acted), so it is sent exactly once: the key
``<case id>:<outcome>:<n>`` (n counting this case's outcomes of that kind) is the Idempotency-Key of
``POST /v1/cases/{case_id}/outcomes``; a retry after a lost answer is a replay, never a second outcome.

The payload is built now and sent as stored (deterministic, so a retry carries the same body). It holds
no personal data in clear: a collector is named by role and masked ID number, an express address only
masked (the full address stays encrypted on the case).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clerk_app.roles import Actor
from clerk_app.store.models import Case, OutboxEntry

OUTCOME_SCHEMA = "outcome/1"
OUTCOME_KINDS = ("return_with_notice", "rejection", "delivery", "void", "correction")


def enqueue_outcome(
    s: Session, case: Case, outcome: str, actor: Actor, now: dt.datetime, station: str, **details: Any
) -> OutboxEntry:
    """Add the outbox entry of ``outcome`` for ``case`` to the session's transaction."""
    if outcome not in OUTCOME_KINDS:
        raise ValueError(f"unknown outcome {outcome!r}")
    n = 1 + (
        s.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.case_id == case.id, OutboxEntry.kind == "outcome")
            .where(OutboxEntry.idempotency_key.like(f"{case.id}:{outcome}:%"))
        )
        or 0
    )
    payload: dict[str, Any] = {
        "schema_version": OUTCOME_SCHEMA,
        "case_id": case.id,
        "case_number": case.case_number,
        "outcome": outcome,
        "item_code": case.item_code,
        "at": now.astimezone(dt.UTC).isoformat(),
        "station_code": case.station_code,  # the owning station, whose worker sends it
        "acting_station": station,  # where it happened (通办: any window of the hall)
        "window_no": case.window_no,
        "actor_role": actor.role.value,
        "details": {k: v for k, v in details.items() if v is not None},
    }
    entry = OutboxEntry(
        case_id=case.id,
        kind="outcome",
        idempotency_key=f"{case.id}:{outcome}:{n}",
        payload=payload,
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    s.add(entry)
    return entry
