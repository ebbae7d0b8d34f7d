"""SQLAlchemy 2.0 typed models of the local store.

Personal data lives only in ``Person.pii`` (AES-GCM ciphertext, see clerk_app.security.crypto) plus
keyed search tokens and masked display values; nothing else in the schema holds a name or ID number.
Schema changes go through Alembic migrations in ``clerk_app/store/migrations``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes on every backend: stored as UTC, read back aware (SQLite drops
    tzinfo, which would otherwise shift China time by eight hours)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware clock")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    staff_no: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Person(Base):
    """An applicant or agent: a natural person or an organisation."""

    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # person | organisation
    pii: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted JSON of every personal field
    id_token: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed hash of the ID number
    name_token: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed hash of the name
    id_masked: Mapped[str] = mapped_column(String(40))
    name_masked: Mapped[str] = mapped_column(String(64))
    verified_by: Mapped[str] = mapped_column(String(12))  # chip | manual
    passive_auth: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CatalogueVersion(Base):
    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_updated", "status", "updated_at"),
        Index("ix_cases_item_decided", "item_code", "decided_at"),
        Index("ix_cases_created", "created_at"),
        # Case search (clerk_app/search.py, migration 0004): keyset paging on (created_at, id),
        # overall, per status and per item; cases where a person is the agent.
        Index("ix_cases_created_id", "created_at", "id"),
        Index("ix_cases_status_created", "status", "created_at", "id"),
        Index("ix_cases_item_created", "item_code", "created_at", "id"),
        Index("ix_cases_agent", "agent_id"),
        # Statistics (clerk_app/stats.py): decided_at first, then every column the aggregates read,
        # so a date-range report is an index-only scan (migration 0005).
        Index(
            "ix_cases_stats",
            "decided_at",
            "status",
            "station_code",
            "item_code",
            "item_name",
            "window_no",
            "decided_by",
            "first_visit",
            "prereviewed_by",
            "started_at",
            "ticket_at",
            "called_at",
            "deficiency_due",
            "rating",
        ),
        Index("ix_cases_status_due", "status", "deficiency_due"),
        Index("ix_cases_updated", "updated_at"),
        Index("ix_cases_promised_provisional", "promised_date_provisional"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    case_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    station_code: Mapped[str] = mapped_column(String(16))
    window_no: Mapped[str] = mapped_column(String(16))
    item_code: Mapped[str] = mapped_column(String(64))
    item_name: Mapped[str] = mapped_column(String(200))
    catalogue_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    applicant_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    deficiency_due: Mapped[dt.date | None] = mapped_column(Date)
    promised_date: Mapped[dt.date | None] = mapped_column(Date)
    # The promised date used a provisional holiday schedule (next year not published yet); recomputed
    # once the schedule arrives (clerk_app/promised_dates.py, migration 0007).
    promised_date_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    promised_days: Mapped[int | None] = mapped_column(Integer)  # the working days promised at the decision
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    prereviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    first_visit: Mapped[bool] = mapped_column(Boolean, default=True)
    ticket_no: Mapped[str | None] = mapped_column(String(16))
    ticket_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    # Customer-facing screen (clerk_app/customer.py, migration 0003): the applicant's confirmation
    # of the material list (time + hash of the lines as seen) and the rating's time and comment.
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirmed_lines_hash: Mapped[str | None] = mapped_column(String(64))
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rating_comment: Mapped[str | None] = mapped_column(Text)
    void_reason: Mapped[str | None] = mapped_column(Text)
    server_status: Mapped[str | None] = mapped_column(String(32))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    # Express delivery (migration 0012): the address encrypted like other personal data (AAD
    # ``delivery:<case id>``) and its masked form for views.
    delivery_address: Mapped[bytes | None] = mapped_column(LargeBinary)
    delivery_address_masked: Mapped[str | None] = mapped_column(String(200))

    lines: Mapped[list[CaseLine]] = relationship(
        back_populates="case", order_by="CaseLine.position", cascade="all, delete-orphan"
    )
    transitions: Mapped[list[CaseTransition]] = relationship(
        back_populates="case", order_by="CaseTransition.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}


class CaseClaim(Base):
    """Who works on a case now (migration 0012): one row per claimed case. Others open it read-only
    and see the holder; a supervisor may release a stale claim (audited)."""

    __tablename__ = "case_claims"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String(100))
    station_code: Mapped[str] = mapped_column(String(16))
    window_no: Mapped[str] = mapped_column(String(16))
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CaseLine(Base):
    """One checklist line: a material requirement of the case's item as applied to this case."""

    __tablename__ = "case_lines"
    __table_args__ = (
        UniqueConstraint("case_id", "requirement_code"),
        # The 容缺 worklists (overdue supplements, owed materials): deferred lines by due date.
        Index("ix_case_lines_status_due", "status", "due_date", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    requirement_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(24))
    originals_required: Mapped[int] = mapped_column(Integer, default=0)
    copies_required: Mapped[int] = mapped_column(Integer, default=0)
    originals_received: Mapped[int] = mapped_column(Integer, default=0)
    copies_received: Mapped[int] = mapped_column(Integer, default=0)
    necessity: Mapped[str] = mapped_column(String(16))  # required | optional
    key_material: Mapped[bool] = mapped_column(Boolean, default=False)
    deferrable: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="lines")


