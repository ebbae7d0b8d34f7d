"""Back-office logic behind the HTTP API: station credentials, idempotent case receipt, resumable
attachment chunks verified by SHA-256, the status feed and catalogue/calendar publications.

Every function takes a ``Session`` and raises ``ApiProblem``; the FastAPI layer only translates.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.models import (
    AccessToken,
    Attachment,
    AttachmentChunk,
    CaseOutcome,
    Publication,
    Rating,
    ReceivedCase,
    ResultDocument,
    Station,
    StationAnchor,
    StatusEvent,
    Supplement,
)

TOKEN_TTL = dt.timedelta(hours=1)
MAX_CHUNK = 8 * 1024 * 1024

# Server status machine; "receiving" is internal (attachments outstanding) and never in the feed.
# material_requested (补正: the department asks the applicant for more material, through the window)
# goes back to in_approval when the department resumes.
FEED_STATUSES = (
    "received",
    "in_approval",
    "material_requested",
    "approved",
    "disapproved",
    "result_ready",
    "delivered",
)
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "receiving": (),
    "received": ("in_approval",),
    "in_approval": ("approved", "disapproved", "material_requested"),
    "material_requested": ("in_approval",),
    "approved": ("result_ready",),
    "disapproved": ("result_ready",),
    "result_ready": ("delivered",),
    "delivered": (),
}


@dataclass
class ApiProblem(Exception):
    status: int
    error: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone=True columns.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# -- secrets --------------------------------------------------------------------------------------
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def canonical_sha256(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def packet_digest(packet: dict[str, Any]) -> str:
    """The replay hash of a case packet: everything but ``app_version`` (the sender's version, which
    changes when a station is upgraded between a lost response and its retry; the case does not)."""
    return canonical_sha256({k: v for k, v in packet.items() if k != "app_version"})


_UNAUTHORIZED = ApiProblem(401, "unauthorized", "missing, unknown or expired credentials")


# -- stations -------------------------------------------------------------------------------------
def add_station(session: Session, code: str, name: str) -> str:
    """Create (or re-enrol) a station; returns a one-time enrolment code for its first registration."""
    enrolment = secrets.token_urlsafe(12)
    while enrolment.startswith("-"):  # typed on a command line ("enrol-station CODE"): not an option
        enrolment = secrets.token_urlsafe(12)
    station = session.scalar(select(Station).where(Station.code == code))
    if station is None:
        station = Station(code=code, name=name, created_at=utcnow(), active=True)
        session.add(station)
    station.name = name
    station.enrolment_hash = hash_secret(enrolment)
    session.commit()
    return enrolment


def register_station(session: Session, code: str, enrolment_code: str) -> str:
    """Exchange the one-time enrolment code for the station secret (returned once, stored hashed)."""
    station = session.scalar(select(Station).where(Station.code == code).with_for_update())
    if station is None or not station.active or not verify_secret(enrolment_code, station.enrolment_hash):
        raise ApiProblem(401, "unauthorized", "unknown station or enrolment code")
    secret = secrets.token_urlsafe(32)
    station.secret_hash = hash_secret(secret)
    station.enrolment_hash = None
    station.registered_at = utcnow()
    # A new secret revokes every token issued under the old one.
    for token in session.scalars(select(AccessToken).where(AccessToken.station_id == station.id)):
        session.delete(token)
    session.commit()
    return secret


def issue_token(session: Session, code: str, secret: str) -> tuple[str, int]:
    station = session.scalar(select(Station).where(Station.code == code))
    if station is None or not station.active or not verify_secret(secret, station.secret_hash):
        raise _UNAUTHORIZED
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AccessToken(
            token_hash=hashlib.sha256(token.encode()).hexdigest(), station_id=station.id, expires_at=now + TOKEN_TTL
        )
    )
    # Housekeeping: expired tokens of this station.
    for old in session.scalars(
        select(AccessToken).where(AccessToken.station_id == station.id, AccessToken.expires_at < now)
    ):
        session.delete(old)
    session.commit()
    return token, int(TOKEN_TTL.total_seconds())


def station_for_token(session: Session, token: str) -> Station:
    row = session.get(AccessToken, hashlib.sha256(token.encode()).hexdigest())
    if row is None or _aware(row.expires_at) < utcnow():
        raise _UNAUTHORIZED
    station = session.get(Station, row.station_id)
    if station is None or not station.active:
        raise _UNAUTHORIZED
    return station


# -- case packets ---------------------------------------------------------------------------------
@dataclass
class PacketReceipt:
    case_id: str
    status: str
    created: bool
    missing_attachments: list[str]


def _receipt(case: ReceivedCase, created: bool) -> PacketReceipt:
    missing = [a.sha256 for a in case.attachments if not a.complete]
    return PacketReceipt(case.id, case.status, created, missing)


def receive_packet(
    session: Session,
    station: Station,
    key: str,
    packet: dict[str, Any],
    pages: dict[str, bytes] | None = None,
) -> PacketReceipt:
    """Store a case packet once. Same key + same body → the original receipt; same key (or same case
    id) with another body → 409. Concurrent duplicates race on the unique key and converge.

    ``pages`` (sha256 → bytes, the inline form for small pages) are checked against the manifest
    (size and SHA-256) and stored with the case in the same transaction; on a replay they complete
    whatever is still missing. A page that is not in the manifest or does not match is refused (422)
    and nothing is stored."""
    pages = pages or {}
    digest = packet_digest(packet)
    case_id = packet["case_id"]
    existing = session.scalar(select(ReceivedCase).where(ReceivedCase.idempotency_key == key))
    if existing is None:
        existing = session.get(ReceivedCase, case_id)
        # (the key lookup may have run just before a concurrent duplicate committed)
        if existing is not None and existing.idempotency_key != key:
            raise ApiProblem(409, "case_exists", "this case was already received under another key")
    manifest = _check_inline_pages(packet, pages)
    if existing is not None:
        receipt = _check_replay(existing, station, digest)
        for sha in [m for m in receipt.missing_attachments if m in pages]:
            put_chunk(session, station, existing.id, sha, 0, pages[sha])  # verified above; commits
        if pages:
            session.expire_all()
            return _receipt(session.get(ReceivedCase, existing.id), created=False)  # type: ignore[arg-type]
        return receipt

    _check_pages_listed(packet, manifest)
    now = utcnow()
    case = ReceivedCase(
        id=case_id,
        station_id=station.id,
        idempotency_key=key,
        packet_sha256=digest,
        packet=packet,
        case_number=packet.get("case_number"),
        item_code=packet["item_code"],
        status="receiving" if manifest else "received",
        received_at=now,
        updated_at=now,
    )
    case.attachments = [
        Attachment(sha256=a["sha256"], size=a["size"], mime=a["mime"], received_bytes=0, complete=False)
        for a in manifest.values()
    ]
    session.add(case)
    if pages:
        session.flush()  # attachment ids for the chunks
        for att in case.attachments:
            inline = pages.get(att.sha256)
            if inline is not None:
                session.add(AttachmentChunk(attachment_id=att.id, offset=0, data=inline))
                att.received_bytes = att.size
                att.complete = True
                att.completed_at = now
        if all(a.complete for a in case.attachments):
            case.status = "received"
    if case.status == "received":
        session.add(StatusEvent(station_id=station.id, case_id=case_id, status="received", at=now))
    try:
        session.commit()
    except IntegrityError as exc:
        # A duplicate of this very request committed first (e.g. a retry racing the original).
        session.rollback()
        existing = session.scalar(select(ReceivedCase).where(ReceivedCase.idempotency_key == key))
        if existing is None:
            raise ApiProblem(409, "case_exists", "this case was already received under another key") from exc
        return _check_replay(existing, station, digest)
    return _receipt(case, created=True)


def _check_inline_pages(packet: dict[str, Any], pages: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """The packet's manifest by SHA-256; every inline page must be in it with that size and hash (422
    ``hash_mismatch`` otherwise: nothing is stored)."""
    manifest = {a["sha256"]: a for a in packet.get("attachments", [])}
    for sha, data in pages.items():
        entry = manifest.get(sha)
        if entry is None or len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != sha:
            raise ApiProblem(422, "hash_mismatch", "an inline page does not match the manifest", {"sha256": sha})
    return manifest


def _check_pages_listed(packet: dict[str, Any], manifest: dict[str, dict[str, Any]]) -> None:
    for line in packet.get("lines", []):
        for page in line.get("pages", []):
            if page["sha256"] not in manifest:
                raise ApiProblem(
                    422, "invalid_packet", "a page is not listed in the attachment manifest", {"sha256": page["sha256"]}
                )


def _check_replay(existing: ReceivedCase, station: Station, digest: str) -> PacketReceipt:
    if existing.station_id != station.id or existing.packet_sha256 != digest:
        raise ApiProblem(409, "idempotency_conflict", "this idempotency key was used for a different packet")
    return _receipt(existing, created=False)


# -- attachments ----------------------------------------------------------------------------------
def _attachment(session: Session, station: Station, case_id: str, sha256: str, *, lock: bool = False) -> Attachment:
    query = (
        select(Attachment)
        .join(ReceivedCase)
        .where(Attachment.case_id == case_id, Attachment.sha256 == sha256, ReceivedCase.station_id == station.id)
    )
    if lock:
        query = query.with_for_update()
    att = session.scalar(query)
    if att is None:
        raise ApiProblem(404, "not_found", "no such attachment in a case of this station")
    return att


def attachment_state(att: Attachment) -> dict[str, Any]:
    return {"sha256": att.sha256, "size": att.size, "offset": att.received_bytes, "complete": att.complete}


def get_attachment(session: Session, station: Station, case_id: str, sha256: str) -> dict[str, Any]:
    return attachment_state(_attachment(session, station, case_id, sha256))


def put_chunk(
    session: Session, station: Station, case_id: str, sha256: str, offset: int, data: bytes
) -> dict[str, Any]:
    """Append ``data`` at ``offset``. A chunk the server already holds (a retried request whose response
    was lost) is acknowledged without being stored twice; a gap is refused with the real offset."""
    att = _attachment(session, station, case_id, sha256, lock=True)
    if att.complete or offset + len(data) <= att.received_bytes:
        state = attachment_state(att)
        session.rollback()
        return state
    if offset != att.received_bytes:
        raise ApiProblem(
            409, "offset_mismatch", "upload must continue at the server's offset", {"offset": att.received_bytes}
        )
    if offset + len(data) > att.size:
        raise ApiProblem(422, "too_large", "chunk runs past the declared size", {"offset": att.received_bytes})
    if not data:
        raise ApiProblem(422, "empty_chunk", "a chunk must not be empty", {"offset": att.received_bytes})
    whole = offset == 0 and len(data) == att.size
    if whole and hashlib.sha256(data).hexdigest() != att.sha256:
        raise ApiProblem(422, "hash_mismatch", "received bytes do not match the SHA-256; upload again", {"offset": 0})
    session.add(AttachmentChunk(attachment_id=att.id, offset=offset, data=data))
    att.received_bytes = offset + len(data)
    if whole:
        # The whole file in one chunk, already verified: complete it now and save the client the
        # finalize round trip (most scanned pages fit in one chunk).
        _complete(session, att)
    session.commit()
    return attachment_state(att)


def _complete(session: Session, att: Attachment) -> None:
    now = utcnow()
    att.complete = True
    att.completed_at = now
    case = att.case
    if case.status == "receiving" and all(a.complete for a in case.attachments):
        case.status = "received"
        case.updated_at = now
        session.add(StatusEvent(station_id=case.station_id, case_id=case.id, status="received", at=now))


def finalize_attachment(session: Session, station: Station, case_id: str, sha256: str) -> dict[str, Any]:
    att = _attachment(session, station, case_id, sha256, lock=True)
    if att.complete:
        state = attachment_state(att)
        session.rollback()
        return state
    if att.received_bytes != att.size:
        raise ApiProblem(409, "incomplete", "not all bytes were received", {"offset": att.received_bytes})
    digest = hashlib.sha256()
    for chunk in session.scalars(
        select(AttachmentChunk.data)
        .where(AttachmentChunk.attachment_id == att.id)
        .order_by(AttachmentChunk.offset)
        .execution_options(yield_per=8)
    ):
        digest.update(chunk)
    if digest.hexdigest() != att.sha256:
        # Start over: the client re-sends from offset 0.
        for chunk_row in session.scalars(select(AttachmentChunk).where(AttachmentChunk.attachment_id == att.id)):
            session.delete(chunk_row)
        att.received_bytes = 0
        session.commit()
        raise ApiProblem(422, "hash_mismatch", "received bytes do not match the SHA-256; upload again", {"offset": 0})
    _complete(session, att)
    session.commit()
    return attachment_state(att)


def read_attachment(session: Session, case_id: str, sha256: str) -> bytes:
    """Whole attachment (admin/tests)."""
    att = session.scalar(select(Attachment).where(Attachment.case_id == case_id, Attachment.sha256 == sha256))
    if att is None:
        raise ApiProblem(404, "not_found", "no such attachment")
    return b"".join(
        session.scalars(
            select(AttachmentChunk.data).where(AttachmentChunk.attachment_id == att.id).order_by(AttachmentChunk.offset)
        )
    )


# -- status ---------------------------------------------------------------------------------------
def advance_case(
    session: Session,
    case_id: str,
    status: str,
    reason: str | None,
    *,
    detail: dict[str, Any] | None = None,
    actor_id: int | None = None,
    commit: bool = True,
) -> ReceivedCase:
    case = session.get(ReceivedCase, case_id, with_for_update=True)
    if case is None:
        raise ApiProblem(404, "not_found", "no such case")
    return transition(session, case, status, reason, detail=detail, actor_id=actor_id, commit=commit)


def transition(
    session: Session,
    case: ReceivedCase,
    status: str,
    reason: str | None,
    *,
    detail: dict[str, Any] | None = None,
    actor_id: int | None = None,
    commit: bool = True,
) -> ReceivedCase:
    """Moves a (locked) case to ``status`` and emits the feed event, with the event's added fields in
    ``detail`` (legal_basis, materials, result_document)."""
    if status not in NEXT_STATUSES.get(case.status, ()):
        raise ApiProblem(
            409, "invalid_transition", f"cannot go from {case.status} to {status}", {"current": case.status}
        )
    if status == "disapproved" and not (reason and reason.strip()):
        raise ApiProblem(422, "reason_required", "a disapproval needs a reason")
    if status == "result_ready" and not (detail and "result_document" in detail):
        doc = latest_result_document(session, case.id)
        if doc is not None:
            detail = dict(detail or {}, result_document=result_document_ref(doc))
    now = utcnow()
    case.status = status
    case.status_reason = reason
    case.updated_at = now
    session.add(
        StatusEvent(
            station_id=case.station_id,
            case_id=case.id,
            status=status,
            reason=reason,
            at=now,
            detail=detail or None,
            actor_id=actor_id,
        )
    )
    if commit:
        session.commit()
    return case


def latest_result_document(session: Session, case_id: str) -> ResultDocument | None:
    return session.scalar(
        select(ResultDocument).where(ResultDocument.case_id == case_id).order_by(ResultDocument.id.desc()).limit(1)
    )


def result_document_ref(doc: ResultDocument) -> dict[str, Any]:
    return {"id": doc.id, "sha256": doc.sha256, "size": doc.size, "filename": doc.filename}


def result_document_for_station(session: Session, station: Station, case_id: str) -> ResultDocument:
    """The result document of one of this station's cases, once the case is result_ready (or delivered)."""
    case = session.get(ReceivedCase, case_id)
    if case is None or case.station_id != station.id:
        raise ApiProblem(404, "not_found", "no such case from this station")
    doc = latest_result_document(session, case_id)
    if doc is None or case.status not in ("result_ready", "delivered"):
        raise ApiProblem(404, "not_found", "this case has no result document ready")
    return doc


