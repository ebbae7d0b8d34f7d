"""What the applicant does on the customer-facing screen: confirm the material list as recorded,
and rate the service (好差评). Qt-free, so the receipt printer and the sync worker read the same
facts the customer window wrote.

A confirmation stores the time and a hash of the checklist as the applicant saw it; when the lines
change afterwards the confirmation is no longer ``current`` and the screen asks again. A rating is
stored on the case (``Case.rating`` 1–5, ``Case.rating_reasons``), audited without personal data
(level and reason codes only; the optional comment is never audited), and queued for the back office
as an ``OutboxEntry(kind="rating", idempotency_key=f"{case_id}:rating")`` in the same transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.audit import Auditor
from clerk_app.clock import Clock
from clerk_app.errors import DomainError, NotFound
from clerk_app.lifecycle import CaseStatus
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, CaseLine, OutboxEntry


class Rating(int, enum.Enum):
    """The five levels of the national 好差评 scheme, best first."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def low(self) -> bool:
        """差评: the applicant is asked why."""
        return self.value <= 2


RATING_LABELS = {
    r: i18n.register(f"rating.{r.value}", zh, en)
    for r, zh, en in (
        (Rating.VERY_SATISFIED, "非常满意", "Very satisfied"),
        (Rating.SATISFIED, "满意", "Satisfied"),
        (Rating.BASICALLY_SATISFIED, "基本满意", "Basically satisfied"),
        (Rating.DISSATISFIED, "不满意", "Dissatisfied"),
        (Rating.VERY_DISSATISFIED, "非常不满意", "Very dissatisfied"),
    )
}

# Reasons offered for a low rating (a short list, as the 好差评 forms do); stored as codes.
LOW_RATING_REASONS: dict[str, str] = {
    code: i18n.register(f"rating_reason.{code}", zh, en)
    for code, zh, en in (
        ("wait_long", "等候时间长", "Waited too long"),
        ("attitude", "服务态度不好", "Unfriendly service"),
        ("unclear", "告知不清楚、不一次性告知", "Requirements not explained clearly or all at once"),
        ("too_many_materials", "材料要求多、重复提交", "Too many or repeated materials"),
        ("slow", "办事效率低", "Slow handling"),
        ("facilities", "场所设施不便", "Inconvenient facilities"),
        ("other", "其他", "Other"),
    )
}

COMMENT_MAX = 200

_E_NO_REASON = i18n.register("error.rating_reason", "请选择不满意的原因", "Please choose why you are dissatisfied")
_E_BAD_REASON = i18n.register("error.rating_bad_reason", "未知的评价原因：{code}", "Unknown rating reason: {code}")
_E_NOT_DECIDED = i18n.register(
    "error.rating_not_decided", "案件作出受理决定后才能评价", "A case can be rated only after the decision"
)
_E_RATED = i18n.register("error.rating_twice", "本次办件已经评价过", "This case has already been rated")
_E_CONFIRM_VOID = i18n.register(
    "error.confirm_void", "案件已作废，不能确认材料", "The case is void: its materials cannot be confirmed"
)

RATEABLE = frozenset(CaseStatus) - {CaseStatus.DRAFT, CaseStatus.READY_FOR_WINDOW, CaseStatus.VOID}


@dataclass(frozen=True)
class Confirmation:
    """The applicant's confirmation of the material list (shown on the receipt)."""

    case_id: str
    confirmed_at: dt.datetime
    lines_hash: str
    current: bool  # the checklist still matches what was confirmed

    def receipt_text(self) -> str:
        """One line for the receipt, in Chinese as the receipt is."""
        at = self.confirmed_at.astimezone(_CHINA).strftime("%Y-%m-%d %H:%M")
        return (
            f"申请人已于 {at} 在窗口屏幕确认材料清单（校验码 {self.lines_hash[:8]}）"
            if self.current
            else f"申请人曾于 {at} 确认材料清单，此后材料有变化"
        )


@dataclass(frozen=True)
class CustomerFacts:
    """What the customer window needs beyond the CaseView (no personal data here)."""

    case_id: str
    ticket_no: str | None
    confirmation: Confirmation | None
    rating: Rating | None
    rating_reasons: tuple[str, ...]
    rated_at: dt.datetime | None