class CaseTransition(Base):
    __tablename__ = "case_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="transitions")


class CaseCorrection(Base):
    """A supervisor's correction of one case field (clerk_app/corrections.py). The original value
    stays here, so the case history shows what was recorded before; never personal data."""

    __tablename__ = "case_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CaseNumberSequence(Base):
    """Per-station, per-day counter. Incremented inside the decision transaction, so a number is
    committed together with the decision or not at all; a crash before commit leaves no gap."""

    __tablename__ = "case_number_sequences"

    station_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class QueueTicket(Base):
    """A ticket of the built-in hall queue (clerk_app/queue.py; migration 0011). Numbers restart each
    day per prefix; ``window_no`` is the window that called it (or, while waiting after a transfer,
    the only window that may call it). No personal data."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        UniqueConstraint("day", "number", name="uq_queue_tickets_day_number"),
        Index("ix_queue_tickets_status_issued", "status", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[str] = mapped_column(String(8))
    number: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # waiting | called | started | no_show
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    called_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    window_no: Mapped[str | None] = mapped_column(String(16))
    calls: Mapped[int] = mapped_column(Integer, default=0)
    case_id: Mapped[str | None] = mapped_column(String(36))


class Page(Base):
    """A scanned page filed under a checklist line; the image lives in the attachment store."""

    __tablename__ = "pages"
    __table_args__ = (Index("ix_pages_line_position", "line_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("case_lines.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    blank_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class PrintJob(Base):
    """A document sent (or waiting) to a printer — the print outbox (clerk_app/wiring/print_jobs.py).

    Written in the same transaction as the decision / handover that causes it (``pdf_sha256`` empty
    until the print worker renders it), then drained by the print worker. No personal data; the PDF
    itself is in the encrypted attachment store under ``pdf_sha256``."""

    __tablename__ = "print_jobs"
    # Migration 0006: the dispatcher's job id, queue order for retries, jobs per case number.
    __table_args__ = (
        Index("ix_print_jobs_job_uid", "job_uid", unique=True),
        Index("ix_print_jobs_case_number", "case_number"),
        Index("ix_print_jobs_status_created", "status", "created_at"),
        Index("ix_print_jobs_workstation_status", "workstation", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    document_kind: Mapped[str] = mapped_column(String(32))
    printer: Mapped[str] = mapped_column(String(128))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # queued | printing | done | failed
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    is_reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    job_uid: Mapped[str | None] = mapped_column(String(32))  # printing.PrintJob.job_id
    case_number: Mapped[str | None] = mapped_column(String(40))
    layout: Mapped[str | None] = mapped_column(String(16))  # a4 | roll_80mm
    media: Mapped[str | None] = mapped_column(String(40))  # CUPS media, e.g. A4
    pages: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)  # what the clerk was told
    detail: Mapped[str | None] = mapped_column(Text)  # technical detail (no PII)
    spooler_job_id: Mapped[str | None] = mapped_column(String(64))
    # Migration 0010 (print outbox): the settings' policy when the job was written (print | ask | queue),
    # the requesting clerk's staff number (printed on the document), whether the requester may
    # print the applicant's full name (else the masked name is printed), and the workstation
    # (station code/window) whose printer owes it — a shared database holds every window's jobs.
    policy: Mapped[str | None] = mapped_column(String(8))
    workstation: Mapped[str | None] = mapped_column(String(48))
    staff_no: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[bool | None] = mapped_column(Boolean)


class OutboxEntry(Base):
    """Written in the decision transaction; the sync worker delivers it to the back office."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # case_packet | case_update | rating ...
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Append-only, hash-chained: hash = SHA-256(prev_hash + canonical JSON of the event)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_actor_at", "actor", "at"), Index("ix_audit_case", "case_id"))

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    station: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(48), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row per chain; locked (SELECT … FOR UPDATE) while appending so stations sharing a
    PostgreSQL database never fork the chain."""

    __tablename__ = "audit_head"

    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class DataKeyVersion(Base):
    """One version of the hall data key: its key-check value (HMAC of a constant under the key),
    never the key itself. A store with rows here holds data that only these keys open."""

    __tablename__ = "data_key_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    check_value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(32))  # station code


class HallStation(Base):
    """A station of the hall and its key-wrapping public key (X25519); the private key stays in
    that station's OS keyring. ``pending_public_key`` is a key waiting for an admin's enrolment."""

    __tablename__ = "hall_stations"

    station_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(12))  # pending | enrolled | revoked
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    pending_public_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    enrolled_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class HallKeyWrap(Base):
    """A hall data key version wrapped (X25519 + HKDF + AES-GCM) for one enrolled station."""

    __tablename__ = "hall_key_wraps"

    station_code: Mapped[str] = mapped_column(
        ForeignKey("hall_stations.station_code", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(ForeignKey("data_key_versions.version"), primary_key=True, autoincrement=False)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class AttachmentBlob(Base):
    """Page images in the hall database (PostgreSQL): content-addressed, encrypted like the files."""

    __tablename__ = "attachment_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_version: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # plaintext bytes
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class QuarantinedAttachment(Base):
    """A stored attachment that failed to decrypt or verify, moved aside (never overwritten)."""

    __tablename__ = "attachment_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    quarantined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
