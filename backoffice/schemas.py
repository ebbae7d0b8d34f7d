"""The wire schema (v1) as pydantic models; docs/api/openapi.yaml is the written contract and a test
checks the running server against it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

SHA256 = r"^[0-9a-f]{64}$"
UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CODE = r"^[A-Za-z0-9_.-]{1,16}$"
VERSION = r"^[0-9A-Za-z.+!_-]{1,64}$"  # a PEP 440 version string as the workstation reports it
MAX_ATTACHMENT = 2**40  # 1 TiB; keeps sizes far inside BIGINT


def _storable(value: Any, depth: int = 0) -> None:
    """Refuse text PostgreSQL cannot store (NUL) or that is not encodable UTF-8 (lone surrogates,
    which JSON escapes can carry), anywhere in a nested body — a 422, never a 500 at commit."""
    if depth > 64:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key, depth + 1)
            _storable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable(item, depth + 1)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _only_storable_text(cls, data: Any) -> Any:
        _storable(data)
        return data


class RegisterRequest(Strict):
    station_code: str = Field(pattern=CODE)
    enrolment_code: str = Field(min_length=1, max_length=200)


class RegisterResponse(Strict):
    station_code: str
    station_secret: str


class TokenRequest(Strict):
    station_code: str = Field(pattern=CODE)
    station_secret: str = Field(min_length=1, max_length=200)


class TokenResponse(Strict):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class PageRef(Strict):
    position: int = Field(ge=0, le=1_000_000)
    sha256: str = Field(pattern=SHA256)


class MaterialLine(Strict):
    requirement_code: str = Field(min_length=1, max_length=64)
    name: str = Field(max_length=200)
    form: str = Field(max_length=32)
    status: str = Field(max_length=32)
    reason: str | None = None
    due_date: str | None = None
    originals_received: int = Field(ge=0, le=1000)
    copies_received: int = Field(ge=0, le=1000)
    pages: list[PageRef]


class AttachmentRef(Strict):
    sha256: str = Field(pattern=SHA256)
    size: int = Field(ge=0, le=MAX_ATTACHMENT)
    mime: str = Field(min_length=1, max_length=64)


class CasePacket(Strict):
    schema_version: Literal["case-packet/1"]
    case_id: str = Field(pattern=UUID_RE)
    case_number: str | None = Field(default=None, max_length=40)
    station_code: str = Field(pattern=CODE)
    window_no: str = Field(max_length=16)
    item_code: str = Field(min_length=1, max_length=64)
    item_name: str = Field(max_length=200)
    catalogue_version: str = Field(max_length=64)
    decision: Literal["accepted", "accepted_with_deficiencies", "returned_with_notice", "rejected"]
    decision_reason: str | None = None
    legal_basis: str | None = None
    decided_at: str | None = None
    promised_date: str | None = None
    deficiency_due: str | None = None
    answers: dict[str, Any]
    applicant: dict[str, Any] | None = None
    agent: dict[str, Any] | None = None
    lines: list[MaterialLine]
    attachments: list[AttachmentRef]
    # version of the workstation that sent it (metadata about the sender, not the case: not part of the
    # replay comparison, see service.packet_digest)
    app_version: str | None = Field(default=None, max_length=64, pattern=VERSION)


class SupplementLine(Strict):
    requirement_code: str = Field(min_length=1, max_length=64)
    pages: list[PageRef] = Field(max_length=1000)


class SupplementsIn(Strict):
    """容缺: deferred materials that arrived after the decision — the lines now received, their pages,
    and the manifest of those pages' files (uploaded as attachments of the case, like a packet's)."""

    schema_version: Literal["supplements/1"]
    case_id: str = Field(pattern=UUID_RE)
    lines: list[SupplementLine] = Field(min_length=1, max_length=200)
    attachments: list[AttachmentRef] = Field(max_length=10000)


class RatingIn(Strict):
    """The applicant's rating (好差评) of one case: level 1–5, reason codes for a low rating, an optional
    comment (low ratings only)."""

    case_id: str = Field(pattern=UUID_RE)
    case_number: str | None = Field(default=None, max_length=40)
    rating: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list, max_length=20)
    comment: str = Field(default="", max_length=500)
    rated_at: str = Field(min_length=1, max_length=64)
    window_no: str | None = Field(default=None, max_length=16)
    decided_by: int | Annotated[str, Field(max_length=64)] | None = None  # the clerk's user id

    @model_validator(mode="after")
    def _short_reasons(self) -> RatingIn:
        if any(len(r) > 64 for r in self.reasons):
            raise ValueError("a reason code is at most 64 characters")
        return self


class NoticeEntryIn(Strict):
    requirement_code: str = Field(min_length=1, max_length=64)
    problem: Literal["missing", "incomplete", "defective"]


class OutcomeDetails(Strict):
    """What the outcome carries; which fields apply depends on ``outcome`` (checked in OutcomeIn).
    No personal data in clear: a collector by role and masked ID, an express address masked."""

    reason: str | None = Field(default=None, max_length=2000)
    legal_basis: str | None = Field(default=None, max_length=2000)
    notice: list[NoticeEntryIn] | None = Field(default=None, max_length=200)
    method: Literal["window", "express"] | None = None
    collector: Literal["applicant", "agent"] | None = None
    id_source: Literal["chip", "manual"] | None = None
    courier: str | None = Field(default=None, max_length=64)
    tracking_number: str | None = Field(default=None, max_length=40)
    address_masked: str | None = Field(default=None, max_length=200)
    field: str | None = Field(default=None, max_length=64)
    old_value: str | None = Field(default=None, max_length=2000)
    new_value: str | None = Field(default=None, max_length=2000)
    correction: int | None = Field(default=None, ge=1)


_OUTCOME_NEEDS: dict[str, tuple[str, ...]] = {
    "return_with_notice": ("notice",),
    "rejection": ("reason",),
    "delivery": ("method",),
    "void": ("reason",),
    "correction": ("field", "reason"),
}


class OutcomeIn(Strict):
    """An outcome of a case after the window's decision, sent once through the station's outbox."""

    schema_version: Literal["outcome/1"]
    case_id: str = Field(pattern=UUID_RE)
    case_number: str | None = Field(default=None, max_length=40)
    outcome: Literal["return_with_notice", "rejection", "delivery", "void", "correction"]
    item_code: str = Field(min_length=1, max_length=64)
    at: dt.datetime
    station_code: str = Field(min_length=1, max_length=16)  # the sending (owning) station
    acting_station: str = Field(min_length=1, max_length=16)  # where it happened (通办)
    window_no: str = Field(max_length=16)
    actor_role: str = Field(min_length=1, max_length=16)
    details: OutcomeDetails

    @model_validator(mode="after")
    def _details_fit(self) -> OutcomeIn:
        missing = [f for f in _OUTCOME_NEEDS[self.outcome] if getattr(self.details, f) in (None, "", [])]
        if missing:
            raise ValueError(f"{self.outcome} needs {', '.join(missing)}")
        if self.outcome == "delivery" and self.details.method == "window" and self.details.collector is None:
            raise ValueError("a delivery at the window names the collector")
        if self.outcome == "delivery" and self.details.method == "express" and not self.details.tracking_number:
            raise ValueError("an express delivery carries the tracking number")
        if self.at.tzinfo is None:
            raise ValueError("at needs a time zone")
        return self


class OutcomeReceiptOut(Strict):
    case_id: str
    outcome: str
    created: bool


class RatingReceiptOut(Strict):
    case_id: str
    created: bool


class PacketWithPages(Strict):
    """A case packet with its pages inline (base64), for cases whose pages are small: one request
    and one transaction instead of a packet, a chunk per page and a second packet."""

    packet: CasePacket
    pages: dict[Annotated[str, StringConstraints(pattern=SHA256)], str] = Field(max_length=200)


class PacketReceiptOut(Strict):
    case_id: str
    status: str
    created: bool
    missing_attachments: list[str]


class BatchItemIn(BaseModel):
    """One case of a batch (its pages travel apart: base64 in the JSON form, raw bytes in the binary
    form; backoffice/batch.py decodes them). Not ``Strict``'s whole-body text scan: the packet is a
    ``CasePacket`` (which scans its own text) and the key is checked below."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: str = Field(min_length=1, max_length=128)
    packet: CasePacket

    @field_validator("idempotency_key")
    @classmethod
    def _storable_key(cls, value: str) -> str:
        _storable(value)
        return value