_CHINA = dt.timezone(dt.timedelta(hours=8))


class _ShownLine(Protocol):
    """What the applicant sees of a checklist line: a CaseLine row or a CaseView LineView (the code is
    ``requirement_code`` on the row, ``code`` on the view)."""

    @property
    def status(self) -> object: ...
    @property
    def originals_received(self) -> int: ...
    @property
    def copies_received(self) -> int: ...
    @property
    def page_count(self) -> int: ...


def lines_hash(lines: Iterable[_ShownLine]) -> str:
    """SHA-256 over what the applicant sees of each line: code, status, counts, pages. Takes
    CaseLine rows or CaseView LineViews (anything with these attributes)."""
    snapshot = []
    for line in lines:
        code = getattr(line, "requirement_code", None) or getattr(line, "code", None)
        status = line.status
        snapshot.append(
            [
                code,
                getattr(status, "value", status),
                int(line.originals_received),
                int(line.copies_received),
                int(line.page_count or 0),
            ]
        )
    snapshot.sort()
    return hashlib.sha256(json.dumps(snapshot, separators=(",", ":")).encode()).hexdigest()


class CommentSealer(Protocol):
    """Encrypts a short text under the hall data key, bound to ``aad`` (``PersonRepository``)."""

    def seal(self, text: str, aad: str) -> bytes: ...

    def unseal(self, blob: bytes, aad: str) -> str: ...


SEALED_PREFIX = "sealed:"  # Case.rating_comment holds "sealed:" + base64(AES-GCM ciphertext)


def _comment_aad(case_id: str) -> str:
    return f"rating-comment:{case_id}"


def seal_comment(sealer: CommentSealer, case_id: str, text: str) -> str:
    return SEALED_PREFIX + base64.b64encode(sealer.seal(text, _comment_aad(case_id))).decode("ascii")


def open_comment(sealer: CommentSealer, case_id: str, stored: str | None) -> str:
    """The applicant's comment in clear ("" when none); a value stored before comments were sealed
    (no prefix) reads as it is until ``seal_stored_comments`` has sealed it."""
    if not stored:
        return ""
    if not stored.startswith(SEALED_PREFIX):
        return stored
    return sealer.unseal(base64.b64decode(stored[len(SEALED_PREFIX) :]), _comment_aad(case_id))


def seal_stored_comments(session_factory: sessionmaker[Session], sealer: CommentSealer) -> int:
    """Once at start: rating comments stored in clear by an older version are sealed, and the
    plaintext comment is dropped from rating outbox payloads (the sync worker reads the sealed one
    from the case at send time, the same text, so a retry is still the same body). Returns how many
    rows changed."""
    changed = 0
    with session_factory.begin() as s:
        for case in s.scalars(
            select(Case).where(Case.rating_comment.is_not(None), Case.rating_comment.not_like(f"{SEALED_PREFIX}%"))
        ):
            case.rating_comment = seal_comment(sealer, case.id, case.rating_comment or "")
            changed += 1
        for entry in s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "rating")):
            if entry.payload and "comment" in entry.payload:
                entry.payload = {k: v for k, v in entry.payload.items() if k != "comment"}
                changed += 1
    return changed


