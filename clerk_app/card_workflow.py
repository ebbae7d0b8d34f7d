"""The card-read workflow (读证), without Qt: what happens between "F6" and the filled applicant.

For an applicant (or agent) on the desk: the chip is read through the station's card reader (a
:class:`CardPort`, implemented over ``devices.cards`` by ``clerk_app/wiring/cards.py``), the face is
kept (encrypted, in the attachment store), the person is saved on the case, and — for the applicant —
the 人证比对 view (clerks only, audited) and the applicant's earlier open matters are fetched. For a
collector at 出件 only the document number leaves the workflow.

The page runs these calls through ``ui.operations.CoreOp`` (they block on the reader and the store) and
only shows the result, asks for an access key when :class:`AccessKeyNeeded` says so, and previews.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from typing import Protocol

from clerk_app import i18n
from clerk_app.cases import CaseService
from clerk_app.errors import ClerkAppError, DeviceError
from clerk_app.identity_check import ComparisonView, IdentityCheckService
from clerk_app.persons import PersonData, PersonView
from clerk_app.roles import Actor, Permission
from clerk_app.search import CaseSearch, OpenMatter

log = logging.getLogger(__name__)


class NoCardReader(DeviceError):
    """No card reader configured (``card_backend = "none"``) or none connected."""

    key = i18n.register("cards.no_reader", "未配置读卡器", "No card reader is configured")


class AccessKeyNeeded(DeviceError):
    """A passport or permit chip opens only with its access key (MRZ or CAN): ask for it, read again.
    ``refused`` is the chip's refusal of the key just given (shown before asking again), else None."""

    key = i18n.register("cards.key_needed", "该证件需要访问密钥才能读取", "This document needs its access key")

    def __init__(self, refused: ClerkAppError | None = None) -> None:
        super().__init__(detail=type(refused).__name__ if refused else "")
        self.refused = refused


@dataclass(frozen=True)
class ChipRead:
    """A document as read from its chip: the person (``photo_sha256`` not yet set) and the face as an
    image Qt can show (JPEG/PNG bytes and mime), or None (no photo, or not decodable)."""

    person: PersonData
    face: tuple[bytes, str] | None


class CardPort(Protocol):
    """What the workflow needs from the station's card reader(s)."""

    def read(self, access_key: object | None, cancel: threading.Event) -> ChipRead:
        """Read the card presented now (on the reader holding a card, else the first reader). Raises
        NoCardReader, AccessKeyNeeded, UserCancelled (when ``cancel`` is set) or another DeviceError."""
        ...


@dataclass(frozen=True)
class ApplicantRead:
    """The outcome of a chip read on the desk. ``saved`` is None when the case refused the person
    (``save_error`` says why): the page still shows what the chip said, nothing is lost."""

    person: PersonData
    saved: PersonView | None
    save_error: ClerkAppError | None = None
    comparison: ComparisonView | None = None  # 人证比对, the applicant only, for clerks
    matters: tuple[OpenMatter, ...] = ()  # the applicant's earlier cases that need something today


class CardWorkflow:
    """Built once by the composition root (``AppContext.cards``)."""

    def __init__(
        self, port: CardPort, cases: CaseService, identity_checks: IdentityCheckService, search: CaseSearch
    ) -> None:
        self._port, self._cases, self._checks, self._search = port, cases, identity_checks, search

    def read_applicant(
        self,
        actor: Actor,
        case_id: str,
        *,
        agent: bool = False,
        access_key: object | None = None,
        cancel: threading.Event | None = None,
    ) -> ApplicantRead:
        chip = self._port.read(access_key, cancel or threading.Event())
        sha = self._checks.store_photo(*chip.face) if chip.face is not None else None
        person = dataclasses.replace(chip.person, photo_sha256=sha)
        try:
            saved = self._cases.set_applicant(actor, case_id, person, agent=agent)
        except ClerkAppError as exc:
            log.info("chip read not saved on the case: %s", exc)
            return ApplicantRead(person, None, exc)
        if agent:
            return ApplicantRead(person, saved)
        comparison = None
        if actor.can(Permission.PII_VIEW_FULL):
            comparison = self._checks.for_comparison(actor, case_id)
        return ApplicantRead(person, saved, None, comparison, self.open_matters(actor, person, case_id))

    def open_matters(self, actor: Actor, person: PersonData, case_id: str) -> tuple[OpenMatter, ...]:
        """The applicant's earlier returned / owing / ready cases; none when the lookup is refused."""
        try:
            return tuple(self._search.open_matters(actor, person.document_number, exclude=case_id))
        except ClerkAppError as exc:
            log.info("open matters not checked: %s", exc)
            return ()

    def read_collector(self, cancel: threading.Event | None = None) -> str:
        """The collector's document number at 出件 (checked like a typed one; nothing else kept)."""
        return self._port.read(None, cancel or threading.Event()).person.document_number
