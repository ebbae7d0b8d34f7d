"""Tables of the reference back office (its own database; shares nothing with the workstation store).

Received cases keep the packet exactly as uploaded plus its canonical SHA-256, so a retried upload is
recognised (same key, same body) and a reused key with another body is refused. Attachment bytes are
stored as chunks in the database, keyed by their offset, so an interrupted upload resumes from the
last committed chunk and the whole file is verified by SHA-256 before the case counts as received.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Station(Base):
    """A window workstation allowed to send cases. Only hashes of its secrets are stored."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    enrolment_hash: Mapped[str | None] = mapped_column(String(200))  # one-time code, cleared on use
    secret_hash: Mapped[str | None] = mapped_column(String(200))  # scrypt of the station secret
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccessToken(Base):
    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the bearer token
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ReceivedCase(Base):
    __tablename__ = "received_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the workstation's case UUID
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    packet_sha256: Mapped[str] = mapped_column(String(64))
    packet: Mapped[dict] = mapped_column(JSON)
    case_number: Mapped[str | None] = mapped_column(String(40), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    # receiving (attachments outstanding) | received | in_approval | approved | disapproved
    # | result_ready | delivered
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    attachments: Mapped[list[Attachment]] = relationship(back_populates="case", order_by="Attachment.id")


class Attachment(Base):
    """One file of a case's material manifest, filled chunk by chunk."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("received_cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(64))
    received_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    case: Mapped[ReceivedCase] = relationship(back_populates="attachments")


class AttachmentChunk(Base):
    __tablename__ = "attachment_chunks"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class StatusEvent(Base):
    """The status feed: one row per status change, read by stations with a cursor (``seq``)."""

    __tablename__ = "status_events"
    __table_args__ = (Index("ix_status_events_station_seq", "station_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    case_id: Mapped[str] = mapped_column(ForeignKey("received_cases.id"))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Added fields of the feed (migration 0004): legal basis, requested materials, result document.
    detail: Mapped[dict | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("bo_users.id"))


class Publication(Base):
    """A catalogue or holiday-calendar version published to all stations."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # catalogue | calendar
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Rating(Base):
    """The applicant's 好差评 rating of a case, as the window sent it (one per case, idempotent by key).
    Not tied to a received case: returned or rejected cases are rated too and send no packet."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("station_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(36))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Supplement(Base):
    """容缺: materials deferred at an accepted-with-deficiencies decision that arrived later, as the window
    sent them (idempotent by key). ``lines`` are the requirement codes now received; their pages are
    attachments of the case, uploaded like the packet's."""

    __tablename__ = "supplements"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    case_id: Mapped[str] = mapped_column(ForeignKey("received_cases.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    lines: Mapped[list] = mapped_column(JSON)
    body: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CaseOutcome(Base):
    """An outcome of a case after the window's decision (migration 0006): return with notice,
    rejection, delivery, void, correction — as the station sent it, once per idempotency key. Not tied
    to a received case: returned and rejected cases send no packet."""

    __tablename__ = "case_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# -- the approver workbench (migration 0004) ---------------------------------------------------------
class Department(Base):
    """A department that approves the items assigned to it (its scope)."""

    __tablename__ = "bo_departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class DepartmentItem(Base):
    """Which department approves an item code (one department per item)."""

    __tablename__ = "bo_department_items"

    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("bo_departments.id"), index=True)


class BackOfficeUser(Base):
    """A person working in the back office. Roles: approver, department_head (both scoped to their
    department), admin (stations, departments, users, publications; no case content)."""

    __tablename__ = "bo_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("bo_departments.id"))
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A signed-in browser (kind web, cookie) or admin API client (kind api, bearer). Only the SHA-256 of
    the token is stored; the CSRF token is per session. In the database, so any worker process serves it."""

    __tablename__ = "bo_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("bo_users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class FormToken(Base):
    """A one-time token put into each action form; used (and so refused on replay) in the same
    transaction as the action."""

    __tablename__ = "bo_form_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(String(36))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BackOfficeAudit(Base):
    """Who did what in the back office: sign-ins, reveals of personal data (with the reason), page views,
    decisions, uploads, account changes. Never personal data itself."""

    __tablename__ = "bo_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("bo_users.id"))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    detail: Mapped[dict] = mapped_column(JSON)


class ResultDocument(Base):
    """The result document (PDF) a department uploaded for a case; stations download it for 出件."""

    __tablename__ = "bo_result_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("received_cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(200))
    pages: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("bo_users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StationAnchor(Base):
    """The newest audit chain head and case-number counters a station reported (issue 16 item 5): with
    it a workstation whose store was rolled back (a restore, a lost WAL) is told at its next sync, and
    its case numbers move past every number it used before."""

    __tablename__ = "station_anchors"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    audit_hash: Mapped[str] = mapped_column(String(64))
    case_counters: Mapped[dict] = mapped_column(JSON)  # yyyymmdd → highest sequence reported
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
