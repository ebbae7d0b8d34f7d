"""人证比对 — the clerk compares the person at the window with the document's chip: the chip photo
large, the full name and number visible (a full personal-data view, audited), and one key for "the
person matches the document" / "does not match". The outcome is kept with the applicant's encrypted
record (``PersonData.face_match``) and audited; the decision's audit event names it. The customer
screen never shows the photo (it only ever receives the checklist and the masked summary).

Pre-review staff (帮办) never see the unmasked data or the photo: the comparison needs the full
personal-data permission and recording it the decision permission."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from clerk_app import i18n
from clerk_app.attachments import AttachmentStore
from clerk_app.audit import Auditor
from clerk_app.errors import DomainError
from clerk_app.persons import PersonData, PersonRepository
from clerk_app.roles import Actor, Permission
from clerk_app.store.models import Case, Person

MATCH, MISMATCH = "match", "mismatch"
_E_NO_APPLICANT = i18n.register(
    "identity_check.no_applicant", "本件还没有申请人信息，无法人证比对", "The case has no applicant yet to compare"
)


@dataclass(frozen=True)
class ComparisonView:
    """What the clerk compares with the person: unmasked (this view is audited)."""

    name: str
    document_type: str
    document_number: str
    verified_by: str
    photo: bytes | None  # JPEG/PNG bytes of the chip face, None when the chip had none or it is undecodable
    face_match: str | None


class IdentityCheckService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        auditor: Auditor,
        persons: PersonRepository,
        attachments: AttachmentStore,
    ) -> None:
        self._sessions = session_factory
        self._auditor = auditor
        self._persons = persons
        self._attachments = attachments

    def store_photo(self, data: bytes, mime: str) -> str:
        """Keep the chip face (encrypted, content-addressed, in the hall's attachment store)."""
        return self._attachments.put(data, mime).sha256

    def for_comparison(self, actor: Actor, case_id: str) -> ComparisonView:
        actor.require(Permission.PII_VIEW_FULL)
        with self._sessions.begin() as s:
            data, _ = self._applicant(s, case_id)
            self._auditor.record(s, actor, "pii.view", case_id, purpose="identity_check", who="applicant")
        photo = self._attachments.get(data.photo_sha256) if data.photo_sha256 else None
        return ComparisonView(
            data.name, data.document_type, data.document_number, data.verified_by, photo, data.face_match
        )

    def record(self, actor: Actor, case_id: str, matches: bool) -> None:
        actor.require(Permission.CASE_DECIDE)
        with self._sessions.begin() as s:
            data, row = self._applicant(s, case_id)
            outcome = MATCH if matches else MISMATCH
            self._persons.save(s, dataclasses.replace(data, face_match=outcome), row.id)
            self._auditor.record(s, actor, "case.identity_check", case_id, result=outcome, verified_by=data.verified_by)

    def _applicant(self, s: Session, case_id: str) -> tuple[PersonData, Person]:
        case = s.get(Case, case_id)
        row = s.get(Person, case.applicant_id) if case is not None and case.applicant_id else None
        if row is None:
            raise DomainError(_E_NO_APPLICANT, detail=f"case {case_id} has no applicant")
        return self._persons.load(row), row