def status_feed(session: Session, station: Station, after: int, limit: int) -> dict[str, Any]:
    rows = session.scalars(
        select(StatusEvent)
        .where(StatusEvent.station_id == station.id, StatusEvent.seq > after)
        .order_by(StatusEvent.seq)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    events = [
        {
            "seq": r.seq,
            "case_id": r.case_id,
            "status": r.status,
            "reason": r.reason,
            "at": _aware(r.at).isoformat(),
            "legal_basis": (r.detail or {}).get("legal_basis"),
            "materials": (r.detail or {}).get("materials"),
            "result_document": (r.detail or {}).get("result_document"),
        }
        for r in rows
    ]
    # head_seq lets a station notice a cursor ahead of this server (a restored back office) and re-read.
    head = session.scalar(select(func.max(StatusEvent.seq)).where(StatusEvent.station_id == station.id)) or 0
    return {"events": events, "next_cursor": rows[-1].seq if rows else after, "has_more": more, "head_seq": head}


def case_summaries(session: Session, case_id: str | None = None) -> list[dict[str, Any]]:
    count_q = select(Attachment.case_id, func.count()).where(Attachment.complete).group_by(Attachment.case_id)
    case_q = select(ReceivedCase).order_by(ReceivedCase.received_at)
    if case_id is not None:
        count_q = count_q.where(Attachment.case_id == case_id)
        case_q = case_q.where(ReceivedCase.id == case_id)
    counts = dict(session.execute(count_q).all())
    return [
        {
            "case_id": c.id,
            "case_number": c.case_number,
            "item_code": c.item_code,
            "status": c.status,
            "attachments": len(c.packet.get("attachments", [])),
            "attachments_complete": counts.get(c.id, 0),
        }
        for c in session.scalars(case_q)
    ]


# -- ratings --------------------------------------------------------------------------------------
def _station_key(station: Station, key: str) -> str:
    """Idempotency keys of ratings are kept per station: one station's key can neither collide with
    nor reveal another station's (the column is unique across stations, String(128))."""
    scoped = f"{station.id}:{key}"
    return scoped if len(scoped) <= 128 else f"{station.id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def receive_rating(session: Session, station: Station, key: str, body: dict[str, Any]) -> bool:
    """Store a case's rating once. Returns True when stored now, False for a replay of the same key and
    body; the same key with another body, or a second rating of the case under another key, is 409.

    Ratings belong to the station that sent them (unique per station and case; keys scoped per
    station). A case returned or rejected at the window sends no packet and is rated too, so a rating
    is not refused for lack of a packet — and therefore also not for a case id another station used:
    such a rating is kept as the sending station's own, never attached to the other station's case,
    and the answer is the same as for any unknown id (no existence oracle)."""
    digest = canonical_sha256(body)
    scoped = _station_key(station, key)
    existing = session.scalar(
        select(Rating).where(Rating.idempotency_key.in_((scoped, key)), Rating.station_id == station.id)
    )
    if existing is not None:  # (unscoped: a rating stored before keys were scoped)
        return _rating_replay(existing, digest)
    session.add(
        Rating(
            station_id=station.id,
            case_id=body["case_id"],
            idempotency_key=scoped,
            body_sha256=digest,
            rating=body["rating"],
            body=body,
            received_at=utcnow(),
        )
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        existing = session.scalar(select(Rating).where(Rating.idempotency_key == scoped))
        if existing is None:
            raise ApiProblem(409, "rating_exists", "this case was already rated under another key") from exc
        return _rating_replay(existing, digest)
    return True


def _rating_replay(existing: Rating, digest: str) -> bool:
    if existing.body_sha256 != digest:
        raise ApiProblem(409, "idempotency_conflict", "this idempotency key was used for a different rating")
    return False


# -- outcomes after the decision ------------------------------------------------------------------
def receive_outcome(session: Session, station: Station, key: str, body: dict[str, Any]) -> bool:
    """Store an outcome once. True when stored now, False for a replay of the same key and body; the
    same key with another body is 409. Recorded for the approvers (``case_outcomes``); the approval
    workflow itself is not changed by it."""
    digest = canonical_sha256(body)
    existing = session.scalar(select(CaseOutcome).where(CaseOutcome.idempotency_key == key))
    if existing is not None:
        return _outcome_replay(existing, station, digest)
    session.add(
        CaseOutcome(
            station_id=station.id,
            case_id=body["case_id"],
            outcome=body["outcome"],
            idempotency_key=key,
            body_sha256=digest,
            body=body,
            received_at=utcnow(),
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(CaseOutcome).where(CaseOutcome.idempotency_key == key))
        if existing is None:
            raise
        return _outcome_replay(existing, station, digest)
    return True


def _outcome_replay(existing: CaseOutcome, station: Station, digest: str) -> bool:
    if existing.station_id != station.id or existing.body_sha256 != digest:
        raise ApiProblem(409, "idempotency_conflict", "this idempotency key was used for a different outcome")
    return False


def case_outcomes(session: Session, case_id: str) -> list[dict[str, Any]]:
    """The outcomes received for a case, in order (admin/workbench)."""
    rows = session.scalars(select(CaseOutcome).where(CaseOutcome.case_id == case_id).order_by(CaseOutcome.id))
    return [
        {
            "outcome": r.outcome,
            "idempotency_key": r.idempotency_key,
            "received_at": r.received_at.isoformat(),
            "body": r.body,
        }
        for r in rows
    ]


# -- supplements (容缺) ----------------------------------------------------------------------------
def receive_supplements(session: Session, station: Station, key: str, body: dict[str, Any]) -> PacketReceipt:
    """Store a supplement record once and register its pages' files as attachments of the case (the
    receipt lists those still missing, uploaded through the attachment endpoints). Same key + same body
    → the original receipt (created False); same key with another body → 409. The case must have been
    received from this station (404 otherwise) and every line must be one of its packet's lines."""
    digest = canonical_sha256(body)
    case_id = body["case_id"]
    existing = session.scalar(select(Supplement).where(Supplement.idempotency_key == key))
    if existing is not None:
        return _supplement_replay(session, existing, station, digest)
    case = session.scalar(
        select(ReceivedCase).where(ReceivedCase.id == case_id, ReceivedCase.station_id == station.id).with_for_update()
    )
    if case is None:
        raise ApiProblem(404, "not_found", "no such case from this station (send its packet first)")
    known = {line["requirement_code"] for line in case.packet.get("lines", [])} | requested_lines(session, case_id)
    manifest = {a["sha256"]: a for a in body.get("attachments", [])}
    codes: list[str] = []
    for line in body["lines"]:
        if line["requirement_code"] not in known:
            raise ApiProblem(
                422,
                "unknown_line",
                "a supplemented line is not a line of the case",
                {"requirement_code": line["requirement_code"]},
            )
        codes.append(line["requirement_code"])
        for page in line.get("pages", []):
            if page["sha256"] not in manifest:
                raise ApiProblem(
                    422, "invalid_packet", "a page is not listed in the attachment manifest", {"sha256": page["sha256"]}
                )
    held = {a.sha256 for a in case.attachments}
    for sha, ref in manifest.items():
        if sha not in held:
            case.attachments.append(
                Attachment(sha256=sha, size=ref["size"], mime=ref["mime"], received_bytes=0, complete=False)
            )
    now = utcnow()
    case.updated_at = now
    session.add(
        Supplement(
            station_id=station.id,
            case_id=case_id,
            idempotency_key=key,
            body_sha256=digest,
            lines=sorted(codes),
            body=body,
            received_at=now,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(select(Supplement).where(Supplement.idempotency_key == key))
        if existing is None:
            raise
        return _supplement_replay(session, existing, station, digest)
    return _supplement_receipt(case, body, created=True)


def requested_lines(session: Session, case_id: str) -> set[str]:
    """The line codes a station gives the materials this office requested (补正): the n-th material of
    the material_requested event ``seq`` is line ``BZ<seq>-<n>`` (the workstation's
    ``clerk_app.cases.request_line_code``), so their supplements are lines of the case too."""
    rows = session.execute(
        select(StatusEvent.seq, StatusEvent.detail).where(
            StatusEvent.case_id == case_id, StatusEvent.status == "material_requested"
        )
    ).all()
    return {f"BZ{seq}-{n}" for seq, detail in rows for n in range(1, len((detail or {}).get("materials") or []) + 1)}


def _supplement_receipt(case: ReceivedCase, body: dict[str, Any], created: bool) -> PacketReceipt:
    wanted = {a["sha256"] for a in body.get("attachments", [])}
    missing = [a.sha256 for a in case.attachments if a.sha256 in wanted and not a.complete]
    return PacketReceipt(case.id, case.status, created, missing)


def _supplement_replay(session: Session, existing: Supplement, station: Station, digest: str) -> PacketReceipt:
    if existing.station_id != station.id or existing.body_sha256 != digest:
        raise ApiProblem(409, "idempotency_conflict", "this idempotency key was used for different supplements")
    case = session.get(ReceivedCase, existing.case_id)
    assert case is not None  # foreign key
    return _supplement_receipt(case, existing.body, created=False)


def supplemented_lines(session: Session, case_id: str) -> list[str]:
    """The requirement codes of a case received later as supplements (admin/tests)."""
    rows = session.scalars(select(Supplement.lines).where(Supplement.case_id == case_id).order_by(Supplement.id))
    return sorted({code for lines in rows for code in lines})


# -- publications ---------------------------------------------------------------------------------
TRUST_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(pem|crt|cer|der|ml|crl)", re.IGNORECASE)
TRUST_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
TRUST_MAX_FILES = 200


def check_trust_bundle(version: str, content: dict[str, Any]) -> None:
    """A trust bundle (CSCA certificates, ICAO master lists, CRLs for passive authentication at the
    windows) is ``{"files": {"name.pem": "<base64>", …}}``. Its shape is checked here; the station checks
    the certificates, master-list signatures and CRL signers again before using any of it."""
    if not TRUST_VERSION.fullmatch(version):
        raise ApiProblem(422, "invalid_publication", "a trust version is 1-64 of A-Z a-z 0-9 . _ -")
    files = content.get("files")
    if set(content) != {"files"} or not isinstance(files, dict) or not files:
        raise ApiProblem(422, "invalid_publication", 'a trust bundle is {"files": {name: base64}}, not empty')
    if len(files) > TRUST_MAX_FILES:
        raise ApiProblem(422, "invalid_publication", f"at most {TRUST_MAX_FILES} files in a trust bundle")
    for name, data in files.items():
        if not TRUST_FILE_NAME.fullmatch(name):
            raise ApiProblem(422, "invalid_publication", "trust file names end in .pem .crt .cer .der .ml or .crl")
        if not isinstance(data, str):
            raise ApiProblem(422, "invalid_publication", "trust files are base64 strings")
        try:
            base64.b64decode(data, validate=True)
        except ValueError:
            raise ApiProblem(422, "invalid_publication", "a trust file is not valid base64") from None


def publish(session: Session, kind: str, version: str, content: dict[str, Any]) -> Publication:
    if kind == "trust":
        check_trust_bundle(version, content)
    existing = session.scalar(select(Publication).where(Publication.kind == kind, Publication.version == version))
    digest = canonical_sha256(content)
    if existing is not None:
        if existing.sha256 != digest:
            raise ApiProblem(409, "version_exists", "this version was published with other content")
        return existing
    pub = Publication(kind=kind, version=version, sha256=digest, content=content, published_at=utcnow())
    session.add(pub)
    session.commit()
    return pub


def latest_publication(session: Session, kind: str) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.kind == kind).order_by(Publication.id.desc()).limit(1))


# -- anchors (a rolled-back workstation store is detected at its next sync) ------------------------
def record_anchor(session: Session, station: Station, body: dict[str, Any]) -> dict[str, Any]:
    """Store the station's latest audit head; keep the highest case-number counter per day (they never
    go down here, whatever the station sends). Returns what was known *before* this call."""
    row = session.get(StationAnchor, station.id, with_for_update=True)
    known: dict[str, int] = {str(k): int(v) for k, v in (row.case_counters if row is not None else {}).items()}
    before: dict[str, Any] = {
        "audit_seq": row.audit_seq if row is not None else 0,
        "audit_hash": row.audit_hash if row is not None else "0" * 64,
        "case_counters": dict(known),
    }
    counters = dict(known)
    for day, value in body.get("case_counters", {}).items():
        counters[day] = max(int(counters.get(day, 0)), int(value))
    # Only the newest days matter (numbers are given out for today); keep a month.
    counters = dict(sorted(counters.items())[-31:])
    if row is None:
        row = StationAnchor(station_id=station.id)
        session.add(row)
    row.audit_seq = body["audit_seq"]
    row.audit_hash = body["audit_hash"]
    row.case_counters = counters
    row.updated_at = utcnow()
    session.commit()
    return before