class CustomerService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        auditor: Auditor,
        sealer: CommentSealer | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._auditor = auditor
        # The hall data key for the applicant's comment (None: a comment is not kept at all, never in clear).
        self._sealer = sealer

    # -- reading ------------------------------------------------------------------------------
    def confirmation(self, case_id: str) -> Confirmation | None:
        """The applicant's confirmation, or None. The printed receipt shows
        ``confirmation.receipt_text()`` (or its fields) when this is not None."""
        with self._sessions() as s:
            return _confirmation(self._load(s, case_id))

    def facts(self, case_id: str) -> CustomerFacts:
        with self._sessions() as s:
            case = self._load(s, case_id)
            return CustomerFacts(
                case.id,
                case.ticket_no,
                _confirmation(case),
                Rating(case.rating) if case.rating else None,
                tuple(case.rating_reasons or ()),
                case.rated_at,
            )

    # -- the applicant acts -------------------------------------------------------------------
    def confirm_materials(self, actor: Actor, case_id: str, seen_hash: str | None = None) -> Confirmation:
        """Record that the applicant confirmed the checklist. ``seen_hash`` (from ``lines_hash`` of
        the lines on screen) guards against confirming a list that changed under their finger."""
        actor.require(Permission.CASE_DECIDE)
        now = self._clock.now()
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            if case.status == CaseStatus.VOID.value:
                raise DomainError(_E_CONFIRM_VOID, detail=f"case {case_id} void")
            digest = lines_hash(case.lines)
            if seen_hash is not None and seen_hash != digest:
                raise StaleChecklist(detail=f"case {case_id}: lines changed before confirmation")
            case.confirmed_at = now
            case.confirmed_lines_hash = digest
            self._auditor.record(
                s,
                actor,
                "case.customer_confirm",
                case_id,
                by="applicant",
                lines=len(case.lines),
                lines_hash=digest[:12],
            )
            return Confirmation(case_id, now, digest, True)

    def rate(
        self, actor: Actor, case_id: str, rating: Rating | int, reasons: Sequence[str] = (), comment: str = ""
    ) -> None:
        """Store the applicant's rating once, audit it (no comment text) and queue it for sync."""
        actor.require(Permission.CASE_DECIDE)
        rating = Rating(rating)
        codes = list(dict.fromkeys(reasons))
        for code in codes:
            if code not in LOW_RATING_REASONS:
                raise DomainError(_E_BAD_REASON, code=code, detail=f"reason {code!r}")
        if rating.low and not codes:
            raise DomainError(_E_NO_REASON, detail="low rating without a reason")
        if not rating.low:
            codes = []
        comment = " ".join(comment.split())[:COMMENT_MAX] if rating.low else ""
        now = self._clock.now()
        with self._sessions.begin() as s:
            case = self._load(s, case_id)
            if CaseStatus(case.status) not in RATEABLE:
                raise DomainError(_E_NOT_DECIDED, detail=f"case {case_id} is {case.status}")
            if case.rating is not None:
                raise DomainError(_E_RATED, detail=f"case {case_id} already rated")
            case.rating = rating.value
            case.rating_reasons = codes
            # The comment may name people or carry contact details: sealed like other personal data,
            # never in the outbox payload (the sync worker adds it, decrypted, at send time).
            case.rating_comment = seal_comment(self._sealer, case.id, comment) if comment and self._sealer else None
            case.rated_at = now
            s.add(
                OutboxEntry(
                    case_id=case.id,
                    kind="rating",
                    idempotency_key=f"{case.id}:rating",
                    payload={
                        "case_id": case.id,
                        "case_number": case.case_number,
                        "rating": rating.value,
                        "reasons": codes,
                        "rated_at": now.isoformat(),
                        "window_no": case.window_no,
                        "decided_by": case.decided_by,
                    },
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            self._auditor.record(
                s,
                actor,
                "case.rating",
                case_id,
                by="applicant",
                rating=rating.value,
                reasons=codes,
                comment=bool(comment),
            )

    def record_unrated(self, actor: Actor, case_id: str) -> None:
        """The rating screen timed out or was skipped: audited (so statistics can tell 未评价 from a
        missing screen), nothing stored on the case."""
        self._auditor.record_now(actor, "case.rating_skipped", case_id, by="applicant")

    def _load(self, s: Session, case_id: str) -> Case:
        case = s.get(Case, case_id)
        if case is None:
            raise NotFound(what="案件", detail=f"case {case_id}")
        return case


class StaleChecklist(DomainError):
    key = i18n.register(
        "error.confirm_stale",
        "材料清单刚刚有变化，请重新核对后再确认",
        "The material list just changed: please check it again before confirming",
    )


def _confirmation(case: Case) -> Confirmation | None:
    if case.confirmed_at is None or case.confirmed_lines_hash is None:
        return None
    lines: list[CaseLine] = list(case.lines)
    return Confirmation(
        case.id, case.confirmed_at, case.confirmed_lines_hash, lines_hash(lines) == case.confirmed_lines_hash
    )