class BatchResultOut(Strict):
    """The answer for one case of a batch, in the order sent: ``status`` is what the single-case route
    would have answered (201 stored now, 200 replay, 4xx refused); a receipt or an error, never both."""

    idempotency_key: str | None
    case_id: str | None
    status: int
    receipt: PacketReceiptOut | None = None
    error: str | None = None
    message: str | None = None
    sha256: str | None = None  # the inline page a hash_mismatch is about
    problems: list[dict[str, Any]] | None = None  # field paths of a schema refusal (never values)


class PacketBatchOut(Strict):
    results: list[BatchResultOut]


class AttachmentStateOut(Strict):
    sha256: str
    size: int
    offset: int
    complete: bool


class RequestedMaterial(Strict):
    name: str
    note: str | None = None


class ResultDocumentRef(Strict):
    id: int
    sha256: str
    size: int
    filename: str | None = None  # the name the department uploaded (shown at the window)


class StatusEventOut(Strict):
    seq: int
    case_id: str
    status: str
    reason: str | None
    at: str
    # Added in API 1.1 (older stations ignore them): disapproval legal basis, the materials a
    # material_requested event asks for, the result document of a result_ready event.
    legal_basis: str | None = None
    materials: list[RequestedMaterial] | None = None
    result_document: ResultDocumentRef | None = None


class StatusFeedOut(Strict):
    events: list[StatusEventOut]
    next_cursor: int
    has_more: bool
    head_seq: int = 0  # newest event seq of this station (0: none)


class PublicationOut(Strict):
    kind: str
    version: str
    sha256: str
    published_at: str
    content: dict[str, Any]


class PublishRequest(Strict):
    version: str = Field(min_length=1, max_length=64)
    content: dict[str, Any]


class StationCreate(Strict):
    station_code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=100)


class StationCreated(Strict):
    station_code: str
    enrolment_code: str


class AdvanceRequest(Strict):
    status: Literal["in_approval", "approved", "disapproved", "result_ready", "delivered"]
    reason: str | None = Field(default=None, max_length=2000)


class AdminSignIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class CaseSummary(Strict):
    case_id: str
    case_number: str | None
    item_code: str
    status: str
    attachments: int
    attachments_complete: int


class AnchorIn(Strict):
    """A station's audit chain head and its case-number counters of the last days."""

    audit_seq: int = Field(ge=0, le=2**62)
    audit_hash: str = Field(pattern=SHA256)
    case_counters: dict[Annotated[str, Field(pattern=r"^[0-9]{8}$")], Annotated[int, Field(ge=0, le=99_999_999)]] = (
        Field(default_factory=dict, max_length=31)
    )


class AnchorOut(Strict):
    """What the back office had seen from this station before this call (audit_seq 0: nothing)."""

    audit_seq: int
    audit_hash: str
    case_counters: dict[str, int]
